"""CSV in and out for the row-wise commands (``detect``, ``cluster``, ``eval``): rows kept in order."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from needminer.errors import ConfigError, IngestError

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def read_rows(path: str | Path, text_column: str, extra_columns: tuple[str, ...] = ()) -> tuple[list[str], list[dict]]:
    """Read a CSV file whose ``text_column`` holds the texts.

    Returns:
        (fieldnames, rows) with rows as dicts in file order.

    Raises:
        IngestError: The file is missing, empty, not decodable or not CSV.
        ConfigError: A named column is not in the header.
    """
    p = Path(path)
    if not p.is_file():
        raise IngestError(f"Input file '{p}' does not exist. Pass the path of a CSV file.")
    raw = p.read_bytes()
    if not raw.strip():
        raise IngestError(f"Input file '{p}' is empty. Pass a CSV file with a header row and data rows.")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise IngestError(f"Input file '{p}' is neither UTF-8 nor GB18030 text. Re-save it as UTF-8 CSV.")
    if "\x00" in text:
        raise IngestError(f"Input file '{p}' looks binary, not CSV. Pass a CSV file.")
    try:
        reader = csv.DictReader(text.splitlines(keepends=True))
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    except csv.Error as exc:
        raise IngestError(f"Input file '{p}' is not valid CSV ({exc}). Fix the quoting and retry.") from exc
    for col in (text_column, *extra_columns):
        if col not in fields:
            raise ConfigError(
                f"Column '{col}' is not in '{p}'. Its columns are: {', '.join(fields) or '(none)'}. "
                "Pass the right name with --text-column / --label-column."
            )
    return fields, rows


def write_rows(path: str | Path, fieldnames: list[str], rows: list[dict]) -> None:
    """Write rows (UTF-8, header first), creating the parent folder."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fieldnames, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
