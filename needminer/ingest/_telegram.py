"""Telegram Desktop ``result.json``: single-chat and full-account (``chats.list``) exports.

Ids are per chat, so message ids are ``tg:{chat_id}:{id}`` and replies point the same way.
Times come from ``date_unixtime`` (UTC epoch) when present, else ``date`` (exporter-local, read
in the configured zone). Service messages are ``system``; media without caption are ``media``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._jsonutil import as_str, head_has, load_json, require
from needminer.ingest._time import from_epoch
from needminer.types import Message, MessageKind

WHAT = "Telegram Desktop result.json"
_MEDIA_KEYS = ("photo", "file", "media_type", "sticker_emoji", "contact_information", "location_information",
               "poll", "place_name", "game_title", "invoice_information", "todo_list")


def flatten_text(value: Any) -> str:
    """Telegram ``text`` (string, or list of strings and ``{type, text}`` runs) → plain text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(p if isinstance(p, str) else as_str(p.get("text")) if isinstance(p, dict) else "" for p in value)
    return ""


def _chats(root: Any) -> list[dict]:
    if isinstance(root, dict) and isinstance(root.get("messages"), list):
        return [root]
    if isinstance(root, dict):
        out = []
        for key in ("chats", "left_chats"):
            block = root.get(key)
            if isinstance(block, dict) and isinstance(block.get("list"), list):
                out.extend(c for c in block["list"] if isinstance(c, dict))
        if out or "chats" in root:
            return out
    require(False, WHAT, "no 'messages' list and no 'chats.list' at the top level")
    return []


@register("telegram", "telegram.json")
class TelegramJsonReader(Reader):
    """Telegram Desktop JSON export (single chat or whole account)."""

    name = "telegram.json.v1"
    description = "Telegram Desktop export result.json (single chat or full account with chats.list)"
    patterns = ("result.json",)

    def sniff(self, probe: Probe) -> float:
        t = probe.text
        if not t.lstrip().startswith("{"):
            return 0.0
        if head_has(t, "messages") and (head_has(t, "date_unixtime") or head_has(t, "text_entities")
                                        or head_has(t, "from_id") or head_has(t, "date", "type", "text")):
            return 0.85 if not head_has(t, "guild") else 0.0
        if head_has(t, "chats", "list") or head_has(t, "personal_information"):
            return 0.85
        return 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        root = load_json(src, WHAT)
        for chat in _chats(root):
            msgs = chat.get("messages")
            if not isinstance(msgs, list):
                continue
            chat_id = as_str(chat.get("id")) or as_str(chat.get("name")) or ctx.chat
            name = as_str(chat.get("name")) or chat_id
            for n, m in enumerate(msgs):
                msg = self._one(ctx, m, chat_id, name, n)
                if msg is not None:
                    yield msg

    def _one(self, ctx: ReadContext, m: Any, chat_id: str, chat: str, n: int) -> Message | None:
        if not isinstance(m, dict):
            ctx.skip("unparseable")
            return None
        try:
            if m.get("date_unixtime") not in (None, ""):
                time = from_epoch(float(m["date_unixtime"]))
            elif m.get("date"):
                time = ctx.local.iso(as_str(m["date"]))
            else:
                time = None
        except (ValueError, TypeError, OverflowError):
            ctx.skip("bad_time")
            return None
        if "text_entities" in m and isinstance(m["text_entities"], list):
            text = "".join(as_str(e.get("text")) for e in m["text_entities"] if isinstance(e, dict))
        else:
            text = flatten_text(m.get("text"))
        mtype = m.get("type")
        if mtype == "service":
            kind = MessageKind.system
            text = text or as_str(m.get("action"))
            sender_id, sender_name = as_str(m.get("actor_id")), as_str(m.get("actor"))
        else:
            kind = MessageKind.text if mtype == "message" else MessageKind.other
            sender_id, sender_name = as_str(m.get("from_id")), as_str(m.get("from"))
            if not text.strip() and any(k in m for k in _MEDIA_KEYS):
                kind = MessageKind.media
                text = as_str(m.get("media_type") or ("photo" if "photo" in m else "file"))
        if not text.strip():
            ctx.skip("empty")
            return None
        mid = as_str(m.get("id"))
        rid = as_str(m.get("reply_to_message_id"))
        peer = as_str(m.get("reply_to_peer_id")) or chat_id
        return ctx.message(
            chat=chat, sender=sender_id or sender_name or "unknown", sender_name=sender_name, text=text,
            time=time, kind=kind, native_id=f"tg:{chat_id}:{mid}" if mid else None,
            reply_to=f"tg:{peer}:{rid}" if rid else None,
        )
