"""Helpers for readers of whole-file JSON exports."""

from __future__ import annotations

import json
from typing import Any

from needminer.errors import IngestError
from needminer.ingest._base import SourceFile
from needminer.ingest._encoding import decode_all


def load_json(src: SourceFile, what: str) -> Any:
    """Load a JSON file, turning decode errors into ``IngestError`` naming line and column.

    Args:
        src: The file.
        what: Human name of the expected export (for the message).
    """
    text = decode_all(src.read_bytes())
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        cut = " (the file looks truncated)" if exc.pos >= len(text.rstrip()) - 1 else ""
        raise IngestError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{cut}; "
            f"expected a complete {what}. Re-export the file."
        ) from exc
    except RecursionError as exc:
        raise IngestError(f"JSON nested too deeply; expected a {what}") from exc


def require(cond: bool, what: str, detail: str) -> None:
    """Raise ``IngestError`` saying the file is not ``what`` when ``cond`` is false."""
    if not cond:
        raise IngestError(f"not a {what}: {detail}. Use --format auto or the right --format.")


def as_str(value: Any) -> str:
    """``None`` → ""; numbers → their text; strings unchanged."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def head_has(text: str, *keys: str) -> bool:
    """True when every ``"key"`` occurs (as a JSON key) in ``text``."""
    return all(f'"{k}"' in text for k in keys)
