"""A large report (500 needs, 50k quotes) stays a sane size and keeps every message id.

How long it takes to write and to filter in a browser is measured by ``python -m bench.report_bench``."""

from __future__ import annotations

import json

from bench.report_bench import synthetic
from needminer.report import write_report
from needminer.report._page import PAGE_QUOTES_PER_NEED


def test_large_report_is_sane(tmp_path):
    needs = synthetic()
    assert sum(len(n.evidence) for n in needs) == 50_000
    files = write_report(needs, tmp_path, manifest={"inputs": []})
    assert files.html.stat().st_size < 25e6
    doc = json.loads(files.needs_json.read_text(encoding="utf-8"))
    assert sum(len(n["message_ids"]) for n in doc["needs"]) == 50_000


def test_page_caps_quotes_per_need(tmp_path):
    needs = synthetic(n_needs=2, quotes_per_need=PAGE_QUOTES_PER_NEED + 50)
    files = write_report(needs, tmp_path, manifest={})
    page = files.html.read_text(encoding="utf-8")
    assert f"m0-{PAGE_QUOTES_PER_NEED - 1}" in page and f"m0-{PAGE_QUOTES_PER_NEED}\"" not in page
    doc = json.loads(files.needs_json.read_text(encoding="utf-8"))
    assert len(doc["needs"][0]["message_ids"]) == PAGE_QUOTES_PER_NEED + 50
