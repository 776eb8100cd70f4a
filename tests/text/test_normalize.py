"""Normalisation, repeat folding and emoticon tokens."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needminer.text import (
    EMOTICON_CATEGORIES,
    emoticon_categories,
    emoticon_category,
    emoticon_tokens,
    fold_repeats,
    normalize,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        # traditional → simplified, phrase-aware
        ("這個粉底液真的很難推開", "这个粉底液真的很难推开"),
        ("頭髮乾燥，後來用了護髮素", "头发干燥，后来用了护发素"),
        ("乾隆年間的錶", "乾隆年间的表"),
        ("早上趕時間總是弄不均勻[捂臉]", "早上赶时间总是弄不均匀[捂脸]"),
        # full-width ASCII → half-width; Chinese clause marks kept
        ("ＳＰＦ５０", "SPF50"),
        ("ｉＰｈｏｎｅ　１５，好用！？", "iPhone 15，好用！？"),
        ("（３个月）：真的～太好了…", "（3个月）：真的～太好了…"),
        ("价格￥１９９", "价格¥199"),
        ("＠小美 你好", "@小美 你好"),
        # invisible marks
        ("粉\u200b底\u200c液\u200e\u200f", "粉底液"),
        ("\ufeff好\u2060用\u2066的\u2069", "好用的"),
        ("卡\u00ad粉", "卡粉"),
        ("x\u200dy", "xy"),
        ("👩\u200d💻", "👩\u200d💻"),  # ZWJ inside an emoji sequence is kept
        # URLs → [链接]
        ("看这个https://item.taobao.com/item.htm?id=123看看", "看这个[链接]看看"),
        ("戳 http://t.cn/A6abc123 试试", "戳 [链接] 试试"),
        ("www.example.com/page 上有", "[链接] 上有"),
        ("m.tb.cn/h.5xYzAb 买的", "[链接] 买的"),
        ("￥AbC12xyZ9q￥复制打开淘宝", "[链接]复制打开淘宝"),
        ("邮箱abc@qq.com别动", "邮箱abc@qq.com别动"),  # e-mail left for redact()
        ("版本1.2.3和3.5元", "版本1.2.3和3.5元"),
        # emoticon codes and emoji kept as meaning tokens
        ("[微笑][破涕为笑]", "[微笑][破涕为笑]"),
        ("/::D太好用了/::<", "[呲牙]太好用了[流泪]"),
        ("QQ表情[/捂脸]和/捂脸", "QQ表情[捂脸]和[捂脸]"),
        ("太难了😭😭", "太难了😭😭"),
        # whitespace
        ("  好   用  ", "好 用"),
        ("第一行\r\n\r\n  第二行", "第一行\n第二行"),
        ("@张三\u2005你好", "@张三 你好"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_normalize_without_t2s_keeps_traditional() -> None:
    assert normalize("這個ＳＰＦ５０", t2s=False) == "這個SPF50"


def test_normalize_is_idempotent_on_examples() -> None:
    for text in ["這個粉底液真的很難推開[捂臉]", "/::D ＳＰＦ５０ https://t.cn/x1", "@小美\u2005好的"]:
        once = normalize(text)
        assert normalize(once) == once


@pytest.mark.parametrize(
    "text,expected",
    [
        ("好好好好好", "好好"),
        ("！！！！", "！！"),
        ("哈哈哈哈哈哈", "哈哈"),
        ("啊啊啊好难用", "啊啊好难用"),
        ("冲鸭冲鸭冲鸭", "冲鸭冲鸭"),
        ("。。。。。。", "。。"),
        ("好好", "好好"),
        ("10000元", "10000元"),  # digits never fold
        ("666666", "666666"),
        ("", ""),
    ],
)
def test_fold_repeats(text: str, expected: str) -> None:
    assert fold_repeats(text) == expected


@pytest.mark.parametrize(
    "text,tokens,categories",
    [
        ("太难了[捂脸]", ["[捂脸]"], ["awkward"]),
        ("[破涕为笑]笑死😂", ["[破涕为笑]", "😂"], ["laugh", "laugh"]),
        ("又卡粉了😭😡", ["😭", "😡"], ["cry", "angry"]),
        (normalize("/::<气死/::@"), ["[流泪]", "[发怒]"], ["cry", "angry"]),
        ("👍🏻好用", ["👍🏻"], ["approve"]),
        ("[链接][手机号]不是表情", [], []),
        ("没有表情", [], []),
    ],
)
def test_emoticon_tokens(text: str, tokens: list[str], categories: list[str]) -> None:
    found = emoticon_tokens(text)
    assert found == tokens
    assert [t.category for t in found] == categories  # type: ignore[attr-defined]
    assert emoticon_categories(text) == categories


def test_emoticon_category_single_tokens() -> None:
    assert emoticon_category("[微笑]") == "smile"
    assert emoticon_category("/::D") == "laugh"
    assert emoticon_category("🦄") == "other"
    assert emoticon_category("[不存在]") == "other"
    assert set(emoticon_categories("[捂脸][强][疑问]😴🤮🎉")) <= set(EMOTICON_CATEGORIES)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalize_never_raises_and_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert fold_repeats(once) == fold_repeats(fold_repeats(once))
    emoticon_tokens(once)
