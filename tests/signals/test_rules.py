"""Rule layer, table-driven per family: pain, wish, question, praise, noise/ad, intensity."""

from __future__ import annotations

import pytest

from needminer.signals import get_detector, score_text
from needminer.types import SignalLabel

PAIN = [
    "粉底太干了，总是卡粉",
    "这个粉底液不好用",
    "下午就脱妆了",
    "手机老是闪退",
    "外卖又送错了",
    "套餐乱扣费，投诉了都没人管",
    "宝宝晚上总是哭闹睡不好",
    "这车油耗太高了",
    "早上赶时间总弄不均匀",
    "踩雷了，好失望",
    "买了就后悔",
    "APP登录不了，一直报错",
]
WISH = [
    "希望底妆又快又服帖",
    "想要一款不卡粉的粉底",
    "要是能再便宜点就好了",
    "能不能出个夜间模式",
    "求推荐一款平价防晒",
    "建议增加批量导出功能",
    "如果能自动同步就好了",
    "期待出个大容量的",
]
QUESTION = [
    "这款粉底怎么用？",
    "哪款奶粉不容易上火",
    "这个套餐多少钱一个月？",
    "有人用过这个健身APP吗",
    "请问发货要几天",
    "为什么充电这么慢？",
]
PRAISE = [
    "这个粉底真的好用，爱了",
    "新版本流畅多了，好评",
    "这个推车绝了，真香",
    "效果很好，已经回购了",
]
NOISE = [
    "本店地址：[地址]，到店报群名打八折，电话[手机号]",  # a shop ad with redacted contacts
    "早上好",
    "晚安各位",
    "恭喜发财，大吉大利",
    "[捂脸][捂脸]",
    "😂😂😂",
    "哈哈哈哈",
    "谢谢",
    "好的",
    "嗯嗯",
    "[图片]",
    "需要的加微信[微信号]，限时优惠",
    "代购日韩化妆品，扫码进群领券",
    "私聊我[手机号]，厂家直销包邮",
]


@pytest.mark.parametrize(
    "text,label",
    [(t, SignalLabel.pain) for t in PAIN]
    + [(t, SignalLabel.wish) for t in WISH]
    + [(t, SignalLabel.question) for t in QUESTION]
    + [(t, SignalLabel.praise) for t in PRAISE]
    + [(t, SignalLabel.noise) for t in NOISE],
)
def test_rule_labels(text: str, label: SignalLabel) -> None:
    r = score_text(text)
    assert r.label is label, (text, r.label, r.cues)
    assert r.need == (label in {SignalLabel.pain, SignalLabel.wish, SignalLabel.question})


@pytest.mark.parametrize("text", ["吃了吗？", "你在哪呢？", "今天几号？"])
def test_small_talk_question_is_not_a_need(text: str) -> None:
    r = score_text(text)
    assert r.label in {SignalLabel.question, SignalLabel.noise}
    assert not r.need


@pytest.mark.parametrize("text", ["希望有不卡粉的", "想要个轻薄的", "求推荐", "能不能便宜点", "建议出个小样"])
def test_explicit_requests(text: str) -> None:
    assert score_text(text).explicit


@pytest.mark.parametrize("text", ["粉底总是卡粉", "这个有点贵", "这款怎么用？"])
def test_implicit_needs_are_not_explicit(text: str) -> None:
    assert not score_text(text).explicit


def test_negated_praise_is_not_praise() -> None:
    assert score_text("不太好用").label is SignalLabel.pain
    assert score_text("一点都不好用").label is SignalLabel.pain


def test_ad_in_complaint_is_not_noise() -> None:
    r = score_text("客服让我加微信[微信号]处理退款，结果一直拖着不退")
    assert r.label is SignalLabel.pain


@pytest.mark.parametrize(
    "weaker,stronger",
    [
        ("粉底卡粉", "粉底太卡粉了"),
        ("粉底太卡粉了", "粉底太卡粉了！！！"),
        ("手机闪退", "手机老是闪退，气死了😭"),
        ("有点慢", "根本完全没法用，崩溃[捂脸]"),
    ],
)
def test_intensity_ordering(weaker: str, stronger: str) -> None:
    assert score_text(weaker).intensity < score_text(stronger).intensity
    assert 0.0 <= score_text(stronger).intensity <= 1.0


def test_detect_texts_on_chinese_examples() -> None:
    texts = ["最近加班多，早上化妆时间不够，希望底妆又快又服帖", "早上好", "这款粉底怎么用？", "好用，爱了"]
    for det in (get_detector("rules"), get_detector("default")):
        sigs = det.detect_texts(texts)
        assert [s.fragment_id for s in sigs] == ["0", "1", "2", "3"]
        assert [s.need for s in sigs] == [True, False, True, False]
        assert sigs[1].label is SignalLabel.noise
        assert all(0.0 <= s.confidence <= 1.0 for s in sigs)
