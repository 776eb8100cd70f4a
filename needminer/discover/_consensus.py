"""Consensus clustering: several seeded UMAP → HDBSCAN runs joined into one partition.

One UMAP layout is one random draw: on corpora without crisp structure (short health queries) two
seeds agreed at NMI 0.75–0.80 only. Each run here is BERTopic's clustering step (UMAP to 5-d,
HDBSCAN, outliers to the nearest centroid in the full space, pieces the full space does not separate
merged); the runs vote on every edge of the exact k-nearest-neighbour graph (the share of runs that
put both ends in one cluster), and Leiden's modularity partition of that voted graph is the result.
Measured with ``bench.quality`` over four seeds, three runs against one: synthetic chats NMI .771 →
.780 and seed stability .928 → .959, car complaints .601 → .605, medical queries .278 → .276, phone
complaint clauses .421 → .400 (stability .896 → .856). Not the default (``discover.runs = 1``): it
costs three UMAP layouts and does not help short texts.

The kNN graph is computed once, exactly, and shared by the runs (UMAP's own approximate index costs
a numba compile per process).
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Sequence

import numpy as np

from needminer.errors import missing_dependency

GRAPH_K = 30  # neighbours per fragment in the voted graph
UMAP_NEIGHBOURS = 15
UMAP_DIMS = 5


def run_seeds(seed: int, runs: int) -> list[int]:
    """Inner seeds of one outer seed: disjoint between outer seeds, so two seeds are two real draws."""
    return [seed * 1009 + r for r in range(runs)]


def consensus_labels(
    vecs: np.ndarray,
    *,
    min_cluster_size: int,
    min_samples: int,
    seeds: Sequence[int],
    merge_ratio: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Cluster unit rows ``vecs`` by the vote of one UMAP → HDBSCAN run per seed.

    Returns:
        ``(labels, outlier)``: a cluster per row (every row assigned) and a mask of rows that most
        runs left as HDBSCAN outliers.
    """
    try:
        import igraph
        from hdbscan import HDBSCAN
        from umap import UMAP
    except ImportError:
        raise missing_dependency("umap-learn, hdbscan and igraph", "need discovery") from None
    from needminer.discover._bertopic import exact_knn, merge_unseparated, nearest_centroid
    from needminer.discover._jit import cache_umap_jit

    cache_umap_jit()

    n = vecs.shape[0]
    k = min(GRAPH_K, n - 1)
    nn = min(UMAP_NEIGHBOURS, n - 1)
    idx, dist = exact_knn(vecs, max(k, nn) + 1)
    runs, outliers = [], np.zeros(n, dtype=int)
    for s in seeds:
        umap_model = UMAP(
            n_neighbors=nn, n_components=min(UMAP_DIMS, n - 2), min_dist=0.0, metric="cosine", random_state=s,
            init="spectral" if n > 50 else "random", precomputed_knn=(idx[:, :nn], dist[:, :nn], None),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layout = umap_model.fit_transform(vecs)
        raw = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples).fit_predict(layout)
        outliers += raw < 0
        labels = raw.copy()
        if (raw >= 0).any() and (raw < 0).any():
            labels[raw < 0] = nearest_centroid(vecs, raw, np.flatnonzero(raw < 0))
        elif not (raw >= 0).any():
            labels[:] = 0
        runs.append(merge_unseparated(vecs, labels, merge_ratio))
    votes = np.stack(runs)
    src = np.repeat(np.arange(n), k)
    dst = idx[:, 1 : k + 1].ravel()
    share = (votes[:, src] == votes[:, dst]).mean(axis=0)
    keep = share > 0
    graph = igraph.Graph(n=n, edges=np.column_stack([src[keep], dst[keep]]).tolist(), directed=False)
    graph.es["weight"] = share[keep].tolist()
    graph = graph.simplify(combine_edges="sum")
    igraph.set_random_number_generator(random.Random(int(seeds[0]) if len(seeds) else 0))
    try:
        part = graph.community_leiden(objective_function="modularity", weights="weight", n_iterations=-1)
    finally:
        igraph.set_random_number_generator(random)
    labels = np.asarray(part.membership, dtype=int)
    small = np.bincount(labels)[labels] < min_cluster_size
    if small.any() and not small.all():
        labels[small] = -1
        labels[small] = nearest_centroid(vecs, labels, np.flatnonzero(small))
    return labels, outliers * 2 > len(seeds)
