"""`needminer ingest` and `needminer formats`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from needminer.cli._common import error_boundary, out_console, parse_mapping, say


def ingest_cmd(
    inputs: Annotated[list[Path], typer.Argument(help="Chat export files, folders or .zip archives.", show_default=False, readable=False)],  # checked by needminer: exit 3
    workspace: Annotated[Optional[Path], typer.Option(help="Workspace folder to store messages in. Default: the one `needminer run` uses for the same inputs (per-user data folder).")] = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="Force a format (see `needminer formats`); default: detect.")] = None,
    tz: Annotated[str, typer.Option(help="Time zone of naive local times in exports.")] = "Asia/Shanghai",
    map: Annotated[Optional[str], typer.Option("--map", help="Column mapping for generic CSV/JSONL, e.g. text=content,sender=nick.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Read and count only; store nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with the per-input accounting.")] = False,
) -> None:
    """Read chat exports into the workspace and account for every record."""
    from needminer.ingest import ingest_to_workspace, input_files
    from needminer.store import Workspace, default_workspace, inputs_id

    with error_boundary():
        input_files(inputs)  # missing or unreadable inputs and zip limits fail here, before any work
        ws = None if dry_run else Workspace(workspace or default_workspace(inputs), key_id=inputs_id(inputs))
        try:
            summary = ingest_to_workspace(inputs, ws, format=format or "auto", tz=tz, mapping=parse_mapping(map) or None)
        finally:
            if ws is not None:
                ws.close()
        data = summary.to_dict()
        if as_json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
            return
        table = Table(title="ingest")
        for col in ("path", "format", "records", "messages", "skipped"):
            table.add_column(col, overflow="fold")
        for item in data["inputs"]:
            skipped = Text(", ".join(f"{k} {v}" for k, v in item["skipped"].items()) or "-")
            if item.get("error"):
                skipped.append(f"  {item['error']}", style="red")
            # Text cells: a path or message with [brackets] is not markup
            table.add_row(Text(item["path"]), Text(item["format"]), str(item["records"]), str(item["messages"]), skipped)
        out_console.print(table)
        say(f"new {data['new']}, duplicates {data['duplicates']}" + (" (dry run)" if dry_run else ""))


def formats_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list: name, description, file patterns and aliases of each format.")] = False,
) -> None:
    """List the export formats needminer reads (names for --format)."""
    from needminer.ingest import list_formats

    with error_boundary():
        formats = list_formats()
        if as_json:
            doc = [{"name": f.name, "description": f.description, "patterns": list(f.patterns), "aliases": list(f.aliases)}
                   for f in formats]
            typer.echo(json.dumps(doc, ensure_ascii=False, indent=1))
            return
        # whole descriptions at any width: long words fold onto the next line, nothing is cut
        table = Table(title="formats")
        table.add_column("name", overflow="fold")
        table.add_column("description", overflow="fold")
        for info in formats:
            table.add_row(Text(info.name), Text(info.description))
        out_console.print(table)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_cmd)
    app.command("formats")(formats_cmd)
