"""Community health: how much of a chat is noise, ads, needs and real engagement with needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from needminer.types import CleanMessage, Conversation, MessageKind, Signal


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


def community_health(
    messages: Sequence[CleanMessage], conversation: Conversation, signals: Sequence[Signal]
) -> dict:
    """Per-chat and overall health figures of a community.

    A message is *noise* when it is not text (sticker, red packet, system …) or all its
    fragments are noise; an *ad* when any fragment fired an ad rule; *need-bearing* when any
    fragment is a need (a collapsed duplicate takes the kept message's labels). A
    *high-quality interaction* is a message by someone else that replies to, quotes or
    @mentions a need-bearing message without being noise, or endorses a need fragment. Reply
    depth is the length of the reply/quote/@ chain above a message.

    Args:
        messages: The clean messages given to ``build_conversation``.
        conversation: Its output.
        signals: Signals of ``conversation.fragments`` (matched by fragment id).

    Returns:
        ``{"overall": {...}, "chats": {chat: {...}}}`` with messages, active_speakers,
        noise_share, ad_share, need_share, high_quality_interaction_share, endorsement_share,
        reply_depth_mean and reply_depth_max.
    """
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
    from needminer.conversation._threads import layout_chats  # lazy: conversation imports signals cues

    layouts = layout_chats(messages, timedelta(minutes=30))
    speaker_of = {m.id: m.speaker for m in messages}
    rows_by_chat: dict[str, list[dict]] = {}
    for chat, layout in layouts.items():
        depth = _depths(layout.parent)
        rows = []
        for msg in layout.messages:
            sigs = msg_signals.get(msg.id, [])
            is_text = msg.kind is MessageKind.text and bool(msg.text.strip())
            endorsement = msg.id in endorsing
            noise = (not is_text) or (not endorsement and (not sigs or all(s.label.value == "noise" for s in sigs)))
            parent = layout.parent.get(msg.id)
            hq = msg.id in endorsed_need or (
                parent in need_msgs and speaker_of.get(parent) != msg.speaker and not noise
            )
            rows.append({
                "speaker": msg.speaker,
                "noise": noise,
                "ad": any("noise.ad" in s.cues for s in sigs),
                "need": msg.id in need_msgs,
                "hq": hq,
                "endorsement": endorsement,
                "depth": depth.get(msg.id, 0),
            })
        rows_by_chat[chat] = rows
    return {
        "overall": _summarise([r for rows in rows_by_chat.values() for r in rows]),
        "chats": {chat: _summarise(rows) for chat, rows in rows_by_chat.items()},
    }
