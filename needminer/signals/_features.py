"""Features for the trainable classifier.

Blocks (concatenated, each optional except the first):

* hashed char n-grams (default 1–3; the shipped model uses 1–4), sublinear tf × idf, l2;
* hashed jieba word n-grams (``word_ngram_range``, e.g. (1, 2)), in the same hash space under a
  ``"\\x01"`` prefix so that words never collide with char grams of the same spelling;
* dense cue features (``cue_vector``): rule-family scores plus negation / degree-adverb /
  contrast / hedge cues. ``cue_backend="regex"`` matches them on characters (fast, default);
  ``"spacy"`` matches token patterns with spaCy's Matcher over jieba tokens (``_spacy_cues``).

Every cue feature is computed by name, so a saved model keeps working when new features are
added: it stores its own ``cue_features`` list and gets exactly those columns back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from needminer.signals import _cues as C
from needminer.signals._rules import RuleResult, content_of, score_text

# The v1 list (models saved by needminer <= round 1); kept so those folders still load.
CUE_FEATURES_V1: tuple[str, ...] = (
    "pain", "wish", "question", "praise", "noise_rule", "intensity", "explicit", "topical",
    "qmark", "exclaim", "len_short", "len_mid", "len_long", "empty",
)
# Token-level cue features (negation, degree adverbs, contrast …), see ``_cues.TOKEN_CUES``.
TOKEN_CUE_FEATURES: tuple[str, ...] = tuple(f"tok_{name}" for name, *_ in C.TOKEN_CUES)
CUE_FEATURES: tuple[str, ...] = CUE_FEATURES_V1 + (
    "negation", "q_final", "wh_word", "second_person", "first_person", "imperative_start", "digits",
) + TOKEN_CUE_FEATURES

_WORD_PREFIX = "\x01"
_NEGATION = re.compile(r"不|没|别|未|无法|并非")
_Q_FINAL = re.compile(r"(?:吗|嘛|么|呢|吧|啊|呀|没有?|不)[？?~～。!！\s]*$")
_WH = re.compile(r"谁|什么|啥|哪|怎么|怎样|咋|为什么|为啥|几[个点天次岁号月年]|多少|多久|多大|如何|是不是|有没有|能不能|要不要|会不会")
_SECOND = re.compile(r"你|您")
_FIRST = re.compile(r"我")
_IMPERATIVE = re.compile(r"^(?:你|您)?(?:给我|帮我|替我|麻烦|请|快|赶紧|赶快|别|不要|不许|把|让|先|去|来|过来|站住|出去|闭嘴)")
_DIGITS = re.compile(r"\d{3,}")
_WS = re.compile(r"\s\s+")
# Extra columns of the spaCy backend: whole-token hits of the rule-family lexicons.
LEX_FEATURES: tuple[str, ...] = ("lex_pain", "lex_wish", "lex_question", "lex_praise")


def _regex_token_cues(text: str) -> dict[str, float]:
    return {f"tok_{name}": 1.0 if rx.search(text) else 0.0 for name, rx in C.compiled_token_cues()}


def cue_dict(text: str, rule: RuleResult, token_cues: dict[str, float] | None = None) -> dict[str, float]:
    """All dense cue features of one text by name (``CUE_FEATURES`` ⊇ what any model uses)."""
    s = rule.scores
    n = len(content_of(text))
    d = {
        "pain": min(s.get("pain", 0.0), 3.0) / 3.0,
        "wish": min(s.get("wish", 0.0), 3.0) / 3.0,
        "question": min(s.get("question", 0.0), 3.0) / 3.0,
        "praise": min(s.get("praise", 0.0), 3.0) / 3.0,
        "noise_rule": 1.0 if rule.noise_rule else 0.0,
        "intensity": rule.intensity,
        "explicit": 1.0 if rule.explicit else 0.0,
        "topical": 1.0 if rule.topical else 0.0,
        "qmark": 1.0 if ("?" in text or "？" in text) else 0.0,
        "exclaim": 1.0 if ("!" in text or "！" in text) else 0.0,
        "len_short": 1.0 if n < 6 else 0.0,
        "len_mid": 1.0 if 6 <= n < 30 else 0.0,
        "len_long": 1.0 if n >= 30 else 0.0,
        "empty": 1.0 if n == 0 else 0.0,
        "negation": 1.0 if _NEGATION.search(text) else 0.0,
        "q_final": 1.0 if _Q_FINAL.search(text) else 0.0,
        "wh_word": 1.0 if _WH.search(text) else 0.0,
        "second_person": 1.0 if _SECOND.search(text) else 0.0,
        "first_person": 1.0 if _FIRST.search(text) else 0.0,
        "imperative_start": 1.0 if _IMPERATIVE.search(text) else 0.0,
        "digits": 1.0 if _DIGITS.search(text) else 0.0,
    }
    d.update(token_cues if token_cues is not None else _regex_token_cues(text))
    return d


def cue_vector(text: str, rule: RuleResult, names: Sequence[str] = CUE_FEATURES_V1) -> list[float]:
    """Dense rule features of one text in the order ``names``."""
    d = cue_dict(text, rule)
    return [d[k] for k in names]


_JIEBA = None


def jieba_words(texts: Sequence[str]) -> list[list[str]]:
    """jieba tokens per text (precise mode without HMM: faster, and n-grams need no OOV guessing)."""
    global _JIEBA
    if _JIEBA is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _JIEBA = jieba
    return [[w for w in _JIEBA.lcut(t.lower(), HMM=False) if w.strip()] for t in texts]


class NgramFeaturizer:
    """Stateless hashed n-gram counts + cue block; ``idf`` and scaling are learned by the model.

    Args:
        n_features: Hash space size (a power of two).
        ngram_range: Char n-gram lengths.
        cue_weight: Scale of the cue block relative to the l2-normalised n-gram block.
        word_ngram_range: jieba word n-gram lengths, or None for chars only.
        cue_features: Names of the dense cue columns (a subset of ``CUE_FEATURES``).
        cue_backend: "regex" (character patterns) or "spacy" (Matcher over jieba tokens; it
            also supplies the word tokens).
    """

    def __init__(
        self, *, n_features: int = 2**18, ngram_range: tuple[int, int] = (1, 3), cue_weight: float = 1.0,
        word_ngram_range: tuple[int, int] | None = None, cue_features: Sequence[str] = CUE_FEATURES,
        cue_backend: str = "regex",
    ) -> None:
        self.n_features = n_features
        self.ngram_range = tuple(ngram_range)
        self.cue_weight = cue_weight
        self.word_ngram_range = tuple(word_ngram_range) if word_ngram_range else None
        self.cue_features = tuple(cue_features)
        if cue_backend not in {"regex", "spacy"}:
            from needminer.errors import ConfigError

            raise ConfigError(f"cue_backend must be 'regex' or 'spacy'. Got {cue_backend!r} instead.")
        self.cue_backend = cue_backend
        self._uses_tokens = any(n.startswith("tok_") for n in self.cue_features)

    def _hasher(self, analyzer):
        from sklearn.feature_extraction.text import HashingVectorizer

        return HashingVectorizer(
            analyzer=analyzer, n_features=self.n_features, alternate_sign=False, norm=None,
            lowercase=False, dtype=np.float32,
        )

    def _char_grams(self, text: str) -> list[str]:
        t = _WS.sub(" ", text.lower())
        lo, hi = self.ngram_range
        n = len(t)
        return [t[i : i + k] for k in range(lo, hi + 1) for i in range(n - k + 1)]

    def _word_grams(self, words: list[str]) -> list[str]:
        lo, hi = self.word_ngram_range
        out = []
        for k in range(lo, hi + 1):
            for i in range(len(words) - k + 1):
                out.append(_WORD_PREFIX + " ".join(words[i : i + k]))
        return out

    def analyse(self, texts: Sequence[str]) -> tuple[list[list[str]], list[dict[str, float]] | None]:
        """Per text: the n-gram strings to hash, and token cues (spaCy backend) or None."""
        token_cues = None
        words = None
        if self.cue_backend == "spacy":
            from needminer.signals._spacy_cues import spacy_analyse

            words, token_cues = spacy_analyse(texts)
        elif self.word_ngram_range:
            words = jieba_words(texts)
        grams = [self._char_grams(t) for t in texts]
        if self.word_ngram_range and words is not None:
            for g, w in zip(grams, words):
                g.extend(self._word_grams(w))
        return grams, token_cues

    def counts(self, texts: Sequence[str], analysed=None) -> sparse.csr_matrix:
        """Raw hashed n-gram counts, shape (n, n_features)."""
        grams = (analysed or self.analyse(texts))[0]
        return self._hasher(lambda g: g).transform(grams).tocsr()

    def signature(self) -> tuple:
        """What the hashed counts and the raw cue block depend on: two featurizers with the same
        signature give the same ``counts`` and unscaled cues for the same texts."""
        return (self.n_features, self.ngram_range, self.word_ngram_range, self.cue_features, self.cue_backend)

    def transform(
        self, texts: Sequence[str], idf: np.ndarray, rules: Sequence[RuleResult] | None = None, analysed=None,
        memo: dict | None = None,
    ) -> sparse.csr_matrix:
        """Sublinear tf × idf, l2-normalised, then the cue block; shape (n, n_features + cues).

        ``memo`` (a dict the caller keeps for one batch of texts) shares the hashed counts and the
        cue block between models whose featurizers have the same ``signature``: the detector's
        label and need models read the same n-grams, and computing them once halves its feature
        work."""
        key = self.signature()
        if memo is not None and key in memo:
            counts, cues = memo[key]
        else:
            analysed = analysed or self.analyse(texts)
            counts = self.counts(texts, analysed)
            cues = self.cue_matrix(texts, rules, analysed[1], scaled=False)
            if memo is not None:
                memo[key] = (counts, cues)
        x = tfidf(counts, idf)
        return sparse.hstack([x, sparse.csr_matrix(cues * self.cue_weight)], format="csr", dtype=np.float32)

    def cue_matrix(self, texts: Sequence[str], rules: Sequence[RuleResult] | None = None,
                   token_cues: list[dict[str, float]] | None = None, *, scaled: bool = True) -> np.ndarray:
        """The dense cue block, shape (n, len(cue_features)), scaled by ``cue_weight`` (unless
        ``scaled`` is false)."""
        if rules is None:
            rules = [score_text(t) for t in texts]
        names = self.cue_features
        rows = []
        for i, (t, r) in enumerate(zip(texts, rules)):
            tc = token_cues[i] if token_cues is not None else None
            if tc is None and not self._uses_tokens:
                tc = {}
            d = cue_dict(t, r, tc)
            rows.append([d.get(k, 0.0) for k in names])
        cues = np.asarray(rows, dtype=np.float32).reshape(len(texts), len(names))
        return cues * self.cue_weight if scaled else cues


# Backwards-compatible name (round 1).
CharNgramFeaturizer = NgramFeaturizer


def tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf × idf with l2-normalised rows."""
    x = counts.copy()
    x.data = np.log1p(x.data).astype(np.float32)
    x = x.multiply(idf.reshape(1, -1)).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms).dot(x).tocsr()


def fit_idf(counts: sparse.csr_matrix) -> np.ndarray:
    """Smoothed idf over hashed columns (unseen columns get the maximum idf)."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
