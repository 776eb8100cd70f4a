"""Ingest throughput and memory benchmark (not a test).

Generates an N-message export per shape (``--formats``; by default WhatsApp-style ``.txt`` and
Telegram-style ``result.json``; also QQ 消息管理器 ``.txt``, LINE ``.txt`` and ChatLab ``.json``) in a
temp folder, parses each in a fresh subprocess, and prints messages/s (wall clock and per CPU
second, which is steadier on a shared machine) and peak RSS. Targets: ≥ 100k msgs/s for line
formats, ≥ 50k/s for JSON, RSS < 500 MB.

``--baseline DIR`` also measures the ``needminer`` package found in DIR (e.g. a copy of an older
tree) on the same files, alternating runs, and prints new/baseline ratios.

    .venv/bin/python bench/ingest_bench.py --n 1000000 [--json] [--baseline /tmp/old_tree]
        [--formats whatsapp_txt,telegram_json,qq_txt,line_txt,chatlab_json]
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


def make_qq_txt(path: Path, n: int) -> None:
    """QQ 消息管理器: BOM, banner, CRLF records ``YYYY-MM-DD H:MM:SS 名字(QQ号)`` + body + blank line."""
    t = datetime(2023, 1, 1, 8, 0)
    rule = "=" * 64
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        fh.write(f"消息记录（此消息记录为文本格式，不支持重新导入）\r\n\r\n{rule}\r\n消息分组:我的QQ群\r\n{rule}\r\n"
                 f"消息对象:bench\r\n{rule}\r\n\r\n")
        for i in range(n):
            t += timedelta(seconds=7)
            body = TEXTS[i % len(TEXTS)] + ("\n第二行补充说明" if i % 50 == 0 else "")  # bare LF inside a record
            fh.write(f"{t:%Y-%m-%d} {t.hour}:{t:%M:%S} 用户{i % 997}({820000000 + i % 997})\r\n{body}\r\n\r\n")


def make_line_txt(path: Path, n: int) -> None:
    """LINE: title, day headers ``2023/1/1周日``, ``HH:MM<TAB>name<TAB>text`` (CRLF)."""
    t = datetime(2023, 1, 1, 8, 0)
    day = None
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("[LINE] 与bench的聊天记录\r\n保存日期：2024/02/01 10:00\r\n\r\n")
        for i in range(n):
            t += timedelta(seconds=7)
            if t.date() != day:
                day = t.date()
                fh.write(f"\r\n{t.year}/{t.month}/{t.day}{'一二三四五六日'[t.weekday()]}\r\n")
            text = TEXTS[i % len(TEXTS)]
            text = f'"{text}\r\n第二行补充说明"' if i % 50 == 0 else text
            fh.write(f"{t:%H:%M}\t用户{i % 997}\t{text}\r\n")


def make_chatlab(path: Path, n: int) -> None:
    t0 = int(datetime(2023, 1, 1, tzinfo=timezone.utc).timestamp())
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"chatlab": {"version": "0.0.1", "exportedAt": %d}, "meta": {"name": "bench", "platform": "qq", '
                 '"type": "group"},\n "members": [' % t0)
        fh.write(",".join(json.dumps({"platformId": f"u{i}", "accountName": f"用户{i}"}, ensure_ascii=False)
                          for i in range(997)))
        fh.write('],\n "messages": [\n')
        for i in range(n):
            m = {"sender": f"u{i % 997}", "accountName": f"用户{i % 997}", "timestamp": t0 + i * 7,
                 "type": 1 if TEXTS[i % len(TEXTS)] == "[图片]" else 0, "content": TEXTS[i % len(TEXTS)]}
            fh.write(json.dumps(m, ensure_ascii=False) + (",\n" if i < n - 1 else "\n"))
        fh.write(" ]\n}\n")


# shape → (file name, generator)
SHAPES = {
    "whatsapp_txt": ("WhatsApp Chat with bench.txt", make_whatsapp),
    "telegram_json": ("result.json", make_telegram),
    "qq_txt": ("bench_qq.txt", make_qq_txt),
    "line_txt": ("[LINE] bench.txt", make_line_txt),
    "chatlab_json": ("bench_chatlab.json", make_chatlab),
}


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
    ap.add_argument("--formats", default="whatsapp_txt,telegram_json",
                    help=f"comma-separated shapes to generate and parse, of: {', '.join(SHAPES)}")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[1]), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.measure, args.root)))
        return
    results, baseline = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        names = [f.strip() for f in args.formats.split(",") if f.strip()]
        unknown = [f for f in names if f not in SHAPES]
        if unknown:
            ap.error(f"unknown shape(s) {unknown}; choose from {list(SHAPES)}")
        files = {}
        for name in names:
            files[name] = Path(tmp) / SHAPES[name][0]
            SHAPES[name][1](files[name], args.n)
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
