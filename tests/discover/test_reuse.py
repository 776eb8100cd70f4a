"""A stored discovery is reused only when nothing it depends on changed."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone

import numpy as np

from needminer.config import DiscoverConfig, load_config
from needminer.discover import discover_needs, discovery_from_json, discovery_key, discovery_to_json
from needminer.pipeline import run
from needminer.types import Fragment


def _fragments(n: int = 60) -> tuple[list[Fragment], np.ndarray]:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 16))
    frags, rows = [], []
    for i in range(n):
        frags.append(Fragment(id=f"m{i}#0", message_id=f"m{i}", chat="c", speaker=f"s{i % 7}", text=f"text {i % 3} {i}",
                              span=(0, 5), thread_id=f"t{i // 10}", time=datetime(2026, 1, 1, i % 24, tzinfo=timezone.utc)))
        rows.append(centres[i % 3] + 0.1 * rng.normal(size=16))
    return frags, np.asarray(rows, dtype=np.float32)


def test_json_round_trip_is_lossless():
    frags, vecs = _fragments()
    disc = discover_needs(frags, vecs, DiscoverConfig(lexical_dims=0), seed=1)
    back = discovery_from_json(discovery_to_json(disc))
    assert back == disc
    assert all(isinstance(c.fragment_ids, tuple) and isinstance(c.confidence, tuple) for c in back.clusters)


def test_key_follows_every_input_of_discovery():
    frags, vecs = _fragments()
    cfg = DiscoverConfig()
    base = discovery_key(frags, vecs, cfg, seed=1)
    assert discovery_key(frags, vecs.copy(), DiscoverConfig(), seed=1) == base  # same input, same key
    changed = [
        discovery_key(frags, vecs, cfg, seed=2),
        discovery_key(frags, vecs, dataclasses.replace(cfg, lexical_weight=0.3), seed=1),
        discovery_key(frags[:-1], vecs[:-1], cfg, seed=1),
        discovery_key([dataclasses.replace(frags[0], text="other")] + frags[1:], vecs, cfg, seed=1),
        discovery_key([dataclasses.replace(frags[0], thread_id="t9")] + frags[1:], vecs, cfg, seed=1),
        discovery_key(frags, vecs + np.float32(1e-3), cfg, seed=1),
        discovery_key(frags, vecs, cfg, seed=1, blocks=(8, 8)),
        discovery_key(frags, vecs, cfg, seed=1, code_version="9.9"),
    ]
    assert base not in changed and len(set(changed)) == len(changed)


def test_unchanged_input_reuses_the_stored_discovery(tiny_chat, tmp_path, monkeypatch):
    cfg = load_config(overrides={"embed.embedder": "hashing", "workspace": str(tmp_path / "ws")})
    first = run([tiny_chat], tmp_path / "r1", cfg)
    import needminer.discover as discover

    def boom(*args, **kwargs):
        raise AssertionError("discovery recomputed on unchanged input")

    monkeypatch.setattr(discover, "discover_needs", boom)
    second = run([tiny_chat], tmp_path / "r2", cfg)
    assert [(n.id, n.statement.title) for n in second.needs] == [(n.id, n.statement.title) for n in first.needs]
    manifest = json.loads((tmp_path / "r2" / "manifest.json").read_text("utf-8"))
    assert manifest["reused"] == ["discover"]
    assert json.loads((tmp_path / "r1" / "manifest.json").read_text("utf-8"))["reused"] == []
    # another seed is another discovery
    monkeypatch.undo()
    other = load_config(overrides={"embed.embedder": "hashing", "workspace": str(tmp_path / "ws"), "seed": 7})
    run([tiny_chat], tmp_path / "r3", other)
    assert json.loads((tmp_path / "r3" / "manifest.json").read_text("utf-8"))["reused"] == []


def _grown_chat(tmp_path):
    """The tiny chat, then the same chat a week on: the same messages and new ones about both needs
    and a third topic (five people who find the baby monitor's night mode too loud)."""
    from tests.conftest import tiny_chat_records

    old = tiny_chat_records()
    new = [
        {"id": "b1", "sender": "阿珍", "time": "2026-10-09T08:01:00+08:00", "text": "早上赶时间底妆总是不服帖，想要快一点的", "chat": "美妆交流群"},
        {"id": "b2", "sender": "小鹿", "time": "2026-10-09T08:03:00+08:00", "text": "防晒出汗就闷痘，有没有清爽的", "chat": "美妆交流群"},
    ] + [
        {"id": f"c{i}", "sender": f"妈妈{i}", "time": f"2026-10-09T21:0{i}:00+08:00", "text": text, "chat": "美妆交流群"}
        for i, text in enumerate((
            "宝宝监视器夜间模式声音太吵了，半夜总把人吵醒",
            "监视器的夜视画面太暗，看不清宝宝有没有踢被子",
            "有没有夜间模式安静一点的宝宝监视器推荐？",
            "宝宝监视器半夜老是误报警，吵得全家睡不好",
            "希望宝宝监视器夜里能自动调低提示音",
        ))
    ]
    week1, week2 = tmp_path / "week1.jsonl", tmp_path / "week2.jsonl"
    week1.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in old) + "\n", encoding="utf-8")
    week2.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in old + new) + "\n", encoding="utf-8")
    return week1, week2


def test_incremental_run_grows_the_last_discovery(tmp_path, monkeypatch):
    """--incremental on a grown export: the stored needs keep their fragments and ids, new
    fragments join them or form candidate needs, and discover_needs runs on the new pile only."""
    import needminer.pipeline as pipeline

    monkeypatch.setattr(pipeline, "MAX_GROWTH", 1.0)  # the tiny chat grows by 70 % here
    week1, week2 = _grown_chat(tmp_path)
    over = {"embed.embedder": "hashing", "workspace": str(tmp_path / "ws"), "discover.incremental": True}
    first = run([week1], tmp_path / "r1", load_config(overrides=over))
    clustered: list[int] = []
    import needminer.discover as discover

    original = discover.discover_needs
    monkeypatch.setattr(discover, "discover_needs", lambda frags, *a, **k: clustered.append(len(frags)) or original(frags, *a, **k))
    second = run([week2], tmp_path / "r2", load_config(overrides=over))
    manifest = json.loads((tmp_path / "r2" / "manifest.json").read_text("utf-8"))
    assert manifest["reused"] == ["discover-incremental"]
    before = {n.id: set(n.fragment_ids) for n in first.needs}
    after = {n.id: set(n.fragment_ids) for n in second.needs}
    assert all(before[i] <= after[i] for i in before)  # every need of last week is still there, grown or not
    new_ids = {f for n in second.needs for f in n.fragment_ids} - {f for ids in before.values() for f in ids}
    assert new_ids and all(f.split("#")[0][0] in "bc" for f in new_ids)
    assert clustered and max(clustered) < sum(len(v) for v in after.values())  # the new pile, not everything
    assert "宝宝监视器" in {n.statement.title[:5] for n in second.needs}  # the new topic is a candidate need
    # without --incremental the grown export is discovered afresh
    monkeypatch.undo()
    run([week2], tmp_path / "r3", load_config(overrides={**over, "discover.incremental": False}))
    assert json.loads((tmp_path / "r3" / "manifest.json").read_text("utf-8"))["reused"] == []


def test_incremental_run_starts_afresh_when_it_cannot_grow(tmp_path, monkeypatch):
    """More new fragments than MAX_GROWTH of the old, another seed (or settings, embedder, code), or
    messages that are gone: a full discovery."""
    import needminer.pipeline as pipeline

    week1, week2 = _grown_chat(tmp_path)
    over = {"embed.embedder": "hashing", "workspace": str(tmp_path / "ws"), "discover.incremental": True}
    run([week1], tmp_path / "r1", load_config(overrides=over))
    run([week2], tmp_path / "r2", load_config(overrides=over))  # +70 % > MAX_GROWTH
    assert json.loads((tmp_path / "r2" / "manifest.json").read_text("utf-8"))["reused"] == []
    monkeypatch.setattr(pipeline, "MAX_GROWTH", 1.0)
    run([week1], tmp_path / "r1b", load_config(overrides=over))
    run([week2], tmp_path / "r2b", load_config(overrides={**over, "seed": 7}))
    assert json.loads((tmp_path / "r2b" / "manifest.json").read_text("utf-8"))["reused"] == []
    # week 1 alone after week 2: the stored discovery holds fragments this export lacks
    run([week1], tmp_path / "r3", load_config(overrides={**over, "seed": 7}))
    assert json.loads((tmp_path / "r3" / "manifest.json").read_text("utf-8"))["reused"] == []
