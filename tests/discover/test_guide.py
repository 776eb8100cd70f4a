"""Guided discovery: known needs seed and name clusters; new needs still appear."""

from __future__ import annotations

import numpy as np
import pytest

from needminer.config import DiscoverConfig
from needminer.discover import Guide, discover_needs, read_guide
from needminer.discover._guide import centre_like, guide_pull, match_guides
from needminer.errors import ConfigError
from needminer.types import Fragment

from .test_discover import TOPICS


def planted(n=160):
    rng = np.random.default_rng(0)
    centers = np.random.default_rng(99).normal(size=(len(TOPICS), 48))
    frags, vecs = [], []
    for i in range(n):
        k = i % len(TOPICS)
        text = TOPICS[k] + f"，第{i}回"
        frags.append(Fragment(id=f"m{i}#0", message_id=f"m{i}", chat="c", speaker=f"s{i % 11}", text=text, span=(0, len(text))))
        vecs.append(centers[k] + 0.35 * rng.normal(size=48))
    return frags, np.asarray(vecs, dtype=np.float32), centers.astype(np.float32)


def test_known_needs_name_their_clusters_and_new_ones_still_appear():
    frags, vecs, centers = planted()
    guide = Guide(labels=("熬夜党快速伪素颜底妆", "夜奶快速冲奶"), vectors=centers[:2] + vecs.mean(axis=0))
    disc = discover_needs(frags, vecs, DiscoverConfig(), seed=1, guide=guide)
    labels = {c.label for c in disc.clusters}
    assert {"熬夜党快速伪素颜底妆", "夜奶快速冲奶"} <= labels
    assert len(disc.clusters) >= 4  # the unguided needs are still found
    named = next(c for c in disc.clusters if c.label == "熬夜党快速伪素颜底妆")
    assert all(f.startswith("m") and int(f[1:].split("#")[0]) % 4 == 0 for f in named.fragment_ids)


@pytest.mark.parametrize(
    "content, message",
    [(None, "does not exist"), ("", "holds no need"), ("# only a comment\n\n", "holds no need")],
)
def test_read_guide_errors(tmp_path, content, message):
    p = tmp_path / "guide.txt"
    if content is not None:
        p.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        read_guide(p)


def test_read_guide_strips_comments_and_duplicates(tmp_path):
    p = tmp_path / "guide.txt"
    p.write_text("\ufeff熬夜党快速伪素颜底妆  # 底妆\n\n夜奶快速冲奶\n夜奶快速冲奶\n", encoding="utf-8")
    assert read_guide(p) == ["熬夜党快速伪素颜底妆", "夜奶快速冲奶"]


def test_pull_only_moves_fragments_near_a_guide():
    v = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    g = np.array([[0.8, 0.6]], dtype=np.float32)
    out = guide_pull(v, g, weight=0.5, threshold=0.7)
    assert out[0] @ g[0] > v[0] @ g[0]  # pulled
    np.testing.assert_allclose(out[1], v[1])  # 0.6 < threshold: untouched


def test_match_is_one_to_one_above_threshold():
    cents = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]], dtype=np.float32)
    guides = np.array([[1.0, 0.0]], dtype=np.float32)
    assert match_guides(cents, guides, ["A"], threshold=0.5) == {0: "A"}
    assert match_guides(cents, np.array([[-1.0, 0.0]], dtype=np.float32), ["B"], threshold=0.5) == {}


def test_centre_like_uses_the_corpus_mean():
    ref = np.array([[1.0, 1.0], [1.0, -1.0]], dtype=np.float32)
    out = centre_like(np.array([[2.0, 0.0]], dtype=np.float32), ref)
    np.testing.assert_allclose(out, [[1.0, 0.0]])
