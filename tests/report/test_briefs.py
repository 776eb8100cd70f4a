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


def test_briefs_use_max_quotes_from_manifest(tmp_path, needs, manifest):
    from needminer.report import write_report

    manifest = {**manifest, "config": {**manifest["config"], "report": {"max_quotes": 2}}}
    text = write_report(needs, tmp_path, manifest=manifest).briefs_md.read_text(encoding="utf-8")
    assert "另有 248 条原话" in text  # 250 quotes, 2 shown
    makeup = text[:text.index("## 2. ")]
    assert makeup.count("\n> — ") == 2


def test_co_creation_candidates(tmp_path, needs, manifest):
    import json

    from needminer.report import write_report

    from .conftest import make_engagement

    files = write_report(needs, tmp_path, manifest=manifest, engagement=make_engagement())
    text = files.briefs_md.read_text(encoding="utf-8")
    assert "### 共创候选人" in text and "- 成员-a1：片段 2 · 附和 1 · 回复 3" in text
    assert "<b " not in text  # hostile pseudonym escaped
    doc = json.loads(files.needs_json.read_text(encoding="utf-8"))
    assert doc["needs"][0]["co_creators"][0] == {"speaker": "成员-a1", "fragments": 2, "endorsements": 1,
                                                 "replies": 3, "total": 6}
    assert doc["needs"][3]["co_creators"] == []
    thin = text[text.index("宠物友好的咖啡店"):]
    assert "可邀请的共创候选人少于 3 位" in thin and "### 共创候选人" not in thin
    # without the run's data the candidates come from the quotes
    plain = write_report(needs, tmp_path / "plain", manifest=manifest).briefs_md.read_text(encoding="utf-8")
    assert "仅按原话条数统计" in plain and "成员-p0：原话 7 条" in plain


def test_need_engagement_from_a_conversation():
    from datetime import datetime, timedelta, timezone

    from needminer.conversation import build_conversation
    from needminer.report import need_engagement
    from needminer.types import CleanMessage, Evidence, NeedStatement, RankedNeed

    t = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)

    def m(i, speaker, text, **kw):
        return CleanMessage(id=f"e{i}", chat="群", speaker=speaker, text=text, time=t + timedelta(minutes=i), **kw)

    msgs = [m(1, "A", "粉底总是卡粉，有没有不卡粉的推荐？"), m(2, "B", "试试先用保湿打底", reply_to="e1"),
            m(3, "C", "+1", reply_to="e1"), m(4, "B", "我也觉得保湿很重要"), m(5, "A", "好的谢谢")]
    conv = build_conversation(msgs)
    frag = next(f for f in conv.fragments if f.message_id == "e1")
    need = RankedNeed(rank=1, statement=NeedStatement(need_id="N000001", title="不卡粉", statement="不卡粉"),
                      score=1.0, factors={}, speakers=("A",), chats=("群",), message_ids=("e1",),
                      evidence=(Evidence("e1", "群", "A", t, msgs[0].text, (0, 4), frag.id),), fragment_ids=(frag.id,))
    got = {r["speaker"]: r for r in need_engagement([need], conv, msgs)["N000001"]}
    assert got["A"]["fragments"] == 1 and got["A"]["replies"] == 1
    assert got["B"]["replies"] == 2 and got["B"]["fragments"] == 0
    assert [e.fragment_id for e in conv.endorsements] == [frag.id]
    assert got["C"] == {"speaker": "C", "fragments": 0, "endorsements": 1, "replies": 0, "total": 1}
    assert list(got) == ["A", "B", "C"] or list(got) == ["B", "A", "C"]


@pytest.mark.parametrize(
    "need_id, shown",
    [
        ("N1a2b3c", "`N1a2b3c` · 领域：美妆"),  # the domain name beside the id
        ("N_xss01", "`N_xss01` · 领域：&lt;u&gt;护肤&lt;/u&gt;"),  # a name is chat-derived text: escaped
    ],
)
def test_domain_name_is_shown(briefs, needs, need_id, shown):
    assert need_id in {n.id for n in needs}
    assert shown in briefs.splitlines()


def test_no_domain_line_without_a_domain(briefs, needs):
    for need in needs:
        if not need.domain:
            assert f"`{need.id}`" in briefs.splitlines()


def test_a_need_members_ask_about_gets_an_answer_direction_and_no_missing_pain_caveat() -> None:
    from needminer.report._briefs import caveats

    need = {"speakers": 9, "chats": ["c1", "c2"], "evidence": [{}] * 5, "endorsements": 0,
            "slots": {"persona": {"text": "新生"}, "scene": {"text": "开学"}, "task": {"text": "校车"},
                      "expectation": {"text": "校车再多几班"}, "question": {"text": "校车最晚几点？"}}}
    qs = directions(need, "zh")
    assert qs[0] == "成员反复在问「校车最晚几点？」：能否用公告、常见问题或自助查询让他们直接查到答案？"
    assert not any("解决「" in q for q in qs)
    assert not any(c.startswith("缺少要素") for c in caveats(need, "zh"))  # 常问 stands in for 痛点
    del need["slots"]["question"]
    assert any("痛点" in c for c in caveats(need, "zh"))  # without it, the pain is missing
    assert "Members keep asking “校车最晚几点？”" in directions({**need, "slots": {"question": {"text": "校车最晚几点？"}}}, "en")[0]
