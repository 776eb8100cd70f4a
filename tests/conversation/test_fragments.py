"""Fragment splitting: exact spans, sentence-level pieces, short-piece merging."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needminer.conversation import split_fragments


@pytest.mark.parametrize(
    "text,expected",
    [
        # short message: clauses belong together, one fragment
        ("最近加班多，早上化妆时间不够，希望底妆又快又服帖", ["最近加班多，早上化妆时间不够，希望底妆又快又服帖"]),
        # sentences split on 。！？ and keep their end punctuation
        ("粉底卡粉了。有没有不卡粉的推荐？", ["粉底卡粉了。", "有没有不卡粉的推荐？"]),
        ("这个好用！真的", ["这个好用！真的"]),  # "真的" (2 chars) merges into its neighbour
        ("好的😭\n卡粉了怎么办？？？", ["好的😭\n卡粉了怎么办？？？"]),
        ("  前后有空格的句子。  ", ["前后有空格的句子。"]),
        ("", []),
        ("   ", []),
        ("哈", ["哈"]),  # a lone short text is still one fragment
        ("价格3.5万.太贵了", ["价格3.5万.太贵了"]),  # "3.5" is not a sentence end
        ("第一行说明问题\n第二行说明期望", ["第一行说明问题", "第二行说明期望"]),
    ],
)
def test_split_fragments_table(text: str, expected: list[str]) -> None:
    spans = split_fragments(text)
    assert [text[a:b] for a, b in spans] == expected


def test_long_sentence_splits_on_commas_and_markers() -> None:
    text = "我用了好几款粉底液，遮瑕都还可以但是要打湿美妆蛋，早上赶时间的时候总是弄不均匀，而且到下午就开始脱妆"
    pieces = [text[a:b] for a, b in split_fragments(text)]
    assert len(pieces) >= 3
    assert "".join(pieces) == text
    assert any(p.startswith("但是") for p in pieces)


def test_min_chars_controls_merging() -> None:
    text = "太贵。很卡。不值。"
    assert len(split_fragments(text, min_chars=2)) == 3
    assert len(split_fragments(text, min_chars=4)) == 1


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("我想要好用的粉底，。！？ \n😭[捂脸]ab12.")), max_size=120))
def test_spans_are_exact_ordered_and_stripped(text: str) -> None:
    spans = split_fragments(text)
    prev_end = 0
    for a, b in spans:
        assert prev_end <= a < b <= len(text)
        piece = text[a:b]
        assert piece == piece.strip()
        prev_end = b
    assert bool(spans) == bool(text.strip())
