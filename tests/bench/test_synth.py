"""The synthetic chat generator bench.synth."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # plain `pytest` does not put the repository root on sys.path
    sys.path.insert(0, str(ROOT))

from bench.synth import (  # noqa: E402
    CST, NEEDS, ScriptedMessage, default_chats, generate, main, truth, write_jsonl,
)

PUBLIC_KEYS = {"id", "chat", "sender", "sender_name", "time", "text", "reply_to"}


@pytest.fixture(scope="module")
def big() -> list[dict]:
    return generate(20_000, 5, seed=11)


def test_catalogue_has_enough_needs_in_three_domains() -> None:
    assert len(NEEDS) >= 12
    per_domain = Counter(n.domain for n in NEEDS)
    assert set(per_domain) == {"美妆/护肤", "母婴", "跑步/健身"} and min(per_domain.values()) >= 4
    assert len({n.key for n in NEEDS}) == len(NEEDS)


def test_deterministic_for_a_seed() -> None:
    assert generate(1500, seed=3) == generate(1500, seed=3)
    assert generate(1500, seed=3) != generate(1500, seed=4)


@pytest.mark.parametrize("n,groups", [(0, 1), (1, 1), (17, 2), (999, 3), (2500, 4)])
def test_exact_message_count(n: int, groups: int) -> None:
    records = generate(n, groups, seed=n)
    assert len(records) == n
    assert {r["chat"] for r in records} <= {c.name for c in default_chats(groups)}


@pytest.mark.parametrize("rate", [0.0, 0.5, 0.75, 0.9, 1.0])
def test_noise_rate_is_respected(rate: float) -> None:
    records = generate(4000, 3, seed=1, noise_rate=rate)
    noise = sum(r["_need"] is None for r in records) / len(records)
    assert noise == pytest.approx(rate, abs=0.01)


def test_records_schema_times_and_replies(big: list[dict]) -> None:
    start, end = datetime(2026, 9, 1, tzinfo=CST), datetime(2026, 9, 29, tzinfo=CST)
    by_id = {r["id"]: r for r in big}
    assert len(by_id) == len(big)
    assert len({r["chat"] for r in big}) == 5
    for record in big:
        assert set(record) - {"_need", "_kind", "_slug"} <= PUBLIC_KEYS
        assert record["text"] and record["sender"] and record["sender_name"]
        when = datetime.fromisoformat(record["time"])
        assert when.utcoffset() == timedelta(hours=8) and start <= when < end
        if "reply_to" in record:
            target = by_id[record["reply_to"]]
            assert target["chat"] == record["chat"] and target["time"] <= record["time"]
    for chat in {r["chat"] for r in big}:
        times = [r["time"] for r in big if r["chat"] == chat]
        assert times == sorted(times)


def test_needs_are_fragmented_over_speakers_and_days(big: list[dict]) -> None:
    doc = truth(big)
    assert set(doc["needs"]) == {n.key for n in NEEDS}
    for key, need in doc["needs"].items():
        assert need["speakers"] >= 3 and need["days"] >= 2, key
    need_texts = [r["text"] for r in big if r["_need"]]
    assert len(set(need_texts)) / len(need_texts) > 0.9, "need phrasings should not repeat verbatim"
    consecutive = sum(
        a["_need"] is not None and a["_need"] == b["_need"] and a["sender"] == b["sender"]
        for a, b in zip(big, big[1:])
    )
    assert consecutive > 50, "some needs should be voiced over consecutive messages of one speaker"


def test_realistic_noise_kinds_and_skewed_activity(big: list[dict]) -> None:
    kinds = Counter(r["_kind"] for r in big)
    for kind in ("greeting", "sticker", "red_packet", "ad", "endorse", "chat", "thanks", "answer", "praise"):
        assert kinds[kind] > 0, kind
    needs = {r["id"] for r in big if r["_need"]}
    endorse = [r for r in big if r["_kind"] == "endorse"]
    assert all(r.get("reply_to") in needs for r in endorse)
    assert any("wxid_" in r["text"] for r in big if r["_kind"] == "ad")
    per_sender = Counter(r["sender"] for r in big if r["chat"] == big[0]["chat"])
    counts = sorted(per_sender.values(), reverse=True)
    assert counts[0] > 10 * counts[len(counts) // 2], "some speakers should be much more active"


def test_write_jsonl_strips_truth(tmp_path: Path) -> None:
    records = generate(600, 3, seed=5)
    paths = write_jsonl(records, tmp_path / "chats")
    assert [p.name for p in paths] == ["beauty_group.jsonl", "baby_group.jsonl", "running_group.jsonl"]
    lines = [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 600
    assert all(set(line) <= PUBLIC_KEYS for line in lines)


def test_script_is_placed_verbatim() -> None:
    chat = default_chats(3)[0].name
    at = datetime(2026, 9, 5, 8, 0, tzinfo=CST)
    script = [
        ScriptedMessage(chat, at, "A", "脚本第一句", "late_night_quick_base"),
        ScriptedMessage(chat, at + timedelta(minutes=5), "B", "+1", reply_to=0, kind="endorse"),
    ]
    records = generate(300, 3, seed=2, script=script)
    assert len(records) == 300
    first = next(r for r in records if r["text"] == "脚本第一句")
    second = next(r for r in records if r.get("reply_to") == first["id"] and r["text"] == "+1")
    assert first["_need"] == "late_night_quick_base" and first["sender"] != second["sender"]
    assert first["time"] == "2026-09-05T08:00:00+08:00"


@pytest.mark.parametrize(
    "kwargs",
    [{"n_messages": -1}, {"n_groups": 0}, {"noise_rate": 1.5}, {"days": 0},
     {"start": datetime(2026, 9, 1)}, {"needs": []}],
)
def test_bad_arguments_raise(kwargs: dict) -> None:
    args = {"n_messages": 10} | kwargs
    with pytest.raises(ValueError):
        generate(**args)


def test_cli_writes_files_and_truth_outside_the_input(tmp_path: Path) -> None:
    out = tmp_path / "chats"
    assert main(["--messages", "500", "--groups", "3", "--out", str(out), "--seed", "7"]) == 0
    assert len(list(out.glob("*.jsonl"))) == 3
    doc = json.loads((tmp_path / "chats.truth.json").read_text(encoding="utf-8"))
    assert doc["n_messages"] == 500 and doc["needs"]
    with pytest.raises(SystemExit):
        main(["--messages", "50", "--out", str(out), "--truth", str(out / "t.json")])
