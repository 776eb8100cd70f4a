"""Need-signal detection vs gold labels (EVAL.md): per-class P/R/F1 and macro-F1.

Usage::

    .venv/bin/python bench/eval_detect.py                 # all three sets, zero-shot + 5-fold CV
    .venv/bin/python bench/eval_detect.py --sets stc3 --no-cv

Sets (from ../shared/data/eval, never copied into the repo):
    stc3  STC-3 customer turns: customer nugget (CNUG0/CNUG/CNUG*) = 1 vs CNaN = 0.
    cped  CPED utterances: DA in {question, command} = 1 vs the rest.
    car   CCF car posts (rows.csv grouped by post): any sentiment −1 = 1 vs the rest.

(a) zero-shot: the shipped ``default`` detector (rules + model trained on our own
    train_zh.csv). Positive = ``need`` (stc3; a turn is need-bearing when any of its fragments
    is), label in {question, wish} (cped), label == pain (car).
(b) 5-fold CV of the ``train_detector`` recipe with 0/1 labels (grouped by dialogue for
    stc3 and cped, stratified for car): what a researcher retraining on these labels gets.
(c) ``--lodo``: leave one dataset out. For each set, the shipped recipe (bench/train_default_detector.py)
    is retrained without it — the label model is trained on our own lines only, the need model on
    our lines plus CPED unless CPED is the set left out — and scored zero-shot as in (a). Also
    scored: need recall on the two sets whose every text is a need (phone complaint clauses,
    medical queries) and macro-F1 on the hand-labelled real chats (bench/real_chat).
Skips with a message when ../shared is absent.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "data" / "eval"
FLOORS = {"stc3": (0.71, 0.80), "cped": (0.82, 0.85), "car": (0.63, 0.75)}


def load_stc3() -> tuple[list[str], np.ndarray, np.ndarray]:
    texts, y, groups = [], [], []
    with (EVAL / "stc3_helpdesk" / "turns_train.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["sender"] == "customer":
                texts.append(r["text"] or "")
                y.append(int(r["is_customer_nugget"]))
                groups.append(r["dialogue_id"])
    return texts, np.asarray(y), np.asarray(groups)


def load_cped() -> tuple[list[str], np.ndarray, np.ndarray]:
    texts, y, groups = [], [], []
    with (EVAL / "cped_dialogue_acts" / "utterances.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            texts.append(r["Utterance"] or "")
            y.append(int(r["DA"] in {"question", "command"}))
            groups.append(r["Dialogue_ID"])
    return texts, np.asarray(y), np.asarray(groups)


def load_car() -> tuple[list[str], np.ndarray, np.ndarray]:
    neg: dict[str, int] = defaultdict(int)
    text: dict[str, str] = {}
    with (EVAL / "car_aspects" / "rows.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            text[r["content_id"]] = r["content"].strip()
            neg[r["content_id"]] |= int(r["sentiment_value"] == "-1")
    ids = list(text)
    return [text[i] for i in ids], np.asarray([neg[i] for i in ids]), np.asarray(ids)


LOADERS = {"stc3": load_stc3, "cped": load_cped, "car": load_car}
ALL_NEED = {"phone": "phone_complaints", "medical": "medical_queries"}  # every text is a need


def zero_shot_predict(name: str, texts: list[str], detector: object = "default") -> np.ndarray:
    from needminer.conversation import split_fragments
    from needminer.signals import get_detector
    from needminer.types import SignalLabel

    det = get_detector(detector) if isinstance(detector, str) else detector
    if name == "stc3":
        spans = [split_fragments(t) or [(0, 0)] for t in texts]
        flat = [t[a:b] for t, sp in zip(texts, spans) for a, b in sp]
        return np.asarray(_any_per_text([s.need for s in det.detect_texts(flat)], spans), dtype=int)
    sigs = det.detect_texts(texts)
    if name == "cped":
        return np.asarray([int(s.label in {SignalLabel.question, SignalLabel.wish}) for s in sigs])
    return np.asarray([int(s.label is SignalLabel.pain) for s in sigs])


def _any_per_text(flags: list[bool], spans: list[list]) -> list[bool]:
    """Whether any fragment of each text is flagged (``flags`` in fragment order, ``spans`` per
    text). Every text's flags are consumed: a short-circuiting ``any(next(it) …)`` stopped at a
    text's first need and shifted every later text onto its neighbour's fragments."""
    out, i = [], 0
    for sp in spans:
        out.append(any(flags[i:i + len(sp)]))
        i += len(sp)
    assert i == len(flags), "one flag per fragment"
    return out


def embed_texts(name: str, texts: list[str], embedder: str, cache: Path | None) -> np.ndarray:
    """Sentence vectors for a whole set (cached as .npy under ``cache`` when given)."""
    from needminer.embed import get_embedder

    path = cache / f"emb_{name}.npy" if cache else None
    if path is not None and path.is_file():
        v = np.load(path)
        if v.shape[0] == len(texts):
            return v
    v = get_embedder(embedder).embed(texts)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, v)
    return v


def cv_predict(texts: list[str], y: np.ndarray, groups: np.ndarray, grouped: bool, seed: int = 0,
               vectors: np.ndarray | None = None, embedder: str | None = None, finetune: bool = False,
               **params) -> np.ndarray:
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    from needminer.signals._detector import Detector
    from needminer.signals._model import train_model

    splitter = StratifiedGroupKFold(5, shuffle=True, random_state=seed) if grouped else StratifiedKFold(
        5, shuffle=True, random_state=seed)
    pred = np.zeros(len(y), dtype=int)
    for k, (tr, te) in enumerate(splitter.split(texts, y, groups if grouped else None)):
        t0 = time.perf_counter()
        if finetune:
            from needminer.signals._finetune import finetune_model

            model, _ = finetune_model([texts[i] for i in tr], y[tr].tolist(), seed=seed)
        else:
            model, _ = train_model([texts[i] for i in tr], y[tr].tolist(), seed=seed, embedder=embedder,
                                   vectors=None if vectors is None else vectors[tr], **params)
        test = [texts[i] for i in te]
        if vectors is not None:  # score with the precomputed vectors (same numbers, no re-embedding)
            from needminer.signals._rules import score_text

            p = model.predict_proba_vectors(test, vectors[te], [score_text(t) for t in test])
            pred[te] = (p[:, 1] >= model.threshold).astype(int)
        else:
            pred[te] = [int(s.need) for s in Detector(model, name="cv").detect_texts(test)]
        if finetune:
            from sklearn.metrics import f1_score

            print(f"    fold {k + 1}: macro-F1 {f1_score(y[te], pred[te], average='macro'):.3f} "
                  f"[{time.perf_counter() - t0:.0f}s]", flush=True)
    return pred


def lodo_detector(held_out: str):
    """The shipped recipe retrained without ``held_out`` (label model: our lines; need model: our
    lines + CPED unless CPED is held out)."""
    from bench.train_default_detector import CPED_WEIGHT, NEED_PARAMS, PARAMS, need_training, read_cped, read_train
    from needminer.signals._detector import Detector
    from needminer.signals._model import train_model

    texts, labels = read_train()
    label_model, _ = train_model(texts, labels, **PARAMS)
    others = {} if held_out == "cped" else {"cped": read_cped()}
    nt, ny, nw = need_training((texts, labels), others, CPED_WEIGHT)
    need_model, _ = train_model(nt, ny, sample_weight=nw, **NEED_PARAMS)
    return Detector(label_model, name=f"lodo-{held_out}", need_model=need_model)


def all_need_recall(folder: str, detector) -> tuple[int, float]:
    """Share of texts with a need-bearing fragment, on a set whose every text is a need."""
    from needminer.conversation import split_fragments

    with (EVAL / folder / "texts.csv").open(encoding="utf-8", newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f)]
    spans = [split_fragments(t) or [(0, len(t))] for t in texts]
    hits = _any_per_text([s.need for s in detector.detect_texts([t[a:b] for t, sp in zip(texts, spans) for a, b in sp])], spans)
    return len(texts), float(np.mean(hits))


def lodo(sets: list[str]) -> None:
    """(c): the leave-one-dataset-out table."""
    from bench import real_chat

    print("(c) leave one dataset out (shipped recipe retrained without the set; zero-shot on it)")
    for name in sets:
        texts, y, _ = LOADERS[name]()
        t0 = time.perf_counter()
        pred = zero_shot_predict(name, texts, lodo_detector(name))
        report(f"{name} [{time.perf_counter() - t0:.0f}s]", y, pred)
    shipped = lodo_detector("none")
    for short, folder in ALL_NEED.items():
        if (EVAL / folder / "texts.csv").is_file():
            n, rec = all_need_recall(folder, shipped)
            print(f"  {short}: need recall {rec:.3f} (n={n}, every text a need)")
    for name in real_chat.available():
        verdict, labels, _ = real_chat.message_needs(name, shipped)
        ids = sorted(labels)
        report(f"real chat {name}", np.asarray([labels[i].need for i in ids]), np.asarray([verdict[i] for i in ids]))


def report(title: str, y: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    p, r, f, n = precision_recall_fscore_support(y, pred, labels=[0, 1], zero_division=0)
    macro = float(f1_score(y, pred, average="macro"))
    print(f"  {title}: macro-F1 {macro:.3f} | neg P {p[0]:.3f} R {r[0]:.3f} F1 {f[0]:.3f} (n={n[0]})"
          f" | pos P {p[1]:.3f} R {r[1]:.3f} F1 {f[1]:.3f} (n={n[1]})")
    return macro


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=list(LOADERS), choices=list(LOADERS))
    ap.add_argument("--no-cv", action="store_true", help="skip the 5-fold CV of the training recipe")
    ap.add_argument("--no-zero-shot", action="store_true")
    ap.add_argument("--lodo", action="store_true", help="(c): leave-one-dataset-out table (retrains per set)")
    ap.add_argument("--detector", default="default", help="detector for (a): default, rules or a model folder")
    ap.add_argument("--words", action="store_true", help="(b): add jieba word 1–2-grams")
    ap.add_argument("--cue-backend", default="regex", choices=["regex", "spacy"], help="(b): cue matcher")
    ap.add_argument("--embedder", default=None, help="(b): add sentence vectors, e.g. lite")
    ap.add_argument("--embed-cache", type=Path, default=None, help="folder to cache set embeddings (.npy)")
    ap.add_argument("--finetune", action="store_true",
                    help="(b): fine-tune e5-small with a linear head instead (slow: minutes per fold on 2 cores)")
    args = ap.parse_args()
    if not EVAL.is_dir():
        print(f"skipped: {EVAL} not found (evaluation data lives beside the checkout in ../shared)")
        return 0
    for name in args.sets:
        texts, y, groups = LOADERS[name]()
        floor, target = FLOORS[name]
        print(f"{name}: n={len(y)} positives={y.mean():.3f} (floor {floor}, target {target})")
        if not args.no_zero_shot:
            t0 = time.perf_counter()
            pred = zero_shot_predict(name, texts, args.detector)
            report(f"(a) {args.detector} detector zero-shot [{time.perf_counter() - t0:.1f}s]", y, pred)
        if not args.no_cv:
            t0 = time.perf_counter()
            vectors = embed_texts(name, texts, args.embedder, args.embed_cache) if args.embedder else None
            params = {"word_ngram_range": (1, 2) if args.words else None, "cue_backend": args.cue_backend}
            pred = cv_predict(texts, y, groups, grouped=name in {"stc3", "cped"}, vectors=vectors,
                              embedder=args.embedder, finetune=args.finetune, **params)
            tag = "finetuned e5-small" if args.finetune else "+".join(
                ["char1-4", *(["word1-2"] if args.words else []), f"cues:{args.cue_backend}",
                 *([args.embedder] if args.embedder else [])])
            report(f"(b) train_detector [{tag}] 5-fold CV [{time.perf_counter() - t0:.1f}s]", y, pred)
        sys.stdout.flush()
    if args.lodo:
        lodo(args.sets)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
