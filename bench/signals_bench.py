"""Throughput of signal detection (fragments/s): rules only, default (rules + shipped model), and
the same recipe retrained in memory with jieba word n-grams or with the spaCy cue backend.

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
    ap.add_argument("--quick", action="store_true", help="rules and default only")
    args = ap.parse_args()
    frags = fragments(args.n)
    from needminer.signals import Detector
    from needminer.signals._model import train_model

    with TRAIN.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    variants = {
        "+words": {"word_ngram_range": (1, 2)},
        "+spacy": {"cue_backend": "spacy"},
        "+spacy+words": {"cue_backend": "spacy", "word_ngram_range": (1, 2)},
    }
    dets = [(n, get_detector(n)) for n in ("rules", "default")]
    if not args.quick:
        dets += [(n, Detector(train_model(texts, labels, c=8.0, **kw)[0], name=n)) for n, kw in variants.items()]
    for name, det in dets:
        det.detect(frags[:200])  # warm imports
        t0 = time.perf_counter()
        det.detect(frags)
        dt = time.perf_counter() - t0
        print(f"{name:13s} {args.n} fragments in {dt:.2f}s = {args.n / dt:,.0f} fragments/s")


if __name__ == "__main__":
    main()
