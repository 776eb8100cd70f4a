"""Turn ranked needs into the plain ``needs.json`` document (schema 1, see SCHEMA.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from needminer.types import SLOT_NAMES, Evidence, RankedNeed

SCHEMA_VERSION = 1
SIGNAL_LABELS = ("pain", "wish", "question", "praise", "noise", "other")  # display order of signal_mix
NEED_SIGNALS = ("pain", "wish", "question")  # the need-bearing labels the page's signal filter uses


def signal_mix(mix: Any) -> dict[str, int]:
    """Label → fragment count with plain str keys and int values, zero counts dropped, in
    ``SIGNAL_LABELS`` order (unknown labels after, by name); anything else becomes ``{}``."""
    if not isinstance(mix, dict):
        return {}
    out: dict[str, int] = {}
    for key, value in mix.items():
        n = clean_number(value)
        if n is not None and n > 0:
            out[str(getattr(key, "value", key))] = int(n)
    rank = {k: i for i, k in enumerate(SIGNAL_LABELS)}
    return dict(sorted(out.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def iso(t: datetime | None) -> str | None:
    """ISO 8601 text of an aware time (seconds precision), or None."""
    return t.isoformat(timespec="seconds") if t is not None else None


def clean_number(x: Any) -> float | int | None:
    """A JSON-safe number: NaN and infinities become None (JSON has no spelling for them)."""
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def evidence_to_dict(ev: Evidence) -> dict[str, Any]:
    """One quote as stored in needs.json."""
    return {
        "message_id": ev.message_id,
        "chat": ev.chat,
        "sender": ev.speaker,
        "time": iso(ev.time),
        "text": ev.text,
        "span": [int(ev.span[0]), int(ev.span[1])],
        "fragment_id": ev.fragment_id,
    }


def need_to_dict(need: RankedNeed) -> dict[str, Any]:
    """One ranked need as stored in needs.json (every field is plain JSON)."""
    st = need.statement
    slots = {
        name: {"text": st.slots[name].text, "fragment_ids": list(st.slots[name].fragment_ids)}
        for name in SLOT_NAMES
        if name in st.slots and st.slots[name].text.strip()
    }
    return {
        "id": need.id,
        "rank": need.rank,
        "title": st.title,
        "statement": st.statement,
        "slots": slots,
        "score": clean_number(need.score),
        "factors": {str(k): clean_number(v) for k, v in need.factors.items()},
        "speakers": len(need.speakers),
        "speaker_ids": list(need.speakers),
        "chats": list(need.chats),
        "message_ids": list(need.message_ids),
        "fragment_ids": list(need.fragment_ids),
        "endorsements": need.endorsements,
        "emerging": need.emerging,
        "trend": [int(x) for x in need.trend],
        "period_days": int(need.period_days),
        "signal_mix": signal_mix(need.signal_mix),
        "evidence": [evidence_to_dict(ev) for ev in need.evidence],
        "keywords": list(st.keywords),
        "domain": need.domain,
        "below_bar": need.below_bar,
    }


def needs_document(needs: Sequence[RankedNeed], generated: datetime | None = None) -> dict[str, Any]:
    """The whole needs.json document; needs keep their (already ranked) input order."""
    generated = generated or datetime.now(timezone.utc)
    return {
        "schema": SCHEMA_VERSION,
        "generated": iso(generated),
        "needs": [need_to_dict(n) for n in needs],
    }


def merged_factors(factors: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(name, value, raw) per factor, folding a ``<name>_raw`` companion (the unscaled count the
    rank stage may add, e.g. ``speakers_raw``) into its scaled factor instead of listing it twice."""
    out = []
    for key, value in factors.items():
        if key.endswith("_raw") and key[:-4] in factors:
            continue
        out.append((key, value, factors.get(f"{key}_raw")))
    return out
