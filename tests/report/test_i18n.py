"""Both report languages are complete, the Chinese UI has no English left, one name per meaning."""

from __future__ import annotations

import json
import re

import pytest

from needminer.config import RankConfig
from needminer.rank import FACTORS, formula
from needminer.report import needs_document, render_html
from needminer.report._briefs import render_briefs
from needminer.report._html import resource_text
from needminer.report._i18n import BRIEF, UI, localize_formula
from needminer.report._page import HEALTH_COLUMNS, WEEKLY_COLUMNS, health_label, page_data

from .conftest import make_community_health

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3400-\u9fff]")
# Names a Chinese sentence may keep: file names, a standard, and math notation in the formula.
ZH_KEEPS = {"JavaScript", "briefs", "md", "needs", "json", "ISO", "min"}


def _latin(text: str) -> set[str]:
    text = re.sub(r"\{[a-z_]+\}", "", text)  # format placeholders are not shown
    return {w for w in LATIN_WORD.findall(text) if w not in ZH_KEEPS}


@pytest.mark.parametrize("table", [UI, BRIEF], ids=["page", "briefs"])
def test_every_string_in_both_languages(table):
    assert set(table["zh"]) == set(table["en"])
    assert {k: v for k, v in table["zh"].items() if _latin(v)} == {}
    assert {k: v for k, v in table["en"].items() if CJK.search(v)} == {}


@pytest.mark.parametrize("name", [*FACTORS, "coherence", "need_share", "penalty"])
def test_every_score_factor_has_a_name(name):
    assert f"f_{name}" in UI["zh"] and f"f_{name}" in UI["en"]


def test_formula_in_chinese_keeps_numbers_and_drops_english():
    text = formula(RankConfig())
    zh = localize_formula(text, "zh")
    assert _latin(zh) == set(), zh
    assert re.findall(r"\d+(?:\.\d+)?", zh) == re.findall(r"\d+(?:\.\d+)?", text)  # weights and floors kept
    assert "3·发言人数" in zh and "一致性" in zh and "平均需求概率" in zh
    assert localize_formula(text, "en") == text
    assert localize_formula("speakers_raw + speakers", "zh") == "speakers_raw + 发言人数"  # whole words only


def test_chinese_page_data_has_no_english_labels(needs, manifest):
    doc = {**needs_document(needs), "manifest": manifest, "formula": formula(RankConfig()),
           "health": make_community_health()}
    data = page_data(doc, "zh")
    assert {k: v for k, v in data["factorNames"] if _latin(v)} == {}
    assert ("coherence", "一致性") in [tuple(x) for x in data["factorNames"]]
    assert _latin(data["formula"]) == set()
    run_facts = [row[0] for row in data["config"] if "." not in row[0]]  # config keys stay as TOML spells them
    assert "随机种子" in run_facts and "开始时间" in run_facts and "seed" not in run_facts
    assert [c[1] for c in data["healthPanel"]["columns"] if _latin(c[1])] == []
    en = page_data(doc, "en")
    assert {k: v for k, v in en["factorNames"] if CJK.search(v)} == {}


def test_briefs_formula_in_the_report_language(needs, manifest):
    doc = {**needs_document(needs), "manifest": manifest, "formula": formula(RankConfig())}
    zh = render_briefs(doc, "zh")
    line = next(x for x in zh.splitlines() if x.startswith("评分公式："))
    assert _latin(line.replace("`", "")) == set(), line
    assert "Scoring formula: `NeedScore" in render_briefs(doc, "en")


def test_one_name_per_meaning():
    """The header counts the speakers of the needs, the health panel every member who posted: two
    numbers, so two names; the same name never labels two different counts."""
    for lang in ("zh", "en"):
        ui = UI[lang]
        header, need, health = ui["sum_speakers"], ui["speakers"], health_label("active_speakers", lang)
        assert header != need and health not in (header, need, ui["f_speakers"])
        assert ui["sum_chats"] not in (ui["chats"], ui["f_chats"], ui["h_chat"])
        labels = [health_label(k, lang) for k, _ in (*HEALTH_COLUMNS, *WEEKLY_COLUMNS)]
        assert len(set(labels)) == len({k for k, _ in (*HEALTH_COLUMNS, *WEEKLY_COLUMNS)})


def test_header_speakers_are_the_needs_speakers(needs, manifest):
    doc = {**needs_document(needs), "manifest": manifest, "health": make_community_health()}
    data = page_data(doc, "zh")
    union = {s for n in needs for s in n.speakers}
    assert data["summary"]["speakers"] == len(union)
    assert data["summary"]["chats"] == len({c for n in needs for c in n.chats})
    page = render_html(doc, "zh")
    assert json.dumps(UI["zh"]["sum_speakers"], ensure_ascii=False) in page


def test_css_has_a_cjk_font_stack_everywhere_text_is_set():
    css = resource_text("report.css")
    stack = ("PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
             "WenQuanYi Micro Hei")
    root = re.search(r":root\s*\{(.*?)\}", css, re.S).group(1)
    family = re.search(r"\bfont-family:([^;]*);", root).group(1)
    assert all(f'"{name}"' in family for name in stack) and family.strip().endswith("sans-serif")
    cjk_var = re.search(r"--cjk:([^;]*);", root).group(1)
    assert all(f'"{name}"' in cjk_var for name in stack)
    mono = re.search(r"code, pre \{ font-family:([^;]*);", css).group(1)
    assert "var(--cjk)" in mono and mono.strip().endswith("monospace")  # ids and the formula too
