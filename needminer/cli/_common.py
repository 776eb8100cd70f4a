"""Shared CLI plumbing: global options, error boundary, status lines, progress bars, option parsing."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from needminer.errors import ConfigError, NeedMinerError

err_console = Console(stderr=True)
out_console = Console()
log = logging.getLogger("needminer.cli")

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

# Set by the global options (``needminer --debug -v …``) and by ``-v`` / ``-q`` on any command.
STATE = {"debug": False, "verbosity": 0}  # verbosity: -1 quiet, 0 normal, 1 info, 2 debug logs


def debug_enabled() -> bool:
    return STATE["debug"] or bool(os.environ.get("NEEDMINER_DEBUG"))


def quiet() -> bool:
    """True under ``--quiet``: no progress bars or status lines, only warnings and errors."""
    return STATE["verbosity"] < 0


class _Handler(logging.StreamHandler):
    """Log records to whatever ``sys.stderr`` is now (a test runner swaps it per call)."""

    @property  # type: ignore[override]
    def stream(self):  # noqa: D401
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # StreamHandler.__init__ assigns it
        pass


_HANDLER = _Handler()
_HANDLER.setFormatter(logging.Formatter("needminer %(levelname)s %(name)s: %(message)s"))


def set_verbosity(verbosity: int) -> None:
    """Route needminer's logging to stderr at the level ``verbosity`` asks for.

    Log records name stages, counts, timings and paths, never chat text.
    """
    STATE["verbosity"] = verbosity
    logger = logging.getLogger("needminer")
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logger.setLevel(level)
    if _HANDLER not in logger.handlers:
        logger.addHandler(_HANDLER)


def _verbose_callback(ctx: typer.Context, value: int) -> None:
    if value and not ctx.resilient_parsing:
        set_verbosity(max(STATE["verbosity"], 0) + value)


def _quiet_callback(ctx: typer.Context, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        set_verbosity(-1)


VERBOSE_HELP = "Log stages, counts, timings and paths to stderr (-vv: debug); never chat text."
QUIET_HELP = "Only warnings and errors on stderr (no progress bars or summary)."


def verbosity_options() -> list:
    """``-v/--verbose`` and ``-q/--quiet`` as (typer's) click options that every command takes;
    they set the CLI state and are not passed to the command function."""
    from typer.main import get_command

    holder = typer.Typer()

    @holder.command()
    def _options(
        verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, show_default=False,
                                             callback=_verbose_callback, help=VERBOSE_HELP)] = 0,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", callback=_quiet_callback, help=QUIET_HELP)] = False,
    ) -> None:
        """Holds the options."""

    params = [p for p in get_command(holder).params if p.name in ("verbose", "quiet")]
    for param in params:
        param.expose_value = False
    return params


def say(*parts: str | tuple[str, str]) -> None:
    """A status line on stderr, as plain text (brackets such as ``[ml]`` stay), unless --quiet."""
    if not quiet():
        err_console.print(Text.assemble(*parts), highlight=False, soft_wrap=True)


def done(message: str) -> None:
    """``✓ message`` on stderr unless --quiet."""
    say(("✓ ", "green"), message)


def warn(message: str) -> None:
    """``Warning: message`` on stderr (also under --quiet)."""
    err_console.print(Text.assemble(("Warning: ", "yellow"), message), highlight=False, soft_wrap=True)


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """Turn needminer errors into one red line on stderr and the error's exit code (no traceback,
    no chat text; ``needminer --debug`` adds the traceback). Codes: ``needminer.errors``."""
    try:
        yield
    except NeedMinerError as exc:
        # Text, not markup: a message may hold brackets ([手机号], 'needminer[ml]', a path) that markup would eat
        err_console.print(Text.assemble(("Error: ", "bold red"), str(exc)), highlight=False, soft_wrap=True)
        if debug_enabled():
            err_console.print_exception(show_locals=False)
        raise typer.Exit(code=getattr(exc, "exit_code", 1)) from None
    except KeyboardInterrupt:
        err_console.print(Text("Interrupted.", style="yellow"))
        raise typer.Exit(code=130) from None


@contextlib.contextmanager
def stage_progress(enabled: bool = True) -> Iterator:
    """A rich progress display with one bar per stage; yields the library's progress callback.

    Under ``--quiet`` (or ``enabled=False``) there are no bars; with ``-v`` each stage's start is
    also logged (stage name and size only)."""
    started: set[str] = set()

    def note(stage: str, done: int, total: int) -> None:
        if stage not in started:
            started.add(stage)
            log.info("stage %s: %d item(s)", stage, total)

    if not enabled or quiet():
        yield note if log.isEnabledFor(logging.INFO) else None
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
        note(stage, done, total)
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


def input_options(*, embedder: str | None, seed: int | None, workspace: Path | None, format: str | None,
                  tz: str | None, map: str | None, lang: str | None, overrides: Path | None,
                  backend: str | None = None, ray_address: str | None = None, workers: int | None = None,
                  parquet: bool = False) -> dict[str, Any]:
    """The config keys set by the options ``run`` and ``apply`` share (None: the option was not given)."""
    return {
        "backend.kind": backend,
        "backend.address": ray_address,
        "backend.workers": workers,
        "report.parquet": True if parquet else None,
        "embed.embedder": embedder,
        "seed": seed,
        "workspace": str(workspace) if workspace else None,
        "ingest.format": format,
        "ingest.tz": tz,
        "ingest.mapping": parse_mapping(map) or None,
        "report.lang": lang,
        "overrides": str(overrides) if overrides else None,
    }


def input_warnings(ingest: dict[str, Any]) -> list[str]:
    """One line per input that could not be read (the run went on with the others)."""
    return [f"{item['path']}: {item['error']}" for item in ingest.get("inputs", []) if item.get("error")]


def top_needs(needs: Sequence[Any], candidates: Sequence[str] = (), n: int = 5) -> None:
    """Print the first ``n`` needs the report lists (clusters below the bar are not among them)."""
    for need in [x for x in needs if not x.below_bar][:n]:
        mark = " (new)" if need.id in candidates else ""
        say(f"  {need.rank:>2}. {need.statement.title}{mark}  ({len(need.speakers)} 人, 得分 {need.score:.1f})")
