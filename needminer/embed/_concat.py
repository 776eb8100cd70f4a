"""Concatenation of several embedders (``"e5-small+lite"``): complementary views of the same text."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from needminer.embed._base import Embedder


class ConcatEmbedder(Embedder):
    """Concatenate the unit vectors of several embedders, scaled so rows stay unit length.

    ``blocks`` gives each part's width, so that discovery can centre each part on its own corpus
    mean (the parts' similarity scales differ: e5 cosines sit near 0.9, USE near 0.4).

    Args:
        parts: The embedders to combine, in order.
    """

    def __init__(self, parts: Sequence[Embedder]) -> None:
        self.parts = tuple(parts)
        self.model_id = "+".join(p.model_id for p in self.parts)
        self.blocks = tuple(p.dim for p in self.parts)
        self.dim = sum(self.blocks)

    def check(self) -> None:
        for p in self.parts:
            check = getattr(p, "check", None)
            if callable(check):
                check()

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        scale = 1.0 / np.sqrt(len(self.parts))
        return np.hstack([p.embed(texts) * scale for p in self.parts]).astype(np.float32)
