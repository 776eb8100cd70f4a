"""Class-based TF-IDF keywords with MMR diversification (as BERTopic's c-TF-IDF + MaximalMarginalRelevance)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def ctfidf_keywords(
    texts: Sequence[str], labels: np.ndarray, *, top_n: int = 8, diversity: float = 0.3
) -> dict[int, list[str]]:
    """Top keywords per cluster.

    Args:
        texts: Documents (fragment texts).
        labels: Cluster id per document; ``-1`` rows are ignored.
        top_n: Keywords per cluster.
        diversity: MMR trade-off (0 = pure c-TF-IDF ranking, 1 = maximal diversity).

    Returns:
        Cluster id → keywords, best first. Clusters whose texts hold no usable words get ``[]``.
    """
    from needminer.discover._vectorizer import make_vectorizer

    labels = np.asarray(labels)
    clusters = sorted(int(c) for c in np.unique(labels) if c >= 0)
    if not clusters:
        return {}
    vec = make_vectorizer()
    try:
        X = vec.fit_transform(list(texts))
    except ValueError:  # empty vocabulary: only stop words / placeholders
        return {c: [] for c in clusters}
    vocab = np.asarray(vec.get_feature_names_out())
    # term frequency per class
    rows = []
    for c in clusters:
        rows.append(np.asarray(X[labels == c].sum(axis=0)).ravel())
    tf = np.vstack(rows).astype(np.float64)
    avg_words = max(tf.sum() / len(clusters), 1.0)
    freq = tf.sum(axis=0)
    idf = np.log(1.0 + avg_words / np.maximum(freq, 1.0))
    scores = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1.0) * idf
    # term vectors over documents (binary co-occurrence) for MMR similarity
    term_docs = (X > 0).T.astype(np.float64).tocsr()
    out: dict[int, list[str]] = {}
    for i, c in enumerate(clusters):
        cand = [int(j) for j in np.argsort(-scores[i])[: top_n * 3] if scores[i, j] > 0]
        out[c] = [str(vocab[j]) for j in _mmr(cand, scores[i], term_docs, top_n, diversity)]
    return out


def _mmr(cand: list[int], score: np.ndarray, term_docs, top_n: int, diversity: float) -> list[int]:
    if len(cand) <= 1:
        return cand
    M = term_docs[cand].toarray()
    norms = np.linalg.norm(M, axis=1, keepdims=True)
    M = M / np.maximum(norms, 1e-9)
    sim = M @ M.T
    rel = score[cand] / max(score[cand].max(), 1e-12)
    chosen = [0]
    rest = list(range(1, len(cand)))
    while rest and len(chosen) < top_n:
        best = max(rest, key=lambda r: (1 - diversity) * rel[r] - diversity * max(sim[r, chosen]))
        chosen.append(best)
        rest.remove(best)
    return [cand[i] for i in chosen]
