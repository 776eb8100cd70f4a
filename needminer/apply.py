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

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from needminer.config import PipelineConfig, load_config
from needminer.errors import ConfigError
from needminer.model import Assignment, NeedModel, Overrides, known_and_new
from needminer.pipeline import (
    Progress,
    RunResult,
    embed_fragments,
    finish,
    load_overrides,
    make_manifest,
    preflight,
    start_backend,
    timed_stage,
    understand,
    write_outputs,
)
from needminer.types import Discovery

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Keys of the model's config that belong to the machine or the inputs it was fitted on, not to the model.
_LOCAL_KEYS = ("workspace", "overrides", "discover.guide", "embed.models_dir", "ingest.format", "ingest.mapping",
               "backend", "report.parquet", "discover.incremental")


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
        with start_backend(cfg, timings) as backend:
            u = understand(inputs, ws, cfg, timings, tick, progress, backend=backend)
            embedder, vecs = embed_fragments(u.need_fragments, ws, cfg, timings, progress, backend=backend)
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
