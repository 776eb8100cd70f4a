"""Throughput of the embed stage on synthetic Chinese need sentences.

Run: ``python bench/embed_bench.py --embedder e5-small --n 1000 [--json]``. Prints load seconds
(including building models/e5-small on first use and importing torch), sentences/s of
``embed`` (no cache) and the peak RSS of the process. Sentences are unique combinations of
who / when / what / complaint phrases, 12-40 characters like real chat fragments.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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


def run(embedder: str, n: int, batch_size: int, threads: int, models_dir: str) -> dict:
    texts = make_sentences(n)
    t0 = time.perf_counter()
    emb = get_embedder(embedder, models_dir=models_dir, batch_size=batch_size, threads=threads)
    load = getattr(emb, "load", None)
    if callable(load):
        load()
    load_s = time.perf_counter() - t0
    emb.embed(texts[:8])  # warm-up (allocator, thread pools)
    t1 = time.perf_counter()
    vecs = emb.embed(texts)
    embed_s = time.perf_counter() - t1
    return {
        "embedder": embedder,
        "model_id": emb.model_id,
        "n": n,
        "dim": int(vecs.shape[1]),
        "batch_size": batch_size,
        "threads": threads,
        "load_s": round(load_s, 2),
        "embed_s": round(embed_s, 2),
        "sentences_per_s": round(n / embed_s, 1),
        "mean_chars": round(sum(map(len, texts)) / n, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="e5-small", help="e5-small | lite | hashing | hf:<folder>")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--models-dir", default="models")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = run(args.embedder, args.n, args.batch_size, args.threads, args.models_dir)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:>16}: {value}")


if __name__ == "__main__":
    main()
