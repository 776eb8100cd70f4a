"""Discover: planted clusters are found, runs are reproducible, ids survive a grown input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from needminer.config import DiscoverConfig
from needminer.discover import BERTopicClusterer, ChineseTokenizer, discover_needs, min_cluster_size_for
from needminer.text._segment import PHRASE_SEP, phrase_candidates, phrase_text
from needminer.errors import ConfigError, EmptyCorpusError
from needminer.evaluate import cluster_metrics
from needminer.types import Fragment

TOPICS = [
    "早上化妆时间不够，底妆总是不服帖",
    "宝宝夜里总哭，喂奶太累了",
    "跑步膝盖疼，跑鞋不合适",
    "手机电池不耐用，充电太慢",
]


def planted(n: int = 160, seed: int = 0, offset: int = 0):
    rng = np.random.default_rng(seed)
    centers = np.random.default_rng(99).normal(size=(len(TOPICS), 48))
    frags, vecs, gold = [], [], []
    for i in range(offset, offset + n):
        k = i % len(TOPICS)
        text = TOPICS[k] + f"，第{i}回"
        frags.append(Fragment(id=f"m{i}#0", message_id=f"m{i}", chat="c", speaker=f"s{i % 11}", text=text, span=(0, len(text))))
        vecs.append(centers[k] + 0.35 * rng.normal(size=48))
        gold.append(k)
    return frags, np.asarray(vecs, dtype=np.float32), gold


@pytest.fixture(scope="module")
def result():
    frags, vecs, gold = planted()
    return frags, vecs, gold, discover_needs(frags, vecs, DiscoverConfig(), seed=3)


def test_finds_planted_needs(result):
    frags, _, gold, disc = result
    label = {fid: c.id for c in disc.clusters for fid in c.fragment_ids}
    m = cluster_metrics([str(g) for g in gold], [label.get(f.id, "") for f in frags])
    assert m["nmi"] > 0.9 and m["coverage"] == 1.0
    assert disc.coverage == 1.0 and not disc.unassigned
    sizes = [len(c.fragment_ids) for c in disc.clusters]
    assert sizes == sorted(sizes, reverse=True)
    assert all(len(c.confidence) == len(c.fragment_ids) for c in disc.clusters)
    kw = {w for c in disc.clusters for w in c.keywords}
    assert {"底妆", "喂奶", "跑鞋"} <= kw


def test_same_seed_same_needs(result):
    frags, vecs, _, disc = result
    again = discover_needs(frags, vecs, DiscoverConfig(), seed=3)
    assert [(c.id, c.fragment_ids) for c in again.clusters] == [(c.id, c.fragment_ids) for c in disc.clusters]


def test_ids_survive_a_grown_input(result):
    frags, vecs, _, disc = result
    previous = [
        {"id": c.id, "fragment_ids": list(c.fragment_ids), "centroid": disc.params["centroids"][c.id]}
        for c in disc.clusters
    ]
    more_f, more_v, _ = planted(40, seed=5, offset=1000)
    grown = discover_needs(frags + more_f, np.vstack([vecs, more_v]), DiscoverConfig(), seed=4, previous=previous)
    old_ids = {c.id for c in disc.clusters}
    assert {c.id for c in grown.clusters} == old_ids
    for c in grown.clusters:
        before = next(p for p in disc.clusters if p.id == c.id)
        assert set(before.fragment_ids) <= set(c.fragment_ids)


def test_granularity_number_caps_needs():
    frags, vecs, _ = planted(160)
    disc = discover_needs(frags, vecs, DiscoverConfig(granularity="2"), seed=1)
    assert len(disc.clusters) <= 2


def test_tiny_corpus_and_empty():
    frags, vecs, _ = planted(6)
    disc = discover_needs(frags, vecs, seed=0)
    assert sum(len(c.fragment_ids) for c in disc.clusters) == 6
    with pytest.raises(EmptyCorpusError, match="No need-bearing fragments"):
        discover_needs([], np.zeros((0, 4), dtype=np.float32))


def test_estimator_contract():
    est = BERTopicClusterer(granularity="fine", seed=1)
    assert clone(est).get_params() == est.get_params()
    with pytest.raises(ConfigError, match="'granularity' parameter of BERTopicClusterer"):
        BERTopicClusterer(granularity="huge").fit(["a"] * 3, np.ones((3, 2), dtype=np.float32))


@pytest.mark.parametrize("n, g, expected", [(100, "normal", 3), (1000, "normal", 11), (1000, "coarse", 21), (1000, "fine", 5), (10**6, "coarse", 250), (20000, "normal", 47), (5000, "fine", 12)])
def test_min_cluster_size(n, g, expected):
    assert min_cluster_size_for(n, g) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("早上化妆时间不够，底妆总是不服帖", ["早上", "化妆", "时间", "不够", "底妆", "服帖", "化妆 时间"]),
        ("我用了美妆蛋[图片]哈哈哈", ["我用", "美妆蛋"]),
        ("加我[微信号]有优惠 123456", ["优惠"]),
        # the domain dictionary keeps 带娃 whole (jieba alone cuts 一个/人带/娃)
        ("推车太重了，一个人带娃出门", ["推车", "太重", "带娃", "出门", "推车 太重"]),
    ],
)
def test_tokenizer(text, expected):
    assert ChineseTokenizer()(text) == expected
    assert ChineseTokenizer(phrases=False)(text) == [t for t in expected if " " not in t]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("油皮底妆总是卡粉", ["油皮底妆"]),  # noun + noun
        ("跑步伤膝盖", ["伤膝盖"]),  # verb + noun
        ("不想换电池", ["换电池"]),  # jieba's dictionary calls 换 a noun: noun + noun
        ("平均油耗太高", ["平均油耗"]),  # adjective + noun
        ("后排空间小", ["后排空间", "空间小"]),  # noun + noun, noun + adjective
        ("买了新跑鞋", ["新跑鞋"]),  # a one-character part next to a domain word
        ("夜里一键出恒温水", ["恒温水"]),  # 出 恒温 水: the noun compound wins over verb + noun
        ("iPhone屏幕太小", ["iphone屏幕", "屏幕太小"]),
        ("有没有推荐的面霜", []),  # asking words start no phrase
        ("粉底液卡粉", []),  # noun + verb is no candidate
        ("加我[微信号]有优惠", []),  # placeholders are no words
        ("123块钱", []),
    ],
)
def test_phrase_candidates(text, expected):
    assert phrase_candidates(text) == expected
    tokens = ChineseTokenizer()(text)
    assert [phrase_text(t) for t in tokens if PHRASE_SEP in t] == expected


@pytest.mark.parametrize(
    "token, shown", [("油皮 底妆", "油皮底妆"), ("iphone 屏幕", "iphone屏幕"), ("iphone pro", "iphone pro"), ("底妆", "底妆")]
)
def test_phrase_text(token, shown):
    assert phrase_text(token) == shown


def test_exact_knn_matches_brute_force():
    from needminer.discover._bertopic import exact_knn

    rng = np.random.default_rng(0)
    v = rng.normal(size=(300, 16)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    idx, dist = exact_knn(v, 5, block=64)
    sims = v @ v.T
    want = np.argsort(-sims, axis=1)[:, :5]
    assert (idx[:, 0] == np.arange(300)).all() and (dist[:, 0] == 0).all()
    np.testing.assert_array_equal(np.sort(idx[:, 1:], axis=1), np.sort(want[:, 1:], axis=1))
    np.testing.assert_allclose(dist[:, 1:], 1 - np.take_along_axis(sims, idx[:, 1:], axis=1), atol=1e-5)


def test_exact_knn_with_torch_topk_finds_the_same_neighbours(monkeypatch):
    """Large corpora pick each row's nearest with torch.topk (every core) instead of argpartition."""
    from needminer.discover import _bertopic

    rng = np.random.default_rng(2)
    v = rng.normal(size=(400, 16)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    numpy_idx, numpy_dist = _bertopic.exact_knn(v, 6, block=64)
    calls = []
    topk = _bertopic._torch_topk()
    assert topk is not None
    monkeypatch.setattr(_bertopic, "TORCH_TOPK_MIN", 100)
    monkeypatch.setattr(_bertopic, "_torch_topk", lambda: lambda sims, k: calls.append(k) or topk(sims, k))
    idx, dist = _bertopic.exact_knn(v, 6, block=64)
    assert calls  # the torch path ran
    np.testing.assert_array_equal(idx, numpy_idx)
    np.testing.assert_allclose(dist, numpy_dist, atol=1e-6)


def test_exact_knn_bounds_its_blocks_by_similarities_not_rows(monkeypatch):
    """At 90k fragments 2,048 rows a block held 3 GB: the block shrinks with the corpus (same result)."""
    from needminer.discover import _bertopic

    rng = np.random.default_rng(1)
    v = rng.normal(size=(300, 16)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    whole = _bertopic.exact_knn(v, 5)
    monkeypatch.setattr(_bertopic, "KNN_BLOCK_ELEMENTS", 300 * 7)  # 7 rows a block, the last one short
    for got, want in zip(_bertopic.exact_knn(v, 5), whole):
        np.testing.assert_array_equal(got, want)


def _blobs(offsets, n=30, d=16, spread=0.3, seed=0):
    rng = np.random.default_rng(seed)
    centers = np.eye(d)
    vecs, labels = [], []
    for k, off in enumerate(offsets):
        c = centers[off[0]] + off[1] * centers[(off[0] + 1) % d]  # off = (axis, tilt towards the next axis)
        vecs.append(c + spread * rng.normal(size=(n, d)) / np.sqrt(d))
        labels += [k] * n
    v = np.vstack(vecs).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True), np.array(labels)


@pytest.mark.parametrize(
    "offsets, ratio, n_after",
    [
        ([(0, 0.0), (0, 0.1)], 0.7, 1),  # two pieces of one blob: merged
        ([(0, 0.0), (2, 0.0)], 0.7, 2),  # two separate blobs: kept
        ([(0, 0.0), (0, 0.1), (4, 0.0)], 0.7, 2),  # pieces merged, the separate blob kept
        ([(0, 0.0), (0, 0.1)], 1.5, 2),  # above 1: never merges
    ],
)
def test_merge_unseparated(offsets, ratio, n_after):
    from needminer.discover._bertopic import merge_unseparated

    vecs, labels = _blobs(offsets)
    labels[:3] = -1  # outliers stay outliers
    merged = merge_unseparated(vecs, labels, ratio)
    assert (merged[:3] == -1).all()
    assert len(np.unique(merged[merged >= 0])) == n_after


@pytest.mark.slow  # three seeded UMAP runs and a Leiden vote
def test_consensus_of_runs_finds_planted_needs_and_is_reproducible():
    frags, vecs, gold = planted(200, seed=2)
    cfg = DiscoverConfig(runs=3, lexical_dims=0)
    disc = discover_needs(frags, vecs, cfg, seed=5)
    label = {fid: c.id for c in disc.clusters for fid in c.fragment_ids}
    m = cluster_metrics([str(g) for g in gold], [label.get(f.id, "") for f in frags])
    assert m["nmi"] > 0.9 and m["coverage"] == 1.0
    again = discover_needs(frags, vecs, cfg, seed=5)
    assert [c.fragment_ids for c in again.clusters] == [c.fragment_ids for c in disc.clusters]


def test_consensus_run_seeds_are_disjoint_between_outer_seeds():
    from needminer.discover._consensus import run_seeds

    assert not set(run_seeds(0, 3)) & set(run_seeds(1, 3))
    assert run_seeds(4, 3) == run_seeds(4, 3)


def test_umap_jit_code_is_cached_on_disk(monkeypatch):
    """umap-learn compiles most numba functions without a disk cache: every run paid ~10 s again."""
    pytest.importorskip("umap")
    import umap.umap_

    from needminer.discover import _jit

    monkeypatch.setattr(_jit, "_DONE", [])
    first = _jit.cache_umap_jit()
    assert type(umap.umap_.smooth_knn_dist._cache).__name__ == "FunctionCache"  # fuzzy_simplicial_set's kernel
    assert first >= 0 and _jit.cache_umap_jit() == 0  # once per process


def test_keyword_topics_do_not_depend_on_the_global_random_state():
    # ARPACK started from a random vector: the topics differed in the ninth decimal between two
    # processes, and at 20k fragments UMAP turned that into 44 instead of 47 needs
    from needminer.discover import lexical_features

    chars = list("电池屏幕信号发热充电快递包装客服价格系统相机音质续航外观手感性能散热卡顿耳机键盘指纹解锁拍照夜景")
    rng = np.random.default_rng(3)
    texts = ["".join(rng.choice(chars, size=12)) for _ in range(300)]
    np.random.seed(1)
    first = lexical_features(texts, 5)
    np.random.seed(2)
    second = lexical_features(texts, 5)
    assert first is not None and first.shape == (300, 5)
    assert np.array_equal(first, second)


def test_a_dozen_fragments_about_one_thing_make_one_need_not_outliers():
    """Just past the small-corpus bound, HDBSCAN can find no dense group in 13 fragments about one
    thing and call them all outliers; the small-corpus cut then keeps them as one group."""
    from needminer.discover._bertopic import BERTopicClusterer

    rng = np.random.default_rng(1)
    vecs = (rng.normal(size=64) + 0.2 * rng.normal(size=(13, 64))).astype(np.float32)
    clusterer = BERTopicClusterer(seed=0).fit([f"猫砂{i}" for i in range(13)], vecs)
    assert clusterer.n_clusters_ == 1 and (clusterer.labels_ == 0).all()
