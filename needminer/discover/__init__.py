"""Discover latent scenario needs: cluster need-bearing fragments on their embeddings.

``discover_needs`` is the stage function the pipeline calls; ``BERTopicClusterer`` is the
sklearn-style estimator behind it (registered as ``"bertopic.v1"``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from needminer.config import DiscoverConfig
from needminer.discover._bertopic import (
    BERTopicClusterer,
    centre,
    cluster_confidence,
    cluster_keywords,
    min_cluster_size_for,
)
from needminer.discover._domains import FOCUS_KEYWORDS, OTHER_DOMAIN, focus, group_domains, name_domains
from needminer.discover._reuse import discovery_from_json, discovery_key, discovery_to_json, settings_key
from needminer.discover._scattered import resolve_scattered
from needminer.discover._guide import Guide, centre_like, guide_pull, match_guides, read_guide
from needminer.errors import EmptyCorpusError
from needminer.registry import clusterers
from needminer.text import ChineseTokenizer, make_vectorizer, stop_words
from needminer.types import Discovery, Fragment, NeedCluster

__all__ = [
    "BERTopicClusterer",
    "ChineseTokenizer",
    "FOCUS_KEYWORDS",
    "Guide",
    "PreviousNeed",
    "centre",
    "discover_needs",
    "discovery_from_json",
    "discovery_key",
    "settings_key",
    "discovery_to_json",
    "focus",
    "group_domains",
    "lexical_features",
    "make_vectorizer",
    "min_cluster_size_for",
    "name_domains",
    "read_guide",
    "stop_words",
    "thread_smooth",
]

clusterers.register("bertopic.v1", aliases=("bertopic",))(BERTopicClusterer)

# Phrase candidates (油皮 底妆) as terms of the keyword-topic block: better and steadier clusters on the
# non-negative car posts (mean NMI .487 vs .469 over 5 seeds) and the synthetic chats (.673 vs .662).
LEXICAL_PHRASES = True
PreviousNeed = dict  # {"id": str, "fragment_ids": [...], "centroid": [...]} from an earlier run


def discover_needs(
    fragments: Sequence[Fragment],
    vectors: np.ndarray,
    config: DiscoverConfig | None = None,
    *,
    seed: int = 42,
    previous: Sequence[PreviousNeed] = (),
    blocks: Sequence[int] | None = None,
    guide: Guide | None = None,
) -> Discovery:
    """Group fragments into needs.

    Args:
        fragments: Need-bearing fragments.
        vectors: Their embeddings, float32 (n, d), same order.
        config: Discovery settings (granularity, min cluster size, outlier reassignment).
        seed: Random seed (same input + seed → same needs).
        previous: Needs of an earlier run; a cluster that shares evidence or its centroid with one
            keeps that need's id.
        blocks: Widths of concatenated embeddings (``ConcatEmbedder.blocks``), centred separately.
        guide: Known needs (guided mode): fragments close to one are pulled towards it, and a need
            whose centroid matches one is named after it (``NeedCluster.label``).

    Returns:
        ``Discovery`` with clusters (largest first, a scattered group last), unassigned fragment
        ids and coverage (fragments in focused needs; a scattered group is not covered, see
        ``needminer.discover._scattered``). Each cluster's ``domain`` is the name of the coarser
        domain it belongs to (``"底妆·控油"``).

    Raises:
        EmptyCorpusError: No fragments.
    """
    cfg = config or DiscoverConfig()
    if not fragments:
        raise EmptyCorpusError(
            "No need-bearing fragments were found, so there is nothing to cluster. "
            "Check that the input holds real conversation text (not only media or system messages)."
        )
    factory = clusterers.get(cfg.clusterer)
    model = factory(
        granularity=str(cfg.granularity),
        min_cluster_size=cfg.min_cluster_size,
        reassign_outliers=cfg.reassign_outliers,
        runs=cfg.runs,
        seed=seed,
    )
    texts = [f.text for f in fragments]
    vectors = np.asarray(vectors, dtype=np.float32)
    # centroids for matching needs across runs use the embeddings only: the keyword topics are
    # re-learnt on every corpus, so their axes mean nothing from one run to the next
    semantic = centre(vectors, blocks)
    guides = centre_like(guide.vectors, vectors, blocks) if guide is not None and guide.labels else None
    pulled = semantic
    if guides is not None:
        pulled = guide_pull(semantic, guides, weight=cfg.guide_weight, threshold=cfg.guide_threshold)
    lexical = lexical_features(texts, cfg.lexical_dims)
    centred = _with_lexical_block(pulled, lexical, len(blocks or ()) or 1, cfg.lexical_weight)
    if cfg.thread_weight > 0:
        centred = thread_smooth(fragments, centred, weight=cfg.thread_weight, window_minutes=cfg.thread_window_minutes)
    model.fit(texts, centred)
    labels, scattered_label = resolve_scattered(
        centred,
        model.labels_,
        texts,
        [f.speaker for f in fragments],
        lambda labs: cluster_keywords(texts, labs),
        focus,
        min_size=model.min_cluster_size_,
        known=model.keywords_,
    )
    # the clusterer's keywords hold unless the scattered groups were re-cut
    keywords = model.keywords_ if scattered_label < 0 and np.array_equal(labels, model.labels_) else cluster_keywords(texts, labels)
    confidence = cluster_confidence(centred, labels)
    members: dict[int, list[int]] = {}
    for row, lab in enumerate(labels):
        if lab >= 0:
            members.setdefault(int(lab), []).append(row)
    ids = _assign_ids(fragments, semantic, members, previous)
    # the scattered group (odds and ends) joins no domain: it would blur the one it lands in
    scattered = {scattered_label} if scattered_label >= 0 else set()
    focused = {lab: rows for lab, rows in members.items() if lab not in scattered}
    domain_of = group_domains(centred, focused)
    domain_names = name_domains(texts, focused, domain_of)
    named: dict[int, str] = {}
    if guides is not None:
        labs = sorted(members)
        cents = np.stack([semantic[members[lab]].mean(axis=0) for lab in labs])
        by_row = match_guides(cents, guides, guide.labels, cfg.guide_threshold)
        named = {labs[i]: name for i, name in by_row.items()}
    clusters = []
    for lab, rows in sorted(members.items()):
        rows = sorted(rows, key=lambda r: -float(confidence[r]))
        clusters.append(
            NeedCluster(
                id=ids[lab],
                fragment_ids=tuple(fragments[r].id for r in rows),
                domain=OTHER_DOMAIN if lab in scattered else domain_names[domain_of[lab]],
                keywords=tuple(keywords.get(lab, [])),
                confidence=tuple(round(float(confidence[r]), 4) for r in rows),
                reassigned=tuple(fragments[r].id for r in rows if model.reassigned_[r]),
                label=named.get(lab, ""),
                scattered=lab in scattered,
            )
        )
    unassigned = tuple(fragments[r].id for r in range(len(fragments)) if labels[r] < 0)
    # a scattered group is no need: its fragments are not covered (they stay reachable as evidence)
    in_scattered = sum(len(c.fragment_ids) for c in clusters if c.scattered)
    coverage = 1.0 - (len(unassigned) + in_scattered) / len(fragments)
    params = {"clusterer": cfg.clusterer, "granularity": str(cfg.granularity), "n_clusters": len(clusters)}
    centroids = {ids[lab]: semantic[rows].mean(axis=0) for lab, rows in members.items()}
    return Discovery(
        clusters=tuple(clusters),
        unassigned=unassigned,
        coverage=coverage,
        params={**params, "centroids": {k: v.round(5).tolist() for k, v in centroids.items()}},
    )


def lexical_features(texts: Sequence[str], dims: int, *, phrases: bool = LEXICAL_PHRASES) -> np.ndarray | None:
    """Latent keyword topics of the texts: jieba TF-IDF reduced by truncated SVD (ARPACK).

    With ``phrases``, noun/verb-phrase candidates count as terms beside the words.

    Returns None when the corpus is too small or too poor in words to support ``dims`` topics.
    """
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    if dims <= 0 or len(texts) < max(50, 2 * dims):
        return None
    vec = TfidfVectorizer(tokenizer=ChineseTokenizer(phrases=phrases), token_pattern=None, lowercase=False, min_df=2, sublinear_tf=True)
    try:
        X = vec.fit_transform(texts)
    except ValueError:  # empty vocabulary
        return None
    if X.shape[1] <= 2 * dims:
        return None
    # ARPACK starts from a random vector unless seeded: unseeded, the topics differed in the ninth
    # decimal between processes, and UMAP turned that into a different partition at 20k fragments
    svd = TruncatedSVD(dims, algorithm="arpack", random_state=0)
    return svd.fit_transform(X).astype(np.float32)


def _with_lexical_block(semantic: np.ndarray, lexical: np.ndarray | None, n_blocks: int, weight: float = 0.5) -> np.ndarray:
    """Append the centred keyword topics as one more block, ``weight`` times as long as one embedding block.

    ``semantic`` rows are unit length over ``n_blocks`` equally weighted embedding blocks. The
    keyword topics help where a need is said in its words (car subjects +.12 NMI, medical need types
    +.02 at 0.5, +.09 at 1.0) and hurt where short texts share little vocabulary (phone complaint
    clauses −.02 at 0.5, −.11 at 1.0): 0.5 has the best mean over the ``bench.quality`` sets and is
    the best choice in four of the five leave-one-set-out checks.
    """
    if lexical is None or weight <= 0:
        return semantic
    out = np.hstack([semantic * np.sqrt(n_blocks), weight * centre(lexical)])
    return (out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)).astype(np.float32)


SMOOTH_BLOCK = 256  # rows of a thread whose neighbours are scored at once
SMOOTH_NEIGHBOURS = 512  # most fragments on each side (in time order) that can pull a fragment


def thread_smooth(
    fragments: Sequence[Fragment], vectors: np.ndarray, *, weight: float = 0.5, window_minutes: float = 30.0,
    max_neighbours: int = SMOOTH_NEIGHBOURS,
) -> np.ndarray:
    """Pull each fragment towards related fragments said close by in the same thread.

    A need is often voiced in pieces by several people within minutes ("早上来不及" … "底妆不均匀" …
    "想要伪素颜"). Each vector gets ``weight`` × the similarity-weighted mean of the other fragments of
    its thread within ``window_minutes`` (only positively similar ones count), then is re-normalised.
    Fragments without a thread or time are left as they are.

    Memory and time are O(n·w), not O(n²): a thread is taken in time order, in blocks of
    ``SMOOTH_BLOCK`` rows, each scored only against the rows inside its time window, and at most
    ``max_neighbours`` on each side of a fragment in time order count (a thread of a few hundred
    fragments is smoothed exactly as with a full n×n matrix; a busy 100k-message chat without a
    pause no longer needs n² memory).
    """
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(fragments):
        if f.thread_id and f.time is not None:
            groups.setdefault(f.thread_id, []).append(i)
    out = vectors.copy()
    window = window_minutes * 60.0
    for rows in groups.values():
        if len(rows) < 2:
            continue
        ts = np.array([fragments[i].time.timestamp() for i in rows])
        order = np.argsort(ts, kind="stable")
        idx = np.asarray(rows)[order]
        ts = ts[order]
        sub = vectors[idx]
        n = len(idx)
        for a in range(0, n, SMOOTH_BLOCK):
            b = min(n, a + SMOOTH_BLOCK)
            lo = max(int(np.searchsorted(ts, ts[a] - window, side="left")), a - max_neighbours)
            hi = min(int(np.searchsorted(ts, ts[b - 1] + window, side="right")), b - 1 + max_neighbours + 1)
            sim = np.clip(sub[a:b] @ sub[lo:hi].T, 0.0, None)
            pos = np.arange(a, b)[:, None]
            cand = np.arange(lo, hi)[None, :]
            far = (np.abs(ts[a:b, None] - ts[None, lo:hi]) > window) | (np.abs(pos - cand) > max_neighbours)
            sim[far | (pos == cand)] = 0.0
            total = sim.sum(axis=1, keepdims=True)
            has = total[:, 0] > 0
            if has.any():
                pulled = (sim @ sub[lo:hi]) / np.maximum(total, 1e-9)
                out[idx[a:b][has]] = sub[a:b][has] + weight * pulled[has]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.maximum(norms, 1e-9)).astype(np.float32)


def _new_id(fragment_ids: Sequence[str]) -> str:
    return "N" + hashlib.sha1("|".join(sorted(fragment_ids)[:5]).encode()).hexdigest()[:6]


def _assign_ids(
    fragments: Sequence[Fragment],
    centred: np.ndarray,
    members: dict[int, list[int]],
    previous: Sequence[PreviousNeed],
) -> dict[int, str]:
    """Keep an earlier need's id when a cluster shares its evidence (Jaccard) or centroid."""
    ids: dict[int, str] = {}
    taken: set[str] = set()
    prev = [(p["id"], set(p.get("fragment_ids", ())), np.asarray(p.get("centroid", ()), dtype=np.float32)) for p in previous]
    # match the biggest clusters first so they win ties
    for lab in sorted(members, key=lambda k: -len(members[k])):
        rows = members[lab]
        frag_ids = {fragments[r].id for r in rows}
        cent = centred[rows].mean(axis=0)
        cent /= max(float(np.linalg.norm(cent)), 1e-9)
        best, best_score = None, 0.0
        for pid, pfrags, pcent in prev:
            if pid in taken:
                continue
            overlap = len(frag_ids & pfrags) / max(1, min(len(frag_ids), len(pfrags)))
            cos = float(cent @ pcent / max(float(np.linalg.norm(pcent)), 1e-9)) if pcent.shape == cent.shape else 0.0
            score = overlap if overlap >= 0.5 else (cos if cos >= 0.9 else 0.0)
            if score > best_score:
                best, best_score = pid, score
        if best is None:
            best = _new_id([fragments[r].id for r in rows])
            while best in taken:
                best = "N" + hashlib.sha1(best.encode()).hexdigest()[:6]
        ids[lab] = best
        taken.add(best)
    return ids
