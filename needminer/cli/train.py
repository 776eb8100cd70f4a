"""`needminer train-detector`: train a signal detector on your own labelled CSV; `needminer tune`: fine-tune
the encoder on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from needminer.cli._common import done, err_console, error_boundary, out_console, quiet, say


def train_detector_cmd(
    file: Annotated[Path, typer.Argument(help="CSV file with a text column and a label column.", show_default=False)],
    text_column: Annotated[str, typer.Option("--text-column", "-t", help="Name of the column holding the texts.")] = "text",
    label_column: Annotated[str, typer.Option("--label-column", "-l", help="Column with labels: pain/wish/question/praise/noise/other, or need 0/1.")] = "label",
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the model into (use it with `needminer detect --detector DIR`).")] = Path("detector"),
    embedder: Annotated[Optional[str], typer.Option(help="Add sentence vectors as features, e.g. lite (slower to train and to detect).")] = None,
    cv: Annotated[int, typer.Option("--cv", help="Folds of cross-validation to report before training (0 = none).", min=0)] = 0,
    words: Annotated[bool, typer.Option("--words/--no-words", help="Add jieba word 1–2-grams to the char n-grams.")] = True,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    finetune: Annotated[bool, typer.Option("--finetune", help="Fine-tune the e5-small encoder with a linear head instead (slow: minutes per thousand texts on a CPU; labelling runs the encoder too).")] = False,
    epochs: Annotated[int, typer.Option(help="With --finetune: passes over the training texts.", min=1)] = 2,
    models_dir: Annotated[Optional[Path], typer.Option("--models-dir", help="With --finetune: folder holding (or to build) e5-small. Default: the per-user model folder ($NEEDMINER_HOME/models).", show_default=False)] = None,
) -> None:
    """Train the n-gram + cue logistic-regression detector (or, with --finetune, an e5-small encoder) on
    labelled texts and save it (no pickle)."""
    from needminer.errors import ConfigError
    from needminer.signals import normalise_labels, train_detector
    from needminer.tabular import read_rows

    with error_boundary():
        _fields, rows = read_rows(file, text_column, (label_column,))
        rows = [r for r in rows if (r.get(label_column) or "").strip()]
        if not rows:
            raise ConfigError(f"No row of '{file}' has a value in the label column '{label_column}'.")
        texts = [r[text_column] or "" for r in rows]
        labels = [r[label_column].strip() for r in rows]
        normalise_labels(labels)  # fail fast on bad labels, before any CV
        if finetune:
            if embedder:
                raise ConfigError("--finetune trains the e5-small encoder itself; leave out --embedder.")
            from needminer.embed import resolve_models_dir

            params = {"seed": seed, "finetune": True, "epochs": epochs, "models_dir": str(resolve_models_dir(models_dir))}
        else:
            params = {"seed": seed, "word_ngram_range": (1, 2) if words else None, "embedder": embedder}
        if cv:
            _print_cv(texts, labels, cv, params)
        with _steps(finetune and not quiet()) as progress:
            report = train_detector(texts, labels, out_dir=out, **params, **({"progress": progress} if finetune else {}))
        counts = ", ".join(f"{k} {v}" for k, v in report.label_counts.items())
        extra = f", threshold {report.threshold:.2f}" if report.classes == ("0", "1") else ""
        how = f"fine-tuned {report.embedder}" if finetune else f"C={report.c:g}"
        done(f"trained on {report.n_samples} texts ({counts}), {how}{extra} "
             f"in {report.seconds:.1f}s → {out}\n  use it: needminer detect FILE.csv --detector {out}")


def tune_cmd(
    file: Annotated[Path, typer.Argument(help="CSV file with a text column and a label column (same label = same need).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the tuned model; use it with --embedder hf:FOLDER.", show_default=False)],
    text_column: Annotated[str, typer.Option("--text-column", "-t", help="Name of the column holding the texts.")] = "text",
    label_column: Annotated[str, typer.Option("--label-column", "-l", help="Name of the column holding the labels (any names).")] = "label",
    epochs: Annotated[int, typer.Option(help="Passes over the labelled texts (early stop may end sooner).", min=1)] = 3,
    max_seconds: Annotated[float, typer.Option("--max-seconds", help="Stop after about this many seconds (loading included) and save the best weights so far; --resume continues (0 = no limit). The default keeps a run within 15 minutes.", min=0)] = 840,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the unfinished run whose checkpoint is in --out.")] = False,
    seed: Annotated[int, typer.Option(help="Random seed (split, batches, dropout).")] = 0,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Texts per training step.", min=4)] = 32,
    lr: Annotated[float, typer.Option("--lr", help="Peak learning rate.", min=0)] = 3e-5,
    holdout: Annotated[float, typer.Option(help="Share of each label held out to decide when to stop (0 = no early stop).", min=0, max=0.49)] = 0.15,
    patience: Annotated[int, typer.Option(help="Checks without gain on the held-out texts before stopping.", min=1)] = 2,
    train_layers: Annotated[int, typer.Option("--train-layers", help="Train the top N transformer layers; the frozen ones below run once per text (0 = every layer: slower).", min=0)] = 4,
    base: Annotated[Optional[Path], typer.Option("--base", help="A local HF model folder to start from (default: e5-small).", show_default=False)] = None,
    models_dir: Annotated[Optional[Path], typer.Option("--models-dir", help="Folder holding (or to build) e5-small. Default: the per-user model folder ($NEEDMINER_HOME/models).", show_default=False)] = None,
    threads: Annotated[int, typer.Option(help="CPU threads (0 = all cores).", min=0)] = 0,
) -> None:
    """Fine-tune the sentence encoder on labelled texts (contrastive: same label together, other labels
    apart, with mined hard negatives) and save it as a model folder for --embedder hf:FOLDER."""
    from needminer.embed.tune import tune_encoder
    from needminer.errors import ConfigError
    from needminer.tabular import read_rows

    with error_boundary():
        _fields, rows = read_rows(file, text_column, (label_column,))
        rows = [r for r in rows if (r.get(label_column) or "").strip() and (r.get(text_column) or "").strip()]
        if not rows:
            raise ConfigError(f"No row of '{file}' has both a text in '{text_column}' and a label in '{label_column}'.")
        with _steps(not quiet(), "tune") as progress:
            result = tune_encoder(
                [r[text_column] for r in rows], [r[label_column] for r in rows], out, base=base, models_dir=models_dir,
                epochs=epochs, batch_size=batch_size, lr=lr, holdout=holdout, patience=patience, seed=seed,
                train_layers=train_layers,
                threads=threads, max_seconds=max_seconds or None, resume=resume, progress=progress,
                log=None if quiet() else (lambda msg: err_console.print(msg, highlight=False, markup=False)),
            )
        check = ""
        if result.check_before is not None:
            check = f", held-out MAP {result.check_before:.3f} → {result.check_best:.3f} (step {result.best_step})"
        how = {"epochs": f"{epochs} epoch(s)", "early_stop": "early stop"}.get(result.stopped, result.stopped.replace("_", "-"))
        done(f"tuned on {result.n_train} texts, {result.n_labels} labels, {result.steps} steps ({how}){check} "
             f"in {result.seconds:.0f}s → {out}\n  use it: needminer run INPUT --embedder hf:{out}")
        if not result.finished:
            say("  stopped by --max-seconds; the checkpoint is kept: add --resume to continue")


@contextmanager
def _steps(show: bool, name: str = "fine-tune") -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar over training steps (fine-tuning only; the n-gram model trains in seconds)."""
    if not show:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(name), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task(name, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _print_cv(texts: list[str], labels: list[str], k: int, params: dict) -> None:
    """k-fold stratified CV of the same recipe: per-class precision / recall / F1 and macro-F1."""
    import numpy as np
    from rich.table import Table
    from sklearn.metrics import f1_score, precision_recall_fscore_support
    from sklearn.model_selection import StratifiedKFold

    from needminer.errors import ConfigError
    from needminer.signals import Detector, normalise_labels, train_model

    y, classes = normalise_labels(labels)
    smallest = min(y.count(c) for c in set(y))
    if k < 2 or smallest < k:
        raise ConfigError(f"--cv {k} needs k >= 2 and at least {k} texts per label; the rarest label has {smallest}.")
    need = classes == ("0", "1")
    vectors = None
    fit = train_model
    if params.get("finetune"):
        from needminer.signals import finetune_model

        params = {k: v for k, v in params.items() if k != "finetune"}
        fit = finetune_model
    if params.get("embedder"):
        from needminer.embed import get_embedder

        vectors = get_embedder(params["embedder"]).embed(texts)
    pred = np.empty(len(texts), dtype=object)
    for tr, te in StratifiedKFold(k, shuffle=True, random_state=params["seed"]).split(texts, y):
        extra = {} if fit is not train_model else {"vectors": None if vectors is None else vectors[tr]}
        model, _ = fit([texts[i] for i in tr], [y[i] for i in tr], **params, **extra)
        test = [texts[i] for i in te]
        if vectors is not None:
            p = model.predict_proba_vectors(test, vectors[te])
            out = [("1" if q[1] >= model.threshold else "0") if need else model.classes[int(q.argmax())] for q in p]
        else:
            sigs = Detector(model, name="cv").detect_texts(test)
            out = [("1" if s.need else "0") if need else s.label.value for s in sigs]
        pred[te] = out
    names = list(classes)
    p, r, f, n = precision_recall_fscore_support(y, list(pred), labels=names, zero_division=0)
    table = Table(title=f"{k}-fold cross-validation")
    for col in ("label", "precision", "recall", "F1", "n"):
        table.add_column(col, justify="left" if col == "label" else "right")
    for i, name in enumerate(names):
        table.add_row(name, f"{p[i]:.3f}", f"{r[i]:.3f}", f"{f[i]:.3f}", str(int(n[i])))
    macro = f1_score(y, list(pred), labels=names, average="macro", zero_division=0)
    table.add_row("macro", "", "", f"{macro:.3f}", str(len(y)))
    out_console.print(table)
    out_console.print(f"macro-F1 {macro:.3f}")


def register(app: typer.Typer) -> None:
    app.command("train-detector")(train_detector_cmd)
    app.command("tune")(tune_cmd)
