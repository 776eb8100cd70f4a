"""ChatLab JSON is streamed: the first message comes before the file is read, memory stays flat,
and the result equals a whole-file read (also when ``messages`` precedes ``meta``/``members``)."""

from __future__ import annotations

import io
import json
import tracemalloc

import pytest

from needminer.ingest import _jsonstream as jsonstream
from needminer.ingest import iter_sources
from needminer.ingest._base import ReadContext, SourceFile
from needminer.ingest._encoding import HEAD_BYTES
from needminer.registry import ingesters
from needminer.types import IngestLedger

from .conftest import SAMPLES, read_one

FMT = "chatlab.json.v1"


def _root(n: int) -> dict:
    members = [{"platformId": f"u{i}", "accountName": f"成员{i}"} for i in range(50)]
    messages = [{"sender": f"u{i % 50}", "accountName": f"成员{i % 50}", "timestamp": 1_790_000_000 + i * 7,
                 "type": 1 if i % 9 == 5 else 0, "content": "[图片]" if i % 9 == 5 else f"第{i}条：猫砂一倒就起灰，想找粉尘小点的"}
                for i in range(n)]
    return {"chatlab": {"version": "0.0.1", "exportedAt": 1_791_000_000}, "meta": {"name": "大群", "platform": "qq",
            "type": "group"}, "members": members, "messages": messages}


def _write(path, root: dict, indent: int | None = 1):
    path.write_text(json.dumps(root, ensure_ascii=False, indent=indent), encoding="utf-8")
    return path


class _Counting(io.RawIOBase):
    """A file stream that counts the bytes handed out."""

    def __init__(self, path, box: list[int]) -> None:
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._box = box

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self._fh.read(len(b))
        b[: len(data)] = data
        self._box[0] += len(data)
        return len(data)

    def close(self) -> None:
        self._fh.close()
        super().close()


@pytest.fixture
def small_chunks(monkeypatch):
    """64 Ki-character chunks, so that a few-MB file is many chunks long."""
    monkeypatch.setattr(jsonstream, "CHUNK", 1 << 16)
    return 1 << 16


def test_first_message_arrives_before_the_file_is_read(tmp_path, small_chunks):
    path = _write(tmp_path / "big.json", _root(20_000))
    size = path.stat().st_size
    box = [0]
    src = SourceFile(str(path), path.name, lambda: io.BufferedReader(_Counting(path, box), 1 << 16))
    ledger = IngestLedger(path=str(path), format=FMT)
    stream = ingesters.get(FMT).read(src, ReadContext(src, ledger, "UTC", {}, FMT))
    first = next(stream)
    assert first.text.startswith("第0条") and first.chat == "大群" and first.sender_name == "成员0"
    # the encoding sniff (64 KiB) plus one chunk (at most 3 bytes a character), not the whole file
    assert box[0] <= HEAD_BYTES + 3 * small_chunks + (1 << 16) < size / 10, (box[0], size)
    assert 1 + sum(1 for _ in stream) == ledger.messages == 20_000 and ledger.balanced


def test_memory_stays_flat(tmp_path, small_chunks):
    path = _write(tmp_path / "big.json", _root(30_000), indent=None)
    size = path.stat().st_size
    (src,) = iter_sources([path])
    assert src.format == FMT
    tracemalloc.start()
    try:
        n = sum(1 for _ in src.messages())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == 30_000
    # a whole-file read holds the decoded text plus every parsed message (several times the file)
    assert peak < size / 3, (peak, size)


def test_messages_before_meta_read_the_same(tmp_path):
    root = _root(3_000)
    normal = _write(tmp_path / "a.json", root)
    moved = _write(tmp_path / "b.json", {"messages": root["messages"], "chatlab": root["chatlab"],
                                          "meta": root["meta"], "members": root["members"]})
    no_members = _write(tmp_path / "c.json", {k: v for k, v in root.items() if k != "members"})
    (sa,), (sb,), (sc,) = (iter_sources([p], format=FMT) for p in (normal, moved, no_members))
    ma, mb, mc = list(sa.messages()), list(sb.messages()), list(sc.messages())
    assert sb.ledger.error is None and sc.ledger.error is None
    assert [(m.id, m.chat, m.sender, m.sender_name, m.text, m.time, m.kind) for m in ma] == \
           [(m.id, m.chat, m.sender, m.sender_name, m.text, m.time, m.kind) for m in mb]
    assert sa.ledger.to_dict() | {"path": ""} == sb.ledger.to_dict() | {"path": ""}
    assert len(mc) == 3_000 and mc[0].chat == "大群" and mc[0].sender_name == "成员0"  # names from the messages


def test_sample_counts_unchanged():
    ledger, msgs = read_one(SAMPLES / "chatlab_json" / "猫咪互助群.json")
    assert (ledger.format, ledger.records, ledger.messages, ledger.skipped) == (FMT, 21, 20, {"empty": 1})
    assert msgs[0].chat == "猫咪互助群" and msgs[0].sender == "qq2001"


def test_truncated_and_invalid_documents_are_ingest_errors(tmp_path):
    data = json.dumps(_root(200), ensure_ascii=False)
    for i, text in enumerate([data[: len(data) // 2], data.replace('"messages": [', '"messages": {', 1),
                              '{"chatlab": {}, "meta": {"name": "x"}, "members": 5, "messages": []}x']):
        path = tmp_path / f"t{i}.json"
        path.write_text(text, encoding="utf-8")
        (src,) = iter_sources([path], format=FMT)
        list(src.messages())
        assert src.ledger.balanced
        assert src.ledger.error and not src.ledger.error.startswith("unexpected"), src.ledger.error
