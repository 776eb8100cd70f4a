"""Hand-built ranked needs for the report tests, one of them full of hostile chat text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from needminer.types import Evidence, NeedStatement, RankedNeed, Slot

T0 = datetime(2024, 5, 1, 0, 30, tzinfo=timezone.utc)

# Chat text can be hostile: every one of these must stay inert text in every output.
XSS_TITLE = "<script>alert(1)</script>想要防晒"
XSS_IMG = "<img src=x onerror=\"document.title='PWNED'\">"
XSS_CHAT = "</script><script>document.title='PWNED'</script>群"
XSS_SPEAKER = "<b onmouseover=alert(1)>成员-evil</b>"
XSS_LINK = "[点我](javascript:alert(1))"
XSS_QUOTE = "求推荐</script><!--\u2028<svg onload=alert(1)>防晒霜\u2029 javascript:alert(1)"
CSV_FORMULA = "=HYPERLINK(\"x\",\"y\")"
PLANTED_MANIFEST = "PLANTED-SECRET-9f3c"
PLANTED_BEYOND_CAP = "PLANTED-BEYOND-CAP-77"


def ev(mid: str, chat: str, speaker: str, text: str, span: tuple[int, int], minutes: int = 0) -> Evidence:
    return Evidence(message_id=mid, chat=chat, speaker=speaker, time=T0 + timedelta(minutes=minutes),
                    text=text, span=span, fragment_id=f"{mid}#0")


def _makeup() -> RankedNeed:
    texts = [
        ("m1", "宝妈群", "成员-a1", "最近加班多，早上化妆时间不够，希望底妆又快又服帖"),
        ("m2", "美妆交流", "成员-b2", "😭我用了XX，遮瑕好但要打湿美妆蛋，赶时间时总弄不均匀"),
        ("m3", "美妆交流", "成员-c3", "其实我想要的是伪素颜效果，看起来自然但又有气色"),
    ]
    evidence = tuple(ev(m, c, s, t, (2, 10), i * 60) for i, (m, c, s, t) in enumerate(texts))
    st = NeedStatement(
        need_id="N1a2b3c", title="赶时间的快速自然底妆",
        statement="熬夜党早上赶时间，想要快速、自然（伪素颜）又服帖的底妆",
        slots={"persona": Slot("熬夜党、上班族", ("m1#0",)), "scene": Slot("早上赶时间", ("m1#0", "m2#0")),
               "task": Slot("上底妆", ("m2#0",)), "pain": Slot("美妆蛋要打湿，涂不均匀", ("m2#0",)),
               "expectation": Slot("快速、自然、服帖", ("m1#0", "m3#0"))},
        keywords=("底妆", "伪素颜", "赶时间"))
    return RankedNeed(rank=1, statement=st, score=8.5,
                      factors={"speakers": 3.3, "chats": 0.7, "endorsements": 1.6, "intensity": 0.8, "growth": 0.9,
                               "coherence": 1.0, "need_share": 0.82},
                      speakers=("成员-a1", "成员-b2", "成员-c3"), chats=("宝妈群", "美妆交流"),
                      message_ids=("m1", "m2", "m3", "m4"), evidence=evidence,
                      fragment_ids=("m1#0", "m2#0", "m3#0"), endorsements=4, emerging=True,
                      trend=(0, 1, 1, 3, 6), domain="美妆")


def _hostile() -> RankedNeed:
    evidence = (
        ev("x1", XSS_CHAT, XSS_SPEAKER, XSS_QUOTE, (0, 3), 5),
        ev("x2", XSS_CHAT, "成员-d4", XSS_IMG + " 防晒喷雾太油", (0, len(XSS_IMG)), 9),
        ev("x3", "户外群", "成员-e5", CSV_FORMULA, (0, 5), 30),
    )
    st = NeedStatement(
        need_id="N_xss01", title=XSS_TITLE, statement=XSS_IMG + "不油腻的防晒",
        slots={"persona": Slot(XSS_SPEAKER, ("x1#0",)), "expectation": Slot(XSS_LINK, ("x2#0",)),
               "pain": Slot(CSV_FORMULA, ("x3#0",))},
        keywords=("javascript:alert(1)", "<i>防晒</i>"))
    return RankedNeed(rank=2, statement=st, score=5.25,
                      factors={"speakers": 2.1, "chats": 0.6, "intensity": 0.95, "growth": 0.1},
                      speakers=(XSS_SPEAKER, "成员-d4", "成员-e5"), chats=(XSS_CHAT, "户外群"),
                      message_ids=("x1", "x2", "x3"), evidence=evidence, endorsements=0,
                      trend=(2, 1, 0), domain="<u>护肤</u>")


def _many() -> RankedNeed:
    n = 250
    evidence = tuple(
        ev(f"p{i}", f"群{i % 4}", f"成员-p{i % 40}",
           (PLANTED_BEYOND_CAP if i == 240 else f"第{i}条：快递柜总是满，取件太麻烦"), (4, 9), i)
        for i in range(n))
    st = NeedStatement(need_id="N_many1", title="快递柜满了取件难", statement="小区快递柜常满，取件不便",
                       slots={"scene": Slot("小区取快递", ()), "pain": Slot("快递柜总是满", ())},
                       keywords=("快递柜",))
    return RankedNeed(rank=3, statement=st, score=3.0, factors={"speakers": 2.0, "chats": 1.0, "intensity": 0.2},
                      speakers=tuple(f"成员-p{i}" for i in range(40)), chats=tuple(f"群{i}" for i in range(4)),
                      message_ids=tuple(f"p{i}" for i in range(n)) + ("p-extra",), evidence=evidence,
                      endorsements=12, trend=(5, 5, 6, 5))


def _thin() -> RankedNeed:
    st = NeedStatement(need_id="N_thin1", title="宠物友好的咖啡店", statement="想找能带狗进的咖啡店",
                       slots={"expectation": Slot("能带狗进去", ("t1#0",))})
    return RankedNeed(rank=4, statement=st, score=1.2, factors={"speakers": 0.7, "chats": 0.3},
                      speakers=("成员-z9",), chats=("宠物群",), message_ids=("t1",),
                      evidence=(ev("t1", "宠物群", "成员-z9", "有没有能带狗进的咖啡店", (0, 11)),))


def make_needs() -> list[RankedNeed]:
    return [_makeup(), _hostile(), _many(), _thin()]


def make_manifest() -> dict:
    return {
        "inputs": [{"path": "/data/exports/群聊A.csv", "format": "wechat.csv.v1", "records": 900, "messages": 880,
                    "skipped": {"system": 20}}, {"path": "/data/exports/tg.json", "messages": 320}],
        "coverage": 0.82,
        "seed": 42,
        "config": {"embed": {"embedder": "e5-small"}, "rank": {"weights": {"speakers": 3.0}},
                   "ingest": {"tz": "Asia/Shanghai"}},
        "versions": {"needminer": "0.1.0", "python": "3.11"},
        "env": {"token": PLANTED_MANIFEST},
        "started": T0,
    }


def make_health() -> dict:
    return {
        "noise_share": 0.31, "ad_share": 0.05, "need_share": 0.12, "high_quality_share": 0.4,
        "per_chat": {"宝妈群": {"reply_depth": 2.3, "noise_share": 0.2},
                     XSS_CHAT: {"reply_depth": 1.1, "noise_share": 0.6}},
    }


def make_unclustered() -> list[Evidence]:
    return [ev("u1", "宝妈群", "成员-a1", "真的太需要一个能定时的奶瓶消毒器了！！！", (0, 20)),
            ev("u2", XSS_CHAT, XSS_SPEAKER, XSS_IMG, (0, 5))]


def _formula() -> str:
    from needminer.config import RankConfig
    from needminer.rank import formula

    return formula(RankConfig())


FORMULA = _formula()  # the rank stage's own wording, so the page's translation of it is tested


@pytest.fixture
def needs() -> list[RankedNeed]:
    return make_needs()


@pytest.fixture
def manifest() -> dict:
    return make_manifest()


@pytest.fixture
def health() -> dict:
    return make_health()


@pytest.fixture
def unclustered() -> list[Evidence]:
    return make_unclustered()


@pytest.fixture
def report(tmp_path, needs, manifest, health, unclustered):
    from needminer.report import write_report

    return write_report(needs, tmp_path / "out", manifest=manifest, health=health, unclustered=unclustered,
                        formula=FORMULA)


def make_community_health() -> dict:
    """The shape ``community_health`` returns, with a hostile chat name and pseudonym."""
    def summary(messages: int, churn: int, last: str) -> dict:
        return {"messages": messages, "active_speakers": 12, "noise_share": 0.31, "ad_share": 0.05, "need_share": 0.2,
                "high_quality_interaction_share": 0.12, "endorsement_share": 0.1, "reply_depth_mean": 0.4,
                "reply_depth_max": 3, "active_members": 5, "silent_members": 4, "silent_churn": churn,
                "first_period": "2024-W15", "last_period": last}

    def weeks(n: int, churn_week: int) -> list[dict]:
        return [{"period": f"2024-W{15 + i}", "start": f"2024-04-{8 + i:02d}", "messages": 10 + 7 * i,
                 "active_speakers": 3 + i, "new_speakers": 1, "noise_share": 0.3, "ad_share": 0.05,
                 "need_share": 0.2, "high_quality_interaction_share": 0.1 + 0.05 * i, "endorsement_share": 0.1,
                 "reply_depth_mean": 0.5, "reply_depth_max": 2, "silent_churn": int(i == churn_week)} for i in range(n)]

    return {
        "overall": summary(300, 2, "2024-W18"),
        "chats": {"宝妈群": summary(200, 1, "2024-W18"), XSS_CHAT: summary(100, 1, "2024-W17")},
        "weekly": {"overall": weeks(4, 1), "chats": {"宝妈群": weeks(4, 1), XSS_CHAT: weeks(3, 0)}},
        "silent_churn": [
            {"speaker": XSS_SPEAKER, "chat": XSS_CHAT, "message_id": "x1", "time": "2024-04-09T01:00:00+00:00",
             "period": "2024-W15", "label": "pain", "days_silent": 30, "returned": False},
            {"speaker": "成员-q7", "chat": "宝妈群", "message_id": "q7", "time": "2024-04-16T01:00:00+00:00",
             "period": "2024-W16", "label": "question", "days_silent": 15, "returned": True},
        ],
        "params": {"period": "iso_week", "tz": "Asia/Shanghai", "churn_days": 14, "silent_weeks": 2, "max_weeks": 52},
    }


def make_engagement() -> dict:
    return {"N1a2b3c": [{"speaker": "成员-a1", "fragments": 2, "endorsements": 1, "replies": 3, "total": 6},
                        {"speaker": "成员-b2", "fragments": 1, "endorsements": 0, "replies": 1, "total": 2}],
            "N_xss01": [{"speaker": XSS_SPEAKER, "fragments": 1, "endorsements": 0, "replies": 0, "total": 1}]}


# ---------------------------------------------------------------- needs with known signal mixes and trends
# trend: 8 weekly periods, oldest first (the last entry is the newest week). Expected filter results:
#   sig=pain → A C D;  sig=wish → A (exactly 25 %) B;  sig=question → D (exactly 25 %; A 15 %, C 17 % are out)
#   period=1 → A D;  period=4 → A C D;  period=8 → A B C D F;  E (no mix, no trend) only without these filters
SIGNAL_NEEDS = {
    # id: (title, signal_mix, trend)
    "N_sigA": ("抱怨为主的需求", {"pain": 12, "wish": 5, "question": 3, "praise": 2}, (0, 0, 0, 0, 0, 0, 1, 4)),
    "N_sigB": ("只有期望的需求", {"wish": 6, "noise": 1}, (3, 3, 0, 0, 0, 0, 0, 0)),
    "N_sigC": ("提问占少数的需求", {"pain": 10, "question": 2}, (0, 0, 0, 2, 2, 0, 0, 0)),
    "N_sigD": ("提问刚好四分之一", {"pain": 3, "question": 1}, (0, 0, 0, 0, 0, 0, 0, 1)),
    "N_sigE": ("没有信号数据的需求", {}, ()),
    "N_sigF": ("只有称赞的需求", {"praise": 5}, (1, 0, 0, 0, 0, 0, 0, 0)),
}


def make_signal_needs(period_days: int = 7) -> list[RankedNeed]:
    out = []
    for rank, (nid, (title, mix, trend)) in enumerate(SIGNAL_NEEDS.items(), start=1):
        mid = f"s{rank}"
        st = NeedStatement(need_id=nid, title=title, statement=title + "（测试）",
                           slots={"pain": Slot(title, (f"{mid}#0",))}, keywords=(title[:2],))
        out.append(RankedNeed(rank=rank, statement=st, score=10.0 - rank, factors={"speakers": 1.0 + rank},
                              speakers=(f"成员-s{rank}",), chats=("信号群",), message_ids=(mid,),
                              evidence=(ev(mid, "信号群", f"成员-s{rank}", title, (0, 2), rank),),
                              fragment_ids=(f"{mid}#0",), trend=trend, signal_mix=dict(mix),
                              period_days=period_days))
    return out
