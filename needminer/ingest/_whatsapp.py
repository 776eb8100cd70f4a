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
from needminer.ingest._lines import blocks, open_lines, skip_preamble
from needminer.types import Message, MessageKind

_AMPM = r"(?:[AaPp]\.?\s?[Mm]\.?|上午|下午|午前|午後|오전|오후|ص|م)"
_DT = (
    rf"(?P<d>\d{{1,4}})[./-](?P<m>\d{{1,2}})[./-](?P<y>\d{{1,4}})\.?,?\s+(?P<ap1>{_AMPM}\s?)?"
    rf"(?P<H>\d{{1,2}})[:.](?P<M>\d{{2}})(?:[:.](?P<S>\d{{2}}))?(?:\s?(?P<ap2>{_AMPM}))?"
)
HEADER = re.compile(rf"^(?:\[{_DT}\]\s?|{_DT.replace('?P<', '?P<b')}(?:\s+-\s|:\s))(?P<rest>.*)$")
_DATE = re.compile(r"^[\u200e\ufeff]?\[?(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})\.?,?\s")
_SENDER = re.compile(r"^(?P<name>[^:\n]{1,80}?)\s?:(?:\s|$)(?P<text>.*)$", re.S)
_E2E = re.compile(r"end-to-end encrypted|Ende-zu-Ende|端到端加密|端對端加密|extremo a extremo|de ponta a ponta")
_MEDIA_DE = re.compile(r"(?:Bild|Video|Audio|Sticker|GIF|Dokument|Kontaktkarte) weggelassen$|Seiten? Dokument weggelassen$")
_EDITED = re.compile(r"\s*<(?:This message was edited|Diese Nachricht wurde bearbeitet|已编辑)>$")


def _fields(m: re.Match) -> tuple[str, str, str, str, str, str | None, str]:
    g = m.groupdict()
    if g["d"] is not None:
        return g["d"], g["m"], g["y"], g["H"], g["M"], g["S"], (g["ap1"] or g["ap2"] or "")
    return g["bd"], g["bm"], g["by"], g["bH"], g["bM"], g["bS"], (g["bap1"] or g["bap2"] or "")


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
        bad: str | None = None
        for b in blocks(open_lines(src), HEADER.match, prep=clean):
            if skip_preamble(ctx, b):
                continue
            a, bb, c, h, mi, s, ap = _fields(b.match)
            try:
                time = ctx.local(*_ymd(fmt, a, bb, c), _hour(h, ap), int(mi), int(s or 0))
            except ValueError:
                bad = bad or f"line {b.line}: date/time does not exist when read as {fmt.upper()}"
                ctx.skip("bad_time")
                continue
            msg = self._one(ctx, b, time)
            if msg is not None:
                yield msg
        if bad and not ctx.ledger.messages:
            raise IngestError(f"no message could be read: {bad}; check the export's date format")

    def _one(self, ctx: ReadContext, b, time) -> Message | None:
        rest_raw = b.match["rest"]
        body = "\n".join([rest_raw, *b.body]).rstrip()
        sm = _SENDER.match(body)
        kind = None
        if sm is None or _E2E.search(body[:200]):
            kind, sender, text = MessageKind.system, "system", body
        else:
            sender, text = sm["name"].strip(), sm["text"]
        text = _EDITED.sub("", clean(text).strip())
        sender = clean(sender).lstrip("~").strip()
        if kind is None:
            kind = MessageKind.media if _MEDIA_DE.search(text) else classify(text)
            # iOS marks system notices posted under the group's or member's name with U+200E.
            if kind is MessageKind.text and ": \u200e" in b.raw:
                kind = MessageKind.system
        if not text:
            ctx.skip("empty")
            return None
        return ctx.message(sender=sender, sender_name=sender, text=text, time=time, kind=kind)
