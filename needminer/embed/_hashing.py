"""A deterministic character n-gram hashing embedder (numpy only), for unit tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from needminer.embed._base import Embedder
from needminer.registry import embedders


@embedders.register("hashing.v1", aliases=("hashing",))
class HashingEmbedder(Embedder):
    """Character 1- to 3-grams hashed into ``dim`` signed buckets.

    Needs no model and no download, and gives the same vectors on every machine (BLAKE2b,
    not Python's salted ``hash``). Texts sharing many characters get similar vectors, which
    is enough for tests of the stages downstream. Not meant for real runs.

    Args:
        dim: Number of dimensions.
        ngrams: The n-gram orders used.
        models_dir, batch_size, threads: Accepted (and ignored) so that every embedder takes
            the same factory arguments.
    """

    VERSION = "hashing.v1"

    def __init__(self, *, dim: int = 256, ngrams: tuple[int, ...] = (1, 2, 3),
                 models_dir: object = None, batch_size: int = 32, threads: int = 0) -> None:
        self.dim = dim
        self.ngrams = ngrams
        self.model_id = f"{self.VERSION}:d{dim}:n{''.join(map(str, ngrams))}"

    def check(self) -> None:
        """Nothing to check: numpy is always there."""

    def load(self) -> HashingEmbedder:
        """Nothing to load. Returns self."""
        return self

    def _bucket(self, gram: str) -> tuple[int, float]:
        digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, 1.0 if (value >> 63) else -1.0

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        cache: dict[str, tuple[int, float]] = {}
        for row, text in enumerate(texts):
            for n in self.ngrams:
                for i in range(len(text) - n + 1):
                    gram = text[i : i + n]
                    hit = cache.get(gram)
                    if hit is None:
                        hit = cache[gram] = self._bucket(gram)
                    out[row, hit[0]] += hit[1]
            if not out[row].any():
                # empty (or too short) text: a fixed, non-zero vector keeps rows unit-norm
                out[row, 0] = 1.0
        return out
