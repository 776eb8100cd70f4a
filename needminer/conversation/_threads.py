"""Threads: time-gap sessions per chat, joined by reply, quote and @mention links (union-find)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from needminer.conversation._endorse import duplicate_key
from needminer.types import CleanMessage, Thread

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
QUOTE_LOOKBACK = 500  # messages searched backwards for a fuzzy quote match
MENTION_WINDOW = timedelta(hours=24)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The earlier message stays the root so the thread's first message is the root.
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo


@dataclass
class ChatLayout:
    """One chat's messages in time order, with threads and reply parents.

    Attributes:
        messages: Messages of the chat in time order (input order breaks ties and fills gaps).
        times: Effective time per message (last known time carried forward; epoch if none).
        thread_of: Message id → thread id.
        parent: Message id → id of the message it answers (reply_to, else quote, else @mention).
        explicit_parent: Message id → reply_to or quote target only (used for endorsements).
        threads: Threads of the chat, in order of their first message.
    """

    messages: list[CleanMessage]
    times: list[datetime]
    thread_of: dict[str, str] = field(default_factory=dict)
    parent: dict[str, str] = field(default_factory=dict)
    explicit_parent: dict[str, str] = field(default_factory=dict)
    threads: list[Thread] = field(default_factory=list)


def thread_id(first_message_id: str) -> str:
    """Stable thread id: a hash of the id of the thread's first message."""
    return "T" + hashlib.sha1(first_message_id.encode("utf-8")).hexdigest()[:12]


def _order(messages: list[tuple[int, CleanMessage]]) -> tuple[list[CleanMessage], list[datetime]]:
    """Sort by effective time; messages without a time inherit the previous known time."""
    keyed = []
    last = _EPOCH
    for idx, msg in messages:
        if msg.time is not None:
            last = msg.time if msg.time.tzinfo is not None else msg.time.replace(tzinfo=timezone.utc)
        keyed.append((last, idx, msg))
    keyed.sort(key=lambda t: (t[0], t[1]))
    return [m for _t, _i, m in keyed], [t for t, _i, _m in keyed]


def _quote_target(quote: str, pos: int, keys: list[str | None], exact: dict[str, int]) -> int | None:
    """Index of the earlier message whose text the quote reproduces (exactly or truncated)."""
    q = duplicate_key(quote) or "".join(ch for ch in quote if ch.isalnum()).lower()
    if not q:
        return None
    hit = exact.get(q)
    if hit is not None:
        return hit
    for j in range(pos - 1, max(-1, pos - 1 - QUOTE_LOOKBACK), -1):
        k = keys[j]
        if k and len(q) >= 2 and (k.startswith(q) or q in k or (len(k) >= 4 and k in q)):
            return j
    return None


def layout_chat(messages: list[tuple[int, CleanMessage]], gap: timedelta) -> ChatLayout:
    """Order one chat, split sessions on ``gap`` and join reply/quote/@ links into threads."""
    ordered, times = _order(messages)
    layout = ChatLayout(ordered, times)
    n = len(ordered)
    uf = _UnionFind(n)
    index = {m.id: i for i, m in enumerate(ordered)}
    keys: list[str | None] = []
    exact: dict[str, int] = {}
    last_by_speaker: dict[str, int] = {}
    # Messages without a time (an export that has none) have no session to join: where the
    # chat links them by reply ids (MemoTrace's fine-tune set links the turns of each
    # conversation) the links alone make threads; otherwise neighbours join, as one session.
    untimed_links = any(m.time is None and m.reply_to for m in ordered)
    prev_timed: int | None = None
    for i, msg in enumerate(ordered):
        if msg.time is not None:
            if prev_timed is not None and times[i] - times[prev_timed] <= gap:
                uf.union(prev_timed, i)
            prev_timed = i
        elif i and not untimed_links and ordered[i - 1].time is None:
            uf.union(i - 1, i)
        target: int | None = None
        if msg.reply_to is not None and msg.reply_to in index and index[msg.reply_to] != i:
            target = index[msg.reply_to]
        elif msg.quote:
            target = _quote_target(msg.quote, i, keys, exact)
        if target is not None:
            layout.explicit_parent[msg.id] = ordered[target].id
        for who in msg.mentions:
            j = last_by_speaker.get(who)
            if j is not None and times[i] - times[j] <= MENTION_WINDOW:
                uf.union(j, i)
                if target is None:
                    target = j
        if target is not None:
            uf.union(target, i)
            layout.parent[msg.id] = ordered[target].id
        key = duplicate_key(msg.text) or ("".join(ch for ch in msg.text if ch.isalnum()).lower() or None)
        keys.append(key)
        if key:
            exact[key] = i
        last_by_speaker[msg.speaker] = i
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(uf.find(i), []).append(i)
    for root in sorted(members):
        ids = tuple(ordered[i].id for i in members[root])
        tid = thread_id(ids[0])
        layout.threads.append(Thread(id=tid, chat=ordered[root].chat, message_ids=ids))
        for mid in ids:
            layout.thread_of[mid] = tid
    return layout


def layout_chats(messages: Sequence[CleanMessage], gap: timedelta) -> dict[str, ChatLayout]:
    """Lay out every chat of ``messages`` (chats in order of first appearance)."""
    by_chat: dict[str, list[tuple[int, CleanMessage]]] = {}
    for idx, msg in enumerate(messages):
        by_chat.setdefault(msg.chat, []).append((idx, msg))
    return {chat: layout_chat(items, gap) for chat, items in by_chat.items()}
