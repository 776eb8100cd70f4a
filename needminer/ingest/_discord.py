"""DiscordChatExporter (Tyrrrz) JSON and CSV exports.

Discord ids are global snowflakes: message ids are ``dc:{id}`` and replies follow
``reference.messageId``. Non-default message types (joins, calls, pins, renames) are ``system``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import Any

from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._generic import _delimiter, open_csv
from needminer.ingest._jsonstream import member_array
from needminer.ingest._jsonutil import as_str, head_has, require
from needminer.ingest._kinds import classify
from needminer.types import Message, MessageKind

WHAT = "DiscordChatExporter JSON export"
_TEXT_TYPES = {"Default", "Reply", "19", "0"}
# DCE's fallback sentences for system messages (CSV/TXT carry no message type).
SYSTEM_TEXT = re.compile(
    r"^(?:Joined the server\.|Pinned a message\.|Started a call.*|Added .+ to the group\.|Removed .+ from the group\.|"
    r"Left the group\.|Changed the channel (?:name|icon).*|Started a thread.*)$"
)
CSV_HEADER = ["AuthorID", "Author", "Date", "Content", "Attachments", "Reactions"]


@register("discord", "discord.json")
class DiscordJsonReader(Reader):
    """DiscordChatExporter JSON (``guild``, ``channel``, ``messages[].author``)."""

    name = "discord.dce_json.v1"
    description = "DiscordChatExporter JSON export (guild/channel/messages)"
    patterns = ("*.json",)

    def sniff(self, probe: Probe) -> float:
        return 0.9 if head_has(probe.text, "guild", "channel", "messages") else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        root: dict[str, Any] = {}
        chat = None
        for m in member_array(src, WHAT, root):  # streamed; guild/channel precede messages
            if chat is None:
                chat = self._chat(ctx, root)
            msg = self._one(ctx, m, chat)
            if msg is not None:
                yield msg

    @staticmethod
    def _chat(ctx: ReadContext, root: dict[str, Any]) -> str:
        guild = root.get("guild") if isinstance(root.get("guild"), dict) else {}
        channel = root.get("channel") if isinstance(root.get("channel"), dict) else {}
        gname, cname = as_str(guild.get("name")), as_str(channel.get("name"))
        return f"{gname} / {cname}" if gname and cname and gname != "Direct Messages" else cname or gname or ctx.chat

    def _one(self, ctx: ReadContext, m: Any, chat: str) -> Message | None:
        if not isinstance(m, dict) or not isinstance(m.get("author"), dict):
            ctx.skip("unparseable")
            return None
        try:
            time = ctx.local.iso(as_str(m.get("timestamp")))
        except ValueError:
            ctx.skip("bad_time")
            return None
        text = as_str(m.get("content"))
        mtype = as_str(m.get("type")) or "Default"
        if mtype not in _TEXT_TYPES:
            kind = MessageKind.system
        elif not text.strip() and (m.get("attachments") or m.get("stickers") or m.get("embeds")):
            kind = MessageKind.media
            files = [as_str(a.get("fileName")) for a in m.get("attachments") or [] if isinstance(a, dict)]
            text = "[" + (", ".join(f for f in files if f) or "attachment") + "]"
        else:
            kind = MessageKind.text
        if not text.strip():
            ctx.skip("empty")
            return None
        author = m["author"]
        ref = m.get("reference") if isinstance(m.get("reference"), dict) else {}
        rid = as_str(ref.get("messageId"))
        mid = as_str(m.get("id"))
        return ctx.message(
            chat=chat, sender=as_str(author.get("id")) or as_str(author.get("name")) or "unknown",
            sender_name=as_str(author.get("nickname")) or as_str(author.get("name")), text=text, time=time,
            kind=kind, native_id=f"dc:{mid}" if mid else None, reply_to=f"dc:{rid}" if rid else None,
        )


@register("discord.csv")
class DiscordCsvReader(Reader):
    """DiscordChatExporter CSV (``AuthorID,Author,Date,Content,Attachments,Reactions``)."""

    name = "discord.dce_csv.v1"
    description = "DiscordChatExporter CSV export (AuthorID,Author,Date,Content,Attachments,Reactions)"
    patterns = ("*.csv",)

    def sniff(self, probe: Probe) -> float:
        head = probe.first_nonblank(1)
        if not head:
            return 0.0
        cols = next(csv.reader([head[0]], delimiter=_delimiter(head[0])), [])
        return 0.9 if cols[:4] == CSV_HEADER[:4] else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        with src.open() as raw:
            rows, header, offset = open_csv(raw, src)
            require(header[:4] == CSV_HEADER[:4], "DiscordChatExporter CSV", "header is not " + ",".join(CSV_HEADER))
            for row in rows:
                if not any(v.strip() for v in row):
                    continue
                rec = dict(zip(header, row))
                try:
                    time = ctx.local.iso(rec.get("Date", ""))
                except ValueError:
                    ctx.skip("bad_time")
                    continue
                text, files = rec.get("Content", ""), rec.get("Attachments", "")
                kind = (MessageKind.system if SYSTEM_TEXT.match(text) else classify(text)) if text.strip() \
                    else MessageKind.media
                if not text.strip():
                    if not files.strip():
                        ctx.skip("empty")
                        continue
                    text = "[attachment]"
                yield ctx.message(sender=rec.get("AuthorID", "") or rec.get("Author", "unknown"),
                                  sender_name=rec.get("Author", ""), text=text, time=time, kind=kind)
