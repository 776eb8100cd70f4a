"""Throughput of the understanding stage (issue 4): normalise + protect, thread, detect signals.

Usage::

    .venv/bin/python bench/stage_bench.py [--n 15000] [--repeat 2]

``--source stc3`` (default): real, unique customer-service turns (the STC-3 dialogues in
``../shared/data/eval``, used here only for timing; long Weibo posts, ~3 fragments each), each
dialogue a stretch of one chat, a turn a minute. ``samples``: the real group-chat export samples
in ``../shared/data/formats`` (short chat lines, ~6.9k). ``synthetic`` (also when ../shared is
absent): the chat of ``bench.synth``. Prints messages/s per step and for the whole stage (no embedding), best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import csv
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from needminer.conversation import build_conversation
from needminer.signals import get_detector
from needminer.text import clean_messages
from needminer.types import Message

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
STC3 = SHARED / "eval" / "stc3_helpdesk" / "turns_train.csv"
FORMATS = SHARED / "formats"


def real_messages(n: int) -> list[Message]:
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    out: list[Message] = []
    with STC3.open(encoding="utf-8", newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            if i >= n:
                break
            who = "helpdesk" if r["sender"] == "helpdesk" else f"c{r['dialogue_id']}"
            out.append(Message(f"m{i}", "客服群", who, r["text"] or "", t0 + timedelta(minutes=i), who))
    return out


def sample_messages(n: int) -> list[Message]:
    """Text messages of the real export samples in ../shared/data/formats (real group chats; at
    most ~6.9k: copies would collapse as duplicates and flatter the number)."""
    from needminer.ingest import iter_sources

    return [m for src in iter_sources([FORMATS]) for m in src.messages() if m.kind.value == "text" and m.time][:n]


def synthetic_messages(n: int) -> list[Message]:
    from bench.synth import generate

    return [Message(r["id"], r["chat"], r["sender"], r["text"], datetime.fromisoformat(r["time"]).astimezone(timezone.utc),
                    r["sender_name"], reply_to=r.get("reply_to")) for r in generate(n, seed=0)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=15000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--source", choices=["stc3", "samples", "synthetic"], default="stc3",
                    help="stc3: helpdesk turns; samples: the real export samples; synthetic: bench.synth")
    ap.add_argument("--workers", type=int, default=None, help="detector processes (default: one per core)")
    args = ap.parse_args()
    source = args.source if (STC3.is_file() and FORMATS.is_dir()) else "synthetic"
    msgs = {"stc3": real_messages, "samples": sample_messages, "synthetic": synthetic_messages}[source](args.n)
    detector = get_detector("default")
    detector.workers = args.workers
    detector.detect_texts(["预热一下", "这个怎么用？"])
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        t = time.perf_counter()
        clean = clean_messages(msgs, secret=b"bench")
        t_text = time.perf_counter() - t
        t = time.perf_counter()
        conv = build_conversation(clean)
        t_conv = time.perf_counter() - t
        t = time.perf_counter()
        detector.detect(conv.fragments)
        t_sig = time.perf_counter() - t
        for k, v in {"text": t_text, "conversation": t_conv, "signals": t_sig,
                     "stage": t_text + t_conv + t_sig}.items():
            best[k] = min(best.get(k, v), v)
    n = len(msgs)
    print(f"{n} messages from {source}, {len(conv.fragments)} fragments, detector workers={args.workers or 'auto'}")
    for k, v in best.items():
        print(f"  {k:<12} {v:6.2f} s  {n / v:8,.0f} messages/s")


if __name__ == "__main__":
    main()
