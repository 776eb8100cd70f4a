"""Row-wise commands over a CSV column: `needminer detect` and `needminer cluster`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from needminer.cli._common import done, error_boundary, stage_progress


def detect_cmd(
    file: Annotated[Path, typer.Argument(help="CSV file with a text column.", show_default=False)],
    text_column: Annotated[str, typer.Option("--text-column", "-t", help="Name of the column holding the texts.")] = "text",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output CSV: the input rows plus signal, need, intensity.")] = Path("detect.csv"),
    detector: Annotated[str, typer.Option(help="rules, default, or a trained detector folder.")] = "default",
) -> None:
    """Classify each text: signal (pain/wish/question/praise/noise/other), need (true/false), intensity."""
    from needminer.signals import get_detector
    from needminer.tabular import check_out_file, read_rows, write_rows
    from needminer.text import normalize

    with error_boundary():
        check_out_file(out)
        fields, rows = read_rows(file, text_column)
        sigs = get_detector(detector).detect_texts([normalize(r[text_column] or "") for r in rows])
        for row, s in zip(rows, sigs):
            row.update(signal=s.label.value, need="true" if s.need else "false", intensity=f"{s.intensity:.3f}")
        write_rows(out, fields + [c for c in ("signal", "need", "intensity") if c not in fields], rows)
        n_need = sum(s.need for s in sigs)
        done(f"{len(rows)} rows, {n_need} need-bearing → {out}")


def cluster_cmd(
    file: Annotated[Path, typer.Argument(help="CSV file with a text column.", show_default=False)],
    text_column: Annotated[str, typer.Option("--text-column", "-t", help="Name of the column holding the texts.")] = "text",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output CSV: the input rows plus need_id and need_title.")] = Path("clusters.csv"),
    embedder: Annotated[Optional[str], typer.Option(help="e5-small+lite (default: both, concatenated), e5-small, lite, hf:PATH-OR-ID, hashing; join names with + to combine.")] = None,
    granularity: Annotated[Optional[str], typer.Option(help="coarse, normal, fine or a number of needs.")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Random seed.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="TOML config file.")] = None,
    workspace: Annotated[Optional[Path], typer.Option(help="Workspace folder for the embedding cache.")] = None,
    guide: Annotated[Optional[Path], typer.Option(help="Guided mode: a text file of known needs (one per line) that seed and name needs.")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show progress bars.")] = True,
) -> None:
    """Cluster exactly these texts into needs; write need_id (empty when unassigned) and need_title per row."""
    from needminer.config import load_config
    from needminer.pipeline import cluster_texts
    from needminer.tabular import check_out_file, read_rows, write_rows

    with error_boundary():
        check_out_file(out)
        cfg = load_config(
            config,
            {"embed.embedder": embedder, "discover.granularity": granularity, "seed": seed,
             "discover.guide": str(guide) if guide else None},
        )
        fields, rows = read_rows(file, text_column)
        with stage_progress(progress) as cb:
            result = cluster_texts([r[text_column] or "" for r in rows], cfg, workspace=workspace, progress=cb)
        for row, nid, title in zip(rows, result.need_ids, result.titles):
            row.update(need_id=nid, need_title=title)
        write_rows(out, fields + [c for c in ("need_id", "need_title") if c not in fields], rows)
        d = result.discovery
        done(f"{len(rows)} rows → {len(d.clusters)} needs, coverage {d.coverage:.0%} → {out}")


def register(app: typer.Typer) -> None:
    app.command("detect")(detect_cmd)
    app.command("cluster")(cluster_cmd)
