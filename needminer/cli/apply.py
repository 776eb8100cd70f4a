"""`needminer apply`: a saved need model applied to new exports (known needs keep their ids)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

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


def apply_cmd(
    model: Annotated[Path, typer.Argument(help="Need model folder written by `needminer run --save-model`.", show_default=False)],
    inputs: Annotated[list[Path], typer.Argument(help="New chat export files, folders or .zip archives.", show_default=False, readable=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder (index.html, needs.json, briefs.md, manifest.json).")] = Path("reports/latest"),
    threshold: Annotated[Optional[float], typer.Option(help="Cosine to the nearest known need below which a fragment goes to the 'new' pile (default: the model's).")] = None,
    embedder: Annotated[Optional[str], typer.Option(help="Embedding model; must be the one the model was fitted with (the default).")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="TOML config file, over the model's own config.")] = None,
    overrides: Annotated[Optional[Path], typer.Option(help="Taxonomy overrides TOML (merge, split, ban, rename, pin); default: the ones saved with the model.")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Random seed (for clustering the new pile).")] = None,
    workspace: Annotated[Optional[Path], typer.Option(help="Workspace folder (messages, embedding cache, pseudonym key; private); never inside OUT.")] = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="Force an input format (see `needminer formats`); default: detect.")] = None,
    tz: Annotated[Optional[str], typer.Option(help="Time zone of naive local times in exports.")] = None,
    map: Annotated[Optional[str], typer.Option("--map", help="Column mapping for generic CSV/JSONL, e.g. text=content,sender=nick,time=CreateTime.")] = None,
    lang: Annotated[Optional[str], typer.Option(help="Report language: zh or en.")] = None,
    backend: Annotated[Optional[str], typer.Option(help="Where text, signals and embedding run: local (default) or ray (see `needminer run --help`).")] = None,
    ray_address: Annotated[Optional[str], typer.Option(help="With --backend ray: a Ray cluster address; default: a local Ray instance.")] = None,
    workers: Annotated[Optional[int], typer.Option(help="With --backend ray: parallel workers per stage.")] = None,
    parquet: Annotated[bool, typer.Option("--parquet", help="Also write needs.parquet and evidence.parquet (needs pyarrow).")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show progress bars.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout (as `run --json`, plus the apply counts and candidate new needs).")] = False,
) -> None:
    """Assign new chats to a saved model's needs, list candidate new needs, and write the report."""
    from needminer.apply import apply_config, apply_model
    from needminer.cli.run import run_summary
    from needminer.errors import ConfigError
    from needminer.model import NeedModel

    with error_boundary():
        if threshold is not None and not -1.0 <= threshold <= 1.0:
            raise ConfigError(f"--threshold must be a cosine in [-1, 1]. Got {threshold!r} instead.")
        need_model = NeedModel.load(model)
        cfg = apply_config(need_model, config, input_options(
            embedder=embedder, seed=seed, workspace=workspace, format=format, tz=tz, map=map, lang=lang,
            overrides=overrides, backend=backend, ray_address=ray_address, workers=workers, parquet=parquet))
        with stage_progress(progress) as cb:
            result = apply_model(need_model, inputs, out, cfg, threshold=threshold, progress=cb)
        warnings = input_warnings(result.ingest)
        for line in warnings:
            warn(line)
        info = result.manifest["apply"]
        done(f"{info['known_fragments']} fragments → known needs, {info['new_pile']} in the new pile "
             f"→ {len(result.candidates)} candidate new needs")
        top_needs(result.needs, result.candidates)
        if as_json:
            summary = run_summary(result, warnings)
            summary["apply"] = info
            typer.echo(json.dumps(summary, ensure_ascii=False, indent=1))
        else:
            out_console.print(f"Report: {result.files.html.resolve()}", markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("apply")(apply_cmd)
