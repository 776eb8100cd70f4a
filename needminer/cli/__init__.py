"""needminer's command line: a thin typer layer over the library (nothing else imports typer or rich)."""

from __future__ import annotations

import typer

from needminer.cli import evaluate, ingest, rows, run, train, workspace
from needminer.cli._common import DEBUG

app = typer.Typer(
    name="needminer",
    help="Mine product needs from community chat exports (WeChat, QQ, Telegram, WhatsApp, Discord, Slack, LINE, CSV/JSONL).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    epilog="Exit codes: 0 ok, 1 config or option value, 2 usage, 3 input missing or unreadable, 4 unreadable export, "
    "5 safety limit (zip size, members), 6 nothing to mine, 7 output path unusable, 8 workspace, 9 workspace busy, "
    "10 missing dependency, 11 model, 70 a bug (add --debug for the traceback), 130 interrupted.",
)


@app.callback()
def _main(
    debug: bool = typer.Option(False, "--debug", help="Also print the traceback of an error (for bug reports; a library's own message in it may quote input)."),
) -> None:
    """Global options."""
    DEBUG["on"] = debug


run.register(app)
ingest.register(app)
rows.register(app)
train.register(app)
app.add_typer(evaluate.app, name="eval")
app.add_typer(workspace.app, name="workspace")


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
