"""Versions of needminer and of the libraries that shape its output (recorded in manifests and saved models)."""

from __future__ import annotations

import platform
from importlib import metadata

__all__ = ["versions"]


def versions() -> dict[str, str]:
    """Versions of needminer and the libraries that shape its output."""
    out = {"python": platform.python_version()}
    for pkg in ("needminer", "numpy", "scikit-learn", "jieba", "bertopic", "umap-learn", "hdbscan",
                "torch", "transformers", "onnxruntime", "opencc", "spacy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out
