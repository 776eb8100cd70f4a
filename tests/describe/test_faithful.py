"""Faithful wording: title words come from the evidence quotes; placeholders and pseudonyms never do."""

from __future__ import annotations

import numpy as np
import pytest

from needminer.describe import ExtractiveDescriber, banned, ctfidf_keywords, faithfulness
from needminer.describe import cover_parts
from needminer.types import Fragment, NeedCluster


def frag(i: int, text: str, speaker: str | None = None) -> Fragment:
    return Fragment(id=f"f{i}", message_id=f"m{i}", chat="c", speaker=speaker or f"s{i}", text=text, span=(0, len(text)))


@pytest.mark.parametrize(
    "title, quotes, expected",
    [
        ("赶时间伪素颜底妆", ["早上赶时间", "想要'伪素颜'效果的底妆"], 1.0),
        ("熬夜党伪素颜底妆", ["最近加班多，底妆不服帖", "想要伪素颜"], 5 / 8),  # 熬夜党 nobody said
        ("闪光灯拍照相机", ["拍照效果一般", "闪光灯太亮", "N4的相机"], 1.0),  # however a segmenter cuts it
        ("快递底妆", ["底妆要快", "递给我"], 0.5),  # 快 and 递 said apart are not 快递
        ("失眠睡觉睡不着", ["失眠睡不着怎么办", "晚上睡觉总是醒"], 1.0),  # 失眠睡 first would strand 觉
        ("零散需求·校车", ["校车几点发车"], 1.0),  # the system label is no claim
        ("", ["随便"], 1.0),
    ],
)
def test_faithfulness_is_the_share_of_title_words_in_the_quotes(title, quotes, expected):
    assert faithfulness(title, quotes) == pytest.approx(expected)


@pytest.mark.parametrize(
    "word, bad",
    [("[手机号]", True), ("成员", True), ("成员-3fa2c1", True), ("9c1a12", True), ("@张伟", True), ("差点", True),
     ("出来", True), ("2024", True), ("今年", True), ("学长学姐", True), ("干嘛", True), ("附近", True), ("一位", True), ("wwwww", True), ("hhhh", True),
     ("哈哈哈哈", True), ("23333", True), ("666", True), ("啊啊啊", True), ("实在", True), ("rua", False), ("www", True), ("一款", True),
     ("几天", True), ("一大", True), ("两次", True), ("一体机", False), ("十字路口", False), ("多少钱", False), ("校车", False), ("底妆", False), ("wifi", False), ("伪素颜", False)],
)
def test_banned_words(word, bad):
    assert banned(word) is bad


def test_placeholders_and_pseudonym_hashes_are_never_keywords():
    texts = ["算力 9c1a12 去掉 太贵", "算力 9c1a12 太慢", "[手机号] 算力 太贵", "成员 算力 不够", "校车 几点", "校车 晚点"]
    kw = ctfidf_keywords(texts, np.array([0, 0, 0, 0, 1, 1]))
    words = {w for ws in kw.values() for w in ws}
    assert "算力" in words and "校车" in words
    assert not any(banned(w.replace(" ", "")) for w in words)


def test_cover_parts_brings_a_saying_fragment_into_the_quotes():
    members = [frag(0, "底妆不服帖"), frag(1, "早上赶时间"), frag(2, "想要伪素颜"), frag(3, "底妆卡粉")]
    parts, quotes = cover_parts(["赶时间", "伪素颜", "底妆", "熬夜党"], ["f0", "f3"], members, k=3)
    assert parts == ["赶时间", "伪素颜", "底妆"]  # nobody says 熬夜党: dropped
    texts = [members[int(q[1:])].text for q in quotes]
    assert len(quotes) == 3 and all(any(p in t for t in texts) for p in parts)


def test_titles_on_chat_like_needs_are_faithful_and_clean():
    lines = [
        ("@成员-3fa2c1 校车还有吗", "c"), ("校车太挤了[捂脸]", "d"), ("校车最晚几点有啊", "a"), ("今天校车几点发车", "b"),
        ("有没有人知道校车时刻表", "e"), ("[手机号] 校车群加一下", "f"),
    ]
    frags = [frag(i, t, s) for i, (t, s) in enumerate(lines)]
    cluster = NeedCluster(id="N1", fragment_ids=tuple(f.id for f in frags), keywords=("校车", "成员", "几点", "9c1a12"))
    from needminer.types import Signal, SignalLabel

    sigs = {"f0": Signal("f0", SignalLabel.pain, True, 0.5), "f1": Signal("f1", SignalLabel.pain, True, 0.5)}
    st = ExtractiveDescriber().fit(frags).describe(cluster, {f.id: f for f in frags}, sigs)
    quotes = [frags[int(q[1:])].text for q in st.quote_fragment_ids]
    assert "校车" in st.title and faithfulness(st.title, quotes) == 1.0
    assert "成员" not in st.title and "9c1a12" not in st.keywords and "成员" not in st.keywords
    assert "成员" not in st.statement and "[" not in st.statement and "@" not in st.statement


@pytest.mark.parametrize(
    "text, ok",
    [("公仔", False), ("证实啊", False), ("的手游大作.", False), ("别往卡里存钱就好了", True), ("登不上去啊", True),
     ("@成员-3fa2c1", False)],
)
def test_thin_slot_quotes_are_left_out(text, ok):
    from needminer.describe._statement import _plain, _substantial

    assert _substantial(_plain(text)) is ok


def test_title_keywords_are_said_together_with_the_head_word():
    from needminer.describe import _cooccurring

    texts = ["rvpn登录密码错误", "rvpn密码忘了", "rvpn登不上", "小米手机不错", "期待同学们", "rvpn账号密码"]
    assert _cooccurring(["rvpn", "密码", "小米", "同学们"], "rvpn", texts) == ["rvpn", "密码"]
    assert _cooccurring(["[手机号]", "小米"], "", texts) == ["小米"]


def test_personas_are_mined_from_how_members_describe_themselves():
    lines = ["我是程序员，每天加班到很晚", "作为程序员，颈椎真的受不了", "程序员都颈椎疼吧", "颈椎枕头有推荐吗",
             "我是说这个枕头不行", "身为一个学生党买不起"]
    frags = [frag(i, t) for i, t in enumerate(lines)]
    d = ExtractiveDescriber().fit(frags)
    assert "程序员" in d.personas_ and "学生党" in d.personas_
    assert not any(p.startswith("说") for p in d.personas_)  # 我是说 … describes nobody
    cluster = NeedCluster(id="N1", fragment_ids=tuple(f.id for f in frags[:4]), keywords=("颈椎", "枕头"))
    st = d.describe(cluster, {f.id: f for f in frags}, {})
    assert st.slots["persona"].text == "程序员" and "程序员" in st.title


def test_a_tie_in_lift_goes_to_the_word_said_in_more_fragments() -> None:
    """Two qualities said by as many members and nowhere else in the corpus have the same lift up
    to the last bit of a float; the one said in more fragments comes first, whatever the bits say."""
    from needminer.describe._faithful import said_words, word_shares

    texts = [f"早上{'赶时间' if i < 7 else '自然'}的粉底" for i in range(13)] + [f"别的话题{i}" for i in range(443)]
    speakers = [f"s{i % 6}" for i in range(7)] + [f"t{i}" for i in range(6)] + [f"u{i % 40}" for i in range(443)]
    corpus = [frag(i, t, s) for i, (t, s) in enumerate(zip(texts, speakers))]
    need = corpus[:13] + corpus[13:135]
    found = said_words(["自然", "赶时间"], need, word_shares(["自然", "赶时间"], corpus))
    assert [w for w, _ in found] == ["赶时间", "自然"]
