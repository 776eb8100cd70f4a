"""A large report (500 needs, 50k quotes) is written in seconds and the page stays a sane size."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

from needminer.report import write_report
from needminer.report._page import PAGE_QUOTES_PER_NEED
from needminer.types import Evidence, NeedStatement, RankedNeed, Slot

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def synthetic(n_needs: int = 500, quotes_per_need: int = 100) -> list[RankedNeed]:
    needs = []
    for i in range(n_needs):
        evidence = tuple(
            Evidence(message_id=f"m{i}-{j}", chat=f"群{(i + j) % 30}", speaker=f"成员-{(i * 7 + j) % 900:03x}",
                     time=T0 + timedelta(hours=i + j), text=f"第{j}条：每次出门都要带充电宝太麻烦了，希望有更轻的方案{i}",
                     span=(4, 18), fragment_id=f"m{i}-{j}#0")
            for j in range(quotes_per_need))
        st = NeedStatement(need_id=f"N{i:06x}", title=f"需求{i}：更轻的随身充电", statement=f"通勤人群希望随身充电更轻便 {i}",
                           slots={"persona": Slot("通勤族"), "pain": Slot("充电宝太重"), "expectation": Slot("更轻")},
                           keywords=("充电宝", "通勤"))
        needs.append(RankedNeed(rank=i + 1, statement=st, score=100.0 - i * 0.1,
                                 factors={"speakers": 3.0, "chats": 1.0, "intensity": 0.5, "growth": 0.1},
                                 speakers=tuple({e.speaker for e in evidence}), chats=tuple({e.chat for e in evidence}),
                                 message_ids=tuple(e.message_id for e in evidence), evidence=evidence,
                                 endorsements=i % 7, emerging=i % 10 == 0, trend=(1, 2, 3, i % 5)))
    return needs


def test_large_report_is_fast_and_sane(tmp_path):
    needs = synthetic()
    assert sum(len(n.evidence) for n in needs) == 50_000
    t0 = time.perf_counter()
    files = write_report(needs, tmp_path, manifest={"inputs": []})
    elapsed = time.perf_counter() - t0
    html_mb = files.html.stat().st_size / 1e6
    json_mb = files.needs_json.stat().st_size / 1e6
    print(f"\n500 needs / 50k quotes: write_report {elapsed:.2f}s, index.html {html_mb:.1f} MB, needs.json {json_mb:.1f} MB")
    assert elapsed < 30  # generous: about 1-2 s on a laptop
    assert html_mb < 25
    doc = json.loads(files.needs_json.read_text(encoding="utf-8"))
    assert sum(len(n["message_ids"]) for n in doc["needs"]) == 50_000


def test_page_caps_quotes_per_need(tmp_path):
    needs = synthetic(n_needs=2, quotes_per_need=PAGE_QUOTES_PER_NEED + 50)
    files = write_report(needs, tmp_path, manifest={})
    page = files.html.read_text(encoding="utf-8")
    assert f"m0-{PAGE_QUOTES_PER_NEED - 1}" in page and f"m0-{PAGE_QUOTES_PER_NEED}\"" not in page
    doc = json.loads(files.needs_json.read_text(encoding="utf-8"))
    assert len(doc["needs"][0]["message_ids"]) == PAGE_QUOTES_PER_NEED + 50
