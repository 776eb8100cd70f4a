"""Hostile inputs, generated here (never committed): zip bombs, zips of many members, symlink loops,
huge messages, unreadable files."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from needminer.errors import InputError, LimitError
from needminer.ingest import IngestLimits, ingest_to_workspace, input_files, iter_sources

LINE = json.dumps({"text": "底妆卡粉怎么办", "sender": "a", "time": "2026-10-01T08:00:00+08:00"}, ensure_ascii=False)


def _jsonl(path: Path, n: int = 3) -> Path:
    path.write_text("\n".join(LINE.replace("a", f"s{i}") for i in range(n)) + "\n", encoding="utf-8")
    return path


def _bomb(path: Path, mib: int) -> Path:
    """A zip whose one member inflates to ``mib`` MiB of repeated valid JSONL (packs ~1000x)."""
    block = ((LINE + "\n") * ((1 << 20) // (len(LINE.encode()) + 1) + 1)).encode()[: 1 << 20]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("chat.jsonl", "w", force_zip64=True) as fh:
        for _ in range(mib):
            fh.write(block)
    return path


def test_zip_over_the_unpacked_size_limit_is_refused_before_reading(tmp_path):
    z = _bomb(tmp_path / "bomb.zip", 80)
    assert z.stat().st_size < 2 << 20
    limits = IngestLimits(max_zip_bytes=64 << 20)
    with pytest.raises(LimitError, match=r"unpacks to 80 MiB; the limit is 64 MiB \(ingest.max_zip_mb\)"):
        input_files([z], limits=limits)
    [src] = list(iter_sources([z], limits=limits))  # ingest records it as a failed input, reads nothing
    assert "unpacks to 80 MiB" in src.ledger.error and list(src.messages()) == []


def test_zip_bomb_ratio_is_refused_under_the_size_limit(tmp_path):
    z = _bomb(tmp_path / "bomb.zip", 80)
    with pytest.raises(LimitError, match="looks like a zip bomb"):
        input_files([z])  # default limits: 2 GiB, but 80 MiB from < 1 MiB is not a chat export


def test_zip_with_too_many_members_is_refused(tmp_path):
    z = tmp_path / "many.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for i in range(60):
            zf.writestr(f"m{i}.txt", "")
    with pytest.raises(LimitError, match="holds 60 entries; the limit is 50"):
        input_files([z], limits=IngestLimits(max_zip_members=50))
    assert input_files([z], limits=IngestLimits(max_zip_members=60)) == [z]


def test_symlink_loops_are_skipped_and_noted(tmp_path):
    root = tmp_path / "exports"
    (root / "sub").mkdir(parents=True)
    _jsonl(root / "sub" / "chat.jsonl")
    os.symlink(".", root / "a")  # a -> .
    os.symlink(".", root / "sub" / "b")  # b -> .
    os.symlink("..", root / "sub" / "up")  # up -> the root
    files = input_files([root])
    assert files == [root / "sub" / "chat.jsonl"]
    summary = ingest_to_workspace([root], None)
    assert summary.messages == 3
    loops = sorted(led.path for led in summary.inputs if led.error and "symlink loop" in led.error)
    assert loops == [str(root / "a"), str(root / "sub" / "b"), str(root / "sub" / "up")]


def test_long_messages_are_truncated_and_counted(tmp_path):
    path = tmp_path / "long.jsonl"
    rows = [{"text": "短消息", "sender": "b"}, {"text": "长" * 50_000, "sender": "a"}, {"text": "x" * 10_001, "sender": "c"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    [src] = list(iter_sources([path]))
    texts = [m.text for m in src.messages()]
    assert [len(t) for t in texts] == [3, 10_000, 10_000] and src.truncated == 2
    summary = ingest_to_workspace([path], None, limits=IngestLimits(max_message_chars=100))
    d = summary.to_dict()
    assert d["truncated"] == 2 and d["inputs"][0]["truncated"] == 2 and summary.messages == 3


def test_a_first_message_longer_than_the_detection_window_is_still_read(tmp_path):
    path = tmp_path / "huge_first.jsonl"  # one 200k-character message first: the format probe sees half a line
    rows = [{"text": "长" * 200_000, "sender": "a"}, {"text": "电池太不耐用了", "sender": "b"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    [src] = list(iter_sources([path]))
    assert src.format == "generic.jsonl.v1"
    assert [len(m.text) for m in src.messages()] == [10_000, 7] and src.truncated == 1


def _unreadable(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``path`` unreadable: chmod 000, or (as root, who reads anything) a failing open."""
    path.chmod(0)
    if os.geteuid() == 0:
        import builtins

        real_open, real_access = builtins.open, os.access

        def fake_open(file, *a, **k):
            if str(file) == str(path):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *a, **k)

        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(os, "access", lambda p, mode, **k: str(p) != str(path) and real_access(p, mode, **k))


def test_unreadable_file_is_an_input_error(tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    folder.mkdir()
    _jsonl(folder / "ok.jsonl")
    bad = _jsonl(folder / "locked.jsonl")
    _unreadable(bad, monkeypatch)
    try:
        for given in ([bad], [folder]):
            with pytest.raises(InputError, match=r"Cannot read input: .*locked.jsonl \(PermissionError\)") as info:
                input_files(given)
            assert "底妆" not in str(info.value)
    finally:
        bad.chmod(0o600)


def test_missing_input_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        input_files([tmp_path / "nope.jsonl"])


@pytest.mark.parametrize(
    "value, iso",
    [
        (253402300799, "9999-12-31T23:59:59+00:00"),  # the last second, not milliseconds of 1978
        ("253402300799", "9999-12-31T23:59:59+00:00"),
        (1700000000, "2023-11-14T22:13:20+00:00"),
        (1700000000000, "2023-11-14T22:13:20+00:00"),
        (1700000000000000, "2023-11-14T22:13:20+00:00"),
    ],
)
def test_epoch_values_up_to_year_9999(value, iso):
    from needminer.ingest._time import LocalTime

    assert LocalTime("UTC").flexible(value).isoformat() == iso
