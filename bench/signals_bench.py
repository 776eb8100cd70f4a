"""Throughput of signal detection (fragments/s), rules only and default (rules + shipped model).

Usage::

    .venv/bin/python bench/signals_bench.py [--n 20000]

Uses synthetic chat-like fragments built from needminer's own training lines (no eval data),
each made unique so that no per-call cache flatters the number. No embeddings.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

from needminer.signals import get_detector
from needminer.types import Fragment

TRAIN = Path(__file__).resolve().parents[1] / "needminer" / "signals" / "resources" / "train_zh.csv"
SUFFIXES = ["", "！", "。", "？", "😭", "[捂脸]", "，真的", "，有人知道吗", "哈哈"]


def fragments(n: int, seed: int = 0) -> list[Fragment]:
    rng = random.Random(seed)
    with TRAIN.open(encoding="utf-8", newline="") as f:
        base = [r["text"] for r in csv.DictReader(f)]
    out = []
    for i in range(n):
        text = f"{rng.choice(base)}{rng.choice(SUFFIXES)}{i % 97}"
        out.append(Fragment(id=f"m{i}#0", message_id=f"m{i}", chat="c", speaker="s", text=text, span=(0, len(text))))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000)
    args = ap.parse_args()
    frags = fragments(args.n)
    for name in ("rules", "default"):
        det = get_detector(name)
        det.detect(frags[:200])  # warm imports
        t0 = time.perf_counter()
        det.detect(frags)
        dt = time.perf_counter() - t0
        print(f"{name:8s} {args.n} fragments in {dt:.2f}s = {args.n / dt:,.0f} fragments/s")


if __name__ == "__main__":
    main()
