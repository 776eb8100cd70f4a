"""The demo input in data/samples/ and its planted truth in bench/samples_truth.json."""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # plain `pytest` does not put the repository root on sys.path
    sys.path.insert(0, str(ROOT))

SAMPLES = ROOT / "data" / "samples"
TRUTH = ROOT / "bench" / "samples_truth.json"
SEED_SENTENCES = (
    "最近加班多，早上化妆时间不够，希望底妆又快又服帖",
    "我用了XX产品，虽然遮瑕好但需要打湿美妆蛋，赶时间时总弄不均匀",
    "其实我想要的是'伪素颜'效果，看起来自然但又有气色",
)


@pytest.fixture(scope="module")
def files() -> list[Path]:
    found = sorted(SAMPLES.glob("*.jsonl"))  # the demo groups; format fixtures live in tests/fixtures/formats
    assert found, f"no demo files in {SAMPLES}; run `.venv/bin/python -m bench.make_samples`"
    return found


@pytest.fixture(scope="module")
def records(files: list[Path]) -> list[dict]:
    out = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            record = json.loads(line)
            assert isinstance(record, dict), f"{path.name}:{n} is not a JSON object"
            out.append(record)
    return out


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads(TRUTH.read_text(encoding="utf-8"))


def test_files_are_small_generic_jsonl(files: list[Path], records: list[dict]) -> None:
    assert len(files) >= 3
    for path in files:
        assert path.stat().st_size < 500_000, path.name
    for record in records:
        assert isinstance(record["text"], str) and record["text"]
        assert isinstance(record["sender"], str) and record["sender"]
        assert re.fullmatch(r"[a-z]+\d?-\d{6}", record["id"])
        assert datetime.fromisoformat(record["time"]).utcoffset() == timedelta(hours=8)
        assert not any(key.startswith("_") for key in record), "private truth keys leaked into the input"


def test_volume_span_and_chats(records: list[dict]) -> None:
    assert len(records) >= 1500
    assert len({r["id"] for r in records}) == len(records)
    assert len({r["chat"] for r in records}) >= 3
    times = sorted(datetime.fromisoformat(r["time"]) for r in records)
    assert times[-1] - times[0] >= timedelta(weeks=3)


def test_replies_point_backwards_in_the_same_chat(records: list[dict]) -> None:
    by_id = {r["id"]: r for r in records}
    replies = [r for r in records if "reply_to" in r]
    assert len(replies) >= 100
    for reply in replies:
        target = by_id[reply["reply_to"]]
        assert target["chat"] == reply["chat"]
        assert target["time"] <= reply["time"]


def test_seed_example_is_verbatim_from_three_speakers_within_an_hour(records: list[dict]) -> None:
    seeds = [next(r for r in records if r["text"] == s) for s in SEED_SENTENCES]
    assert len({r["sender"] for r in seeds}) == 3
    assert len({r["chat"] for r in seeds}) == 1 and "美妆" in seeds[0]["chat"]
    times = [datetime.fromisoformat(r["time"]) for r in seeds]
    assert max(times) - min(times) <= timedelta(hours=1)
    between = [r for r in records if r["chat"] == seeds[0]["chat"] and seeds[0]["time"] < r["time"] < seeds[2]["time"]]
    assert len(between) > 1, "the seed sentences should have other messages between them"


def test_truth_lives_outside_the_input(truth: dict) -> None:
    assert not TRUTH.resolve().is_relative_to(SAMPLES.resolve())
    assert len(truth["needs"]) >= 8
    assert {need["domain"] for need in truth["needs"].values()} >= {"美妆/护肤", "母婴", "跑步/健身"}


def test_every_planted_need_spans_speakers_and_days(records: list[dict], truth: dict) -> None:
    by_id = {r["id"]: r for r in records}
    for key, need in truth["needs"].items():
        voiced = [by_id[i] for i in need["message_ids"]]
        assert len({r["sender"] for r in voiced}) >= 3, key
        assert len({r["time"][:10] for r in voiced}) >= 2, key
        assert need["title"]


def test_seed_need_also_voiced_by_others_on_other_days(records: list[dict], truth: dict) -> None:
    need = truth["needs"]["late_night_quick_base"]
    assert need["title"] == "熬夜党快速伪素颜底妆"
    by_id = {r["id"]: r for r in records}
    seed_ids = {r["id"] for r in records if r["text"] in SEED_SENTENCES}
    assert seed_ids <= set(need["message_ids"])
    seed_day = by_id[min(seed_ids)]["time"][:10]
    assert {by_id[i]["time"][:10] for i in need["message_ids"]} - {seed_day}


def test_noise_and_planted_personal_data_are_present(records: list[dict], truth: dict) -> None:
    texts = "\n".join(r["text"] for r in records)
    assert 0.6 <= truth["noise_share"] <= 0.9
    for pattern in (r"1[3-9]\d[- ]?0000[- ]?\d{4}", r"wxid_[a-z0-9]{8}", r"[\w.]+@example\.(com|net|org)", r"[市].{1,4}区.{2,6}路\d+号"):
        assert re.search(pattern, texts), pattern
    for marker in ("[红包]", "[图片]", "[捂脸]", "早上好", "晚安", "+1"):
        assert marker in texts, marker


def test_samples_are_reproducible(tmp_path: Path, files: list[Path]) -> None:
    from bench.make_samples import build
    from bench.synth import write_jsonl

    written = write_jsonl(build(), tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in files)
    for path in written:
        assert path.read_bytes() == (SAMPLES / path.name).read_bytes(), f"{path.name} is stale; rerun bench.make_samples"


def test_demo_input_is_the_three_groups_only(truth: dict) -> None:
    """`needminer run data/samples` reads the three demo groups and nothing else (the format
    fixtures live in tests/fixtures/formats): three sources, three chats, 2026-09-01 … 2026-10-20."""
    from needminer.ingest import iter_sources

    sources = list(iter_sources([SAMPLES]))
    assert sorted(Path(src.path).name for src in sources) == ["baby_group.jsonl", "beauty_group.jsonl", "running_group.jsonl"]
    messages = [m for src in sources for m in src.messages()]
    assert {m.chat for m in messages} == set(truth["chats"]) and len(messages) == truth["n_messages"]
    days = sorted({m.time.astimezone(timezone(timedelta(hours=8))).date() for m in messages})
    assert (str(days[0]), str(days[-1])) == ("2026-09-01", "2026-10-20")
    assert [p.name for p in SAMPLES.iterdir() if p.is_dir()] == []
