"""No hidden buckets: a scattered group is what is left after every need has had its pick.

A cluster whose top keywords few of its members say (``focus`` below ``MIXED_FOCUS``) is a mix of
topics, not a need. Its fragments are pooled and resolved in three steps:

1. **Needs inside the pool.** The pool is re-clustered (average linkage on the cosine of the
   vectors, cut where members are closer than the pool's typical pair); a sub-group with at least
   ``MIN_SPEAKERS`` distinct speakers, ``min_size`` fragments and a focus of its own becomes a need.
   A sub-group whose centroid is as close to a focused need as that need's typical member is a
   piece of that need and joins it.
2. **Fragments that belong to a need.** A pooled fragment as close to a focused need's centroid as
   that need's own typical member (its ``FIT_QUANTILE`` quantile of member cosines) joins it.
3. **A bounded remainder.** What is left is one scattered group (``NeedCluster.scattered``); it is
   never larger than the largest focused need: the fragments closest to some need join it first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from needminer.discover._domains import MIXED_FOCUS

MIN_SPEAKERS = 3  # a need found inside the pool must be said by at least this many people
MAX_DENSE_POOL = 2000  # above this, the pool is linked along nearest neighbours only
SAMPLE_PAIRS_ROWS = 1000  # rows sampled to find the pool's median pair similarity
FIT_QUANTILE = 0.1  # a pooled fragment joins a need when as close as its 10 % least typical member


def resolve_scattered(
    vecs: np.ndarray,
    labels: np.ndarray,
    texts: Sequence[str],
    speakers: Sequence[str],
    keywords: Callable[[np.ndarray], dict[int, list[str]]],
    focus: Callable[[Sequence[str], Sequence[str]], float],
    *,
    min_size: int,
    known: Mapping[int, list[str]] | None = None,
) -> tuple[np.ndarray, int]:
    """Re-label the fragments of scattered groups.

    Args:
        vecs: Unit row vectors the clusters were found on, (n, d).
        labels: Cluster per row (``-1`` = none), clusters numbered from 0.
        texts: Fragment texts (for keywords and focus).
        speakers: Speaker per row (a need found in the pool needs ``MIN_SPEAKERS`` of them).
        keywords: ``labels → {cluster: keywords}`` (c-TF-IDF).
        focus: ``(keywords, texts) → share of texts that say a top keyword``.
        min_size: Smallest need found inside the pool.
        known: Keywords of ``labels`` when the caller has them already (not computed again).

    Returns:
        ``(labels, scattered)``: new labels (clusters renumbered from 0; ``-1`` rows untouched) and
        the label of the one scattered group left, or ``-1`` when none is left.
    """
    labels = np.asarray(labels).copy()
    kw = known if known is not None else keywords(labels)
    ids = [int(c) for c in np.unique(labels[labels >= 0])]
    mixed = {c for c in ids if focus(kw.get(c, []), [texts[r] for r in np.flatnonzero(labels == c)]) < MIXED_FOCUS}
    if not mixed:
        return labels, -1
    pool = np.flatnonzero(np.isin(labels, list(mixed)))
    focused = [c for c in ids if c not in mixed]
    next_label = max(ids) + 1
    labels[pool] = -2  # pooled, not yet placed
    cents, fit = _centroids_and_fit(vecs, labels, focused) if focused else (np.zeros((0, vecs.shape[1])), np.zeros(0))
    for group in _subgroups(vecs[pool], min_size):
        rows = pool[group]
        if len({speakers[r] for r in rows}) < MIN_SPEAKERS:
            continue
        if len(cents):  # a piece of a need already found joins it instead of doubling it
            centroid = vecs[rows].mean(axis=0)
            sims = cents @ (centroid / max(float(np.linalg.norm(centroid)), 1e-9))
            if sims.max() >= fit[int(np.argmax(sims))]:
                labels[rows] = focused[int(np.argmax(sims))]
                continue
        trial = np.full(len(labels), -1)
        trial[rows] = 0
        words = keywords(trial).get(0, [])
        if focus(words, [texts[r] for r in rows]) >= MIXED_FOCUS:
            labels[rows] = next_label
            focused.append(next_label)
            next_label += 1
    left = np.flatnonzero(labels == -2)
    if focused and len(left):
        cents, fit = _centroids_and_fit(vecs, labels, focused)
        sims = vecs[left] @ cents.T
        best = np.argmax(sims, axis=1)
        best_sim = sims[np.arange(len(left)), best]
        joins = best_sim >= fit[best]
        largest = max(int((labels == c).sum()) for c in focused)
        # the remainder may not outgrow the largest need: the closest of the rest join too
        over = int((~joins).sum()) - largest
        if over > 0:
            rest = np.flatnonzero(~joins)
            joins[rest[np.argsort(-best_sim[rest], kind="stable")[:over]]] = True
        labels[left[joins]] = np.asarray(focused)[best[joins]]
        left = left[~joins]
    scattered = -1
    if len(left):
        scattered = next_label
        labels[left] = scattered
    return _renumber(labels, scattered)


def _subgroups(vecs: np.ndarray, min_size: int) -> list[np.ndarray]:
    """Tight groups of at least ``min_size`` rows: average linkage cut halfway between the pool's
    median pair similarity and identity (large pools are linked along their 10 nearest neighbours
    only, so memory stays linear)."""
    n = len(vecs)
    if n < max(2 * min_size, 4):
        return []
    from sklearn.cluster import AgglomerativeClustering

    rng = np.random.default_rng(0)
    sample = vecs[rng.choice(n, size=min(n, SAMPLE_PAIRS_ROWS), replace=False)]
    sims = sample @ sample.T
    median = float(np.median(sims[np.triu_indices(len(sample), 1)]))
    threshold = max(1e-6, (1.0 - median) * 0.5)  # cosine distance; ~0 when the pool is one repeated text
    connectivity = None
    if n > MAX_DENSE_POOL:
        from sklearn.neighbors import kneighbors_graph

        connectivity = kneighbors_graph(vecs, 10, metric="cosine", include_self=False)
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold, connectivity=connectivity
    ).fit_predict(vecs)
    return [rows for c in np.unique(labels) if len(rows := np.flatnonzero(labels == c)) >= min_size]


def _centroids_and_fit(vecs: np.ndarray, labels: np.ndarray, clusters: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    cents, fit = [], []
    for c in clusters:
        members = vecs[labels == c]
        cent = members.mean(axis=0)
        cent /= max(float(np.linalg.norm(cent)), 1e-9)
        cents.append(cent)
        fit.append(float(np.quantile(members @ cent, FIT_QUANTILE)))
    return np.stack(cents), np.asarray(fit)


def _renumber(labels: np.ndarray, scattered: int) -> tuple[np.ndarray, int]:
    """Clusters 0..k-1 largest first (the scattered group last), ``-1`` kept."""
    ids = [int(c) for c in np.unique(labels[labels >= 0]) if c != scattered]
    ids.sort(key=lambda c: (-int((labels == c).sum()), int(np.argmax(labels == c))))
    mapping = {c: i for i, c in enumerate(ids)}
    if scattered >= 0:
        mapping[scattered] = len(ids)
    out = np.array([mapping.get(int(x), -1) for x in labels], dtype=int)
    return out, (len(ids) if scattered >= 0 else -1)
