"""NeedMiner: the scikit-learn estimator contract, typed results, save/load, the BERTopic export."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

import needminer
from needminer import NeedMiner
from needminer.errors import ConfigError, NotFittedError

TEXTS = [
    "底妆卡粉不服帖", "粉底液总是卡粉", "早上底妆来不及", "底妆不服帖好烦",
    "宝宝夜奶冲奶粉", "半夜冲奶粉太吵", "夜奶要恒温水壶", "冲奶粉吵醒全家",
    "跑步膝盖疼", "跑完步膝盖酸",
]


def test_init_only_stores_params_and_clone_works():
    est = NeedMiner(embedder="hashing", granularity="fine", seed=3, threshold=0.2)
    assert est.get_params() == {"detector": "default", "embedder": "hashing", "granularity": "fine",
                                "overrides": None, "seed": 3, "threshold": 0.2, "workspace": None}
    twin = clone(est)
    assert twin is not est and twin.get_params() == est.get_params()
    assert not [k for k in vars(est) if k.endswith("_")]
    assert "NeedMiner(" in repr(est)


def test_not_fitted_error_before_fit():
    est = NeedMiner(embedder="hashing")
    for call in (lambda: est.transform(TEXTS), lambda: est.save("x"), est.to_bertopic):
        with pytest.raises(NotFittedError, match="This NeedMiner instance is not fitted yet"):
            call()


def test_fit_sets_trailing_underscore_attributes_and_transform_is_typed(tmp_path):
    est = NeedMiner(embedder="hashing", threshold=-1.0)
    assert est.fit(TEXTS) is est
    assert est.n_needs_ == len(est.needs_) >= 2 and est.model_.embedder == "hashing"
    assert est.labels_.shape == (len(TEXTS),) and est.labels_.dtype.kind == "i"
    assert len(est.need_ids_) == len(TEXTS) and all(est.need_ids_)
    assert est.get_params()["threshold"] == -1.0  # fit never touches a parameter
    out = est.transform(TEXTS[:4] + ["完全无关的话"])
    assert len(out) == 5 and out.confidence.dtype == np.float32 and out.labels.shape == (5,)
    assert all(t for t in out.titles)  # threshold -1: everything is assigned
    est.save(tmp_path / "m")
    loaded = NeedMiner.load(tmp_path / "m")
    again = loaded.transform(TEXTS[:4] + ["完全无关的话"])
    assert again.need_ids == out.need_ids and again.confidence.tobytes() == out.confidence.tobytes()
    assert [n.id for n in loaded.needs_] == [n.id for n in est.needs_]


def test_fit_transform_and_messages():
    est = NeedMiner(embedder="hashing", detector="rules")
    msgs = [{"sender": f"u{i % 4}", "text": t + "，太难了，求推荐", "time": f"2026-10-01T08:{i:02d}:00+08:00"}
            for i, t in enumerate(TEXTS)]
    out = est.fit_transform(msgs)
    assert len(out) == len(msgs) and est.labels_.shape == (len(msgs),)
    # the texts it was fitted on keep the needs the fit gave them
    assert out.need_ids == est.need_ids_ and np.array_equal(out.labels, est.labels_)
    with pytest.raises(ConfigError, match="'text' string and a 'sender'"):
        NeedMiner(embedder="hashing").fit([{"text": "x"}])
    with pytest.raises(ConfigError, match="list of texts"):
        NeedMiner(embedder="hashing").fit([1, 2])


def test_version_and_lazy_exports():
    assert isinstance(needminer.__version__, str) and needminer.__version__
    assert needminer.NeedModel.__name__ == "NeedModel"


@pytest.mark.slow
def test_bertopic_export_visualises_our_needs():
    pytest.importorskip("bertopic")
    texts = TEXTS * 3
    est = NeedMiner(embedder="hashing", threshold=-1.0).fit(texts)
    topic_model = est.bertopic_model_
    assert topic_model is est.bertopic_model_  # built once
    info = topic_model.get_topic_info()
    assert set(info["Topic"]) - {-1} == set(range(est.n_needs_)) - {-1} or len(info) >= 2
    assert list(info["CustomName"])[-1] in {n.title for n in est.needs_} | {"-1_"}
    topic_model.visualize_barchart(custom_labels=True)
    if est.n_needs_ >= 3:
        topic_model.visualize_topics(custom_labels=True)


def test_load_gives_the_needs_as_the_fit_showed_them_after_merge_and_rename(tmp_path):
    ids = [n.id for n in NeedMiner(embedder="hashing", threshold=-1.0).fit(TEXTS).needs_ if not n.scattered]
    assert len(ids) >= 2
    toml = tmp_path / "o.toml"
    toml.write_text(f'[[merge]]\nneeds = ["{ids[0]}", "{ids[1]}"]\n[rename]\n{ids[0]} = "合并后的需求"\n', encoding="utf-8")
    est = NeedMiner(embedder="hashing", threshold=-1.0, overrides=str(toml)).fit(TEXTS)
    assert ids[1] not in [n.id for n in est.needs_] and "合并后的需求" in [n.title for n in est.needs_]
    est.save(tmp_path / "m")
    loaded = NeedMiner.load(tmp_path / "m")
    assert [(n.id, n.title, n.size) for n in loaded.needs_] == [(n.id, n.title, n.size) for n in est.needs_]
