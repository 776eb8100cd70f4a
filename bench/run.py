"""End-to-end benchmark: a synthetic export of N messages through the whole pipeline.

    python -m bench.run --messages 10000 --embedder lite [--groups 5] [--seed 0] [--json]

Prints per-stage seconds, messages/s and peak RSS, plus how well the planted needs were
recovered (NMI / ARI between planted need and found need over the planted need messages that
the pipeline kept, and the share of planted messages that reached some need).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def recovery(needs: list, truth: dict) -> dict:
    """Planted-need recovery over the planted messages that ended up in a need."""
    from needminer.evaluate import cluster_metrics

    found = {}
    for need in needs:
        for mid in need.message_ids:
            found.setdefault(mid, need.id)
    gold, pred = [], []
    planted = 0
    for key, info in truth["needs"].items():
        for mid in info["message_ids"]:
            planted += 1
            gold.append(key)
            pred.append(found.get(mid, ""))
    m = cluster_metrics(gold, pred)
    return {"planted_messages": planted, "recall": m["coverage"], "nmi": m["nmi"], "ari": m["ari"],
            "purity": m["purity"], "needs_found": len(needs), "needs_planted": len(truth["needs"])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=5)
    parser.add_argument("--embedder", default="lite")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise-rate", type=float, default=0.75)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    from bench.synth import generate, truth, write_jsonl
    from needminer.config import load_config
    from needminer.pipeline import run

    tmp = Path(tempfile.mkdtemp(prefix="needminer-bench-"))
    t0 = time.perf_counter()
    records = generate(args.messages, args.groups, seed=args.seed, noise_rate=args.noise_rate)
    planted = truth(records)
    write_jsonl(records, tmp / "input")
    gen_s = time.perf_counter() - t0
    cfg = load_config(overrides={"embed.embedder": args.embedder, "workspace": str(tmp / "ws"), "seed": args.seed})
    t1 = time.perf_counter()
    result = run([tmp / "input"], tmp / "out", cfg)
    total = time.perf_counter() - t1
    out = {
        "messages": args.messages,
        "groups": args.groups,
        "embedder": result.manifest["embedder"],
        "generate_s": round(gen_s, 2),
        "total_s": round(total, 2),
        "messages_per_s": round(args.messages / total, 1),
        "stages_s": result.manifest["timings"],
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "counts": result.manifest["counts"],
        "recovery": recovery(result.needs, planted),
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for k, v in out.items():
            print(f"{k:>15}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
