"""End-to-end benchmark: a synthetic export of N messages through the whole pipeline.

    python -m bench.run --messages 10000 --embedder lite [--groups 5] [--seed 0] [--json]
                        [--compare naive[,previous][,rerun][,grow]]

Prints per-stage seconds, messages/s and peak RSS, plus how well the planted needs were
recovered (NMI / ARI between planted need and found need over the planted need messages that
the pipeline kept, and the share of planted messages that reached some need).

``--compare`` runs more on the same export in the same call, after needminer, so that the
figures are ratios measured under the same load:

- ``naive``: the naive BERTopic path: every distinct message through the same encoder (no cache,
  the model loaded afresh), then BERTopic with the jieba vectorizer (``needminer.text.make_vectorizer``),
  its default UMAP (seeded) and HDBSCAN settings. Adds ``speedup`` (naive seconds / needminer
  seconds), ``nmi`` and ``naive_nmi`` (planted-need NMI of each; BERTopic's outliers count as
  unassigned, like messages needminer leaves out) and a ``naive`` block. It runs second, with the
  imports and numba compilations needminer already paid for, so the speed-up is if anything low.
- ``previous``: the whole pipeline again with the exact fp32 e5-small (``e5-small`` and
  ``e5-small-int8`` parts become ``e5-small-fp32``) in a fresh workspace. Adds a ``previous`` block
  and ``speedup_vs_previous`` (previous seconds / these seconds), also for the embed stage.
- ``rerun``: the same export again with the same workspace and settings (what a scheduled re-run of
  an unchanged export costs: the embeddings come from the cache and the stored discovery is reused).
  Adds a ``rerun`` block (seconds, stages, ``reused``) and ``rerun_ratio`` (re-run / first run).
- ``grow``: a weekly re-run of a grown export with ``--incremental``: the export's oldest 1/1.1 of
  the messages first (a fresh workspace), then the whole export in that workspace (+10 % new
  messages). Adds a ``grow`` block (both runs' seconds and stages, ``reused``, the grown run's
  planted-need NMI beside a fresh run's) and ``grow_ratio`` (grown run / first run).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

COMPARE = ("naive", "previous", "rerun", "grow")
# the exact fp32 path standing in for each fast e5-small part ("previous version")
PREVIOUS = {"e5-small": "e5-small-fp32", "e5-small-int8": "e5-small-fp32", "e5-small-int8.v2": "e5-small.v1"}


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def recovery(needs: list, truth: dict) -> dict:
    """Planted-need recovery over the planted messages that ended up in a need."""
    found = {}
    for need in needs:
        for mid in need.message_ids:
            found.setdefault(mid, need.id)
    return _recovery_of(found, truth, needs_found=len(needs))


def _recovery_of(found: dict[str, str], truth: dict, *, needs_found: int) -> dict:
    """NMI / ARI / purity / recall of ``found`` (message id -> cluster; absent = unassigned)."""
    from needminer.evaluate import cluster_metrics

    gold, pred = [], []
    planted = 0
    for key, info in truth["needs"].items():
        for mid in info["message_ids"]:
            planted += 1
            gold.append(key)
            pred.append(found.get(mid, ""))
    m = cluster_metrics(gold, pred)
    return {"planted_messages": planted, "recall": m["coverage"], "nmi": m["nmi"], "ari": m["ari"],
            "purity": m["purity"], "needs_found": needs_found, "needs_planted": len(truth["needs"])}


def previous_embedder(name: str) -> str:
    """``name`` with each fast e5-small part replaced by the exact fp32 one (``e5-small+lite`` ->
    ``e5-small-fp32+lite``)."""
    return "+".join(PREVIOUS.get(p.strip(), p.strip()) for p in name.split("+"))


def run_naive(records: list[dict], truth: dict, embedder_name: str, *, seed: int = 0) -> dict:
    """The naive BERTopic path on the export's messages; seconds, topics and planted-need recovery."""
    from needminer.embed import get_embedder
    from needminer.text import make_vectorizer

    t0 = time.perf_counter()
    kept = [r for r in records if str(r.get("text") or "").strip()]
    texts = [str(r["text"]) for r in kept]
    embedder = get_embedder(embedder_name)  # a fresh instance: loads the model, no vector cache
    vecs = embedder.embed(texts)  # each distinct text once
    embed_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    from bertopic import BERTopic
    from umap import UMAP

    # BERTopic's own UMAP defaults, seeded for a repeatable figure; its default HDBSCAN
    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", low_memory=False,
                      random_state=seed)
    model = BERTopic(embedding_model=None, language="multilingual", umap_model=umap_model,
                     vectorizer_model=make_vectorizer(), calculate_probabilities=False, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        topics, _ = model.fit_transform(texts, embeddings=vecs)
    topic_s = time.perf_counter() - t1
    found = {str(r["id"]): str(t) for r, t in zip(kept, topics, strict=True) if t != -1}
    n_topics = len({t for t in topics if t != -1})
    return {"total_s": round(embed_s + topic_s, 2), "embed_s": round(embed_s, 2), "topics_s": round(topic_s, 2),
            "messages_embedded": len(texts), "distinct_texts": len(set(texts)), "embedder": embedder.model_id,
            "recovery": _recovery_of(found, truth, needs_found=n_topics)}


def run_pipeline(folder: Path, ws: Path, out: Path, embedder: str, seed: int, planted: dict,
                 incremental: bool = False) -> dict:
    """One needminer run; seconds, per-stage figures and planted-need recovery."""
    from needminer.config import load_config
    from needminer.pipeline import run

    cfg = load_config(overrides={"embed.embedder": embedder, "workspace": str(ws), "seed": seed,
                                 "discover.incremental": incremental})
    rss: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:  # the process's peak RSS so far, per stage
        rss[stage] = round(_peak_rss_mb(), 1)

    t1 = time.perf_counter()
    result = run([folder], out, cfg, progress=progress)
    total = time.perf_counter() - t1
    return {"embedder": result.manifest["embedder"], "total_s": round(total, 2),
            "stages_s": result.manifest["timings"], "counts": result.manifest["counts"],
            "recovery": recovery(result.needs, planted), "reused": result.manifest.get("reused", []),
            "peak_rss_mb_by_stage": rss}


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=5)
    parser.add_argument("--embedder", default="lite")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise-rate", type=float, default=0.75)
    parser.add_argument("--compare", default="", help=f"comma-separated, from {', '.join(COMPARE)}: also run "
                        "those on the same export in this call and print ratios")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    compare = [c.strip() for c in args.compare.split(",") if c.strip()]
    unknown = sorted(set(compare) - set(COMPARE))
    if unknown:
        parser.error(f"--compare takes {', '.join(COMPARE)}; got {', '.join(unknown)}")

    from bench.synth import generate, truth, write_jsonl

    tmp = Path(tempfile.mkdtemp(prefix="needminer-bench-"))
    t0 = time.perf_counter()
    records = generate(args.messages, args.groups, seed=args.seed, noise_rate=args.noise_rate)
    planted = truth(records)
    write_jsonl(records, tmp / "input")
    if not {"naive", "grow"} & set(compare):
        records = []  # a user's run does not hold the generated export: peak RSS is needminer's own
        gc.collect()
    gen_s = time.perf_counter() - t0
    mine = run_pipeline(tmp / "input", tmp / "ws", tmp / "out", args.embedder, args.seed, planted)
    out = {
        "messages": args.messages,
        "groups": args.groups,
        "embedder": mine["embedder"],
        "generate_s": round(gen_s, 2),
        "total_s": mine["total_s"],
        "messages_per_s": round(args.messages / mine["total_s"], 1),
        "stages_s": mine["stages_s"],
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "peak_rss_mb_by_stage": mine["peak_rss_mb_by_stage"],
        "counts": mine["counts"],
        "recovery": mine["recovery"],
    }
    if "naive" in compare:
        naive = run_naive(records, planted, args.embedder, seed=args.seed)
        out["naive"] = naive
        out["speedup"] = _ratio(naive["total_s"], mine["total_s"])
        out["nmi"] = mine["recovery"]["nmi"]
        out["naive_nmi"] = naive["recovery"]["nmi"]
    if "rerun" in compare:  # the same export again, same workspace and settings: what a re-run costs
        again = run_pipeline(tmp / "input", tmp / "ws", tmp / "out-rerun", args.embedder, args.seed, planted)
        out["rerun"] = {"total_s": again["total_s"], "stages_s": again["stages_s"], "reused": again["reused"]}
        out["rerun_ratio"] = _ratio(again["total_s"], mine["total_s"])
    if "grow" in compare:  # last week's export, then this week's (+10 % messages), incremental
        oldest = sorted(range(len(records)), key=lambda i: records[i]["time"])[: round(len(records) / 1.1)]
        keep = set(oldest)
        write_jsonl([r for i, r in enumerate(records) if i in keep], tmp / "input-base")
        first = run_pipeline(tmp / "input-base", tmp / "ws-grow", tmp / "out-grow-1", args.embedder, args.seed,
                             truth([r for i, r in enumerate(records) if i in keep]), incremental=True)
        grown = run_pipeline(tmp / "input", tmp / "ws-grow", tmp / "out-grow-2", args.embedder, args.seed, planted,
                             incremental=True)
        out["grow"] = {"base_messages": len(keep), "first_s": first["total_s"], "first_stages_s": first["stages_s"],
                       "grown_s": grown["total_s"], "grown_stages_s": grown["stages_s"], "reused": grown["reused"],
                       "grown_nmi": grown["recovery"]["nmi"], "fresh_nmi": mine["recovery"]["nmi"]}
        out["grow_ratio"] = _ratio(grown["total_s"], first["total_s"])
    if "previous" in compare:
        prev_name = previous_embedder(args.embedder)
        prev = run_pipeline(tmp / "input", tmp / "ws-previous", tmp / "out-previous", prev_name, args.seed, planted)
        out["previous"] = prev
        out["speedup_vs_previous"] = _ratio(prev["total_s"], mine["total_s"])
        out["embed_speedup_vs_previous"] = _ratio(prev["stages_s"].get("embed"), mine["stages_s"].get("embed"))
        out["nmi"] = mine["recovery"]["nmi"]
        out["previous_nmi"] = prev["recovery"]["nmi"]
    out["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for k, v in out.items():
            print(f"{k:>15}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
