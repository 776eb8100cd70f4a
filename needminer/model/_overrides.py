"""Curate the taxonomy: merge, split, ban, rename and pin needs from a TOML overrides file.

An overrides file is applied on every ``needminer run`` and ``needminer apply``, always in the same
order — merge, split, ban (on the clusters, before describe), rename (on the statements), pin (on
the ranking) — so the same file on the same needs gives the same report. Every rule that found
nothing to act on (an id this run does not have) is listed as unmatched in the manifest rather
than failing, so one file can follow a taxonomy as it grows::

    [[merge]]
    needs = ["N86c508", "N1a2b3c"]   # the first id is kept; the others' fragments join it

    [[split]]
    need = "N3418d8"
    keywords = ["膝盖"]               # its fragments that say one of these become a need of their own
    title = "跑步护膝"                # optional

    [ban]
    needs = ["Nd7ed25"]               # kept out of the ranking, the report and the evidence lists
    words = ["代购"]                  # optional: fragments saying one of these leave every need

    [rename]
    N86c508 = "油皮定妆不脱妆"         # the need keeps its id

    [pin]
    needs = ["N8b6094"]               # on top of the ranking, in this order
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from needminer.errors import ConfigError
from needminer.types import Discovery, Fragment, NeedCluster, NeedStatement, RankedNeed

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

OPS = ("merge", "split", "ban", "rename", "pin")


@dataclass(frozen=True)
class SplitRule:
    """Move the fragments of ``need`` that say one of ``keywords`` into a need of their own."""

    need: str
    keywords: tuple[str, ...]
    title: str = ""

    @property
    def new_id(self) -> str:
        """The split-off need's id: the same rule always gives the same id."""
        key = "split|" + self.need + "|" + "|".join(sorted(self.keywords))
        return "N" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:6]


@dataclass(frozen=True)
class Overrides:
    """A parsed overrides file (see the module docstring for the TOML form).

    Attributes:
        merge: Groups of need ids; the first of each group is kept.
        split: Split rules.
        ban: Need ids kept out of the ranking.
        ban_words: Words whose fragments leave every need.
        rename: Need id → new title.
        pin: Need ids put on top of the ranking, in order.
    """

    merge: tuple[tuple[str, ...], ...] = ()
    split: tuple[SplitRule, ...] = ()
    ban: tuple[str, ...] = ()
    ban_words: tuple[str, ...] = ()
    rename: dict[str, str] = field(default_factory=dict)
    pin: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.merge or self.split or self.ban or self.ban_words or self.rename or self.pin)

    def to_dict(self) -> dict[str, Any]:
        """The TOML structure as plain JSON (for the manifest and model.json)."""
        out: dict[str, Any] = {}
        if self.merge:
            out["merge"] = [{"needs": list(g)} for g in self.merge]
        if self.split:
            out["split"] = [{"need": s.need, "keywords": list(s.keywords), **({"title": s.title} if s.title else {})}
                            for s in self.split]
        if self.ban or self.ban_words:
            out["ban"] = {"needs": list(self.ban), "words": list(self.ban_words)}
        if self.rename:
            out["rename"] = dict(self.rename)
        if self.pin:
            out["pin"] = {"needs": list(self.pin)}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "overrides") -> Overrides:
        """Parse the TOML structure.

        Raises:
            ConfigError: An unknown key or a value of the wrong shape, naming where it is.
        """
        unknown = sorted(set(data) - set(OPS))
        if unknown:
            raise ConfigError(f"Unknown key '{unknown[0]}' in {source}. Known keys: {', '.join(OPS)}.")
        merge = tuple(tuple(_ids(_table(g, f"{source}: [[merge]]", {"needs"}).get("needs"), f"{source}: merge.needs", 2))
                      for g in _list(data.get("merge", []), f"{source}: [[merge]]"))
        split = []
        for s in _list(data.get("split", []), f"{source}: [[split]]"):
            t = _table(s, f"{source}: [[split]]", {"need", "keywords", "title"})
            need = _ids([t.get("need")], f"{source}: split.need", 1)[0]
            words = tuple(_ids(t.get("keywords"), f"{source}: split.keywords", 1))
            split.append(SplitRule(need, words, _text(t.get("title", ""), f"{source}: split.title")))
        ban = _table(data.get("ban", {}), f"{source}: [ban]", {"needs", "words"})
        rename = _table(data.get("rename", {}), f"{source}: [rename]", None)
        pin = _table(data.get("pin", {}), f"{source}: [pin]", {"needs"})
        return cls(
            merge=merge,
            split=tuple(split),
            ban=tuple(_ids(ban.get("needs", []), f"{source}: ban.needs", 0)),
            ban_words=tuple(_ids(ban.get("words", []), f"{source}: ban.words", 0)),
            rename={str(k): _text(v, f"{source}: rename.{k}") for k, v in rename.items()},
            pin=tuple(_ids(pin.get("needs", []), f"{source}: pin.needs", 0)),
        )

    @classmethod
    def load(cls, path: str | Path) -> Overrides:
        """Read an overrides TOML file.

        Raises:
            ConfigError: The file is missing, not TOML, or holds an unknown key or a bad value.
        """
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"Overrides file '{p}' does not exist. Pass an existing TOML file to --overrides.")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Overrides file '{p}' is not valid TOML: {exc}. Fix the syntax and retry.") from exc
        return cls.from_dict(data, source=f"overrides file '{p}'")


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be an array of tables. Got {type(value).__name__}.")
    return value


def _table(value: Any, where: str, keys: set[str] | None) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table. Got {type(value).__name__}.")
    if keys is not None and set(value) - keys:
        bad = sorted(set(value) - keys)[0]
        raise ConfigError(f"Unknown key '{bad}' in {where}. Known keys: {', '.join(sorted(keys))}.")
    return value


def _ids(value: Any, where: str, at_least: int) -> list[str]:
    if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of non-empty strings. Got {value!r}.")
    if len(value) < at_least:
        raise ConfigError(f"{where} must list at least {at_least}. Got {len(value)}.")
    return [v.strip() for v in value]


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string. Got {value!r}.")
    return value.strip()


@dataclass
class Curation:
    """What the overrides did in one run: for the manifest (``to_dict``) and the report (``notes``).

    Attributes:
        applied: One entry per rule that acted (op, ids, fragments moved).
        unmatched: Rules that found nothing to act on, with the reason.
        notes: Need id → short records shown beside that need in the report.
    """

    applied: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    notes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def note(self, need_id: str, record: dict[str, Any]) -> None:
        self.notes.setdefault(need_id, []).append(record)

    def to_dict(self, overrides: Overrides, source: str = "") -> dict[str, Any]:
        return {"source": source, "rules": overrides.to_dict(), "applied": self.applied, "unmatched": self.unmatched}


def curate_discovery(disc: Discovery, fragments: Sequence[Fragment], ov: Overrides, log: Curation) -> Discovery:
    """Merge, split and ban on the clusters (before describe); unknown ids are logged, not fatal."""
    if not (ov.merge or ov.split or ov.ban or ov.ban_words):
        return disc
    clusters = list(disc.clusters)
    text = {f.id: f.text for f in fragments}
    for group in ov.merge:
        clusters = _merge(clusters, group, log)
    for rule in ov.split:
        clusters = _split(clusters, rule, text, log)
    unassigned = tuple(disc.unassigned)
    for need_id in ov.ban:
        hit = next((c for c in clusters if c.id == need_id), None)
        if hit is None:
            log.unmatched.append({"op": "ban", "need": need_id, "reason": "no such need in this run"})
            continue
        clusters.remove(hit)
        log.applied.append({"op": "ban", "need": need_id, "fragments": len(hit.fragment_ids)})
    if ov.ban_words:
        clusters, unassigned = _ban_words(clusters, unassigned, ov.ban_words, text, log)
    kept = {fid for c in clusters for fid in c.fragment_ids} | set(unassigned)
    total = len(kept)
    covered = sum(len(c.fragment_ids) for c in clusters if not c.scattered)
    params = {**disc.params, "curated": True}
    return Discovery(clusters=tuple(clusters), unassigned=unassigned,
                     coverage=covered / total if total else 0.0, params=params)


def _merge(clusters: list[NeedCluster], group: Sequence[str], log: Curation) -> list[NeedCluster]:
    present = [c for gid in group for c in clusters if c.id == gid]
    if len(present) < 2:
        log.unmatched.append({"op": "merge", "needs": list(group),
                              "reason": "fewer than two of these needs in this run"})
        return clusters
    target, others = present[0], present[1:]
    conf = target.confidence + tuple(x for c in others for x in c.confidence)
    merged = dataclasses.replace(
        target,
        fragment_ids=target.fragment_ids + tuple(f for c in others for f in c.fragment_ids),
        keywords=tuple(dict.fromkeys(target.keywords + tuple(k for c in others for k in c.keywords)))[:10],
        confidence=conf if len(conf) == len(target.fragment_ids) + sum(len(c.fragment_ids) for c in others) else (),
        reassigned=target.reassigned + tuple(f for c in others for f in c.reassigned),
        scattered=target.scattered and all(c.scattered for c in others),
    )
    gone = {c.id for c in others}
    log.applied.append({"op": "merge", "into": target.id, "needs": [c.id for c in present],
                        "fragments": len(merged.fragment_ids)})
    log.note(target.id, {"op": "merge", "needs": [c.id for c in others]})
    return [merged if c.id == target.id else c for c in clusters if c.id not in gone]


def _says(text: str, words: Sequence[str]) -> bool:
    low = text.lower()
    return any(w.lower() in low for w in words)


def _split(clusters: list[NeedCluster], rule: SplitRule, text: Mapping[str, str], log: Curation) -> list[NeedCluster]:
    idx = next((i for i, c in enumerate(clusters) if c.id == rule.need), None)
    if idx is None:
        log.unmatched.append({"op": "split", "need": rule.need, "reason": "no such need in this run"})
        return clusters
    src = clusters[idx]
    moved = [i for i, f in enumerate(src.fragment_ids) if _says(text.get(f, ""), rule.keywords)]
    if not moved or len(moved) == len(src.fragment_ids):
        reason = "no fragment says the keywords" if not moved else "every fragment says the keywords"
        log.unmatched.append({"op": "split", "need": rule.need, "reason": reason})
        return clusters
    if any(c.id == rule.new_id for c in clusters):
        log.unmatched.append({"op": "split", "need": rule.need, "reason": f"{rule.new_id} exists already"})
        return clusters
    keep = [i for i in range(len(src.fragment_ids)) if i not in set(moved)]

    def part(rows: list[int], **kw: Any) -> NeedCluster:
        ids = tuple(src.fragment_ids[i] for i in rows)
        conf = tuple(src.confidence[i] for i in rows) if src.confidence else ()
        return dataclasses.replace(src, fragment_ids=ids, confidence=conf,
                                   reassigned=tuple(f for f in src.reassigned if f in set(ids)), **kw)

    new = part(moved, id=rule.new_id, keywords=tuple(dict.fromkeys(rule.keywords + src.keywords))[:10], label="")
    rest = part(keep, keywords=tuple(k for k in src.keywords if not _says(k, rule.keywords)) or src.keywords)
    log.applied.append({"op": "split", "need": src.id, "into": new.id, "fragments": len(moved)})
    log.note(new.id, {"op": "split", "from": src.id})
    log.note(src.id, {"op": "split", "into": new.id})
    return clusters[:idx] + [rest, new] + clusters[idx + 1 :]


def _ban_words(clusters: list[NeedCluster], unassigned: tuple[str, ...], words: Sequence[str],
               text: Mapping[str, str], log: Curation) -> tuple[list[NeedCluster], tuple[str, ...]]:
    out, dropped = [], 0
    for c in clusters:
        rows = [i for i, f in enumerate(c.fragment_ids) if not _says(text.get(f, ""), words)]
        dropped += len(c.fragment_ids) - len(rows)
        if not rows:
            continue
        if len(rows) < len(c.fragment_ids):
            ids = tuple(c.fragment_ids[i] for i in rows)
            c = dataclasses.replace(c, fragment_ids=ids,
                                    confidence=tuple(c.confidence[i] for i in rows) if c.confidence else (),
                                    reassigned=tuple(f for f in c.reassigned if f in set(ids)))
        out.append(c)
    loose = tuple(f for f in unassigned if not _says(text.get(f, ""), words))
    dropped += len(unassigned) - len(loose)
    entry = {"op": "ban", "words": len(words), "fragments": dropped}  # the words stay in the rules, not repeated
    (log.applied if dropped else log.unmatched).append(entry if dropped else {**entry, "reason": "no fragment says them"})
    return out, loose


def curate_statements(stmts: Sequence[NeedStatement], ov: Overrides, log: Curation) -> list[NeedStatement]:
    """Rename (the need keeps its id) and give split-off needs their rule's title."""
    titles = {r.new_id: r.title for r in ov.split if r.title}
    titles.update(ov.rename)
    present = {s.need_id for s in stmts}
    for need_id in ov.rename:
        if need_id not in present:
            log.unmatched.append({"op": "rename", "need": need_id, "reason": "no such need in this run"})
    out = []
    for s in stmts:
        new = titles.get(s.need_id)
        if new and new != s.title:
            if s.need_id in ov.rename:
                log.applied.append({"op": "rename", "need": s.need_id})
            log.note(s.need_id, {"op": "rename", "from": s.title})
            s = dataclasses.replace(s, title=new)
        out.append(s)
    return out


def curate_ranking(ranked: Sequence[RankedNeed], ov: Overrides, log: Curation) -> list[RankedNeed]:
    """Pinned needs first, in the file's order; the rest keep their order; ranks renumbered.

    A pin is the curator saying "this is a need": a pinned cluster below the bar is listed."""
    if not ov.pin:
        return list(ranked)
    by_id = {n.id: n for n in ranked}
    pinned = [by_id[i] for i in dict.fromkeys(ov.pin) if i in by_id]
    for need_id in ov.pin:
        if need_id not in by_id:
            log.unmatched.append({"op": "pin", "need": need_id, "reason": "no such need in this run"})
    for n in pinned:
        log.applied.append({"op": "pin", "need": n.id, "was_rank": n.rank})
        log.note(n.id, {"op": "pin"})
    pinned = [dataclasses.replace(n, below_bar="") for n in pinned]
    rest = [n for n in ranked if n.id not in {p.id for p in pinned}]
    return [dataclasses.replace(n, rank=i) for i, n in enumerate(pinned + rest, start=1)]
