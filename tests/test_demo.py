"""The bundled demo as a new user runs it (`make run`): planted needs come out ranked, with evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from needminer.config import load_config
from needminer.describe import faithfulness
from needminer.pipeline import run

# The whole demo with the default e5-small+lite embedder: about a minute, and the model build on a fresh clone.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SEED_IDS = {"bg-000267", "bg-000270", "bg-000274"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, e5_models_dir):
    out = tmp_path_factory.mktemp("demo")
    cfg = load_config(overrides={"workspace": str(out / "ws"), "embed.models_dir": str(e5_models_dir)})
    return run([ROOT / "data" / "samples"], out / "report", cfg), out / "report"


def test_seed_example_is_one_need_with_a_scenario_title(demo):
    result, _ = demo
    holders = [n for n in result.needs if SEED_IDS & set(n.message_ids)]
    assert len(holders) == 1 and SEED_IDS <= set(holders[0].message_ids)
    need = holders[0]
    title = need.statement.title
    assert any(w in title for w in ("底妆", "粉底", "气垫")) and "伪素颜" in title and len(title) <= 16
    assert any(w in title for w in ("快", "赶时间")), title  # the speed the scenario is about
    quotes = [q.text for q in need.evidence]
    assert faithfulness(title, quotes) == 1.0  # every title word is in the quotes shown under it
    for slot in need.statement.slots.values():
        assert slot.fragment_ids  # slots cite what people said
    assert len(need.speakers) >= 3


def test_planted_needs_are_recovered_and_ranked(demo):
    from bench.run import recovery

    result, out = demo
    truth = json.loads((ROOT / "bench" / "samples_truth.json").read_text("utf-8"))
    rec = recovery(result.needs, truth)
    assert rec["nmi"] >= 0.55 and rec["recall"] >= 0.7
    assert len(result.needs) >= 8
    input_ids = set()
    for f in (ROOT / "data" / "samples").glob("*.jsonl"):
        input_ids |= {json.loads(line)["id"] for line in f.read_text("utf-8").splitlines() if line.strip()}
    data = json.loads((out / "needs.json").read_text("utf-8"))
    demo_ids = {m for n in data["needs"] for m in n["message_ids"]}
    assert demo_ids <= input_ids  # ids resolve to the input's own ids (the demo reads nothing else)
    assert {c for n in data["needs"] for c in n["chats"]} <= set(truth["chats"])
    assert [n["rank"] for n in data["needs"]] == list(range(1, len(data["needs"]) + 1))
