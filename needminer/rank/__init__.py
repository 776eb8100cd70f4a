"""Rank needs by evidence: a transparent NeedScore with a per-factor breakdown.

    score = 100 · Σ_f w_f · x_f / Σ_f w_f · coherence   (every factor x_f is scaled to [0, 1];
            coherence = min(1, raw specificity / 0.3) · min(1, need share / 0.75) shrinks grab-bag
            clusters of chit-chat and clusters whose fragments are on average unlikely needs)

Factors: speakers (distinct people, log-scaled), chats, endorsements ("+1" votes by distinct
people who did not voice the need themselves), intensity, unmet (share of complaints and questions
nobody else answered in the thread), recency (share of evidence in the last period), growth (last
period vs the mean of earlier ones), specificity (share of fragments using one of the need's top
keywords × mean closeness to the centroid).

A cluster is *listed* as a need only when at least ``rank.min_people`` people (speakers plus
endorsers) voice it, its need share reaches ``rank.min_need_share`` and at least
``rank.min_title_share`` of its distinct lines say a word of its title (``title_share``); the others keep their score but
come after every listed need with the reason (``RankedNeed.below_bar``): two people in a private chat
talking about their day are no community need, and neither is a topic of chatter.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from needminer.config import RankConfig
from needminer.types import (
    CleanMessage,
    Conversation,
    Discovery,
    Evidence,
    Fragment,
    NeedCluster,
    NeedStatement,
    RankedNeed,
    Signal,
    SignalLabel,
)

__all__ = ["FACTORS", "below_bar", "formula", "rank_needs"]

COHERENCE_FLOOR = 0.3  # below this specificity a cluster is a grab-bag: its score shrinks in proportion
# Below this need share — the mean P(need) of a cluster's fragments (``Signal.need_score``) — a
# cluster is talk about a topic more than a need: its score shrinks in proportion. Measured on the
# labelled real QQ group (bench/real_chat): clusters that are mostly needs sit at .78–.88, clusters
# of chatter, adverts and answers at .40–.63.
NEED_SHARE_FLOOR = 0.75
_NEED_LABELS = (SignalLabel.pain, SignalLabel.wish, SignalLabel.question)
FACTORS = ("speakers", "chats", "endorsements", "intensity", "unmet", "recency", "growth", "specificity")


def formula(config: RankConfig) -> str:
    """The scoring formula with the configured weights, for the report footer."""
    w = config.weights
    terms = " + ".join(f"{w.get(f, 0):g}·{f}" for f in FACTORS)
    total = sum(w.get(f, 0) for f in FACTORS)
    return (
        f"NeedScore = 100 × ({terms}) / {total:g} × coherence; each factor scaled to [0, 1]; "
        f"coherence = min(1, specificity / {COHERENCE_FLOOR:g}) × min(1, need share / {NEED_SHARE_FLOOR:g}) "
        "shrinks grab-bag clusters and clusters whose fragments are on average unlikely needs"
    )


@dataclass(frozen=True)
class _Timeline:
    """The periods a corpus is measured in: counted back from its newest message."""

    end: datetime | None
    period: timedelta
    n_periods: int
    active: frozenset[int]  # periods back from ``end`` that hold any message at all

    @classmethod
    def of(cls, messages: Mapping[str, CleanMessage], cfg: RankConfig) -> _Timeline:
        times = [m.time for m in messages.values() if m.time is not None]
        end = max(times) if times else None
        period = timedelta(days=cfg.period_days)
        # growth compares against periods with any message only, so a gap in the export is no growth
        active = frozenset(int((end - t) / period) for t in times) if end is not None else frozenset()
        return cls(end, period, max(2, cfg.trend_periods), active)

    def trend(self, members: Sequence[Fragment]) -> tuple[list[int], set[str]]:
        """Fragments per period (oldest first; the last is the newest full period) and who spoke in it."""
        trend = [0] * self.n_periods
        last_speakers: set[str] = set()
        for f in members:
            if f.time is None or self.end is None:
                continue
            back = int((self.end - f.time) / self.period)
            if back < self.n_periods:
                trend[self.n_periods - 1 - back] += 1
            if back == 0:
                last_speakers.add(f.speaker)
        return trend, last_speakers

    def growth(self, trend: Sequence[int]) -> tuple[float, bool]:
        """(last period + 1) / (mean of earlier active periods + 1), and whether any earlier period exists."""
        base_periods = [self.n_periods - 1 - b for b in range(1, self.n_periods) if b in self.active]
        base = sum(trend[i] for i in base_periods) / len(base_periods) if base_periods else 0.0
        return (trend[-1] + 1.0) / (base + 1.0), bool(base_periods)


@dataclass
class _Measured:
    """One need's evidence before scaling: what it is, who voiced it and its raw factor values."""

    statement: NeedStatement
    cluster: NeedCluster
    members: list[Fragment]
    speakers: list[str]
    chats: list[str]
    endorsements: int
    emerging: bool
    trend: list[int]
    values: dict[str, float]
    message_ids: list[str]


@dataclass
class _Scored:
    measured: _Measured
    score: float
    factors: dict[str, float]


class _Context:
    """What every need is measured against: fragments, signals, endorsements, answers, periods."""

    def __init__(self, fragments: Sequence[Fragment], signals: Sequence[Signal], conversation: Conversation,
                 messages: Mapping[str, CleanMessage], cfg: RankConfig,
                 bar_titles: Mapping[str, str] | None = None) -> None:
        self.frag = {f.id: f for f in fragments}
        self.bar_titles = bar_titles or {}
        self.sig = {s.fragment_id: s for s in signals}
        self.endorse: dict[str, list] = defaultdict(list)
        for e in conversation.endorsements:
            self.endorse[e.fragment_id].append(e)
        self.duplicates = conversation.duplicates
        self.answered = _answered(conversation, messages)
        self.timeline = _Timeline.of(messages, cfg)
        self.cfg = cfg


def _measure(stmt: NeedStatement, cluster: NeedCluster, ctx: _Context) -> _Measured:
    """The raw factor values of one need (see the module docstring)."""
    sig = ctx.sig
    members = [ctx.frag[i] for i in cluster.fragment_ids if i in ctx.frag]
    speakers = sorted({f.speaker for f in members})
    chats = sorted({f.chat for f in members})
    votes = [e for f in members for e in ctx.endorse.get(f.id, ())]
    voters = {e.speaker for e in votes} - set(speakers)
    intens = sorted((sig[f.id].intensity for f in members if f.id in sig), reverse=True)
    asks = [f for f in members if f.id in sig and sig[f.id].label in (SignalLabel.pain, SignalLabel.question)]
    unmet = sum(1 for f in asks if f.id not in ctx.answered) / len(asks) if asks else 0.0
    trend, last_speakers = ctx.timeline.trend(members)
    growth_ratio, has_base = ctx.timeline.growth(trend)
    emerging = has_base and growth_ratio >= 2.0 and len(last_speakers) >= ctx.cfg.emerging_min_speakers
    conf = cluster.confidence or (1.0,)
    values = {
        "speakers": len(speakers),
        "chats": len(chats),
        "endorsements": len(voters),
        "intensity": sum(intens[:5]) / len(intens[:5]) if intens else 0.0,
        "unmet": unmet,
        "recency": trend[-1] / max(1, len(members)),
        "growth": growth_ratio,
        "specificity": _specificity(members, stmt.keywords, conf),
    }
    msg_ids = _message_ids(members, votes, ctx.duplicates)
    values["need_share"] = _need_share(members, sig)
    values["title_share"] = title_share(ctx.bar_titles.get(stmt.need_id, stmt.title), [f.text for f in members])
    return _Measured(stmt, cluster, members, speakers, chats, len(voters), emerging, trend, values, msg_ids)


def _score(measured: Sequence[_Measured], cfg: RankConfig) -> list[_Scored]:
    """Scale every factor over the needs, weight them and shrink by coherence (module docstring)."""
    scaled = _scale([m.values for m in measured])
    weights = {f: float(cfg.weights.get(f, 0.0)) for f in FACTORS}
    total_w = sum(weights.values()) or 1.0
    out = []
    for m, x in zip(measured, scaled):
        values = m.values
        coherence = min(1.0, values["specificity"] / COHERENCE_FLOOR) * min(1.0, values["need_share"] / NEED_SHARE_FLOOR)
        score = 100.0 * sum(weights[f] * x[f] for f in FACTORS) / total_w * coherence
        factors = {f: round(x[f], 4) for f in FACTORS}
        factors["coherence"] = round(coherence, 4)
        factors["need_share"] = round(values["need_share"], 4)
        factors["title_share"] = round(values.get("title_share", 1.0), 4)
        factors.update({f"{f}_raw": round(float(values[f]), 4) for f in FACTORS})
        out.append(_Scored(m, round(score, 2), factors))
    return out


def rank_needs(
    statements: Sequence[NeedStatement],
    discovery: Discovery,
    fragments: Sequence[Fragment],
    signals: Sequence[Signal],
    conversation: Conversation,
    messages: Mapping[str, CleanMessage],
    config: RankConfig | None = None,
    *,
    max_quotes: int = 8,
    bar_titles: Mapping[str, str] | None = None,
) -> list[RankedNeed]:
    """Score and order needs, best first, attaching all supporting message ids and top evidence.

    Three steps: measure each need's raw factors (``_measure``), scale and weight them into a
    score (``_score``), then order and attach the evidence.

    Args:
        statements: One statement per cluster, in ``discovery.clusters`` order.
        discovery: The clusters.
        fragments: All fragments (members are looked up by id).
        signals: Signals of the fragments.
        conversation: Threads and endorsements.
        messages: Clean messages by id (for times, threads and quote text).
        config: Weights and period settings.
        max_quotes: Evidence quotes kept per need (``message_ids`` always lists all).
        bar_titles: Need id → the title the describe stage gave it, for the bar's title share
            (``below_bar``) when a statement carries a title of the user's (a rename); default:
            the statements' titles.

    Returns:
        ``RankedNeed`` list sorted by score (ties: more speakers first, then id); a scattered group
        (``NeedCluster.scattered``) comes last.
    """
    cfg = config or RankConfig()
    ctx = _Context(fragments, signals, conversation, messages, cfg, bar_titles or {})
    scored = _score([_measure(stmt, cluster, ctx) for stmt, cluster in zip(statements, discovery.clusters)], cfg)
    bar = {id(s): "scattered" if s.measured.cluster.scattered else below_bar(s.measured.values, cfg) for s in scored}
    # a scattered group (零散需求) is not a need: it comes after every focused need, whatever its size;
    # so does a cluster below the bar (module docstring), before any scattered group
    scored.sort(key=lambda s: (s.measured.cluster.scattered, bool(bar[id(s)]), -s.score, -len(s.measured.speakers),
                               s.measured.statement.need_id))
    out = []
    for i, s in enumerate(scored, start=1):
        m = s.measured
        out.append(
            RankedNeed(
                rank=i,
                statement=m.statement,
                score=s.score,
                factors=s.factors,
                speakers=tuple(m.speakers),
                chats=tuple(m.chats),
                message_ids=tuple(m.message_ids),
                evidence=_evidence(m.statement, m.members, messages, max_quotes),
                fragment_ids=tuple(f.id for f in m.members),
                endorsements=m.endorsements,
                emerging=m.emerging,
                trend=tuple(m.trend),
                domain=m.cluster.domain,
                signal_mix=_signal_mix(m.members, ctx.sig),
                period_days=cfg.period_days,
                below_bar=bar[id(s)],
            )
        )
    return out


def below_bar(values: Mapping[str, float], cfg: RankConfig) -> str:
    """Why a cluster with these raw factor values is not listed as a need ("" when it is).

    People are the distinct speakers plus the endorsers who did not speak; the need share is the
    mean P(need) of the fragments (on the labelled real QQ group, clusters that are mostly needs sit
    at .78–.88, clusters of chatter, adverts and answers at .40–.63: ``min_need_share`` 0.7 lies between).
    """
    if values["speakers"] + values["endorsements"] < cfg.min_people:
        return "few_people"
    if values["need_share"] < cfg.min_need_share:
        return "chatter"
    if values.get("title_share", 1.0) < cfg.min_title_share:
        return "scattered"
    return ""


def title_share(title: str, texts: Sequence[str]) -> float:
    """Share of the distinct member texts that say a word of the title (words of two characters or
    more; the whole title when it has none). A repeated identical line counts once, as a meme does.

    Titles are built from what many members say, so a need's own title is said by a good share of
    its lines (on the bundled samples .24–.70, on the labelled real QQ group's top ten .20–.89); a
    grab-bag of chatter that one line's word titled is not (色号 over 快递 / 周末 / 抢红包 lines: .06).
    """
    lines = set(texts)
    if not title or not lines:
        return 1.0
    from needminer.text import load_jieba

    words = [w for w in load_jieba().lcut(title) if len(w) >= 2] or [title]
    return sum(any(w in t for w in words) for t in lines) / len(lines)


def _need_share(members: Sequence[Fragment], sig: Mapping[str, Signal]) -> float:
    """Mean P(need) of the members (``Signal.need_score``); for rule-only signals, the share of
    complaints, wishes and questions among them."""
    vals = [s.need_score if s.need_score is not None else float(s.label in _NEED_LABELS)
            for s in (sig.get(f.id) for f in members) if s is not None]
    return sum(vals) / len(vals) if vals else 1.0


def _signal_mix(members: Sequence[Fragment], sig: Mapping[str, Signal]) -> dict[str, int]:
    mix: dict[str, int] = {}
    for f in members:
        if f.id in sig:
            label = sig[f.id].label.value
            mix[label] = mix.get(label, 0) + 1
    return dict(sorted(mix.items(), key=lambda kv: -kv[1]))


def _specificity(members: Sequence[Fragment], keywords: Sequence[str], conf: Sequence[float]) -> float:
    """How tightly the fragments agree: the share that use one of the need's top keywords (``focus``),
    times the mean closeness to the centroid. A grab-bag of chit-chat scores low on both."""
    from needminer.discover import focus

    closeness = sum(conf) / len(conf) if conf else 0.0
    return focus(keywords, [f.text for f in members]) * closeness


def _scale(rows: list[dict[str, float]]) -> list[dict[str, float]]:
    """Scale raw factor values to [0, 1] across needs (counts on a log scale)."""
    if not rows:
        return []
    out = [dict() for _ in rows]
    for f in FACTORS:
        vals = [r[f] for r in rows]
        if f in ("speakers", "chats", "endorsements", "growth"):
            vals = [math.log1p(max(v, 0.0)) for v in vals]
            top = max(vals) or 1.0
            for o, v in zip(out, vals):
                o[f] = v / top
        else:  # already shares in [0, 1]
            for o, v in zip(out, vals):
                o[f] = min(1.0, max(0.0, float(v)))
    return out


def _answered(conversation: Conversation, messages: Mapping[str, CleanMessage]) -> set[str]:
    """Fragments followed in their thread by a message from another speaker (someone engaged)."""
    answered: set[str] = set()
    by_msg = defaultdict(list)
    for f in conversation.fragments:
        by_msg[f.message_id].append(f.id)
    endorsing = {e.message_id for e in conversation.endorsements}
    for thread in conversation.threads:
        ids = [i for i in thread.message_ids if i in messages]
        for pos, mid in enumerate(ids):
            speaker = messages[mid].speaker
            if any(
                messages[later].speaker != speaker and later not in endorsing
                for later in ids[pos + 1 : pos + 6]
            ):
                answered.update(by_msg.get(mid, ()))
    return answered


def _message_ids(members: Sequence[Fragment], votes, duplicates: Mapping[str, str]) -> list[str]:
    """All supporting message ids: members, endorsements and collapsed duplicates, in first-seen order."""
    ids = dict.fromkeys(f.message_id for f in members)
    ids.update(dict.fromkeys(e.message_id for e in votes))
    kept = set(ids)
    ids.update(dict.fromkeys(d for d, k in duplicates.items() if k in kept))
    return list(ids)


def _evidence(
    stmt: NeedStatement, members: Sequence[Fragment], messages: Mapping[str, CleanMessage], k: int
) -> tuple[Evidence, ...]:
    order = list(stmt.quote_fragment_ids) + [f.id for f in members if f.id not in stmt.quote_fragment_ids]
    by_id = {f.id: f for f in members}
    out, seen = [], set()
    for fid in order:
        f = by_id.get(fid)
        if f is None or f.message_id in seen:
            continue
        seen.add(f.message_id)
        msg = messages.get(f.message_id)
        out.append(
            Evidence(
                message_id=f.message_id,
                chat=f.chat,
                speaker=f.speaker,
                time=f.time,
                text=msg.text if msg is not None else f.text,
                span=f.span,
                fragment_id=f.id,
            )
        )
        if len(out) == k:
            break
    return tuple(out)
