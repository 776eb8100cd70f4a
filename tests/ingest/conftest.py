"""Fixtures for the ingest tests: our synthetic samples and the (optional) shared real samples."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "tests" / "fixtures" / "formats"
SHARED = (REPO / ".." / "shared" / "data" / "formats").resolve()


@pytest.fixture
def samples() -> Path:
    """Folder of our synthetic format fixtures (one sub-folder per format)."""
    return SAMPLES


@pytest.fixture
def shared() -> Path:
    """Folder of real sample exports in the shared area; skips when it is not there."""
    if not SHARED.is_dir():
        pytest.skip(f"real samples not available ({SHARED} is absent)")
    return SHARED


def read_all(path, **kw):
    """Read every source under ``path``: list of (source, messages)."""
    from needminer.ingest import iter_sources

    out = []
    for src in iter_sources([path], **kw):
        out.append((src, list(src.messages())))
    return out


def read_one(path, **kw):
    """Read exactly one source; returns (ledger, messages) and checks the ledger balance."""
    (src, msgs), = read_all(path, **kw)
    assert src.ledger.balanced, src.ledger
    assert src.ledger.messages == len(msgs)
    return src.ledger, msgs
