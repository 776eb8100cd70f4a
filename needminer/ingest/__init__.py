"""Ingest stage: read chat exports (WeChat, QQ, Telegram, WhatsApp, Discord, Slack, LINE, generic
CSV/JSONL …) into ``Message`` streams with a per-input ``IngestLedger``.

Every record of an input is either a ``Message`` or a counted skip, so for every input
``records == messages + sum(skipped)``. Media/system/recalled/red-packet records are yielded as
messages with the matching ``MessageKind`` (context, not mined); only empty or unparseable
records, bad times and export furniture are skipped.

Example:
    >>> from needminer.ingest import iter_sources                          # doctest: +SKIP
    >>> for source in iter_sources(["exports/"]):                         # doctest: +SKIP
    ...     for message in source.messages():
    ...         ...
    ...     print(source.ledger.to_dict())
"""

from __future__ import annotations

from dataclasses import dataclass

# Importing the reader modules registers them in ``needminer.registry.ingesters``.
from needminer.ingest import _generic  # noqa: F401
from needminer.ingest import _formats  # noqa: F401
from needminer.ingest._api import (
    IngestSummary,
    Source,
    detect_format,
    ingest_to_workspace,
    input_files,
    iter_sources,
)
from needminer.ingest._limits import DEFAULT_LIMITS, IngestLimits
from needminer.registry import ingesters


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """One supported export format.

    Attributes:
        name: Versioned registry name (pass it to ``--format``).
        description: What produces the format.
        patterns: Typical file names (glob patterns).
        aliases: Short names accepted for ``--format``.
    """

    name: str
    description: str
    patterns: tuple[str, ...]
    aliases: tuple[str, ...] = ()


def list_formats() -> list[FormatInfo]:
    """Every registered reader, sorted by name."""
    aliases: dict[str, list[str]] = {}
    for alias, name in ingesters.aliases().items():
        aliases.setdefault(name, []).append(alias)
    return [
        FormatInfo(name, reader.description, tuple(reader.patterns), tuple(sorted(aliases.get(name, []))))
        for name, reader in ingesters.items()
    ]


__all__ = [
    "DEFAULT_LIMITS",
    "FormatInfo",
    "IngestLimits",
    "IngestSummary",
    "Source",
    "detect_format",
    "ingest_to_workspace",
    "input_files",
    "iter_sources",
    "list_formats",
]
