"""ChatLab standard format (v0.0.1): JSON (``chatlab``/``meta``/``members``/``messages``) and JSONL
(``_type`` = header | member | message; ``#`` comments). Type ids map to kinds (0 text, 1–8 media,
20/21 red packet, 22/23/80 system, 81 recalled, 25 reply, 99 other)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._jsonutil import as_str, head_has, load_json, require
from needminer.ingest._kinds import split_quote
from needminer.ingest._lines import open_lines
from needminer.ingest._time import from_epoch
from needminer.types import Message, MessageKind

_KIND = {0: MessageKind.text, 25: MessageKind.text, 20: MessageKind.red_packet, 21: MessageKind.red_packet,
         22: MessageKind.system, 23: MessageKind.system, 80: MessageKind.system, 81: MessageKind.recalled,
         99: MessageKind.other, 26: MessageKind.other}


def _one(ctx: ReadContext, m: Any, chat: str, names: dict[str, str]) -> Message | None:
    if not isinstance(m, dict):
        ctx.skip("unparseable")
        return None
    try:
        time = from_epoch(float(m.get("timestamp")))
    except (TypeError, ValueError, OverflowError):
        ctx.skip("bad_time")
        return None
    try:
        kind = _KIND.get(int(m.get("type", 0)), MessageKind.media)
    except (TypeError, ValueError):
        kind = MessageKind.other
    text = as_str(m.get("content"))
    if not text.strip():
        if kind is MessageKind.text:
            ctx.skip("empty")
            return None
        text = f"[type {as_str(m.get('type'))}]"
    sender = as_str(m.get("sender")) or "unknown"
    quote = None
    if kind is MessageKind.text:
        text, quote = split_quote(text)
    name = as_str(m.get("groupNickname")) or as_str(m.get("accountName")) or names.get(sender, "")
    return ctx.message(chat=chat, sender=sender, sender_name=name, text=text, time=time, kind=kind, quote=quote)


def _members(items: Any) -> dict[str, str]:
    return {as_str(x.get("platformId")): as_str(x.get("groupNickname") or x.get("accountName"))
            for x in items or [] if isinstance(x, dict)}


@register("chatlab", "chatlab.json")
class ChatLabJsonReader(Reader):
    """ChatLab standard JSON."""

    name = "chatlab.json.v1"
    description = "ChatLab standard format JSON (chatlab/meta/members/messages)"
    patterns = ("*.json",)

    def sniff(self, probe: Probe) -> float:
        if '"_type"' in probe.text[:4000]:
            return 0.0
        return 0.95 if head_has(probe.text, "chatlab", "meta") else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        root = load_json(src, "ChatLab JSON")
        require(isinstance(root, dict) and isinstance(root.get("messages"), list), "ChatLab JSON", "no 'messages' list")
        meta = root.get("meta") if isinstance(root.get("meta"), dict) else {}
        chat = as_str(meta.get("name")) or ctx.chat
        names = _members(root.get("members"))
        for m in root["messages"]:
            msg = _one(ctx, m, chat, names)
            if msg is not None:
                yield msg


@register("chatlab.jsonl")
class ChatLabJsonlReader(Reader):
    """ChatLab standard JSONL (header/member/message lines)."""

    name = "chatlab.jsonl.v1"
    description = "ChatLab standard format JSONL (_type: header | member | message)"
    patterns = ("*.jsonl",)

    def sniff(self, probe: Probe) -> float:
        return 0.95 if '"_type"' in probe.text[:4000] and ('"header"' in probe.text[:4000] or '"message"' in probe.text[:4000]) else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        chat, names = ctx.chat, {}
        for line in open_lines(src):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            try:
                obj = json.loads(s)
            except ValueError:
                ctx.skip("unparseable")
                continue
            t = obj.get("_type") if isinstance(obj, dict) else None
            if t == "header":
                meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
                chat = as_str(meta.get("name")) or chat
            elif t == "member":
                names.update(_members([obj]))
            else:
                msg = _one(ctx, obj, chat, names)
                if msg is not None:
                    yield msg
