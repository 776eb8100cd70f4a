"""Co-creation candidates: the pseudonymous speakers who engage most with each need.

Engagement with a need = its fragments they wrote + their endorsements ("+1 / 同求") of those
fragments + their replies in the need's threads (messages after the need was raised in a thread
that holds one of its messages, or explicit replies to one of its messages; endorsements and
non-text messages are not replies). ``need_engagement`` computes it from the run's conversation;
without it the report falls back to counting each speaker's quotes in the need's evidence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from needminer.types import CleanMessage, Conversation, MessageKind, RankedNeed

MAX_CANDIDATES = 8


def _rows(frags: Counter, endorse: Counter, replies: Counter, limit: int) -> list[dict[str, Any]]:
    people = set(frags) | set(endorse) | set(replies)
    rows = [{"speaker": s, "fragments": frags[s], "endorsements": endorse[s], "replies": replies[s],
             "total": frags[s] + endorse[s] + replies[s]} for s in people]
    rows.sort(key=lambda r: (-r["total"], -r["fragments"], r["speaker"]))
    return [r for r in rows if r["total"] > 0][:limit]


def need_engagement(
    needs: Sequence[RankedNeed],
    conversation: Conversation,
    messages: Sequence[CleanMessage] = (),
    *,
    limit: int = MAX_CANDIDATES,
) -> dict[str, list[dict[str, Any]]]:
    """Top co-creation candidates per need id.

    Args:
        needs: Ranked needs (their ``fragment_ids`` and ``message_ids``).
        conversation: The run's conversation (fragments, threads, endorsements).
        messages: The clean messages (speakers, times, kinds and reply links of replies);
            without them replies are not counted.
        limit: Candidates kept per need.

    Returns:
        ``{need_id: [{"speaker", "fragments", "endorsements", "replies", "total"}, ...]}``,
        most engaged first.
    """
    frag_by_id = {f.id: f for f in conversation.fragments}
    thread_of = {mid: t.id for t in conversation.threads for mid in t.message_ids}
    thread_msgs = {t.id: t.message_ids for t in conversation.threads}
    endorse_by_frag: dict[str, list[str]] = defaultdict(list)
    endorsing = set()
    for e in conversation.endorsements:
        endorse_by_frag[e.fragment_id].append(e.speaker)
        endorsing.add(e.message_id)
    msg = {m.id: m for m in messages}
    replies_to: dict[str, list[str]] = defaultdict(list)
    for m in messages:
        if m.reply_to:
            replies_to[m.reply_to].append(m.id)

    def is_reply(mid: str) -> bool:
        m = msg.get(mid)
        return mid not in endorsing and (m is None or (m.kind is MessageKind.text and bool(m.text.strip())))

    # each thread's messages that count as replies, with their times, worked out once for all
    # needs (a busy chat's long threads are touched by many needs)
    thread_replies = {tid: [(mid, msg[mid].time if mid in msg else None) for mid in mids if is_reply(mid)]
                      for tid, mids in thread_msgs.items()}

    out: dict[str, list[dict[str, Any]]] = {}
    for need in needs:
        frag_ids = list(need.fragment_ids) or [e.fragment_id for e in need.evidence if e.fragment_id]
        frags: Counter = Counter()
        endorse: Counter = Counter()
        for fid in frag_ids:
            f = frag_by_id.get(fid)
            if f is not None:
                frags[f.speaker] += 1
            for speaker in endorse_by_frag.get(fid, ()):
                endorse[speaker] += 1
        if not frags:
            frags.update(e.speaker for e in need.evidence)
        own = set(need.message_ids)
        first_in_thread: dict[str, datetime | None] = {}
        for mid in own:
            tid = thread_of.get(mid)
            if tid is None:
                continue
            t = msg[mid].time if mid in msg else None
            prev = first_in_thread.get(tid)
            first_in_thread[tid] = t if tid not in first_in_thread else (min(prev, t) if prev and t else prev or t)
        replied: set[str] = set()
        for tid, start in first_in_thread.items():
            replied.update(mid for mid, t in thread_replies.get(tid, ())
                           if (start is None or t is None or t >= start) and mid not in own)
        for mid in own:
            replied.update(r for r in replies_to.get(mid, ()) if r not in own and is_reply(r))
        replies: Counter = Counter()
        for mid in replied:
            speaker = msg[mid].speaker if mid in msg else None
            if speaker is None:
                continue
            replies[speaker] += 1
        out[need.id] = _rows(frags, endorse, replies, limit)
    return out


def quote_engagement(need: Mapping[str, Any], limit: int = MAX_CANDIDATES) -> list[dict[str, Any]]:
    """Fallback candidates from a needs.json need alone: quotes per speaker (no endorsements/replies)."""
    frags = Counter(str(e.get("sender") or "") for e in need.get("evidence") or [] if e.get("sender"))
    return _rows(frags, Counter(), Counter(), limit)


def co_creators(need: Mapping[str, Any], limit: int = MAX_CANDIDATES) -> tuple[list[dict[str, Any]], bool]:
    """(candidates, from_run): the need's ``co_creators`` when the run computed them, else quotes."""
    given = need.get("co_creators")
    if isinstance(given, list):
        return [c for c in given if isinstance(c, Mapping)][:limit], True
    return quote_engagement(need, limit), False
