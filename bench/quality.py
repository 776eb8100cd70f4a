"""Quality harness: needminer's discovery beside its peers, on every labelled set, on the same vectors.

    python -m bench.quality [--sets car_neg,phone,medical,synth] [--quick] [--json] [--embedder E] [--real | --real-only]

For each set, in one process and on the same embeddings (cached under ``bench/out/quality_ws``):

- ``needminer``: ``discover_needs`` with the default ``DiscoverConfig`` (k never given); scattered
  groups (零散需求) count as unassigned, like outliers.
- ``bertopic_expert``: BERTopic 0.17 set up for Chinese as EVAL.md describes it (precomputed vectors,
  seeded UMAP, jieba CountVectorizer, HDBSCAN ``min_cluster_size=10``), outliers as one cluster.
- ``bertopic_tuned``: EVAL.md's tuned recipe (e5 ⊕ USE vectors each centred, HDBSCAN
  ``min_cluster_size`` 10 / 15 / 20 with ``min_samples=5``, ``reduce_outliers(strategy="embeddings")``);
  the table shows the best of the three sizes on each set by mean NMI (an oracle choice: the
  strongest peer).
- ``kmeans_k``: KMeans told the true number of classes.

needminer's titles are scored too: the *aspect hit rate* is the share of its needs that are mostly
(≥ 50 %) one gold label and whose title names that label in plain words (``LABEL_WORDS``: phone
BATTERY → 电池, car 油耗 → 油耗 …; a mapping written once here, not in the package).

Every method runs with every seed (default 0 and 1). Columns: NMI, ARI and coverage (means over the
seeds), largest-need share (beside the largest gold class share), number of needs, seed stability
(NMI between the first two seeds' partitions) and seconds per run. Metrics are ``cluster_metrics``
(EVAL.md): unassigned rows count as one cluster.

Sets (each skips with a reason when ``../shared/data/eval`` is absent, except ``synth``):

- ``car_neg``: car-owner posts with sentiment −1, deduplicated (n=1,027, k=10 subjects).
- ``car_other``: car posts with sentiment 0/1 (a disjoint set; 1,500 sampled, k=10).
- ``phone``: negative phone-review clauses (n=741, k=10 aspects).
- ``medical``: health search queries (n=3,000, k=10 need types).
- ``synth``: the need messages of a 10k-message synthetic chat (``bench.synth``), planted need = gold.
- ``tiny``: 120 synthetic need messages (for tests; ``--quick`` runs only this one).

``--real`` (or ``--real-only``) adds the real-chat check of ``bench.real_chat``: on three real exports
in ``../shared/data/formats`` labelled need / not-need per message by hand (``bench/real_chat/*.csv``),
the shipped detector's per-message macro-F1 and the precision@10 of ``pipeline.run``'s needs.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "eval"
ALL_SETS = ("car_neg", "car_other", "phone", "medical", "synth")
REPORTED_SETS = ("car_neg", "phone", "medical", "synth")
PEER_SIZES = (10, 15, 20)


@dataclass
class LabelledSet:
    name: str
    texts: list[str]
    gold: list[str]

    @property
    def k(self) -> int:
        return len(set(self.gold))


class SetUnavailable(Exception):
    """A labelled set whose files are not on this machine."""


def _read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        raise SetUnavailable(f"{path} not found (the eval data lives in ../shared/data/eval)")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _dedup(pairs: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
    seen: set[str] = set()
    texts, gold = [], []
    for text, label in pairs:
        t = text.strip()
        if t and t not in seen:
            seen.add(t)
            texts.append(t)
            gold.append(label)
    return texts, gold


def _car(negative: bool, limit: int = 0, eval_dir: Path = EVAL_DIR) -> tuple[list[str], list[str]]:
    rows = _read_csv(eval_dir / "car_aspects" / "single_label.csv")
    pairs = [(r["content"], r["subject"]) for r in rows if (r["sentiment"].strip() == "-1") == negative]
    texts, gold = _dedup(pairs)
    if limit and len(texts) > limit:
        keep = sorted(random.Random(0).sample(range(len(texts)), limit))
        texts, gold = [texts[i] for i in keep], [gold[i] for i in keep]
    return texts, gold


def _texts_csv(folder: str, eval_dir: Path = EVAL_DIR) -> tuple[list[str], list[str]]:
    rows = _read_csv(eval_dir / folder / "texts.csv")
    return _dedup([(r["text"], r["label"]) for r in rows])


def _synth(n_messages: int, limit: int = 0) -> tuple[list[str], list[str]]:
    from bench.synth import generate

    records = [r for r in generate(n_messages, 5, seed=0) if r.get("_need")]
    texts, gold = _dedup([(r["text"], r["_need"]) for r in records])
    if limit:
        texts, gold = texts[:limit], gold[:limit]
    return texts, gold


LOADERS: dict[str, Callable[[], tuple[list[str], list[str]]]] = {
    "car_neg": lambda: _car(True),
    "car_other": lambda: _car(False, 1500),
    "phone": lambda: _texts_csv("phone_complaints"),
    "medical": lambda: _texts_csv("medical_queries"),
    "synth": lambda: _synth(10_000),
    "tiny": lambda: _synth(600, 120),
}


def load_set(name: str) -> LabelledSet:
    """Texts (normalised as the pipeline normalises them) and gold labels of one set."""
    from needminer.text import normalize

    if name not in LOADERS:
        raise SystemExit(f"unknown set {name!r}; choose from {', '.join(LOADERS)}")
    texts, gold = LOADERS[name]()
    norm = [normalize(t) for t in texts]
    keep = [i for i, t in enumerate(norm) if t.strip()]
    return LabelledSet(name, [norm[i] for i in keep], [gold[i] for i in keep])


def embed(texts: Sequence[str], embedder_name: str, cache: Path | None) -> tuple[np.ndarray, tuple[int, ...] | None]:
    """Embeddings of ``texts`` (cached by model and text in a workspace) and the embedder's blocks."""
    from needminer.embed import embed_with_cache, get_embedder
    from needminer.store import Workspace

    embedder = get_embedder(embedder_name)
    ws = Workspace(cache) if cache is not None else None
    try:
        vecs = embed_with_cache(embedder, list(texts), ws)
    finally:
        if ws is not None:
            ws.close()
    return np.asarray(vecs, dtype=np.float32), getattr(embedder, "blocks", None)


# --------------------------------------------------------------------------------------------- methods
# The plain words of each gold label (for the aspect hit rate: is a need that is mostly one label
# titled with that label's word?). Written once here, from the label names, never in the package.
LABEL_WORDS: dict[str, tuple[str, ...]] = {
    # car subjects
    "动力": ("动力", "加速", "马力", "提速"), "价格": ("价格", "价钱", "优惠", "贵", "便宜"), "油耗": ("油耗", "费油", "省油"),
    "操控": ("操控", "方向盘", "转向", "底盘"), "舒适性": ("舒适", "噪音", "异响", "座椅", "颠"), "配置": ("配置", "导航", "中控", "功能"),
    "安全性": ("安全", "刹车", "气囊"), "内饰": ("内饰", "做工", "用料"), "外观": ("外观", "颜值", "造型", "车漆"), "空间": ("空间", "后排", "后备箱"),
    # phone aspects
    "PHONE": ("手机", "机子", "机器", "整机"), "SOFTWARE": ("软件", "程序", "应用"), "OS": ("系统", "固件", "安卓"),
    "MULTIMEDIA_DEVICES": ("摄像头", "拍照", "相机", "音质", "喇叭", "音量", "外放", "耳机", "声音"),
    "DISPLAY": ("屏幕", "显示", "分辨率", "屏"), "HARDWARE": ("硬件", "后盖", "机身", "发热", "做工"),
    "BATTERY": ("电池", "电量", "待机", "续航"), "KEYBOARD": ("键盘", "按键", "键"), "POWER_SUPPLY": ("充电", "充电器"),
    "PORTS": ("接口", "usb", "插孔", "卡槽"),
    # medical need types
    "治疗方案": ("治疗", "怎么治", "药", "治"), "病情诊断": ("怎么回事", "是什么", "诊断", "症状"), "注意事项": ("注意", "能不能", "能吃", "可以"),
    "疾病表述": ("症状", "表现", "是什么病"), "就医建议": ("医院", "哪家", "挂什么科", "医生"), "功效作用": ("功效", "作用", "好处"),
    "后果表述": ("危害", "后果", "影响", "会不会"), "医疗费用": ("费用", "多少钱", "价格"), "病因分析": ("原因", "为什么", "引起"),
    "指标解读": ("正常", "指标", "偏高", "偏低"),
}
ASPECT_MAJORITY = 0.5  # a need counts for the hit rate when at least this share of it is one gold label


def run_needminer(texts: Sequence[str], vecs: np.ndarray, blocks, seed: int, config=None, keep: list | None = None) -> list[str]:
    """needminer's default discovery; rows of scattered groups and outliers are unassigned ("").

    With ``keep``, the discovery and the fragments are appended to it (to title the needs later).
    """
    from needminer.discover import discover_needs
    from needminer.types import Fragment

    frags = [Fragment(id=f"r{i}", message_id=f"r{i}", chat="", speaker=f"r{i}", text=t, span=(0, len(t))) for i, t in enumerate(texts)]
    disc = discover_needs(frags, vecs, config, seed=seed, blocks=blocks)
    if keep is not None:
        keep.append((disc, frags))
    label = {fid: c.id for c in disc.clusters if not c.scattered for fid in c.fragment_ids}
    return [label.get(f.id, "") for f in frags]


def aspect_hits(gold: Sequence[str], pred: Sequence[str], titles: dict[str, str]) -> tuple[int, int]:
    """(needs titled with their majority gold label's word, needs that have a majority label with words)."""
    members: dict[str, list[str]] = {}
    for g, p in zip(gold, pred):
        if p:
            members.setdefault(p, []).append(g)
    hits = total = 0
    for need, labels in members.items():
        label, count = Counter(labels).most_common(1)[0]
        if count / len(labels) < ASPECT_MAJORITY or label not in LABEL_WORDS:
            continue
        total += 1
        hits += any(w in titles.get(need, "") for w in LABEL_WORDS[label])
    return hits, total


def _bertopic(texts: Sequence[str], vecs: np.ndarray, seed: int, mcs: int, min_samples: int | None, reduce: bool) -> list[str]:
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from umap import UMAP

    from needminer.discover import make_vectorizer

    n = len(texts)
    umap_model = UMAP(n_neighbors=min(15, n - 1), n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
    hdb = HDBSCAN(min_cluster_size=mcs, min_samples=min_samples, metric="euclidean", cluster_selection_method="eom", prediction_data=True)
    model = BERTopic(embedding_model=None, language="multilingual", umap_model=umap_model, hdbscan_model=hdb,
                     vectorizer_model=make_vectorizer(), calculate_probabilities=False, verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        topics, _ = model.fit_transform(list(texts), embeddings=vecs)
        if reduce and any(t == -1 for t in topics) and len(set(topics)) > 1:
            topics = model.reduce_outliers(list(texts), topics, strategy="embeddings", embeddings=vecs)
    return ["" if t == -1 else str(t) for t in topics]


def run_bertopic_expert(texts, vecs, blocks, seed) -> list[str]:
    from needminer.discover import centre

    return _bertopic(texts, centre(vecs, blocks), seed, 10, None, False)


def run_bertopic_tuned(texts, vecs, blocks, seed, mcs: int = 15) -> list[str]:
    from needminer.discover import centre

    return _bertopic(texts, centre(vecs, blocks), seed, mcs, 5, True)


def run_kmeans(texts, vecs, blocks, seed, k: int = 10) -> list[str]:
    from sklearn.cluster import KMeans

    from needminer.discover import centre

    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(centre(vecs, blocks))
    return [str(x) for x in labels]


# ---------------------------------------------------------------------------------------------- scoring
def score(gold: Sequence[str], runs: Sequence[list[str]]) -> dict:
    """EVAL.md metrics (NMI, ARI and coverage averaged over the runs, the rest of the first run),
    largest-need share and seed stability (NMI between the first two runs)."""
    from sklearn.metrics import normalized_mutual_info_score

    from needminer.evaluate import UNASSIGNED, cluster_metrics

    per_seed = [cluster_metrics(gold, r) for r in runs]
    m = dict(per_seed[0])
    for key in ("nmi", "ari", "coverage"):  # the table shows the mean over seeds: one draw is noisy
        m[key] = round(sum(p[key] for p in per_seed) / len(per_seed), 4)
    m["nmi_per_seed"] = [p["nmi"] for p in per_seed]
    sizes = Counter(x for x in runs[0] if x)
    m["largest"] = round(max(sizes.values()) / len(gold), 4) if sizes else 0.0
    if len(runs) > 1:
        a = [x or UNASSIGNED for x in runs[0]]
        b = [x or UNASSIGNED for x in runs[1]]
        m["stability"] = round(float(normalized_mutual_info_score(a, b)), 4)
    return m


def evaluate_set(ls: LabelledSet, vecs: np.ndarray, blocks, *, seeds: Sequence[int], peers: bool, config=None) -> dict:
    """Every method on one set; the result maps method name → metrics (plus seconds)."""
    out: dict[str, dict] = {}

    def timed(name: str, fn: Callable[[int], list[str]], run_seeds: Sequence[int]) -> list[list[str]]:
        t = time.perf_counter()
        runs = [fn(s) for s in run_seeds]
        m = score(ls.gold, runs)
        m["seconds"] = round((time.perf_counter() - t) / len(run_seeds), 1)
        out[name] = m
        return runs

    from needminer.describe import describe_needs, faithfulness

    kept: list = []
    runs = timed("needminer", lambda s: run_needminer(ls.texts, vecs, blocks, s, config, kept), seeds)
    stmts = describe_needs(*kept[0])  # outside the timing
    titles = {st.need_id: st.title for st in stmts}
    hits, total = aspect_hits(ls.gold, runs[0], titles)
    text = {f.id: f.text for f in kept[0][1]}
    faithful = [faithfulness(st.title, [text[q] for q in st.quote_fragment_ids]) for st in stmts]
    out["needminer"]["title_faithfulness"] = round(sum(faithful) / len(faithful), 4) if faithful else 1.0
    out["needminer"]["aspect_hits"] = [hits, total]
    out["needminer"]["aspect_hit_rate"] = round(hits / total, 4) if total else None
    if peers:
        timed("bertopic_expert", lambda s: run_bertopic_expert(ls.texts, vecs, blocks, s), seeds)
        tuned = []
        for mcs in PEER_SIZES:
            timed(f"bertopic_tuned_{mcs}", lambda s, mcs=mcs: run_bertopic_tuned(ls.texts, vecs, blocks, s, mcs), seeds)
            tuned.append((mcs, out[f"bertopic_tuned_{mcs}"]))
        mcs, best = max(tuned, key=lambda p: p[1]["nmi"])
        out["bertopic_tuned"] = {**best, "min_cluster_size": mcs}
        timed("kmeans_k", lambda s: run_kmeans(ls.texts, vecs, blocks, s, ls.k), seeds)
    gold_sizes = Counter(ls.gold)
    out["_gold"] = {"n": len(ls.gold), "k": ls.k, "largest": round(max(gold_sizes.values()) / len(ls.gold), 4)}
    return out


TABLE_METHODS = ("needminer", "bertopic_expert", "bertopic_tuned", "kmeans_k")


def format_table(results: dict[str, dict]) -> str:
    head = "| set (n, k, largest class) | method | NMI | ARI | coverage | largest need | needs | seed stability | s |"
    lines = [head, "|" + "---|" * 9]
    for name, res in results.items():
        g = res["_gold"]
        for method in TABLE_METHODS:
            if method not in res:
                continue
            m = res[method]
            label = method + (f" (mcs {m['min_cluster_size']})" if "min_cluster_size" in m else "")
            lines.append(
                f"| {name} ({g['n']}, {g['k']}, {g['largest']:.2f}) | {label} | {m['nmi']:.3f} | {m['ari']:.3f} | "
                f"{m['coverage']:.2f} | {m['largest']:.2f} | {m['n_clusters']} | {m.get('stability', float('nan')):.3f} | {m['seconds']} |"
            )
    hits = [f"{name} {res['needminer']['aspect_hit_rate']:.2f} ({res['needminer']['aspect_hits'][0]}/{res['needminer']['aspect_hits'][1]})"
            for name, res in results.items() if res.get("needminer", {}).get("aspect_hit_rate") is not None]
    if hits:
        lines.append("")
        lines.append("aspect hit rate (needs mostly one gold label whose title names it): " + ", ".join(hits))
        lines.append("title faithfulness (share of title words in the need's quotes): " + ", ".join(
            f"{name} {res['needminer']['title_faithfulness']:.3f}" for name, res in results.items()))
    if len(results) > 1:
        means = {}
        for method in TABLE_METHODS:
            vals = [res[method]["nmi"] for res in results.values() if method in res]
            if len(vals) == len(results):
                means[method] = sum(vals) / len(vals)
        lines.append("")
        lines.append("mean NMI over sets: " + ", ".join(f"{k} {v:.3f}" for k, v in means.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(REPORTED_SETS), help=f"comma-separated, from {', '.join(LOADERS)}")
    ap.add_argument("--quick", action="store_true", help="only the tiny synthetic set (for tests)")
    ap.add_argument("--no-peers", action="store_true", help="needminer only")
    ap.add_argument("--embedder", default="e5-small+lite")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--cache", default="bench/out/quality_ws", help="embedding cache workspace ('' = none)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--real", action="store_true",
                    help="also the real-chat check (bench.real_chat): detector macro-F1 and the report's precision@10 "
                         "on three hand-labelled real exports")
    ap.add_argument("--real-only", action="store_true", help="only the real-chat check")
    args = ap.parse_args(argv)

    names = ["tiny"] if args.quick else [s.strip() for s in args.sets.split(",") if s.strip()]
    if args.real_only:
        names = []
    seeds = [int(s) for s in args.seeds.split(",")]
    results: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    for name in names:
        try:
            ls = load_set(name)
        except SetUnavailable as exc:
            skipped[name] = str(exc)
            continue
        vecs, blocks = embed(ls.texts, args.embedder, Path(args.cache) if args.cache else None)
        results[name] = evaluate_set(ls, vecs, blocks, seeds=seeds, peers=not args.no_peers)
        if not args.json:
            print(f"[{name}] done", file=sys.stderr)
    real = real_chat_results() if (args.real or args.real_only) else None
    if args.json:
        doc = {"embedder": args.embedder, "results": results, "skipped": skipped}
        if real is not None:
            doc["real_chat"] = real
        print(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        print(f"embedder {args.embedder}; seeds {seeds}")
        if results:
            print(format_table(results))
        for name, why in skipped.items():
            print(f"skipped {name}: {why}")
        if real is not None:
            print(format_real(real))
    return 0


def real_chat_results() -> dict[str, dict]:
    """The real-chat check (``bench.real_chat``) with the shipped defaults, one entry per labelled export."""
    from dataclasses import asdict

    from bench import real_chat

    names = real_chat.available()
    if not names:
        return {"_skipped": {"why": f"{real_chat.SHARED} not found"}}
    out = {}
    for name in names:
        res = asdict(real_chat.evaluate(name))
        for row in res["top"]:  # titles are members' words: keep chat text out of the saved figures
            row.pop("title", None)
        out[name] = res
    return out


def format_real(real: dict[str, dict]) -> str:
    if "_skipped" in real:
        return f"real-chat check skipped: {real['_skipped']['why']}"
    lines = ["", "| real export (messages, labelled need) | detector macro-F1 | need P / R | needs listed (below the bar) | precision@10 |",
             "|---|---|---|---|---|"]
    for name, r in real.items():
        p10 = "– (no need listed)" if r["precision_at_10"] is None else f"{r['precision_at_10']:.2f} ({sum(x['real'] for x in r['top'])}/{len(r['top'])})"
        lines.append(f"| {name} ({r['messages']}, {r['positives']}) | {r['detector_macro_f1']:.3f} | "
                     f"{r['detector_precision']:.2f} / {r['detector_recall']:.2f} | {r['needs']} ({r.get('below_bar', 0)}) | {p10} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
