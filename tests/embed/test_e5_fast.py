"""The fast e5-small (int8 weights on ONNX Runtime): fidelity to fp32, input order, threads, names."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from needminer.embed import E5Int8Embedder, E5SmallEmbedder, get_embedder
from needminer.embed._base import Embedder, length_buckets, pad_batch
from needminer.embed._hf import available_threads
from needminer.registry import embedders
from tests.embed.test_contract import check_similarity


def test_names_and_cache_keys_differ():
    """The exact path keeps its id (its cached vectors stay valid); int8 gets its own cache key."""
    assert embedders.resolve("e5-small-fp32") == "e5-small.v1"
    assert embedders.resolve("e5-small-int8") == "e5-small-int8.v2"
    assert E5Int8Embedder.MODEL_ID != E5SmallEmbedder.MODEL_ID
    assert E5Int8Embedder().model_id == "e5-small-int8.v2" and E5Int8Embedder().dim == 384


def test_length_buckets_cover_every_row_once_sorted_by_length():
    lengths = [5, 1, 9, 3, 3, 7, 2, 8, 1, 6]
    batches = length_buckets(lengths, 3)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)
    assert [len(b) for b in batches] == [3, 3, 3, 1]


def test_pad_batch_pads_to_the_batch_longest():
    ids = [[0, 5, 2], [0, 2], [0, 7, 7, 7, 2]]
    input_ids, mask = pad_batch(ids, np.array([1, 0]), pad=1)
    assert input_ids.tolist() == [[0, 2, 1], [0, 5, 2]]
    assert mask.tolist() == [[1, 1, 0], [1, 1, 1]]


class _Session:
    """Stands in for the ONNX session: each token's state is its id, so the pooled row is the mean id."""

    def __init__(self) -> None:
        self.widths: list[int] = []

    def run(self, _names, feeds):
        ids = feeds["input_ids"].astype(np.float32)
        self.widths.append(ids.shape[1])
        return [np.repeat(ids[:, :, None], 384, axis=2)]


class _Tokenizer:
    class _Enc:
        def __init__(self, ids):
            self.ids = ids

    def encode_batch(self, texts):  # "query: " + text -> one token per character after the prefix
        return [self._Enc([len(t)] * (len(t) - len("query: ") + 1)) for t in texts]


def test_bucketed_batches_return_rows_in_input_order():
    emb = E5Int8Embedder(batch_size=2)
    emb._session, emb._tokenizer = _Session(), _Tokenizer()
    texts = ["aaaaaa", "a", "aaa", "aaaaaaaaa", "aa", "aaaaaaa"]
    out = emb._encode(texts)
    expected = [len("query: ") + len(t) for t in texts]  # the mean of one repeated id
    np.testing.assert_allclose(out[:, 0], expected)
    assert emb._session.widths == [3, 7, 10]  # sorted by length: each batch padded only to its own longest


def test_threads_follow_cpu_affinity(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert available_threads() == 1
    assert E5Int8Embedder().session_threads() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    assert E5Int8Embedder().session_threads() == min(3, available_threads())
    assert E5Int8Embedder(threads=5).session_threads() == 5


class _Counting(Embedder):
    model_id, dim = "count", 2

    def __init__(self) -> None:
        self.seen: list[str] = []

    def _encode(self, texts):
        self.seen.extend(texts)
        return np.array([[len(t), 1.0] for t in texts])


def test_repeated_texts_are_encoded_once():
    emb = _Counting()
    vecs = emb.embed(["+1", "同求", "+1", "+1", "同求啊"])
    assert emb.seen == ["+1", "同求", "同求啊"]
    assert vecs.shape == (5, 2)
    np.testing.assert_array_equal(vecs[0], vecs[2])
    assert not np.allclose(vecs[1], vecs[4])


@pytest.mark.slow  # exports and quantises the real model (~30 s on first use)
def test_int8_is_close_to_fp32(e5_models_dir: Path, tmp_path: Path, sentences: list[str]):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from needminer.embed import build_e5_small_int8

    folder = build_e5_small_int8(tmp_path, source=e5_models_dir / "e5-small")
    assert folder == tmp_path / "e5-small-int8-v2" and [p.name for p in tmp_path.iterdir()] == ["e5-small-int8-v2"]
    fast = get_embedder("e5-small-int8", models_dir=tmp_path, batch_size=4)
    exact = get_embedder("e5-small-fp32", models_dir=e5_models_dir, batch_size=4)
    assert isinstance(fast, E5Int8Embedder) and isinstance(exact, E5SmallEmbedder)
    a = fast.embed(sentences)
    assert a.shape == (len(sentences), 384) and a.dtype == np.float32 and a.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert fast.embed([]).shape == (0, 384)
    np.testing.assert_array_equal(fast.embed(sentences), a)  # deterministic for the same input
    # activations are quantised per token row: a text's vector is the same alone, in another
    # order or beside other texts (v1 scaled them per batch, and they moved by up to 0.015)
    alone = np.vstack([fast.embed([t]) for t in sentences[:4]])
    np.testing.assert_allclose(alone, a[:4], atol=1e-6)
    np.testing.assert_allclose(fast.embed(sentences[::-1])[::-1], a, atol=1e-6)
    np.testing.assert_allclose(fast.embed(sentences[:2] + ["完全无关的一句话，长一些，再长一些"])[:2], a[:2], atol=1e-6)
    check_similarity(fast, a[:3])
    b = exact.embed(sentences)
    cos = (a * b).sum(axis=1)
    assert cos.min() >= 0.995, cos
    # the same token ids as the fp32 path's transformers tokenizer (prefix, truncation at 256)
    exact.load()
    hf_ids = exact._tokenizer(["query: " + t for t in sentences], truncation=True, max_length=256)["input_ids"]
    assert [e.ids for e in fast._tokenizer.encode_batch(["query: " + t for t in sentences])] == hf_ids
