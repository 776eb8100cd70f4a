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
from itertools import chain

from needminer.errors import IngestError
from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._encoding import _CLEAN, _CLEAN_RE, clean
from needminer.ingest._kinds import _TRIGGER_CHARS, _TRIGGER_WORDS, classify
from needminer.ingest._lines import line_chunks, open_lines
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
_EOF = (([None], True),)  # after the last line: finishes the last record like a header would
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


def _date_order(src: SourceFile) -> str:
    """Pass 1: the file's date order, reading up to the first decisive date."""
    order = DateOrder()
    samples = order.samples
    last = None
    for line in open_lines(src):
        m = _DATE.match(line)
        if m:
            g = m.groups()
            if g == last:  # feeds the same undecided sample again, without re-deciding it
                if len(samples) < 5000:
                    samples.append(samples[-1])
                continue
            if order.feed(*g):
                break
            last = g
    return order.decide()


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
        ctx.chat = chat = _chat_name(src)
        fmt = _date_order(src)
        bad: list[str] = []
        times: dict[str, object] = {}  # header date/time prefix → UTC time (or the error text)
        match, local, ledger, skip, line_message = HEADER.match, ctx.local, ctx.ledger, ctx.skip, ctx.line_message
        fast_a, fast_i, dirty, clean_map = _FAST_ANDROID.match, _FAST_IOS.match, _CLEAN_RE.search, _CLEAN
        e2e, edited, media_de, trig_chars, trig_words = _E2E.search, _EDITED.sub, _MEDIA_DE.search, _TRIGGER_CHARS.search, _TRIGGER_WORDS.search
        TEXT, SYSTEM, MEDIA = MessageKind.text, MessageKind.system, MessageKind.media
        pre = False
        # The pending record: header line number, rest of the header line, raw header line, UTC
        # time (or the error text), and its continuation lines.
        cur_n, cur_rest, cur_raw, cur_time = 0, None, "", None
        body: list[str] = []
        # The date/time prefix of the last header matched by a fast regex, and its time. Those
        # regexes can match a string in one way only, reading nothing past the match, so a line
        # that starts with that prefix is a header with the same prefix (most lines in a busy chat).
        last_key: str | tuple = ()
        last_time: object = None
        base = 1
        for lines, tidy in chain(line_chunks(src), _EOF):
            for n, line in enumerate(lines, base):
                if line is not None:
                    c = line if tidy or line.isascii() or not dirty(line) else line.translate(clean_map)
                    if c.startswith(last_key):
                        key = last_key
                        fields = True
                    else:
                        m = fast_a(c) or fast_i(c)
                        if m is not None:
                            key = m.group()
                            fields = m.groups()
                        else:
                            m = match(c) if c[:1] in _HEAD_START else None
                            if m is None:
                                if cur_rest is not None:
                                    body.append(line)
                                elif line.strip():
                                    pre = True
                                continue
                            key = c[: m.start("rest")]
                            fields = None
                # A header line (or the end of the file): finish the pending record.
                if cur_rest is not None:
                    if cur_time.__class__ is str:
                        if not bad:
                            bad.append(f"line {cur_n}: {cur_time}")
                        skip("bad_time")
                    else:
                        whole = "\n".join([cur_rest, *body]).rstrip() if body else cur_rest.rstrip()
                        sender = None
                        # split_sender(whole), inlined: NAME: TEXT.
                        i = whole.find(":", 0, 82)
                        if i >= 1:
                            nl = whole.find("\n", 0, i)
                            if (i <= 80 and nl < 0) or (whole[i - 1].isspace() and 2 <= i <= 81 and (nl < 0 or nl == i - 1)):
                                j = i + 1
                                if j == len(whole):
                                    sender, text = whole[:i], ""
                                elif whole[j].isspace():
                                    sender, text = whole[:i], whole[j + 1 :]
                        # The E2E notice opens a chat; iOS posts it under the group name after a U+200E.
                        if sender is None or (ledger.records < 3 or "\u200e" in cur_raw) and e2e(whole, 0, 200):
                            kind, sender, text = SYSTEM, "system", whole
                        else:
                            kind = None
                            sender = sender.strip()
                        if sender[:1] == "~":
                            sender = sender.lstrip("~").strip()
                        # The header line was cleaned before matching; only continuation lines still need it.
                        text = (clean(text) if body else text).strip()
                        if text.endswith(">"):
                            text = edited("", text)
                        if kind is None:
                            if text.endswith("weggelassen") and media_de(text):
                                kind = MEDIA
                            elif trig_chars(text) or ("e" in text and trig_words(text)):
                                kind = classify(text)
                            else:  # what classify() says of a text without any of its triggers
                                kind = TEXT
                            # iOS marks system notices posted under the group's or member's name with U+200E.
                            if kind is TEXT and ": \u200e" in cur_raw:
                                kind = SYSTEM
                        if not text:
                            skip("empty")
                        else:
                            yield line_message(chat, sender, sender, text, cur_time, kind)
                elif pre:
                    skip("header")
                    pre = False
                if line is None:
                    break
                cur_n, cur_rest, cur_raw = n, c[len(key):], line
                if body:
                    body = []
                if fields is True:
                    cur_time = last_time
                    continue
                cur_time = times.get(key)
                if cur_time is None:
                    if len(times) > 50_000:
                        times.clear()
                    if fields is None:
                        a, bb, cc, h, mi, sec, ap = _fields(m)
                    else:
                        a, bb, cc, h, mi, sec, ap = (*fields[:5], fields[5] if len(fields) > 5 else None, "")
                    try:
                        cur_time = local(*_ymd(fmt, a, bb, cc), _hour(h, ap), int(mi), int(sec or 0))
                    except ValueError:
                        cur_time = f"date/time does not exist when read as {fmt.upper()}"
                    times[key] = cur_time
                if fields is not None:
                    last_key, last_time = key, cur_time
            base += len(lines)
        if bad and not ledger.messages:
            raise IngestError(f"no message could be read: {bad[0]}; check the export's date format")
