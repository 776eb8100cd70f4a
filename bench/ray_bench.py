"""Embedding on the Ray backend with 1 and 2 workers, beside the local backend, in one call.

Run: ``python -m bench.ray_bench [--embedder e5-small] [--n 2000] [--rounds 2] [--json]``. One local
Ray instance (2 CPUs, as the tests start it) embeds the same synthetic need sentences with 1 worker
and with 2 workers, each worker on ``--threads`` CPU threads (default 1); the local backend embeds
them in this process on the same number of threads. Rounds alternate (a change of machine load hits
every variant), each variant's best round counts, and the JSON line carries sentences/s per
variant, ``speedup_2_vs_1`` (Ray 2 workers over Ray 1 worker; 2.0 is linear) and the largest
absolute difference between Ray's vectors and the local ones. A Ray worker process keeps its model
between rounds, so the best round is the steady state; ``first_round_s`` has each variant's first
round (worker processes starting and loading the model, as in a one-off run).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench.embed_bench import make_sentences  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="e5-small")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from needminer.backend._ray import RayBackend
    from needminer.embed import get_embedder

    texts = make_sentences(args.n)
    spec = {"name": args.embedder, "models_dir": "", "batch_size": 32, "threads": args.threads}
    embedder = get_embedder(**spec)
    t0 = time.perf_counter()
    ray_backend = RayBackend(workers=2, threads=args.threads)
    ray_start = time.perf_counter() - t0
    best: dict[str, float] = {}
    first: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    try:
        for _ in range(args.rounds):
            for name, workers in (("local", 0), ("ray_1", 1), ("ray_2", 2)):
                t = time.perf_counter()
                if workers:
                    ray_backend.workers = workers
                    vectors[name] = ray_backend.embed(embedder, spec, texts)
                else:
                    vectors[name] = embedder.embed(texts)
                took = time.perf_counter() - t
                first.setdefault(name, round(took, 2))
                best[name] = min(best.get(name, float("inf")), took)
    finally:
        ray_backend.close()
    out = {
        "embedder": embedder.model_id, "n": args.n, "threads_per_worker": args.threads,
        "ray_start_s": round(ray_start, 2),
        **{f"{k}_per_s": round(args.n / v, 1) for k, v in best.items()},
        "speedup_2_vs_1": round(best["ray_1"] / best["ray_2"], 2),
        "ray_2_vs_local": round(best["local"] / best["ray_2"], 2),
        "first_round_s": first,
        "max_abs_diff_vs_local": float(max(np.abs(vectors[k] - vectors["local"]).max() for k in ("ray_1", "ray_2"))),
    }
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>24}: {v}")
    return out


if __name__ == "__main__":
    main()
