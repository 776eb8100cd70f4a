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
from itertools import chain
from typing import Any

from needminer.errors import IngestError
from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._jsonstream import member_array
from needminer.ingest._jsonutil import as_str, head_has
from needminer.ingest._kinds import _TRIGGER_CHARS, _TRIGGER_WORDS, classify, split_quote
from needminer.ingest._lines import open_lines, record_chunks
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
# After a header's date and hour, the rest of the common header: minutes, seconds, a space,
# ``nick(digits)``. Where it matches, ``_QQ`` matches too, with these minutes, seconds, nick and id
# (its lazy nick ends at the last "(", as no "(" follows it) and no AM/PM or mail.
_TAIL = re.compile(r"([0-9]{2}):([0-9]{2}) (?![AP]M)([^\n]*)\(([0-9]+)\)\Z")
_SS = [f"{s:02d}" for s in range(60)]
# The characters ``_QQ_READ`` can match first, besides decimal digits (and the CR that opens the
# end-of-file line).
_STARTS = "0123456789\ufeff=消\r"
# ``_TRIGGER_CHARS`` or a character that ``split_quote`` needs ("引用", "回复", a leading ">").
_TRIGGERS = re.compile(f"{_TRIGGER_CHARS.pattern}|[引回>]")
_TWO_DIGITS = {f"{s:02d}": s for s in range(100)}  # ASCII seconds fields → int
_EOF_LINE = "\r<end of file>"  # no line holds a CR; told apart by identity
_EOF = (([_EOF_LINE], False),)  # after the last line: finishes the last record like a header would


def _minute(minutes: dict[tuple, Any], local: Any, key: tuple) -> Any:
    """Work out and cache the entry of ``minutes`` for ``key`` = (y, mo, d, h, mi, ap) fields.

    The entry is (UTC time of second 0 of that local minute, its ISO text before the seconds and
    after them, or None, None when they are not "SS") or None when there is no such date/time.
    """
    y, mo, d, h, mi, ap = key
    hour = int(h) % 12 + (12 if ap == "PM" else 0) if ap else int(h)
    try:
        base = local(int(y), int(mo), int(d), hour, int(mi), 0)
    except ValueError:
        entry = None
    else:
        iso = base.isoformat()
        entry = (base, iso[:17], iso[19:]) if base.second == 0 and not base.microsecond else (base, None, None)
    if len(minutes) > 4096:  # recent minutes only: exports are in time order
        minutes.clear()
    minutes[key] = entry
    return entry


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
        # The records of ``blocks(open_lines(src), _QQ_READ.match, crlf_records=crlf)``, from lists of
        # lines; in a CRLF file each item is a line that may be a header joined with its bare-LF
        # continuation lines (see ``record_chunks``).
        chunks = record_chunks(src, b"\r\n" in src.head(65536))
        local, skip, line_message = ctx.local, ctx.skip, ctx.line_message
        match, tail_match = _QQ_READ.match, _TAIL.match
        minute = _minute
        trig_chars, trig_words, starts = _TRIGGERS.search, _TRIGGER_WORDS.search, _STARTS
        TEXT, SYSTEM = MessageKind.text, MessageKind.system
        seconds, two, eof = _SECONDS, _TWO_DIGITS, _EOF_LINE
        chat = ctx.chat
        # UTC time of second 0 of each local minute (None: no such date/time) with its ISO text cut
        # around the seconds; the seconds are added to it, which equals a full conversion because
        # zone offsets are per local hour.
        minutes: dict[tuple, Any] = {}
        # ``hkey``: the text before the minutes of the last header read by the pattern, if it had
        # no AM/PM ("\r" matches no item: none holds a CR), and its date and hour fields; ``kmm``
        # and ``kmin``: the minutes and minute entry of the last header. The date/time part of the
        # pattern can match in one way only, so a line opening with ``hkey`` has the same fields.
        hkey, hlen, hfields = "\r", 1, ("", "", "", "")
        kmm, kmin = "", None
        # The pending record: 0 none yet, 1 banner line, 2 message; its body lines (joined by LF).
        state = 0
        pre = False  # non-blank text before the first record
        body: list[str] = []
        cur_min: Any = None
        cur_s, cur_nick, cur_uid = 0, "", ""
        obj = None
        for lines, cont in chain(chunks, _EOF):
            if cont:  # continuation lines of the previous chunk's last item
                if state:
                    body.append(lines[0])
                elif lines[0].strip():
                    pre = True
                lines = lines[1:]
            for line in lines:
                if not line:
                    if state:
                        body.append(line)
                    continue
                # ``<hkey>MM:SS nick(digits)``, read as the pattern reads it (see ``_TAIL``).
                if line.startswith(hkey) and (t := tail_match(line, hlen)) is not None:
                    mm, ss, nick, uid = t.groups()
                    if mm != kmm:
                        kmm = mm
                        kmin = minutes.get(key := (*hfields, mm, None), minutes)
                        if kmin is minutes:
                            kmin = minute(minutes, local, key)
                    nxt, s, nick, nb = 2, two[ss], nick.strip(), None
                else:
                    if (c := line[0]) in starts or c.isdecimal():  # a character _QQ_READ can match first
                        nl = line.find("\n")
                        m = match(line) if nl < 0 else match(line, 0, nl)
                    else:
                        m = None
                    if m is None:
                        if line is not eof:
                            if state:
                                body.append(line)
                            elif line.strip():
                                pre = True
                            continue
                        nxt = -1
                    else:
                        nb = None if nl < 0 else line[nl + 1 :]
                        furn, obj, y, mo, d, h, mi, sec, ap, nick, uid, mail = m.groups()
                        if furn is not None:
                            nxt = 1
                        else:
                            nxt = 2
                            key = (y, mo, d, h, mi, ap)
                            kmin = minutes.get(key, minutes)
                            if kmin is minutes:
                                kmin = minute(minutes, local, key)
                            kmm = mi
                            if ap is None:
                                hlen = m.start("M")
                                hkey, hfields = line[:hlen], (y, mo, d, h)
                            else:
                                hkey = "\r"
                            s = int(sec)
                            nick = (nick or "").strip()
                            uid = uid or mail or nick
                # A record starts (or the file ends): finish the pending one.
                if state == 2:
                    if cur_min is None or cur_s > 59:
                        skip("bad_time")
                    else:
                        text = "\n".join(body).strip()
                        if not text:
                            skip("empty")
                        else:
                            quote = None
                            if trig_chars(text) or ("e" in text and trig_words(text)):
                                kind = classify(text)
                                if kind is TEXT and (cur_uid in _SYSTEM_IDS or cur_nick == "系统消息"):
                                    kind = SYSTEM
                                if kind is TEXT:
                                    text, quote = split_quote(text)
                                    quote = quote or None
                            else:  # what classify() and split_quote() make of a text without their triggers
                                kind = SYSTEM if cur_uid in _SYSTEM_IDS or cur_nick == "系统消息" else TEXT
                            sender = cur_uid or "unknown"
                            base, head, tail = cur_min
                            time = base + seconds[cur_s] if cur_s else base
                            iso = f"{head}{_SS[cur_s]}{tail}" if head is not None else None
                            yield line_message(chat, sender, cur_nick or cur_uid, text, time, kind, quote, iso)
                elif state:
                    if "\n".join(body).strip():
                        skip("unparseable")  # stray text between the banner lines
                elif pre:
                    skip("header")
                    pre = False
                if nxt == 2:
                    state, cur_min, cur_s, cur_nick, cur_uid = 2, kmin, s, nick, uid
                elif nxt < 0:
                    break
                else:
                    state = 1
                    if obj is not None and obj.strip():
                        ctx.chat = chat = obj.strip()
                body = [] if nb is None else [nb]


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

