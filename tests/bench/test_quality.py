"""The quality harness runs end to end on a tiny set, and a scattered group never counts as covered."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench import quality
from needminer.config import PipelineConfig
from needminer.types import Discovery, NeedCluster


@pytest.mark.slow  # needminer and both BERTopic set-ups over two seeds, about a minute
def test_quick_harness_prints_every_method(capsys):
    assert quality.main(["--quick", "--json", "--embedder", "hashing", "--cache", "", "--seeds", "0,1"]) == 0
    out = json.loads(capsys.readouterr().out)
    res = out["results"]["tiny"]
    assert res["_gold"]["n"] == 120 and res["_gold"]["k"] >= 5
    for method in ("needminer", "bertopic_expert", "bertopic_tuned", "kmeans_k"):
        m = res[method]
        assert 0.0 <= m["nmi"] <= 1.0 and 0.0 <= m["coverage"] <= 1.0 and m["n_clusters"] >= 1
        assert 0.0 < m["largest"] <= 1.0 and m["seconds"] >= 0
    assert 0.0 <= res["needminer"]["stability"] <= 1.0  # two seeds
    assert res["kmeans_k"]["n_clusters"] == res["_gold"]["k"]  # told k
    assert res["bertopic_tuned"]["min_cluster_size"] in quality.PEER_SIZES
    assert res["needminer"]["title_faithfulness"] == 1.0  # every title word is in the need's quotes
    table = quality.format_table(out["results"])
    assert "| tiny (120," in table and "needminer" in table and "bertopic_tuned (mcs" in table


def test_aspect_hits_count_needs_titled_with_their_majority_label():
    gold = ["BATTERY"] * 4 + ["DISPLAY"] * 4 + ["PHONE", "OS", "DISPLAY", "BATTERY"]
    pred = ["a"] * 4 + ["b"] * 4 + ["c"] * 4
    titles = {"a": "电池不耐用", "b": "手机发热", "c": "电池屏幕"}
    assert quality.aspect_hits(gold, pred, titles) == (1, 2)  # c has no majority label


def test_score_counts_unassigned_as_one_cluster():
    gold = ["a", "a", "b", "b"]
    m = quality.score(gold, [["x", "x", "", ""], ["x", "x", "y", "y"]])
    assert m["coverage"] == 0.75 and m["largest"] == 0.5 and m["nmi"] == 1.0  # means over the two runs
    assert m["nmi_per_seed"] == [1.0, 1.0]
    assert m["stability"] == 1.0


def _fake_discovery(ids_in_need, ids_scattered):
    return Discovery(
        clusters=(
            NeedCluster(id="N000001", fragment_ids=tuple(ids_in_need)),
            NeedCluster(id="N000002", fragment_ids=tuple(ids_scattered), scattered=True),
        ),
        coverage=len(ids_in_need) / (len(ids_in_need) + len(ids_scattered)),
    )


def test_scattered_rows_are_unassigned_in_cluster_texts(monkeypatch, tmp_path):
    import needminer.discover as discover
    from needminer.evaluate import cluster_metrics
    from needminer.pipeline import cluster_texts

    texts = [f"底妆不服帖{i}" for i in range(6)] + [f"今天天气{i}" for i in range(4)]

    def fake(frags, vecs, *args, **kwargs):
        assert isinstance(vecs, np.ndarray)
        return _fake_discovery([f.id for f in frags[:6]], [f.id for f in frags[6:]])

    monkeypatch.setattr(discover, "discover_needs", fake)
    cfg = PipelineConfig()
    cfg.embed.embedder = "hashing"
    result = cluster_texts(texts, cfg)
    assert result.need_ids[:6] == ["N000001"] * 6 and result.need_ids[6:] == [""] * 4
    m = cluster_metrics(["a"] * 6 + ["b"] * 4, result.need_ids)
    assert m["coverage"] == 0.6 and m["n_clusters"] == 1


def test_real_chat_figures_are_tabulated_without_titles(monkeypatch):
    from bench import real_chat

    def fake(name, **_):
        top = [{"rank": 1, "title": "校车几点", "real": True}, {"rank": 2, "title": "运气王", "real": False}]
        return real_chat.RealChatResult(name, 100, 20, 0, 0.7, 0.5, 0.8, needs=5, precision_at_10=0.5, top=top)

    monkeypatch.setattr(real_chat, "available", lambda: ["qq_group_2016"])
    monkeypatch.setattr(real_chat, "evaluate", fake)
    real = quality.real_chat_results()
    assert all("title" not in row for row in real["qq_group_2016"]["top"])
    table = quality.format_real(real)
    assert "| qq_group_2016 (100, 20) | 0.700 | 0.50 / 0.80 | 5 (0) | 0.50 (1/2) |" in table
    monkeypatch.setattr(real_chat, "available", lambda: [])
    assert "skipped" in quality.format_real(quality.real_chat_results())
