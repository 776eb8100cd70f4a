"""The trainable signal classifier: char n-gram tf-idf ⊕ rule cues → logistic regression.

Saved without pickle: ``model.safetensors`` holds the used hash columns, their idf and the
coefficients; ``model.json`` holds the metadata (classes, hash parameters, threshold, training
summary). Loading needs numpy, scipy and safetensors only (sklearn's ``HashingVectorizer`` is a
stateless function of its parameters, so it is rebuilt, never unpickled).
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
from needminer.signals._features import CUE_FEATURES, CharNgramFeaturizer, fit_idf
from needminer.signals._rules import RuleResult, score_text
from needminer.types import SignalLabel

FORMAT = "needminer.signals.charngram-lr.v1"
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
    """

    out_dir: Path
    n_samples: int
    classes: tuple[str, ...]
    label_counts: dict[str, int]
    threshold: float = 0.5
    inner_cv_macro_f1: float | None = None
    seconds: float = 0.0


@dataclass
class SignalModel:
    """A fitted classifier (weights dense over the full hash space once loaded).

    Attributes:
        classes: Class names; a need model has ``("0", "1")``.
        featurizer: The n-gram featurizer (hash parameters).
        idf: Idf per hash column, shape (n_features,).
        coef: Shape (n_features + n_cues, n_out) where n_out is 1 for binary models.
        intercept: Shape (n_out,).
        threshold: Decision threshold on P(positive) for binary models.
        meta: Metadata written next to the weights.
    """

    classes: tuple[str, ...]
    featurizer: CharNgramFeaturizer
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    threshold: float = 0.5
    meta: dict = field(default_factory=dict)

    @property
    def is_need_model(self) -> bool:
        return tuple(self.classes) == NEED_CLASSES

    def predict_proba(self, texts: Sequence[str], rules: Sequence[RuleResult] | None = None) -> np.ndarray:
        """Class probabilities, shape (n, len(classes))."""
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        x = self.featurizer.transform(texts, self.idf, rules)
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
        n = self.featurizer.n_features
        used = np.flatnonzero(np.abs(self.coef[:n]).sum(axis=1) > 0).astype(np.int64)
        tensors = {
            "hash_columns": used,
            "idf": self.idf[used].astype(np.float32),
            "coef_ngram": np.ascontiguousarray(self.coef[used].astype(np.float32)),
            "coef_cues": np.ascontiguousarray(self.coef[n:].astype(np.float32)),
            "intercept": self.intercept.astype(np.float32),
        }
        save_file(tensors, str(out / "model.safetensors"))
        meta = {
            **self.meta,
            "format": FORMAT,
            "classes": list(self.classes),
            "n_features": n,
            "ngram_range": list(self.featurizer.ngram_range),
            "cue_weight": self.featurizer.cue_weight,
            "cue_features": list(CUE_FEATURES),
            "default_idf": float(self.idf.max()) if self.idf.size else 1.0,
            "threshold": self.threshold,
        }
        (out / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")


def load_model(path: str | Path) -> SignalModel:
    """Load a model folder written by ``SignalModel.save``.

    Raises:
        ModelError: The folder lacks ``model.json`` / ``model.safetensors`` or they do not match.
    """
    folder = Path(path)
    meta_path, weights_path = folder / "model.json", folder / "model.safetensors"
    if not meta_path.is_file() or not weights_path.is_file():
        raise ModelError(
            f"'{folder}' is not a signals model folder: expected model.json and model.safetensors. "
            "Train one with needminer.signals.train_detector(texts, labels, out_dir=...)."
        )
    try:
        from safetensors.numpy import load_file

        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        t = load_file(str(weights_path))
        if meta.get("format") != FORMAT:
            raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT!r}")
        if list(meta["cue_features"]) != list(CUE_FEATURES):
            raise ValueError("cue feature list differs from this needminer version; retrain the model")
        n = int(meta["n_features"])
        cols = t["hash_columns"]
        idf = np.full(n, meta["default_idf"], dtype=np.float32)
        idf[cols] = t["idf"]
        n_out = t["intercept"].shape[0]
        coef = np.zeros((n + len(CUE_FEATURES), n_out), dtype=np.float32)
        coef[cols] = t["coef_ngram"]
        coef[n:] = t["coef_cues"]
    except Exception as exc:
        raise ModelError(f"Failed while loading the signals model in '{folder}'.\n{exc}") from exc
    feat = CharNgramFeaturizer(
        n_features=n, ngram_range=tuple(meta["ngram_range"]), cue_weight=float(meta["cue_weight"])
    )
    return SignalModel(tuple(meta["classes"]), feat, idf, coef, t["intercept"], float(meta["threshold"]), meta)


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

    def fit(self, x, y: np.ndarray) -> _CompactLR:
        from sklearn.linear_model import LogisticRegression

        self.cols_ = np.unique(x.indices)
        self.clf_ = LogisticRegression(
            C=self.c, solver="newton-cg", class_weight="balanced", max_iter=500, random_state=self.seed
        )
        self.clf_.fit(x[:, self.cols_], y)
        self.coef_ = np.zeros((self.clf_.coef_.shape[0], x.shape[1]), dtype=np.float32)
        self.coef_[:, self.cols_] = self.clf_.coef_
        self.intercept_ = self.clf_.intercept_
        return self

    def predict_proba(self, x) -> np.ndarray:
        return self.clf_.predict_proba(x[:, self.cols_])


def _fit_lr(x, y: np.ndarray, c: float, seed: int) -> _CompactLR:
    return _CompactLR(c, seed).fit(x, y)


def _best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    from sklearn.metrics import f1_score

    best = (0.5, -1.0)
    for th in np.linspace(0.2, 0.8, 25):
        f = f1_score(y, (p >= th).astype(int), average="macro", zero_division=0)
        if f > best[1] + 1e-9:
            best = (float(th), float(f))
    return best


def train_model(
    texts: Sequence[str], labels: Sequence[object], *, c: float = 4.0, seed: int = 0,
    n_features: int = 2**18, cue_weight: float = 1.0, tune_threshold: bool = True,
) -> tuple[SignalModel, dict]:
    """Fit the classifier in memory; returns the model and a summary dict."""
    if len(texts) != len(labels):
        raise ConfigError(f"train_detector got {len(texts)} texts but {len(labels)} labels; pass one label per text.")
    y_str, classes = normalise_labels(labels)
    if len(set(y_str)) < 2:
        raise ConfigError("train_detector needs at least two distinct labels. Add examples of the other class.")
    texts = [str(t) for t in texts]
    y = np.asarray([classes.index(v) for v in y_str])
    feat = CharNgramFeaturizer(n_features=n_features, cue_weight=cue_weight)
    rules = [score_text(t) for t in texts]
    threshold, inner = 0.5, None
    if tune_threshold and classes == NEED_CLASSES and min(np.bincount(y)) >= 3:
        from sklearn.model_selection import StratifiedKFold

        oof = np.zeros(len(y))
        for tr, te in StratifiedKFold(3, shuffle=True, random_state=seed).split(texts, y):
            idf_k = fit_idf(feat.counts([texts[i] for i in tr]))
            clf = _fit_lr(feat.transform([texts[i] for i in tr], idf_k, [rules[i] for i in tr]), y[tr], c, seed)
            oof[te] = clf.predict_proba(feat.transform([texts[i] for i in te], idf_k, [rules[i] for i in te]))[:, 1]
        threshold, inner = _best_threshold(y, oof)
    idf = fit_idf(feat.counts(texts))
    clf = _fit_lr(feat.transform(texts, idf, rules), y, c, seed)
    coef = np.ascontiguousarray(clf.coef_.T.astype(np.float32))
    model = SignalModel(classes, feat, idf, coef, clf.intercept_.astype(np.float32), threshold)
    summary = {"label_counts": dict(Counter(y_str)), "threshold": threshold, "inner_cv_macro_f1": inner, "C": c}
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
    )


def train_and_save(texts: Sequence[str], labels: Sequence[object], out_dir: str | Path, **kwargs) -> TrainReport:
    t0 = time.perf_counter()
    model, summary = train_model(texts, labels, **kwargs)
    model.save(out_dir)
    return report_of(Path(out_dir), model, summary, time.perf_counter() - t0)


__all__ = ["SignalModel", "TrainReport", "load_model", "train_and_save", "train_model"]
