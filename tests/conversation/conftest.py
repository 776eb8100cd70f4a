"""A crafted beauty-group chat with gaps, replies, quotes, @mentions, endorsements and forwards."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from needminer.types import CleanMessage, MessageKind

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


def msg(i: int, speaker: str, text: str, minutes: float, chat: str = "美妆群", **kw) -> CleanMessage:
    return CleanMessage(id=f"m{i}", chat=chat, speaker=speaker, text=text, time=T0 + timedelta(minutes=minutes), **kw)


@pytest.fixture
def beauty_chat() -> list[CleanMessage]:
    return [
        msg(1, "A", "早上好", 0),
        msg(2, "A", "最近加班多，早上化妆时间不够，希望底妆又快又服帖", 1),
        msg(3, "B", "+1", 2),
        msg(4, "C", "我用了XX，遮瑕好但要打湿美妆蛋。赶时间时总弄不均匀", 3),
        msg(5, "D", "同求！", 4, reply_to="m2"),
        msg(6, "E", "[图片]", 5, kind=MessageKind.media),
        msg(7, "B", "其实我想要的是伪素颜效果，看起来自然但又有气色", 120),  # > 30 min gap: new session
        msg(8, "F", "我也是", 121, quote="其实我想要的是伪素颜"),
        msg(9, "G", "最近加班多，早上化妆时间不够，希望底妆又快又服帖", 130),  # copy-paste of m2
        msg(10, "A", "@B 你用的哪款", 131, mentions=("B",)),
        msg(11, "H", "我觉得粉底液还是要选轻薄的", 300, reply_to="m4"),  # late reply joins m4's thread
        msg(12, "B", "+1", 301),  # endorses H (the most recent other speaker in the thread)
        msg(13, "H", "同求", 302, reply_to="m11"),  # self-endorsement: not counted
        msg(14, "D", "同求", 303, reply_to="m2"),  # D again on m2: counted once
    ]
