"""CSV in and out for the row-wise commands (``detect``, ``cluster``, ``eval``): rows kept in order."""

from __future__ import annotations

import contextlib
import csv
import os
import sys
import tempfile
from pathlib import Path

from needminer.errors import ConfigError, IngestError, InputError, OutputError

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
        raise InputError(f"Input file '{p}' does not exist. Pass the path of a CSV file.")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read input file '{p}' ({type(exc).__name__}). Fix its permissions.") from exc
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


def check_out_file(path: str | Path) -> Path:
    """Fail before any work when ``path`` cannot be written as the output CSV (an existing file is replaced).

    Raises:
        OutputError: ``path`` is a folder, its parent is a file, or the parent is not writable.
    """
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"--out '{p}' is an existing folder. Pass a file path such as {p / 'out.csv'}.")
    parent = p.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".check", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(
            f"Cannot write --out '{p}' ({type(exc).__name__}): its folder is missing, a file, or not writable. "
            "Pass a path in a writable folder."
        ) from exc
    return p


def write_rows(path: str | Path, fieldnames: list[str], rows: list[dict]) -> None:
    """Write rows (UTF-8, header first), creating the parent folder; the file is replaced atomically.

    Raises:
        OutputError: The file cannot be written (see ``check_out_file``).
    """
    p = check_out_file(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.absolute().parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=fieldnames, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, p)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"Cannot write --out '{p}' ({type(exc).__name__}). Pass a path in a writable folder.") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
