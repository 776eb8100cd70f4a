"""Conversation stage: threads, clause-level fragments and endorsements from clean messages.

Public API::

    build_conversation(messages, config=None) -> Conversation
    split_fragments(text, min_chars=4) -> list[tuple[int, int]]
    is_endorsement(text) -> bool
    layout_chats(messages, gap) -> dict[str, ChatLayout]
    community_health(messages, conversation, signals) -> dict   # activity, depth, signal shares
"""

from needminer.conversation._build import build_conversation
from needminer.conversation._endorse import duplicate_key, is_endorsement
from needminer.conversation._fragments import split_fragments
from needminer.conversation._health import community_health
from needminer.conversation._threads import ChatLayout, layout_chats, thread_id

__all__ = [
    "ChatLayout",
    "build_conversation",
    "community_health",
    "duplicate_key",
    "is_endorsement",
    "layout_chats",
    "split_fragments",
    "thread_id",
]
