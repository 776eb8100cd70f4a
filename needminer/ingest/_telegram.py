"""Telegram Desktop ``result.json``: single-chat and full-account (``chats.list``) exports.

Ids are per chat, so message ids are ``tg:{chat_id}:{id}`` and replies point the same way.
Times come from ``date_unixtime`` (UTC epoch) when present, else ``date`` (exporter-local, read
in the configured zone). Service messages are ``system``; media without caption are ``media``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._jsonstream import JsonStream
from needminer.ingest._jsonutil import as_str, head_has, require
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
        # Streamed: the single-chat root is {name, type, id, messages: [...]} (in that order), the
        # full export holds chats.list / left_chats.list of such objects.
        js = JsonStream(src, WHAT)
        try:
            require(js.peek() == "{", WHAT, "the top level is not a JSON object")
            found = False
            root: dict[str, Any] = {}
            for key in js.members():
                if key == "messages" and js.peek() == "[":
                    found = True
                    yield from self._chat(js, ctx, root)
                elif key in ("chats", "left_chats") and js.peek() == "{":
                    found = True
                    for sub in js.members():
                        if sub == "list" and js.peek() == "[":
                            for _ in js.items():
                                if js.peek() == "{":
                                    yield from self._dialog(js, ctx)
                elif key in ("name", "type", "id"):
                    root[key] = js.value()
            js.finish()
            require(found, WHAT, "no 'messages' list and no 'chats.list' at the top level")
        finally:
            js.close()

    def _dialog(self, js: JsonStream, ctx: ReadContext) -> Iterator[Message]:
        meta: dict[str, Any] = {}
        for key in js.members():
            if key == "messages" and js.peek() == "[":
                yield from self._chat(js, ctx, meta)
            elif key in ("name", "type", "id"):
                meta[key] = js.value()

    def _chat(self, js: JsonStream, ctx: ReadContext, meta: dict[str, Any]) -> Iterator[Message]:
        chat_id = as_str(meta.get("id")) or as_str(meta.get("name")) or ctx.chat
        name = as_str(meta.get("name")) or chat_id
        one = self._one
        for n, m in enumerate(js.values()):
            msg = one(ctx, m, chat_id, name, n)
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
        text = m.get("text")
        if text.__class__ is not str:  # a plain run is a string; else entities or a mixed list
            ents = m.get("text_entities")
            if isinstance(ents, list):
                text = "".join(as_str(e.get("text")) for e in ents if isinstance(e, dict))
            else:
                text = flatten_text(text)
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
        mid = m.get("id")
        mid = as_str(mid) if mid.__class__ is not str else mid
        rid = m.get("reply_to_message_id")
        rid = as_str(rid) if rid is not None else ""
        peer = (as_str(m.get("reply_to_peer_id")) or chat_id) if rid else chat_id
        return ctx.message(
            chat=chat, sender=sender_id or sender_name or "unknown", sender_name=sender_name, text=text,
            time=time, kind=kind, native_id=f"tg:{chat_id}:{mid}" if mid else None,
            reply_to=f"tg:{peer}:{rid}" if rid else None,
        )
