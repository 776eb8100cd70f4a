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
