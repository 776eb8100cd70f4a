"""`needminer run`: exports in, ranked need report out."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from needminer.cli._common import (
    done,
    error_boundary,
    input_options,
    input_warnings,
    out_console,
    stage_progress,
    top_needs,
    warn,
)

log = logging.getLogger("needminer.cli")


def run_cmd(
    inputs: Annotated[list[Path], typer.Argument(help="Chat export files, folders or .zip archives.", show_default=False, readable=False)],  # checked by needminer: exit 3
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder (index.html, needs.json, briefs.md, manifest.json).")] = Path("reports/latest"),
    embedder: Annotated[Optional[str], typer.Option(help="Embedding model: e5-small+lite (default: both, concatenated), e5-small, lite, hf:PATH-OR-ID, hashing (tests only); join names with + to combine.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="TOML config file (see README).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Random seed (same input + seed = same needs).")] = None,
    workspace: Annotated[Optional[Path], typer.Option(help="Workspace folder (messages, embedding cache, pseudonym key; private). Default: one per set of inputs in the per-user data folder (see `needminer workspace list`); never inside OUT.")] = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="Force an input format (see `needminer formats`); default: detect.")] = None,
    tz: Annotated[Optional[str], typer.Option(help="Time zone of naive local times in exports.")] = None,
    map: Annotated[Optional[str], typer.Option("--map", help="Column mapping for generic CSV/JSONL, e.g. text=content,sender=nick,time=CreateTime.")] = None,
    granularity: Annotated[Optional[str], typer.Option(help="coarse, normal, fine or a number of needs.")] = None,
    lang: Annotated[Optional[str], typer.Option(help="Report language: zh or en.")] = None,
    guide: Annotated[Optional[Path], typer.Option(help="Guided mode: a text file of known needs (one per line) that seed and name needs.")] = None,
    overrides: Annotated[Optional[Path], typer.Option(help="Taxonomy overrides TOML: merge, split, ban, rename, pin needs (see docs/researchers.md); also the config key 'overrides'.")] = None,
    save_model: Annotated[Optional[Path], typer.Option("--save-model", help="Also save the fitted need model into this folder (model.safetensors + model.json) for `needminer apply`.")] = None,
    backend: Annotated[Optional[str], typer.Option(help="Where text, signals and embedding run: local (default) or ray (Ray Data workers; pip install 'needminer[ray]').")] = None,
    ray_address: Annotated[Optional[str], typer.Option(help="With --backend ray: a Ray cluster address (auto, ray://HEAD:10001); default: start a local Ray instance.")] = None,
    workers: Annotated[Optional[int], typer.Option(help="With --backend ray: parallel workers per stage (default: one per Ray CPU).")] = None,
    incremental: Annotated[bool, typer.Option("--incremental", help="A grown export keeps the workspace's last needs and places only the new messages' fragments (fast weekly re-runs; a fresh run may group differently).")] = False,
    parquet: Annotated[bool, typer.Option("--parquet", help="Also write needs.parquet and evidence.parquet (for Spark, Ray or pandas; needs pyarrow).")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show progress bars.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout (report files, counts, timings, every need's rank, id, title and score) instead of the report path.")] = False,
) -> None:
    """Run the whole pipeline on chat exports and write the need report."""
    from needminer.config import load_config
    from needminer.pipeline import run

    with error_boundary():
        cfg = load_config(config, {
            **input_options(embedder=embedder, seed=seed, workspace=workspace, format=format, tz=tz, map=map,
                            lang=lang, overrides=overrides, backend=backend, ray_address=ray_address,
                            workers=workers, parquet=parquet),
            "discover.granularity": granularity,
            "discover.guide": str(guide) if guide else None,
            "discover.incremental": True if incremental else None,
        })
        with stage_progress(progress) as cb:
            result = run(inputs, out, cfg, progress=cb, save_model=save_model)
        warnings = input_warnings(result.ingest)
        if result.ingest.get("truncated"):
            warnings.append(
                f"{result.ingest['truncated']} message(s) longer than {cfg.ingest.max_message_chars:,} characters "
                "were cut to that length (ingest.max_message_chars)."
            )
        for line in warnings:
            warn(line)
        counts = result.manifest.get("counts", {})
        for stage, seconds in (result.manifest.get("timings") or {}).items():
            log.info("stage %s took %.2f s", stage, seconds)
        log.info("embedder %s; report in %s", result.manifest.get("embedder", cfg.embed.embedder), result.files.out_dir)
        if save_model is not None:
            done(f"need model ({len(result.model.needs)} needs) saved in {save_model}")
        listed = [n for n in result.needs if not n.below_bar]
        below = len(result.needs) - len(listed)
        done(f"{counts.get('messages', 0)} messages → {counts.get('need_fragments', 0)} need fragments "
             f"→ {len(listed)} needs (coverage {counts.get('coverage', 0):.0%})"
             + (f"; {below} group(s) below the bar (too few people, mostly chatter, or scattered)" if below else ""))
        top_needs(result.needs)
        if as_json:
            typer.echo(json.dumps(run_summary(result, warnings), ensure_ascii=False, indent=1))
        else:
            out_console.print(f"Report: {result.files.html.resolve()}", markup=False, highlight=False, soft_wrap=True)


def run_summary(result: Any, warnings: list[str]) -> dict[str, Any]:
    """The machine-readable summary ``run --json`` prints: files, counts, timings and needs (no quotes)."""
    files = result.files
    manifest = result.manifest
    return {
        "schema": 1,
        "report": str(files.html.resolve()),
        "files": {
            "out_dir": str(files.out_dir.resolve()),
            "index.html": str(files.html.resolve()),
            "needs.json": str(files.needs_json.resolve()),
            "briefs.md": str(files.briefs_md.resolve()),
            "manifest.json": str(files.manifest.resolve()),
            **{p.name: str(p.resolve()) for p in files.extra},
        },
        "counts": manifest.get("counts", {}),
        "timings": manifest.get("timings", {}),
        "seed": manifest.get("seed"),
        "embedder": manifest.get("embedder"),
        "warnings": warnings,
        "needs": [
            {"rank": n.rank, "id": n.id, "title": n.statement.title, "score": round(float(n.score), 3),
             "speakers": len(n.speakers), "messages": len(n.message_ids), "domain": n.domain, "emerging": n.emerging,
             "below_bar": n.below_bar}
            for n in result.needs
        ],
    }


def register(app: typer.Typer) -> None:
    app.command("run")(run_cmd)
