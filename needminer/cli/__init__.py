"""needminer's command line: a thin typer layer over the library (nothing else imports typer or rich)."""

from __future__ import annotations

from typing import Annotated

import typer
from typer.core import TyperGroup

from needminer.cli import apply, evaluate, ingest, rows, run, train, workspace
from needminer.cli._common import QUIET_HELP, STATE, VERBOSE_HELP, set_verbosity, verbosity_options

EXIT_CODES = (
    "Exit codes: 0 ok, 1 config or option value, 2 usage, 3 input missing or unreadable, 4 unreadable export, "
    "5 safety limit (zip size, members), 6 nothing to mine, 7 output path unusable, 8 workspace, 9 workspace busy, "
    "10 missing dependency, 11 model, 70 a bug (add --debug for the traceback), 130 interrupted."
)


def _add_verbosity(command) -> None:
    """Give a command (and every command under a group) -v/--verbose and -q/--quiet."""
    if hasattr(command, "commands"):  # a group
        for sub in command.commands.values():
            _add_verbosity(sub)
        return
    names = {opt for param in command.params for opt in getattr(param, "opts", ())}
    if "--verbose" not in names:
        command.params.extend(verbosity_options())


class _Root(TyperGroup):
    """The root group: every subcommand also takes -v/--verbose and -q/--quiet."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for command in self.commands.values():
            _add_verbosity(command)


app = typer.Typer(
    name="needminer",
    cls=_Root,
    help="Mine product needs from community chat exports (WeChat, QQ, Telegram, WhatsApp, Discord, Slack, LINE, CSV/JSONL).",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    rich_markup_mode=None,  # help and messages are plain text: "[ml]" or "[ingest]" must not be read as markup
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},  # inherited by every subcommand
    epilog=EXIT_CODES,
)


def _version(value: bool) -> None:
    if value:
        from needminer import __version__

        typer.echo(f"needminer {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, show_default=False, help=VERBOSE_HELP)] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=QUIET_HELP)] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Also print the traceback of an error (for bug reports; a library's own message in it may quote input).")] = False,
) -> None:
    """Global options (-v/-q also work after the command name)."""
    STATE["debug"] = debug
    set_verbosity(-1 if quiet else verbose)  # reset per call; a command's own -v/-q adds to it


run.register(app)
apply.register(app)
ingest.register(app)
rows.register(app)
train.register(app)
app.add_typer(evaluate.app, name="eval")
app.add_typer(workspace.app, name="workspace")


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["EXIT_CODES", "app", "main"]
