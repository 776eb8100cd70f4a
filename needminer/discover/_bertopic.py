"""BERTopic's clustering step (UMAP → HDBSCAN) on precomputed embeddings, seeded, outliers reassigned."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin

from needminer.discover._consensus import consensus_labels, run_seeds
from needminer.discover._jit import cache_umap_jit
from needminer.errors import ConfigError, EmptyCorpusError, NotFittedError, missing_dependency

# HDBSCAN's min_cluster_size is sqrt(n) / divisor: a need must gather more fragments in a larger corpus,
# but far fewer than in proportion (n/50 lost the small needs of short-text sets: phone complaint
# clauses NMI .27 vs .42). "normal" was chosen by the mean NMI over every set of ``bench.quality``
# (car negative and non-negative posts, phone complaints, medical queries, synthetic chats).
GRANULARITY_DIVISOR = {"coarse": 1.5, "normal": 3.0, "fine": 6.0}
# HDBSCAN's density estimate (EVAL.md's tuned peer uses the same 5). 8 measured a little better on the
# labelled sets (bench.quality --no-peers, seeds 0-3, mean NMI .518 -> .524: car_neg .603 -> .614,
# phone .428 -> .423, medical .273 -> .281, synth .779 -> .786) but cut the real QQ group's
# precision@10 from 0.80 to 0.60 (larger needs that swallow recruitment adverts and exam banter):
# a gain within the labelled sets' noise that hurts a real chat is not a default.
MIN_SAMPLES = 5
# Consensus of 3 runs (``_consensus``) measured over 4 seeds: synthetic chats NMI +.009 and seed
# stability .928 -> .959, car +.004, medical -.002, phone complaint clauses -.021 (stability .896 ->
# .856), at 3x the UMAP time: it does not earn the default, it is an option (``discover.runs``).
CONSENSUS_RUNS = 1
MERGE_RATIO = 0.7  # chosen on the demo, the synthetic chats and the non-negative car posts (not the reported set)
MAX_MIN_CLUSTER_SIZE = 250  # large corpora: a need must gather at least this many fragments at most


def centre(vectors: np.ndarray, blocks: Sequence[int] | None = None) -> np.ndarray:
    """Subtract the corpus mean and re-normalise rows (e5 cosines are compressed otherwise).

    With ``blocks`` (the widths of concatenated embeddings), each block is centred and normalised on
    its own first, so every model gets the same say.
    """
    v = np.asarray(vectors, dtype=np.float32)
    if blocks and len(blocks) > 1 and sum(blocks) == v.shape[1]:
        parts, start = [], 0
        for width in blocks:
            parts.append(centre(v[:, start : start + width]))
            start += width
        v = np.hstack(parts)
    else:
        v = v - v.mean(axis=0, keepdims=True)
    n = np.linalg.norm(v, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return (v / n).astype(np.float32)


def min_cluster_size_for(n: int, granularity: str) -> int:
    """Pick HDBSCAN's ``min_cluster_size`` from the corpus size and a granularity word."""
    if granularity.isdigit():
        # a target number of needs: clusters may be small, merging brings the count down
        return max(3, min(15, n // (4 * int(granularity)) or 3))
    divisor = GRANULARITY_DIVISOR[granularity]
    return int(max(3, min(MAX_MIN_CLUSTER_SIZE, round(np.sqrt(n) / divisor))))


class BERTopicClusterer(ClusterMixin, BaseEstimator):
    """Cluster fragment texts into needs with BERTopic on precomputed embeddings.

    Args:
        granularity: ``"coarse"``, ``"normal"``, ``"fine"`` or a target number of needs (as a string).
        min_cluster_size: HDBSCAN minimum cluster size; 0 chooses it from the corpus size.
        reassign_outliers: Reassign HDBSCAN outliers to the nearest need (by embedding).
        selection: HDBSCAN cluster selection, ``"eom"`` (stable, broader) or ``"leaf"`` (finer, purer).
        merge_ratio: Merge two clusters whose centroids are at least this similar relative to how
            tightly the looser of the two holds its members (see ``merge_unseparated``); above 1 never.
        runs: Seeded UMAP → HDBSCAN runs joined by consensus (``needminer.discover._consensus``);
            1 runs BERTopic itself once.
        seed: Random seed for UMAP (and Leiden).

    Attributes:
        labels_: Cluster of each input (``-1`` = unassigned), shape (n,).
        confidence_: Cosine of each input to its cluster centroid, mapped to [0, 1].
        reassigned_: Boolean mask of inputs that were outliers and were reassigned.
        keywords_: Cluster id → top keywords (c-TF-IDF).
        n_clusters_: Number of clusters found.
        min_cluster_size_: The HDBSCAN minimum cluster size used.
    """

    def __init__(
        self,
        *,
        granularity: str = "normal",
        min_cluster_size: int = 0,
        reassign_outliers: bool = True,
        selection: str = "eom",
        merge_ratio: float = MERGE_RATIO,
        runs: int = CONSENSUS_RUNS,
        seed: int = 42,
    ) -> None:
        self.granularity = granularity
        self.min_cluster_size = min_cluster_size
        self.reassign_outliers = reassign_outliers
        self.selection = selection
        self.merge_ratio = merge_ratio
        self.runs = runs
        self.seed = seed

    def _validate(self, n: int) -> int:
        g = str(self.granularity)
        if g not in GRANULARITY_DIVISOR and not (g.isdigit() and int(g) >= 2):
            raise ConfigError(
                f"The 'granularity' parameter of BERTopicClusterer must be coarse, normal, fine or an "
                f"integer >= 2. Got {self.granularity!r} instead."
            )
        if self.min_cluster_size < 0:
            raise ConfigError(
                "The 'min_cluster_size' parameter of BERTopicClusterer must be >= 0. "
                f"Got {self.min_cluster_size!r} instead."
            )
        return self.min_cluster_size or min_cluster_size_for(n, g)

    def fit(self, texts: Sequence[str], embeddings: np.ndarray) -> BERTopicClusterer:
        """Cluster ``texts`` (one row of ``embeddings`` each)."""
        n = len(texts)
        if n == 0:
            raise EmptyCorpusError("No fragments to cluster; the input has no need-bearing messages.")
        if embeddings.shape[0] != n:
            raise ValueError(f"embeddings has {embeddings.shape[0]} rows for {n} texts")
        mcs = self._validate(n)
        vecs = centre(np.asarray(embeddings, dtype=np.float32))
        outlier = np.zeros(n, dtype=bool)
        if n < max(12, 2 * mcs):
            labels = _small_corpus_labels(vecs)
        elif self.runs > 1:
            labels, outlier = consensus_labels(
                vecs, min_cluster_size=mcs, min_samples=min(MIN_SAMPLES, mcs),
                seeds=run_seeds(self.seed, self.runs), merge_ratio=self.merge_ratio,
            )
            if not self.reassign_outliers:
                labels = np.where(outlier, -1, labels)
        else:
            labels = self._bertopic_labels(list(texts), vecs, mcs)
            labels = merge_unseparated(vecs, labels, self.merge_ratio)
        if not (labels >= 0).any() and n <= SMALL_FALLBACK_MAX:
            # HDBSCAN found no dense group at all (a dozen fragments about one thing, just past the
            # small-corpus bound, came back as outliers and no need): one group, unless a cut
            # separates them clearly (a scattered group is flagged downstream)
            labels = _small_corpus_labels(vecs, min_silhouette=FALLBACK_SILHOUETTE)
        g = str(self.granularity)
        if g.isdigit():
            labels = _merge_to_k(vecs, labels, int(g))
        reassigned = outlier if self.reassign_outliers else np.zeros(n, dtype=bool)
        if self.reassign_outliers and (labels >= 0).any() and (labels < 0).any():
            out = labels < 0
            labels = labels.copy()
            labels[out] = nearest_centroid(vecs, labels, np.flatnonzero(out))
            reassigned = out
        self.labels_ = _relabel_by_size(labels)
        self.reassigned_ = reassigned
        self.min_cluster_size_ = mcs
        self.confidence_ = cluster_confidence(vecs, self.labels_)
        self.n_clusters_ = int(self.labels_.max() + 1) if (self.labels_ >= 0).any() else 0
        self.keywords_ = cluster_keywords(list(texts), self.labels_)
        return self

    def fit_predict(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:  # type: ignore[override]
        return self.fit(texts, embeddings).labels_

    def _bertopic_labels(self, texts: list[str], vecs: np.ndarray, mcs: int) -> np.ndarray:
        """BERTopic's clustering step (UMAP to 5-d, then HDBSCAN), run directly.

        ``BERTopic.fit_transform`` with these two models gives the same partition (its topics are
        HDBSCAN's labels renumbered by size), but ``import bertopic`` pulls in transformers and spaCy
        and it computes topic representations that are thrown away here: discovery keeps the
        clusters and computes its own keywords (``cluster_keywords``).
        """
        del texts  # the partition depends on the vectors only
        try:
            from hdbscan import HDBSCAN
            from umap import UMAP
        except ImportError:
            raise missing_dependency("umap-learn and hdbscan", "need discovery") from None
        cache_umap_jit()  # compiled once per machine, not once per run
        n = vecs.shape[0]
        n_neighbors = min(15, n - 1)
        # Neighbours are given, at every size: above 4,096 rows UMAP would build a pynndescent index
        # (its numba compile alone took over a minute per process); below, it computes every pair's
        # distance through a Python call of its numba metric (4,000 fragments: 32 of 40 s of
        # discovery). Blocked matrix products find the same exact neighbours in a fraction of that.
        extra = {"precomputed_knn": (*exact_knn(vecs, n_neighbors), None)}
        umap_model = UMAP(
            n_neighbors=n_neighbors,
            n_components=min(5, n - 2),
            min_dist=0.0,
            metric="cosine",
            random_state=self.seed,
            init="spectral" if n > 50 else "random",
            **extra,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reduced = umap_model.fit_transform(vecs)
            hdbscan_model = HDBSCAN(
                min_cluster_size=mcs,
                min_samples=min(MIN_SAMPLES, mcs),
                metric="euclidean",
                cluster_selection_method=self.selection,
                prediction_data=False,
            ).fit(reduced)
        return np.asarray(hdbscan_model.labels_, dtype=int)

    def check_is_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise NotFittedError(
                "This BERTopicClusterer instance is not fitted yet. Call 'fit' with appropriate arguments first."
            )


# Similarities computed at once in ``exact_knn``: a block of rows against all rows. argpartition
# returns int64 positions of the block's full shape, so a block costs 12 bytes per element (192 MB).
KNN_BLOCK_ELEMENTS = 16_000_000


def exact_knn(vecs: np.ndarray, k: int, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Exact cosine k-nearest neighbours of unit rows (self first), in row blocks to bound memory
    (at most ``block`` rows and ``KNN_BLOCK_ELEMENTS`` similarities at a time: at 90,000 fragments
    2,048 rows held 3 GB).

    Returns:
        (indices, distances), each (n, k); distances are cosine distances (1 − cosine).
    """
    n = vecs.shape[0]
    block = max(1, min(block, KNN_BLOCK_ELEMENTS // max(n, 1)))
    idx = np.empty((n, k), dtype=np.int64)
    dist = np.empty((n, k), dtype=np.float32)
    topk = _torch_topk() if n >= TORCH_TOPK_MIN else None
    for start in range(0, n, block):
        sims = vecs[start : start + block] @ vecs.T
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = np.inf  # self first, whatever ties exist
        if topk is not None:
            best, top = topk(sims, k)
            d = 1.0 - best
        else:
            np.negative(sims, out=sims)  # in place: nearest first for argpartition, no copy
            part = np.argpartition(sims, k - 1, axis=1)[:, :k]
            order = np.argsort(np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
            top = np.take_along_axis(part, order, axis=1)
            d = 1.0 + np.take_along_axis(sims, top, axis=1)
        idx[start : start + block] = top
        d[:, 0] = 0.0
        dist[start : start + block] = np.clip(d, 0.0, 2.0)
    return idx, dist


# From this many rows exact_knn picks each row's nearest with torch.topk (on every core) instead of
# numpy's argpartition (one core): 15,600 rows 4.5 → 1.9 s, 30,000 rows 15.9 → 6.9 s on 2 cores, the
# same neighbours; below it, importing torch (~1.2 s, a run need not load it otherwise) costs more.
TORCH_TOPK_MIN = 12_000


def _torch_topk():  # noqa: ANN202
    """``(sims, k) → (values, indices)`` of each row's k largest, largest first, via torch; None
    without torch (a dependency of bertopic's sentence-transformers, so normally there)."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch comes with bertopic
        return None

    def topk(sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        values, indices = torch.topk(torch.from_numpy(sims), k, dim=1, largest=True, sorted=True)
        return values.numpy(), indices.numpy()

    return topk


SMALL_FALLBACK_MAX = 2_000  # most fragments the small-corpus cut (O(n²) memory) takes over when HDBSCAN finds nothing
FALLBACK_SILHOUETTE = 0.25  # there, a cut must separate this clearly (any cut of one tight group scores ~0.1)


def _small_corpus_labels(vecs: np.ndarray, min_silhouette: float = 0.05) -> np.ndarray:
    """Clusters for corpora too small for UMAP/HDBSCAN: average-linkage cuts, k chosen by silhouette.

    A single cluster is kept when no cut separates the texts (best silhouette below ``min_silhouette``).
    """
    n = vecs.shape[0]
    if n < 3:
        return np.zeros(n, dtype=int)
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    best, best_score = np.zeros(n, dtype=int), min_silhouette
    for k in range(2, min(8, n - 1) + 1):
        labels = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average").fit_predict(vecs)
        score = float(silhouette_score(vecs, labels, metric="cosine"))
        if score > best_score:
            best, best_score = labels.astype(int), score
    return best


def _centroids(vecs: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ids = np.unique(labels[labels >= 0])
    cents = np.stack([vecs[labels == c].mean(axis=0) for c in ids])
    cents /= np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-9)
    return ids, cents


def nearest_centroid(vecs: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Cluster (of those in ``labels``, ``-1`` ignored) whose centroid is nearest to each of ``rows``."""
    ids, cents = _centroids(vecs, labels)
    if len(rows) == 0:
        return np.zeros(0, dtype=int)
    return ids[np.argmax(vecs[rows] @ cents.T, axis=1)]


def _merge_to_k(vecs: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Merge clusters (average linkage on centroids) until at most ``k`` remain."""
    if (labels >= 0).sum() == 0 or len(np.unique(labels[labels >= 0])) <= k:
        return labels
    from sklearn.cluster import AgglomerativeClustering

    ids, cents = _centroids(vecs, labels)
    merged = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average").fit_predict(cents)
    mapping = dict(zip(ids.tolist(), merged.tolist()))
    return np.array([mapping.get(int(x), -1) for x in labels], dtype=int)


def merge_unseparated(vecs: np.ndarray, labels: np.ndarray, ratio: float = MERGE_RATIO) -> np.ndarray:
    """Merge clusters that the full vector space does not separate.

    HDBSCAN works on a 5-d UMAP projection, where one need voiced in different ways (the pain in
    one cluster, the wish in another) can come out as several dense pieces. Back in the full space,
    two such pieces have centroids nearly as close to each other as their members are to them: the
    pair with the highest ``cos(c_a, c_b) / max(r_a, r_b)`` is merged while that is ``>= ratio``,
    where ``r`` is a cluster's cohesion (the length of its members' mean unit vector, i.e. their
    mean cosine to its centroid). Outliers (``-1``) are left as they are.
    """
    labels = np.asarray(labels).copy()
    if ratio > 1:
        return labels
    while True:
        ids = np.unique(labels[labels >= 0])
        if len(ids) < 2:
            return labels
        means = np.stack([vecs[labels == c].mean(axis=0) for c in ids])
        cohesion = np.maximum(np.linalg.norm(means, axis=1), 1e-9)
        cents = means / cohesion[:, None]
        score = (cents @ cents.T) / np.maximum(cohesion[:, None], cohesion[None, :])
        np.fill_diagonal(score, -np.inf)
        a, b = np.unravel_index(int(np.argmax(score)), score.shape)
        if score[a, b] < ratio:
            return labels
        labels[labels == ids[b]] = ids[a]


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0..k-1, largest first (ties by first occurrence) for stable output."""
    valid = labels[labels >= 0]
    if valid.size == 0:
        return labels.astype(int)
    uniq, first, counts = np.unique(valid, return_index=True, return_counts=True)
    order = sorted(range(len(uniq)), key=lambda i: (-counts[i], first[i]))
    mapping = {int(uniq[i]): r for r, i in enumerate(order)}
    return np.array([mapping.get(int(x), -1) for x in labels], dtype=int)


def cluster_confidence(vecs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cosine of each row to its cluster's centroid, mapped to [0, 1] (0 for unassigned rows)."""
    conf = np.zeros(len(labels), dtype=np.float32)
    if not (labels >= 0).any():
        return conf
    ids, cents = _centroids(vecs, labels)
    index = {int(c): i for i, c in enumerate(ids)}
    for row, lab in enumerate(labels):
        if lab >= 0:
            conf[row] = (float(vecs[row] @ cents[index[int(lab)]]) + 1.0) / 2.0
    return conf


def cluster_keywords(texts: Sequence[str], labels: np.ndarray, top_n: int = 8) -> dict[int, list[str]]:
    """c-TF-IDF keywords per cluster (BERTopic's class-based TF-IDF, computed directly)."""
    from needminer.text import ctfidf_keywords

    return ctfidf_keywords(list(texts), labels, top_n=top_n)
