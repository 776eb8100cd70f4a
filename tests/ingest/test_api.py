"""Public ingest API: sources from files/folders/zips, summaries, workspace, errors."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from needminer.errors import IngestError
from needminer.ingest import (
    IngestSummary,
    detect_format,
    ingest_to_workspace,
    iter_sources,
    list_formats,
)
from needminer.registry import ingesters
from needminer.store import Workspace

GOOD = '{"sender": "a", "text": "希望有更轻的推车", "time": 1700000000}\n{"sender": "b", "text": "同求", "time": 1700000001}\n'


def _good(tmp_path, name="g.jsonl"):
    p = tmp_path / name
    p.write_text(GOOD, encoding="utf-8")
    return p


def test_public_names():
    import needminer.ingest as ing

    assert set(ing.__all__) >= {"iter_sources", "Source", "IngestSummary", "ingest_to_workspace", "list_formats",
                                "detect_format", "FormatInfo"}


def test_list_formats_has_versioned_names():
    infos = list_formats()
    names = [f.name for f in infos]
    assert "generic.jsonl.v1" in names and "generic.csv.v1" in names
    for f in infos:
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*\.v\d+", f.name), f.name
        assert f.description and f.patterns


def test_missing_path_raises(tmp_path):
    with pytest.raises(IngestError, match="not found"):
        list(iter_sources([tmp_path / "nope.txt"]))
    with pytest.raises(IngestError, match="not found"):
        ingest_to_workspace([tmp_path / "nope.txt"], None)


def test_unknown_format_lists_available(tmp_path):
    with pytest.raises(IngestError, match=r"Unknown ingester 'foo'.*generic\.csv\.v1"):
        list(iter_sources([_good(tmp_path)], format="foo"))


def test_alias_format(tmp_path):
    (src,) = iter_sources([_good(tmp_path)], format="jsonl")
    assert src.format == "generic.jsonl.v1"


def test_bad_tz(tmp_path):
    with pytest.raises(IngestError, match="time zone"):
        list(iter_sources([_good(tmp_path)], tz="Mars/Base"))


def test_dir_and_zip_expansion_with_bad_member(tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    _good(d / "sub", "a.jsonl")
    (d / "readme.md").write_text("# notes")
    (d / "photo.jpg").write_bytes(b"\xff\xd8")
    (d / "junk.txt").write_bytes(bytes(range(256)) * 4)
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("chat/b.jsonl", GOOD)
        zf.writestr("chat/empty.jsonl", "")
    sources = list(iter_sources([d, z]))
    by = {s.path.replace(str(tmp_path), ""): s for s in sources}
    assert sorted(by) == ["/export.zip!chat/b.jsonl", "/export.zip!chat/empty.jsonl", "/in/junk.txt", "/in/sub/a.jsonl"]
    for s in sources:
        list(s.messages())
        assert s.ledger.balanced
    assert by["/export.zip!chat/b.jsonl"].ledger.messages == 2
    assert by["/export.zip!chat/b.jsonl"].ledger.path.endswith("export.zip!chat/b.jsonl")
    assert "empty" in by["/export.zip!chat/empty.jsonl"].ledger.error
    assert "binary" in by["/in/junk.txt"].ledger.error


def test_corrupt_zip_is_per_file_error(tmp_path):
    z = tmp_path / "bad.zip"
    z.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    summary = ingest_to_workspace([z, _good(tmp_path)], None)
    errs = [led for led in summary.inputs if led.error]
    assert len(errs) == 1 and summary.new == 2


def test_dry_run_summary_and_dedupe(tmp_path):
    a = _good(tmp_path, "g.jsonl")
    sub = tmp_path / "again"
    sub.mkdir()
    b = _good(sub, "g.jsonl")  # same stem → same chat → same ids
    calls, ids = [], []
    summary = ingest_to_workspace([a, b], None, progress=lambda *a: calls.append(a), on_message_ids=ids.extend)
    assert isinstance(summary, IngestSummary)
    assert (summary.new, summary.duplicates) == (2, 2)
    assert calls == [("ingest", 0, 2), ("ingest", 1, 2), ("ingest", 2, 2)]
    assert len(ids) == 4
    d = summary.to_dict()
    assert d["new"] == 2 and d["inputs"][0] == {
        "path": str(a), "format": "generic.jsonl.v1", "records": 2, "messages": 2, "skipped": {}}
    json.dumps(d)


def test_workspace_ingest(tmp_path):
    ws = Workspace(tmp_path / "ws")
    s1 = ingest_to_workspace([_good(tmp_path)], ws)
    s2 = ingest_to_workspace([_good(tmp_path)], ws)
    assert (s1.new, s1.duplicates, s2.new, s2.duplicates) == (2, 0, 0, 2)
    ws.close()


def test_nothing_read_raises_with_reasons(tmp_path):
    e = tmp_path / "empty.txt"
    e.write_text("")
    j = tmp_path / "junk.bin.txt"
    j.write_text("hello there\nnot a chat\n")
    with pytest.raises(IngestError) as info:
        ingest_to_workspace([e, j], None)
    msg = str(info.value)
    assert "empty.txt" in msg and "junk.bin.txt" in msg and "unknown format" in msg


def test_error_input_in_to_dict(tmp_path):
    e = tmp_path / "empty.jsonl"
    e.write_text("")
    summary = ingest_to_workspace([e, _good(tmp_path)], None)
    errd = [d for d in summary.to_dict()["inputs"] if "error" in d]
    assert len(errd) == 1 and errd[0]["records"] == 0


def test_detect_format_errors(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("just some words\n")
    with pytest.raises(IngestError, match="tried .*generic.jsonl.v1"):
        detect_format(p)
    with pytest.raises(IngestError, match="not found"):
        detect_format(tmp_path / "missing")


def test_wrong_explicit_format_is_ledger_error(tmp_path):
    p = tmp_path / "chat.txt"
    p.write_text("2024-01-01 hello\n")
    (src,) = iter_sources([p], format="generic.jsonl.v1")
    assert list(src.messages()) == []
    assert src.ledger.error and src.ledger.balanced


def test_messages_iterates_once(tmp_path):
    (src,) = iter_sources([_good(tmp_path)])
    assert len(list(src.messages())) == 2
    assert list(src.messages()) == []
    assert src.ledger.messages == 2


def test_every_reader_contract(tmp_path):
    """Every registered reader has a versioned name, a description and never raises on junk."""
    p = tmp_path / "junk.txt"
    p.write_text("{ not really\n", encoding="utf-8")
    for name, reader in ingesters.items():
        assert reader.name == name
        if reader.container:
            continue
        (src,) = iter_sources([p], format=name)
        list(src.messages())
        assert src.ledger.balanced
