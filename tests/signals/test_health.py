"""community_health on a crafted chat."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from needminer.conversation import build_conversation
from needminer.signals import community_health, get_detector
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
