"""Issue 14 redaction misses and the person-name recogniser: one table per kind."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from needminer.text import NAME, clean_messages, is_common_word, name_spans, redact
from needminer.types import Message

# (line, planted personal data, placeholder): the misses of issue 14 and their neighbours
NUMBERS = [
    ("退款打到6222 0212 3456 7890 123这张卡", "6222 0212 3456 7890 123", "[单号]"),  # fails Luhn
    ("账号 6217-0012-3456-7890-12 转账", "6217-0012-3456-7890-12", "[单号]"),
    ("我手机138.0013.8000有事打", "138.0013.8000", "[手机号]"),
    ("电话 138 001 38000 晚上打", "138 001 38000", "[手机号]"),
    ("138-0013-8000 是客服的", "138-0013-8000", "[手机号]"),
    ("身份证110101-1990-0307-4514办卡", "110101-1990-0307-4514", "[身份证]"),
    ("证件号 110101 1990 0307 4514", "110101 1990 0307 4514", "[身份证]"),
]
HANDLES = [
    ("加我V tony_wang88 拉你进群", "tony_wang88", "[微信号]"),
    ("加我vx：meimei_2024", "meimei_2024", "[微信号]"),
    ("加薇 lily520 领资料", "lily520", "[微信号]"),
    ("加我微 abc12345", "abc12345", "[微信号]"),
    ("薇：sunny_888 私聊", "sunny_888", "[微信号]"),
    ("邮箱zhangwei＠example.com发我", "zhangwei＠example.com", "[邮箱]"),
]
PLATES = [
    ("我的车京a12345停在门口", "京a12345", "[车牌]"),
    ("粤b·d12345被刮了", "粤b·d12345", "[车牌]"),
]
NAMES = [
    ("找赵敏要发票", "赵敏", NAME),
    ("让张伟去问一下售后", "张伟", NAME),
    ("我跟王小明说了这个事", "王小明", NAME),
    ("问一下刘老师吧", "刘老师", NAME),
    ("Bob Jones说发货了", "Bob Jones", NAME),
    ("已经转给 Mary Smith 处理", "Mary Smith", NAME),
]


@pytest.mark.parametrize("text,planted,placeholder", NUMBERS + HANDLES + PLATES + NAMES)
def test_issue14_misses_are_redacted(text: str, planted: str, placeholder: str) -> None:
    out = redact(text)
    assert placeholder in out
    assert planted not in out


# Ordinary words that look like names (a surname character + 1-2 characters, or jieba's ``nr``)
ORDINARY = [
    "高铁又晚点了", "校车几点到", "电池不耐用", "婴儿推车太重了", "宝宝发烧了", "明天下小雨", "马上就到",
    "黄金价格涨了", "这个周末去", "上周买的", "石家庄下雪了", "陈皮泡水喝", "杨梅好吃", "王者荣耀又更新了",
    "一张卡都没有", "祝您生活愉快", "唐山的朋友", "韩式半永久", "白平衡不准", "马自达的车", "金卡会员",
    "Apple Watch 很好用", "Face ID 不灵", "高兴死了", "方便面", "万一坏了呢", "于是我就买了",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_words_are_not_names(text: str) -> None:
    assert name_spans(text) == []
    assert redact(text) == text


@pytest.mark.parametrize(
    "text,expected",
    [
        ("找赵敏要发票", "找[姓名]要发票"),
        ("让张伟去问一下高铁的事", "让[姓名]去问一下高铁的事"),
        ("和王小明一起坐校车", "和[姓名]一起坐校车"),
        ("@张伟 你好", "@张伟 你好"),  # a mention is left to the mention handling
        ("[单号]到了", "[单号]到了"),
    ],
)
def test_words_next_to_a_name_are_kept(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_common_word_check() -> None:
    assert all(is_common_word(w) for w in ["推车", "宝宝", "小雨", "高铁"])
    assert not any(is_common_word(w) for w in ["张三", "李四", "赵敏", "Amy"])


T = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("nickname", ["推车", "宝宝", "小雨", "电池"])
def test_sender_nicknamed_like_a_word_does_not_change_text(nickname: str) -> None:
    texts = ["婴儿推车太重了", "宝宝发烧了怎么办", "明天下小雨，推车要带雨罩", "电池不耐用"]
    msgs = [Message(id="m0", chat="群", sender="u0", text="大家好", time=T, sender_name=nickname)]
    msgs += [Message(id=f"m{i + 1}", chat="群", sender="u1", text=t, time=T, sender_name="路人")
             for i, t in enumerate(texts)]
    out = clean_messages(msgs, secret=b"k")
    assert [c.text for c in out[1:]] == texts


def test_text_does_not_depend_on_the_secret() -> None:
    msgs = [
        Message(id="m1", chat="群", sender="wxid_a", text="@张伟 推车太重了，张伟你试试", time=T, sender_name="张伟"),
        Message(id="m2", chat="群", sender="wxid_b", text="找赵敏要发票", time=T, sender_name="推车"),
    ]
    one = clean_messages(msgs, secret=b"secret-one")
    two = clean_messages(msgs, secret=b"secret-two")
    assert [c.text for c in one] == [c.text for c in two] == ["@成员 推车太重了，[姓名]你试试", "找[姓名]要发票"]
    assert one[0].speaker != two[0].speaker


# The recogniser does not run jieba's tagger but a mirror of it (dictionary cut, then the HMM on
# numpy arrays only where a name could be): it must give the same answers. Windows from a pool
# of surnames, name characters, function words and rare characters, seeded.
_POOL = "王李张刘陈赵周丁钟向苏欧阳司马上官小明华伟敏丽一丁丂我你的了找跟说要电话顺丰求同加链这早高铁周末发票客服"
_RARE = "龘丂乂亍亓仉仵伋佤侪俦俣倮偃傩僖兕冁冱凵刂劂匚匮卩卮厝叵叻吒呔呙咝哏唛啁喹嗄嗌嗍嗤"


def _windows(n: int, seed: int = 0) -> list[str]:
    import random

    rng = random.Random(seed)
    return ["".join(rng.choice(_POOL if rng.random() < 0.85 else _RARE) for _ in range(rng.randint(2, 8)))
            for _ in range(n)]


def test_hmm_mirror_matches_jieba_viterbi() -> None:
    import jieba.posseg as pseg

    from needminer.text._names import _hmm

    for text in _windows(300) + ["找赵敏要发票", "丁一", "搓泥刘一我也是", "侯一顺丰单"]:
        expected = pseg.viterbi(text, pseg.char_state_tab_P, pseg.start_P, pseg.trans_P, pseg.emit_P)[1]
        assert _hmm().route(text) == expected, text


def test_recogniser_agrees_with_the_tagger() -> None:
    from needminer.text._names import _SURNAMES, _Recogniser, _tagged

    recogniser = _Recogniser()
    for window in _windows(600, seed=1):
        reference = dict(_tagged(window))
        for p, ch in enumerate(window):
            if ch in _SURNAMES:
                size = recogniser.name_in(window, p)
                assert (p + size if size else None) == reference.get(p), (window, p)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("贾大师说的对", "[姓名]大师说的对"),  # a surname before an honorific is a person
        ("曾老师你好", "[姓名]老师你好"),
        ("马老师明天调课", "[姓名]老师明天调课"),
        ("谢谢老师", "谢谢老师"),  # thanks, not a teacher named 谢
        ("对方医生说不行", "对方医生说不行"),  # 方 ends 对方 here
        ("各位老师好", "各位老师好"),
        ("高中同学聚会", "高中同学聚会"),
        ("康师傅的方便面", "康师傅的方便面"),  # a brand
        ("钱总是不够", "钱总是不够"),
    ],
)
def test_surname_before_an_honorific_is_redacted(text, expected):
    from needminer.text import redact

    assert redact(text) == expected
