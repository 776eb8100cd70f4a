"""`needminer eval …`: reproduce quality numbers against labelled data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from needminer.cli._common import error_boundary

app = typer.Typer(help="Evaluate needminer against labelled data (NMI, ARI, coverage, seed stability; see README, Quality).", no_args_is_help=True)


@app.command("clusters")
def clusters_cmd(
    file: Annotated[Path, typer.Argument(help="CSV file with a text column and a gold label column.", show_default=False)],
    text_column: Annotated[str, typer.Option("--text-column", "-t", help="Column holding the texts.")] = "text",
    label_column: Annotated[str, typer.Option("--label-column", "-l", help="Column holding the gold labels.")] = "label",
    seeds: Annotated[str, typer.Option(help="Comma-separated seeds; the first two give seed stability.")] = "0,1",
    embedder: Annotated[Optional[str], typer.Option(help="e5-small+lite (default: both, concatenated), e5-small, lite, hf:PATH-OR-ID, hashing; join names with + to combine.")] = None,
    granularity: Annotated[Optional[str], typer.Option(help="coarse, normal, fine or a number of needs.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="TOML config file.")] = None,
    workspace: Annotated[Optional[Path], typer.Option(help="Workspace folder for the embedding cache.")] = None,
) -> None:
    """Cluster the texts (k not given) and print NMI, ARI, V-measure, purity, coverage, n_clusters, seed stability as JSON."""
    from needminer.config import load_config
    from needminer.errors import ConfigError
    from needminer.evaluate import evaluate_clusters
    from needminer.tabular import read_rows

    with error_boundary():
        try:
            seed_list = [int(s) for s in seeds.split(",") if s.strip()]
        except ValueError:
            raise ConfigError(f"--seeds must be comma-separated integers, e.g. 0,1. Got {seeds!r}.") from None
        cfg = load_config(config, {"embed.embedder": embedder, "discover.granularity": granularity})
        _, rows = read_rows(file, text_column, (label_column,))
        result = evaluate_clusters(
            [r[text_column] or "" for r in rows], [r[label_column] for r in rows], cfg, seeds=seed_list,
            workspace=str(workspace) if workspace else None,
        )
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
