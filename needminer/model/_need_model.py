"""A fitted need taxonomy you can keep: centroids, titles, slots and keywords, saved as safetensors + JSON.

``NeedModel`` holds what a fitted discovery needs to be applied to new chats: the need ids, their
centroids in the space ``needminer.discover`` assigns in (each embedding block centred on the
*training* corpus mean and re-normalised), the describe stage's titles, statements, slots and
keywords, the config, the embedder id and the library versions. ``save`` writes two files into a
folder, ``model.safetensors`` (the arrays) and ``model.json`` (everything else); nothing is pickled,
so a model folder loads on another machine and is safe to open.

It also keeps a 64-bit hash of every fragment text it was fitted on (``text_key``; not the text) and
the need that text went to: applied to a text it has seen, the model gives the fit's answer (the
need, a scattered group, or none), so applying it to the export it was fitted on reproduces the fit
and only texts it never saw can make a candidate new need.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from needminer.errors import ModelError

FORMAT = "needminer.need_model"
FORMAT_VERSION = 1
WEIGHTS = "model.safetensors"
META = "model.json"
# Share of the training members that would fall below the "new" threshold if re-applied: the
# threshold is this quantile of every focused member's cosine to its own centroid.
THRESHOLD_QUANTILE = 0.05
LOOSE = -1  # known_need of a text the fit left in no need (an outlier)


def text_key(text: str) -> int:
    """The 64-bit key of a fragment text (whitespace at the ends ignored): a hash, not the text."""
    digest = hashlib.blake2b(text.strip().encode("utf-8"), digest_size=8, person=b"needminer.text").digest()
    return int.from_bytes(digest, "little")


@dataclass(frozen=True, slots=True)
class KnownNeed:
    """One need of a fitted model.

    Attributes:
        id: Stable need id (``"N" + 6 hex``), kept when the model is applied to new chats.
        title: Short title from the describe stage.
        statement: One-line need statement.
        keywords: Top keywords.
        slots: Slot name (persona, scene, task, pain, expectation) → slot text.
        domain: Coarser domain name.
        size: Number of training fragments.
        scattered: A scattered group (odds and ends), kept for reference; never assigned to.
    """

    id: str
    title: str = ""
    statement: str = ""
    keywords: tuple[str, ...] = ()
    slots: dict[str, str] = field(default_factory=dict)
    domain: str = ""
    size: int = 0
    scattered: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "statement": self.statement, "keywords": list(self.keywords),
                "slots": dict(self.slots), "domain": self.domain, "size": self.size, "scattered": self.scattered}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> KnownNeed:
        return cls(id=str(d["id"]), title=str(d.get("title", "")), statement=str(d.get("statement", "")),
                   keywords=tuple(str(k) for k in d.get("keywords", ())),
                   slots={str(k): str(v) for k, v in (d.get("slots") or {}).items()},
                   domain=str(d.get("domain", "")), size=int(d.get("size", 0)), scattered=bool(d.get("scattered", False)))


@dataclass(frozen=True)
class Assignment:
    """Where ``NeedModel.assign`` put each vector.

    Attributes:
        need_ids: Known need id per row, ``""`` for the "new" pile (below the threshold).
        nearest: The nearest known need per row, whatever the threshold.
        confidence: Cosine of each row to its need's centroid (the nearest one for texts the model
            has not seen), in the model's space.
        vectors: The rows in the model's space (centred with the training means), float32.
        seen: Per row, whether the model was fitted on this text (then ``need_ids`` holds the fit's
            need, a scattered group's id, or ``""`` for a text the fit left in no need: such a row
            is no candidate for a new need). Empty when no texts were given.
    """

    need_ids: tuple[str, ...]
    nearest: tuple[str, ...]
    confidence: np.ndarray
    vectors: np.ndarray
    seen: tuple[bool, ...] = ()


def unit_rows(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return (v / n).astype(np.float32)


def centre_with(vectors: np.ndarray, means: np.ndarray, blocks: Sequence[int] | None = None) -> np.ndarray:
    """``needminer.discover.centre`` with given means: each block minus its (training) mean, re-normalised.

    Args:
        vectors: Embeddings, (n, d).
        means: Per-column means of the training embeddings, (d,).
        blocks: Widths of concatenated embeddings; each is centred and normalised on its own first.
    """
    v = np.asarray(vectors, dtype=np.float32)
    m = np.asarray(means, dtype=np.float32)
    if blocks and len(blocks) > 1 and sum(blocks) == v.shape[1]:
        parts, start = [], 0
        for width in blocks:
            parts.append(unit_rows(v[:, start : start + width] - m[start : start + width]))
            start += width
        v = np.hstack(parts)
    else:
        v = v - m
    return unit_rows(v)


@dataclass(frozen=True)
class NeedModel:
    """A fitted need taxonomy: apply it to new fragments with ``assign``; keep it with ``save``/``load``.

    Attributes:
        needs: The known needs, in training order (largest first, a scattered group last).
        centroids: Unit centroid per need, float32 (len(needs), d), in the model's space.
        means: Training embedding means, float32 (d,), used to centre new vectors.
        blocks: Widths of concatenated embedding blocks (``ConcatEmbedder.blocks``); () for one.
        embedder: Embedder name as configured (``"e5-small+lite"``, ``"hashing"``).
        embedder_id: The embedder's ``model_id``; applying with another one is refused.
        threshold: Cosine to the nearest centroid below which a fragment goes to the "new" pile.
        config: The run config the model was fitted with (``PipelineConfig.to_dict()``).
        overrides: The taxonomy overrides of the fitting run (re-applied by ``apply``), as parsed.
        versions: needminer and library versions at fit time.
        created: ISO time of the fit.
        known_keys: ``text_key`` of every fragment text the model was fitted on, sorted, uint64.
        known_need: Per key, the index of the need that text went to (``LOOSE``: none), int32.
        curated: The needs as the fit showed them, after the overrides (merged, split, banned,
            renamed); ``needs`` are the clusters before them, which ``assign`` uses and the
            overrides are re-applied to. Empty for a model saved without them.
        vocabulary: The keyword vectorizer's vocabulary of the fitted corpus, term → count (terms
            said at least twice): the background a new need's keywords must stand out from.
    """

    needs: tuple[KnownNeed, ...]
    centroids: np.ndarray
    means: np.ndarray
    blocks: tuple[int, ...] = ()
    embedder: str = ""
    embedder_id: str = ""
    threshold: float = 0.0
    config: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    created: str = ""
    known_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    known_need: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    curated: tuple[KnownNeed, ...] = ()
    vocabulary: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        c = self.centroids
        if not isinstance(c, np.ndarray) or c.ndim != 2 or c.shape[0] != len(self.needs):
            raise ModelError(f"NeedModel: centroids must have shape ({len(self.needs)}, d); got {getattr(c, 'shape', None)}.")
        if self.means.shape != (c.shape[1],):
            raise ModelError(f"NeedModel: means must have shape ({c.shape[1]},); got {self.means.shape}.")

    @property
    def dim(self) -> int:
        return int(self.centroids.shape[1])

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(n.id for n in self.needs)

    def need(self, need_id: str) -> KnownNeed | None:
        return next((n for n in self.needs if n.id == need_id), None)

    # -- fitting --------------------------------------------------------------------------------------
    @classmethod
    def from_clusters(
        cls,
        needs: Sequence[KnownNeed],
        members: Mapping[str, Sequence[int]],
        vectors: np.ndarray,
        *,
        blocks: Sequence[int] | None = None,
        embedder: str = "",
        embedder_id: str = "",
        threshold: float | None = None,
        config: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None,
        versions: Mapping[str, str] | None = None,
        texts: Sequence[str] | None = None,
    ) -> NeedModel:
        """Build a model from the training embeddings and each need's member rows.

        Args:
            needs: The needs, in order.
            members: Need id → row indices into ``vectors``.
            vectors: Training embeddings (raw, as the embedder returned them), float32 (n, d).
            threshold: The "new" threshold; None = the ``THRESHOLD_QUANTILE`` of the members' cosines.
            texts: The fragment text of each row of ``vectors``: the model remembers (as keys) which
                need each text went to, rows in no need as ``LOOSE``.

        Raises:
            ModelError: A need without members, or no vectors.
        """
        v = np.asarray(vectors, dtype=np.float32)
        if v.ndim != 2 or v.shape[0] == 0:
            raise ModelError("A need model needs the training embeddings; got none.")
        means = v.mean(axis=0).astype(np.float32)
        space = centre_with(v, means, blocks)
        cents, member_cos = [], []
        for need in needs:
            rows = list(members.get(need.id, ()))
            if not rows:
                raise ModelError(f"Need {need.id} has no member fragments; a need model cannot hold it.")
            cent = unit_rows(space[rows].mean(axis=0, keepdims=True))[0]
            cents.append(cent)
            if not need.scattered:
                member_cos.extend((space[rows] @ cent).tolist())
        if threshold is None:
            threshold = float(np.quantile(member_cos, THRESHOLD_QUANTILE)) if member_cos else 0.0
        keys, known = _known_texts(needs, members, texts, len(v))
        return cls(
            needs=tuple(needs), centroids=np.stack(cents).astype(np.float32), means=means,
            blocks=tuple(int(b) for b in (blocks or ()) if len(blocks or ()) > 1), embedder=embedder,
            embedder_id=embedder_id, threshold=round(float(threshold), 6), config=dict(config or {}),
            overrides=dict(overrides or {}), versions=dict(versions or {}),
            created=datetime.now(timezone.utc).isoformat(timespec="seconds"), known_keys=keys, known_need=known,
        )

    # -- applying -------------------------------------------------------------------------------------
    def assign(self, vectors: np.ndarray, threshold: float | None = None, texts: Sequence[str] | None = None) -> Assignment:
        """Assign each embedding to its nearest known need, or to the "new" pile below the threshold.

        A text the model was fitted on keeps the fit's answer (``Assignment.seen``). Otherwise a
        scattered group is never assigned to. Deterministic: the same model and vectors give the
        same assignment, bit for bit, wherever the model was loaded.

        Args:
            vectors: Raw embeddings from the model's embedder, (n, d).
            threshold: Overrides ``self.threshold``.
            texts: The fragment text of each row (to recognise texts the model has seen); None = none.

        Raises:
            ModelError: The vectors' width differs from the model's.
        """
        v = np.asarray(vectors, dtype=np.float32)
        if v.ndim != 2 or v.shape[1] != self.dim:
            raise ModelError(
                f"The embeddings have shape {v.shape}, the need model expects (n, {self.dim}). Apply the model "
                f"with the embedder it was fitted with ({self.embedder or self.embedder_id})."
            )
        t = self.threshold if threshold is None else float(threshold)
        space = centre_with(v, self.means, self.blocks)
        usable = np.array([not n.scattered for n in self.needs], dtype=bool)
        if len(v) == 0 or not usable.any():
            empty = tuple("" for _ in range(len(v)))
            return Assignment(empty, empty, np.zeros(len(v), dtype=np.float32), space)
        raw = space @ self.centroids.T
        sims = raw.copy()
        sims[:, ~usable] = -np.inf
        best = np.argmax(sims, axis=1)
        conf = sims[np.arange(len(v)), best].astype(np.float32)
        nearest = tuple(self.needs[i].id for i in best)
        ids = [nid if c >= t else "" for nid, c in zip(nearest, conf)]
        seen = self._seen(texts, len(v))
        for r, j in enumerate(seen):
            if j is None:
                continue
            ids[r] = "" if j == LOOSE else self.needs[j].id
            if j != LOOSE:
                conf[r] = raw[r, j]
        return Assignment(tuple(ids), nearest, conf, space, tuple(j is not None for j in seen) if texts is not None else ())

    def _seen(self, texts: Sequence[str] | None, n: int) -> list[int | None]:
        """Per row, the need index the fit gave its text (``LOOSE``: none), or None for a text not seen."""
        if texts is None or len(self.known_keys) == 0:
            return [None] * n
        if len(texts) != n:
            raise ModelError(f"assign got {len(texts)} texts for {n} vectors; pass one text per vector.")
        keys = np.array([text_key(t) for t in texts], dtype=np.uint64)
        pos = np.searchsorted(self.known_keys, keys)
        pos[pos == len(self.known_keys)] = 0
        hit = self.known_keys[pos] == keys
        return [int(self.known_need[p]) if h else None for p, h in zip(pos, hit)]

    # -- persistence ----------------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write ``model.safetensors`` and ``model.json`` into ``folder`` (created; earlier model files replaced).

        Returns:
            The folder.

        Raises:
            ModelError: The folder cannot be written.
        """
        from safetensors.numpy import save as st_save

        out = Path(folder)
        blob = st_save({"centroids": np.ascontiguousarray(self.centroids), "means": np.ascontiguousarray(self.means),
                        "known_keys": np.ascontiguousarray(self.known_keys, dtype=np.uint64),
                        "known_need": np.ascontiguousarray(self.known_need, dtype=np.int32)})
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created": self.created,
            "embedder": self.embedder,
            "embedder_id": self.embedder_id,
            "blocks": list(self.blocks),
            "dim": self.dim,
            "threshold": self.threshold,
            "weights_sha256": hashlib.sha256(blob).hexdigest(),
            "needs": [n.to_dict() for n in self.needs],
            "overrides": self.overrides,
            "config": self.config,
            "versions": self.versions,
            "curated_needs": [n.to_dict() for n in self.curated],
            "vocabulary": self.vocabulary,
        }
        try:
            out.mkdir(parents=True, exist_ok=True)
            _write_atomic(out / WEIGHTS, blob)
            _write_atomic(out / META, (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        except OSError as exc:
            raise ModelError(f"Cannot write the need model into '{out}' ({type(exc).__name__}). Pass a writable folder.") from exc
        return out

    @classmethod
    def load(cls, folder: str | Path) -> NeedModel:
        """Read a model folder written by ``save`` (on any machine).

        Raises:
            ModelError: The folder or a file is missing, a file is corrupt, or the model was written
                by an incompatible needminer (the message says which and what to do).
        """
        d = Path(folder)
        if not d.is_dir():
            raise ModelError(f"Need model folder '{d}' does not exist. Pass a folder written by `needminer run --save-model`.")
        missing = [name for name in (META, WEIGHTS) if not (d / name).is_file()]
        if missing:
            raise ModelError(
                f"'{d}' is not a need model folder: {', '.join(missing)} missing. "
                "Pass a folder written by `needminer run --save-model` (or NeedMiner.save)."
            )
        try:
            meta = json.loads((d / META).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"'{d / META}' is not readable JSON ({type(exc).__name__}). Save the model again.") from exc
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ModelError(f"'{d / META}' is not a needminer need model. Pass a folder written by `needminer run --save-model`.")
        version = meta.get("format_version")
        if version != FORMAT_VERSION:
            raise ModelError(
                f"The need model in '{d}' has format version {version!r}; this needminer reads version {FORMAT_VERSION}. "
                "Fit and save the model again with this version (needminer run --save-model)."
            )
        return cls._from_files(d, meta)

    @classmethod
    def _from_files(cls, d: Path, meta: dict[str, Any]) -> NeedModel:
        from safetensors import SafetensorError
        from safetensors.numpy import load as st_load

        blob = (d / WEIGHTS).read_bytes()
        if meta.get("weights_sha256") and hashlib.sha256(blob).hexdigest() != meta["weights_sha256"]:
            raise ModelError(f"'{d / WEIGHTS}' does not match its model.json (corrupt or replaced). Save the model again.")
        try:
            arrays = st_load(blob)
            needs = tuple(KnownNeed.from_dict(n) for n in meta["needs"])
            return cls(
                needs=needs, centroids=arrays["centroids"].astype(np.float32, copy=False),
                means=arrays["means"].astype(np.float32, copy=False),
                blocks=tuple(int(b) for b in meta.get("blocks", ())), embedder=str(meta.get("embedder", "")),
                embedder_id=str(meta.get("embedder_id", "")), threshold=float(meta.get("threshold", 0.0)),
                config=dict(meta.get("config") or {}), overrides=dict(meta.get("overrides") or {}),
                versions=dict(meta.get("versions") or {}), created=str(meta.get("created", "")),
                curated=tuple(KnownNeed.from_dict(n) for n in meta.get("curated_needs") or ()),
                vocabulary={str(k): int(v) for k, v in (meta.get("vocabulary") or {}).items()},
                known_keys=arrays.get("known_keys", np.zeros(0, np.uint64)).astype(np.uint64, copy=False),
                known_need=arrays.get("known_need", np.zeros(0, np.int32)).astype(np.int32, copy=False),
            )
        except ModelError:
            raise
        except (SafetensorError, KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"The need model in '{d}' is corrupt ({type(exc).__name__}). Save the model again.") from exc

    def check_embedder(self, embedder_id: str) -> None:
        """Refuse an embedder other than the one the model was fitted with.

        Raises:
            ModelError: Naming both embedders and what to do.
        """
        if self.embedder_id and embedder_id != self.embedder_id:
            raise ModelError(
                f"The need model was fitted with embedder '{self.embedder_id}', but this run embeds with "
                f"'{embedder_id}'. Apply it with --embedder {self.embedder or self.embedder_id} (the default for "
                "`needminer apply`), or fit a new model with this embedder."
            )


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _known_texts(needs: Sequence[KnownNeed], members: Mapping[str, Sequence[int]], texts: Sequence[str] | None,
                 n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted text keys and the need index of each (a text said in several needs: where most copies
    went, the first such need on a tie; rows in no need: ``LOOSE``)."""
    if texts is None:
        return np.zeros(0, np.uint64), np.zeros(0, np.int32)
    if len(texts) != n:
        raise ModelError(f"NeedModel: {len(texts)} texts for {n} training vectors; pass one text per vector.")
    need_of = [LOOSE] * n
    for j, need in enumerate(needs):
        for r in members.get(need.id, ()):
            need_of[r] = j
    votes: dict[int, dict[int, int]] = {}
    for r, t in enumerate(texts):
        tally = votes.setdefault(text_key(t), {})
        tally[need_of[r]] = tally.get(need_of[r], 0) + 1
    keys = np.array(sorted(votes), dtype=np.uint64)
    known = np.array([max(votes[int(k)].items(), key=lambda kv: (kv[1], kv[0] != LOOSE, -kv[0]))[0] for k in keys],
                     dtype=np.int32)
    return keys, known
