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
