"""MemoTrace (留痕, LC044/WeChatMsg 2.0.x) TXT and HTML exports.

TXT record = ``YYYY-MM-DD HH:MM:SS name`` + body + blank line; system notices have no name line
(``YYYY-MM-DD HH:MM:SS content`` followed directly by the blank line). Replies carry
``\\n引用:name:text``; names went through HTML + JS escaping (``&amp;``, ``\\'``).

Sniff rule (the header shape is shared with other exporters): MemoTrace TXT is the *fallback*
for ``YYYY-MM-DD HH:MM:SS <rest>`` headers. It needs >= 2 such headers among the first 40
non-blank lines, each preceded by a blank line (or the file start), and scores only 0.5, while
WeFlow TXT (sender in single quotes) scores 0.85 and QQ 消息管理器 (banner, ``(QQ号)``/``<mail>``
ids, unpadded hours) 0.9. A file where most headers end in ``'name'`` or ``(id)``/``<id>`` is
left to those readers (score 0 here), so a hit means "no other exporter's marks present".

JSON (``{remark}_train.json`` / ``{remark}_dev.json``): the LLM fine-tune set, a list of
``{"conversations": [{"role": "system|user|assistant", "content": …}]}``, shuffled, without times.
Each turn is a record: ``user`` is the contact, ``assistant`` the exporting user, ``system`` turns
(the prompt) are skipped as ``system``. Messages have no time; consecutive turns of a
conversation are linked with ``reply_to``.

HTML: ``const chatMessages = [ {type:1, text:'…', timestamp:…, displayname:'…'}, … ];`` — JS
object literals (unquoted keys, single-quoted strings, trailing commas), read by a small literal
parser (never ``eval``). Later closed-source versions quote the keys; both shapes are accepted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from needminer.errors import IngestError
from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register, short_hash
from needminer.ingest._encoding import decode_all
from needminer.ingest._jsonstream import top_array
from needminer.ingest._jsonutil import as_str
from needminer.ingest._kinds import classify, split_quote
from needminer.ingest._lines import blocks, open_lines, skip_preamble
from needminer.ingest._time import from_epoch
from needminer.types import Message, MessageKind

_HEAD = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) (\S.*?)\s*$")
_OTHER = re.compile(r"^'.*'$|[(<][^()<>\s]+[)>]$")  # WeFlow 'name' / QQ (id) or <mail> endings
_JS_ESC = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_JS_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def unescape_name(name: str) -> str:
    """Undo MemoTrace's ``escape_js_and_html`` on a display name."""
    if "\\" in name:
        name = _JS_ESC.sub(lambda m: _js_char(m.group(1)), name)
    return html.unescape(name) if "&" in name else name


def _js_char(esc: str) -> str:
    if len(esc) > 1:
        return chr(int(esc[1:], 16))
    return _JS_SIMPLE.get(esc, esc)


def _txt_match():
    """Header matcher that only accepts a header after a blank line (or at the file start)."""
    prev_blank = [True]

    def match(line: str) -> re.Match | None:
        m = _HEAD.match(line) if prev_blank[0] else None
        prev_blank[0] = not line.strip()
        return m

    return match


@register("memotrace.txt")
class MemoTraceTxtReader(Reader):
    """MemoTrace / 留痕 TXT (``{remark}.txt``)."""

    name = "wechat.memotrace_txt.v1"
    description = "WeChat MemoTrace (留痕) TXT ({remark}.txt: YYYY-MM-DD HH:MM:SS name + body)"
    patterns = ("*.txt",)

    def sniff(self, probe: Probe) -> float:
        lines = probe.lines[:120]
        heads = [m for i, ln in enumerate(lines) if (m := _HEAD.match(ln)) and (i == 0 or not lines[i - 1].strip())]
        if len(heads) < 2 or (probe.lines and probe.lines[0].startswith("消息记录")):
            return 0.0
        other = sum(1 for m in heads if _OTHER.search(m.group(7)))
        return 0.5 if other * 2 < len(heads) else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        for b in blocks(open_lines(src), _txt_match()):
            if skip_preamble(ctx, b):
                continue
            g = b.match.groups()
            try:
                time = ctx.local(*map(int, g[:6]))
            except ValueError:
                ctx.skip("bad_time")
                continue
            text = b.text()
            if not text.strip():  # a system notice: its content sits on the header line
                text = g[6]
                kind = MessageKind.recalled if "撤回" in text else MessageKind.system
                yield ctx.message(sender="system", sender_name="", text=text, time=time, kind=kind)
                continue
            name = unescape_name(g[6])
            body = text.strip()
            kind = MessageKind.media if body.startswith("[链接]") else classify(body)
            quote = None
            if kind is MessageKind.text:
                body, quote = split_quote(body)
            yield ctx.message(sender=name, sender_name=name, text=body, time=time, kind=kind, quote=quote)


# --- HTML: a parser for the JS object literals in ``const chatMessages = [...]`` -------------------

_WS = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.S)
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUM = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_STR = {"'": re.compile(r"'((?:[^'\\\n]|\\.)*)'", re.S), '"': re.compile(r'"((?:[^"\\\n]|\\.)*)"', re.S)}
_CONST = {"true": True, "false": False, "null": None, "undefined": None}
_START = re.compile(r"(?:const|let|var)\s+chatMessages\s*=\s*\[")
_MAX_DEPTH = 20


class JsLiteral:
    """Reads JS literals (objects, arrays, strings, numbers, true/false/null) from ``text``.

    Raises ``IngestError`` naming the line on anything else (function calls, expressions …).
    """

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos

    def fail(self, what: str) -> IngestError:
        line = self.text.count("\n", 0, self.pos) + 1
        return IngestError(f"MemoTrace HTML: {what} at line {line} of the chatMessages array; re-export the chat")

    def ws(self) -> str:
        self.pos = _WS.match(self.text, self.pos).end()
        return self.text[self.pos : self.pos + 1]

    def value(self, depth: int = 0) -> Any:
        c = self.ws()
        if depth > _MAX_DEPTH:
            raise self.fail("literal nested too deeply")
        if c == "{":
            return self._object(depth)
        if c == "[":
            return self._array(depth)
        if c in _STR:
            return self.string()
        m = _NUM.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            s = m.group()
            return float(s) if any(ch in s for ch in ".eE") else int(s)
        m = _IDENT.match(self.text, self.pos)
        if m and m.group() in _CONST:
            self.pos = m.end()
            return _CONST[m.group()]
        raise self.fail("unexpected token" if c else "unexpected end (the file looks truncated)")

    def string(self) -> str:
        m = _STR[self.text[self.pos]].match(self.text, self.pos)
        if not m:
            raise self.fail("unterminated string")
        self.pos = m.end()
        s = m.group(1)
        return _JS_ESC.sub(lambda e: _js_char(e.group(1)), s) if "\\" in s else s

    def _key(self) -> str:
        c = self.ws()
        if c in _STR:
            return self.string()
        m = _IDENT.match(self.text, self.pos) or _NUM.match(self.text, self.pos)
        if not m:
            raise self.fail("expected a key")
        self.pos = m.end()
        return m.group()

    def _object(self, depth: int) -> dict:
        self.pos += 1
        out: dict = {}
        while True:
            if self.ws() == "}":
                self.pos += 1
                return out
            key = self._key()
            if self.ws() != ":":
                raise self.fail("expected ':'")
            self.pos += 1
            out[key] = self.value(depth + 1)
            c = self.ws()
            if c == ",":
                self.pos += 1
            elif c != "}":
                raise self.fail("expected ',' or '}'")

    def _array(self, depth: int) -> list:
        self.pos += 1
        return list(self.items(depth))

    def items(self, depth: int = 0) -> Iterator[Any]:
        """Yield the elements of an array whose ``[`` was consumed; consumes the ``]``."""
        while True:
            c = self.ws()
            if c == "]":
                self.pos += 1
                return
            if c == ",":  # holes / stray commas
                self.pos += 1
                continue
            yield self.value(depth + 1)
            c = self.ws()
            if c == ",":
                self.pos += 1
            elif c != "]":
                raise self.fail("expected ',' or ']'")


def _html_kind(typ: int, sub: int, text: str) -> MessageKind:
    if typ in (0, 10000):
        return MessageKind.recalled if "撤回" in text else MessageKind.system
    if typ == 1:
        return classify(text)
    if typ == 49 and sub == 57:
        return MessageKind.text
    if typ == 49 and sub == 2000:
        return MessageKind.red_packet
    if typ == 50:
        return MessageKind.system
    return MessageKind.media


_PLACEHOLDER = {3: "[图片]", 34: "[语音]", 43: "[视频]", 47: "[表情包]", 50: "[通话]"}
_TITLE = re.compile(r"<title>([^<]{1,200})</title>")


@register("memotrace.html")
class MemoTraceHtmlReader(Reader):
    """MemoTrace / 留痕 HTML (``{remark}.html`` with ``const chatMessages = [...]``)."""

    name = "wechat.memotrace_html.v1"
    description = "WeChat MemoTrace (留痕) HTML ({remark}.html: JS object literals in const chatMessages)"
    patterns = ("*.html", "*.htm")

    def sniff(self, probe: Probe) -> float:
        return 0.9 if _START.search(probe.text) else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        text = decode_all(src.read_bytes())
        start = _START.search(text)
        if start is None:
            raise IngestError("not a MemoTrace HTML export: no 'const chatMessages = [' array. Use --format auto.")
        title = _TITLE.search(text, 0, start.start())
        if title and title.group(1).strip() not in ("", "出错了"):
            ctx.chat = html.unescape(title.group(1).strip())
        js = JsLiteral(text, start.end())
        for obj in js.items():
            msg = self._one(ctx, obj)
            if msg is not None:
                yield msg

    def _one(self, ctx: ReadContext, o: Any) -> Message | None:
        if not isinstance(o, dict):
            ctx.skip("unparseable")
            return None
        try:
            time = from_epoch(float(o.get("timestamp")))
            typ, sub = int(o.get("type") or 0), int(o.get("sub_type") or 0)
        except (TypeError, ValueError, OverflowError):
            ctx.skip("bad_time")
            return None
        raw = o.get("text")
        text = html.unescape(raw).strip() if isinstance(raw, str) else ""
        kind = _html_kind(typ, sub, text)
        if kind is MessageKind.media:
            text = _PLACEHOLDER.get(typ, f"[{o.get('title') or o.get('file_name') or '分享'}]")
        elif typ == 50:
            text = text or "[通话]"
        if not text:
            ctx.skip("empty")
            return None
        name = unescape_name(str(o.get("displayname") or "")).strip()
        if kind in (MessageKind.system, MessageKind.recalled) and typ in (0, 10000):
            sender = "system"
        else:
            sender = name or ("我" if o.get("is_send") == 1 else "unknown")
        refer = o.get("refer_text")
        quote = html.unescape(refer).strip() if isinstance(refer, str) and refer.strip() else None
        return ctx.message(sender=sender, sender_name=name, text=text, time=time, kind=kind, quote=quote)


# --- JSON: the LLM fine-tune set ``{remark}_train.json`` / ``{remark}_dev.json`` -------------------

JSON_WHAT = "MemoTrace JSON ({remark}_train.json: a list of {\"conversations\": [...]})"
_JSON_HEAD = re.compile(r'"conversations"\s*:\s*\[')
_JSON_ROLE = re.compile(r'"role"\s*:\s*"(?:system|user|assistant)"')
_JSON_STEM = re.compile(r"_(?:train|dev)$")
SELF = "我"  # sender key of the exporting user (the ``assistant`` turns), as in the HTML reader


def _conversation_key(turns: list) -> str:
    """A hash of a conversation's turns: the same conversation gets the same ids in every file."""
    parts = []
    for t in turns:
        if isinstance(t, dict):
            role, content = t.get("role"), t.get("content")
            role = role if isinstance(role, str) else "?"
            parts.append(f"{role}\x1e{as_str(content) if not isinstance(content, (dict, list)) else '?'}")
        else:
            parts.append("?")
    return short_hash(*parts)


@register("memotrace.json")
class MemoTraceJsonReader(Reader):
    """MemoTrace / 留痕 JSON fine-tune set (``{remark}_train.json`` / ``{remark}_dev.json``)."""

    name = "wechat.memotrace_json.v1"
    description = "WeChat MemoTrace (留痕) JSON fine-tune set ({remark}_train.json/_dev.json: conversations, no times)"
    patterns = ("*_train.json", "*_dev.json")

    def sniff(self, probe: Probe) -> float:
        t = probe.text[:4000]
        if not t.lstrip().startswith("[") or not _JSON_HEAD.search(t):
            return 0.0
        return 0.9 if '"role"' in t and _JSON_ROLE.search(t) else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        # Ids hash the chat, the conversation's content, its occurrence in this file and the turn,
        # so a conversation found in both _train and _dev (or in a re-export) gets the same ids.
        ctx.chat = chat = _JSON_STEM.sub("", ctx.chat) or ctx.chat
        contact = chat
        seen: dict[str, int] = {}
        for conv in top_array(src, JSON_WHAT):
            turns = conv.get("conversations") if isinstance(conv, dict) else None
            if not isinstance(turns, list):
                ctx.skip("unparseable")
                continue
            key = _conversation_key(turns)
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            prev: str | None = None
            for i, turn in enumerate(turns):
                role = turn.get("role") if isinstance(turn, dict) else None
                content = turn.get("content") if isinstance(turn, dict) else None
                if role not in ("system", "user", "assistant") or isinstance(content, (dict, list, bool)):
                    ctx.skip("unparseable")
                    continue
                if role == "system":
                    ctx.skip("system")
                    continue
                text = as_str(content).strip()
                if not text:
                    ctx.skip("empty")
                    continue
                sender, name = (contact, contact) if role == "user" else (SELF, "")
                msg = ctx.message(sender=sender, sender_name=name, text=text, time=None, kind=classify(text),
                                  native_id=short_hash(chat, key, occurrence, i), reply_to=prev)
                prev = msg.id
                yield msg
