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
from needminer.ingest import ingest_to_workspace, iter_sources, list_formats

from .conftest import SAMPLES

FILES = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
IDS = [str(p.relative_to(SAMPLES)) for p in FILES]
_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(path: Path, fmt: str = "auto") -> None:
    for src in iter_sources([path], format=fmt):
        for m in src.messages():
            assert m.id and (m.time is None or m.time.tzinfo is not None)
        assert src.ledger.balanced, src.ledger
        # Source.messages() turns a parser bug into "unexpected <Type> …"; readers must raise IngestError.
        assert not (src.ledger.error or "").startswith("unexpected"), src.ledger.error
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


def test_every_reader_has_a_fuzzed_sample():
    """Each registered reader is the detected format of at least one sample, so the mutation
    tests above exercise every reader."""
    detected = {src.format for p in FILES for src in iter_sources([p])}
    assert {f.name for f in list_formats()} <= detected


@pytest.mark.parametrize("fmt", [f.name for f in list_formats() if f.name != "slack.export.v1"])
def test_every_reader_on_every_sample(fmt):
    """A file forced through the wrong reader fails with IngestError (or reads nothing), never a crash."""
    for path in FILES:
        if path.suffix != ".zip":
            _check(path, fmt)


_SENDER_RE = __import__("re").compile(r"^(?P<name>[^:\n]{1,80}?)\s?:(?:\s|$)(?P<text>.*)$", __import__("re").S)


@_SETTINGS
@given(body=st.text(alphabet=st.sampled_from(list("ab :\n\t：\u3000x")), max_size=120))
def test_split_sender_matches_reference_regex(body):
    """The str-based WhatsApp sender split equals the regex it replaced (after strip)."""
    from needminer.ingest._whatsapp import split_sender

    m = _SENDER_RE.match(body)
    got = split_sender(body)
    assert (got is None) == (m is None)
    if m is not None:
        assert (got[0].strip(), got[1]) == (m["name"].strip(), m["text"])
