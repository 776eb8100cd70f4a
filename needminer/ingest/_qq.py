"""QQ exports: classic 消息管理器 TXT (pre-NT) and QQChatExporter (QCE) TXT / JSON / JSONL.

Classic TXT: ``YYYY-MM-DD H:MM:SS nick(QQ号)`` or ``nick<email>`` headers; the sender is the id in
the **last** ``(…)``/``<…>``; record lines end in CRLF while line breaks inside a message are bare
LF (used to keep header-looking lines inside messages). ``消息对象:`` names the chat; several
conversations in one file are supported. QCE: ``name:`` / ``时间:`` / ``内容:`` blocks (TXT), or
``CleanMessage`` objects (JSON ``messages`` / chunked JSONL lines) with ms timestamps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from needminer.errors import IngestError
from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._jsonstream import member_array
from needminer.ingest._jsonutil import as_str, head_has
from needminer.ingest._kinds import classify, split_quote
from needminer.ingest._lines import blocks, open_lines
from needminer.ingest._time import from_epoch
from needminer.types import Message, MessageKind

_QQ = re.compile(
    r"^(?:(?P<furn>={10,}|消息分组:.*|消息对象:(?P<obj>.*)|消息记录（.*）)|"
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2}) (?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2})(?: (?P<ap>[AP]M))?"
    r"(?: (?P<nick>.*?)(?:\((?P<id>[^()\s]+)\)|<(?P<mail>[^<>\s]+)>)?)?)\s*$"
)
_SYSTEM_IDS = {"10000", "1000000", "1000001"}
# For reading: the same, after any BOMs that open a line (stripped before matching).
_QQ_READ = re.compile("^\ufeff*" + _QQ.pattern[1:])
_SECONDS = [timedelta(seconds=s) for s in range(60)]


@register("qq", "qq.txt")
class QQMsgMgrTxtReader(Reader):
    """Classic QQ PC / TIM 消息管理器 text export."""

    name = "qq.msgmgr_txt.v1"
    description = "QQ classic 消息管理器 TXT export (UTF-8 BOM or GBK; YYYY-MM-DD H:MM:SS nick(QQ号))"
    patterns = ("全部消息记录.txt", "*.txt")

    def sniff(self, probe: Probe) -> float:
        if "消息记录（此消息记录为文本格式" in probe.text[:200] or re.search(r"^消息对象:", probe.text, re.M):
            return 0.95
        lines = probe.first_nonblank(40)
        hits = sum(1 for ln in lines if (m := _QQ.match(ln)) and m["y"] and (m["id"] or m["mail"]))
        return 0.7 if hits >= 2 else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        crlf = b"\r\n" in src.head(65536)
        local, skip, message = ctx.local, ctx.skip, ctx.message
        TEXT, SYSTEM = MessageKind.text, MessageKind.system
        # UTC time of second 0 of each local minute (None: no such date/time); the seconds are
        # added to it, which equals a full conversion because zone offsets are per local hour.
        minutes: dict[tuple, Any] = {}
        for b in blocks(open_lines(src), _QQ_READ.match, crlf_records=crlf):
            m = b.match
            if m is None:
                skip("header")
                continue
            furn, obj, y, mo, d, h, mi, sec, ap, nick, uid, mail = m.groups()
            if furn is not None:
                if obj is not None and obj.strip():
                    ctx.chat = obj.strip()
                if any(x.strip() for x in b.body):
                    skip("unparseable")  # stray text between the banner lines
                continue
            key = (y, mo, d, h, mi, ap)
            base = minutes.get(key, minutes)
            if base is minutes:
                hour = int(h) % 12 + (12 if ap == "PM" else 0) if ap else int(h)
                try:
                    base = local(int(y), int(mo), int(d), hour, int(mi), 0)
                except ValueError:
                    base = None
                if len(minutes) > 4096:  # recent minutes only: exports are in time order
                    minutes.clear()
                minutes[key] = base
            s = int(sec)
            if base is None or s > 59:
                skip("bad_time")
                continue
            time = base + _SECONDS[s] if s else base
            nick = (nick or "").strip()
            uid = uid or mail or nick
            text = b.text().strip()
            kind = classify(text)
            if kind is TEXT and (uid in _SYSTEM_IDS or nick == "系统消息"):
                kind = SYSTEM
            if not text:
                skip("empty")
                continue
            quote = None
            if kind is TEXT:
                text, quote = split_quote(text)
            yield message(sender=uid or "unknown", sender_name=nick or uid, text=text, time=time, kind=kind, quote=quote)


_QCE_TIME = re.compile(r"^时间: (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\s*$")
_QCE_DROP = re.compile(r"^(?:资源: \d+ 个文件|  - \w+: .*|提及: .*|导出完成|总计导出 \d+ 条消息|={10,})\s*$")


@register("qce.txt")
class QceTxtReader(Reader):
    """QQChatExporter TXT (``name:`` / ``时间:`` / ``内容:`` blocks)."""

    name = "qq.qce_txt.v1"
    description = "QQChatExporter (QQ NT) TXT export (name: / 时间: / 内容: blocks)"
    patterns = ("*.txt",)

    def sniff(self, probe: Probe) -> float:
        if "[QQChatExporter" in probe.text[:500]:
            return 0.95
        lines = probe.lines
        hits = sum(1 for a, b in zip(lines, lines[1:]) if a.endswith(":") and _QCE_TIME.match(b))
        return 0.9 if hits >= 1 and "内容: " in probe.text else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        cur: tuple[int, str, re.Match, list[str]] | None = None
        prev = ""
        seen_pre = False
        for n, raw in enumerate(open_lines(src), 1):
            line = raw.rstrip("\r\n")
            tm = _QCE_TIME.match(line)
            if tm and prev.endswith(":"):
                if cur is not None:
                    cur[3].pop()  # the sender line belongs to the new record
                    msg = self._one(ctx, cur)
                    if msg is not None:
                        yield msg
                elif seen_pre:
                    ctx.skip("header")
                cur = (n, prev[:-1].strip(), tm, [])
            elif cur is not None:
                cur[3].append(line)
            elif line.strip() and not line.endswith(":"):
                seen_pre = True
            prev = line
        if cur is not None:
            msg = self._one(ctx, cur)
            if msg is not None:
                yield msg
        elif seen_pre:
            ctx.skip("header")

    def _one(self, ctx: ReadContext, rec: tuple[int, str, re.Match, list[str]]) -> Message | None:
        _, sender, tm, body = rec
        try:
            time = ctx.local(*map(int, tm.groups()))
        except ValueError:
            ctx.skip("bad_time")
            return None
        lines = [ln for ln in body if not _QCE_DROP.match(ln)]
        while lines and not lines[-1].strip():
            lines.pop()
        text = "\n".join(lines)
        text = text[4:] if text.startswith("内容: ") else text
        if sender in ("0", "") or text.strip() in ("[系统消息]",):
            kind = MessageKind.system
        else:
            kind = classify(text)
        if not text.strip():
            ctx.skip("empty")
            return None
        quote = None
        if kind is MessageKind.text:
            text, quote = split_quote(text)
        return ctx.message(sender=sender or "system", sender_name=sender, text=text.strip(), time=time, kind=kind,
                           quote=quote)


def _qce_one(ctx: ReadContext, m: Any, chat: str) -> Message | None:
    if not isinstance(m, dict) or not isinstance(m.get("sender"), dict):
        ctx.skip("unparseable")
        return None
    try:
        ts = m.get("timestamp")
        time = from_epoch(float(ts)) if ts not in (None, "") else ctx.local.iso(as_str(m.get("time")))
    except (ValueError, TypeError, OverflowError):
        ctx.skip("bad_time")
        return None
    snd = m["sender"]
    content = m.get("content") if isinstance(m.get("content"), dict) else {}
    text = as_str(content.get("text"))
    reply_to = quote = None
    for el in content.get("elements") or []:
        if isinstance(el, dict) and el.get("type") == "reply" and isinstance(el.get("data"), dict):
            d = el["data"]
            rid = as_str(d.get("messageId") or d.get("msgId") or d.get("replyMsgId") or d.get("referencedMessageId"))
            reply_to = f"qq:{rid}" if rid else None
            quote = as_str(d.get("content") or d.get("text")) or None
    if m.get("recalled"):
        kind = MessageKind.recalled
    elif m.get("system"):
        kind = MessageKind.system
    else:
        kind = classify(text)
    if kind is MessageKind.text:
        text, q2 = split_quote(text)
        quote = quote or q2
    if not text.strip():
        if content.get("resources") or content.get("elements"):
            kind, text = MessageKind.media, "[media]"
        else:
            ctx.skip("empty")
            return None
    uid = as_str(snd.get("uin")) or as_str(snd.get("uid")) or as_str(snd.get("name")) or "unknown"
    name = as_str(snd.get("groupCard")) or as_str(snd.get("name")) or as_str(snd.get("nickname"))
    mid = as_str(m.get("id"))
    return ctx.message(chat=chat, sender=uid, sender_name=name, text=text.strip(), time=time, kind=kind,
                       native_id=f"qq:{mid}" if mid else None, reply_to=reply_to, quote=quote)


@register("qce", "qce.json")
class QceJsonReader(Reader):
    """QQChatExporter JSON (``metadata``, ``chatInfo``, ``messages``)."""

    name = "qq.qce_json.v1"
    description = "QQChatExporter (QQ NT) JSON export (metadata/chatInfo/messages)"
    patterns = ("*.json",)

    def sniff(self, probe: Probe) -> float:
        return 0.9 if head_has(probe.text, "chatInfo") and ("QQChatExporter" in probe.text[:2000]
                                                          or head_has(probe.text, "messages")) else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        root: dict[str, Any] = {}
        chat = None
        try:
            for m in member_array(src, "QQChatExporter JSON export", root):  # streamed; chatInfo comes first
                if chat is None:
                    info = root.get("chatInfo") if isinstance(root.get("chatInfo"), dict) else {}
                    chat = as_str(info.get("name")) or ctx.chat
                msg = _qce_one(ctx, m, chat)
                if msg is not None:
                    yield msg
        except IngestError:
            # The manifest.json of a chunked-JSONL export (its messages are in chunks/*.jsonl).
            if chat is None and isinstance(root.get("chunked"), dict):
                ctx.skip("header")
                return
            raise


@register("qce.jsonl")
class QceJsonlReader(Reader):
    """QQChatExporter chunked JSONL (one ``CleanMessage`` per line under ``chunks/``)."""

    name = "qq.qce_jsonl.v1"
    description = "QQChatExporter chunked JSONL (chunks/*.jsonl, one message object per line)"
    patterns = ("chunks/*.jsonl",)

    def sniff(self, probe: Probe) -> float:
        first = probe.first_nonblank(1)
        if not first:
            return 0.0
        try:
            obj = json.loads(first[0])
        except ValueError:
            return 0.0
        ok = isinstance(obj, dict) and isinstance(obj.get("sender"), dict) and "timestamp" in obj and "content" in obj
        return 0.8 if ok else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        parts = src.display.replace("\\", "/").split("/")
        chat = parts[-3].removesuffix("_chunked_jsonl") if len(parts) >= 3 and parts[-2] == "chunks" else ctx.chat
        for line in open_lines(src):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                ctx.skip("unparseable")
                continue
            msg = _qce_one(ctx, obj, chat)
            if msg is not None:
                yield msg

