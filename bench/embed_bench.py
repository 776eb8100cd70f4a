"""Throughput of the embed stage on synthetic Chinese need sentences, fast path beside the exact one.

Run: ``python -m bench.embed_bench [--embedder e5-small-int8] [--baseline e5-small-fp32] [--n 1000]
[--rounds 3] [--json]``. Both embedders embed the same sentences in the same process, in
alternating rounds (so that a change of machine load hits both), and the report gives each one's
load seconds (including building its model folder on first use and importing torch / onnxruntime),
median sentences/s of ``embed`` (no cache), the ratio of the two, and the cosine of each
sentence's vector to the baseline's (min / mean). ``--baseline ''`` measures one embedder only.
Sentences are unique combinations of who / when / what / complaint phrases, 12-40 characters like
real chat fragments.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from needminer.embed import get_embedder  # noqa: E402

_WHO = ["上班族", "宝妈", "学生党", "熬夜党", "新手司机", "健身的人", "老人", "租房的我", "出差的时候", "敏感肌"]
_WHEN = ["早上赶时间", "加班到很晚", "周末带娃", "地铁通勤时", "夏天出汗", "冬天干燥", "下雨天", "半夜", "旅行途中", "开会前"]
_WHAT = ["底妆", "充电宝", "降噪耳机", "婴儿推车", "电动牙刷", "外卖", "防晒霜", "行李箱", "咖啡机", "跑鞋"]
_PAIN = ["总是弄不均匀", "太重了带着好累", "用一会就没电", "价格贵还不耐用", "说明书看不懂",
         "客服一直不回", "味道太大受不了", "容易坏还不好修", "操作太复杂了", "尺寸根本不合适"]
_WISH = ["希望又快又服帖", "有没有轻一点的推荐", "求一个靠谱的牌子", "想要便宜点的替代",
         "要是能自动清洁就好了", "能不能出个小号", "真心求推荐", "同求！", "我也是这样", "怎么办啊"]


def make_sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` unique synthetic need sentences (a counter suffix keeps them distinct)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        parts = [rng.choice(_WHEN), rng.choice(_WHAT), rng.choice(_PAIN)]
        if rng.random() < 0.6:
            parts.insert(0, rng.choice(_WHO))
        if rng.random() < 0.7:
            parts.append(rng.choice(_WISH))
        out.append("，".join(parts) + chr(0x4E00 + i % 20000))
    return out


def _load(name: str, batch_size: int, threads: int, models_dir: str | None) -> tuple[object, float]:
    t0 = time.perf_counter()
    emb = get_embedder(name, models_dir=models_dir, batch_size=batch_size, threads=threads)
    load = getattr(emb, "load", None)
    if callable(load):
        load()
    for part in getattr(emb, "parts", ()):  # a combined embedder: load each part now
        part_load = getattr(part, "load", None)
        if callable(part_load):
            part_load()
    return emb, time.perf_counter() - t0


def run(embedder: str, n: int, batch_size: int, threads: int, models_dir: str | None, *,
        baseline: str = "", rounds: int = 3) -> dict:
    """Sentences/s of ``embedder`` (and of ``baseline``, in alternating rounds) and their cosine."""
    texts = make_sentences(n)
    names = [embedder] + ([baseline] if baseline else [])
    loaded = {name: _load(name, batch_size, threads, models_dir) for name in names}
    speeds: dict[str, list[float]] = {name: [] for name in names}
    vecs: dict[str, np.ndarray] = {}
    for _ in range(max(1, rounds)):
        for name in names:
            emb = loaded[name][0]
            emb.embed(texts[:8])  # warm-up (allocator, thread pools)
            t1 = time.perf_counter()
            vecs[name] = emb.embed(texts)
            speeds[name].append(n / (time.perf_counter() - t1))

    def figures(name: str) -> dict:
        emb, load_s = loaded[name]
        return {"embedder": name, "model_id": emb.model_id, "dim": int(vecs[name].shape[1]),
                "load_s": round(load_s, 2), "sentences_per_s": round(statistics.median(speeds[name]), 1),
                "sentences_per_s_rounds": [round(s, 1) for s in speeds[name]]}

    out = {"n": n, "batch_size": batch_size, "threads": threads, "cores_available": len(os.sched_getaffinity(0)),
           "load_average": round(os.getloadavg()[0], 2), "mean_chars": round(sum(map(len, texts)) / n, 1),
           **figures(embedder)}
    if baseline:
        out["baseline"] = figures(baseline)
        out["speedup"] = round(out["sentences_per_s"] / out["baseline"]["sentences_per_s"], 2)
        if vecs[embedder].shape == vecs[baseline].shape:
            cos = (vecs[embedder] * vecs[baseline]).sum(axis=1)
            out["cosine_to_baseline"] = {"min": round(float(cos.min()), 4), "mean": round(float(cos.mean()), 4)}
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="e5-small-int8", help="e5-small-int8 | e5-small-fp32 | lite | hashing | hf:<folder>")
    parser.add_argument("--baseline", default="e5-small-fp32", help="measured in the same run ('' = none)")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; the median counts")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--models-dir", default=None, help="default: the per-user model folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = run(args.embedder, args.n, args.batch_size, args.threads, args.models_dir,
                 baseline=args.baseline, rounds=args.rounds)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
