"""`needminer workspace list|clear`: the per-user workspaces (sizes and dates, never chat content)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from rich.text import Text

from needminer.cli._common import done, error_boundary, out_console, say

app = typer.Typer(
    help="Workspaces: where needminer keeps messages (unredacted), the embedding cache and pseudonym keys, "
    "one per set of inputs in the per-user data folder ($NEEDMINER_HOME to move it).",
    no_args_is_help=True,
)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def _short(iso: str) -> str:
    """``2026-12-07T10:17:28+00:00`` → ``2026-12-07 10:17`` (UTC)."""
    return iso[:16].replace("T", " ")


@app.command("list")
def list_cmd() -> None:
    """List the workspaces: id, size, created, last used and the inputs they were made for."""
    from needminer.store import list_workspaces, needminer_home

    with error_boundary():
        items = list_workspaces()
        home = needminer_home()
        if not items:
            say(f"No workspaces in {home}.")
            return
        table = Table(title=Text(f"workspaces in {home}"))
        table.add_column("id", no_wrap=True, min_width=16)
        table.add_column("size", justify="right", no_wrap=True)
        table.add_column("created", no_wrap=True)
        table.add_column("last used", no_wrap=True)
        table.add_column("inputs", overflow="fold")
        for w in items:
            shown = w.inputs[0] if w.inputs else "-"
            if len(w.inputs) > 1:
                shown += f" (+{len(w.inputs) - 1})"
            table.add_row(w.id, _size(w.bytes), _short(w.created), _short(w.last_used), Text(shown))
        out_console.print(table)


@app.command("clear")
def clear_cmd(
    ids: Annotated[Optional[list[str]], typer.Argument(help="Workspace ids (see `needminer workspace list`).", show_default=False)] = None,
    all: Annotated[bool, typer.Option("--all", help="Delete every workspace (the user key stays, so pseudonyms stay the same).")] = False,
) -> None:
    """Delete workspaces (messages, embedding cache, keys); a later run starts afresh."""
    from needminer.store import clear_workspaces

    with error_boundary():
        gone = clear_workspaces(ids or (), all=all)
        done(f"deleted {len(gone)} workspace(s){': ' + ', '.join(gone) if gone else ''}")
