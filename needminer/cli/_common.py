"""Shared CLI plumbing: error boundary, progress bars, option parsing helpers."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import typer
from rich.console import Console
from rich.text import Text
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from needminer.errors import ConfigError, NeedMinerError

err_console = Console(stderr=True)
out_console = Console()

STAGE_NAMES = {
    "ingest": "读取导出 ingest",
    "text": "清洗 text",
    "conversation": "会话 conversation",
    "signals": "信号 signals",
    "embed": "向量 embed",
    "discover": "聚类 discover",
    "describe": "描述 describe",
    "rank": "排序 rank",
    "report": "报告 report",
}


DEBUG = {"on": False}  # set by the global --debug flag


def debug_enabled() -> bool:
    return DEBUG["on"] or bool(os.environ.get("NEEDMINER_DEBUG"))


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """Turn needminer errors into one red line on stderr and the error's exit code (no traceback,
    no chat text; ``needminer --debug`` adds the traceback). Codes: ``needminer.errors``."""
    try:
        yield
    except NeedMinerError as exc:
        # Text, not markup: a message may hold brackets ([手机号], a path) that markup would eat
        err_console.print(Text.assemble(("Error: ", "bold red"), str(exc)), highlight=False, soft_wrap=True)
        if debug_enabled():
            err_console.print_exception(show_locals=False)
        raise typer.Exit(code=getattr(exc, "exit_code", 1)) from None
    except KeyboardInterrupt:
        err_console.print("[yellow]Interrupted.[/yellow]")
        raise typer.Exit(code=130) from None


@contextlib.contextmanager
def stage_progress(enabled: bool = True) -> Iterator:
    """A rich progress display with one bar per stage; yields the library's progress callback."""
    if not enabled:
        yield None
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
    tasks: dict[str, int] = {}

    def callback(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(STAGE_NAMES.get(stage, stage), total=max(total, 1))
        progress.update(tasks[stage], completed=done, total=max(total, 1))

    with progress:
        yield callback


def parse_mapping(value: str | None) -> dict[str, str]:
    """Parse ``text=content,sender=nick`` into a dict."""
    if not value:
        return {}
    out = {}
    for part in value.split(","):
        if "=" not in part:
            raise ConfigError(
                f"--map expects field=column pairs separated by commas (e.g. text=content,sender=nick). Got {part!r}."
            )
        key, col = (s.strip() for s in part.split("=", 1))
        if not key or not col:
            raise ConfigError(f"--map has an empty field or column in {part!r}.")
        out[key] = col
    return out
