"""ChatLab standard format (v0.0.1): JSON (``chatlab``/``meta``/``members``/``messages``) and JSONL
(``_type`` = header | member | message; ``#`` comments). Type ids map to kinds (0 text, 1–8 media,
20/21 red packet, 22/23/80 system, 81 recalled, 25 reply, 99 other).

The JSON is streamed (``_jsonstream``), so a large export is read with flat memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._jsonstream import JsonStream
from needminer.ingest._jsonutil import as_str, head_has, require
from needminer.ingest._kinds import split_quote
from needminer.ingest._lines import open_lines
from needminer.ingest._time import from_epoch
from needminer.types import Message, MessageKind

WHAT = "ChatLab JSON"
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
    text = m.get("content")
    text = text if text.__class__ is str else as_str(text)  # as_str, without the call for a string
    if not text.strip():
        if kind is MessageKind.text:
            ctx.skip("empty")
            return None
        text = f"[type {as_str(m.get('type'))}]"
    sender = m.get("sender")
    sender = (sender if sender.__class__ is str else as_str(sender)) or "unknown"
    quote = None
    if kind is MessageKind.text:
        text, quote = split_quote(text)
    name = m.get("groupNickname")
    name = name if name.__class__ is str else as_str(name)
    if not name:
        name = m.get("accountName")
        name = (name if name.__class__ is str else as_str(name)) or names.get(sender, "")
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
        # Streamed with flat memory. ChatLab writes chatlab, meta, members, then messages, so the
        # chat name and member names are known when the messages arrive; for a file that puts the
        # messages first, pass 1 collects meta/members (skipping the messages) and pass 2 reads them.
        head: dict[str, Any] = {}
        deferred = yield from self._pass(src, ctx, head, None)
        if deferred:
            yield from self._pass(src, ctx, {}, head)

    def _pass(self, src: SourceFile, ctx: ReadContext, head: dict[str, Any],
              known: dict[str, Any] | None) -> Iterator[Message]:
        """One walk over the document; returns True when the messages were left for a second pass.

        ``head`` collects ``meta`` and ``members``; ``known`` (second pass) holds the ones found by
        the first pass, and the messages are then read whatever their place.
        """
        js = JsonStream(src, WHAT)
        deferred = found = False
        try:
            require(js.peek() == "{", WHAT, "the top level is not a JSON object")
            for key in js.members():
                if key in ("meta", "members") and known is None:
                    head[key] = js.value()
                elif key == "messages" and not found and js.peek() == "[":
                    found = True
                    info = known if known is not None else head
                    if known is None and not ("meta" in head and "members" in head):
                        deferred = True  # read in pass 2; skipped here element by element
                        for _ in js.items():
                            pass
                        continue
                    meta = info.get("meta") if isinstance(info.get("meta"), dict) else {}
                    chat = as_str(meta.get("name")) or ctx.chat
                    members = info.get("members")
                    names = _members(members if isinstance(members, list) else None)
                    for m in js.values():
                        msg = _one(ctx, m, chat, names)
                        if msg is not None:
                            yield msg
            js.finish()
            require(found, WHAT, "no 'messages' list")
        finally:
            js.close()
        return deferred


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
