"""Reuse a stored discovery when nothing it depends on changed.

Discovery is most of a re-run's time once the embeddings come from the cache (UMAP and HDBSCAN
start from scratch). Its result depends only on the fragments it is given (ids, texts, speakers,
threads and times), their vectors, the discover settings, the seed, the embedding blocks and the
guide, so a digest of those keys a stored copy: an unchanged input with the same config and seed
gets the very same needs back, and any change (one new message, another seed or setting, another
embedder) recomputes it. Earlier needs (``previous``) only keep ids stable and are not part of
the key: a recomputed discovery of unchanged input keeps the stored ids anyway.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from needminer.types import Discovery, Fragment, NeedCluster

# Bump when the stored form changes; a change to the discover package's code changes the key anyway.
DISCOVERY_FORMAT = 1


def code_digest() -> str:
    """Digest of the discover package's source: an edited clustering never reuses an old result."""
    from pathlib import Path

    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def discovery_key(
    fragments: Sequence[Fragment],
    vectors: np.ndarray,
    config: Any,
    *,
    seed: int,
    blocks: Sequence[int] | None = None,
    guide: Any = None,
    code_version: str = "",
) -> str:
    """Digest of everything ``discover_needs`` depends on (hex SHA-256)."""
    h = hashlib.sha256()
    settings = dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config or {})
    settings.pop("incremental", None)  # how a discovery is reached, not what it depends on
    head = {"format": DISCOVERY_FORMAT, "version": code_version, "code": code_digest(), "seed": int(seed), "config": settings,
            "blocks": list(blocks or ()), "n": len(fragments)}
    h.update(json.dumps(head, sort_keys=True, default=str).encode())
    for f in fragments:
        stamp = f.time.timestamp() if f.time is not None else ""
        h.update(f"\x1e{f.id}\x1f{f.speaker}\x1f{f.thread_id}\x1f{stamp}\x1f{f.text}".encode())
    h.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    if guide is not None:
        h.update(json.dumps(list(getattr(guide, "labels", ())), ensure_ascii=False).encode())
        h.update(np.ascontiguousarray(getattr(guide, "vectors", np.zeros(0)), dtype=np.float32).tobytes())
    return h.hexdigest()


def settings_key(config: Any, *, seed: int, blocks: Sequence[int] | None = None, guide: Any = None,
                 code_version: str = "", model_id: str = "") -> str:
    """Digest of what a discovery depends on besides its fragments and their vectors: settings,
    seed, embedder, guide and code. An incremental run grows a stored discovery only when it matches."""
    settings = dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config or {})
    settings.pop("incremental", None)  # how a discovery is reached, not what it depends on
    head = {"format": DISCOVERY_FORMAT, "version": code_version, "code": code_digest(), "seed": int(seed),
            "config": settings, "blocks": list(blocks or ()), "model": model_id,
            "guide": list(getattr(guide, "labels", ())) if guide is not None else None}
    return hashlib.sha256(json.dumps(head, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def discovery_to_json(disc: Discovery) -> str:
    """A lossless JSON form of a ``Discovery`` (``discovery_from_json`` reads it back)."""
    return json.dumps(
        {
            "clusters": [dataclasses.asdict(c) for c in disc.clusters],
            "unassigned": list(disc.unassigned),
            "coverage": disc.coverage,
            "params": disc.params,
        },
        ensure_ascii=False,
    )


def discovery_from_json(text: str) -> Discovery:
    """Read a ``Discovery`` written by ``discovery_to_json``."""
    data = json.loads(text)
    fields = {f.name for f in dataclasses.fields(NeedCluster)}
    clusters = tuple(
        NeedCluster(**{k: tuple(v) if isinstance(v, list) else v for k, v in c.items() if k in fields})
        for c in data["clusters"]
    )
    return Discovery(
        clusters=clusters, unassigned=tuple(data.get("unassigned", ())), coverage=float(data["coverage"]),
        params=dict(data.get("params", {})),
    )
