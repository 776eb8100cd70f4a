"""Taxonomy overrides: merge, split, ban (needs and words), rename, pin; parsing errors; determinism."""

from __future__ import annotations

import dataclasses

import pytest

from needminer.errors import ConfigError
from needminer.model import Curation, Overrides, SplitRule, curate_discovery, curate_ranking, curate_statements
from needminer.types import Discovery, Evidence, Fragment, NeedCluster, NeedStatement, RankedNeed

TEXTS = {
    "A": ["底妆卡粉", "底妆不服帖", "粉底液卡粉", "防晒闷痘"],
    "B": ["粉底液脱妆", "底妆脱妆"],
    "C": ["宝宝夜奶", "冲奶粉太吵"],
}


def _data():
    frags, clusters = [], []
    for cid, texts in TEXTS.items():
        ids = []
        for i, t in enumerate(texts):
            fid = f"{cid}{i}#0"
            frags.append(Fragment(id=fid, message_id=fid[:-2], chat="g", speaker=f"s{i}", text=t, span=(0, len(t))))
            ids.append(fid)
        clusters.append(NeedCluster(id=f"N{cid * 6}".lower().replace("n", "N", 1), fragment_ids=tuple(ids),
                                    keywords=("底妆",), confidence=tuple(0.9 for _ in ids)))
    return Discovery(clusters=tuple(clusters), unassigned=("X#0",)), frags + [
        Fragment(id="X#0", message_id="X", chat="g", speaker="s9", text="代购私聊", span=(0, 4))]


A, B, C = "Naaaaaa", "Nbbbbbb", "Ncccccc"


def _ranked(ids):
    out = []
    for i, nid in enumerate(ids, start=1):
        st = NeedStatement(need_id=nid, title=f"t{nid}", statement="")
        ev = Evidence(message_id="m", chat="g", speaker="s", time=None, text="x")
        out.append(RankedNeed(rank=i, statement=st, score=100 - i, factors={}, speakers=("s",), chats=("g",),
                              message_ids=("m",), evidence=(ev,)))
    return out


def test_merge_keeps_the_first_id():
    disc, frags = _data()
    log = Curation()
    out = curate_discovery(disc, frags, Overrides(merge=((B, A),)), log)
    assert [c.id for c in out.clusters] == [B, C]
    assert set(out.clusters[0].fragment_ids) == set(disc.clusters[0].fragment_ids + disc.clusters[1].fragment_ids)
    assert log.applied[0]["op"] == "merge" and log.notes[B] == [{"op": "merge", "needs": [A]}]


def test_split_moves_keyword_fragments_to_a_stable_new_id():
    disc, frags = _data()
    rule = SplitRule(need=A, keywords=("防晒",), title="防晒不闷痘")
    out = curate_discovery(disc, frags, Overrides(split=(rule,)), Curation())
    assert [c.id for c in out.clusters] == [A, rule.new_id, B, C]
    assert out.clusters[1].fragment_ids == ("A3#0",) and "A3#0" not in out.clusters[0].fragment_ids
    assert rule.new_id == SplitRule(need=A, keywords=("防晒",)).new_id  # the title does not change the id
    stmts = curate_statements([NeedStatement(need_id=rule.new_id, title="x", statement="")], Overrides(split=(rule,)),
                              Curation())
    assert stmts[0].title == "防晒不闷痘"


def test_ban_needs_and_words_keep_evidence_out():
    disc, frags = _data()
    log = Curation()
    out = curate_discovery(disc, frags, Overrides(ban=(C,), ban_words=("卡粉", "代购")), log)
    assert [c.id for c in out.clusters] == [A, B]
    kept = {f for c in out.clusters for f in c.fragment_ids} | set(out.unassigned)
    assert not kept & {"C0#0", "C1#0", "A0#0", "A2#0", "X#0"}
    assert {e["op"] for e in log.applied} == {"ban"}


def test_rename_keeps_the_id_and_pin_goes_on_top():
    log = Curation()
    stmts = curate_statements([NeedStatement(need_id=A, title="旧", statement="")], Overrides(rename={A: "新"}), log)
    assert (stmts[0].need_id, stmts[0].title) == (A, "新")
    assert log.notes[A] == [{"op": "rename", "from": "旧"}]
    below = [dataclasses.replace(n, below_bar="few_people") if n.id == C else n for n in _ranked([A, B, C])]
    ranked = curate_ranking(below, Overrides(pin=(C, "Nzzzzzz")), log)
    assert [(n.rank, n.id) for n in ranked] == [(1, C), (2, A), (3, B)]
    assert ranked[0].below_bar == ""  # a pin says "this is a need": listed though two people said it
    assert {"op": "pin", "need": "Nzzzzzz", "reason": "no such need in this run"} in log.unmatched


def test_unknown_ids_are_logged_not_fatal_and_runs_are_deterministic():
    disc, frags = _data()
    ov = Overrides(merge=((A, "N000000"),), split=(SplitRule("N111111", ("x",)),), ban=("N222222",))
    log = Curation()
    assert curate_discovery(disc, frags, ov, log).clusters == disc.clusters
    assert [u["op"] for u in log.unmatched] == ["merge", "split", "ban"]
    full = Overrides(merge=((A, B),), split=(SplitRule(A, ("防晒",)),), ban_words=("代购",))
    one, two = curate_discovery(disc, frags, full, Curation()), curate_discovery(disc, frags, full, Curation())
    assert one == two


def test_toml_round_trip_and_errors(tmp_path):
    path = tmp_path / "o.toml"
    path.write_text(
        '[[merge]]\nneeds = ["Naaaaaa", "Nbbbbbb"]\n[[split]]\nneed = "Naaaaaa"\nkeywords = ["防晒"]\ntitle = "防晒"\n'
        '[ban]\nneeds = ["Ncccccc"]\nwords = ["代购"]\n[rename]\nNaaaaaa = "新名"\n[pin]\nneeds = ["Nbbbbbb"]\n',
        encoding="utf-8",
    )
    ov = Overrides.load(path)
    assert ov.merge == ((A, B),) and ov.split[0].keywords == ("防晒",) and ov.ban == (C,) and ov.pin == (B,)
    assert Overrides.from_dict(ov.to_dict()) == ov
    assert not Overrides() and ov
    for text, message in [
        ('[[merge]]\nneeds = ["Naaaaaa"]\n', "at least 2"),
        ("[frobnicate]\n", "Unknown key 'frobnicate'"),
        ('[ban]\nneed = ["x"]\n', "Unknown key 'need'"),
        ("[rename]\nNaaaaaa = 3\n", "must be a string"),
        ("[[merge]\n", "not valid TOML"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            Overrides.load(path)
    with pytest.raises(ConfigError, match="does not exist"):
        Overrides.load(tmp_path / "missing.toml")


def test_split_of_everything_is_unmatched():
    disc, frags = _data()
    log = Curation()
    out = curate_discovery(disc, frags, Overrides(split=(SplitRule(B, ("脱妆",)),)), log)
    assert [c.id for c in out.clusters] == [A, B, C] and log.unmatched[0]["reason"] == "every fragment says the keywords"
    assert dataclasses.asdict(log)["applied"] == []
