"""community_health on a crafted chat."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from needminer.conversation import build_conversation
from needminer.conversation import community_health
from needminer.signals import get_detector
from needminer.types import CleanMessage, MessageKind

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


def _m(i: int, speaker: str, text: str, chat: str = "群A", **kw) -> CleanMessage:
    return CleanMessage(id=f"h{i}", chat=chat, speaker=speaker, text=text, time=T0 + timedelta(minutes=i), **kw)


def test_community_health_shares_and_depth() -> None:
    msgs = [
        _m(1, "A", "早上好"),
        _m(2, "B", "粉底总是卡粉，有没有不卡粉的推荐？"),
        _m(3, "C", "试试先用保湿打底", reply_to="h2"),
        _m(4, "B", "用的什么打底呀", reply_to="h3"),
        _m(5, "D", "+1"),
        _m(6, "E", "加微信[微信号]领优惠券，限时包邮"),
        _m(7, "F", "[图片]", kind=MessageKind.media),
        _m(8, "G", "晚安", chat="群B"),
    ]
    conv = build_conversation(msgs)
    sigs = get_detector("rules").detect(conv.fragments)
    h = community_health(msgs, conv, sigs)
    a = h["chats"]["群A"]
    assert a["messages"] == 7 and a["active_speakers"] == 6
    assert a["ad_share"] == round(1 / 7, 4)
    assert a["noise_share"] == round(3 / 7, 4)  # greeting, ad, image
    assert a["need_share"] == round(2 / 7, 4)  # h2 and h4 (a product question)
    assert a["high_quality_interaction_share"] == round(2 / 7, 4)  # h3 replies to a need, h5 endorses it
    assert a["reply_depth_max"] == 2
    assert h["chats"]["群B"]["noise_share"] == 1.0
    assert h["overall"]["messages"] == 8


D = timedelta(days=1)


def _at(i: int, speaker: str, text: str, when: datetime, chat: str = "群C", **kw) -> CleanMessage:
    return CleanMessage(id=f"w{i}", chat=chat, speaker=speaker, text=text, time=when, **kw)


def _weekly_chat() -> list[CleanMessage]:
    mon = datetime(2024, 4, 29, 9, 0, tzinfo=timezone.utc)  # Monday of ISO week 2024-W18
    return [
        # week 18: U1 complains and nobody answers; U2 asks and V answers; S speaks and then never again
        _at(1, "U1", "这个奶瓶总是漏奶，太烦了！", mon),
        _at(2, "S", "大家早上好呀", mon + timedelta(hours=3)),
        _at(3, "U2", "有没有不卡粉的粉底推荐？", mon + timedelta(hours=5)),
        _at(4, "V", "试试先用保湿打底", mon + timedelta(hours=5, minutes=2), reply_to="w3"),
        _at(5, "X", "+1", mon + timedelta(hours=5, minutes=3)),
        # week 19: U2 and V chat (U1 silent)
        _at(6, "U2", "谢谢，打底确实有用", mon + 7 * D),
        _at(7, "V", "不客气", mon + 7 * D + timedelta(minutes=1)),
        # week 20: nobody; week 21: U2, V and X speak
        _at(8, "U2", "今天天气不错", mon + 21 * D),
        _at(9, "V", "是啊", mon + 21 * D + timedelta(minutes=1)),
        _at(10, "X", "出去走走", mon + 21 * D + timedelta(minutes=2)),
        _at(11, "W", "周末愉快", datetime(2024, 5, 30, 8, 0, tzinfo=timezone.utc), chat="群D"),
    ]


def test_weekly_membership_and_silent_churn() -> None:
    msgs = _weekly_chat()
    conv = build_conversation(msgs)
    sigs = get_detector("rules").detect(conv.fragments)
    h = community_health(msgs, conv, sigs)
    c = h["chats"]["群C"]
    assert c["first_period"] == "2024-W18" and c["last_period"] == "2024-W21"
    assert c["active_members"] == 3  # U2, V, X spoke in W21
    assert c["silent_members"] == 2  # U1 and S last spoke in W18, before the last two weeks (W20, W21)
    weeks = h["weekly"]["chats"]["群C"]
    assert [w["period"] for w in weeks] == ["2024-W18", "2024-W19", "2024-W20", "2024-W21"]
    assert [w["messages"] for w in weeks] == [5, 2, 0, 3]
    assert [w["new_speakers"] for w in weeks] == [5, 0, 0, 0]
    assert weeks[0]["silent_churn"] == 1 and sum(w["silent_churn"] for w in weeks) == 1
    # U1's complaint went unanswered and U1 never spoke again (22+ days until the chat's end);
    # U2's question was answered; S never complained.
    churn = h["silent_churn"]
    assert [(x["speaker"], x["chat"], x["message_id"], x["returned"]) for x in churn] == [("U1", "群C", "w1", False)]
    assert churn[0]["days_silent"] >= 21 and churn[0]["label"] == "pain"
    assert c["silent_churn"] == 1 and h["overall"]["silent_churn"] == 1
    assert h["chats"]["群D"]["silent_churn"] == 0 and h["chats"]["群D"]["active_members"] == 1
    assert h["overall"]["last_period"] == "2024-W22" and h["overall"]["active_members"] == 1
    assert len(h["weekly"]["overall"]) == 5


def test_endorsement_is_no_answer_and_short_silence_is_no_churn() -> None:
    t = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)
    msgs = [
        _at(1, "A", "有没有不卡粉的粉底推荐？", t),
        _at(2, "B", "+1 同求", t + timedelta(minutes=1), reply_to="w1"),
        _at(3, "C", "这个奶瓶总是漏奶，太烦了！", t + 2 * D),
        _at(4, "C", "还有吗", t + 12 * D),  # C spoke again within 14 days: no churn
        _at(5, "B", "早", t + 20 * D),
    ]
    conv = build_conversation(msgs)
    h = community_health(msgs, conv, get_detector("rules").detect(conv.fragments))
    assert [x["speaker"] for x in h["silent_churn"]] == ["A"]
    assert h["silent_churn"][0]["days_silent"] == 20


def test_weeks_follow_the_given_zone() -> None:
    # Sunday 20:00 UTC is Monday 04:00 in Shanghai: the next ISO week there.
    sun = datetime(2024, 5, 5, 20, 0, tzinfo=timezone.utc)
    msgs = [_at(1, "A", "早上好", sun)]
    conv = build_conversation(msgs)
    sigs = get_detector("rules").detect(conv.fragments)
    assert community_health(msgs, conv, sigs)["overall"]["last_period"] == "2024-W18"
    assert community_health(msgs, conv, sigs, tz="Asia/Shanghai")["overall"]["last_period"] == "2024-W19"


def test_messages_without_time_still_count() -> None:
    msgs = [CleanMessage(id="n1", chat="群E", speaker="A", text="粉底总是卡粉怎么办？")]
    conv = build_conversation(msgs)
    h = community_health(msgs, conv, get_detector("rules").detect(conv.fragments))
    assert h["chats"]["群E"]["messages"] == 1 and h["chats"]["群E"]["last_period"] is None
    assert h["weekly"]["chats"]["群E"] == [] and h["silent_churn"] == []


def test_health_reads_the_conversations_layouts_with_the_same_figures(monkeypatch) -> None:
    """The conversation stage keeps the chats' layouts; the health figures read them (the chats
    are not laid out a second time) and equal those of a fresh layout, and another session gap
    lays them out again."""
    import dataclasses

    import needminer.conversation._health as health
    from needminer.config import ConversationConfig

    msgs = _weekly_chat()
    conv = build_conversation(msgs)
    sigs = get_detector("rules").detect(conv.fragments)
    fresh = community_health(msgs, dataclasses.replace(conv, layouts=None), sigs)
    calls: list[int] = []
    real = health.layout_chats
    monkeypatch.setattr(health, "layout_chats", lambda *a: calls.append(1) or real(*a))
    assert community_health(msgs, conv, sigs) == fresh and not calls
    other = build_conversation(msgs, ConversationConfig(session_gap_minutes=5))
    community_health(msgs, other, get_detector("rules").detect(other.fragments))
    assert calls == [1]
