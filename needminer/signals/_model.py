"""The trainable signal classifier: char (+ word) n-gram tf-idf ⊕ cue features [⊕ sentence
embedding] → logistic regression (class_weight balanced, C and the need threshold chosen by
inner CV on the training data).

Saved without pickle: ``model.safetensors`` holds the used hash columns, their idf and the
coefficients; ``model.json`` holds the metadata (classes, hash parameters, cue feature names,
cue backend, embedder name, threshold, training summary). Loading needs numpy, scipy and
safetensors only (sklearn's ``HashingVectorizer`` is a stateless function of its parameters, so
it is rebuilt, never unpickled). Folders written by round 1 (format v1) still load.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from needminer.errors import ConfigError, ModelError
from needminer.signals._features import CUE_FEATURES, CUE_FEATURES_V1, LEX_FEATURES, NgramFeaturizer, fit_idf
from needminer.signals._rules import RuleResult, score_text
from needminer.types import SignalLabel

FORMAT_V1 = "needminer.signals.charngram-lr.v1"
FORMAT = "needminer.signals.ngram-lr.v2"
C_GRID = (0.5, 2.0, 8.0)
NEED_CLASSES = ("0", "1")


@dataclass
class TrainReport:
    """What ``train_detector`` did.

    Attributes:
        out_dir: Folder the model was written to.
        n_samples: Training texts.
        classes: Class names (SignalLabel values, or "0"/"1" for a need model).
        label_counts: Texts per class.
        threshold: Decision threshold on P(need) for a need model (chosen by inner CV), else 0.5.
        inner_cv_macro_f1: Macro-F1 of the inner 3-fold CV on the training data (None if skipped).
        seconds: Wall time.
        c: Inverse regularisation used (chosen by inner CV when several were tried).
        embedder: Sentence embedder whose vectors were a feature block, or None.
    """

    out_dir: Path
    n_samples: int
    classes: tuple[str, ...]
    label_counts: dict[str, int]
    threshold: float = 0.5
    inner_cv_macro_f1: float | None = None
    seconds: float = 0.0
    c: float = 4.0
    embedder: str | None = None


@dataclass
class SignalModel:
    """A fitted classifier (weights dense over the full hash space once loaded).

    Attributes:
        classes: Class names; a need model has ``("0", "1")``.
        featurizer: The n-gram + cue featurizer (hash parameters, cue names, cue backend).
        idf: Idf per hash column, shape (n_features,).
        coef: Shape (n_features + n_cues [+ embedding dim], n_out); n_out is 1 for binary models.
        intercept: Shape (n_out,).
        threshold: Decision threshold on P(positive) for binary models.
        meta: Metadata written next to the weights.
    """

    classes: tuple[str, ...]
    featurizer: NgramFeaturizer
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    threshold: float = 0.5
    meta: dict = field(default_factory=dict)
    embedder: str | None = None
    embed_weight: float = 1.0
    _embedder_obj: object = field(default=None, repr=False)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._embedder_obj is None:
            from needminer.embed import get_embedder

            self._embedder_obj = get_embedder(self.embedder)
        return self._embedder_obj.embed(list(texts))

    def features(self, texts: Sequence[str], rules: Sequence[RuleResult] | None = None,
                 vectors: np.ndarray | None = None, memo: dict | None = None):
        """The feature matrix of ``texts`` (embeddings computed unless ``vectors`` is given; ``memo``:
        see ``NgramFeaturizer.transform``)."""
        x = self.featurizer.transform(texts, self.idf, rules, memo=memo)
        if self.embedder is None:
            return x
        from scipy import sparse

        v = self._embed(texts) if vectors is None else vectors
        return sparse.hstack([x, sparse.csr_matrix(v * self.embed_weight)], format="csr", dtype=np.float32)

    @property
    def is_need_model(self) -> bool:
        return tuple(self.classes) == NEED_CLASSES

    def predict_proba(self, texts: Sequence[str], rules: Sequence[RuleResult] | None = None,
                      memo: dict | None = None) -> np.ndarray:
        """Class probabilities, shape (n, len(classes)); ``memo`` shares n-gram features with another
        model over the same texts (``NgramFeaturizer.transform``)."""
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        return self._probabilities(self.features(texts, rules, memo=memo))

    def predict_proba_vectors(self, texts: Sequence[str], vectors: np.ndarray,
                              rules: Sequence[RuleResult] | None = None) -> np.ndarray:
        """``predict_proba`` with precomputed sentence vectors (an embedding model only)."""
        return self._probabilities(self.features(texts, rules, vectors))

    def _probabilities(self, x) -> np.ndarray:
        """Logistic (one column) or softmax (several) over the linear scores of features ``x``."""
        z = np.asarray(x @ self.coef) + self.intercept
        if z.shape[1] == 1:
            p1 = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1.0 - p1, p1], axis=1)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def save(self, out_dir: str | Path) -> None:
        """Write ``model.safetensors`` + ``model.json`` into ``out_dir``."""
        from safetensors.numpy import save_file

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        f = self.featurizer
        n = f.n_features
        k = len(f.cue_features)
        used = np.flatnonzero(np.abs(self.coef[:n]).sum(axis=1) > 0).astype(np.int64)
        tensors = {
            "hash_columns": used,
            "idf": self.idf[used].astype(np.float32),
            "coef_ngram": np.ascontiguousarray(self.coef[used].astype(np.float32)),
            "coef_cues": np.ascontiguousarray(self.coef[n : n + k].astype(np.float32)),
            "intercept": self.intercept.astype(np.float32),
        }
        if self.embedder is not None:
            tensors["coef_embed"] = np.ascontiguousarray(self.coef[n + k :].astype(np.float32))
        save_file(tensors, str(out / "model.safetensors"))
        meta = {
            **self.meta,
            "format": FORMAT,
            "classes": list(self.classes),
            "n_features": n,
            "ngram_range": list(f.ngram_range),
            "word_ngram_range": list(f.word_ngram_range) if f.word_ngram_range else None,
            "cue_weight": f.cue_weight,
            "cue_backend": f.cue_backend,
            "cue_features": list(f.cue_features),
            "embedder": self.embedder,
            "embed_weight": self.embed_weight,
            "default_idf": float(self.idf.max()) if self.idf.size else 1.0,
            "threshold": self.threshold,
        }
        (out / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")


def load_model(path: str | Path) -> SignalModel:
    """Load a model folder written by ``SignalModel.save`` (or a fine-tuned one, see ``_finetune``).

    Raises:
        ModelError: The folder lacks ``model.json`` / ``model.safetensors`` or they do not match.
    """
    folder = Path(path)
    meta_path, weights_path = folder / "model.json", folder / "model.safetensors"
    if meta_path.is_file() and not weights_path.is_file():
        from needminer.signals._finetune import FORMAT as FINETUNED, load_finetuned

        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ModelError(f"'{meta_path}' is not valid JSON ({exc}). Train the detector again.") from None
        if isinstance(meta, dict) and meta.get("format") == FINETUNED:
            return load_finetuned(folder, meta)
    if not meta_path.is_file() or not weights_path.is_file():
        raise ModelError(
            f"'{folder}' is not a signals model folder: expected model.json and model.safetensors. "
            "Train one with needminer.signals.train_detector(texts, labels, out_dir=...)."
        )
    try:
        from safetensors.numpy import load_file

        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        t = load_file(str(weights_path))
        fmt = meta.get("format")
        if fmt not in {FORMAT, FORMAT_V1}:
            raise ValueError(f"format {fmt!r}, expected {FORMAT!r}")
        names = list(meta["cue_features"])
        if fmt == FORMAT_V1 and names != list(CUE_FEATURES_V1):
            raise ValueError("cue feature list differs from this needminer version; retrain the model")
        unknown = sorted(set(names) - set(CUE_FEATURES) - set(LEX_FEATURES))
        if unknown:
            raise ValueError(f"unknown cue features {unknown[:5]}; this model needs a newer needminer")
        n = int(meta["n_features"])
        k = len(names)
        cols = t["hash_columns"]
        idf = np.full(n, meta["default_idf"], dtype=np.float32)
        idf[cols] = t["idf"]
        n_out = t["intercept"].shape[0]
        emb = t.get("coef_embed")
        coef = np.zeros((n + k + (0 if emb is None else emb.shape[0]), n_out), dtype=np.float32)
        coef[cols] = t["coef_ngram"]
        coef[n : n + k] = t["coef_cues"]
        if emb is not None:
            coef[n + k :] = emb
        feat = NgramFeaturizer(
            n_features=n, ngram_range=tuple(meta["ngram_range"]), cue_weight=float(meta["cue_weight"]),
            word_ngram_range=tuple(meta["word_ngram_range"]) if meta.get("word_ngram_range") else None,
            cue_features=names, cue_backend=meta.get("cue_backend", "regex"),
        )
    except Exception as exc:
        raise ModelError(f"Failed while loading the signals model in '{folder}'.\n{exc}") from exc
    return SignalModel(tuple(meta["classes"]), feat, idf, coef, t["intercept"], float(meta["threshold"]), meta,
                       embedder=meta.get("embedder"), embed_weight=float(meta.get("embed_weight", 1.0)))


def normalise_labels(labels: Sequence[object]) -> tuple[list[str], tuple[str, ...]]:
    """Map labels to class strings: SignalLabel names, or "0"/"1" for need labels.

    Raises:
        ConfigError: Labels mix kinds or name no SignalLabel.
    """
    as_str = ["1" if v is True else "0" if v is False else str(getattr(v, "value", v)).strip() for v in labels]
    if set(as_str) <= {"0", "1"}:
        return as_str, NEED_CLASSES
    valid = {lab.value for lab in SignalLabel}
    bad = sorted(set(as_str) - valid)
    if bad:
        raise ConfigError(
            f"train_detector labels must be SignalLabel names ({', '.join(sorted(valid))}) or need 0/1. "
            f"Got {bad[:5]!r} instead."
        )
    classes = tuple(lab.value for lab in SignalLabel if lab.value in set(as_str))
    return as_str, classes


class _CompactLR:
    """Logistic regression fitted on the columns that occur in training only (fast lbfgs),
    exposing full-width ``coef_`` (n_out, n_columns)."""

    def __init__(self, c: float, seed: int) -> None:
        self.c = c
        self.seed = seed

    def fit(self, x, y: np.ndarray, sample_weight: np.ndarray | None = None) -> _CompactLR:
        from sklearn.linear_model import LogisticRegression

        self.cols_ = np.unique(x.indices)
        self.clf_ = LogisticRegression(
            C=self.c, solver="newton-cg", class_weight="balanced", max_iter=500, random_state=self.seed
        )
        self.clf_.fit(x[:, self.cols_], y, sample_weight=sample_weight)
        self.coef_ = np.zeros((self.clf_.coef_.shape[0], x.shape[1]), dtype=np.float32)
        self.coef_[:, self.cols_] = self.clf_.coef_
        self.intercept_ = self.clf_.intercept_
        return self

    def predict_proba(self, x) -> np.ndarray:
        return self.clf_.predict_proba(x[:, self.cols_])


def _fit_lr(x, y: np.ndarray, c: float, seed: int, sample_weight: np.ndarray | None = None) -> _CompactLR:
    return _CompactLR(c, seed).fit(x, y, sample_weight)


def _best_threshold(y: np.ndarray, p: np.ndarray, sample_weight: np.ndarray | None = None) -> tuple[float, float]:
    from sklearn.metrics import f1_score

    best = (0.5, -1.0)
    for th in np.linspace(0.2, 0.8, 25):
        f = f1_score(y, (p >= th).astype(int), average="macro", zero_division=0, sample_weight=sample_weight)
        if f > best[1] + 1e-9:
            best = (float(th), float(f))
    return best


def _design(counts, cues: np.ndarray, idf: np.ndarray, vectors: np.ndarray | None, embed_weight: float):
    from scipy import sparse

    from needminer.signals._features import tfidf

    blocks = [tfidf(counts, idf), sparse.csr_matrix(cues)]
    if vectors is not None:
        blocks.append(sparse.csr_matrix(vectors * embed_weight))
    return sparse.hstack(blocks, format="csr", dtype=np.float32)


def _score(y: np.ndarray, p: np.ndarray, need: bool, sample_weight: np.ndarray | None = None) -> tuple[float, float]:
    """(threshold, macro-F1) of out-of-fold probabilities."""
    if need:
        return _best_threshold(y, p[:, 1], sample_weight)
    from sklearn.metrics import f1_score

    return 0.5, float(f1_score(y, p.argmax(axis=1), average="macro", zero_division=0, sample_weight=sample_weight))


def train_model(
    texts: Sequence[str], labels: Sequence[object], *, c: float | Sequence[float] | None = None, seed: int = 0,
    n_features: int = 2**18, ngram_range: tuple[int, int] = (1, 4), word_ngram_range: tuple[int, int] | None = None,
    cue_weight: float = 1.0, cue_backend: str = "regex", embedder: object = None, embed_weight: float = 1.0,
    vectors: np.ndarray | None = None, tune_threshold: bool = True, inner_folds: int = 3,
    sample_weight: Sequence[float] | None = None,
) -> tuple[SignalModel, dict]:
    """Fit the classifier in memory; returns the model and a summary dict.

    ``c``: one value, a grid, or None for ``C_GRID``; with several values the one with the best
    inner-CV macro-F1 is used. ``embedder``: an ``Embedder`` or a name (``"lite"``); its vectors
    become a feature block (``vectors`` may pass them precomputed, aligned with ``texts``).
    ``sample_weight``: one weight per text (e.g. to give each training source the same total
    weight); the inner CV scores its threshold and C with the same weights.
    """
    if len(texts) != len(labels):
        raise ConfigError(f"train_detector got {len(texts)} texts but {len(labels)} labels; pass one label per text.")
    y_str, classes = normalise_labels(labels)
    if len(set(y_str)) < 2:
        raise ConfigError("train_detector needs at least two distinct labels. Add examples of the other class.")
    texts = [str(t) for t in texts]
    y = np.asarray([classes.index(v) for v in y_str])
    sw = None
    if sample_weight is not None:
        sw = np.asarray(sample_weight, dtype=np.float64)
        if sw.shape != (len(texts),) or not np.all(np.isfinite(sw)) or np.any(sw < 0) or sw.sum() <= 0:
            raise ConfigError("train_detector sample_weight needs one finite, non-negative weight per text.")
        sw = sw * (len(sw) / sw.sum())
    names = CUE_FEATURES + (LEX_FEATURES if cue_backend == "spacy" else ())
    feat = NgramFeaturizer(n_features=n_features, ngram_range=ngram_range, cue_weight=cue_weight,
                           word_ngram_range=word_ngram_range, cue_features=names, cue_backend=cue_backend)
    emb_name, emb_obj = None, None
    if embedder is not None:
        if isinstance(embedder, str):
            from needminer.embed import get_embedder

            emb_obj = get_embedder(embedder)
        else:
            emb_obj = embedder
        # A name get_embedder accepts again at load time: the one given, else the registry version.
        emb_name = embedder if isinstance(embedder, str) else str(
            getattr(emb_obj, "VERSION", None) or getattr(emb_obj, "model_id", ""))
        if vectors is None:
            vectors = emb_obj.embed(texts)
        vectors = np.asarray(vectors, dtype=np.float32)
    elif vectors is not None:
        raise ConfigError("train_model got vectors but no embedder; pass embedder= as well.")
    rules = [score_text(t) for t in texts]
    analysed = feat.analyse(texts)
    counts = feat.counts(texts, analysed)
    cues = feat.cue_matrix(texts, rules, analysed[1])
    grid = C_GRID if c is None else (tuple(c) if isinstance(c, (list, tuple)) else (float(c),))
    need = classes == NEED_CLASSES
    threshold, inner, best_c = 0.5, None, grid[0]
    search = len(grid) > 1 or (tune_threshold and need)
    if search and min(np.bincount(y)) >= inner_folds:
        from sklearn.model_selection import StratifiedKFold

        folds = list(StratifiedKFold(inner_folds, shuffle=True, random_state=seed).split(texts, y))
        designs = []
        for tr, te in folds:
            idf_k = fit_idf(counts[tr])
            vt = None if vectors is None else vectors[tr]
            ve = None if vectors is None else vectors[te]
            designs.append((_design(counts[tr], cues[tr], idf_k, vt, embed_weight),
                            _design(counts[te], cues[te], idf_k, ve, embed_weight)))
        best = (-1.0, 0.5, grid[0])
        for cc in grid:
            oof = np.zeros((len(y), len(classes)))
            for (tr, te), (xtr, xte) in zip(folds, designs):
                oof[te] = _fit_lr(xtr, y[tr], cc, seed, None if sw is None else sw[tr]).predict_proba(xte)
            th, f = _score(y, oof, need and tune_threshold, sw)
            if f > best[0] + 1e-9:
                best = (f, th, cc)
        inner, threshold, best_c = best
    idf = fit_idf(counts)
    clf = _fit_lr(_design(counts, cues, idf, vectors, embed_weight), y, best_c, seed, sw)
    coef = np.ascontiguousarray(clf.coef_.T.astype(np.float32))
    model = SignalModel(classes, feat, idf, coef, clf.intercept_.astype(np.float32), threshold,
                        embedder=emb_name, embed_weight=embed_weight, _embedder_obj=emb_obj)
    summary = {"label_counts": dict(Counter(y_str)), "threshold": threshold, "inner_cv_macro_f1": inner,
               "C": best_c, "C_grid": list(grid), "embedder": emb_name}
    model.meta = {"trained": {**summary, "n_samples": len(texts)}}
    return model, summary


def report_of(out_dir: Path, model: SignalModel, summary: dict, seconds: float) -> TrainReport:
    return TrainReport(
        out_dir=out_dir,
        n_samples=sum(summary["label_counts"].values()),
        classes=tuple(model.classes),
        label_counts=dict(sorted(summary["label_counts"].items())),
        threshold=summary["threshold"],
        inner_cv_macro_f1=summary["inner_cv_macro_f1"],
        seconds=round(seconds, 3),
        c=summary["C"],
        embedder=summary["embedder"],
    )


def train_and_save(texts: Sequence[str], labels: Sequence[object], out_dir: str | Path, *, finetune: bool = False,
                   **kwargs) -> TrainReport:
    t0 = time.perf_counter()
    if finetune:
        from needminer.signals._finetune import finetune_model

        model, summary = finetune_model(texts, labels, **kwargs)
    else:
        model, summary = train_model(texts, labels, **kwargs)
    model.save(out_dir)
    return report_of(Path(out_dir), model, summary, time.perf_counter() - t0)


__all__ = ["SignalModel", "TrainReport", "load_model", "train_and_save", "train_model"]
