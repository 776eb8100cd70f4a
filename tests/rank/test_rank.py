"""Rank: transparent factors, evidence-based order, all supporting ids, emerging floor."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from needminer.config import RankConfig
from needminer.rank import FACTORS, formula, rank_needs
from needminer.types import (
    CleanMessage,
    Conversation,
    Discovery,
    Endorsement,
    Fragment,
    NeedCluster,
    NeedStatement,
    Signal,
    SignalLabel,
    Thread,
)

T0 = datetime(2026, 9, 1, tzinfo=timezone.utc)


def build(specs):
    """specs: need id -> list of (speaker, day) per fragment."""
    msgs, frags, sigs, clusters, stmts = {}, [], [], [], []
    n = 0
    for nid, rows in specs.items():
        ids = []
        for speaker, day in rows:
            mid = f"m{n}"
            t = T0 + timedelta(days=day)
            msgs[mid] = CleanMessage(id=mid, chat=f"chat-{n % 2}", speaker=speaker, text=f"{nid} 太麻烦了 {n}", time=t)
            f = Fragment(id=f"{mid}#0", message_id=mid, chat=msgs[mid].chat, speaker=speaker, text=msgs[mid].text, span=(0, len(msgs[mid].text)), thread_id=f"t{mid}", time=t)
            frags.append(f)
            sigs.append(Signal(f.id, SignalLabel.pain, True, 0.5))
            ids.append(f.id)
            n += 1
        clusters.append(NeedCluster(id=nid, fragment_ids=tuple(ids), confidence=tuple(0.8 for _ in ids)))
        stmts.append(NeedStatement(need_id=nid, title=nid, statement=""))
    threads = tuple(Thread(id=f"t{m}", chat=msgs[m].chat, message_ids=(m,)) for m in msgs)
    return stmts, Discovery(clusters=tuple(clusters)), frags, sigs, threads, msgs


def test_more_speakers_rank_higher_and_factors_are_explained():
    stmts, disc, frags, sigs, threads, msgs = build(
        {"A": [("a", 1), ("a", 2), ("a", 3), ("a", 4)], "B": [("b", 1), ("c", 2), ("d", 3)]}
    )
    ranked = rank_needs(stmts, disc, frags, sigs, Conversation(threads=threads, fragments=tuple(frags)), msgs)
    assert [r.id for r in ranked] == ["B", "A"]  # three people beat one loud person
    assert [r.rank for r in ranked] == [1, 2]
    for r in ranked:
        assert set(FACTORS) <= set(r.factors)
        assert all(0.0 <= r.factors[f] <= 1.0 for f in FACTORS)
        assert 0 <= r.score <= 100
    assert ranked[0].factors["speakers_raw"] == 3
    assert ranked[0].factors["unmet"] == 1.0  # nobody answered


def test_endorsements_count_distinct_new_people_and_ids_are_complete():
    stmts, disc, frags, sigs, threads, msgs = build({"A": [("a", 1), ("b", 1)], "B": [("c", 1), ("d", 1)]})
    votes = (
        Endorsement("v1", frags[0].id, "x"),
        Endorsement("v2", frags[0].id, "y"),
        Endorsement("v3", frags[1].id, "x"),  # same voter twice counts once
        Endorsement("v4", frags[1].id, "b"),  # a speaker of the need is not a new voter
    )
    conv = Conversation(threads=threads, fragments=tuple(frags), endorsements=votes, duplicates={"dup1": "m0"})
    ranked = rank_needs(stmts, disc, frags, sigs, conv, msgs)
    top = ranked[0]
    assert top.id == "A" and top.endorsements == 2
    assert set(top.message_ids) == {"m0", "m1", "v1", "v2", "v3", "v4", "dup1"}
    assert [e.message_id for e in top.evidence] == ["m0", "m1"]


def test_emerging_needs_a_speaker_floor():
    # both needs burst in the last week; only one has enough distinct speakers
    stmts, disc, frags, sigs, threads, msgs = build(
        {
            "loud": [("a", 1)] + [("a", 27), ("b", 27), ("a", 28), ("b", 28)],
            "broad": [("c", 1)] + [("d", 27), ("e", 27), ("f", 28), ("g", 28)],
        }
    )
    ranked = {r.id: r for r in rank_needs(stmts, disc, frags, sigs, Conversation(threads=threads, fragments=tuple(frags)), msgs, RankConfig(emerging_min_speakers=3))}
    assert ranked["broad"].emerging and not ranked["loud"].emerging
    assert sum(ranked["broad"].trend) == 5 and ranked["broad"].trend[-1] == 4


def test_weights_change_the_order_and_formula_names_them():
    stmts, disc, frags, sigs, threads, msgs = build({"A": [("a", 1), ("b", 2)], "B": [("c", 27), ("c", 28)]})
    conv = Conversation(threads=threads, fragments=tuple(frags))
    by_reach = rank_needs(stmts, disc, frags, sigs, conv, msgs)
    cfg = RankConfig(weights={f: 0.0 for f in FACTORS} | {"recency": 1.0})
    by_recency = rank_needs(stmts, disc, frags, sigs, conv, msgs, cfg)
    assert by_reach[0].id == "A" and by_recency[0].id == "B"
    assert "3·speakers" in formula(RankConfig()) and "NeedScore" in formula(cfg)


def test_rank_needs_handles_no_needs():
    assert rank_needs([], Discovery(clusters=()), [], [], Conversation(threads=(), fragments=()), {}) == []


@pytest.mark.parametrize("bad", [{"speakers": -1}])
def test_negative_weight_rejected(bad):
    from needminer.config import load_config
    from needminer.errors import ConfigError

    with pytest.raises(ConfigError, match="rank weight 'speakers'"):
        load_config(overrides={"rank.weights": bad})


def test_grab_bag_clusters_are_shrunk_by_coherence():
    stmts, disc, frags, sigs, threads, msgs = build({"A": [("a", 1), ("b", 1), ("c", 1)], "B": [("d", 1), ("e", 1), ("f", 1)]})
    # A's fragments all use its keyword; B's keywords appear in none of its fragments
    stmts = [NeedStatement(need_id="A", title="A", statement="", keywords=("麻烦",)),
             NeedStatement(need_id="B", title="B", statement="", keywords=("恒温", "奶瓶"))]
    ranked = {r.id: r for r in rank_needs(stmts, disc, frags, sigs, Conversation(threads=threads, fragments=tuple(frags)), msgs)}
    assert ranked["A"].factors["coherence"] == 1.0 and ranked["B"].factors["coherence"] == 0.0
    assert ranked["A"].rank == 1 and ranked["B"].score == 0.0
    assert "coherence" in formula(RankConfig())


def test_signal_mix_counts_member_labels():
    stmts, disc, frags, sigs, threads, msgs = build({"A": [("a", 1), ("b", 2)]})
    sigs = [Signal(sigs[0].fragment_id, SignalLabel.wish, True, 0.2), sigs[1]]
    (need,) = rank_needs(stmts, disc, frags, sigs, Conversation(threads=threads, fragments=tuple(frags)), msgs)
    assert need.signal_mix == {"wish": 1, "pain": 1} and need.period_days == 7


def test_scattered_group_never_outranks_a_focused_need():
    from dataclasses import replace

    stmts, disc, frags, sigs, threads, msgs = build(
        {"BIG": [(f"p{i}", i % 7) for i in range(20)], "SMALL": [("a", 1), ("b", 2)]}
    )
    disc = Discovery(clusters=(replace(disc.clusters[0], scattered=True), disc.clusters[1]))
    ranked = rank_needs(stmts, disc, frags, sigs, Conversation(threads=threads, fragments=tuple(frags)), msgs)
    assert [r.id for r in ranked] == ["SMALL", "BIG"]  # twenty speakers, but no need
    assert ranked[1].below_bar == "scattered"  # never listed among the needs


def test_clusters_below_the_bar_follow_every_listed_need():
    # TWO: a long exchange between two people (a private chat), loud and unanswered;
    # CHAT: four people, but its fragments are mostly not needs (P(need) .3)
    stmts, disc, frags, sigs, threads, msgs = build({
        "TWO": [("a", d) for d in range(6)] + [("b", d) for d in range(6)],
        "LISTED": [("c", 1), ("d", 2), ("e", 3)],
        "CHAT": [("f", 1), ("g", 2), ("h", 3), ("i", 4)],
    })
    chat_ids = {f.id for f in frags if msgs[f.message_id].text.startswith("CHAT")}
    two_ids = {f.id for f in frags if msgs[f.message_id].text.startswith("TWO")}
    sigs = [Signal(s.fragment_id, SignalLabel.other, False, 0.1, need_score=0.3) if s.fragment_id in chat_ids
            else Signal(s.fragment_id, SignalLabel.pain, True, 1.0) if s.fragment_id in two_ids
            else Signal(s.fragment_id, SignalLabel.pain, True, 0.1) for s in sigs]
    conv = Conversation(threads=threads, fragments=tuple(frags))
    ranked = rank_needs(stmts, disc, frags, sigs, conv, msgs)
    by_id = {r.id: r for r in ranked}
    assert by_id["TWO"].score > by_id["LISTED"].score  # the score alone would put it first
    assert [r.id for r in ranked][0] == "LISTED" and by_id["LISTED"].below_bar == ""
    assert by_id["TWO"].below_bar == "few_people" and by_id["CHAT"].below_bar == "chatter"
    # a third person who endorses it lifts the two-person need over the bar
    conv = Conversation(threads=threads, fragments=tuple(frags), endorsements=(Endorsement("v1", frags[0].id, "z"),))
    by_id = {r.id: r for r in rank_needs(stmts, disc, frags, sigs, conv, msgs)}
    assert by_id["TWO"].below_bar == "" and by_id["TWO"].rank == 1
    # the bar is configurable: two people are enough when the user says so
    by_id = {r.id: r for r in rank_needs(stmts, disc, frags, sigs, Conversation(threads=threads, fragments=tuple(frags)),
                                         msgs, RankConfig(min_people=2, min_need_share=0.2))}
    assert by_id["TWO"].below_bar == by_id["CHAT"].below_bar == ""


def _texts(msgs, frags, texts_by_need):
    """Give each need's fragments the texts in ``texts_by_need`` (in order)."""
    from dataclasses import replace

    out, seen = [], {}
    for f in frags:
        nid = msgs[f.message_id].text.split(" ")[0]
        i = seen[nid] = seen.get(nid, -1) + 1
        text = texts_by_need[nid][i]
        msgs[f.message_id] = replace(msgs[f.message_id], text=text)
        out.append(replace(f, text=text, span=(0, len(text))))
    return out


def test_a_grab_bag_that_one_line_titled_is_scattered():
    """Chit-chat held together by nothing (快递 / 周末 / 抢红包 lines) titled by one line's word,
    and a repeated meme line that must not make it look focused: below the bar as scattered."""
    from needminer.rank import title_share

    kettle = ["恒温水壶烧水太吵了", "半夜冲奶水壶太慢", "想要一个安静的恒温水壶", "水壶保温不准，总是烫"]
    chatter = ["又没抢到", "又没抢到", "又没抢到", "有人看昨晚的比赛吗", "快递又延迟了", "周末有人一起约跑吗",
               "这个色号太显白了", "双十一快到了，大家列清单了吗"]
    stmts, disc, frags, sigs, threads, msgs = build({
        "KETTLE": [(s, d) for s, d in zip("abcd", range(4))],
        "BAG": [(s, d) for s, d in zip("efghijkl", range(8))],
    })
    frags = _texts(msgs, frags, {"KETTLE": kettle, "BAG": chatter})
    stmts = [NeedStatement(need_id="KETTLE", title="安静恒温水壶", statement=""),
             NeedStatement(need_id="BAG", title="色号", statement="")]
    assert title_share("色号", chatter) == 1 / 6  # six distinct lines: the meme counts once
    conv = Conversation(threads=threads, fragments=tuple(frags))
    by_id = {r.id: r for r in rank_needs(stmts, disc, frags, sigs, conv, msgs, RankConfig(min_title_share=0.2))}
    assert by_id["KETTLE"].below_bar == "" and by_id["KETTLE"].factors["title_share"] == 1.0
    assert by_id["BAG"].below_bar == "scattered" and by_id["BAG"].rank == 2
    # a user's rename does not push a need under the bar: the bar reads the describe stage's title
    renamed = [NeedStatement(need_id="KETTLE", title="静音热水器", statement=""), stmts[1]]
    by_id = {r.id: r for r in rank_needs(renamed, disc, frags, sigs, conv, msgs, RankConfig(min_title_share=0.2),
                                         bar_titles={"KETTLE": "安静恒温水壶"})}
    assert by_id["KETTLE"].below_bar == "" and by_id["KETTLE"].statement.title == "静音热水器"
