"""Build a ``NeedModel`` from one run's discovery, statements and embeddings."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from needminer.errors import OutputError
from needminer.model._need_model import META, WEIGHTS, KnownNeed, NeedModel
from needminer.types import Discovery, Fragment, NeedStatement


def fit_need_model(
    discovery: Discovery,
    statements: Sequence[NeedStatement],
    fragments: Sequence[Fragment],
    vectors: np.ndarray,
    *,
    blocks: Sequence[int] | None = None,
    embedder: str = "",
    embedder_id: str = "",
    config: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    versions: Mapping[str, str] | None = None,
    threshold: float | None = None,
    curated: tuple[Discovery, Sequence[NeedStatement]] | None = None,
) -> NeedModel:
    """The need model of a discovery: one known need per cluster, its centroid from ``vectors``.

    Args:
        discovery: The run's clusters (before overrides: they are kept in the model and re-applied).
        statements: One statement per cluster, in cluster order (titles, statements, slots).
        fragments: The fragments ``vectors`` rows belong to, same order.
        vectors: Raw embeddings of ``fragments``.
        blocks: ``ConcatEmbedder.blocks`` of the embedder, if any.
        embedder: The configured embedder name; ``embedder_id`` its ``model_id``.
        config, overrides, versions: Recorded in the model.
        threshold: The "new" threshold (None: from the members' cosines).
        curated: The clusters after the overrides and their statements (what the run reported),
            kept as ``NeedModel.curated``.
    """
    row = {f.id: i for i, f in enumerate(fragments)}
    needs, members = known_needs(discovery, statements, row)
    model = NeedModel.from_clusters(
        needs, members, vectors, blocks=blocks, embedder=embedder, embedder_id=embedder_id, threshold=threshold,
        config=config, overrides=overrides, versions=versions, texts=[f.text for f in fragments],
    )
    from needminer.text import term_counts

    model = dataclasses.replace(model, vocabulary=term_counts([f.text for f in fragments]))
    if curated is not None:
        model = dataclasses.replace(model, curated=tuple(known_needs(*curated, row)[0]))
    return model


def known_needs(discovery: Discovery, statements: Sequence[NeedStatement],
                row: Mapping[str, int]) -> tuple[list[KnownNeed], dict[str, list[int]]]:
    """One ``KnownNeed`` per cluster with members among ``row`` (fragment id → row), and each one's rows."""
    stmt = {s.need_id: s for s in statements}
    needs, members = [], {}
    for c in discovery.clusters:
        rows = [row[f] for f in c.fragment_ids if f in row]
        if not rows:
            continue
        s = stmt.get(c.id)
        needs.append(KnownNeed(
            id=c.id,
            title=s.title if s else "",
            statement=s.statement if s else "",
            keywords=tuple(c.keywords),
            slots={k: v.text for k, v in (s.slots.items() if s else ()) if v.text.strip()},
            domain=c.domain,
            size=len(rows),
            scattered=c.scattered,
        ))
        members[c.id] = rows
    return needs, members


def check_model_dir(folder: str | Path) -> None:
    """Fail before a long run when ``folder`` cannot receive a saved model.

    It may be missing, empty or an earlier model folder (its two files are replaced).

    Raises:
        OutputError: ``folder`` is a file or a folder of other files.
    """
    d = Path(folder)
    if not d.exists():
        return
    if not d.is_dir():
        raise OutputError(f"--save-model '{d}' is an existing file. Pass a folder for the need model.")
    other = sorted(p.name for p in d.iterdir() if p.name not in {META, WEIGHTS} and not p.name.startswith(".model."))
    if other:
        raise OutputError(
            f"--save-model '{d}' already holds files that are not a need model ({', '.join(other[:3])} …). "
            "Pass a new or empty folder, or an earlier model folder."
        )
