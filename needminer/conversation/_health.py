"""Community health: how much of a chat is noise, ads, needs and real engagement with needs.

Besides the per-chat and overall shares, the figures are broken down by ISO week, and three
membership signals are derived from who spoke when:

* **active members**: spoke in the scope's last week (the ISO week of its last message);
* **silent members**: spoke in the scope before, but not in its last two weeks;
* **silent churn**: a member whose last complaint or question (a need-bearing ``pain`` or
  ``question`` fragment) got no answer from anyone else in its thread, and who then posted
  nothing in that chat for at least ``churn_days`` days (until their next message, or until the
  chat's export ends). Listed by pseudonym, with the message that went unanswered.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo

from needminer.conversation._threads import layout_chats
from needminer.types import CleanMessage, Conversation, MessageKind, Signal, SignalLabel

CHURN_DAYS = 14
SILENT_WEEKS = 2
MAX_CHURN_LISTED = 500
MAX_WEEKS = 52  # weekly rows kept per scope (the most recent ones)
_COMPLAINT = (SignalLabel.pain, SignalLabel.question)


def _depths(parent: dict[str, str]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for mid in parent:
        chain, cur = [], mid
        while cur in parent and cur not in depth and len(chain) < 10_000:
            chain.append(cur)
            cur = parent[cur]
        base = depth.get(cur, 0)
        for k, node in enumerate(reversed(chain), start=1):
            depth[node] = base + k
    return depth


def _zone(tz: tzinfo | str | None) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    if isinstance(tz, str) and tz:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(tz)
        except Exception:  # unknown zone: weeks in UTC rather than no figures
            pass
    return timezone.utc


def _week_start(t: datetime, tz: tzinfo) -> date:
    try:
        d = t.astimezone(tz).date()
    except OverflowError:  # a time at the edge of the calendar (year 1 or 9999): its UTC date
        d = t.astimezone(timezone.utc).date()
    return _shift(d, days=-d.weekday())


def _shift(d: date, *, weeks: int = 0, days: int = 0) -> date:
    """``d`` moved by weeks and days, clamped to the calendar (``date.min`` … ``date.max``)."""
    try:
        return d + timedelta(weeks=weeks, days=days)
    except OverflowError:
        return date.max if weeks > 0 or days > 0 else date.min


def _week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _summarise(rows: list[dict]) -> dict:
    n = len(rows)
    depths = [r["depth"] for r in rows]

    def share(key: str) -> float:
        return round(sum(r[key] for r in rows) / n, 4) if n else 0.0

    return {
        "messages": n,
        "active_speakers": len({r["speaker"] for r in rows}),
        "noise_share": share("noise"),
        "ad_share": share("ad"),
        "need_share": share("need"),
        "high_quality_interaction_share": share("hq"),
        "endorsement_share": share("endorsement"),
        "reply_depth_mean": round(sum(depths) / n, 4) if n else 0.0,
        "reply_depth_max": max(depths, default=0),
    }


def _membership(rows: list[dict], churned: list[dict]) -> dict:
    """Active / silent members of one scope, relative to the scope's last ISO week."""
    timed = [r for r in rows if r["week"] is not None]
    if not timed:
        return {"active_members": 0, "silent_members": 0, "silent_churn": len(churned),
                "first_period": None, "last_period": None}
    last_week = max(r["week"] for r in timed)
    quiet_from = _shift(last_week, weeks=-(SILENT_WEEKS - 1))  # start of the last two weeks
    last_seen: dict[str, date] = {}
    for r in timed:
        if r["week"] > last_seen.get(r["speaker"], date.min):
            last_seen[r["speaker"]] = r["week"]
    return {
        "active_members": sum(1 for w in last_seen.values() if w == last_week),
        "silent_members": sum(1 for w in last_seen.values() if w < quiet_from),
        "silent_churn": len({(c["chat"], c["speaker"]) for c in churned}),
        "first_period": _week_label(min(r["week"] for r in timed)),
        "last_period": _week_label(last_week),
    }


def _weekly(rows: list[dict], churned: list[dict]) -> list[dict]:
    """One summary per ISO week (empty weeks included) from the first week with messages among the
    scope's last ``MAX_WEEKS`` weeks to its last week."""
    by_week: dict[date, list[dict]] = defaultdict(list)
    for r in rows:
        if r["week"] is not None:
            by_week[r["week"]].append(r)
    if not by_week:
        return []
    churn_by_week: dict[date, int] = defaultdict(int)
    for c in churned:
        churn_by_week[c["_week"]] += 1
    last = max(by_week)
    first = min(w for w in by_week if w >= _shift(last, weeks=-(MAX_WEEKS - 1)))
    seen: set[str] = {r["speaker"] for w, rs in by_week.items() if w < first for r in rs}
    out = []
    week = first
    while week <= last:
        wrows = by_week.get(week, [])
        speakers = {r["speaker"] for r in wrows}
        out.append({
            "period": _week_label(week),
            "start": week.isoformat(),
            **_summarise(wrows),
            "new_speakers": len(speakers - seen),
            "silent_churn": churn_by_week.get(week, 0),
        })
        seen |= speakers
        if week == last:  # also ends the loop at the calendar's last week, where +1 week overflows
            break
        week = _shift(week, weeks=1)
    return out


HEALTH_GAP_MINUTES = 30.0  # the silence that ends a session for the reply-depth figures


def community_health(
    messages: Sequence[CleanMessage],
    conversation: Conversation,
    signals: Sequence[Signal],
    *,
    tz: tzinfo | str | None = None,
    churn_days: int = CHURN_DAYS,
) -> dict:
    """Per-chat, per-week and overall health figures of a community.

    A message is *noise* when it is not text (sticker, red packet, system …) or all its
    fragments are noise; an *ad* when any fragment fired an ad rule; *need-bearing* when any
    fragment is a need (a collapsed duplicate takes the kept message's labels). A
    *high-quality interaction* is a message by someone else that replies to, quotes or
    @mentions a need-bearing message without being noise, or endorses a need fragment. Reply
    depth is the length of the reply/quote/@ chain above a message. Membership and churn are
    defined in the module docstring.

    Args:
        messages: The clean messages given to ``build_conversation``.
        conversation: Its output.
        signals: Signals of ``conversation.fragments`` (matched by fragment id).
        tz: Zone whose calendar weeks are used (a ``tzinfo`` or IANA name); UTC by default.
        churn_days: Days of silence after an unanswered complaint that count as churn.

    Returns:
        ``{"overall": {...}, "chats": {chat: {...}}, "weekly": {"overall": [...], "chats":
        {chat: [...]}}, "silent_churn": [...], "params": {...}}`` (weekly: the last ``MAX_WEEKS``
        weeks of each scope). Each summary has messages,
        active_speakers, noise_share, ad_share, need_share, high_quality_interaction_share,
        endorsement_share, reply_depth_mean, reply_depth_max, active_members, silent_members,
        silent_churn (count), first_period and last_period (``"YYYY-Www"``). Weekly rows add
        period, start (the Monday), new_speakers and silent_churn (unanswered complaints that
        week that led to churn). ``silent_churn`` lists speaker, chat, message_id, time, label,
        days_silent and returned (whether they spoke again later), longest silence first.
    """
    zone = _zone(tz)
    by_frag = {s.fragment_id: s for s in signals}
    msg_signals: dict[str, list[Signal]] = defaultdict(list)
    for frag in conversation.fragments:
        sig = by_frag.get(frag.id)
        if sig is not None:
            msg_signals[frag.message_id].append(sig)
    for dup, kept in conversation.duplicates.items():
        msg_signals[dup] = msg_signals.get(kept, [])
    endorsed_need = {
        e.message_id for e in conversation.endorsements if by_frag.get(e.fragment_id, None) and by_frag[e.fragment_id].need
    }
    endorsing = {e.message_id for e in conversation.endorsements}
    need_msgs = {m for m, sigs in msg_signals.items() if any(s.need for s in sigs)}
    complaint_msgs = {
        m for m, sigs in msg_signals.items() if any(s.need and s.label in _COMPLAINT for s in sigs)
    }
    thread_of = {mid: t.id for t in conversation.threads for mid in t.message_ids}
    layouts = conversation.layouts
    if layouts is None or conversation.layout_gap_minutes != HEALTH_GAP_MINUTES:
        layouts = layout_chats(messages, timedelta(minutes=HEALTH_GAP_MINUTES))
    speaker_of = {m.id: m.speaker for m in messages}
    rows_by_chat: dict[str, list[dict]] = {}
    churned_by_chat: dict[str, list[dict]] = {}
    for chat, layout in layouts.items():
        depth = _depths(layout.parent)
        rows = []
        for msg, when in zip(layout.messages, layout.times):
            sigs = msg_signals.get(msg.id, [])
            is_text = msg.kind is MessageKind.text and bool(msg.text.strip())
            endorsement = msg.id in endorsing
            noise = (not is_text) or (not endorsement and (not sigs or all(s.label.value == "noise" for s in sigs)))
            parent = layout.parent.get(msg.id)
            hq = msg.id in endorsed_need or (
                parent in need_msgs and speaker_of.get(parent) != msg.speaker and not noise
            )
            rows.append({
                "id": msg.id,
                "speaker": msg.speaker,
                "time": msg.time and when,
                "week": _week_start(when, zone) if msg.time is not None else None,
                "thread": thread_of.get(msg.id) or layout.thread_of.get(msg.id, ""),
                "parent": parent,
                "noise": noise,
                "ad": any("noise.ad" in s.cues for s in sigs),
                "need": msg.id in need_msgs,
                "hq": hq,
                "endorsement": endorsement,
                "depth": depth.get(msg.id, 0),
            })
        rows_by_chat[chat] = rows
        churned_by_chat[chat] = _silent_churn(chat, rows, complaint_msgs, msg_signals, churn_days)
    all_rows = [r for rows in rows_by_chat.values() for r in rows]
    all_churn = [c for cs in churned_by_chat.values() for c in cs]
    all_churn.sort(key=lambda c: (-c["days_silent"], c["chat"], c["speaker"]))
    return {
        "overall": {**_summarise(all_rows), **_membership(all_rows, all_churn)},
        "chats": {
            chat: {**_summarise(rows), **_membership(rows, churned_by_chat[chat])}
            for chat, rows in rows_by_chat.items()
        },
        "weekly": {
            "overall": _weekly(all_rows, all_churn),
            "chats": {chat: _weekly(rows, churned_by_chat[chat]) for chat, rows in rows_by_chat.items()},
        },
        "silent_churn": [{k: v for k, v in c.items() if not k.startswith("_")} for c in all_churn[:MAX_CHURN_LISTED]],
        "params": {"period": "iso_week", "tz": str(zone), "churn_days": churn_days, "silent_weeks": SILENT_WEEKS,
                   "max_weeks": MAX_WEEKS},
    }


def _silent_churn(
    chat: str, rows: list[dict], complaint_msgs: set[str], msg_signals: dict[str, list[Signal]],
    churn_days: int,
) -> list[dict]:
    """Members of one chat who went quiet after their last complaint or question went unanswered."""
    timed = [r for r in rows if r["time"] is not None]
    if not timed:
        return []
    chat_end = max(r["time"] for r in timed)
    last_complaint: dict[str, int] = {}
    for i, r in enumerate(timed):
        if r["id"] in complaint_msgs:
            last_complaint[r["speaker"]] = i
    by_thread: dict[str, list[int]] = defaultdict(list)
    children: dict[str, list[int]] = defaultdict(list)
    by_speaker: dict[str, list[int]] = defaultdict(list)
    for j, r in enumerate(timed):
        if r["thread"]:
            by_thread[r["thread"]].append(j)
        if r["parent"]:
            children[r["parent"]].append(j)
        by_speaker[r["speaker"]].append(j)

    def answers(o: dict, speaker: str) -> bool:
        return o["speaker"] != speaker and not o["noise"] and not o["endorsement"]

    out = []
    for speaker, i in last_complaint.items():
        m = timed[i]
        linked = any(timed[j]["speaker"] != speaker and not timed[j]["endorsement"] for j in children.get(m["id"], ()))
        in_thread = m["thread"] and any(j > i and answers(timed[j], speaker) for j in by_thread[m["thread"]])
        if linked or in_thread:
            continue
        mine = by_speaker[speaker]
        k = bisect_right(mine, i)
        nxt = timed[mine[k]]["time"] if k < len(mine) else None
        silent = (nxt or chat_end) - m["time"]
        if silent < timedelta(days=churn_days):
            continue
        labels = [s.label.value for s in msg_signals.get(m["id"], []) if s.need and s.label in _COMPLAINT]
        out.append({
            "speaker": speaker,
            "chat": chat,
            "message_id": m["id"],
            "time": m["time"].isoformat(timespec="seconds"),
            "period": _week_label(m["week"]),
            "label": labels[0] if labels else "",
            "days_silent": silent.days,
            "returned": nxt is not None,
            "_week": m["week"],
        })
    return out
