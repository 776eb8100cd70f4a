"""Signal and period filters: the needs.json fields behind them and the page data they use."""

from __future__ import annotations

import json
from enum import Enum

import pytest

from needminer.report import needs_document, write_report
from needminer.report._page import page_data, period_filter, period_label
from needminer.report._payload import need_to_dict, signal_mix

from .conftest import SIGNAL_NEEDS, make_signal_needs


def test_need_dict_has_signal_mix_and_period_days():
    docs = [need_to_dict(n) for n in make_signal_needs(period_days=14)]
    a = docs[0]
    assert a["signal_mix"] == {"pain": 12, "wish": 5, "question": 3, "praise": 2}
    assert list(a["signal_mix"]) == ["pain", "wish", "question", "praise"]  # fixed label order
    assert a["period_days"] == 14 and isinstance(a["period_days"], int)
    assert a["trend"] == [0, 0, 0, 0, 0, 0, 1, 4]
    assert docs[4]["signal_mix"] == {} and docs[4]["trend"] == []
    json.dumps(docs, allow_nan=False)  # plain JSON


def test_needs_json_keeps_schema_1_and_adds_the_fields(tmp_path):
    files = write_report(make_signal_needs(), tmp_path / "out", manifest={"inputs": []})
    doc = json.loads(files.needs_json.read_text(encoding="utf-8"))
    assert doc["schema"] == 1
    by_id = {n["id"]: n for n in doc["needs"]}
    for nid, (_, mix, trend) in SIGNAL_NEEDS.items():
        assert by_id[nid]["signal_mix"] == mix
        assert by_id[nid]["trend"] == list(trend)
        assert by_id[nid]["period_days"] == 7


class Label(str, Enum):
    pain = "pain"
    wish = "wish"


@pytest.mark.parametrize(("mix", "expected"), [
    ({"other": 1, "question": 2, "zz": 3, "pain": 4}, {"pain": 4, "question": 2, "other": 1, "zz": 3}),
    ({Label.wish: 2, Label.pain: 1}, {"pain": 1, "wish": 2}),  # enum keys become their values
    ({"pain": 0, "wish": -1, "question": float("nan"), "noise": 2.0}, {"noise": 2}),  # no empty or junk counts
    (None, {}),
    ([("pain", 1)], {}),
])
def test_signal_mix_is_normalised(mix, expected):
    out = signal_mix(mix)
    assert out == expected and list(out) == list(expected)
    assert all(type(v) is int for v in out.values())


def test_page_data_carries_mix_and_period_options():
    doc = needs_document(make_signal_needs())
    data = page_data(doc, "zh")
    mixes = {n["id"]: n["mix"] for n in data["needs"]}
    assert mixes["N_sigA"] == {"pain": 12, "wish": 5, "question": 3, "praise": 2} and mixes["N_sigE"] == {}
    assert data["signals"] == {"labels": ["pain", "wish", "question"], "min": 0.25, "on": True}
    assert data["period"]["days"] == 7
    assert data["period"]["options"] == [[1, "最近 1 周"], [4, "最近 4 周"], [8, "最近 8 周"]]
    assert "7 天" in data["period"]["help"]
    en = page_data(doc, "en")["period"]
    assert en["options"] == [[1, "Last week"], [4, "Last 4 weeks"], [8, "Last 8 weeks"]]
    assert "7 days" in en["help"]


@pytest.mark.parametrize(("n", "days", "lang", "label"), [
    (4, 7, "zh", "最近 4 周"),
    (1, 7, "zh", "最近 1 周"),
    (4, 1, "zh", "最近 4 天"),
    (4, 14, "zh", "最近 8 周（4 期）"),
    (1, 30, "zh", "最近 30 天（1 期）"),
    (8, 1, "en", "Last 8 days"),
    (1, 1, "en", "Last day"),
    (4, 30, "en", "Last 120 days (4 periods)"),
    (1, 14, "en", "Last 2 weeks (1 period)"),
])
def test_period_labels(n, days, lang, label):
    assert period_label(n, days, lang) == label


def test_period_options_follow_the_trends():
    assert period_filter([{"trend": [0, 1, 0, 2, 0]}], "zh")["options"] == [[1, "最近 1 周"], [4, "最近 4 周"]]
    assert period_filter([{"trend": [0, 0, 0]}, {"trend": []}, {}], "zh")["options"] == []  # nothing dated
    assert period_filter([], "en")["options"] == []
    # the most common period length wins; junk is ignored
    needs = [{"period_days": 1, "trend": [1]}, {"period_days": 1}, {"period_days": 7}, {"period_days": "x"}]
    assert period_filter(needs, "zh")["days"] == 1


def test_old_needs_json_without_the_fields_still_renders():
    doc = needs_document(make_signal_needs())
    for n in doc["needs"]:
        del n["signal_mix"], n["period_days"]
    data = page_data(doc, "zh")
    assert all(n["mix"] == {} for n in data["needs"])
    assert data["signals"]["on"] is False and data["period"]["days"] == 7


def test_clusters_below_the_bar_are_marked_in_every_output(tmp_path):
    from dataclasses import replace

    from needminer.report._briefs import caveats

    needs = make_signal_needs()
    needs[-1] = replace(needs[-1], below_bar="few_people")
    needs[-2] = replace(needs[-2], below_bar="chatter")
    doc = needs_document(needs)
    assert [n["below_bar"] for n in doc["needs"]][-3:] == ["", "chatter", "few_people"]
    page = {n["id"]: n["below"] for n in page_data(doc, "zh")["needs"]}
    assert page[needs[0].id] == "" and page[needs[-1].id] == "提到的人太少，未列为需求"
    assert page[needs[-2].id] == "多为闲聊，未列为需求"
    assert caveats(doc["needs"][-1], "en")[0].startswith("Not listed as a need: too few people")
    files = write_report(needs, tmp_path / "out", manifest={"inputs": []})
    briefs = files.briefs_md.read_text(encoding="utf-8")
    assert "未列为需求：提到或附和的人太少" in briefs and f"共 {len(needs) - 2} 条需求" in briefs and "另有 2 组话题未达需求门槛" in briefs
    summary = page_data(doc, "zh")["summary"]
    assert summary["needs"] == len(needs) - 2 and summary["below"] == 2
    html = files.html.read_text(encoding="utf-8")
    assert '<option value="listed">只看需求' in html and "n.below" in html
