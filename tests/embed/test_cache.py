"""embed_with_cache: distinct texts are embedded once per model, and never twice across runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from needminer.embed import HashingEmbedder, embed_with_cache
from needminer.store import Workspace


class CountingEmbedder(HashingEmbedder):
    """Counts ``_encode`` calls and texts."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.calls = 0
        self.texts = 0

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        return super()._encode(texts)


@pytest.fixture
def workspace(tmp_path: Path):
    with Workspace(tmp_path / "ws") as ws:
        yield ws


def test_second_call_embeds_nothing(workspace, sentences):
    texts = sentences + sentences[:3]  # duplicates
    emb = CountingEmbedder()
    first = embed_with_cache(emb, texts, workspace)
    assert emb.texts == len(set(texts))
    np.testing.assert_allclose(first, HashingEmbedder().embed(texts), atol=1e-7)
    assert first.dtype == np.float32 and first.shape == (len(texts), emb.dim)

    again = CountingEmbedder()
    second = embed_with_cache(again, texts, workspace)
    assert again.calls == 0
    np.testing.assert_array_equal(second, first)


def test_only_new_texts_are_embedded(workspace, sentences):
    emb = CountingEmbedder()
    embed_with_cache(emb, sentences[:4], workspace)
    emb.texts = 0
    out = embed_with_cache(emb, sentences, workspace)
    assert emb.texts == len(sentences) - 4
    np.testing.assert_allclose(out, HashingEmbedder().embed(sentences), atol=1e-7)


def test_cache_is_keyed_by_model_id(workspace, sentences):
    embed_with_cache(HashingEmbedder(dim=256), sentences, workspace)
    other = CountingEmbedder(dim=64)
    out = embed_with_cache(other, sentences, workspace)
    assert other.texts == len(sentences) and out.shape == (len(sentences), 64)


def test_progress_counts_chunks_of_missing_texts(workspace):
    texts = [f"第{i}条需求" for i in range(10)]
    embed_with_cache(HashingEmbedder(), texts[:4], workspace)
    calls: list[tuple[str, int, int]] = []
    emb = CountingEmbedder()
    embed_with_cache(emb, texts, workspace, progress=lambda *a: calls.append(a), chunk_size=4)
    assert calls == [("embed", 0, 6), ("embed", 4, 6), ("embed", 6, 6)]
    assert emb.calls == 2


def test_without_workspace_and_empty_input():
    emb = CountingEmbedder()
    out = embed_with_cache(emb, ["a", "b", "a"], None)
    assert emb.texts == 2 and out.shape == (3, emb.dim)
    np.testing.assert_array_equal(out[0], out[2])
    empty = embed_with_cache(emb, [], None)
    assert empty.shape == (0, emb.dim) and empty.dtype == np.float32


def test_chunks_hold_texts_of_about_one_length_and_rows_keep_the_input_order():
    """Texts go to the encoder shortest first, so a chunk's length-bucketed batches pad little (mixed
    car posts, queries and clauses embedded 1.5× faster with e5); the rows come back in input order."""
    seen: list[list[str]] = []

    class Recording(HashingEmbedder):
        def _encode(self, texts: Sequence[str]) -> np.ndarray:
            seen.append(list(texts))
            return super()._encode(texts)

    texts = ["续航" * (1 + (i * 37) % 50) + str(i) for i in range(600)]
    out = embed_with_cache(Recording(), texts, None, chunk_size=100)
    lengths = [len(t) for chunk in seen for t in chunk]
    assert lengths == sorted(lengths) and len(seen) == 6
    np.testing.assert_allclose(out, HashingEmbedder().embed(texts), atol=1e-7)
