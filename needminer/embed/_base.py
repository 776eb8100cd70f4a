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
            texts: The texts, in order (repeats are encoded once).

        Returns:
            ``np.ndarray`` float32 of shape (len(texts), dim), rows L2-normalised.
        """
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        # each distinct text is encoded once (chat repeats "+1", "同求" … many times)
        unique: dict[str, int] = {}
        index = [unique.setdefault(t, len(unique)) for t in texts]
        vecs = np.asarray(self._encode(list(unique)), dtype=np.float32)
        if len(unique) < len(index):
            vecs = vecs[np.asarray(index, dtype=np.int64)]
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return np.ascontiguousarray(vecs / norms, dtype=np.float32)


def length_buckets(lengths: Sequence[int], batch_size: int) -> list[np.ndarray]:
    """Indices of texts grouped into batches of similar length (length-sorted, stable).

    Padding each batch only to its own longest text wastes far less compute than padding every
    batch to the longest text of the call. Concatenated, the batches are a permutation of
    ``range(len(lengths))``: callers write each batch's rows back at these indices.
    """
    order = np.argsort(np.asarray(lengths, dtype=np.int64), kind="stable")
    return [order[start : start + batch_size] for start in range(0, len(order), max(1, batch_size))]


def pad_batch(ids: Sequence[Sequence[int]], idx: np.ndarray, pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of the texts ``idx`` padded to the batch's longest, and the attention mask (int64)."""
    width = max((len(ids[i]) for i in idx), default=0)
    input_ids = np.full((len(idx), width), pad, dtype=np.int64)
    mask = np.zeros((len(idx), width), dtype=np.int64)
    for row, i in enumerate(idx):
        input_ids[row, : len(ids[i])] = ids[i]
        mask[row, : len(ids[i])] = 1
    return input_ids, mask
