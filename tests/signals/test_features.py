"""Cue features (regex and spaCy backends, table-driven), feature-list compatibility, v2 round trips."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from needminer.signals import load_detector, train_detector
from needminer.signals._features import CUE_FEATURES, CUE_FEATURES_V1, NgramFeaturizer, _regex_token_cues, cue_dict
from needminer.signals._rules import score_text

TOKEN_CASES = [
    ("tok_degree_neg", ["油耗有点高", "底盘偏硬", "后排稍微挤", "价格太贵了"], ["油耗是七个", "今天天气不错"]),
    ("tok_neg_pos", ["这个不好用", "不太满意", "没那么方便"], ["很好用", "挺满意的"]),
    ("tok_neg_pain", ["完全不卡粉", "没有异响"], ["总是卡粉"]),
    ("tok_contrast", ["还行吧，就是后排挤", "外观好看，可惜空间小"], ["外观好看，空间也大"]),
    ("tok_hedge", ["一般般吧", "还凑合", "中规中矩"], ["非常惊艳"]),
    ("tok_worse", ["还不如上一代", "续航虚标"], ["比上一代强"]),
    ("tok_still_not", ["还是不行", "一直没人管"], ["已经好了"]),
    ("tok_waited", ["已经三天了", "都一个星期了"], ["三天后见"]),
    ("tok_expect_gap", ["说好今天到，结果没来"], ["今天到了"]),
]


@pytest.mark.parametrize("name,pos,neg", TOKEN_CASES)
def test_regex_token_cues(name: str, pos: list[str], neg: list[str]) -> None:
    for t in pos:
        assert _regex_token_cues(t)[name] == 1.0, t
    for t in neg:
        assert _regex_token_cues(t)[name] == 0.0, t


@pytest.mark.parametrize("name,pos,neg", TOKEN_CASES)
def test_spacy_token_cues_agree_on_clear_cases(name: str, pos: list[str], neg: list[str]) -> None:
    pytest.importorskip("spacy")
    from needminer.signals._spacy_cues import spacy_analyse

    words, cues = spacy_analyse(pos + neg)
    assert all(words)
    assert [c[name] for c in cues[: len(pos)]] == [1.0] * len(pos)
    assert [c[name] for c in cues[len(pos):]] == [0.0] * len(neg)


def test_spacy_keeps_words_whole() -> None:
    """The reason for token patterns: "不好意思" is not 不 + 好, a char regex cannot tell."""
    pytest.importorskip("spacy")
    from needminer.signals._spacy_cues import spacy_analyse

    assert _regex_token_cues("不好意思打扰了")["tok_neg_pos"] == 1.0
    assert spacy_analyse(["不好意思打扰了"])[1][0]["tok_neg_pos"] == 0.0


def test_cue_dict_has_every_feature_and_v1_prefix() -> None:
    d = cue_dict("有点贵，你们能不能便宜点？", score_text("有点贵，你们能不能便宜点？"))
    assert set(CUE_FEATURES) <= set(d)
    assert CUE_FEATURES[: len(CUE_FEATURES_V1)] == CUE_FEATURES_V1
    assert d["second_person"] == 1.0 and d["qmark"] == 1.0 and d["tok_degree_neg"] == 1.0


@pytest.mark.parametrize("words", [None, (1, 2)])
def test_featurizer_shapes(words) -> None:
    f = NgramFeaturizer(n_features=2**12, ngram_range=(1, 4), word_ngram_range=words)
    texts = ["油耗有点高", "", "希望出个混动版"]
    x = f.transform(texts, np.ones(2**12, dtype=np.float32))
    assert x.shape == (3, 2**12 + len(CUE_FEATURES))


TEXTS = ["粉底太干了总是卡粉", "手机老是闪退", "外卖又送错了", "隔音一般", "后排有点挤", "油耗有点高",
         "早上好", "恭喜发财", "哈哈哈哈", "谢谢大家", "我开的是手动挡", "今天天气不错"]
NEED = [1] * 6 + [0] * 6


@pytest.mark.parametrize(
    "kwargs",
    [
        {"word_ngram_range": (1, 2)},
        {"cue_backend": "spacy"},
        {"embedder": "hashing"},
        {"c": 2.0, "ngram_range": (1, 3)},
    ],
)
def test_v2_round_trip(tmp_path: Path, kwargs: dict) -> None:
    if kwargs.get("cue_backend") == "spacy":
        pytest.importorskip("spacy")
    report = train_detector(TEXTS, NEED, out_dir=tmp_path / "m", **kwargs)
    meta = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    assert meta["format"] == "needminer.signals.ngram-lr.v2"
    assert report.c in (meta["trained"]["C_grid"])
    det = load_detector(tmp_path / "m")
    probe = ["粉底卡粉好烦", "隔音有点差", "晚安", "我在上班"]
    before = det.model.predict_proba(probe)
    again = load_detector(tmp_path / "m").model.predict_proba(probe)
    np.testing.assert_allclose(before, again, rtol=1e-5)
    assert det.model.featurizer.cue_backend == kwargs.get("cue_backend", "regex")
    assert (det.model.embedder is not None) == ("embedder" in kwargs)


def test_v1_folder_still_loads(tmp_path: Path) -> None:
    """A round-1 folder (char 1–3, 14 cue columns, format v1) keeps working."""
    from needminer.signals._model import train_model

    model, _ = train_model(TEXTS, NEED, c=1.0, ngram_range=(1, 3))
    model.featurizer.cue_features = CUE_FEATURES_V1
    model.featurizer._uses_tokens = False
    model.coef = model.coef[: model.featurizer.n_features + len(CUE_FEATURES_V1)]
    model.save(tmp_path / "v1")
    meta_path = tmp_path / "v1" / "model.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["format"] = "needminer.signals.charngram-lr.v1"
    for k in ("word_ngram_range", "cue_backend", "embedder", "embed_weight"):
        meta.pop(k)
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    det = load_detector(tmp_path / "v1")
    assert det.model.featurizer.cue_features == CUE_FEATURES_V1
    assert len(det.detect_texts(["手机老是闪退", "早上好"])) == 2
