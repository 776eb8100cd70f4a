"""``build_conversation``: threads, fragments, endorsements and duplicates from clean messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from needminer.config import ConversationConfig
from needminer.conversation._endorse import duplicate_key, is_endorsement
from needminer.conversation._fragments import split_fragments
from needminer.conversation._threads import ChatLayout, layout_chats
from needminer.errors import ConfigError
from needminer.signals import need_likeness
from needminer.types import CleanMessage, Conversation, Endorsement, Fragment, MessageKind

CONTEXT_CHARS = 60


def _truncate(text: str, n: int = CONTEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _validate(config: ConversationConfig) -> None:
    if config.session_gap_minutes <= 0:
        raise ConfigError(
            "The config key 'conversation.session_gap_minutes' must be > 0. "
            f"Got {config.session_gap_minutes!r} instead."
        )
    if config.min_fragment_chars < 1:
        raise ConfigError(
            "The config key 'conversation.min_fragment_chars' must be >= 1. "
            f"Got {config.min_fragment_chars!r} instead."
        )


class _Builder:
    """Holds the per-run state of ``build_conversation`` (one pass over time-ordered messages)."""

    def __init__(self, layouts: dict[str, ChatLayout], config: ConversationConfig) -> None:
        self.layouts = layouts
        self.gap = timedelta(minutes=config.session_gap_minutes)
        self.min_chars = config.min_fragment_chars
        self.fragments: list[Fragment] = []
        self.frags_of: dict[str, list[Fragment]] = {}
        self.fragment_by_id: dict[str, Fragment] = {}
        self.endorsements: list[Endorsement] = []
        self.duplicates: dict[str, str] = {}
        self.endorsed_fragment: dict[str, str] = {}  # endorsement message id → fragment id
        self._seen_votes: set[tuple[str, str]] = set()
        self._by_id: dict[str, CleanMessage] = {}

    # -- helpers ---------------------------------------------------------------------------
    def best_fragment(self, message_id: str) -> Fragment | None:
        frags = self.frags_of.get(message_id)
        if frags:
            return max(frags, key=lambda f: (need_likeness(f.text), -int(f.id.rsplit("#", 1)[1])))
        kept = self.duplicates.get(message_id)
        if kept is not None:
            return self.best_fragment(kept)
        fid = self.endorsed_fragment.get(message_id)
        if fid is not None:
            return self.fragment_by_id[fid]
        return None

    def vote(self, msg: CleanMessage, frag: Fragment) -> None:
        key = (msg.speaker, frag.id)
        self.endorsed_fragment[msg.id] = frag.id
        if msg.speaker == frag.speaker or key in self._seen_votes:
            return
        self._seen_votes.add(key)
        self.endorsements.append(Endorsement(msg.id, frag.id, msg.speaker, msg.time))

    # -- per message kinds -----------------------------------------------------------------
    def add_fragments(self, msg: CleanMessage, layout: ChatLayout, pos: int, tid: str) -> None:
        parent = layout.parent.get(msg.id)
        context = ""
        if parent is not None and parent in self._by_id:
            context = self._by_id[parent].text
        else:
            for j in range(pos - 1, -1, -1):
                prev = layout.messages[j]
                if (
                    layout.thread_of[prev.id] == tid
                    and prev.kind is MessageKind.text
                    and prev.text.strip()
                    and not is_endorsement(prev.text)
                ):
                    context = prev.text
                    break
        context = _truncate(context)
        frags = []
        for n, (start, end) in enumerate(split_fragments(msg.text, self.min_chars)):
            frags.append(
                Fragment(
                    id=f"{msg.id}#{n}",
                    message_id=msg.id,
                    chat=msg.chat,
                    speaker=msg.speaker,
                    text=msg.text[start:end],
                    span=(start, end),
                    thread_id=tid,
                    time=msg.time,
                    context=context,
                )
            )
        self.frags_of[msg.id] = frags
        self.fragment_by_id.update((f.id, f) for f in frags)
        self.fragments.extend(frags)

    def endorse(self, msg: CleanMessage, layout: ChatLayout, pos: int) -> None:
        target = layout.explicit_parent.get(msg.id)
        if target is not None:
            frag = self.best_fragment(target)
            if frag is not None:
                self.vote(msg, frag)
                return
        tid = layout.thread_of[msg.id]
        now = layout.times[pos]
        for j in range(pos - 1, -1, -1):
            prev = layout.messages[j]
            if now - layout.times[j] > self.gap:
                break
            if layout.thread_of[prev.id] != tid or prev.speaker == msg.speaker:
                continue
            frag = self.best_fragment(prev.id)
            if frag is not None:
                self.vote(msg, frag)
                return

    def run(self, first_key: dict[str, str]) -> None:
        # Global time order across chats so "keep the first" holds for cross-chat forwards.
        order: list[tuple[datetime, int, int, str]] = []
        for c, layout in enumerate(self.layouts.values()):
            for pos, msg in enumerate(layout.messages):
                order.append((layout.times[pos], c, pos, msg.chat))
        order.sort(key=lambda t: (t[0], t[1], t[2]))
        for _t, _c, pos, chat in order:
            layout = self.layouts[chat]
            msg = layout.messages[pos]
            self._by_id[msg.id] = msg
            if msg.kind is not MessageKind.text or not msg.text.strip():
                continue
            if is_endorsement(msg.text):
                self.endorse(msg, layout, pos)
                continue
            key = duplicate_key(msg.text)
            if key is not None:
                kept = first_key.setdefault(key, msg.id)
                if kept != msg.id:
                    # the same line pasted again (by anyone) is one line: kept as evidence of the
                    # first, never an endorsement (five people pasting a meme are not five votes)
                    self.duplicates[msg.id] = kept
                    continue
            self.add_fragments(msg, layout, pos, layout.thread_of[msg.id])


def build_conversation(
    messages: Sequence[CleanMessage], config: ConversationConfig | None = None
) -> Conversation:
    """Group messages into threads, split them into fragments and collect endorsements.

    Threads are time-gap sessions of one chat (``session_gap_minutes``) joined by reply,
    quote and @mention links. Only ``MessageKind.text`` messages give fragments. Messages whose
    whole text is an agreement ("+1", "同求", "我也是" …) give no fragment; they become an
    ``Endorsement`` of the most need-like fragment of the message they reply to or quote, else
    of the most recent message by another speaker in the same thread within the gap. Forwarded or
    copy-pasted texts (same normalised text) collapse into the first one and never count as
    endorsements (five people pasting a meme are one line, not five votes). Each (speaker,
    fragment) pair is counted once, and nobody endorses their own fragment.

    Args:
        messages: Clean messages of one or more chats, in any order.
        config: Threading and fragmenting settings; defaults when None.

    Returns:
        The ``Conversation`` (threads in chat order, fragments in time order).

    Raises:
        ConfigError: ``session_gap_minutes`` <= 0 or ``min_fragment_chars`` < 1.
    """
    config = config or ConversationConfig()
    _validate(config)
    layouts = layout_chats(messages, timedelta(minutes=config.session_gap_minutes))
    builder = _Builder(layouts, config)
    builder.run({})
    threads = tuple(t for layout in layouts.values() for t in layout.threads)
    return Conversation(
        threads=threads,
        fragments=tuple(builder.fragments),
        endorsements=tuple(builder.endorsements),
        duplicates=dict(builder.duplicates),
        layouts=layouts,
        layout_gap_minutes=float(config.session_gap_minutes),
    )
