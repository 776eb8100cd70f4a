"""Ingest throughput and memory benchmark (not a test).

Generates an N-message export in two shapes (WhatsApp-style ``.txt`` and Telegram-style
``result.json``) in a temp folder, parses each in a fresh subprocess, and prints messages/s (wall
clock and per CPU second, which is steadier on a shared machine) and peak RSS. Targets: ≥ 100k
msgs/s for line formats, ≥ 50k/s for JSON, RSS < 500 MB.

``--baseline DIR`` also measures the ``needminer`` package found in DIR (e.g. a copy of an older
tree) on the same files, alternating runs, and prints new/baseline ratios.

    .venv/bin/python bench/ingest_bench.py --n 1000000 [--json] [--baseline /tmp/old_tree]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

TEXTS = ["早上化妆时间不够，希望底妆又快又服帖", "+1", "[图片]", "有没有适合油皮的妆前乳推荐？",
         "宝宝晚上总是醒三四次", "推车太重了，一个人带娃出门根本抬不上公交", "哈哈哈", "同求"]


def make_whatsapp(path: Path, n: int) -> None:
    t = datetime(2023, 1, 1, 8, 0)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            t += timedelta(seconds=7)
            body = TEXTS[i % len(TEXTS)] + ("\n第二行补充说明" if i % 50 == 0 else "")
            fh.write(f"{t:%d/%m/%Y}, {t:%H:%M} - 用户{i % 997}: {body}\n")


def make_telegram(path: Path, n: int) -> None:
    t0 = int(datetime(2023, 1, 1, tzinfo=timezone.utc).timestamp())
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{\n "name": "bench", "type": "private_supergroup", "id": 42,\n "messages": [\n')
        for i in range(n):
            m = {"id": i + 1, "type": "message", "date": "2023-01-01T08:00:00", "date_unixtime": str(t0 + i * 7),
                 "from": f"用户{i % 997}", "from_id": f"user{i % 997}", "text": TEXTS[i % len(TEXTS)]}
            if i % 10 == 5:
                m["reply_to_message_id"] = i
            fh.write(json.dumps(m, ensure_ascii=False) + (",\n" if i < n - 1 else "\n"))
        fh.write(" ]\n}\n")


def _measure(path: str, root: str) -> dict:
    """Parse one file in this process; returns counts, seconds, peak RSS (MB)."""
    sys.path.insert(0, root)
    from needminer.ingest import iter_sources

    start, cpu = time.perf_counter(), time.process_time()
    n = 0
    (src,) = iter_sources([path])
    for _ in src.messages():
        n += 1
    secs, cpu = time.perf_counter() - start, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"format": src.format, "messages": n, "seconds": round(secs, 3), "msgs_per_s": round(n / secs),
            "cpu_seconds": round(cpu, 3), "msgs_per_cpu_s": round(n / cpu), "peak_rss_mb": round(rss, 1),
            "error": src.ledger.error}


def _run(path: Path, root: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", str(path), "--root", root], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="messages per generated export")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--baseline", help="folder holding an older needminer package to compare with")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[1]), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.measure, args.root)))
        return
    results, baseline = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        files = {"whatsapp_txt": Path(tmp) / "WhatsApp Chat with bench.txt", "telegram_json": Path(tmp) / "result.json"}
        make_whatsapp(files["whatsapp_txt"], args.n)
        make_telegram(files["telegram_json"], args.n)
        for name, path in files.items():
            if args.baseline:
                baseline[name] = _run(path, str(Path(args.baseline).resolve()))
            results[name] = {**_run(path, args.root), "file_mb": round(path.stat().st_size / 1e6, 1)}
    ratios = {name: {k: round(results[name][k] / baseline[name][k], 2)
                     for k in ("msgs_per_s", "msgs_per_cpu_s", "peak_rss_mb")} for name in baseline}
    if args.json:
        extra = {"baseline": baseline, "ratios_new_over_baseline": ratios} if baseline else {}
        print(json.dumps({"n": args.n, "load_avg": os.getloadavg(), "results": results, **extra}, ensure_ascii=False))
    else:
        for name, r in results.items():
            print(f"{name:14s} {r['messages']:>9,d} msgs  {r['msgs_per_s']:>9,d} msgs/s  "
                  f"{r['msgs_per_cpu_s']:>9,d} msgs/CPU-s  peak RSS {r['peak_rss_mb']:7.1f} MB  "
                  f"({r['file_mb']} MB file, {r['format']})")
            if name in ratios:
                print(f"{'':14s} new/baseline: {ratios[name]}")


if __name__ == "__main__":
    main()
