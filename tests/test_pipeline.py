"""Pipeline: the whole run on a tiny chat, stage contracts, and one real run with e5-small."""

from __future__ import annotations

import json

import pytest

from needminer.config import load_config
from needminer.errors import EmptyCorpusError, StageError
from needminer.pipeline import STAGES, timed_stage, run


@pytest.fixture()
def hashing_config(tmp_path):
    return load_config(overrides={"embed.embedder": "hashing", "workspace": str(tmp_path / "ws")})


def test_run_writes_every_output(tiny_chat, tmp_path, hashing_config):
    out = tmp_path / "report"
    seen = []
    result = run([tiny_chat], out, hashing_config, progress=lambda s, d, t: seen.append(s))
    for name in ("index.html", "needs.json", "briefs.md", "manifest.json"):
        assert (out / name).is_file()
    data = json.loads((out / "needs.json").read_text("utf-8"))
    assert data["schema"] == 1 and data["needs"]
    input_ids = {f"a{i}" for i in range(1, 13)}
    for need in data["needs"]:
        assert need["message_ids"] and set(need["message_ids"]) <= input_ids  # ids as given in the input
        assert need["evidence"] and all(e["message_id"] in input_ids for e in need["evidence"])
    scores = [n["score"] for n in data["needs"]]
    assert scores == sorted(scores, reverse=True)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["seed"] == 42 and manifest["inputs"][0]["sha256"]
    assert set(manifest["timings"]) >= {"ingest", "text", "signals", "embed", "discover", "rank"}
    assert {"ingest", "embed"} <= set(seen)
    assert result.needs[0].rank == 1
    # noise never becomes evidence
    texts = [e["text"] for n in data["needs"] for e in n["evidence"]]
    assert not any("恭喜发财" in t or t == "大家早上好" for t in texts)
    # speakers are pseudonymised
    html = (out / "index.html").read_text("utf-8")
    for name in ("小美", "阿珍", "Lily", "糖糖", "豆豆"):
        assert name not in html and name not in (out / "needs.json").read_text("utf-8")


def test_an_english_report_states_its_needs_in_english(tiny_chat, tmp_path):
    cfg = load_config(overrides={"embed.embedder": "hashing", "workspace": str(tmp_path / "ws"), "report.lang": "en"})
    result = run([tiny_chat], tmp_path / "report", cfg)
    statements = [n.statement.statement for n in result.needs]
    assert statements and all(not s.startswith(("用户", "话题分散")) and s.endswith(".") for s in statements)
    zh = run([tiny_chat], tmp_path / "report_zh", load_config(overrides={"embed.embedder": "hashing",
                                                                        "workspace": str(tmp_path / "ws")}))
    assert [n.statement.title for n in zh.needs] == [n.statement.title for n in result.needs]


def test_second_run_embeds_nothing_new(tiny_chat, tmp_path, hashing_config, monkeypatch):
    run([tiny_chat], tmp_path / "r1", hashing_config)
    from needminer.embed import _hashing

    calls = []
    original = _hashing.HashingEmbedder._encode
    monkeypatch.setattr(_hashing.HashingEmbedder, "_encode", lambda self, t: calls.append(len(t)) or original(self, t))
    again = run([tiny_chat], tmp_path / "r2", hashing_config)
    assert calls == [] and again.ingest["new"] == 0 and again.ingest["duplicates"] == 12
    assert [n.id for n in again.needs] == [n.id for n in run([tiny_chat], tmp_path / "r3", hashing_config).needs]


def test_no_needs_is_a_clear_error(tmp_path, hashing_config):
    f = tmp_path / "chitchat.jsonl"
    f.write_text('{"text": "早上好", "sender": "a"}\n{"text": "[红包]恭喜发财", "sender": "b"}\n', encoding="utf-8")
    with pytest.raises(EmptyCorpusError, match="carries a need"):
        run([f], tmp_path / "out", hashing_config)


def test_stage_contract_is_checked():
    with pytest.raises(StageError, match="Stage 'rank' returned dict"):
        timed_stage("rank", {}, lambda: {}, list)
    with pytest.raises(StageError, match="Stage 'embed' failed with ZeroDivisionError") as info:
        timed_stage("embed", {}, lambda: 1 / 0, int)
    assert "secret chat text" not in str(info.value)
    assert STAGES[0] == "ingest" and STAGES[-1] == "report"


@pytest.mark.slow  # the real e5-small model (built at first use on a fresh clone)
def test_real_run_with_e5_small(tiny_chat, tmp_path, e5_models_dir):
    cfg = load_config(overrides={"workspace": str(tmp_path / "ws"), "embed.models_dir": str(e5_models_dir)})
    result = run([tiny_chat], tmp_path / "out", cfg)
    assert result.manifest["embedder"].startswith("e5-small")
    assert result.needs and all(n.message_ids for n in result.needs)
    seed = {"a2", "a3", "a5"}
    holders = [n for n in result.needs if seed & set(n.message_ids)]
    assert len(holders) == 1 and seed <= set(holders[0].message_ids)  # one need holds the seed example


def _lite_chat(tmp_path):
    """The tiny chat plus a second day, so there is something to cluster (written here, not committed)."""
    from tests.conftest import tiny_chat_records

    rows = tiny_chat_records()
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def _without_timestamps(text: str) -> dict:
    doc = json.loads(text)
    doc.pop("generated", None)
    return doc


def test_two_fresh_runs_give_identical_needs(tmp_path, tiny_chat):
    from needminer.store import clear_workspaces

    cfg = load_config(overrides={"embed.embedder": "hashing", "seed": 7})
    run([tiny_chat], tmp_path / "first", cfg)
    clear_workspaces(all=True)  # a fresh workspace: its default pseudonym key is derived, not random
    run([tiny_chat], tmp_path / "second", cfg)
    a = (tmp_path / "first" / "needs.json").read_text("utf-8")
    b = (tmp_path / "second" / "needs.json").read_text("utf-8")
    assert _without_timestamps(a) == _without_timestamps(b)
    assert [ln for ln in a.splitlines() if '"generated"' not in ln] == [ln for ln in b.splitlines() if '"generated"' not in ln]


def test_report_folder_holds_only_redacted_outputs(tmp_path, tiny_chat):
    from needminer.store import needminer_home

    out = tmp_path / "report"
    (out / ".needminer").mkdir(parents=True)  # a workspace an older version left in the report folder
    (out / ".needminer" / "workspace.sqlite").write_bytes(b"old")
    run([tiny_chat], out, load_config(overrides={"embed.embedder": "hashing"}))
    names = sorted(p.name for p in out.iterdir())  # hidden files included
    assert names == ["briefs.md", "index.html", "manifest.json", "needs.csv", "needs.json"]
    for p in out.iterdir():
        data = p.read_bytes()
        assert b"SQLite format" not in data
        for nick in ("小美", "阿珍", "Lily", "糖糖", "豆豆"):
            assert nick.encode() not in data, (p.name, nick)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left beside it
    assert list((needminer_home() / "workspaces").glob("*/workspace.sqlite"))


def test_report_is_swapped_in_whole(tmp_path, tiny_chat, monkeypatch):
    from needminer import report

    out = tmp_path / "report"
    cfg = load_config(overrides={"embed.embedder": "hashing"})
    run([tiny_chat], out, cfg)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = report.write_report

    def half_then_fail(needs, folder, **kw):
        (folder / "needs.json").write_text("{half", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(report, "write_report", half_then_fail)
    with pytest.raises(StageError, match="Stage 'report' failed with OSError"):
        run([tiny_chat], out, cfg)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the earlier report, untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "tiny.jsonl"]  # no temp folder left
    monkeypatch.setattr(report, "write_report", real)


def test_year_9999_and_year_1_times_do_not_break_the_run(tmp_path):
    from tests.conftest import tiny_chat_records

    rows = tiny_chat_records()
    rows[0]["time"] = "9999-12-31T23:59:59+00:00"
    rows[1]["time"] = "0001-01-01T00:00:00+00:00"
    rows[6]["time"] = "9999-12-31T20:00:00-08:00"
    path = tmp_path / "edge.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    result = run([path], tmp_path / "out", load_config(overrides={"embed.embedder": "hashing"}))
    assert result.needs and (tmp_path / "out" / "index.html").is_file()


def test_weekly_health_at_the_calendar_edges():
    from datetime import date

    from needminer.conversation._health import _shift, _weekly

    rows = [{"week": date(9999, 12, 27), "speaker": "a", "noise": False, "ad": False, "need": True, "hq": False,
             "endorsement": False, "depth": 0},
            {"week": date(9999, 12, 13), "speaker": "b", "noise": False, "ad": False, "need": False, "hq": False,
             "endorsement": False, "depth": 0}]
    weeks = _weekly(rows, [])
    assert [w["start"] for w in weeks] == ["9999-12-13", "9999-12-20", "9999-12-27"]
    assert _shift(date(1, 1, 1), weeks=-5) == date.min and _shift(date(9999, 12, 31), days=3) == date.max


def test_leftovers_of_a_killed_run_are_removed(tmp_path, tiny_chat):
    import os
    import time

    stale = tmp_path / ".report.abc123.tmp"
    young = tmp_path / ".report.def456.tmp"
    for p in (stale, young):
        p.mkdir()
        (p / "needs.json").write_text("{half", encoding="utf-8")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    run([tiny_chat], tmp_path / "report", load_config(overrides={"embed.embedder": "hashing"}))
    assert not stale.exists() and young.exists()  # a young one may be another run's, still writing
