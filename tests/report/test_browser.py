"""Open index.html in headless Chromium: the script renders the needs and no payload runs.

Skipped when no Chromium is installed (``apt-get install chromium`` enables it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import XSS_TITLE

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")


def chromium(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", *extra, url]
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.skip("chromium did not finish within 120 s")


def dump_dom(tmp_path: Path, url: str) -> str:
    proc = chromium(tmp_path, url, "--dump-dom")
    if not proc.stdout.strip():
        pytest.skip(f"chromium could not run here (rc={proc.returncode}): {proc.stderr[-300:]}")
    return proc.stdout


def test_page_renders_titles_and_nothing_runs(report, needs, tmp_path):
    dom = dump_dom(tmp_path, report.html.as_uri())
    assert re.search(r"<title>需求洞察报告</title>", dom), "a payload changed document.title"
    assert dom.count('class="card"') == len(needs)  # rendered by the script
    for need in needs:
        if need.statement.title != XSS_TITLE:
            assert f">{need.statement.title}</h3>" in dom
    assert ">&lt;script&gt;alert(1)&lt;/script&gt;想要防晒</h3>" in dom  # shown as text
    body = dom.split('<script type="application/json"', 1)[0]
    for element in ("<img", "<svg onload", "<b onmouseover", "<u>", "<i>"):
        assert element not in body
    assert 'class="dot' in dom and "<table" in dom  # map and health panel drawn
    assert "显示 4 / 4 条需求" in dom
    # keyboard access: real buttons with state, focusable map dots
    assert len(re.findall(r'<button class="toggle" type="button" aria-controls="ev\d+" aria-expanded="false"', dom)) == 4
    assert len(re.findall(r'<circle [^>]*tabindex="0" role="button"', dom)) == len(needs)


def test_deep_link_expands_hostile_evidence(report, tmp_path):
    dom = dump_dom(tmp_path, report.html.as_uri() + "#need=N_xss01")
    assert "<title>需求洞察报告</title>" in dom
    assert 'aria-expanded="true"' in dom
    assert "<mark>求推荐</mark>" in dom
    assert "&lt;/script&gt;&lt;!--" in dom  # the hostile quote is text inside the page
    body = dom.split('<script type="application/json"', 1)[0]
    assert "<img" not in body and "<svg onload" not in body


def test_screenshot(report, tmp_path):
    shot = tmp_path / "report.png"
    proc = chromium(tmp_path, report.html.as_uri(), f"--screenshot={shot}", "--window-size=1280,2000")
    if not shot.exists():
        pytest.skip(f"chromium could not take a screenshot here (rc={proc.returncode})")
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


# ---------------------------------------------------------------- scripted interactions over CDP

from .conftest import (  # noqa: E402
    FORMULA, make_community_health, make_engagement, make_manifest, make_needs, make_unclustered,
)
from ._cdp import Browser, CDPError  # noqa: E402

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    """zh and en reports with the full health panel and co-creation data."""
    from needminer.report import write_report

    base = tmp_path_factory.mktemp("rich")
    out = {}
    for lang in ("zh", "en"):
        out[lang] = write_report(make_needs(), base / lang, manifest=make_manifest(), health=make_community_health(),
                                 unclustered=make_unclustered(), formula=FORMULA, lang=lang,
                                 engagement=make_engagement())
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        b = Browser(CHROMIUM, tmp_path_factory.mktemp("cdp-profile"))
    except (CDPError, OSError) as exc:
        pytest.skip(f"chromium could not be driven over --remote-debugging-pipe here: {exc}")
    yield b
    b.close()


def load(browser: Browser, url: str) -> None:
    browser.open("about:blank")  # a new document even when only the #hash differs
    browser.clear()
    browser.open(url)
    browser.wait_for("document.body.dataset.ready === '1'")


def visible_ids(browser: Browser) -> list[str]:
    return browser.js("Array.from(document.querySelectorAll('#needs > li.card')).map(c => c.dataset.need)")


def choose(browser: Browser, select_id: str, value: str) -> None:
    browser.js(f"(function(){{var s=document.getElementById({select_id!r}); s.value={value!r};"
               "s.dispatchEvent(new Event('change', {bubbles: true}));})()")


def test_needs_filters_search_sort_and_no_errors(browser, rich, tmp_path):
    load(browser, rich["zh"].html.as_uri())
    all_ids = visible_ids(browser)
    assert all_ids == ["N1a2b3c", "N_xss01", "N_many1", "N_thin1"]
    assert browser.js("document.getElementById('count').textContent") == "显示 4 / 4 条需求"
    # filter by chat: only needs seen in 户外群
    chat = browser.js("Array.from(document.querySelectorAll('#f-chat option')).find(o => o.textContent === '户外群').value")
    choose(browser, "f-chat", chat)
    assert visible_ids(browser) == ["N_xss01"]
    assert "chat=" in browser.js("location.hash")  # shareable view
    choose(browser, "f-chat", "")
    # emerging only
    choose(browser, "f-show", "emerging")
    assert visible_ids(browser) == ["N1a2b3c"]
    choose(browser, "f-show", "all")
    # full-text search, typed like a user (debounced input events); quotes and pseudonyms are searched
    browser.js("document.getElementById('q').focus()")
    browser.send("Input.insertText", {"text": "快递柜"})
    browser.wait_for("document.querySelectorAll('#needs > li.card').length === 1")
    assert visible_ids(browser) == ["N_many1"]
    browser.js("(function(){var q=document.getElementById('q'); q.value='成员-z9'; q.dispatchEvent(new Event('input'));})()")
    browser.wait_for("document.querySelectorAll('#needs > li.card').length === 1 && "
                     "document.querySelector('#needs > li.card').dataset.need === 'N_thin1'")
    browser.js("(function(){var q=document.getElementById('q'); q.value='没有这种需求xyz'; q.dispatchEvent(new Event('input'));})()")
    browser.wait_for("!document.getElementById('empty').hidden")
    browser.js("document.getElementById('reset').click()")
    assert visible_ids(browser) == all_ids
    # sort changes the order
    choose(browser, "f-sort", "speakers")
    by_speakers = visible_ids(browser)
    assert by_speakers != all_ids and by_speakers[0] == "N_many1" and sorted(by_speakers) == sorted(all_ids)
    choose(browser, "f-sort", "endorsements")
    assert visible_ids(browser)[0] == "N_many1" and visible_ids(browser)[-1] in ("N_xss01", "N_thin1")
    assert browser.problems() == []


def test_hash_state_restores_a_shared_view(browser, rich):
    from urllib.parse import quote

    load(browser, rich["zh"].html.as_uri() + "#q=" + quote("快递") + "&sort=speakers&show=strong")
    assert browser.js("[document.getElementById('q').value, document.getElementById('f-sort').value, "
                      "document.getElementById('f-show').value]") == ["快递", "speakers", "strong"]
    assert visible_ids(browser) == ["N_many1"]
    load(browser, rich["zh"].html.as_uri() + "#chat=" + quote("宠物群"))
    assert visible_ids(browser) == ["N_thin1"]
    load(browser, rich["zh"].html.as_uri() + "#show=bogus&sort=bogus&chat=nope")  # junk falls back to defaults
    assert len(visible_ids(browser)) == 4
    assert browser.problems() == []


def test_expand_with_keyboard_and_aria(browser, rich):
    load(browser, rich["zh"].html.as_uri())
    toggles = browser.js("""Array.from(document.querySelectorAll('.card .toggle')).map(b => [b.tagName, b.type,
        b.getAttribute('aria-expanded'), !!document.getElementById(b.getAttribute('aria-controls'))])""")
    assert toggles == [["BUTTON", "button", "false", True]] * 4
    # every form control has a label; map dots are focusable buttons with names
    assert browser.js("Array.from(document.querySelectorAll('select, input')).every(c => c.labels && c.labels.length > 0)")
    assert browser.js("Array.from(document.querySelectorAll('circle.dot')).every(d => d.getAttribute('tabindex') === '0' "
                      "&& d.getAttribute('role') === 'button' && d.getAttribute('aria-label'))")
    # Tab order reaches the search box before the first evidence toggle
    order = []
    browser.js("document.activeElement.blur(); window.focus()")
    for _ in range(40):
        browser.key("Tab", "Tab", 9)
        order.append(browser.js("(function(a){return a.id || a.className || a.tagName})(document.activeElement)"))
        if order[-1] == "toggle":
            break
    assert "q" in order and "toggle" in order and order.index("q") < order.index("toggle")
    first = "document.querySelector('.card .toggle')"
    browser.js(f"{first}.focus()")
    browser.key("Enter", "Enter", 13, "\r")
    assert browser.js(f"{first}.getAttribute('aria-expanded')") == "true"
    assert browser.js("document.querySelectorAll('.card')[0].querySelectorAll('.quotes:not([hidden]) .quote').length") == 3
    browser.key(" ", "Space", 32, " ")
    assert browser.js(f"{first}.getAttribute('aria-expanded')") == "false"
    # a map dot opens its need with Enter
    browser.js("document.querySelector('circle.dot[aria-label^=\"#4 \"]').focus()")
    browser.key("Enter", "Enter", 13, "\r")
    assert browser.js("document.querySelector('[data-need=N_thin1] .toggle').getAttribute('aria-expanded')") == "true"
    assert browser.problems() == []


def test_payload_chat_fires_no_alert(browser, rich):
    load(browser, rich["zh"].html.as_uri())
    # render everything hostile: every card expanded, print preparation, health panel scopes
    browser.js("window.dispatchEvent(new Event('beforeprint'))")
    assert browser.js("document.querySelectorAll('.quote').length") > 200  # page cap 200 for the big need
    assert browser.js("document.querySelectorAll('[data-need=N_xss01] .quotes:not([hidden]) .quote').length") == 3
    browser.js("(function(){var s=document.getElementById('h-scope'); for (var i=0;i<s.options.length;i++){s.value=String(i);"
               "s.dispatchEvent(new Event('change'));}})()")
    browser.js("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert browser.dialogs() == []
    assert browser.js("document.title") == "需求洞察报告"
    assert browser.js("document.querySelectorAll('body img, body iframe, [onerror], [onload], [onmouseover]').length") == 0
    assert browser.problems() == []


def test_health_panel_briefs_and_screenshot(browser, rich, tmp_path):
    load(browser, rich["zh"].html.as_uri())
    kpis = browser.js("Array.from(document.querySelectorAll('#health .kpis dt')).map(d => d.textContent)")
    assert "活跃成员（最近一周）" in kpis and "沉默流失信号" in kpis and "高质量互动占比" in kpis
    chats = browser.js("Array.from(document.querySelectorAll('#health .chats tbody tr td:first-child')).map(t => t.textContent)")
    assert chats == ["宝妈群", "</script><script>document.title='PWNED'</script>群", "总体"]
    assert browser.js("document.querySelectorAll('#health svg.wchart rect.wbar').length") == 4
    assert browser.js("document.querySelectorAll('#health svg.wchart rect.wbar.churn').length") == 1
    choose(browser, "h-scope", "2")  # the hostile chat's 3 weeks
    assert browser.js("document.querySelectorAll('#health svg.wchart rect.wbar').length") == 3
    churn = browser.js("Array.from(document.querySelectorAll('#health table tbody tr')).filter(r => r.querySelector('code'))"
                       ".map(r => r.cells[0].textContent)")
    assert churn == ["<b onmouseover=alert(1)>成员-evil</b>", "成员-q7"]
    brief = browser.js("document.querySelector('[data-need=N1a2b3c] .brief').innerText")
    assert "给团队的问题" in brief and "置信度：中" in brief and "共创候选人" in brief and "成员-a1" in brief
    assert "回复 3" in brief
    shot = browser.screenshot(tmp_path / "report-full.png")
    assert shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")
    assert browser.problems() == []


def test_english_page_has_no_chinese_ui(browser, rich):
    load(browser, rich["en"].html.as_uri())
    assert browser.js("document.documentElement.lang") == "en"
    ui_text = browser.js("""Array.from(document.querySelectorAll(
        'h1, h2, h4, th, dt, label, button, summary, .hint, .count, .tagline, #f-show option, #f-sort option, .brief .conf,'
        + '.wlegend, .kpis, .legend, .metrics, .capnote, .generated, .foot .note'))
        .map(e => e.textContent).join('\\n')""")
    # chat text (names, pseudonyms, slots) can be Chinese; the interface must not be
    leftovers = [line for line in ui_text.split("\n") if CJK.search(line)]
    allowed = ("成员-", "宝妈群", "美妆", "户外群", "群", "快递柜", "通勤", "底妆", "伪素颜", "赶时间")
    leftovers = [x for x in leftovers if not any(a in x for a in allowed)]
    assert leftovers == []
    assert browser.js("document.getElementById('count').textContent") == "Showing 4 of 4 needs"
    assert "Active members (last week)" in browser.js("document.querySelector('#health .kpis').textContent")
    assert "Questions for the team" in browser.js("document.querySelector('.brief').textContent")
    assert browser.problems() == []


def test_chinese_page_has_no_english_ui(browser, rich):
    load(browser, rich["zh"].html.as_uri())
    browser.js("document.querySelectorAll('details').forEach(d => d.open = true)")
    ui_text = browser.js("""Array.from(document.querySelectorAll(
        'h1, h2, h4, th, dt, label, button, summary, .hint, .count, .tagline, option, .brief .conf, .legend,'
        + '.wlegend, .kpis, .metrics, .capnote, .foot .note, #formula, #config tr td:first-child'))
        .map(e => e.textContent).join('\\n')""")
    latin = set(re.findall(r"[A-Za-z][A-Za-z_]+", ui_text))
    # what may stay Latin: config keys as the TOML spells them (embed.embedder), math, hostile chat names
    keys = browser.js("Array.from(document.querySelectorAll('#config tr td:first-child'))"
                      ".filter(t => t.textContent.indexOf('.') > 0).map(t => t.textContent).join(' ')")
    allowed = set(re.findall(r"[A-Za-z_]+", keys)) | {"min", "ISO", "script", "document", "title", "PWNED"}
    allowed |= set(re.findall(r"[A-Za-z]+", browser.js("document.getElementById('data').textContent.match(/\"tz\":\"([^\"]*)/)[1]")))
    assert latin - allowed == set()
    assert "一致性" in browser.js("document.getElementById('formula').textContent")


def test_cjk_fonts_are_asked_for(browser, rich):
    load(browser, rich["zh"].html.as_uri())
    families = browser.js("['body', '#formula', '.card h3', 'select', '.quote code'].map(s => "
                          "getComputedStyle(document.querySelector(s) || document.body).fontFamily)")
    for family in families:
        assert "Noto Sans CJK SC" in family and "Microsoft YaHei" in family and "PingFang SC" in family, family


def test_print_layout(browser, rich):
    load(browser, rich["en"].html.as_uri())
    browser.send("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        hidden = browser.js("['.controls', '.map', '.card .toggle'].map(s => getComputedStyle(document.querySelector(s)).display)")
        assert hidden == ["none", "none", "none"]
        assert browser.js("getComputedStyle(document.getElementById('health')).display") != "none"
    finally:
        browser.send("Emulation.setEmulatedMedia", {"media": ""})
    pdf = browser.pdf()  # fires beforeprint: every card rendered and expanded
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert browser.problems() == []


def test_large_report_filters(browser, tmp_path):
    """500 needs / 50k quotes: every filter gives the right count (how fast: ``python -m bench.report_bench``)."""
    from needminer.report import write_report

    from bench.report_bench import synthetic

    needs = synthetic()
    files = write_report(needs, tmp_path / "big", manifest={"inputs": []})
    load(browser, files.html.as_uri())
    count = "document.getElementById('count').textContent"

    def pick(select_id: str, value: str) -> None:
        choose(browser, select_id, value)

    pick("f-show", "emerging")
    assert browser.js(count) == f"显示 {sum(n.emerging for n in needs)} / 500 条需求"
    chat = browser.js("document.querySelector('#f-chat option:nth-child(3)').value")
    name = browser.js("document.querySelector('#f-chat option:nth-child(3)').textContent")
    pick("f-show", "all")
    pick("f-chat", chat)
    assert browser.js(count) == f"显示 {sum(name in n.chats for n in needs)} / 500 条需求"
    pick("f-chat", "")
    pick("f-sort", "recency")
    assert len(visible_ids(browser)) > 0
    browser.js("(function(){var q=document.getElementById('q'); q.value='需求42'; q.dispatchEvent(new Event('input'));})()")
    browser.wait_for(f"{count}.indexOf('11 / 500') >= 0", timeout=30)  # 需求42, 需求420-429
    assert browser.problems() == []


# ---------------------------------------------------------------- signal and period filters

from .conftest import make_signal_needs  # noqa: E402


@pytest.fixture(scope="module")
def signal_reports(tmp_path_factory):
    """zh and en reports of needs with known signal mixes and trends (see conftest.SIGNAL_NEEDS)."""
    from needminer.report import write_report

    base = tmp_path_factory.mktemp("signals")
    return {lang: write_report(make_signal_needs(), base / lang, manifest={"inputs": []}, lang=lang)
            for lang in ("zh", "en")}


def card_text(browser: Browser, need: str, cls: str) -> str | None:
    return browser.js(f"(function(e){{return e ? e.textContent : null}})"
                      f"(document.querySelector('[data-need={need}] .metrics .{cls}'))")


ALL_SIG = ["N_sigA", "N_sigB", "N_sigC", "N_sigD", "N_sigE", "N_sigF"]


def test_signal_filter_keeps_needs_by_share(browser, signal_reports):
    load(browser, signal_reports["zh"].html.as_uri())
    assert visible_ids(browser) == ALL_SIG
    assert browser.js("document.getElementById('f-sig-wrap').hidden") is False
    assert browser.js("Array.from(document.querySelectorAll('#f-sig option')).map(o => o.textContent)") == [
        "全部信号", "抱怨", "期望", "提问"]
    assert "25%" in browser.js("document.getElementById('f-sig').title")
    assert card_text(browser, "N_sigA", "mix") == "抱怨 12 · 期望 5 · 提问 3"
    assert "称赞 2" in browser.js("document.querySelector('[data-need=N_sigA] .mix').title")  # full mix on hover
    assert card_text(browser, "N_sigE", "mix") is None
    assert card_text(browser, "N_sigF", "mix") == "称赞 5"
    assert card_text(browser, "N_sigA", "inwin") is None  # no period filter yet
    expected = {"pain": ["N_sigA", "N_sigC", "N_sigD"], "wish": ["N_sigA", "N_sigB"], "question": ["N_sigD"]}
    for sig, ids in expected.items():
        choose(browser, "f-sig", sig)
        assert visible_ids(browser) == ids, sig
        assert f"sig={sig}" in browser.js("location.hash")
        assert browser.js("document.getElementById('f-sig-help').hidden") is False  # the rule is spelled out
        assert browser.js("document.getElementById('count').textContent") == f"显示 {len(ids)} / 6 条需求"
    assert browser.js("document.querySelector('[data-need=N_sigD] .mix .on').textContent") == "提问 1"
    browser.js("document.getElementById('reset').click()")
    assert visible_ids(browser) == ALL_SIG
    assert browser.js("[document.getElementById('f-sig').value, location.hash]") == ["", ""]
    assert browser.js("document.getElementById('f-sig-help').hidden") is True
    assert browser.problems() == []


def test_period_filter_keeps_recent_needs_and_counts_window_evidence(browser, signal_reports):
    load(browser, signal_reports["zh"].html.as_uri())
    assert browser.js("Array.from(document.querySelectorAll('#f-period option')).map(o => o.textContent)") == [
        "全部时间", "最近 1 周", "最近 4 周", "最近 8 周"]
    expected = {"1": (["N_sigA", "N_sigD"], {"N_sigA": 4, "N_sigD": 1}),
                "4": (["N_sigA", "N_sigC", "N_sigD"], {"N_sigA": 5, "N_sigC": 2, "N_sigD": 1}),
                "8": (["N_sigA", "N_sigB", "N_sigC", "N_sigD", "N_sigF"], {"N_sigB": 6, "N_sigF": 1})}
    for period, (ids, counts) in expected.items():
        choose(browser, "f-period", period)
        assert visible_ids(browser) == ids, period  # still in score order
        assert f"period={period}" in browser.js("location.hash")
        for nid, n in counts.items():
            assert card_text(browser, nid, "inwin") == f"期内证据 {n}"
    assert "最近 8 周" in browser.js("document.querySelector('[data-need=N_sigB] .inwin').title")
    # sorting still works inside the window; both filters combine
    choose(browser, "f-sort", "speakers")
    assert sorted(visible_ids(browser)) == sorted(expected["8"][0])
    choose(browser, "f-sort", "score")
    choose(browser, "f-period", "4")
    choose(browser, "f-sig", "wish")
    assert visible_ids(browser) == ["N_sigA"]
    browser.js("document.getElementById('reset').click()")
    assert visible_ids(browser) == ALL_SIG and card_text(browser, "N_sigA", "inwin") is None
    assert browser.problems() == []


def test_signal_and_period_hash_state_and_keyboard(browser, signal_reports):
    load(browser, signal_reports["zh"].html.as_uri() + "#sig=pain&period=4")
    assert browser.js("[document.getElementById('f-sig').value, document.getElementById('f-period').value]") == ["pain", "4"]
    assert visible_ids(browser) == ["N_sigA", "N_sigC", "N_sigD"]
    load(browser, signal_reports["zh"].html.as_uri() + "#sig=bogus&period=99")  # junk falls back to "all"
    assert browser.js("[document.getElementById('f-sig').selectedIndex, document.getElementById('f-period').selectedIndex]") == [0, 0]
    assert visible_ids(browser) == ALL_SIG
    # keyboard: both selects are labelled, reachable with Tab and change with the arrow keys
    assert browser.js("['f-sig', 'f-period'].every(id => document.getElementById(id).labels.length === 1)")
    browser.js("document.activeElement.blur(); window.focus()")
    seen = []
    for _ in range(20):
        browser.key("Tab", "Tab", 9)
        seen.append(browser.js("document.activeElement.id"))
        if seen[-1] == "f-period":
            break
    assert "f-sig" in seen and seen[-1] == "f-period"
    browser.key("ArrowDown", "ArrowDown", 40)
    browser.wait_for("document.getElementById('f-period').value === '1'")
    assert visible_ids(browser) == ["N_sigA", "N_sigD"]
    assert browser.problems() == []


def test_signal_and_period_filters_in_english(browser, signal_reports):
    load(browser, signal_reports["en"].html.as_uri() + "#period=4")
    opts = browser.js("Array.from(document.querySelectorAll('#f-sig option, #f-period option')).map(o => o.textContent)")
    assert opts == ["All signals", "Complaints", "Wishes", "Questions", "All time", "Last week", "Last 4 weeks", "Last 8 weeks"]
    assert card_text(browser, "N_sigA", "mix") == "Complaints 12 · Wishes 5 · Questions 3"
    assert card_text(browser, "N_sigA", "inwin") == "In window 5"
    ui = browser.js("['f-sig-help', 'f-period-help'].map(id => document.getElementById(id).textContent)"
                    ".concat(Array.from(document.querySelectorAll('.controls label')).map(l => l.textContent)).join('\\n')")
    assert not CJK.search(ui) and "25%" in ui
    assert browser.problems() == []
