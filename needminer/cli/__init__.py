"""needminer's command line: a thin typer layer over the library (nothing else imports typer or rich)."""

from __future__ import annotations

import typer

from needminer.cli import evaluate, ingest, rows, run, train

app = typer.Typer(
    name="needminer",
    help="Mine product needs from community chat exports (WeChat, QQ, Telegram, WhatsApp, Discord, Slack, LINE, CSV/JSONL).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
run.register(app)
ingest.register(app)
rows.register(app)
train.register(app)
app.add_typer(evaluate.app, name="eval")


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
