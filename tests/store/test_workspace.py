"""Workspace store: dedup by id, ordering, embedding cache, secret, run history."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from needminer.store import Workspace, text_key
from needminer.types import Message, MessageKind

T0 = datetime(2026, 10, 1, tzinfo=timezone.utc)


def _msgs(n: int, offset: int = 0) -> list[Message]:
    return [
        Message(id=f"m{i}", chat="c", sender=f"s{i % 3}", text=f"text {i}", time=T0 + timedelta(minutes=i), ordinal=i)
        for i in range(offset, offset + n)
    ]


def test_dedup_across_overlapping_inputs(tmp_path):
    with Workspace(tmp_path) as ws:
        assert ws.add_messages(_msgs(10)) == (10, 0)
        assert ws.add_messages(_msgs(10, offset=5)) == (5, 5)  # overlapping export
        assert ws.count_messages() == 15


def test_roundtrip_and_order(tmp_path):
    msgs = _msgs(5)[::-1] + [Message(id="x", chat="c", sender="s", text="t", kind=MessageKind.media, reply_to="m1")]
    with Workspace(tmp_path) as ws:
        ws.add_messages(msgs)
        got = list(ws.iter_messages())
        assert [m.id for m in got] == ["m0", "m1", "m2", "m3", "m4", "x"]  # by time, untimed last
        assert got[0] == _msgs(1)[0]
        assert got[-1].kind is MessageKind.media and got[-1].reply_to == "m1"
        assert [m.id for m in ws.iter_messages(["m3", "m1"])] == ["m1", "m3"]
        assert list(ws.iter_messages([])) == []


def test_vectors_cache(tmp_path):
    with Workspace(tmp_path) as ws:
        keys = [text_key("a"), text_key("b")]
        ws.put_vectors("m.v1", keys, np.eye(2, 3, dtype=np.float32))
        got = ws.get_vectors("m.v1", keys + [text_key("c")])
        assert set(got) == set(keys)
        np.testing.assert_array_equal(got[keys[1]], [0, 1, 0])
        assert ws.get_vectors("other.v1", keys) == {}
        assert ws.count_vectors("m.v1") == 2


def test_secret_is_stable_and_private(tmp_path):
    with Workspace(tmp_path) as ws:
        s1 = ws.secret
    with Workspace(tmp_path) as ws:
        assert ws.secret == s1 and len(s1) == 32
    with Workspace(tmp_path / "other") as ws:
        assert ws.secret != s1


def test_runs(tmp_path):
    with Workspace(tmp_path) as ws:
        assert ws.last_run() is None
        ws.record_run({"a": 1})
        ws.record_run({"a": 2, "t": T0})
        assert ws.last_run()["a"] == 2


def test_unwritable_folder_is_a_clear_error(tmp_path):
    import pytest

    from needminer.errors import NeedMinerError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(NeedMinerError, match="Cannot open the workspace"):
        Workspace(blocker / "ws")
