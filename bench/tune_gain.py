"""Does ``needminer tune`` learn what a need is, or only the labels it was shown?

    python -m bench.tune_gain [--same car_neg,phone] [--cross car_neg:phone,medical] [--seeds 0,1] [--epochs 3]

(a) **same set, other labels**: a labelled set's labels are split in two halves (alternating by
    frequency rank); e5-small is tuned (``tune_encoder``, default settings) on the texts of one half
    and the clustering is measured on the texts of the *other* half, which it never saw.
(b) **cross-set**: e5-small is tuned on every text of one set (car_neg) and measured on other sets
    (phone, medical).

Measured on the evaluation texts, per encoder: needminer's default discovery (``discover_needs`` via
``bench.quality.run_needminer``, scattered groups unassigned) NMI / ARI / coverage / needs (means over
the seeds, ``cluster_metrics``); KMeans told the true k (NMI, a check that does not depend on
HDBSCAN's choices); same-label retrieval MAP (the early-stop metric). Encoders:

- ``e5-small``: the shipped e5-small alone, untuned (``"query: "`` prefix);
- ``e5-small, no prefix``: the same weights as an ``hf:`` folder (no prefix): where tuning starts;
- ``tuned``: the tuned folder through ``--embedder hf:DIR`` (no prefix, as it was trained);
- ``e5-small+lite``: the shipped default embedder, for reference (not what was tuned);
- ``lite+tuned`` (``--with-lite``): the tuned folder beside lite (``--embedder lite+hf:DIR``; ``hf:`` must come last
  because a ``+`` after ``hf:`` is read as part of the path).

Sets come from ``../shared/data/eval`` through ``bench.quality.load_set``; missing sets are skipped.
Tuned models and an embedding cache go to ``bench/out/tune_gain``.

Measured 2026-12-07 16:24–16:35 with ``python -m bench.tune_gain`` (seeds 0,1; tune_encoder
defaults: 3 epochs, top 4 layers, seed 0; texts tuned with e5's ``"query: "`` prefix, which ``hf:``
reads back from the tuned folder), on 2 CPU cores shared with one other job. Tuning took 87 s (car
A, 509 rows), 65 s (phone A, 357) and 199 s (car, 873), each ran all 3 epochs; held-out MAP on the
tuned labels rose 0.534 -> 0.863, 0.459 -> 0.563 and 0.340 -> 0.670.

| case (eval n, k) | encoder | NMI | ARI | coverage | needs | KMeans-k NMI | MAP |
|---|---|---|---|---|---|---|---|
| car_neg: tune A (599), measure B (428, 5) | e5-small | 0.469 | 0.247 | 1.00 | 19 | 0.304 | 0.468 |
| car_neg: tune A (599), measure B (428, 5) | e5-small, no prefix | 0.469 | 0.252 | 1.00 | 18 | 0.332 | 0.463 |
| car_neg: tune A (599), measure B (428, 5) | tuned | 0.511 | 0.329 | 1.00 | 18 | 0.390 | 0.519 |
| car_neg: tune A (599), measure B (428, 5) | e5-small+lite | 0.479 | 0.326 | 1.00 | 14 | 0.298 | 0.491 |
| phone: tune A (420), measure B (321, 5) | e5-small | 0.382 | 0.197 | 0.88 | 16 | 0.337 | 0.496 |
| phone: tune A (420), measure B (321, 5) | e5-small, no prefix | 0.361 | 0.190 | 0.86 | 15 | 0.314 | 0.482 |
| phone: tune A (420), measure B (321, 5) | tuned | 0.376 | 0.189 | 0.96 | 18 | 0.411 | 0.530 |
| phone: tune A (420), measure B (321, 5) | e5-small+lite | 0.424 | 0.272 | 1.00 | 12 | 0.447 | 0.511 |
| tune car_neg (1027), measure phone (741, 10) | e5-small | 0.343 | 0.127 | 0.91 | 27 | 0.386 | 0.317 |
| tune car_neg (1027), measure phone (741, 10) | e5-small, no prefix | 0.351 | 0.141 | 0.92 | 27 | 0.309 | 0.302 |
| tune car_neg (1027), measure phone (741, 10) | tuned | 0.375 | 0.180 | 0.95 | 17 | 0.364 | 0.367 |
| tune car_neg (1027), measure phone (741, 10) | e5-small+lite | 0.420 | 0.206 | 1.00 | 25 | 0.381 | 0.333 |
| tune car_neg (1027), measure medical (3000, 10) | e5-small | 0.321 | 0.113 | 0.93 | 28 | 0.304 | 0.368 |
| tune car_neg (1027), measure medical (3000, 10) | e5-small, no prefix | 0.314 | 0.114 | 0.93 | 30 | 0.333 | 0.367 |
| tune car_neg (1027), measure medical (3000, 10) | tuned | 0.281 | 0.104 | 0.93 | 28 | 0.233 | 0.354 |
| tune car_neg (1027), measure medical (3000, 10) | e5-small+lite | 0.271 | 0.081 | 0.91 | 36 | 0.317 | 0.403 |

Reading (tuned against the untuned e5-small, both with the prefix): on the *other* labels the gain
is small and not consistent. Car complaints, other labels: NMI 0.469 -> 0.511, KMeans-k 0.304 ->
0.390, MAP 0.468 -> 0.519; car -> phone complaints: 0.343 -> 0.375; phone, other labels: flat
(0.382 -> 0.376, though KMeans-k 0.337 -> 0.411 and MAP 0.496 -> 0.530); car -> medical queries is
worse (0.321 -> 0.281, KMeans-k 0.304 -> 0.233). The default e5-small+lite is at least as good as the
tuned e5-small alone on two of the four cases (phone, car -> phone). Tuning learns the labels it is
shown much more than "what a need is". (Before the prefix was kept, tuned folders ran without it:
car other labels 0.509, phone 0.385, car -> phone 0.387, car -> medical 0.278.)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.quality import LabelledSet, SetUnavailable, load_set, run_needminer

OUT = Path("bench/out/tune_gain")


def halves(gold: Sequence[str]) -> tuple[list[str], list[str]]:
    """Labels split in two halves of similar size: alternate down the frequency ranking."""
    ranked = [lab for lab, _ in sorted(Counter(gold).items(), key=lambda p: (-p[1], p[0]))]
    return ranked[0::2], ranked[1::2]


def subset(ls: LabelledSet, labels: Sequence[str], name: str) -> LabelledSet:
    keep = set(labels)
    rows = [i for i, g in enumerate(ls.gold) if g in keep]
    return LabelledSet(name, [ls.texts[i] for i in rows], [ls.gold[i] for i in rows])


def tune(train: LabelledSet, out: Path, epochs: int, log) -> dict:
    from needminer.embed.tune import tune_encoder

    t = time.perf_counter()
    if (out / "needminer-tune.json").is_file() and not (out / "checkpoint").exists():
        info = json.loads((out / "needminer-tune.json").read_text(encoding="utf-8"))
        if info.get("rows_sha") == _sha(train):
            log(f"reusing {out}")
            return info
    res = tune_encoder(train.texts, train.gold, out, epochs=epochs, seed=0, log=log)
    info = json.loads((out / "needminer-tune.json").read_text(encoding="utf-8"))
    info["rows_sha"] = _sha(train)
    info["wall_s"] = round(time.perf_counter() - t, 1)
    (out / "needminer-tune.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    log(f"tuned {out.name}: {res.n_train} rows, {res.steps} steps, {res.stopped}, held-out MAP "
        f"{res.check_before} -> {res.check_best}, {res.seconds:.0f}s")
    return info


def _sha(ls: LabelledSet) -> str:
    import hashlib

    return hashlib.sha256("\x00".join(t + "\x01" + g for t, g in zip(ls.texts, ls.gold)).encode()).hexdigest()[:16]


def vectors(texts: Sequence[str], name: str) -> tuple[np.ndarray, tuple[int, ...] | None]:
    from needminer.embed import embed_with_cache, get_embedder
    from needminer.store import Workspace

    embedder = get_embedder(name)
    ws = Workspace(OUT / "cache_ws")
    try:
        vecs = embed_with_cache(embedder, list(texts), ws)
    finally:
        ws.close()
    return np.asarray(vecs, dtype=np.float32), getattr(embedder, "blocks", None)


def measure(ls: LabelledSet, vecs: np.ndarray, blocks, seeds: Sequence[int]) -> dict:
    from sklearn.cluster import KMeans

    from needminer.embed.tune import retrieval_map
    from needminer.evaluate import cluster_metrics

    per = [cluster_metrics(ls.gold, run_needminer(ls.texts, vecs, blocks, s)) for s in seeds]
    km = [cluster_metrics(ls.gold, [str(x) for x in KMeans(ls.k, n_init=4, random_state=s).fit_predict(vecs)])["nmi"]
          for s in seeds]
    y = np.asarray([sorted(set(ls.gold)).index(g) for g in ls.gold])
    unit = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
    return {"nmi": float(np.mean([p["nmi"] for p in per])), "ari": float(np.mean([p["ari"] for p in per])),
            "coverage": float(np.mean([p["coverage"] for p in per])), "needs": per[0]["n_clusters"],
            "kmeans_nmi": float(np.mean(km)), "map": retrieval_map(unit, y)}


def encoders(tuned: Path, with_lite: bool = False) -> dict[str, str]:
    from needminer.embed import resolve_models_dir

    names = {"e5-small": "e5-small", "e5-small, no prefix": f"hf:{resolve_models_dir() / 'e5-small'}",
             "tuned": f"hf:{tuned}", "e5-small+lite": "e5-small+lite"}
    if with_lite:
        names["lite+tuned"] = f"lite+hf:{tuned}"
    return names


def evaluate(case: str, ls: LabelledSet, tuned: Path, seeds: Sequence[int], log, with_lite: bool = False) -> dict:
    rows = {}
    for label, name in encoders(tuned, with_lite).items():
        t = time.perf_counter()
        vecs, blocks = vectors(ls.texts, name)
        rows[label] = measure(ls, vecs, blocks, seeds)
        log(f"{case} [{label}] NMI {rows[label]['nmi']:.3f} ({time.perf_counter() - t:.0f}s)")
    return {"case": case, "n": len(ls.texts), "k": ls.k, "rows": rows}


def format_table(results: list[dict]) -> str:
    lines = ["| case (eval n, k) | encoder | NMI | ARI | coverage | needs | KMeans-k NMI | MAP |", "|" + "---|" * 8]
    for res in results:
        for label, m in res["rows"].items():
            lines.append(f"| {res['case']} ({res['n']}, {res['k']}) | {label} | {m['nmi']:.3f} | {m['ari']:.3f} | "
                         f"{m['coverage']:.2f} | {m['needs']} | {m['kmeans_nmi']:.3f} | {m['map']:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--same", default="car_neg,phone", help="sets for (a): tune on half the labels, measure on the rest")
    ap.add_argument("--cross", default="car_neg:phone,medical", help="(b): TRAIN:EVAL1,EVAL2 ('' = none)")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--with-lite", action="store_true", help="also measure lite+tuned (the tuned folder beside lite)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    results, skipped = [], {}
    for name in [s for s in args.same.split(",") if s]:
        try:
            ls = load_set(name)
        except SetUnavailable as exc:
            skipped[name] = str(exc)
            continue
        a, b = halves(ls.gold)
        train, test = subset(ls, a, f"{name}-A"), subset(ls, b, f"{name}-B")
        info = tune(train, OUT / f"{name}-A", args.epochs, log)
        res = evaluate(f"{name}: tune A ({len(train.texts)}), measure B", test, OUT / f"{name}-A", seeds, log, args.with_lite)
        res["tune"] = {k: info.get(k) for k in ("n_train", "steps", "stopped", "check_map_before", "check_map_best", "wall_s")}
        results.append(res)
    if args.cross:
        src, _, targets = args.cross.partition(":")
        try:
            train = load_set(src)
            info = tune(train, OUT / f"{src}-all", args.epochs, log)
            for target in [t for t in targets.split(",") if t]:
                res = evaluate(f"tune {src} ({len(train.texts)}), measure {target}", load_set(target), OUT / f"{src}-all", seeds, log, args.with_lite)
                res["tune"] = {k: info.get(k) for k in ("n_train", "steps", "stopped", "check_map_before", "check_map_best", "wall_s")}
                results.append(res)
        except SetUnavailable as exc:
            skipped[args.cross] = str(exc)
    if args.json:
        print(json.dumps({"seeds": seeds, "results": results, "skipped": skipped}, ensure_ascii=False, indent=1))
    else:
        print(f"seeds {seeds}; NMI/ARI/coverage/needs: needminer's default discovery on each encoder's vectors")
        print(format_table(results))
        for res in results:
            print(f"{res['case']}: tuning {res.get('tune')}")
        for name, why in skipped.items():
            print(f"skipped {name}: {why}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
