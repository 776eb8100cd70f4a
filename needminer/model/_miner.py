"""``NeedMiner``: needminer as a scikit-learn style estimator (``from needminer import NeedMiner``)."""

from __future__ import annotations

import dataclasses

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from needminer.errors import ConfigError, NotFittedError
from needminer.model._need_model import KnownNeed, NeedModel
from needminer.model._overrides import Curation, Overrides, curate_discovery
from needminer.types import Discovery, Fragment, Message, NeedCluster


@dataclass(frozen=True)
class NeedAssignments:
    """What ``NeedMiner.transform`` returns: one entry per input text or message.

    Attributes:
        need_ids: The need of each input (``""``: none — below the threshold, banned, or no need in it).
        labels: Index into ``NeedMiner.needs_`` per input, ``-1`` for none.
        confidence: Cosine of each input to its nearest need's centroid (0 when it holds no need).
        titles: The need's title per input (``""`` for none).
    """

    need_ids: tuple[str, ...]
    labels: np.ndarray
    confidence: np.ndarray
    titles: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.need_ids)


class NeedMiner(TransformerMixin, BaseEstimator):
    """Find the needs in chat texts or messages, then assign new ones to them.

    ``fit`` runs needminer's stages in memory (no report, no workspace unless given): texts are
    clustered as they are (one fragment each, as ``needminer cluster`` does); messages go through
    text cleaning, threading and the need detector first. ``transform`` assigns inputs to the
    fitted needs with the saved-model logic of ``needminer apply``.

    Args:
        embedder: Embedder name (``"e5-small+lite"``, ``"lite"``, ``"hf:PATH"``, ``"hashing"``).
        granularity: ``"coarse"``, ``"normal"``, ``"fine"`` or a target number of needs.
        seed: Random seed (same input + seed → same needs).
        threshold: Cosine below which ``transform`` leaves an input unassigned; None = from the fit.
        overrides: Path of a taxonomy overrides TOML (merge, split, ban, rename, pin), or None.
        detector: Need detector for message input (``"default"``, ``"rules"`` or a model folder).
        workspace: Optional workspace folder used as the embedding cache.

    Attributes:
        model_: The fitted ``NeedModel`` (its needs as discovered; the overrides travel with it).
        needs_: The curated needs (after merge, split, ban and rename), as ``KnownNeed``.
        labels_: Index into ``needs_`` per input of ``fit``, ``-1`` when the input is in no need.
        need_ids_: Need id per input of ``fit`` (``""`` for none).
        fragments_: The fragments that were clustered.
        discovery_: The discovery after the overrides.
        n_needs_: ``len(needs_)``.
    """

    def __init__(
        self,
        *,
        embedder: str = "e5-small+lite",
        granularity: str = "normal",
        seed: int = 42,
        threshold: float | None = None,
        overrides: str | None = None,
        detector: str = "default",
        workspace: str | None = None,
    ) -> None:
        self.embedder = embedder
        self.granularity = granularity
        self.seed = seed
        self.threshold = threshold
        self.overrides = overrides
        self.detector = detector
        self.workspace = workspace

    # -- sklearn contract -----------------------------------------------------------------------------
    def _config(self):
        from needminer.config import load_config

        return load_config(None, {"embed.embedder": self.embedder, "discover.granularity": str(self.granularity),
                                  "seed": self.seed, "signals.detector": self.detector})

    def _overrides(self) -> Overrides:
        return Overrides.load(self.overrides) if self.overrides else Overrides()

    def check_is_fitted(self) -> None:
        """Raises ``NotFittedError`` (sklearn's wording) when ``fit`` has not run."""
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with appropriate arguments "
                "before using this estimator."
            )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")

    def fit(self, X: Sequence[str] | Sequence[Message] | Sequence[Mapping[str, Any]], y: Any = None) -> NeedMiner:
        """Discover the needs of ``X`` (texts, ``Message`` objects or message dicts).

        Raises:
            ConfigError: ``X`` is empty or mixes kinds, or a parameter is invalid.
            EmptyCorpusError: Nothing in ``X`` carries a need.
        """
        from needminer.describe import describe_needs
        from needminer.discover import discover_needs
        from needminer.model._fit import fit_need_model
        from needminer._versions import versions

        cfg = self._config()
        overrides = self._overrides()
        frags, signals, owner = self._fragments(X, cfg)
        embedder, vecs = self._embed(frags, cfg)
        blocks = getattr(embedder, "blocks", None)
        disc = discover_needs(frags, vecs, cfg.discover, seed=cfg.seed, blocks=blocks)
        stmts = describe_needs(disc, frags, signals)
        self.model_ = fit_need_model(
            disc, stmts, frags, vecs, blocks=blocks, embedder=self.embedder, embedder_id=embedder.model_id,
            config=cfg.to_dict(), overrides=overrides.to_dict(), versions=versions(), threshold=self.threshold,
        )
        log = Curation()
        curated = curate_discovery(disc, frags, overrides, log)
        self.needs_ = self._curated_needs(curated, frags, signals, overrides, log)
        self.model_ = dataclasses.replace(self.model_, curated=self.needs_)
        self.discovery_ = curated
        self.fragments_ = tuple(frags)
        self.n_needs_ = len(self.needs_)
        member = {f: c.id for c in curated.clusters for f in c.fragment_ids}
        self.need_ids_ = self._per_input(owner, [member.get(f.id, "") for f in frags],
                                         np.ones(len(frags), dtype=np.float32), len(X))[0]
        index = {n.id: i for i, n in enumerate(self.needs_)}
        self.labels_ = np.array([index.get(i, -1) for i in self.need_ids_], dtype=int)
        return self

    def transform(self, X: Sequence[str] | Sequence[Message] | Sequence[Mapping[str, Any]]) -> NeedAssignments:
        """Assign each input to a fitted need (nearest centroid above the threshold; overrides applied).

        Returns:
            ``NeedAssignments`` with one entry per input.

        Raises:
            NotFittedError: Before ``fit``.
        """
        self.check_is_fitted()
        cfg = self._config()
        frags, _signals, owner = self._fragments(X, cfg, allow_empty=True)
        embedder, vecs = self._embed(frags, cfg) if frags else (None, np.zeros((0, self.model_.dim), np.float32))
        if embedder is not None:
            self.model_.check_embedder(embedder.model_id)
        asg = self.model_.assign(vecs, self.threshold, [f.text for f in frags])
        rows: dict[str, list[int]] = {}
        for r, nid in enumerate(asg.need_ids):
            if nid:
                rows.setdefault(nid, []).append(r)
        clusters = tuple(NeedCluster(id=n.id, fragment_ids=tuple(frags[r].id for r in rows[n.id]))
                         for n in self.model_.needs if n.id in rows)
        curated = curate_discovery(Discovery(clusters=clusters), frags, self._overrides(), Curation())
        member = {f: c.id for c in curated.clusters for f in c.fragment_ids}
        ids, conf = self._per_input(owner, [member.get(f.id, "") for f in frags], asg.confidence, len(X))
        index = {n.id: i for i, n in enumerate(self.needs_)}
        title = {n.id: n.title for n in self.needs_}
        return NeedAssignments(need_ids=ids, labels=np.array([index.get(i, -1) for i in ids], dtype=int),
                               confidence=conf, titles=tuple(title.get(i, "") for i in ids))

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> NeedAssignments:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X, y).transform(X)

    # -- persistence ----------------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Save the fitted model (``model.safetensors`` + ``model.json``; no pickle) and this estimator's params."""
        self.check_is_fitted()
        self.model_.save(folder)
        return Path(folder)

    @classmethod
    def load(cls, folder: str | Path) -> NeedMiner:
        """A fitted ``NeedMiner`` from a folder written by ``save`` or ``needminer run --save-model``.

        Raises:
            ModelError: The folder is missing, corrupt or from another version.
        """
        model = NeedModel.load(folder)
        cfg = model.config
        est = cls(embedder=model.embedder or "e5-small+lite",
                  granularity=str(cfg.get("discover", {}).get("granularity", "normal")), seed=int(cfg.get("seed", 42)),
                  detector=str(cfg.get("signals", {}).get("detector", "default")))
        est.model_ = model
        log = Curation()
        ov = Overrides.from_dict(model.overrides, "the model's overrides")
        renamed = {**{r.new_id: r.title for r in ov.split if r.title}, **ov.rename}
        # the needs as the fit showed them; a model saved without them: its needs, renamed, minus bans
        # (merge and split need the training fragments)
        est.needs_ = model.curated or tuple(_renamed(n, renamed) for n in model.needs if n.id not in set(ov.ban))
        est.n_needs_ = len(est.needs_)
        est.fragments_ = ()
        est.discovery_ = Discovery(clusters=())
        est.need_ids_ = ()
        est.labels_ = np.zeros(0, dtype=int)
        del log
        return est

    # -- BERTopic export ------------------------------------------------------------------------------
    def to_bertopic(self):
        """A ``bertopic.BERTopic`` holding the fitted needs as its topics (for ``visualize_*``).

        Built by BERTopic's manual topic modelling (given labels, no UMAP/HDBSCAN), on the fit's
        fragments and embeddings; topic ``i`` is ``needs_[i]``, and its custom label is the need's title.

        Raises:
            NotFittedError: Before ``fit``, or on an estimator loaded from disk (it holds no fragments).
            MissingDependencyError: BERTopic is not installed.
        """
        self.check_is_fitted()
        if not self.fragments_:
            raise NotFittedError("This NeedMiner was loaded from disk and holds no fragments; call 'fit' to export to BERTopic.")
        from needminer.model._bertopic import to_bertopic

        cfg = self._config()
        _embedder, vecs = self._embed(list(self.fragments_), cfg)
        member = {f: c.id for c in self.discovery_.clusters for f in c.fragment_ids}
        index = {n.id: i for i, n in enumerate(self.needs_)}
        y = [index.get(member.get(f.id, ""), -1) for f in self.fragments_]
        return to_bertopic([f.text for f in self.fragments_], vecs, y, [n.title for n in self.needs_], seed=self.seed)

    @property
    def bertopic_model_(self):
        """``to_bertopic()``, built on first access and kept."""
        cached = self.__dict__.get("_bertopic_cache")
        if cached is None:
            cached = self.to_bertopic()
            self.__dict__["_bertopic_cache"] = cached
        return cached

    # -- helpers --------------------------------------------------------------------------------------
    def _fragments(self, X: Any, cfg, allow_empty: bool = False) -> tuple[list[Fragment], list, list[int]]:
        """Fragments of the inputs, their signals, and the input index each fragment came from."""
        from needminer.errors import EmptyCorpusError
        from needminer.text import normalize

        if isinstance(X, (str, bytes)) or not isinstance(X, Sequence) and not hasattr(X, "__iter__"):
            raise ConfigError(f"{type(self).__name__} takes a list of texts or messages. Got {type(X).__name__}.")
        items = list(X)
        if not items and not allow_empty:
            raise ConfigError(f"{type(self).__name__}.fit got no input. Pass a non-empty list of texts or messages.")
        if all(isinstance(x, str) for x in items):
            frags = [Fragment(id=f"row{i}", message_id=f"row{i}", chat="", speaker=f"row{i}", text=normalize(t),
                              span=(0, len(t))) for i, t in enumerate(items)]
            keep = [(f, i) for i, f in enumerate(frags) if f.text.strip()]
            if not keep and not allow_empty:
                raise EmptyCorpusError("All texts are empty; there is nothing to cluster.")
            return [f for f, _ in keep], [], [i for _, i in keep]
        if all(isinstance(x, (Message, Mapping)) for x in items):
            return self._message_fragments([_message(x, i) for i, x in enumerate(items)], cfg, allow_empty)
        raise ConfigError(
            f"{type(self).__name__} takes a list of texts (str) or of messages (needminer.types.Message or dicts "
            "with 'text' and 'sender'); the list mixes other kinds."
        )

    def _message_fragments(self, messages: list[Message], cfg, allow_empty: bool) -> tuple[list[Fragment], list, list[int]]:
        from needminer.conversation import build_conversation
        from needminer.errors import EmptyCorpusError
        from needminer.signals import get_detector
        from needminer.text import clean_messages

        # pseudonyms only live in memory here: a fresh key per call, never stored
        clean = clean_messages(messages, secret=os.urandom(32), config=cfg.text)
        conv = build_conversation(clean, cfg.conversation)
        sigs = get_detector(cfg.signals.detector).detect(conv.fragments)
        keep = [(f, s) for f, s in zip(conv.fragments, sigs) if s.need and s.intensity >= cfg.signals.min_intensity]
        if not keep and not allow_empty:
            raise EmptyCorpusError("None of the messages carries a need (complaint, wish or question).")
        position = {m.id: i for i, m in enumerate(messages)}
        return [f for f, _ in keep], [s for _, s in keep], [position.get(f.message_id, -1) for f, _ in keep]

    def _embed(self, frags: Sequence[Fragment], cfg):
        from needminer.embed import embed_with_cache, get_embedder
        from needminer.store import Workspace

        embedder = get_embedder(cfg.embed.embedder, models_dir=cfg.embed.models_dir, batch_size=cfg.embed.batch_size,
                                threads=cfg.embed.threads)
        ws = Workspace(self.workspace) if self.workspace else None
        try:
            return embedder, embed_with_cache(embedder, [f.text for f in frags], ws)
        finally:
            if ws is not None:
                ws.close()

    @staticmethod
    def _per_input(owner: Sequence[int], ids: Sequence[str], conf: np.ndarray, n: int) -> tuple[tuple[str, ...], np.ndarray]:
        """Per input: the need of its most confident assigned fragment (messages hold several)."""
        best_id = [""] * n
        best_conf = np.zeros(n, dtype=np.float32)
        for row, (i, nid) in enumerate(zip(owner, ids)):
            if 0 <= i < n and nid and (not best_id[i] or conf[row] > best_conf[i]):
                best_id[i], best_conf[i] = nid, conf[row]
        for row, i in enumerate(owner):  # inputs with no need still report their nearest cosine
            if 0 <= i < n and not best_id[i]:
                best_conf[i] = max(best_conf[i], conf[row])
        return tuple(best_id), best_conf

    def _curated_needs(self, curated: Discovery, frags: Sequence[Fragment], signals: Sequence, overrides: Overrides,
                       log: Curation) -> tuple[KnownNeed, ...]:
        from needminer.describe import describe_needs
        from needminer.model._overrides import curate_statements

        stmts = curate_statements(describe_needs(curated, frags, signals), overrides, log)
        by_id = {s.need_id: s for s in stmts}
        return tuple(
            KnownNeed(id=c.id, title=by_id[c.id].title, statement=by_id[c.id].statement, keywords=c.keywords,
                      slots={k: v.text for k, v in by_id[c.id].slots.items() if v.text.strip()}, domain=c.domain,
                      size=len(c.fragment_ids), scattered=c.scattered)
            for c in curated.clusters
        )


def _renamed(need: KnownNeed, titles: Mapping[str, str]) -> KnownNeed:
    from dataclasses import replace

    return replace(need, title=titles[need.id]) if need.id in titles else need


def _message(x: Message | Mapping[str, Any], i: int) -> Message:
    """A ``Message`` from a message or a dict with ``text`` and ``sender`` (``id``, ``time``, ``chat`` optional)."""
    if isinstance(x, Message):
        return x
    if not isinstance(x.get("text"), str) or not x.get("sender"):
        raise ConfigError(f"Message {i} must have a 'text' string and a 'sender'. Got keys {sorted(x)}.")
    when = x.get("time")
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when)
        except ValueError:
            raise ConfigError(f"Message {i}: 'time' must be ISO 8601. Got {when!r}.") from None
    if isinstance(when, datetime) and when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return Message(id=str(x.get("id") or f"m{i}"), chat=str(x.get("chat", "")), sender=str(x["sender"]),
                   text=x["text"], time=when if isinstance(when, datetime) else None,
                   reply_to=str(x["reply_to"]) if x.get("reply_to") else None, ordinal=i)
