"""Safety limits on what ingest unpacks and keeps: zip size and member count, message length."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from needminer.errors import LimitError

MIB = 1 << 20


@dataclass(frozen=True)
class IngestLimits:
    """Bounds that keep a hostile or broken input from filling the disk or the memory.

    Attributes:
        max_zip_bytes: Total unpacked size of the members of one zip that would be read.
        max_zip_members: Entries in one zip (its central directory is read into memory).
        max_zip_ratio: Unpacked / packed size above which a zip of more than ``ratio_floor``
            unpacked bytes is refused as a zip bomb (chat text packs 5–20×).
        ratio_floor: Unpacked size from which the ratio is checked.
        max_message_chars: Longer message texts (and quotes) are cut to this many characters and
            counted (``truncated`` in the ingest summary).
    """

    max_zip_bytes: int = 2048 * MIB
    max_zip_members: int = 100_000
    max_zip_ratio: float = 200.0
    ratio_floor: int = 64 * MIB
    max_message_chars: int = 10_000


DEFAULT_LIMITS = IngestLimits()


def zip_member_count(path: str) -> int | None:
    """Entries of a zip as its end record states them, read without loading the directory."""
    try:
        with open(path, "rb") as fh:
            end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]  # stable since Python 2
    except (OSError, AttributeError, zipfile.BadZipFile):
        return None
    if not end:
        return None
    return int(end[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def check_zip_members(path: str, limits: IngestLimits) -> None:
    """Refuse a zip with more entries than ``limits.max_zip_members`` before listing them.

    Raises:
        LimitError: Too many entries.
    """
    n = zip_member_count(path)
    if n is not None and n > limits.max_zip_members:
        raise LimitError(
            f"'{path}' holds {n:,} entries; the limit is {limits.max_zip_members:,} "
            "(ingest.max_zip_members). Extract the export and pass the folder, or raise the limit."
        )


def check_zip_size(path: str, infos: list[zipfile.ZipInfo], limits: IngestLimits) -> None:
    """Refuse a zip whose members to read unpack to too much, or pack suspiciously well.

    Only the declared sizes are summed: ``zipfile`` never inflates a member past its declared size.

    Raises:
        LimitError: Over ``max_zip_bytes``, over ``max_zip_members`` or a zip-bomb ratio.
    """
    if len(infos) > limits.max_zip_members:
        raise LimitError(
            f"'{path}' holds {len(infos):,} files; the limit is {limits.max_zip_members:,} "
            "(ingest.max_zip_members). Extract the export and pass the folder, or raise the limit."
        )
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if unpacked > limits.max_zip_bytes:
        raise LimitError(
            f"'{path}' unpacks to {unpacked / MIB:,.0f} MiB; the limit is {limits.max_zip_bytes / MIB:,.0f} MiB "
            "(ingest.max_zip_mb). Split the export, or raise the limit in the config if it is genuine."
        )
    if unpacked > limits.ratio_floor and unpacked > limits.max_zip_ratio * max(packed, 1):
        raise LimitError(
            f"'{path}' unpacks to {unpacked / MIB:,.0f} MiB from {packed / MIB:,.1f} MiB "
            f"({unpacked / max(packed, 1):,.0f}× compression): this looks like a zip bomb, not a chat export. "
            "Extract it yourself and check the files if it is genuine."
        )
