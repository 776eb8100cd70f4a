"""Guided discovery: a list of known needs (or a product glossary) seeds the clusters.

Like BERTopic's guided topic modelling, each fragment that is already close to a known need is
pulled towards it before clustering, and a need whose centroid matches a known need takes its
name. Fragments near no known need are left alone, so new needs still appear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from needminer.errors import ConfigError


@dataclass(frozen=True)
class Guide:
    """Known needs and their embeddings (same embedder as the fragments, not centred)."""

    labels: tuple[str, ...]
    vectors: np.ndarray

    def __post_init__(self) -> None:
        if self.vectors.shape[0] != len(self.labels):
            raise ValueError(f"Guide: {len(self.labels)} labels but {self.vectors.shape[0]} vectors")


def read_guide(path: str | Path) -> list[str]:
    """One known need per line (``#`` starts a comment); blank lines are ignored.

    Raises:
        ConfigError: The file is missing, unreadable or holds no need.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"Guide file '{p}' does not exist. Pass a text file with one known need per line.")
    try:
        lines = p.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Guide file '{p}' is not UTF-8 text. Re-save it as UTF-8.") from exc
    needs = list(dict.fromkeys(s for line in lines if (s := line.split("#", 1)[0].strip())))
    if not needs:
        raise ConfigError(f"Guide file '{p}' holds no need. Write one known need per line.")
    return needs


def centre_like(x: np.ndarray, reference: np.ndarray, blocks: Sequence[int] | None = None) -> np.ndarray:
    """Centre ``x`` with the corpus mean of ``reference`` (block by block), rows to unit length."""
    x = np.asarray(x, dtype=np.float32)
    widths = list(blocks) if blocks and sum(blocks) == x.shape[1] else [x.shape[1]]
    parts, start = [], 0
    for w in widths:
        part = x[:, start : start + w] - reference[:, start : start + w].mean(axis=0, keepdims=True)
        parts.append(part / np.maximum(np.linalg.norm(part, axis=1, keepdims=True), 1e-9))
        start += w
    out = np.hstack(parts)
    return (out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)).astype(np.float32)


def guide_pull(vectors: np.ndarray, guides: np.ndarray, *, weight: float, threshold: float) -> np.ndarray:
    """Move each vector ``weight`` of the way towards its most similar guide when that similarity
    reaches ``threshold``; others stay as they are. Rows are re-normalised."""
    if guides.shape[0] == 0 or weight <= 0:
        return vectors
    sims = vectors @ guides.T
    best = sims.argmax(axis=1)
    near = sims[np.arange(len(vectors)), best] >= threshold
    out = vectors.copy()
    out[near] = vectors[near] + weight * guides[best[near]]
    return (out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)).astype(np.float32)


def match_guides(centroids: np.ndarray, guides: np.ndarray, labels: Sequence[str], threshold: float) -> dict[int, str]:
    """Name clusters after known needs: greedy one-to-one by similarity, only above ``threshold``."""
    if guides.shape[0] == 0 or centroids.shape[0] == 0:
        return {}
    c = centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
    sims = c @ guides.T
    pairs = sorted(((float(sims[i, j]), i, j) for i in range(sims.shape[0]) for j in range(sims.shape[1])), reverse=True)
    named: dict[int, str] = {}
    used: set[int] = set()
    for s, i, j in pairs:
        if s < threshold:
            break
        if i in named or j in used:
            continue
        named[i] = labels[j]
        used.add(j)
    return named
