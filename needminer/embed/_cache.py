"""Embedding with the workspace cache: each distinct text is embedded once per model."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from needminer.embed._base import Embedder
from needminer.store import Workspace, text_key

# texts embedded between two progress calls (and between two cache writes)
CHUNK = 256
REMOTE_CHUNK = 8192  # the same through a backend's ``embed_chunk`` (``needminer.backend``)


def embed_with_cache(embedder: Embedder, texts: Sequence[str], workspace: Workspace | None, *,
                     progress: Callable[[str, int, int], None] | None = None,
                     chunk_size: int = CHUNK,
                     embed_chunk: Callable[[list[str]], np.ndarray] | None = None) -> np.ndarray:
    """Embed ``texts``, reusing vectors cached in ``workspace`` under ``embedder.model_id``.

    Identical texts are embedded once. Texts not yet cached are embedded in chunks of
    ``chunk_size``; each chunk is stored as soon as it is done, so an interrupted run keeps
    its work.

    Args:
        embedder: Any ``Embedder``; its ``model_id`` is part of the cache key.
        texts: The texts, in order (duplicates allowed).
        workspace: The cache; ``None`` embeds everything without caching.
        progress: Called as ``progress("embed", done, total)`` where ``total`` counts the
            distinct texts that need embedding (not those found in the cache).
        chunk_size: Texts per ``embed`` call.
        embed_chunk: Embeds a list of texts instead of ``embedder.embed`` (a backend that spreads
            them over workers, ``needminer.backend``), in chunks of ``REMOTE_CHUNK`` texts.

    Returns:
        float32 array of shape (len(texts), embedder.dim) in input order, rows L2-normalised.
    """
    unique: dict[str, int] = {}
    index = np.fromiter((unique.setdefault(t, len(unique)) for t in texts), dtype=np.int64,
                        count=len(texts))
    distinct = list(unique)
    keys = [text_key(t) for t in distinct]
    cached = workspace.get_vectors(embedder.model_id, keys) if workspace is not None else {}
    if embedder.dim:
        # a row of another width cannot be this model's: embed that text again
        cached = {k: v for k, v in cached.items() if v.shape == (embedder.dim,)}
    # shortest first: each chunk then holds texts of about one length, so the length-bucketed batches
    # inside it pad little (20k-message chat, e5: chunks in text order ran 254 texts/s)
    todo = sorted((i for i, k in enumerate(keys) if k not in cached), key=lambda i: len(distinct[i]))
    rows: list[np.ndarray | None] = [cached.get(k) for k in keys]
    if progress:
        progress("embed", 0, len(todo))
    if embed_chunk is not None:  # a backend gets big chunks (workers stay busy), each cached when done
        chunk_size = max(chunk_size, REMOTE_CHUNK)
    for start in range(0, len(todo), chunk_size):
        part = todo[start : start + chunk_size]
        texts_part = [distinct[i] for i in part]
        vecs = embedder.embed(texts_part) if embed_chunk is None else embed_chunk(texts_part)
        if workspace is not None:
            workspace.put_vectors(embedder.model_id, [keys[i] for i in part], vecs)
        for j, i in enumerate(part):
            rows[i] = vecs[j]
        if progress:
            progress("embed", start + len(part), len(todo))
    if not distinct:
        dim = embedder.dim
        return np.zeros((0, dim), dtype=np.float32)
    table = np.stack(rows).astype(np.float32, copy=False)  # type: ignore[arg-type]
    return np.ascontiguousarray(table[index])
