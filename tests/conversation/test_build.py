"""build_conversation: threads, fragments, endorsements and duplicates on a crafted chat."""

from __future__ import annotations

from datetime import timedelta

import pytest

from needminer.config import ConversationConfig
from needminer.conversation import build_conversation, thread_id
from needminer.errors import ConfigError
from needminer.types import CleanMessage, Conversation

from .conftest import T0, msg


def _thread_of(conv: Conversation) -> dict[str, str]:
    return {mid: t.id for t in conv.threads for mid in t.message_ids}


def test_threads_split_on_gap_and_join_on_reply(beauty_chat: list[CleanMessage]) -> None:
    conv = build_conversation(beauty_chat)
    th = _thread_of(conv)
    assert th["m1"] == th["m2"] == th["m5"] == th["m6"]
    assert th["m7"] != th["m1"]  # 115-minute gap
    assert th["m11"] == th["m4"]  # reply across sessions joins the threads
    assert th["m7"] == th["m8"] == th["m10"]
    assert {t.id for t in conv.threads} == set(th.values())
    assert th["m1"] == thread_id("m1")  # stable: hash of the first message id


def test_thread_ids_stable_under_input_order(beauty_chat: list[CleanMessage]) -> None:
    a = build_conversation(beauty_chat)
    b = build_conversation(list(reversed(beauty_chat)))
    assert sorted(t.id for t in a.threads) == sorted(t.id for t in b.threads)
    assert [f.id for f in a.fragments] == [f.id for f in b.fragments]


def test_gap_config_controls_sessions(beauty_chat: list[CleanMessage]) -> None:
    conv = build_conversation(beauty_chat, ConversationConfig(session_gap_minutes=600))
    assert len(conv.threads) == 1


def test_fragments_have_exact_spans_and_context(beauty_chat: list[CleanMessage]) -> None:
    conv = build_conversation(beauty_chat)
    texts = {m.id: m.text for m in beauty_chat}
    for f in conv.fragments:
        start, end = f.span
        assert texts[f.message_id][start:end] == f.text
        assert f.id.startswith(f.message_id + "#")
        assert len(f.context) <= 60
    by_id = {f.id: f for f in conv.fragments}
    assert by_id["m4#0"].text == "我用了XX，遮瑕好但要打湿美妆蛋。"
    assert by_id["m4#1"].text == "赶时间时总弄不均匀"
    assert by_id["m4#0"].context == texts["m2"]  # previous non-endorsement text in the thread
    assert by_id["m11#0"].context == texts["m4"]  # a reply's context is the replied message


def test_no_fragments_from_endorsements_media_and_duplicates(beauty_chat: list[CleanMessage]) -> None:
    conv = build_conversation(beauty_chat)
    with_frags = {f.message_id for f in conv.fragments}
    assert with_frags == {"m1", "m2", "m4", "m7", "m10", "m11"}


def test_endorsements_attach_to_the_right_fragment(beauty_chat: list[CleanMessage]) -> None:
    conv = build_conversation(beauty_chat)
    got = {e.message_id: (e.fragment_id, e.speaker) for e in conv.endorsements}
    assert got["m3"] == ("m2#0", "B")  # most recent other speaker in thread
    assert got["m5"] == ("m2#0", "D")  # reply target
    assert got["m8"] == ("m7#0", "F")  # quote matched to m7
    # a copy-paste of the same line by another speaker is one meme, not an endorsement: it counts once
    assert "m9" not in got and conv.duplicates["m9"] == "m2"
    assert got["m12"] == ("m11#0", "B")
    assert "m13" not in got  # H endorsing H
    assert "m14" not in got  # D already endorsed m2#0
    speakers_m2 = {e.speaker for e in conv.endorsements if e.fragment_id == "m2#0"}
    assert speakers_m2 == {"B", "D"}


def test_endorsement_picks_most_need_like_fragment() -> None:
    msgs = [
        msg(1, "A", "今天天气真不错。粉底总是卡粉，希望有不卡粉的推荐。", 0),
        msg(2, "B", "同求", 1, reply_to="m1"),
    ]
    conv = build_conversation(msgs)
    assert [f.text for f in conv.fragments] == ["今天天气真不错。", "粉底总是卡粉，希望有不卡粉的推荐。"]
    assert conv.endorsements[0].fragment_id == "m1#1"


def test_endorsement_outside_gap_is_dropped() -> None:
    msgs = [msg(1, "A", "求推荐一款平价防晒", 0), msg(2, "B", "+1", 90)]
    conv = build_conversation(msgs)
    assert conv.endorsements == ()


def test_duplicates_collapse_across_chats() -> None:
    text = "有没有人知道这款粉底液哪里买最便宜"
    msgs = [
        msg(1, "A", text, 0, chat="群1"),
        msg(2, "A", text, 5, chat="群2"),  # same speaker forwarding: collapsed, no vote
        msg(3, "B", text + "？", 6, chat="群3"),  # punctuation differs: still a copy
    ]
    conv = build_conversation(msgs)
    assert conv.duplicates == {"m2": "m1", "m3": "m1"}
    assert conv.endorsements == ()  # a repeated identical line counts once, whoever pastes it
    assert [f.message_id for f in conv.fragments] == ["m1"]


def test_messages_without_time_keep_input_order() -> None:
    msgs = [CleanMessage(id=f"x{i}", chat="c", speaker=s, text=t)
            for i, (s, t) in enumerate([("A", "这个充电宝充不进电怎么办"), ("B", "同问")])]
    conv = build_conversation(msgs)
    assert len(conv.threads) == 1
    assert conv.endorsements[0].fragment_id == "x0#0"


def test_mention_links_only_within_window() -> None:
    msgs = [msg(1, "A", "我的手机总是发烫", 0), msg(2, "B", "@A 我也遇到过这个问题", 60 * 30, mentions=("A",))]
    conv = build_conversation(msgs)
    assert len(conv.threads) == 2  # 30 hours later: @ is outside the 24 h window


@pytest.mark.parametrize("cfg,match", [
    (ConversationConfig(session_gap_minutes=0), "session_gap_minutes"),
    (ConversationConfig(min_fragment_chars=0), "min_fragment_chars"),
])
def test_bad_config_fails_fast(cfg: ConversationConfig, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        build_conversation([msg(1, "A", "你好", 0)], cfg)


def test_empty_input() -> None:
    conv = build_conversation([])
    assert conv.threads == () and conv.fragments == ()
    assert T0 + timedelta(0) == T0


def test_untimed_conversations_linked_by_reply_ids_stay_apart() -> None:
    """A time-less export that links its turns (MemoTrace's JSON) gets one thread per conversation."""
    turns = [("a0", None, "U", "这款粉底液怎么不卡粉"), ("a1", "a0", "我", "先保湿再上"),
             ("b0", None, "U", "充电宝充不进电怎么办"), ("b1", "b0", "我", "换根线试试"), ("b2", "b1", "U", "同问")]
    msgs = [CleanMessage(id=i, chat="c", speaker=s, text=t, reply_to=r) for i, r, s, t in turns]
    conv = build_conversation(msgs)
    assert sorted(t.message_ids for t in conv.threads) == [("a0", "a1"), ("b0", "b1", "b2")]


def test_timed_messages_join_across_an_untimed_one() -> None:
    msgs = [msg(1, "A", "底妆总是卡粉", 0), CleanMessage(id="u", chat="美妆群", speaker="B", text="[系统]"),
            msg(2, "C", "我也是，太干了", 5)]
    conv = build_conversation(msgs)
    thread = {m: t.id for t in conv.threads for m in t.message_ids}
    assert thread["m1"] == thread["m2"]
