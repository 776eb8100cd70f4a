"""WhatsApp chat export ``.txt`` (iOS and Android, every date/time locale variant).

Headers: ``DATE, TIME - NAME: TEXT`` (Android), ``[DATE, TIME] NAME: TEXT`` (iOS),
``DATE, TIME: NAME: TEXT`` (legacy iOS). Direction marks and isolates (U+200E, U+2068/9 …) are
stripped and U+202F/U+00A0 mapped to spaces before matching. Day/month order is inferred over
the whole file (any field > 12 decides; else the reading with fewer backward jumps in time).
Lines without a sender (``X was added``), or whose body started with U+200E, are ``system``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from needminer.errors import IngestError
from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._encoding import clean
from needminer.ingest._kinds import classify
from needminer.ingest._lines import open_lines
from needminer.types import Message, MessageKind

_AMPM = r"(?:[AaPp]\.?\s?[Mm]\.?|上午|下午|午前|午後|오전|오후|ص|م)"
_DT = (
    rf"(?P<d>\d{{1,4}})[./-](?P<m>\d{{1,2}})[./-](?P<y>\d{{1,4}})\.?,?\s+(?P<ap1>{_AMPM}\s?)?"
    rf"(?P<H>\d{{1,2}})[:.](?P<M>\d{{2}})(?:[:.](?P<S>\d{{2}}))?(?:\s?(?P<ap2>{_AMPM}))?"
)
HEADER = re.compile(rf"^(?:\[{_DT}\]\s?|{_DT.replace('?P<', '?P<b')}(?:\s+-\s|:\s))(?P<rest>.*)$")
_DATE = re.compile(r"^[\u200e\ufeff]?\[?(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})\.?,?\s")
_E2E = re.compile(r"end-to-end encrypted|Ende-zu-Ende|端到端加密|端對端加密|extremo a extremo|de ponta a ponta")
_MEDIA_DE = re.compile(r"(?:Bild|Video|Audio|Sticker|GIF|Dokument|Kontaktkarte) weggelassen$|Seiten? Dokument weggelassen$")
_HEAD_START = frozenset("[0123456789")
# The two commonest shapes (Android 24 h, iOS 24 h with seconds) as cheap regexes tried before
# HEADER. Each matches a subset of HEADER's lines with the same fields, and its match is HEADER's
# date/time prefix, so both share one time cache.
_FAST_ANDROID = re.compile(r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4}),? (\d{1,2}):(\d{2}) - ")
_FAST_IOS = re.compile(r"\[(\d{1,4})[./-](\d{1,2})[./-](\d{1,4}),? (\d{1,2}):(\d{2}):(\d{2})\] ")
_EDITED = re.compile(r"\s*<(?:This message was edited|Diese Nachricht wurde bearbeitet|已编辑)>$")


def _fields(m: re.Match) -> tuple[str, str, str, str, str, str | None, str]:
    g = m.groupdict()
    if g["d"] is not None:
        return g["d"], g["m"], g["y"], g["H"], g["M"], g["S"], (g["ap1"] or g["ap2"] or "")
    return g["bd"], g["bm"], g["by"], g["bH"], g["bM"], g["bS"], (g["bap1"] or g["bap2"] or "")


def split_sender(body: str) -> tuple[str, str] | None:
    """``NAME: TEXT`` → (name, text), like ``^([^:\\n]{1,80}?)\\s?:(?:\\s|$)(.*)$`` (re.S) with str ops.

    The name cannot hold ``:`` or a newline, so only the first colon can end it; it must come
    within 81 characters and be followed by whitespace or the end.
    """
    i = body.find(":", 0, 82)
    if i < 1:
        return None
    nl = body.find("\n", 0, i)  # the name holds no newline; the one optional space before ":" may be one
    if not ((i <= 80 and nl < 0) or (body[i - 1].isspace() and 2 <= i <= 81 and (nl < 0 or nl == i - 1))):
        return None
    j = i + 1
    if j == len(body):
        return body[:i], ""
    if not body[j].isspace():
        return None
    return body[:i], body[j + 1 :]


class DateOrder:
    """Decides how to read ``a/b/c`` dates: year-first, day-first or month-first."""

    def __init__(self) -> None:
        self.samples: list[tuple[int, int, int]] = []
        self.order = ""

    def feed(self, a: str, b: str, c: str) -> bool:
        """Record one date; True once the order is decided."""
        if len(a) == 4:
            self.order = "ymd"
        elif int(a) > 12:
            self.order = "dmy"
        elif int(b) > 12:
            self.order = "mdy"
        elif len(self.samples) < 5000:
            self.samples.append((int(a), int(b), int(c)))
        return bool(self.order)

    def decide(self) -> str:
        if self.order:
            return self.order

        def jumps(day_first: bool) -> int:
            keys = [(y, b, a) if day_first else (y, a, b) for a, b, y in self.samples]
            return sum(1 for p, q in zip(keys, keys[1:]) if q < p)

        return "dmy" if jumps(True) <= jumps(False) else "mdy"


def _ymd(order: str, a: str, b: str, c: str) -> tuple[int, int, int]:
    if order == "ymd":
        y, mo, d = int(a), int(b), int(c)
    elif order == "dmy":
        d, mo, y = int(a), int(b), int(c)
    else:
        mo, d, y = int(a), int(b), int(c)
    return (y + 2000 if y < 100 else y), mo, d


def _hour(h: str, ap: str) -> int:
    hour = int(h)
    if not ap:
        return hour
    pm = ap[0] in "Pp" or ap in ("下午", "午後", "오후", "م")
    return hour % 12 + (12 if pm else 0)


def _chat_name(src: SourceFile) -> str:
    stem = src.stem
    for prefix in ("WhatsApp Chat with ", "WhatsApp Chat - ", "WhatsApp Chat mit ", "与"):
        if stem.startswith(prefix):
            stem = stem[len(prefix):]
    stem = re.sub(r"的\s?WhatsApp\s?(聊天|對話)$", "", stem)
    if stem == "_chat" and "!" in src.display:  # iOS: _chat.txt inside "WhatsApp Chat - X.zip"
        archive = src.display.split("!", 1)[0].replace("\\", "/").rsplit("/", 1)[-1]
        stem = re.sub(r"^WhatsApp Chat - |\.zip$", "", archive)
    return stem


@register("whatsapp", "whatsapp.txt")
class WhatsAppTxtReader(Reader):
    """WhatsApp ``_chat.txt`` / ``WhatsApp Chat with X.txt``."""

    name = "whatsapp.txt.v1"
    description = "WhatsApp chat export .txt (iOS [date, time] / Android date, time - ; any locale)"
    patterns = ("_chat.txt", "WhatsApp Chat with *.txt", "*WhatsApp*.txt")

    def sniff(self, probe: Probe) -> float:
        lines = probe.first_nonblank(30)
        if not lines:
            return 0.0
        hits = sum(1 for ln in lines if HEADER.match(ln))
        return 0.8 if HEADER.match(lines[0]) and hits >= max(1, len(lines) // 3) else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        ctx.chat = _chat_name(src)
        order = DateOrder()
        for line in open_lines(src):  # pass 1: date order (stops at the first decisive date)
            m = _DATE.match(line)
            if m and order.feed(*m.groups()):
                break
        fmt = order.decide()
        bad: list[str] = []
        times: dict[str, object] = {}  # header date/time prefix → UTC time (or the error text)
        match, one, local = HEADER.match, self._one, ctx.local
        pre = False
        cur: tuple[int, str, str, str] | None = None  # (line no., rest of header line, raw header, time key)
        body: list[str] = []
        fast_a, fast_i = _FAST_ANDROID.match, _FAST_IOS.match
        for n, raw in enumerate(open_lines(src), 1):
            line = raw.rstrip("\r\n")
            c = clean(line)
            m = fast_a(c) or fast_i(c)
            if m is not None:
                key = m.group()
                fields = m.groups()
            else:
                m = match(c) if c[:1] in _HEAD_START else None
                if m is None:
                    if cur is not None:
                        body.append(line)
                    elif line.strip():
                        pre = True
                    continue
                key = c[: m.start("rest")]
                fields = None
            if cur is not None:
                msg = one(ctx, cur, body, times, bad)
                if msg is not None:
                    yield msg
            elif pre:
                ctx.skip("header")
                pre = False
            cur, body = (n, c[len(key):], line, key), []
            if key not in times:
                if len(times) > 50_000:
                    times.clear()
                if fields is None:
                    a, bb, cc, h, mi, sec, ap = _fields(m)
                else:
                    a, bb, cc, h, mi, sec, ap = (*fields[:5], fields[5] if len(fields) > 5 else None, "")
                try:
                    times[key] = local(*_ymd(fmt, a, bb, cc), _hour(h, ap), int(mi), int(sec or 0))
                except ValueError:
                    times[key] = f"date/time does not exist when read as {fmt.upper()}"
        if cur is not None:
            msg = one(ctx, cur, body, times, bad)
            if msg is not None:
                yield msg
        elif pre:
            ctx.skip("header")
        if bad and not ctx.ledger.messages:
            raise IngestError(f"no message could be read: {bad[0]}; check the export's date format")

    @staticmethod
    def _one(ctx: ReadContext, cur: tuple, lines: list[str], times: dict, bad: list[str]) -> Message | None:
        n, rest, raw, key = cur
        time = times[key]
        if isinstance(time, str):
            if not bad:
                bad.append(f"line {n}: {time}")
            ctx.skip("bad_time")
            return None
        body = "\n".join([rest, *lines]).rstrip() if lines else rest.rstrip()
        sm = split_sender(body)
        kind = None
        # The E2E notice opens a chat; iOS posts it under the group name after a U+200E.
        if sm is None or (ctx.ledger.records < 3 or "\u200e" in raw) and _E2E.search(body, 0, 200):
            kind, sender, text = MessageKind.system, "system", body
        else:
            sender, text = sm[0].strip(), sm[1]
        # The header line was cleaned before matching; only continuation lines still need it.
        text = (clean(text) if lines else text).strip()
        if text.endswith(">"):
            text = _EDITED.sub("", text)
        sender = sender.lstrip("~").strip()
        if kind is None:
            kind = MessageKind.media if text.endswith("weggelassen") and _MEDIA_DE.search(text) else classify(text)
            # iOS marks system notices posted under the group's or member's name with U+200E.
            if kind is MessageKind.text and ": \u200e" in raw:
                kind = MessageKind.system
        if not text:
            ctx.skip("empty")
            return None
        return ctx.plain(sender, text, time, kind)
