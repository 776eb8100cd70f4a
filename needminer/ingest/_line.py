"""LINE chat history ``[LINE] Chat with X.txt`` (TAB-separated, day headers, any locale).

Day headers (``Wed, 10/07/2562 BE``, ``2025.12.10 Wednesday``, ``2026/1/30周五``, ``Fri, 1/30/2026``)
set the date; ``TIME<TAB>SENDER<TAB>TEXT`` lines are messages, with an empty sender for system
lines. Buddhist-era years (``BE``, Gregorian + 543) are converted; day/month order is inferred
from all day headers. Multi-line texts are wrapped in double quotes across lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from typing import Any

from needminer.errors import IngestError
from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._encoding import _CLEAN, _CLEAN_RE
from needminer.ingest._kinds import _TRIGGER_CHARS, _TRIGGER_WORDS, classify
from needminer.ingest._lines import line_chunks
from needminer.types import Message, MessageKind

_DAY = re.compile(
    r"^(?:[^\d\t]{1,12},?\s*)?(?P<a>\d{1,4})[./-](?P<b>\d{1,2})[./-](?P<c>\d{1,4})(?P<be>\s*BE)?"
    r"(?:\s*(?:\([^)]{1,10}\)|[^\d\t:]{1,12}))?\s*$"
)
_MSG = re.compile(
    r"^(?P<ap1>上午|下午|午前|午後|오전|오후)?\s?(?P<H>\d{1,2}):(?P<M>\d{2})\s?(?P<ap2>[AaPp][Mm])?"
    r"\t(?P<sender>[^\t]*)\t(?P<text>.*)$"
)
# What every ``_DAY`` line holds: a digit, a separator, one or two digits, a separator, a digit.
_MAYBE_DAY = re.compile(r"\d[./-]\d{1,2}[./-]\d")
_EOF_LINE = "\r<end of file>"  # matches neither _MSG nor _DAY; told apart by identity
_EOF = (([_EOF_LINE], True),)  # after the last line: finishes the last message like a day line would
_TITLE = re.compile(r"^\[LINE\]\s*(?:Chat history (?:with|in) (?P<en>.+)|与(?P<zh>.+)的聊天记录|與(?P<tw>.+)的聊天記錄|"
                    r"(?P<ja>.+?)(?:との)?トーク履歴|(?P<other>.+?)的聊天(?:记录|記錄))\s*$")


def _hour(m: re.Match) -> int:
    h = int(m["H"])
    ap = m["ap1"] or m["ap2"]
    if not ap:
        return h
    pm = ap.lower() == "pm" or ap in ("下午", "午後", "오후")
    return h % 12 + (12 if pm else 0)


@register("line", "line.txt")
class LineTxtReader(Reader):
    """LINE ``[LINE] Chat history with X`` text export."""

    name = "line.txt.v1"
    description = "LINE chat history .txt ([LINE] header, day headers, TIME<TAB>SENDER<TAB>TEXT)"
    patterns = ("[LINE]*.txt", "*.txt")

    def sniff(self, probe: Probe) -> float:
        first = probe.first_nonblank(1)
        if first and first[0].startswith("[LINE]"):
            return 0.95
        hits = sum(1 for ln in probe.lines[:60] if _MSG.match(ln))
        days = sum(1 for ln in probe.lines[:60] if _DAY.match(ln))
        return 0.6 if hits >= 3 and days >= 1 else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        order = self._order(src)
        date: tuple[int, int, int] | None = None
        header_seen = False
        local, skip, ledger, line_message = ctx.local, ctx.skip, ctx.ledger, ctx.line_message
        msg_match, day_match = _MSG.match, _DAY.match
        dirty, clean_map, eof = _CLEAN_RE.search, _CLEAN, _EOF_LINE
        trig_chars, trig_words = _TRIGGER_CHARS.search, _TRIGGER_WORDS.search
        TEXT, SYSTEM = MessageKind.text, MessageKind.system
        chat = ctx.chat
        # UTC times (None: invalid) of the current date by the time-of-day prefix of the message line.
        day_times: dict[str, Any] = {}
        times_date: tuple[int, int, int] | None = None
        # The pending message: its UTC time, sender and lines; ``cur_open`` while a quoted
        # multi-line text is unfinished.
        cur = False
        cur_time: Any = None
        cur_sender = ""
        cur_lines: list[str] = []
        cur_open = False
        for lines, tidy in chain(line_chunks(src), _EOF):
            for raw in lines:
                line = raw if tidy or raw.isascii() or not dirty(raw) else raw.translate(clean_map)
                if cur_open and line is not eof:
                    cur_lines.append(line)
                    if line.endswith('"'):
                        cur_open = False
                    continue
                m = msg_match(line)
                if m is not None and date is not None:
                    d = None
                else:
                    d = day_match(line)
                    if d is None:
                        if line is not eof:
                            if cur:
                                cur_lines.append(line)
                            elif line.strip():
                                t = _TITLE.match(line)
                                if t:
                                    ctx.chat = chat = next(g for g in t.groups() if g).strip()
                                header_seen = True
                            continue
                # A message or day line (or the end of the file): finish the pending message.
                if cur:
                    if len(cur_lines) > 1:
                        while len(cur_lines) > 1 and not cur_lines[-1].strip():
                            cur_lines.pop()
                        text = "\n".join(cur_lines) if len(cur_lines) > 1 else cur_lines[0]
                        if len(cur_lines) > 1 and text.startswith('"') and text.endswith('"'):
                            text = text[1:-1]
                        text = text.strip()
                    else:
                        text = cur_lines[0].strip()
                    if cur_time is None:
                        skip("bad_time")
                    elif not text:
                        skip("empty")
                    else:
                        # classify(text), when the text has one of the characters or words it needs
                        kind = classify(text) if trig_chars(text) or ("e" in text and trig_words(text)) else TEXT
                        if not cur_sender:
                            sender = "system"
                            if kind is TEXT:
                                kind = SYSTEM
                        else:
                            sender = cur_sender
                            if text.startswith("☎"):
                                kind = SYSTEM
                        yield line_message(chat, sender, cur_sender, text, cur_time, kind)
                if d is None:
                    if line is eof:
                        break
                    key = line[: m.start("sender")]
                    cur_time = day_times.get(key, day_times)
                    if cur_time is day_times:
                        try:
                            cur_time = local(*date, _hour(m), int(m["M"]))
                        except ValueError:
                            cur_time = None
                        if len(day_times) > 4096:  # recent minutes only: exports are in time order
                            day_times.clear()
                        day_times[key] = cur_time
                    sender, text = m.group("sender", "text")
                    cur, cur_sender, cur_lines = True, sender.strip(), [text]
                    cur_open = text.startswith('"') and not (len(text) > 1 and text.endswith('"'))
                else:
                    cur = False
                    date = self._date(d, order)
                    if date != times_date:
                        day_times, times_date = {}, date
        if header_seen:
            skip("header")
        if date is None and not ledger.messages:
            raise IngestError("no day header found (e.g. 'Wed, 10/07/2562 BE' or '2024/1/30周五'); not a LINE export")

    @staticmethod
    def _order(src: SourceFile) -> str:
        dmy = mdy = 0
        match, maybe = _DAY.match, _MAYBE_DAY.search
        for lines, tidy in line_chunks(src):
            # Only lines holding ``_MAYBE_DAY`` can match ``_DAY``: find them in the chunk's text.
            text = "\n".join(lines)
            if not tidy:
                text = text.translate(_CLEAN)  # clean() of each line
            pos = 0
            while (hit := maybe(text, pos)) is not None:
                start = text.rfind("\n", 0, hit.start()) + 1
                pos = text.find("\n", hit.end())
                if pos < 0:
                    pos = len(text)
                d = match(text[start:pos])
                if d and len(d["a"]) <= 2:
                    dmy += int(d["a"]) > 12 or bool(d["be"])
                    mdy += int(d["b"]) > 12
                    if dmy or mdy:
                        return "mdy" if mdy > dmy else "dmy"
        return "mdy" if mdy > dmy else "dmy"

    @staticmethod
    def _date(d: re.Match, order: str) -> tuple[int, int, int] | None:
        a, b, c = int(d["a"]), int(d["b"]), int(d["c"])
        if len(d["a"]) == 4:
            y, mo, day = a, b, c
        elif order == "mdy":
            mo, day, y = a, b, c
        else:
            day, mo, y = a, b, c
        if d["be"] or y > 2400:
            y -= 543
        return (y, mo, day) if 1 <= mo <= 12 and 1 <= day <= 31 else None
