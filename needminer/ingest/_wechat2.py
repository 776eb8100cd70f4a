"""WeChat 4.x exporters: WeFlow TXT / JSON (and EchoTrace JSON), and chatlog (sjzar) CSV / JSON.

WeFlow TXT records are ``YYYY-MM-DD HH:mm:ss 'sender'`` + body + blank line; quotes are appended
as ``…[引用 name：text]``. WeFlow/EchoTrace JSON carry ``session`` + ``messages`` with epoch
``createTime``. chatlog CSV is ``Time,SenderName,Sender,TalkerName,Talker,Content``; its JSON is a
list of ``{seq, time (RFC 3339), talker, sender, senderName, type, content}``; quotes are ``> `` lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._jsonutil import as_str, head_has, load_json, require
from needminer.ingest._kinds import classify, split_quote
from needminer.ingest._lines import blocks, open_lines, skip_preamble
from needminer.ingest._time import from_epoch
from needminer.ingest._wechat import _header, kind_from_label
from needminer.ingest._generic import open_csv
from needminer.types import Message, MessageKind

_WEFLOW = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) '(.*)'\s*$")
CHATLOG = ["Time", "SenderName", "Sender", "TalkerName", "Talker", "Content"]


def _finish(ctx: ReadContext, *, text: str, kind: MessageKind, **kw: Any) -> Message | None:
    if not text.strip():
        ctx.skip("empty")
        return None
    quote = kw.pop("quote", None)
    if kind is MessageKind.text and not quote:
        text, quote = split_quote(text)
    return ctx.message(text=text.strip(), kind=kind, quote=quote, **kw)


@register("weflow", "weflow.txt")
class WeFlowTxtReader(Reader):
    """WeFlow TXT (``2025-03-15 22:32:55 'sender'`` headers)."""

    name = "wechat.weflow_txt.v1"
    description = "WeChat WeFlow TXT export (YYYY-MM-DD HH:mm:ss 'sender' + body)"
    patterns = ("*.txt",)

    def sniff(self, probe: Probe) -> float:
        hits = sum(1 for ln in probe.first_nonblank(40) if _WEFLOW.match(ln))
        return 0.85 if hits >= 2 or (hits == 1 and len(probe.first_nonblank(3)) <= 2) else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        for b in blocks(open_lines(src), _WEFLOW.match):
            if skip_preamble(ctx, b):
                continue
            g = b.match.groups()
            try:
                time = ctx.local(*map(int, g[:6]))
            except ValueError:
                ctx.skip("bad_time")
                continue
            text = b.text()
            msg = _finish(ctx, text=text, kind=classify(text), sender=g[6], sender_name=g[6], time=time)
            if msg is not None:
                yield msg


@register("weflow.json", "echotrace")
class WeFlowJsonReader(Reader):
    """WeFlow / EchoTrace JSON (``session`` + ``messages``)."""

    name = "wechat.weflow_json.v1"
    description = "WeChat WeFlow / EchoTrace JSON export (session + messages with createTime)"
    patterns = ("*.json",)

    def sniff(self, probe: Probe) -> float:
        t = probe.text
        return 0.9 if head_has(t, "session", "messages") and (head_has(t, "createTime") or head_has(t, "weflow")) else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        root = load_json(src, "WeFlow/EchoTrace JSON export")
        require(isinstance(root, dict) and isinstance(root.get("messages"), list), "WeFlow/EchoTrace JSON export",
                "no 'messages' list")
        sess = root.get("session") if isinstance(root.get("session"), dict) else {}
        chat = as_str(sess.get("displayName") or sess.get("remark") or sess.get("nickname") or sess.get("wxid")) or ctx.chat
        for m in root["messages"]:
            if not isinstance(m, dict):
                ctx.skip("unparseable")
                continue
            try:
                time = from_epoch(float(m.get("createTime")))
            except (TypeError, ValueError, OverflowError):
                ctx.skip("bad_time")
                continue
            text = as_str(m.get("content"))
            kind = kind_from_label(as_str(m.get("type")).removesuffix("消息"), text)
            if not text.strip() and kind is not MessageKind.text:
                text = f"[{as_str(m.get('type'))}]"
            sender = as_str(m.get("senderUsername")) or ("我" if m.get("isSend") == 1 else "unknown")
            pid, rid = as_str(m.get("platformMessageId")), as_str(m.get("replyToMessageId"))
            q = as_str(m.get("quotedContent"))
            quote = (f"{as_str(m.get('quotedSender'))}：{q}" if m.get("quotedSender") else q) if q else None
            msg = _finish(ctx, text=text, kind=kind, chat=chat, sender=sender, time=time,
                          sender_name=as_str(m.get("senderDisplayName")) or sender, quote=quote,
                          native_id=f"wx:{pid}" if pid else None, reply_to=f"wx:{rid}" if rid else None)
            if msg is not None:
                yield msg


def _chatlog_kind(sender: str, text: str) -> MessageKind:
    return MessageKind.system if sender in ("系统消息", "system") else classify(text)


@register("chatlog.csv")
class ChatlogCsvReader(Reader):
    """chatlog (sjzar) CSV (``Time,SenderName,Sender,TalkerName,Talker,Content``)."""

    name = "wechat.chatlog_csv.v1"
    description = "WeChat chatlog (sjzar) CSV (Time,SenderName,Sender,TalkerName,Talker,Content)"
    patterns = ("*.csv",)

    def sniff(self, probe: Probe) -> float:
        return 0.95 if _header(probe)[:6] == CHATLOG else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        with src.open() as raw:
            rows, header, _ = open_csv(raw, src)
            require(header[:6] == CHATLOG, "chatlog CSV", "header is not " + ",".join(CHATLOG))
            for row in rows:
                if not any(v.strip() for v in row):
                    continue
                r = dict(zip(header, row))
                try:
                    time = ctx.local.iso(r.get("Time", ""))
                except ValueError:
                    ctx.skip("bad_time")
                    continue
                sender = r.get("Sender", "").strip() or r.get("SenderName", "").strip() or "unknown"
                text = r.get("Content", "")
                msg = _finish(ctx, text=text, kind=_chatlog_kind(sender, text), sender=sender, time=time,
                              sender_name=r.get("SenderName", "").strip(),
                              chat=r.get("TalkerName", "").strip() or r.get("Talker", "").strip() or ctx.chat)
                if msg is not None:
                    yield msg


@register("chatlog.json")
class ChatlogJsonReader(Reader):
    """chatlog (sjzar) JSON (list of ``{seq, time, talker, sender, content}``)."""

    name = "wechat.chatlog_json.v1"
    description = "WeChat chatlog (sjzar) JSON (list of {seq, time, talker, sender, senderName, content})"
    patterns = ("*.json",)

    def sniff(self, probe: Probe) -> float:
        t = probe.text.lstrip()
        return 0.9 if t.startswith("[") and head_has(t[:3000], "seq", "talker", "sender", "content") else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        root = load_json(src, "chatlog JSON")
        require(isinstance(root, list), "chatlog JSON", "the top level is not a list")
        for m in root:
            if not isinstance(m, dict):
                ctx.skip("unparseable")
                continue
            try:
                time = ctx.local.iso(as_str(m.get("time")))
            except ValueError:
                ctx.skip("bad_time")
                continue
            talker = as_str(m.get("talker")) or ctx.chat
            sender = as_str(m.get("sender")) or "unknown"
            text = as_str(m.get("content"))
            seq = as_str(m.get("seq"))
            msg = _finish(ctx, text=text, kind=_chatlog_kind(as_str(m.get("senderName")) or sender, text),
                          sender=sender, sender_name=as_str(m.get("senderName")), time=time,
                          chat=as_str(m.get("talkerName")) or talker,
                          native_id=f"wx:{talker}:{seq}" if seq else None)
            if msg is not None:
                yield msg
