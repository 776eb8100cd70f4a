"""Endorsement phrases and duplicate keys."""

from __future__ import annotations

import pytest

from needminer.conversation import duplicate_key, is_endorsement


@pytest.mark.parametrize(
    "text",
    ["+1", "+10086", "1", "111", "同求", "同求！", "我也是", "我也是[捂脸]", "一样", "蹲", "蹲蹲蹲", "求链接",
     "同问", "同问+1", "我也想要😭", "顶", "顶顶顶", "赞同", "确实", "真的", "确实确实", " +1 ", "mark"],
)
def test_endorsement_phrases(text: str) -> None:
    assert is_endorsement(text)


@pytest.mark.parametrize(
    "text",
    ["好的", "真的吗", "我也是这么想的，但是太贵了", "求推荐一款粉底", "2", "哈哈哈", "确实不好用", "", "[捂脸]"],
)
def test_not_endorsements(text: str) -> None:
    assert not is_endorsement(text)


def test_duplicate_key_normalises_and_ignores_short_texts() -> None:
    assert duplicate_key("希望底妆又快又服帖！") == duplicate_key("希望底妆 又快又服帖[捂脸]")
    assert duplicate_key("好的谢谢") is None
