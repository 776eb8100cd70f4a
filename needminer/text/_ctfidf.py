"""Class-based TF-IDF keywords with MMR diversification (as BERTopic's c-TF-IDF + MaximalMarginalRelevance).

Phrase candidates (``油皮 底妆``, see ``needminer.text._segment``) compete with words; a phrase
that carries most uses of one of its words in a cluster takes that word's place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from needminer.text._filler import banned
from needminer.text._segment import PHRASE_SEP, make_vectorizer, phrase_text

PHRASE_SHARE = 0.5  # a phrase replaces its word when it covers at least this share of the word's uses


def ctfidf_keywords(
    texts: Sequence[str],
    labels: np.ndarray,
    *,
    top_n: int = 8,
    diversity: float = 0.3,
    phrase_share: float = PHRASE_SHARE,
    accept: Callable[[str], bool] | None = None,
    background: Mapping[str, int] | None = None,
    background_classes: int = 0,
) -> dict[int, list[str]]:
    """Top keywords per cluster.

    Args:
        texts: Documents (fragment texts).
        labels: Cluster id per document; ``-1`` rows are ignored.
        top_n: Keywords per cluster.
        diversity: MMR trade-off (0 = pure c-TF-IDF ranking, 1 = maximal diversity).
        phrase_share: A phrase takes the place (and the score) of one of its words when the cluster
            uses the phrase at least this often relative to the word (``> 1`` turns this off).
        accept: Optional test on a term (phrase parts separated by ``PHRASE_SEP``); terms it rejects
            are no keywords.
        background: Term → count in other classes the clusters are to stand apart from (a fitted
            corpus: ``term_counts``), added to the terms' frequencies, so that a word the background
            says everywhere is no keyword of a new cluster.
        background_classes: How many classes ``background`` holds (for the average class size).

    Returns:
        Cluster id → keywords as they read (phrases joined, ``"油皮底妆"``), best first. Clusters whose
        texts hold no usable words get ``[]``.
    """
    labels = np.asarray(labels)
    clusters = sorted(int(c) for c in np.unique(labels) if c >= 0)
    if not clusters:
        return {}
    vec = make_vectorizer(keywords=True)
    try:
        X = vec.fit_transform(list(texts))
    except ValueError:  # empty vocabulary: only stop words / placeholders
        return {c: [] for c in clusters}
    vocab = np.asarray(vec.get_feature_names_out())
    index = {str(t): j for j, t in enumerate(vocab)}
    parts = {j: [index.get(p, -1) for p in str(t).split(PHRASE_SEP)] for j, t in enumerate(vocab) if PHRASE_SEP in t}
    phrase_ids = np.fromiter(parts, dtype=np.int64, count=len(parts))
    # term frequency per class
    rows = []
    for c in clusters:
        rows.append(np.asarray(X[labels == c].sum(axis=0)).ravel())
    tf = np.vstack(rows).astype(np.float64)
    freq = tf.sum(axis=0)
    avg_words = max(tf.sum() / len(clusters), 1.0)
    if background:
        bg = np.array([float(background.get(str(t), 0)) for t in vocab])
        avg_words = max((tf.sum() + sum(background.values())) / (len(clusters) + max(background_classes, 1)), 1.0)
        freq = freq + bg
    idf = np.log(1.0 + avg_words / np.maximum(freq, 1.0))
    scores = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1.0) * idf
    # term vectors over documents (binary co-occurrence) for MMR similarity
    term_docs = (X > 0).T.astype(np.float64).tocsr()
    out: dict[int, list[str]] = {}
    for i, c in enumerate(clusters):
        cand = [int(j) for j in np.argsort(-scores[i])[: top_n * 3] if scores[i, j] > 0]
        # placeholders, pseudonyms and filler are never keywords (they reach titles and domains)
        cand = [j for j in cand if not banned(phrase_text(str(vocab[j])).replace(" ", ""))]
        if accept is not None:
            cand = [j for j in cand if accept(str(vocab[j]))]
        used = phrase_ids[tf[i, phrase_ids] >= 2]  # a phrase said once is no keyword
        if accept is not None:
            used = np.array([p for p in used.tolist() if accept(str(vocab[p]))], dtype=np.int64)
        cand, score = _prefer_phrases(cand, scores[i], tf[i], {p: parts[p] for p in used.tolist()}, phrase_share)
        out[c] = [phrase_text(str(vocab[j])) for j in _mmr(cand, score, term_docs, top_n, diversity)]
    return out


def _prefer_phrases(
    cand: list[int], score: np.ndarray, tf: np.ndarray, parts: dict[int, list[int]], share: float
) -> tuple[list[int], np.ndarray]:
    """Let a phrase that covers ``share`` of a candidate word's uses replace that word.

    The phrase inherits the word's score (so it ranks where the word ranked); words replaced this
    way leave the candidate list. Returns the new candidates (best first) and scores.
    """
    if not parts or share > 1:
        return cand, score
    pool = set(cand)
    score = score.copy()
    replaced: set[int] = set()
    for p, words in parts.items():
        for w in words:
            if w in pool and tf[p] >= share * tf[w]:
                replaced.add(w)
                score[p] = max(score[p], score[w])
                pool.add(p)
    kept = [j for j in pool if j not in replaced]
    kept.sort(key=lambda j: (-score[j], j))
    return kept[: max(len(cand), 1)], score


def _mmr(cand: list[int], score: np.ndarray, term_docs, top_n: int, diversity: float) -> list[int]:
    if len(cand) <= 1:
        return cand
    M = term_docs[cand]  # sparse: a dense copy over every document costs seconds on large corpora
    sim = np.asarray((M @ M.T).todense(), dtype=np.float64)
    norms = np.sqrt(np.maximum(np.diag(sim), 1e-18))
    sim = sim / norms[:, None] / norms[None, :]
    rel = score[cand] / max(score[cand].max(), 1e-12)
    chosen = [0]
    rest = list(range(1, len(cand)))
    while rest and len(chosen) < top_n:
        best = max(rest, key=lambda r: (1 - diversity) * rel[r] - diversity * max(sim[r, chosen]))
        chosen.append(best)
        rest.remove(best)
    return [cand[i] for i in chosen]


def term_counts(texts: Sequence[str], min_count: int = 2) -> dict[str, int]:
    """How often each keyword term (as ``ctfidf_keywords`` cuts them) occurs in ``texts``; terms seen
    fewer than ``min_count`` times are left out. The ``background`` of a later ``ctfidf_keywords``."""
    vec = make_vectorizer(keywords=True)
    try:
        X = vec.fit_transform(list(texts))
    except ValueError:  # empty vocabulary
        return {}
    counts = np.asarray(X.sum(axis=0)).ravel()
    return {str(t): int(c) for t, c in zip(vec.get_feature_names_out(), counts) if c >= min_count}
