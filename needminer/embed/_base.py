"""The one interface every embedder implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors of shape (n, d).

    Subclasses set ``model_id`` (a versioned name such as ``"e5-small.v1"``, part of the cache key)
    and ``dim``, and implement ``_encode``. ``embed`` always returns a float32 (n, d) array with
    unit rows, also for an empty input (shape (0, d)).
    """

    model_id: str = ""
    dim: int = 0

    @abstractmethod
    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode a non-empty list of texts (any float dtype, any norm)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``.

        Args:
            texts: The texts, in order.

        Returns:
            ``np.ndarray`` float32 of shape (len(texts), dim), rows L2-normalised.
        """
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = np.asarray(self._encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return np.ascontiguousarray(vecs / norms, dtype=np.float32)
