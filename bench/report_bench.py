"""Report speed: write a large report (500 needs, 50k quotes) and time the page's filters in Chromium.

    python -m bench.report_bench [--needs 500] [--quotes 100] [--json]

Timings belong here, not in the tests (tests/report checks what the page shows). The browser part
needs a Chromium on PATH (``apt-get install chromium``) and is skipped without one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from needminer.types import Evidence, NeedStatement, RankedNeed, Slot

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def synthetic(n_needs: int = 500, quotes_per_need: int = 100) -> list[RankedNeed]:
    """``n_needs`` ranked needs with ``quotes_per_need`` quotes each, spread over 30 chats."""
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



_FILTERS_JS = """(function () {
  var out = {};
  function time(name, fn) { var t = performance.now(); fn(); document.body.offsetHeight; out[name] = performance.now() - t; }
  function pick(id, v) { var s = document.getElementById(id); s.value = v; s.dispatchEvent(new Event('change')); }
  time('emerging', function () { pick('f-show', 'emerging'); });
  time('chat', function () { pick('f-chat', document.querySelector('#f-chat option:nth-child(3)').value); });
  time('all', function () { pick('f-chat', ''); pick('f-show', 'all'); });
  time('sort', function () { pick('f-sort', 'recency'); });
  time('search', function () { var q = document.getElementById('q'); q.value = '需求42'; q.dispatchEvent(new Event('input')); });
  return out;
})()"""


def browser_timings(html: Path) -> dict[str, float] | None:
    """Milliseconds per filter change (and the debounced search apply), None without Chromium."""
    chromium = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    if chromium is None:
        return None
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.report._cdp import Browser

    browser = Browser(chromium, Path(tempfile.mkdtemp(prefix="nm-bench-")))
    try:
        browser.open(html.as_uri())
        browser.wait_for("document.body.dataset.ready === '1'")
        out = {k: round(v, 1) for k, v in browser.js(_FILTERS_JS).items()}
        browser.wait_for("document.getElementById('count').textContent.indexOf('11 / 500') >= 0", timeout=30)
        out["search_apply"] = round(float(browser.js("document.body.dataset.filterMs")), 1)
        return out
    finally:
        browser.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--needs", type=int, default=500)
    ap.add_argument("--quotes", type=int, default=100)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from needminer.report import write_report

    needs = synthetic(args.needs, args.quotes)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        files = write_report(needs, Path(tmp) / "big", manifest={"inputs": []})
        write_s = time.perf_counter() - t
        out = {
            "needs": args.needs,
            "quotes": args.needs * args.quotes,
            "write_report_s": round(write_s, 2),
            "index_html_mb": round(files.html.stat().st_size / 1e6, 1),
            "needs_json_mb": round(files.needs_json.stat().st_size / 1e6, 1),
            "browser_ms": browser_timings(files.html) if args.needs >= 430 else None,
        }
    print(json.dumps(out, ensure_ascii=False) if args.json else "\n".join(f"{k}: {v}" for k, v in out.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
