"""Features for the trainable classifier: hashed char 1–3-grams (tf-idf) ⊕ rule-cue features."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from needminer.signals._rules import RuleResult, content_of, score_text

CUE_FEATURES: tuple[str, ...] = (
    "pain", "wish", "question", "praise", "noise_rule", "intensity", "explicit", "topical",
    "qmark", "exclaim", "len_short", "len_mid", "len_long", "empty",
)


def cue_vector(text: str, rule: RuleResult) -> list[float]:
    """Dense rule features of one text (order: ``CUE_FEATURES``)."""
    s = rule.scores
    n = len(content_of(text))
    return [
        min(s.get("pain", 0.0), 3.0) / 3.0,
        min(s.get("wish", 0.0), 3.0) / 3.0,
        min(s.get("question", 0.0), 3.0) / 3.0,
        min(s.get("praise", 0.0), 3.0) / 3.0,
        1.0 if rule.noise_rule else 0.0,
        rule.intensity,
        1.0 if rule.explicit else 0.0,
        1.0 if rule.topical else 0.0,
        1.0 if ("?" in text or "？" in text) else 0.0,
        1.0 if ("!" in text or "！" in text) else 0.0,
        1.0 if n < 6 else 0.0,
        1.0 if 6 <= n < 30 else 0.0,
        1.0 if n >= 30 else 0.0,
        1.0 if n == 0 else 0.0,
    ]


class CharNgramFeaturizer:
    """Stateless hashed char n-gram counts; ``idf`` and scaling are learned by the model.

    Args:
        n_features: Hash space size (a power of two).
        ngram_range: Char n-gram lengths.
        cue_weight: Scale of the rule-cue block relative to the l2-normalised n-gram block.
    """

    def __init__(self, *, n_features: int = 2**18, ngram_range: tuple[int, int] = (1, 3), cue_weight: float = 1.0) -> None:
        self.n_features = n_features
        self.ngram_range = ngram_range
        self.cue_weight = cue_weight

    def _hasher(self):
        from sklearn.feature_extraction.text import HashingVectorizer

        return HashingVectorizer(
            analyzer="char",
            ngram_range=tuple(self.ngram_range),
            n_features=self.n_features,
            alternate_sign=False,
            norm=None,
            lowercase=True,
            dtype=np.float32,
        )

    def counts(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Raw hashed n-gram counts, shape (n, n_features)."""
        return self._hasher().transform(list(texts)).tocsr()

    def transform(
        self, texts: Sequence[str], idf: np.ndarray, rules: Sequence[RuleResult] | None = None
    ) -> sparse.csr_matrix:
        """Sublinear tf × idf, l2-normalised, then the cue block; shape (n, n_features + cues)."""
        x = self.counts(texts)
        x.data = np.log1p(x.data).astype(np.float32)
        x = x.multiply(idf.reshape(1, -1)).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        x = sparse.diags(1.0 / norms).dot(x).tocsr()
        if rules is None:
            rules = [score_text(t) for t in texts]
        cues = np.asarray([cue_vector(t, r) for t, r in zip(texts, rules)], dtype=np.float32)
        cues *= self.cue_weight
        return sparse.hstack([x, sparse.csr_matrix(cues)], format="csr", dtype=np.float32)


def fit_idf(counts: sparse.csr_matrix) -> np.ndarray:
    """Smoothed idf over hashed columns (unseen columns get the maximum idf)."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
