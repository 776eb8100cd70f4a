"""WeChat exports: PyWxDump CSV (both header variants) / JSON, and MemoTrace (留痕) CSV.

PyWxDump: ``id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime`` (v3.1) or
``…,content,CreateTime`` with ``content`` = JSON ``{"src","msg"}`` (early 2024). ``MsgSvrID`` is the
server id, so message ids are ``wx:{MsgSvrID}``; the chat is ``room_name``; the sender is
``talker`` (``我`` for the exporting user). MemoTrace: ``localId,TalkerId,Type,SubType,…,Sender``
with epoch ``CreateTime``; kinds follow WeChat type codes (1 text, 10000 system, 49/2000 转账 …).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._generic import _delimiter, open_csv
from needminer.ingest._jsonstream import top_array
from needminer.ingest._jsonutil import as_str, require
from needminer.ingest._kinds import classify, split_quote
from needminer.ingest._time import from_epoch
from needminer.types import Message, MessageKind

PYWX_NEW = ["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "msg", "src", "CreateTime"]
PYWX_OLD = ["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "content", "CreateTime"]
MEMO = ["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status", "StrContent", "StrTime",
        "Remark", "NickName", "Sender"]
_TAGS = re.compile(r"<[^>]{1,40}>|<!\[CDATA\[|\]\]>")


def kind_from_label(label: str, text: str) -> MessageKind:
    """WeChat type label (``文本``, ``图片``, ``系统通知``, ``图片消息`` …) → kind."""
    if "撤回" in text and ("系统" in label or "撤回" in label or label == ""):
        return MessageKind.recalled
    if label.startswith("文本") or "引用" in label or label in ("", "粘贴的文本"):
        return classify(text)
    if "红包" in label or "转账" in label:
        return MessageKind.red_packet
    if "系统" in label or "拍一拍" in label or "通话" in label or "邀请" in label or "群公告" in label:
        return MessageKind.recalled if "撤回" in text else MessageKind.system
    return MessageKind.media


def _header(probe: Probe) -> list[str]:
    head = probe.first_nonblank(1)
    return next(csv.reader([head[0]], delimiter=_delimiter(head[0])), []) if head else []


def pywx_record(ctx: ReadContext, rec: Mapping[str, Any]) -> Message | None:
    """One PyWxDump row/object → message (or a counted skip)."""
    msg = rec.get("msg")
    if msg is None and "content" in rec:
        content = rec.get("content")
        try:
            obj = json.loads(content) if isinstance(content, str) else content
        except ValueError:
            obj = {"msg": content}
        msg = obj.get("msg") if isinstance(obj, dict) else content
    text = _TAGS.sub("", as_str(msg)).strip()
    try:
        time = ctx.local.flexible(as_str(rec.get("CreateTime")).strip())
    except ValueError:
        ctx.skip("bad_time")
        return None
    label = as_str(rec.get("type_name"))
    kind = kind_from_label(label, text)
    if not text:
        if kind is MessageKind.text:
            ctx.skip("empty")
            return None
        text = f"[{label}]"
    quote = None
    if kind is MessageKind.text:
        text, quote = split_quote(text)
    talker = as_str(rec.get("talker")).strip() or "unknown"
    sid = as_str(rec.get("MsgSvrID")).strip()
    return ctx.message(chat=as_str(rec.get("room_name")).strip() or ctx.chat, sender=talker, sender_name=talker,
                       text=text, time=time, kind=kind, native_id=f"wx:{sid}" if sid and sid != "0" else None,
                       quote=quote)


@register("pywxdump", "wechat.pywxdump_csv")
class PyWxDumpCsvReader(Reader):
    """PyWxDump per-chat CSV export (either header variant)."""

    name = "wechat.pywxdump_csv.v1"
    description = "WeChat PyWxDump CSV ({wxid}_{start}_{end}.csv; msg/src or JSON content column)"
    patterns = ("*_*_*.csv",)

    def sniff(self, probe: Probe) -> float:
        h = _header(probe)
        return 0.95 if h[:6] == PYWX_NEW[:6] and ("msg" in h or "content" in h) else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        with src.open() as raw:
            rows, header, _ = open_csv(raw, src)
            require(header[:6] == PYWX_NEW[:6], "PyWxDump CSV", "header does not start with " + ",".join(PYWX_NEW[:6]))
            for row in rows:
                if any(v.strip() for v in row):
                    msg = pywx_record(ctx, dict(zip(header, row)))
                    if msg is not None:
                        yield msg


@register("pywxdump.json", "wechat.pywxdump_json")
class PyWxDumpJsonReader(Reader):
    """PyWxDump JSON export (a list of the CSV row objects)."""

    name = "wechat.pywxdump_json.v1"
    description = "WeChat PyWxDump JSON ({wxid}_0_{n}.json: list of {MsgSvrID, type_name, talker, msg, CreateTime})"
    patterns = ("*_0_*.json",)

    def sniff(self, probe: Probe) -> float:
        t = probe.text.lstrip()
        return 0.9 if t.startswith("[") and '"MsgSvrID"' in t[:3000] and '"type_name"' in t[:3000] else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        for rec in top_array(src, "PyWxDump JSON export"):
            if not isinstance(rec, dict):
                ctx.skip("unparseable")
                continue
            msg = pywx_record(ctx, rec)
            if msg is not None:
                yield msg


_MEMO_KIND = {1: MessageKind.text, 10000: MessageKind.system, 50: MessageKind.system, 37: MessageKind.system}


@register("memotrace", "wechat.memotrace_csv")
class MemoTraceCsvReader(Reader):
    """MemoTrace / 留痕 CSV (``{remark}_utf8.csv``, UTF-8 with BOM)."""

    name = "wechat.memotrace_csv.v1"
    description = "WeChat MemoTrace (留痕) CSV ({remark}_utf8.csv: localId,TalkerId,Type,SubType,…)"
    patterns = ("*_utf8.csv", "messages.csv")

    def sniff(self, probe: Probe) -> float:
        return 0.95 if _header(probe)[:4] == MEMO[:4] else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        ctx.chat = ctx.chat.removesuffix("_utf8")
        with src.open() as raw:
            rows, header, _ = open_csv(raw, src)
            require(header[:4] == MEMO[:4], "MemoTrace CSV", "header does not start with " + ",".join(MEMO[:4]))
            for row in rows:
                if any(v.strip() for v in row):
                    msg = self._one(ctx, dict(zip(header, row)))
                    if msg is not None:
                        yield msg

    def _one(self, ctx: ReadContext, r: dict[str, str]) -> Message | None:
        try:
            time = from_epoch(float(r.get("CreateTime", ""))) if r.get("CreateTime", "").strip() else \
                ctx.local.iso(r.get("StrTime", ""))
        except ValueError:
            ctx.skip("bad_time")
            return None
        try:
            typ, sub = int(r.get("Type") or 0), int(r.get("SubType") or 0)
        except ValueError:
            typ, sub = -1, 0
        text = _TAGS.sub("", r.get("StrContent", "")).replace("重新编辑", "").strip()
        if typ == 49 and sub == 2000:
            kind = MessageKind.red_packet
        elif typ in _MEMO_KIND:
            kind = _MEMO_KIND[typ]
            kind = classify(text) if kind is MessageKind.text else kind
            kind = MessageKind.recalled if "撤回" in text and typ == 10000 else kind
        else:
            kind = MessageKind.media
        if kind is MessageKind.media and (not text or text.startswith("<")):
            text = f"[type {typ}/{sub}]"
        elif kind is MessageKind.red_packet and not text:
            text = "[转账]"
        if not text:
            ctx.skip("empty")
            return None
        sender = r.get("Sender", "").strip() or ("我" if r.get("IsSender") == "1" else "unknown")
        name = r.get("Remark", "").strip() or r.get("NickName", "").strip() or sender
        quote = None
        if kind is MessageKind.text:
            text, quote = split_quote(text)
        return ctx.message(sender=sender, sender_name=name, text=text, time=time, kind=kind, quote=quote)
