"""index.html: self-contained, hostile chat text inert, data block safe, UI language."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from needminer.report import needs_document, render_html
from needminer.report._html import resource_text, script_json
from needminer.report._i18n import localize_formula
from needminer.report._page import PAGE_QUOTES_PER_NEED, quote_parts

from .conftest import (FORMULA, PLANTED_BEYOND_CAP, PLANTED_MANIFEST, XSS_CHAT, XSS_IMG, XSS_QUOTE, XSS_SPEAKER,
                       XSS_TITLE)

DATA_RE = re.compile(r'<script type="application/json" id="data">(.*?)</script>', re.S)
URL_BITS = ("http://", "https://", "//cdn", "ftp://", "@import", "url(")


def split(page: str) -> tuple[str, str]:
    """(the data block's text, the page without it)."""
    m = DATA_RE.search(page)
    assert m, "data block missing"
    return m.group(1), page[:m.start()] + page[m.end():]


@pytest.fixture
def page(report) -> str:
    return report.html.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["template.html", "report.css", "report.js"])
def test_resources_reference_no_network(name):
    text = resource_text(name)
    for bit in URL_BITS:
        assert bit not in text
    assert "innerHTML" not in text and "outerHTML" not in text and "insertAdjacentHTML" not in text
    assert "document.write" not in text and "eval(" not in text


def test_page_has_no_external_url(page):
    _, rest = split(page)
    for bit in URL_BITS:
        assert bit not in rest
    assert not re.search(r'\b(src|href)\s*=\s*"(?!#|data:)', rest)


def test_one_inline_script_and_csp_hash_matches(page):
    _, rest = split(page)
    scripts = re.findall(r"<script>(.*?)</script>", rest, re.S)
    assert len(scripts) == 1 and rest.count("<script") == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page
    assert "default-src 'none'" in page


def test_hostile_text_is_inert(page):
    data, rest = split(page)
    # Nothing in the data block can end it or open markup.
    assert "</script" not in data.lower() and "<!--" not in data
    assert "<" not in data and ">" not in data and "&" not in data
    assert "\u2028" not in data and "\u2029" not in data
    # Outside the data block none of the payloads exists in any form.
    for raw in ("<script>alert", "onerror=", "onload=", "onmouseover=", "javascript:", "PWNED"):
        assert raw not in rest
    # The payloads survive as data (they are shown as text by the script).
    parsed = json.loads(data)
    titles = [n["title"] for n in parsed["needs"]]
    assert XSS_TITLE in titles
    assert XSS_CHAT in parsed["chats"]
    hostile = parsed["needs"][1]
    assert hostile["statement"].startswith(XSS_IMG)
    assert XSS_SPEAKER in {q[1] for q in hostile["ev"]}
    assert "".join(hostile["ev"][0][3:6]) == XSS_QUOTE


def test_script_json_escapes_breakouts():
    text = script_json({"a": "</script><!--\u2028&\u2029>"})
    assert text == '{"a":"\\u003c/script\\u003e\\u003c!--\\u2028\\u0026\\u2029\\u003e"}'
    assert json.loads(text)["a"] == "</script><!--\u2028&\u2029>"


def test_only_given_data_reaches_the_page(page, report):
    data, _ = split(page)
    assert PLANTED_MANIFEST not in page  # manifest keys outside counts/config/versions stay out
    assert PLANTED_BEYOND_CAP not in page  # quotes past the page cap stay in needs.json only
    parsed = json.loads(data)
    many = next(n for n in parsed["needs"] if n["id"] == "N_many1")
    assert len(many["ev"]) == PAGE_QUOTES_PER_NEED and many["evTotal"] == 250 and many["msgTotal"] == 251
    assert parsed["formula"] == localize_formula(FORMULA, "zh") != FORMULA
    assert ["embed.embedder", "e5-small"] in parsed["config"]


def test_summary_and_health(page):
    parsed = json.loads(split(page)[0])
    s = parsed["summary"]
    assert s["inputs"] == 2 and s["inputNames"] == ["input-1.csv", "input-2.json"]  # never the file names
    assert s["messages"] == "1,200" and s["needs"] == 4 and s["coverage"] == "82.0%"
    assert s["period"] == ["2024-05-01", "2024-05-01"]
    assert parsed["tz"] == "Asia/Shanghai"
    tables = parsed["health"]
    assert tables[0]["rows"][0] == ["噪声占比", "31.0%"]
    per_chat = tables[1]
    assert per_chat["columns"] == ["", "回复深度", "噪声占比"] and per_chat["rows"][1][0] == XSS_CHAT
    assert len(parsed["unclustered"]) == 2


def test_times_shown_in_run_timezone(page):
    parsed = json.loads(split(page)[0])
    assert parsed["needs"][0]["ev"][0][2] == "2024-05-01 08:30"  # 00:30 UTC in Asia/Shanghai


def test_english_ui(tmp_path, needs, manifest):
    from needminer.report import write_report

    zh = write_report(needs, tmp_path / "zh", manifest=manifest).html.read_text(encoding="utf-8")
    en = write_report(needs, tmp_path / "en", manifest=manifest, lang="en").html.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and "<title>需求洞察报告</title>" in zh
    assert '<html lang="en">' in en and "<title>Need insights report</title>" in en
    assert "Show more" in en and "需求地图" not in split(en)[1]
    assert json.loads(split(en)[0])["ui"]["speakers"] == "Speakers"
    assert json.loads(split(en)[0])["needs"][0]["factors"][0][1] == "Speakers"


def test_render_html_from_saved_document(needs):
    page = render_html(needs_document(needs), "zh")
    assert page.startswith("<!DOCTYPE html>") and "赶时间的快速自然底妆" in page


@pytest.mark.parametrize(
    "text,span,expected",
    [
        ("😭我用了XX，遮瑕好", (1, 5), ("😭", "我用了X", "X，遮瑕好")),  # code points, not UTF-16 units
        ("abc", (0, 0), ("", "", "abc")),
        ("abc", (2, 9), ("", "", "abc")),  # a bad span shows the text without a highlight
        ("x" * 200 + "NEED" + "y" * 300, (200, 204), ("…" + "x" * 120, "NEED", "y" * 200 + "…")),
    ],
)
def test_quote_parts(text, span, expected):
    assert quote_parts(text, span) == expected


@pytest.mark.parametrize(
    "manifest,expected",
    [
        ({}, {"inputs": None, "messages": None, "coverage": None, "period": ["2024-05-01", "2024-05-01"]}),
        ({"period": {"start": "2024-01-01T00:00:00+00:00", "end": "2024-03-31T12:00:00+00:00"},
          "counts": {"messages": 5}, "inputs": ["a/b.txt"]},
         {"inputs": 1, "messages": "5", "period": ["2024-01-01", "2024-03-31"]}),
        ({"period": ["2024-02-01T00:00:00+00:00", "2024-02-02T00:00:00+00:00"], "coverage": 1},
         {"coverage": "100.0%", "period": ["2024-02-01", "2024-02-02"]}),
    ],
)
def test_summary_reads_optional_manifest_keys(needs, manifest, expected):
    page = render_html({**needs_document(needs), "manifest": manifest}, "en")
    summary = json.loads(split(page)[0])["summary"]
    assert {k: summary[k] for k in expected} == expected


def test_health_renders_any_shape():
    from needminer.report._page import health_tables

    tables = health_tables({"messages": 10, "by_day": [{"day": "mon", "need_share": 0.5}], "tags": ["a", "b"],
                            "weird": {"x": [1, 2]}, "nan": float("nan")}, "en")
    assert tables[0]["rows"] == [["Messages", "10"], ["nan", ""]]  # known metrics get English labels
    assert tables[1] == {"title": "by_day", "columns": ["day", "Need share"], "rows": [["mon", "50.0%"]]}
    assert tables[2]["rows"] == [["a"], ["b"]]
    assert tables[3]["rows"] == [["x", "[1, 2]"]]
    assert health_tables(None, "zh") == [] and health_tables({}, "zh") == []


def test_print_styles_expand_and_hide_controls():
    css = resource_text("report.css")
    js = resource_text("report.js")
    assert "@media print" in css and ".controls" in css.split("@media print", 1)[1]
    assert "beforeprint" in js


def test_factor_contributions_add_up_to_score(needs):
    from dataclasses import replace

    need = replace(needs[0], score=62.5,
                   factors={"speakers": 0.5, "chats": 1.0, "extra": 0.3, "speakers_raw": 12, "lonely_raw": 2})
    manifest = {"config": {"rank": {"weights": {"speakers": 3.0, "chats": 1.0}}}}
    page = render_html({**needs_document([need]), "manifest": manifest}, "zh")
    parsed = json.loads(split(page)[0])
    rows = parsed["needs"][0]["factors"]
    assert rows == [["speakers", "发言人数", 0.5, 37.5, 12], ["chats", "群聊数", 1.0, 25.0, None],
                    ["extra", "extra", 0.3, None, None], ["lonely_raw", "lonely_raw", 2, None, None]]
    assert sum(r[3] for r in rows if r[3] is not None) == need.score
    assert "speakers_raw" not in [k for k, _ in parsed["factorNames"]]  # folded into "speakers"


def test_health_panel_from_community_health():
    from needminer.report._page import health_panel, page_data
    from needminer.report._payload import needs_document
    from zoneinfo import ZoneInfo

    from .conftest import XSS_CHAT, XSS_SPEAKER, make_community_health, make_needs

    p = health_panel(make_community_health(), "en", ZoneInfo("Asia/Shanghai"))
    keys = [c[0] for c in p["columns"]]
    assert {"active_members", "silent_members", "silent_churn", "noise_share", "ad_share",
            "high_quality_interaction_share", "reply_depth_mean"} <= set(keys)
    assert dict(zip(keys, p["overall"]))["silent_churn"] == 2
    assert [c[0] for c in p["chats"]] == ["宝妈群", XSS_CHAT]  # most messages first
    assert [w[0] for w in p["weekly"]] == ["", "宝妈群", XSS_CHAT] and len(p["weekly"][2][2]) == 3
    assert p["churn"][0][:6] == [XSS_SPEAKER, XSS_CHAT, "2024-04-09 09:00", "complaint", 30, False]
    assert "14+ days" in p["churnHint"] and "Asia/Shanghai" in p["params"]
    # the page uses the panel instead of generic tables; other shapes keep the tables
    doc = {**needs_document(make_needs()), "health": make_community_health()}
    data = page_data(doc, "zh")
    assert data["healthPanel"] and data["health"] == []
    assert page_data({**doc, "health": {"noise_share": 0.1}}, "zh")["healthPanel"] is None
    brief = data["needs"][0]["brief"]
    assert brief["conf"] == "medium" and brief["q"][0].startswith("能否做一款产品") and brief["coRun"] is False
    assert brief["co"][0][0] in ("成员-a1", "成员-b2", "成员-c3")


def test_hash_state_and_paging_in_script():
    from needminer.report._html import resource_text

    js = resource_text("report.js")
    assert "URLSearchParams" in js and "history.replaceState" in js and "hashchange" in js


def test_domain_names_reach_the_page_and_needs_json(page, report, needs):
    parsed = json.loads(split(page)[0])
    shown = {n["id"]: n["domain"] for n in parsed["needs"]}
    saved = {n["id"]: n["domain"] for n in json.loads(report.needs_json.read_text(encoding="utf-8"))["needs"]}
    for need in needs:
        assert shown[need.id] == saved[need.id] == need.domain  # the filter lists these names as they are
    assert 'id="f-domain"' in page
