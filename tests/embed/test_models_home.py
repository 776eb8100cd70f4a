"""Where models live: built once per user under ``$NEEDMINER_HOME/models``; ``models_dir`` overrides."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from needminer.config import load_config
from needminer.embed import E5SmallEmbedder, build_e5_small, get_embedder, resolve_models_dir
from needminer.errors import ModelError
from needminer.store import models_home


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of its own (the shared fixture's home links ``models`` to the session's real model)."""
    home = tmp_path / "home"
    monkeypatch.setenv("NEEDMINER_HOME", str(home))
    return home


def test_default_models_dir_is_per_user(fresh_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)  # never relative to where the command runs
    assert load_config().embed.models_dir == ""
    assert resolve_models_dir(None) == resolve_models_dir("") == fresh_home / "models" == models_home()
    assert get_embedder("e5-small").models_dir == fresh_home / "models"
    assert not fresh_home.exists()  # naming the folder creates nothing


def test_models_dir_overrides(fresh_home: Path, tmp_path: Path):
    for name in ("e5-small", "e5-small-fp32"):
        emb = get_embedder(name, models_dir=tmp_path / "mine")
        assert emb.models_dir == tmp_path / "mine"
    assert isinstance(emb, E5SmallEmbedder)
    assert resolve_models_dir("~/x") == Path.home() / "x"


def test_built_once_into_a_private_home(fresh_home: Path, tiny_e5s1):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("semantra_multilingual")
    folder = build_e5_small(bin_path=tiny_e5s1[0])
    assert folder == fresh_home / "models" / "e5-small" and (folder / "model.safetensors").is_file()
    assert stat.S_IMODE(fresh_home.stat().st_mode) == 0o700
    mtime = (folder / "model.safetensors").stat().st_mtime_ns
    assert build_e5_small(bin_path=Path("/nonexistent")) == folder  # built: not rebuilt
    assert (folder / "model.safetensors").stat().st_mtime_ns == mtime


def test_unwritable_home_is_a_model_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_e5s1):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("semantra_multilingual")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("NEEDMINER_HOME", str(blocker / "home"))
    with pytest.raises(ModelError, match="NEEDMINER_HOME|models_dir"):
        build_e5_small(bin_path=tiny_e5s1[0])
