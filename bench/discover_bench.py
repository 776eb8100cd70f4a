"""Discovery speed on N fragments with precomputed embeddings (the issue's target: 20k in <= 60 s on 2 cores).

    python -m bench.discover_bench --fragments 20000 [--embedder lite] [--json]

Fragments are the need messages of a synthetic export (``bench.synth``); embeddings are computed
first (and cached under bench/out/), then only ``discover_needs`` is timed, in a fresh process
state except for the one-off imports, which are timed separately.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fragments", type=int, default=20_000)
    ap.add_argument("--embedder", default="lite")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    import numpy as np

    from bench.synth import generate
    from needminer.config import DiscoverConfig
    from needminer.embed import embed_with_cache, get_embedder
    from needminer.store import Workspace
    from needminer.types import Fragment

    records = [r for r in generate(int(args.fragments / 0.25) + 100, 5, seed=args.seed) if r.get("_need")]
    records = records[: args.fragments]
    frags = [
        Fragment(id=f"{r['id']}#0", message_id=r["id"], chat=r["chat"], speaker=r["sender"], text=r["text"], span=(0, len(r["text"])))
        for r in records
    ]
    ws = Workspace(Path("bench/out/discover_ws"))
    t = time.perf_counter()
    vecs = embed_with_cache(get_embedder(args.embedder), [f.text for f in frags], ws)
    embed_s = time.perf_counter() - t
    ws.close()
    t = time.perf_counter()
    import bertopic, hdbscan, umap  # noqa: F401  (one-off imports: numba compiles on first use)
    import_s = time.perf_counter() - t
    from needminer.discover import discover_needs

    t = time.perf_counter()
    disc = discover_needs(frags, np.asarray(vecs), DiscoverConfig(), seed=args.seed)
    discover_s = time.perf_counter() - t
    out = {
        "fragments": len(frags),
        "embedder": args.embedder,
        "embed_s": round(embed_s, 1),
        "imports_s": round(import_s, 1),
        "discover_s": round(discover_s, 1),
        "needs": len(disc.clusters),
        "coverage": round(disc.coverage, 4),
        "planted_nmi": _planted_nmi(records, frags, disc),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(out) if args.json else "\n".join(f"{k:>12}: {v}" for k, v in out.items()))
    return 0


def _planted_nmi(records: list[dict], frags: list, disc) -> float:
    """NMI between planted need and found need (a scattered group counts as unassigned)."""
    from needminer.evaluate import cluster_metrics

    label = {fid: c.id for c in disc.clusters if not c.scattered for fid in c.fragment_ids}
    return cluster_metrics([r["_need"] for r in records], [label.get(f.id, "") for f in frags])["nmi"]


if __name__ == "__main__":
    sys.exit(main())
