"""Evaluation against gold labels, with the metrics defined in EVAL.md.

Clustering: NMI, ARI, V-measure, many-to-one purity, coverage, number of clusters and seed stability
(NMI between the runs of two seeds). Unassigned rows count as ONE cluster, so leaving hard items
out never looks like a gain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from needminer.config import PipelineConfig
from needminer.errors import ConfigError

UNASSIGNED = "__unassigned__"


def cluster_metrics(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """NMI, ARI, V-measure, purity, coverage and cluster count of ``pred`` against ``gold``.

    Args:
        gold: Gold label per item.
        pred: Predicted cluster per item; "" or "-1" means unassigned.
    """
    from sklearn import metrics

    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items but pred has {len(pred)}")
    p = [UNASSIGNED if x in ("", "-1", None) else str(x) for x in pred]
    n = len(p)
    coverage = sum(x != UNASSIGNED for x in p) / n if n else 0.0
    by_cluster: dict[str, Counter] = {}
    for g, c in zip(gold, p):
        by_cluster.setdefault(c, Counter())[g] += 1
    purity = sum(cnt.most_common(1)[0][1] for cnt in by_cluster.values()) / n if n else 0.0
    return {
        "nmi": round(float(metrics.normalized_mutual_info_score(gold, p)), 4),
        "ari": round(float(metrics.adjusted_rand_score(gold, p)), 4),
        "v_measure": round(float(metrics.v_measure_score(gold, p)), 4),
        "purity": round(purity, 4),
        "coverage": round(coverage, 4),
        "n_clusters": len({x for x in p if x != UNASSIGNED}),
        "n": n,
    }


def evaluate_clusters(
    texts: Sequence[str],
    gold: Sequence[str],
    config: PipelineConfig | None = None,
    *,
    seeds: Sequence[int] = (0, 1),
    workspace: str | None = None,
) -> dict[str, Any]:
    """Cluster ``texts`` once per seed and score against ``gold``.

    Returns:
        Metrics of the first seed, ``per_seed`` metrics, ``seed_stability`` (NMI between the first two
        seeds' assignments) and the settings used.
    """
    from sklearn.metrics import normalized_mutual_info_score

    from needminer.pipeline import cluster_texts

    if not seeds:
        raise ConfigError("--seeds must name at least one seed, e.g. --seeds 0,1.")
    cfg = config or PipelineConfig()
    runs = []
    for seed in seeds:
        cfg.seed = int(seed)
        result = cluster_texts(texts, cfg, workspace=workspace)
        runs.append(result.need_ids)
    per_seed = [cluster_metrics(gold, ids) for ids in runs]
    out: dict[str, Any] = dict(per_seed[0])
    if len(runs) > 1:
        a = [x or UNASSIGNED for x in runs[0]]
        b = [x or UNASSIGNED for x in runs[1]]
        out["seed_stability"] = round(float(normalized_mutual_info_score(a, b)), 4)
    out["per_seed"] = [{"seed": int(s), **m} for s, m in zip(seeds, per_seed)]
    out["settings"] = {"embedder": cfg.embed.embedder, "granularity": cfg.discover.granularity, "clusterer": cfg.discover.clusterer}
    return out
