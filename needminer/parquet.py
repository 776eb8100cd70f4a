"""pyarrow, imported on demand: Parquet in (``*.parquet`` exports) and out (``run --parquet``)."""

from __future__ import annotations

from typing import Any

from needminer.errors import MissingDependencyError


def pyarrow_modules() -> tuple[Any, Any]:
    """``(pyarrow, pyarrow.parquet)``, or a ``MissingDependencyError`` that says what to install."""
    try:
        import pyarrow
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingDependencyError(
            "Parquet needs pyarrow: pip install 'needminer[ray]' (or pip install pyarrow)."
        ) from exc
    return pyarrow, pq
