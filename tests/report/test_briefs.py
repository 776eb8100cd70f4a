"""briefs.md: one brief per need with ids, quotes, directions, confidence and caveats."""

from __future__ import annotations

import re

import pytest

from needminer.report._briefs import confidence, directions, md
from needminer.report._payload import need_to_dict

from .conftest import PLANTED_BEYOND_CAP, PLANTED_MANIFEST


@pytest.fixture
def briefs(report) -> str:
    return report.briefs_md.read_text(encoding="utf-8")


def test_one_brief_per_need_best_first(briefs, needs):
    heads = re.findall(r"^## (\d+)\. ", briefs, re.M)
    assert heads == [str(n.rank) for n in needs]
    for need in needs:
        assert f"`{need.id}`" in briefs
    assert briefs.index("赶时间的快速自然底妆") < briefs.index("快递柜满了取件难") < briefs.index("宠物友好的咖啡店")


def test_quotes_cite_message_ids_and_slots_cite_fragments(briefs):
    for mid in ("`m1`", "`m2`", "`m3`", "`x1`", "`t1`"):
        assert mid in briefs
    assert "**期望**：快速、自然、服帖 (`m1#0` `m3#0`)" in briefs
    assert "成员-a1 · 2024-05-01 08:30 · 宝妈群 · `m1`" in briefs
    assert "另有 242 条原话" in briefs  # 250 quotes, 8 shown


def test_directions_are_questions_from_slots(briefs, needs):
    qs = directions(need_to_dict(needs[0]), "zh")
    assert qs[0] == "能否做一款产品或服务，满足「快速、自然、服帖」？"
    assert any("熬夜党、上班族" in q and "早上赶时间" in q for q in qs)
    assert all(q.endswith("？") for q in qs)
    assert "能否先在群里做预售或意向登记（已有 4 次附和）" in briefs


def test_confidence_and_caveats(briefs, needs):
    assert [confidence(need_to_dict(n)) for n in needs] == ["medium", "medium", "high", "low"]
    thin = briefs[briefs.index("宠物友好的咖啡店"):]
    assert "**置信度**：低" in thin
    assert "只有 1 位发言人提到" in thin and "只出现在 1 个群聊中" in thin and "原话少于 3 条" in thin


def test_hostile_text_is_escaped(briefs):
    assert "<script" not in briefs and "<img" not in briefs and "<b " not in briefs and "<svg" not in briefs
    assert not re.search(r"(?<!\\)\]\(", briefs)  # no live Markdown link
    assert "\\[点我\\](javascript:alert(1))" in briefs
    assert "&lt;script&gt;alert(1)&lt;/script&gt;想要防晒" in briefs
    assert "\u2028" not in briefs and PLANTED_MANIFEST not in briefs and PLANTED_BEYOND_CAP not in briefs


def test_md_keeps_pseudonyms_readable():
    assert md("成员-3fa2") == "成员-3fa2"
    assert md("a*b_c`d|e\nf") == "a\\*b\\_c\\`d\\|e f"


def test_english_briefs(tmp_path, needs, manifest):
    from needminer.report import write_report

    text = write_report(needs, tmp_path, manifest=manifest, lang="en").briefs_md.read_text(encoding="utf-8")
    assert text.startswith("# Product-direction briefs")
    assert "Could we build a product or service that delivers “快速、自然、服帖”?" in text
    assert "**Confidence**: low" in text
