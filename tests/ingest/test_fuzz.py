"""Property tests: damaged inputs (truncation, byte flips, re-encoding) never escape as anything
but ``IngestError`` from the public API, and every ledger stays balanced."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needminer.errors import IngestError
from needminer.ingest import ingest_to_workspace, iter_sources

from .conftest import SAMPLES

FILES = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
IDS = [str(p.relative_to(SAMPLES)) for p in FILES]
_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(path: Path) -> None:
    for src in iter_sources([path]):
        for m in src.messages():
            assert m.id and (m.time is None or m.time.tzinfo is not None)
        assert src.ledger.balanced, src.ledger
    try:
        ingest_to_workspace([path], None)
    except IngestError:
        pass


def _mutate(data: bytes, cut: int, flips: list[tuple[int, int]], enc: str) -> bytes:
    if enc != "keep":
        data = data.decode("utf-8", "replace").encode(enc, "replace")
    data = bytearray(data[: max(0, len(data) * cut // 100)])
    for pos, val in flips:
        if data:
            data[pos % len(data)] = val
    return bytes(data)


@pytest.mark.parametrize("path", FILES, ids=IDS)
@_SETTINGS
@given(
    cut=st.integers(0, 100),
    flips=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=4),
    enc=st.sampled_from(["keep", "gb18030", "utf-16", "utf-8-sig"]),
)
def test_damaged_samples(path, cut, flips, enc):
    data = path.read_bytes()
    tmp = Path(tempfile.mkdtemp())
    try:
        target = tmp / path.name
        target.write_bytes(_mutate(data, cut, flips, enc))
        _check(target)
    finally:
        shutil.rmtree(tmp)


@_SETTINGS
@given(blob=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".json", ".csv", ".jsonl", ".zip"]))
def test_random_bytes(blob, suffix):
    tmp = Path(tempfile.mkdtemp())
    try:
        target = tmp / f"x{suffix}"
        target.write_bytes(blob)
        _check(target)
    finally:
        shutil.rmtree(tmp)
