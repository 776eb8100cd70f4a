"""WeChat 4.x exporters: WeFlow TXT / JSON (and EchoTrace JSON), and chatlog (sjzar) CSV / JSON.

WeFlow TXT records are ``YYYY-MM-DD HH:mm:ss 'sender'`` + body + blank line; quotes are appended
as ``…[引用 name：text]``. WeFlow/EchoTrace JSON carry ``session`` + ``messages`` with epoch
``createTime``. chatlog CSV is ``Time,SenderName,Sender,TalkerName,Talker,Content``; its JSON is a
list of ``{seq, time (RFC 3339), talker, sender, senderName, type, content}``; quotes are ``> `` lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._jsonstream import member_array, top_array
from needminer.ingest._jsonutil import as_str, head_has, require
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
        root: dict[str, Any] = {}
        chat = None
        for m in member_array(src, "WeFlow/EchoTrace JSON export", root):  # streamed; session comes first
            if chat is None:
                sess = root.get("session") if isinstance(root.get("session"), dict) else {}
                chat = as_str(sess.get("displayName") or sess.get("remark") or sess.get("nickname")
                              or sess.get("wxid")) or ctx.chat
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
    kind = classify(text)
    if sender in ("系统消息", "system") and kind is not MessageKind.recalled:
        return MessageKind.system
    return kind


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
        for m in top_array(src, "chatlog JSON"):
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


_CL_HEAD = re.compile(
    r"^(?P<name>\S.*?)(?:\((?P<id>[^()\s]+)\))? (?:\[(?P<room>[^\]\n]*)\] )?"
    r"(?:(?:(?P<y>\d{4})-)?(?P<mo>\d{2})-(?P<d>\d{2}) )?(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})$"
)
_FILE_DATE = re.compile(r"((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})")
_FILE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _file_date(src: SourceFile) -> tuple[int | None, int | None, int | None]:
    m = _FILE_DATE.search(src.name)
    if m:
        return int(m[1]), int(m[2]), int(m[3])
    y = _FILE_YEAR.search(src.name)
    return (int(y[1]) if y else None), None, None


@register("chatlog.txt", "chatlog")
class ChatlogTextReader(Reader):
    """chatlog (sjzar) plain text (``SenderName(sender) [Room(talker)] TIME`` + content + blank line).

    chatlog shortens TIME to ``01-02 15:04:05`` (same year) or ``15:04:05`` (same day); the missing
    year/date is taken from a date in the file name (``chatlog_2026-09-12.txt``), else the year
    defaults to the current one and a time-only header without a file-name date is ``bad_time``.
    """

    name = "wechat.chatlog_text.v1"
    description = "WeChat chatlog (sjzar) plain text (SenderName(wxid) [Room] TIME + content)"
    patterns = ("*.txt",)

    def sniff(self, probe: Probe) -> float:
        lines = probe.lines[:120]
        hits = sum(1 for i, ln in enumerate(lines) if (m := _CL_HEAD.match(ln)) and (m["id"] or m["room"])
                   and (i == 0 or not lines[i - 1].strip()))
        return 0.8 if hits >= 2 else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        fy, fm, fd = _file_date(src)
        year_now = datetime.now(timezone.utc).year
        prev_blank = [True]

        def match(line: str) -> re.Match | None:
            m = _CL_HEAD.match(line) if prev_blank[0] else None
            prev_blank[0] = not line.strip()
            return m

        for b in blocks(open_lines(src), match):
            if skip_preamble(ctx, b):
                continue
            m = b.match
            y = int(m["y"]) if m["y"] else (fy or year_now)
            mo, d = (int(m["mo"]), int(m["d"])) if m["mo"] else (fm, fd)
            try:
                if mo is None or d is None:
                    raise ValueError("no date")
                time = ctx.local(y, mo, d, int(m["H"]), int(m["M"]), int(m["S"]))
            except ValueError:
                ctx.skip("bad_time")
                continue
            sender = (m["id"] or m["name"]).strip()
            name = m["name"].strip()
            room = (m["room"] or "").strip()
            chat = re.sub(r"\([^()]*\)$", "", room).strip() if room else ctx.chat
            text = b.text()
            kind = _chatlog_kind(name if name == "系统消息" else sender, text)
            msg = _finish(ctx, text=text, kind=kind, sender=sender, sender_name=name, time=time, chat=chat)
            if msg is not None:
                yield msg
