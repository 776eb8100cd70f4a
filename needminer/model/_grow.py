"""Known needs and new ones: assign fragments to a fitted need model, cluster what is left.

Used by ``needminer apply`` (a saved model on new exports) and by an incremental run (the
workspace's last discovery as the model, the export's new fragments as what is left).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from needminer.config import PipelineConfig
from needminer.model._need_model import Assignment, NeedModel
from needminer.types import Discovery, Fragment, NeedCluster

MIN_CANDIDATE_FRAGMENTS = 3  # a candidate new need gathers at least this many fragments …
MIN_CANDIDATE_SPEAKERS = 2  # … said by at least this many people


def known_and_new(
    model: NeedModel,
    assignment: Assignment,
    fragments: Sequence[Fragment],
    vectors: np.ndarray,
    cfg: PipelineConfig,
    *,
    blocks: Sequence[int] | None = None,
) -> Discovery:
    """The clusters of an apply: the known needs that received fragments, then candidate new needs.

    Returns:
        A ``Discovery`` whose ``params`` hold ``threshold``, ``known_fragments``, ``new_pile``,
        ``candidates`` (ids), ``unassigned`` (count) and ``seen`` (fragments whose text the model
        was fitted on).
    """
    rows: dict[str, list[int]] = {}
    for i, nid in enumerate(assignment.need_ids):
        if nid:
            rows.setdefault(nid, []).append(i)
    conf = assignment.confidence
    clusters = []
    for need in model.needs:
        members = sorted(rows.get(need.id, ()), key=lambda r: (-float(conf[r]), r))
        if members:
            clusters.append(NeedCluster(
                id=need.id, fragment_ids=tuple(fragments[r].id for r in members), domain=need.domain,
                keywords=need.keywords, confidence=tuple(round(float(conf[r]), 4) for r in members),
                scattered=need.scattered,
            ))
    seen = assignment.seen or (False,) * len(assignment.need_ids)
    # a text the fit left in no need stays loose: only texts the model never saw can make a new need
    pile = [i for i, nid in enumerate(assignment.need_ids) if not nid and not seen[i]]
    new, loose = _candidates(model, [fragments[i] for i in pile], vectors[pile], cfg, blocks)
    loose = [fragments[i].id for i, nid in enumerate(assignment.need_ids) if not nid and seen[i]] + loose
    known_n = sum(len(c.fragment_ids) for c in clusters)
    covered = known_n + sum(len(c.fragment_ids) for c in new)
    return Discovery(
        clusters=tuple(clusters + new),
        unassigned=tuple(loose),
        coverage=covered / len(fragments) if fragments else 0.0,
        params={"clusterer": "need_model", "threshold": model.threshold, "known_fragments": known_n,
                "new_pile": len(pile), "candidates": [c.id for c in new], "unassigned": len(loose), "seen": sum(seen)},
    )


def _candidates(model: NeedModel, pile: Sequence[Fragment], vectors: np.ndarray, cfg: PipelineConfig,
                blocks: Sequence[int] | None) -> tuple[list[NeedCluster], list[str]]:
    """Cluster the new pile; focused groups big enough are candidate new needs, the rest stays loose."""
    from needminer.discover import discover_needs

    if len(pile) < MIN_CANDIDATE_FRAGMENTS:
        return [], [f.id for f in pile]
    disc = discover_needs(pile, vectors, cfg.discover, seed=cfg.seed, blocks=blocks)
    disc = _known_background(model, _join_candidates(model, disc, pile, vectors), pile)
    speakers = {f.id: f.speaker for f in pile}
    taken = set(model.ids)
    new, loose = [], list(disc.unassigned)
    for c in disc.clusters:
        if c.scattered or len(c.fragment_ids) < MIN_CANDIDATE_FRAGMENTS or \
                len({speakers[f] for f in c.fragment_ids}) < MIN_CANDIDATE_SPEAKERS or c.id in taken:
            loose.extend(c.fragment_ids)
            continue
        new.append(c)
    new.sort(key=lambda c: (-len(c.fragment_ids), c.id))
    return new, loose


def _join_candidates(model: NeedModel, disc: Discovery, pile: Sequence[Fragment], vectors: np.ndarray) -> Discovery:
    """Join groups of the new pile whose centroids are more alike than either is to any known need
    (in the model's space): measured against what the model knows, they are one new need."""
    from needminer.model._need_model import centre_with

    groups = [c for c in disc.clusters if not c.scattered]
    if len(groups) < 2:
        return disc
    row = {f.id: i for i, f in enumerate(pile)}
    space = centre_with(vectors, model.means, model.blocks)
    cents = np.stack([space[[row[f] for f in c.fragment_ids]].mean(axis=0) for c in groups])
    cents /= np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-12)
    usable = [i for i, n in enumerate(model.needs) if not n.scattered]
    known = (cents @ model.centroids[usable].T).max(axis=1) if usable else np.full(len(groups), -1.0)
    sims = cents @ cents.T
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for a in range(len(groups)):
        for b in range(a + 1, len(groups)):
            if sims[a, b] > max(known[a], known[b]):
                parent[root(b)] = root(a)
    if all(root(i) == i for i in range(len(groups))):
        return disc
    joined: dict[int, list[NeedCluster]] = {}
    for i, c in enumerate(groups):
        joined.setdefault(root(i), []).append(c)
    out = []
    for parts in joined.values():
        head = max(parts, key=lambda c: (len(c.fragment_ids), c.id))
        ids = tuple(f for c in parts for f in c.fragment_ids)
        conf = tuple(x for c in parts for x in (c.confidence or (1.0,) * len(c.fragment_ids)))
        out.append(dataclasses.replace(head, fragment_ids=ids, confidence=conf))
    return dataclasses.replace(disc, clusters=tuple(out + [c for c in disc.clusters if c.scattered]))


def _known_background(model: NeedModel, disc: Discovery, pile: Sequence[Fragment]) -> Discovery:
    """Keywords of the pile's groups against the fitted corpus too (``NeedModel.vocabulary``): a word
    the known needs say everywhere (宝宝 in a parenting group) is no keyword of a new need."""
    from needminer.text import ctfidf_keywords

    groups = [c for c in disc.clusters if not c.scattered]
    if not model.vocabulary or not groups:
        return disc
    row = {f.id: i for i, f in enumerate(pile)}
    labels = np.full(len(pile), -1, dtype=int)
    for k, c in enumerate(groups):
        labels[[row[f] for f in c.fragment_ids]] = k
    words = ctfidf_keywords([f.text for f in pile], labels, background=model.vocabulary,
                            background_classes=sum(1 for n in model.needs if not n.scattered))
    out = [dataclasses.replace(c, keywords=tuple(words.get(k) or c.keywords)) for k, c in enumerate(groups)]
    return dataclasses.replace(disc, clusters=tuple(out + [c for c in disc.clusters if c.scattered]))


def grow_discovery(old: Discovery, frags: Sequence[Fragment], vecs: np.ndarray, cfg: PipelineConfig, *,
                   blocks: Sequence[int] | None = None) -> Discovery:
    """``old`` (a discovery of some of ``frags``) grown by the other fragments (an incremental run).

    The old needs keep their fragments, order and confidence; ``old`` is fitted as a need model (its
    centroids and threshold, as ``--save-model`` would) and each new fragment joins its nearest
    need when close enough (with that need's mean confidence: the model's cosines are on another
    scale, and ranking reads confidence); the rest is clustered on its own into candidate new needs
    (``known_and_new``, as ``needminer apply`` does).

    Args:
        old: The stored discovery; every fragment id in it must be among ``frags``.
        frags, vecs: All fragments of this run and their raw embeddings.
        cfg: The run's config (discover settings and seed for the new pile).
        blocks: ``ConcatEmbedder.blocks`` of the embedder, if any.
    """
    from dataclasses import replace

    from needminer.model._fit import fit_need_model

    row = {f.id: i for i, f in enumerate(frags)}
    old_ids = [f for c in old.clusters for f in c.fragment_ids] + list(old.unassigned)
    old_rows = [row[f] for f in old_ids]
    model = fit_need_model(old, [], [frags[r] for r in old_rows], vecs[old_rows], blocks=blocks)
    texts = [f.text for f in frags]
    assignment = model.assign(vecs, None, texts)
    # a fragment of the last discovery keeps its place (by id: its text may also sit in another need)
    where = {f: c.id for c in old.clusters for f in c.fragment_ids} | dict.fromkeys(old.unassigned, "")
    need_ids = tuple(where.get(f.id, nid) for f, nid in zip(frags, assignment.need_ids))
    seen = tuple(f.id in where or bool(s) for f, s in zip(frags, assignment.seen or (False,) * len(frags)))
    assignment = replace(assignment, need_ids=need_ids, seen=seen)
    grown = known_and_new(model, assignment, frags, vecs, cfg, blocks=blocks)
    # the stored members keep their order and confidence; a new member takes its need's mean
    # confidence (the model's cosines are on another scale, and ranking reads confidence)
    stored = {c.id: c for c in old.clusters}
    clusters = []
    for c in grown.clusters:
        before = stored.get(c.id)
        if before is None:
            clusters.append(c)
            continue
        kept = set(before.fragment_ids)
        new_ids = tuple(f for f in c.fragment_ids if f not in kept)
        conf = before.confidence or (1.0,) * len(before.fragment_ids)
        mean = round(sum(conf) / len(conf), 4)
        clusters.append(replace(before, fragment_ids=before.fragment_ids + new_ids, confidence=tuple(conf) + (mean,) * len(new_ids)))
    return replace(grown, clusters=tuple(clusters), params={**old.params, "incremental": {k: grown.params[k] for k in (
        "known_fragments", "new_pile", "candidates", "unassigned")}})
