"""Apply a saved need model to new chat exports (``needminer apply``), at the pipeline layer.

The new exports go through the same stages as ``needminer run`` up to the embeddings (ingest,
text, conversation, signals, embed). Then, instead of clustering everything afresh:

1. a fragment whose text the model was fitted on keeps the fit's need (or stays in none); every
   other need-bearing fragment is assigned to its nearest known need, with its cosine to that
   need's centroid as the confidence (``NeedModel.assign``); below the model's threshold it goes
   to a "new" pile;
2. the new pile is clustered on its own (``needminer.discover.discover_needs``); groups more like
   each other than like any known need are one group (a small pile of one new need splits easily);
   each focused group of at least ``MIN_CANDIDATE_FRAGMENTS`` fragments from
   ``MIN_CANDIDATE_SPEAKERS`` people is a candidate new need, the rest stays unassigned;
3. known needs and candidates are curated (the overrides), described, ranked and reported as a run
   would be: a known need keeps its id, title and statement; a candidate is marked as new.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from needminer.config import PipelineConfig, load_config
from needminer.errors import ConfigError
from needminer.model import Assignment, NeedModel, Overrides
from needminer.pipeline import (
    Progress,
    RunResult,
    embed_fragments,
    finish,
    load_overrides,
    make_manifest,
    preflight,
    timed_stage,
    understand,
    write_outputs,
)
from needminer.types import Discovery, Fragment, NeedCluster

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MIN_CANDIDATE_FRAGMENTS = 3  # a candidate new need gathers at least this many fragments …
MIN_CANDIDATE_SPEAKERS = 2  # … said by at least this many people
# Keys of the model's config that belong to the machine or the inputs it was fitted on, not to the model.
_LOCAL_KEYS = ("workspace", "overrides", "discover.guide", "embed.models_dir", "ingest.format", "ingest.mapping")


@dataclass
class ApplyResult(RunResult):
    """What ``apply_model`` produced: a run's result plus where each fragment went.

    Attributes:
        assignment: The known-need assignment of every need-bearing fragment (before the overrides).
        candidates: Ids of the candidate new needs, largest first.
    """

    assignment: Assignment | None = None
    candidates: list[str] = field(default_factory=list)


def apply_config(model: NeedModel, path: str | Path | None = None, overrides: Mapping[str, Any] | None = None) -> PipelineConfig:
    """The config an apply runs with: the model's config, then a TOML file, then dotted overrides.

    The model's embedder comes with it, so the vectors live in the model's space; machine-local
    keys (workspace, models folder, guide, overrides file) are not taken from the model.

    Raises:
        ConfigError: The file is missing or not TOML, or a key or value is invalid.
    """
    merged = {k: v for k, v in _flatten(model.config).items()
              if not any(k == key or k.startswith(key + ".") for key in _LOCAL_KEYS)}
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"Config file '{p}' does not exist. Pass an existing TOML file to --config.")
        try:
            merged.update(_flatten(tomllib.loads(p.read_text(encoding="utf-8"))))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Config file '{p}' is not valid TOML: {exc}. Fix the syntax and retry.") from exc
    merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return load_config(None, merged)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            out.update(_flatten(value, f"{prefix}{key}."))
        elif not isinstance(value, Mapping):
            out[f"{prefix}{key}"] = value
    return out


def apply_model(
    model: NeedModel | str | Path,
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    config: PipelineConfig | None = None,
    *,
    threshold: float | None = None,
    progress: Progress | None = None,
) -> ApplyResult:
    """Assign new chats to a saved model's needs, list candidate new needs, and write the report.

    Args:
        model: A ``NeedModel`` or its folder.
        inputs: Export files, folders or zips.
        out_dir: Report folder (replaced whole, as for ``run``).
        config: Run configuration; None = ``apply_config(model)`` (the model's own).
        threshold: Cosine below which a fragment goes to the "new" pile; None = the model's.
        progress: Optional callback ``(stage, done, total)``.

    Returns:
        ``ApplyResult``; its manifest has ``model`` and ``apply`` sections.

    Raises:
        ModelError: The model folder is missing, corrupt or from another version, or the config's
            embedder is not the model's.
        NeedMinerError: As ``needminer.pipeline.run``.
    """
    from needminer.store import Workspace

    model = model if isinstance(model, NeedModel) else NeedModel.load(model)
    cfg = config or apply_config(model)
    out = Path(out_dir)
    tick = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    started = datetime.now(timezone.utc)
    checked = preflight(inputs, out, cfg)
    _check_embedder(model, cfg)  # before the long stages
    overrides = load_overrides(cfg) if cfg.overrides else Overrides.from_dict(model.overrides, "the model's overrides")
    ws = Workspace(checked.workspace, key_id=checked.key_id)
    try:
        u = understand(inputs, ws, cfg, timings, tick, progress)
        embedder, vecs = embed_fragments(u.need_fragments, ws, cfg, timings, progress)
        model.check_embedder(embedder.model_id)
        texts = [f.text for f in u.need_fragments]
        assignment = timed_stage("assign", timings, lambda: model.assign(vecs, threshold, texts), Assignment)
        disc = timed_stage("discover", timings,
                      lambda: known_and_new(model, assignment, u.need_fragments, vecs, cfg,
                                            blocks=getattr(embedder, "blocks", None)), Discovery)
        tick("discover", 1, 1)
        known = {n.id: (n.title, n.statement) for n in model.needs}
        found = finish(u, embedder, vecs, disc, cfg, timings, tick, overrides=overrides, known=known)
        candidates = list(disc.params.get("candidates", ()))
        shown = {n.id for n in found.ranked}
        for cid in candidates:
            if cid in shown:
                found.curation.note(cid, {"op": "new"})
        manifest = make_manifest(inputs, checked, cfg, started, u, found, timings)
        manifest["model"] = {"needs": len(model.needs), "embedder": model.embedder_id, "created": model.created,
                             "threshold": model.threshold, "needminer": model.versions.get("needminer", "")}
        manifest["apply"] = {k: disc.params[k] for k in ("threshold", "known_fragments", "new_pile", "candidates",
                                                          "unassigned", "seen")}
        if found.overrides and "overrides" in manifest and not cfg.overrides:
            manifest["overrides"]["source"] = "model"
        files = write_outputs(out, u, found, manifest, cfg, timings, tick)
        manifest["timings"] = timings
        return ApplyResult(files=files, needs=found.ranked, discovery=found.curated, manifest=manifest,
                           ingest=u.summary.to_dict(), assignment=assignment, candidates=candidates)
    finally:
        ws.close()


def _check_embedder(model: NeedModel, cfg: PipelineConfig) -> None:
    from needminer.embed import get_embedder

    embedder = get_embedder(cfg.embed.embedder, models_dir=cfg.embed.models_dir, batch_size=cfg.embed.batch_size,
                            threads=cfg.embed.threads)
    model.check_embedder(embedder.model_id)


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
    from needminer.model import centre_with

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
