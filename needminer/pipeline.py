"""The only orchestrator: runs the stages in order and checks every hand-off.

    ingest → store → text → conversation → signals → embed → discover → describe → rank → report

Each stage is run through ``_stage``, which times it, checks that it returned its contract type
and names the stage in any error. Errors from inside a stage never carry chat text: a foreign
exception is reported by its type only (the original stays chained for debugging).

Before any long stage, ``preflight`` checks what can be checked up front: config ranges, inputs
present and readable (zip limits included), ``--out`` usable, and the workspace free. The
workspace lives outside the report folder (``needminer.store.default_workspace``), and the report
folder is swapped in whole: written to a hidden sibling folder, then renamed over ``--out``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from needminer._versions import versions
from needminer.config import PipelineConfig, validate_config
from needminer.errors import EmptyCorpusError, NeedMinerError, OutputError, StageError
from needminer.types import (
    CleanMessage,
    Conversation,
    Discovery,
    Evidence,
    Fragment,
    NeedStatement,
    RankedNeed,
    ReportFiles,
    Signal,
)

Progress = Callable[[str, int, int], None]
T = TypeVar("T")

STAGES = ("ingest", "text", "conversation", "signals", "embed", "discover", "describe", "rank", "report")


@dataclass
class RunResult:
    """What ``run`` produced."""

    files: ReportFiles
    needs: list[RankedNeed]
    discovery: Discovery
    manifest: dict[str, Any]
    ingest: dict[str, Any] = field(default_factory=dict)
    model: Any = None  # the NeedModel saved with ``save_model``


def timed_stage(name: str, timings: dict[str, float], fn: Callable[[], T], expected: type | tuple) -> T:
    start = time.perf_counter()
    try:
        out = fn()
    except NeedMinerError:
        raise
    except Exception as exc:  # a bug or a library failure: name the stage, never the data
        raise StageError(
            f"Stage '{name}' failed with {type(exc).__name__}. This is a bug in needminer or one of its "
            "libraries; please report it with the command you ran (add --debug to see the traceback)."
        ) from exc
    timings[name] = round(timings.get(name, 0.0) + time.perf_counter() - start, 3)
    if not isinstance(out, expected):
        raise StageError(f"Stage '{name}' returned {type(out).__name__} instead of {expected}.")
    return out


def _check_items(name: str, items: Sequence, kind: type) -> None:
    bad = next((x for x in items if not isinstance(x, kind)), None)
    if bad is not None:
        raise StageError(f"Stage '{name}' returned a {type(bad).__name__} item instead of {kind.__name__}.")


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _input_hashes(inputs: Sequence[str | Path], files: Sequence[Path] | None = None) -> list[dict[str, Any]]:
    """Path, size and SHA-256 of every file the run read (a zip counts as one file)."""
    if files is None:
        from needminer.ingest import input_files

        files = input_files(inputs)
    out = []
    for f in files:
        try:
            out.append({"path": str(f), "bytes": f.stat().st_size, "sha256": file_digest(f)})
        except OSError:  # gone or unreadable since the preflight: the ledger tells what was read
            out.append({"path": str(f), "bytes": None, "sha256": None})
    return out


# What a report folder may hold besides the files ``write_report`` names (and a workspace that
# older versions kept inside it): anything else means --out is not a report folder.
REPORT_FILES = frozenset({"index.html", "needs.json", "briefs.md", "needs.csv", "manifest.json", ".needminer",
                          "needs.parquet", "evidence.parquet"})


@dataclass
class Preflight:
    """What ``preflight`` found: the files to read and the workspace to use."""

    files: list[Path]
    workspace: Path
    key_id: str


def check_out_dir(out: Path) -> None:
    """Fail now, not after the run, when ``out`` cannot become the report folder.

    ``out`` may be missing, empty or an earlier report (it is replaced whole); a file, a folder
    of other files, or a place that cannot be written is refused.

    Raises:
        OutputError: Naming the path and what to do.
    """
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise OutputError(f"--out '{out}' is an existing file. Pass a folder path for the report.")
        try:
            names = {p.name for p in out.iterdir()}
        except OSError as exc:
            raise OutputError(f"--out '{out}' cannot be read ({type(exc).__name__}). Pass a writable folder.") from exc
        if not _is_report_dir(out, names):
            other = sorted(names - REPORT_FILES)[:3]
            raise OutputError(
                f"--out '{out}' already holds files that are not a needminer report ({', '.join(other)} …). "
                "The report folder is replaced whole on each run: pass a new or empty folder, or an earlier report folder."
            )
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".check", dir=parent)
        os.rmdir(probe)
    except OSError as exc:
        raise OutputError(
            f"Cannot write the report next to '{out}' ({type(exc).__name__}). Pass --out in a writable folder."
        ) from exc


def _is_report_dir(out: Path, names: set[str]) -> bool:
    if names <= REPORT_FILES:
        return True
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "needminer" in manifest and "inputs" in manifest


def preflight(inputs: Sequence[str | Path], out: Path, cfg: PipelineConfig) -> Preflight:
    """Everything that can fail cheaply, checked before ingest and the long stages.

    Raises:
        ConfigError: A config value out of range.
        InputError: An input is missing or unreadable.
        LimitError: A zip over the limits.
        OutputError: ``out`` cannot be used.
    """
    from needminer.ingest import input_files
    from needminer.store import default_workspace, inputs_id

    validate_config(cfg)
    if cfg.report.parquet:  # a missing pyarrow fails now, not after the long stages
        from needminer.parquet import pyarrow_modules

        pyarrow_modules()
    if not inputs:
        from needminer.errors import InputError

        raise InputError("No input given. Pass chat export files, folders or .zip archives.")
    files = input_files(inputs, limits=ingest_limits(cfg))
    check_out_dir(out)
    key_id = inputs_id(inputs)
    folder = Path(cfg.workspace) if cfg.workspace else default_workspace(inputs)
    if _inside(folder, out):
        raise OutputError(
            f"The workspace '{folder}' is inside --out '{out}'; the report folder must hold only redacted "
            "outputs. Pass --workspace outside it (or leave it out for the per-user default)."
        )
    return Preflight(files=files, workspace=folder, key_id=key_id)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def ingest_limits(cfg: PipelineConfig):
    """The ingest limits of ``cfg`` (``IngestLimits``)."""
    from needminer.ingest import IngestLimits

    return IngestLimits(
        max_zip_bytes=cfg.ingest.max_zip_mb << 20,
        max_zip_members=cfg.ingest.max_zip_members,
        max_message_chars=cfg.ingest.max_message_chars,
    )


def swap_in(out: Path, write: Callable[[Path], ReportFiles]) -> ReportFiles:
    """Write the report into a hidden sibling folder, then rename it over ``out``.

    A run that fails or is killed while writing leaves ``out`` as it was (plus, after a kill, a
    hidden ``.NAME.*.tmp`` folder next to it); readers never see half a report.
    """
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(parent, out.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
    old: Path | None = None
    try:
        files = write(tmp)
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; a report folder is meant to be shared
        if out.exists() or out.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            os.rename(out, old / "report")
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not out.exists() and (old / "report").exists():
            os.rename(old / "report", out)  # put the earlier report back
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return _rebase(files, tmp, out)


STALE_SECONDS = 3600.0


def _remove_stale(parent: Path, name: str) -> None:
    """Remove what a killed run left beside the report folder (hidden ``.NAME.*.tmp`` / ``.old``
    folders over an hour old; a younger one may belong to a run still writing)."""
    now = time.time()
    for suffix in (".tmp", ".old"):
        for p in parent.glob(f".{name}.*{suffix}"):
            with contextlib.suppress(OSError):
                if p.is_dir() and not p.is_symlink() and now - p.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(p)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _rebase(files: ReportFiles, old: Path, new: Path) -> ReportFiles:
    def move(p: Path) -> Path:
        with contextlib.suppress(ValueError):
            return new / Path(p).relative_to(old)
        return Path(p)

    return ReportFiles(
        out_dir=new, html=move(files.html), needs_json=move(files.needs_json), briefs_md=move(files.briefs_md),
        manifest=move(files.manifest), extra=tuple(move(p) for p in files.extra),
    )


@dataclass
class Understood:
    """The understanding stages' output: this run's messages, cleaned, threaded and labelled."""

    summary: Any  # IngestSummary
    n_messages: int  # messages of this run (the raw messages stay in the workspace)
    clean: list[CleanMessage]
    conversation: Conversation
    signals: list[Signal]
    need_fragments: list[Fragment]
    health: dict  # community health figures (``needminer.conversation.community_health``)


@dataclass
class Found:
    """The mining stages' output: embedded, clustered, curated, described and ranked needs.

    ``discovery`` is the clusters as found (kept in the workspace memory and a saved model);
    ``curated`` is after the overrides (merge, split, ban), which ``ranked`` describes; ``statements``
    describe ``curated`` before any rename.
    """

    embedder: Any
    discovery: Discovery
    ranked: list[RankedNeed]
    by_id: dict[str, CleanMessage]
    vectors: np.ndarray
    curated: Discovery
    statements: list[NeedStatement]
    curation: Any  # needminer.model.Curation
    overrides: Any  # needminer.model.Overrides
    reused: tuple[str, ...] = ()  # stages whose stored result was reused (unchanged input: "discover")


def run(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    config: PipelineConfig | None = None,
    *,
    progress: Progress | None = None,
    save_model: str | Path | None = None,
) -> RunResult:
    """Turn chat exports into a ranked need report.

    Four steps: preflight (every check before any long stage), understand (ingest, text,
    conversation, signals), find (embed, discover, describe, rank), report (health, manifest, the
    report folder swapped in).

    Args:
        inputs: Export files, folders or zips.
        out_dir: Report folder (created).
        config: Run configuration (defaults when None).
        progress: Optional callback ``(stage, done, total)``.
        save_model: Also save the fitted need model into this folder (``needminer apply`` reuses it).

    Returns:
        ``RunResult`` with the written files and the ranked needs.

    Raises:
        NeedMinerError: Bad input, bad config or a stage failure (the message names what to do).
    """
    from needminer.store import Workspace

    cfg = config or PipelineConfig()
    out = Path(out_dir)
    tick = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}
    started = datetime.now(timezone.utc)
    checked = preflight(inputs, out, cfg)
    if save_model is not None:
        from needminer.model import check_model_dir

        check_model_dir(save_model)
    load_overrides(cfg)  # a bad overrides file fails now, not after the long stages
    ws = Workspace(checked.workspace, key_id=checked.key_id)
    try:
        with start_backend(cfg, timings) as backend:
            understood = understand(inputs, ws, cfg, timings, tick, progress, backend=backend)
            found = _find(understood, ws, cfg, timings, tick, progress, backend=backend)
        manifest = make_manifest(inputs, checked, cfg, started, understood, found, timings)
        files = write_outputs(out, understood, found, manifest, cfg, timings, tick)
        manifest["timings"] = timings
        ws.record_run({**manifest, "needs": _need_memory(found.discovery, found.embedder.model_id)})
        model = timed_stage("save model", timings, lambda: save_need_model(found, understood, cfg, save_model),
                       object) if save_model is not None else None
        return RunResult(files=files, needs=found.ranked, discovery=found.curated, manifest=manifest,
                         ingest=understood.summary.to_dict(), model=model)
    finally:
        ws.close()


def start_backend(cfg: PipelineConfig, timings: dict[str, float]):
    """The backend ``cfg.backend`` names, started (a Ray instance takes seconds: timed as "backend")."""
    from needminer.backend import get_backend

    if cfg.backend.kind == "local":
        return get_backend(cfg.backend)
    return timed_stage("backend", timings, lambda: get_backend(cfg.backend), object)


def understand(inputs, ws, cfg: PipelineConfig, timings: dict[str, float], tick, progress,
               backend=None) -> Understood:
    """Ingest into the workspace, clean the run's messages, thread them and detect need signals
    (text and signals on ``backend``; None = in this process)."""
    from needminer.backend import LocalBackend
    from needminer.conversation import build_conversation, community_health
    from needminer.ingest import ingest_to_workspace
    from needminer.signals import detect_with_cache

    run_ids: list[str] = []
    summary = timed_stage(
        "ingest",
        timings,
        lambda: ingest_to_workspace(
            inputs, ws, format=cfg.ingest.format, tz=cfg.ingest.tz, mapping=cfg.ingest.mapping or None,
            on_message_ids=run_ids.extend, progress=progress, limits=ingest_limits(cfg),
        ),
        object,
    )
    # as `needminer ingest` does: what was read is kept, and an input with a bad line or a
    # skipped part keeps its error in the ledger (a warning, and in manifest.json); only
    # inputs that gave no message at all stop the run (ingest_to_workspace raises then)
    tick("ingest", 1, 1)
    ids = list(dict.fromkeys(run_ids))
    if not ids:
        raise EmptyCorpusError("The inputs hold no messages. Check the files (see `needminer ingest --dry-run`).")
    backend = backend or LocalBackend()
    # read from the workspace twice (names, then the text stage) rather than holding every raw
    # message of a large export in memory beside its cleaned copy
    clean = timed_stage("text", timings, lambda: backend.clean(lambda: ws.iter_messages(ids), secret=ws.secret,
                                                              config=cfg.text), list)
    _check_items("text", clean, CleanMessage)
    tick("text", 1, 1)
    conv = timed_stage("conversation", timings, lambda: build_conversation(clean, cfg.conversation), Conversation)
    tick("conversation", 1, 1)
    # messages labelled by an earlier run with the same detector are read back (a re-run or a grown
    # export labels only what is new)
    sigs = timed_stage("signals", timings, lambda: detect_with_cache(
        lambda frags: backend.detect(cfg.signals.detector, frags), cfg.signals.detector, conv.fragments, ws), list)
    _check_items("signals", sigs, Signal)
    tick("signals", 1, 1)
    need_frags = [f for f, s in zip(conv.fragments, sigs) if s.need and s.intensity >= cfg.signals.min_intensity]
    if not need_frags:
        raise EmptyCorpusError(
            f"None of the {len(conv.fragments)} text fragments carries a need (complaint, wish or question). "
            "The chats may be only chit-chat; try a longer export."
        )
    # the health figures read the chats' layouts the threads were cut from; computed now, the
    # layouts need not stay alive through discovery (the run's memory high-water mark)
    health = timed_stage("health", timings, lambda: community_health(clean, conv, sigs, tz=cfg.ingest.tz), dict)
    conv = replace(conv, layouts=None)
    return Understood(summary, len(clean), clean, conv, sigs, need_frags, health)


def _find(u: Understood, ws, cfg: PipelineConfig, timings: dict[str, float], tick, progress,
          backend=None) -> Found:
    """Embed the need fragments, discover needs, then curate, describe and rank them (``finish``)."""
    from needminer.discover import discover_needs, discovery_key, discovery_to_json, settings_key

    need_frags = u.need_fragments
    embedder, vecs = embed_fragments(need_frags, ws, cfg, timings, progress, backend=backend)
    previous = _previous_needs(ws, embedder.model_id)
    guide = _guide(cfg, embedder, ws)
    blocks = getattr(embedder, "blocks", None)
    code = versions().get("needminer", "")
    key = discovery_key(need_frags, vecs, cfg.discover, seed=cfg.seed, blocks=blocks, guide=guide, code_version=code)
    base = settings_key(cfg.discover, seed=cfg.seed, blocks=blocks, guide=guide, code_version=code,
                        model_id=embedder.model_id)
    stored = _stored_state(ws)
    disc = timed_stage("discover", timings, lambda: _stored_discovery(stored, key, cfg.discover.incremental),
                       (Discovery, type(None)))
    reused: tuple[str, ...] = ("discover",) if disc is not None else ()
    if disc is None and cfg.discover.incremental:
        disc = timed_stage("discover", timings, lambda: grown_discovery(stored, base, need_frags, vecs, cfg, blocks),
                           (Discovery, type(None)))
        reused = ("discover-incremental",) if disc is not None else ()
    if disc is None:
        disc = timed_stage(
            "discover", timings,
            lambda: discover_needs(need_frags, vecs, cfg.discover, seed=cfg.seed, previous=previous, blocks=blocks, guide=guide),
            Discovery,
        )
    if reused != ("discover",):
        ws.put_state(DISCOVERY_STATE, json.dumps({"key": key, "base": base, "grown": bool(reused),
                                                  "discovery": discovery_to_json(disc)}, ensure_ascii=False))
    tick("discover", 1, 1)
    found = finish(u, embedder, vecs, disc, cfg, timings, tick, overrides=load_overrides(cfg))
    return replace(found, reused=reused) if reused else found


DISCOVERY_STATE = "discovery"  # the workspace keeps the last discovery with the digest of its input
# An incremental run grows the last discovery when the new fragments are at most this share of the old.
MAX_GROWTH = 0.5


def _stored_state(ws) -> dict | None:
    """The workspace's last discovery record (``key``, ``base``, ``discovery``), or None."""
    stored = ws.get_state(DISCOVERY_STATE)
    if not stored:
        return None
    try:
        data = json.loads(stored)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _stored_discovery(stored: dict | None, key: str, incremental: bool = False) -> Discovery | None:
    """The workspace's last discovery if its input digest is ``key`` (unchanged input), else None.
    A grown discovery (an incremental run's) is reused only by an incremental run: a plain run of
    the same input discovers afresh."""
    from needminer.discover import discovery_from_json

    if not stored or stored.get("key") != key or (stored.get("grown") and not incremental):
        return None
    try:
        return discovery_from_json(stored["discovery"])
    except (ValueError, KeyError, TypeError):  # written by another version: recompute
        return None


def grown_discovery(stored: dict | None, base: str, frags: Sequence[Fragment], vecs: np.ndarray,
                    cfg: PipelineConfig, blocks) -> Discovery | None:
    """The last discovery grown by the export's new fragments (``discover.incremental``), or None
    when it cannot be: none stored, other settings, seed, embedder or code (``base``), fragments of
    it that are gone, or more new fragments than ``MAX_GROWTH`` of the old.

    How it grows: ``needminer.model.grow_discovery``.
    """
    from needminer.discover import discovery_from_json
    from needminer.model import grow_discovery

    if not stored or stored.get("base") != base:
        return None
    try:
        old = discovery_from_json(stored["discovery"])
    except (ValueError, KeyError, TypeError):
        return None
    row = {f.id: i for i, f in enumerate(frags)}
    old_ids = [f for c in old.clusters for f in c.fragment_ids] + list(old.unassigned)
    if not old_ids or any(f not in row for f in old_ids) or len(frags) - len(old_ids) > MAX_GROWTH * len(old_ids):
        return None
    return grow_discovery(old, frags, vecs, cfg, blocks=blocks)


def embed_fragments(frags: Sequence[Fragment], ws, cfg: PipelineConfig, timings: dict[str, float], progress,
                    backend=None):
    """The configured embedder and the fragments' vectors (cached in the workspace; the texts not
    cached yet are embedded on ``backend`` when one is given)."""
    from needminer.embed import embed_with_cache, get_embedder

    spec = {"name": cfg.embed.embedder, "models_dir": cfg.embed.models_dir, "batch_size": cfg.embed.batch_size,
            "threads": cfg.embed.threads}
    embedder = get_embedder(**spec)
    texts = [_embed_text(f, cfg.embed.with_context) for f in frags]
    remote = None if backend is None or backend.name == "local" else (lambda todo: backend.embed(embedder, spec, todo))
    vecs = timed_stage("embed", timings, lambda: embed_with_cache(embedder, texts, ws, progress=progress,
                                                                   embed_chunk=remote), np.ndarray)
    return embedder, vecs


def load_overrides(cfg: PipelineConfig):
    """The overrides file named by ``cfg.overrides`` (``--overrides``), or empty overrides."""
    from needminer.model import Overrides

    return Overrides.load(cfg.overrides) if cfg.overrides else Overrides()


def finish(u: Understood, embedder, vecs: np.ndarray, disc: Discovery, cfg: PipelineConfig,
           timings: dict[str, float], tick, *, overrides, known: Mapping[str, tuple[str, str]] | None = None) -> Found:
    """Curate the clusters (merge, split, ban), describe, rename, rank and pin.

    Args:
        known: Need id → (title, statement) that a known need keeps (``needminer apply``).
    """
    from needminer.describe import describe_needs
    from needminer.model import Curation, curate_discovery, curate_ranking, curate_statements
    from needminer.rank import rank_needs

    need_frags = u.need_fragments
    curation = Curation()
    curated = curate_discovery(disc, need_frags, overrides, curation)
    stmts = timed_stage(
        "describe", timings,
        lambda: describe_needs(curated, need_frags, u.signals, describer=cfg.describe.describer,
                               options=_describer_options(cfg)),
        list,
    )
    if known:
        stmts = [replace(st, title=known[st.need_id][0], statement=known[st.need_id][1] or st.statement)
                 if st.need_id in known else st for st in stmts]
    described = stmts  # before renames: what a saved model keeps (the overrides travel with it)
    stmts = curate_statements(stmts, overrides, curation)
    tick("describe", 1, 1)
    by_id = {m.id: m for m in u.clean}
    ranked = timed_stage(
        "rank", timings,
        lambda: rank_needs(stmts, curated, need_frags, u.signals, u.conversation, by_id, cfg.rank,
                           max_quotes=cfg.report.max_quotes, bar_titles={st.need_id: st.title for st in described}),
        list,
    )
    _check_items("rank", ranked, RankedNeed)
    ranked = curate_ranking(ranked, overrides, curation)
    tick("rank", 1, 1)
    return Found(embedder, disc, ranked, by_id, vecs, curated, described, curation, overrides)


def make_manifest(inputs, checked: Preflight, cfg: PipelineConfig, started: datetime, u: Understood, found: Found,
              timings: dict[str, float]) -> dict[str, Any]:
    """What the run read, with which settings and versions, and what it found (manifest.json)."""
    return {
        "needminer": versions().get("needminer", ""),
        "started": started.isoformat(),
        "inputs": _input_hashes(inputs, checked.files),
        "ingest": u.summary.to_dict(),
        "config": cfg.to_dict(),
        "seed": cfg.seed,
        "embedder": found.embedder.model_id,
        "versions": versions(),
        "counts": {
            "messages": u.n_messages,
            "fragments": len(u.conversation.fragments),
            "need_fragments": len(u.need_fragments),
            "endorsements": len(u.conversation.endorsements),
            "needs": len(found.ranked),
            "coverage": round(found.curated.coverage, 4),
        },
        "timings": timings,
        "reused": list(found.reused),
        **({"overrides": found.curation.to_dict(found.overrides, Path(cfg.overrides).name if cfg.overrides else "model")}
           if found.overrides else {}),
    }


def write_outputs(out: Path, u: Understood, found: Found, manifest: dict[str, Any], cfg: PipelineConfig,
            timings: dict[str, float], tick) -> ReportFiles:
    """The report (with the community health figures) written to a sibling folder and swapped in over ``out``."""
    from needminer.rank import formula
    from needminer.report import need_engagement, write_report
    health = u.health
    unclustered = _unclustered(found.curated, u.need_fragments, u.signals, found.by_id)
    files = timed_stage(
        "report", timings,
        lambda: swap_in(out, lambda folder: write_report(
            found.ranked, folder, manifest=manifest, health=health, unclustered=unclustered,
            lang=cfg.report.lang, formula=formula(cfg.rank),
            engagement=need_engagement(found.ranked, u.conversation, u.clean), curation=found.curation.notes,
            parquet=cfg.report.parquet,
        )),
        ReportFiles,
    )
    tick("report", 1, 1)
    return files


def save_need_model(found: Found, u: Understood, cfg: PipelineConfig, folder: str | Path):
    """Fit the need model of a run (its clusters before overrides, which the model carries) and save it."""
    from needminer.describe import describe_needs
    from needminer.model import fit_need_model

    stmts = found.statements
    if found.curated is not found.discovery:  # the overrides changed the clusters: describe them as found
        stmts = describe_needs(found.discovery, u.need_fragments, u.signals, describer=cfg.describe.describer,
                               options=_describer_options(cfg))
    model = fit_need_model(
        found.discovery, stmts, u.need_fragments, found.vectors, blocks=getattr(found.embedder, "blocks", None),
        embedder=cfg.embed.embedder, embedder_id=found.embedder.model_id, config=cfg.to_dict(),
        overrides=found.overrides.to_dict(), versions=versions(), curated=(found.curated, [n.statement for n in found.ranked]),
    )
    model.save(folder)
    return model


def _describer_options(cfg: PipelineConfig) -> dict:
    d = cfg.describe
    if d.describer.startswith("llm"):
        return {"base_url": d.llm_base_url, "model": d.llm_model, "api_key_env": d.llm_api_key_env,
                "lang": cfg.report.lang}
    if d.describer.startswith("extractive"):  # the statement in the report's language
        return {"lang": cfg.report.lang}
    return {}


def _guide(cfg: PipelineConfig, embedder, ws):
    """Known needs for guided discovery (``discover.guide``), embedded like the fragments; None when unset."""
    if not cfg.discover.guide:
        return None
    from needminer.discover import Guide, read_guide
    from needminer.embed import embed_with_cache
    from needminer.text import normalize

    labels = read_guide(cfg.discover.guide)
    vectors = embed_with_cache(embedder, [normalize(x) for x in labels], ws)
    return Guide(labels=tuple(labels), vectors=vectors)


def _embed_text(f: Fragment, with_context: bool) -> str:
    return f"{f.context} {f.text}".strip() if with_context and f.context else f.text


def _previous_needs(ws, model_id: str) -> list[dict]:
    last = ws.last_run()
    if not last:
        return []
    mem = last.get("needs") or {}
    return list(mem.get("needs", [])) if mem.get("embedder") == model_id else []


def _need_memory(disc: Discovery, model_id: str) -> dict:
    cents = disc.params.get("centroids", {})
    return {
        "embedder": model_id,
        "needs": [{"id": c.id, "fragment_ids": list(c.fragment_ids), "centroid": cents.get(c.id, [])} for c in disc.clusters],
    }


def _unclustered(
    disc: Discovery, frags: Sequence[Fragment], sigs: Sequence[Signal], messages: dict[str, CleanMessage], k: int = 50
) -> list[Evidence]:
    """Intense fragments that no need holds confidently: unassigned or reassigned outliers."""
    sig = {s.fragment_id: s for s in sigs}
    loose = set(disc.unassigned) | {fid for c in disc.clusters for fid in c.reassigned}
    picked = sorted(
        (f for f in frags if f.id in loose and f.id in sig and sig[f.id].intensity >= 0.4),
        key=lambda f: -sig[f.id].intensity,
    )[:k]
    return [
        Evidence(
            message_id=f.message_id, chat=f.chat, speaker=f.speaker, time=f.time,
            text=messages[f.message_id].text if f.message_id in messages else f.text, span=f.span, fragment_id=f.id,
        )
        for f in picked
    ]


@dataclass
class TextClusters:
    """Result of ``cluster_texts``: one need id and title per input text ("" when unassigned)."""

    need_ids: list[str]
    titles: list[str]
    discovery: Discovery


def cluster_texts(
    texts: Sequence[str],
    config: PipelineConfig | None = None,
    *,
    workspace: str | Path | None = None,
    progress: Progress | None = None,
) -> TextClusters:
    """Cluster exactly these texts as fragments (no signal filtering) and title each need.

    Args:
        texts: One text per row.
        config: Uses ``embed`` and ``discover`` settings and ``seed``.
        workspace: Optional workspace folder for the embedding cache.
        progress: Optional callback ``(stage, done, total)``.
    """
    from needminer.describe import describe_needs
    from needminer.discover import discover_needs
    from needminer.embed import embed_with_cache, get_embedder
    from needminer.store import Workspace
    from needminer.text import normalize

    cfg = config or PipelineConfig()
    timings: dict[str, float] = {}
    frags = [
        Fragment(id=f"row{i}", message_id=f"row{i}", chat="", speaker=f"row{i}", text=normalize(t), span=(0, len(t)))
        for i, t in enumerate(texts)
    ]
    keep = [f for f in frags if f.text.strip()]
    if not keep:
        raise EmptyCorpusError("All texts are empty; there is nothing to cluster.")
    embedder = get_embedder(
        cfg.embed.embedder, models_dir=cfg.embed.models_dir, batch_size=cfg.embed.batch_size, threads=cfg.embed.threads
    )
    ws = Workspace(workspace) if workspace else None
    try:
        vecs = timed_stage("embed", timings, lambda: embed_with_cache(embedder, [f.text for f in keep], ws, progress=progress), np.ndarray)
        guide = _guide(cfg, embedder, ws)
    finally:
        if ws is not None:
            ws.close()
    blocks = getattr(embedder, "blocks", None)
    disc = timed_stage(
        "discover", timings,
        lambda: discover_needs(keep, vecs, cfg.discover, seed=cfg.seed, blocks=blocks, guide=guide), Discovery,
    )
    stmts = timed_stage("describe", timings, lambda: describe_needs(disc, keep), list)
    # a scattered group is not a need: its rows stay unassigned, like outliers
    label = {fid: c.id for c in disc.clusters if not c.scattered for fid in c.fragment_ids}
    title = {s.need_id: s.title for s in stmts}
    ids = [label.get(f.id, "") for f in frags]
    return TextClusters(need_ids=ids, titles=[title.get(i, "") for i in ids], discovery=disc)
