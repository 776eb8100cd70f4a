"""Regenerate the demo input in ``data/samples/`` and its truth in ``bench/samples_truth.json``.

Three group chats (美妆 / 母婴 / 跑步) over 2026-09-01 … 2026-10-20 with nine planted
scenario needs, built by :func:`bench.synth.generate` with a fixed seed and a curated
need set. The seed example of 熬夜党快速伪素颜底妆 is placed verbatim: three sentences from
three different speakers in the beauty group within one hour, with noise in between.

Run from the repository root::

    .venv/bin/python -m bench.make_samples
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from bench.synth import CST, NEEDS_BY_KEY, ScriptedMessage, default_chats, generate, truth, write_jsonl

ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = ROOT / "data" / "samples"
TRUTH_PATH = ROOT / "bench" / "samples_truth.json"

SEED = 20260901
N_MESSAGES = 2400
NOISE_RATE = 0.78
START = datetime(2026, 9, 1, tzinfo=CST)
DAYS = 50  # 2026-09-01 … 2026-10-20

#: The curated need set: three per domain, including the seed need.
SAMPLE_NEED_KEYS = (
    "late_night_quick_base",
    "oily_skin_long_wear",
    "sensitive_skin_seasonal_redness",
    "night_feeding_quick_formula",
    "solo_outing_one_hand_stroller",
    "baby_eczema_gentle_moisturizer",
    "rainy_day_running_gear",
    "beginner_knee_pain",
    "night_run_visibility",
)

#: The three seed sentences, verbatim (tests look for them).
SEED_SENTENCES = (
    "最近加班多，早上化妆时间不够，希望底妆又快又服帖",
    "我用了XX产品，虽然遮瑕好但需要打湿美妆蛋，赶时间时总弄不均匀",
    "其实我想要的是'伪素颜'效果，看起来自然但又有气色",
)


def seed_script() -> list[ScriptedMessage]:
    """Return the scripted seed episode: 3 need sentences by 3 speakers within one hour, noise between."""
    beauty = default_chats(3)[0].name
    need = "late_night_quick_base"

    def at(hh: int, mm: int, ss: int) -> datetime:
        return datetime(2026, 9, 16, hh, mm, ss, tzinfo=CST)

    return [
        ScriptedMessage(beauty, at(7, 42, 10), "A", SEED_SENTENCES[0], need),
        ScriptedMessage(beauty, at(7, 44, 3), "X", "[捂脸]", kind="sticker"),
        ScriptedMessage(beauty, at(7, 51, 27), "Y", "早上好", kind="greeting"),
        ScriptedMessage(beauty, at(8, 3, 48), "B", SEED_SENTENCES[1], need, reply_to=0),
        ScriptedMessage(beauty, at(8, 5, 30), "Z", "+1", reply_to=3, kind="endorse"),
        ScriptedMessage(beauty, at(8, 19, 2), "W", "今天又要开一天会[裂开]", kind="chat"),
        ScriptedMessage(beauty, at(8, 27, 45), "C", SEED_SENTENCES[2], need),
        ScriptedMessage(beauty, at(8, 29, 10), "V", "同求", reply_to=6, kind="endorse"),
    ]


def build() -> list[dict]:
    """Generate the demo records (deterministic)."""
    needs = [NEEDS_BY_KEY[key] for key in SAMPLE_NEED_KEYS]
    return generate(N_MESSAGES, 3, seed=SEED, noise_rate=NOISE_RATE, start=START, days=DAYS,
                    needs=needs, script=seed_script())


def main() -> int:
    """Write ``data/samples/*.jsonl`` and ``bench/samples_truth.json``."""
    records = build()
    paths = write_jsonl(records, SAMPLES_DIR)
    doc = truth(records, [NEEDS_BY_KEY[key] for key in SAMPLE_NEED_KEYS])
    doc = {"seed": SEED, "generator": "bench.make_samples", **doc}
    TRUTH_PATH.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for path in paths:
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
    print(f"{len(records)} messages; truth: {TRUTH_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
