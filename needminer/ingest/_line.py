"""LINE chat history ``[LINE] Chat with X.txt`` (TAB-separated, day headers, any locale).

Day headers (``Wed, 10/07/2562 BE``, ``2025.12.10 Wednesday``, ``2026/1/30周五``, ``Fri, 1/30/2026``)
set the date; ``TIME<TAB>SENDER<TAB>TEXT`` lines are messages, with an empty sender for system
lines. Buddhist-era years (``BE``, Gregorian + 543) are converted; day/month order is inferred
from all day headers. Multi-line texts are wrapped in double quotes across lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from needminer.errors import IngestError
from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._encoding import _CLEAN, _CLEAN_RE, clean
from needminer.ingest._kinds import classify
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
        cur: list | None = None  # [line, time, sender, lines, open_quote]
        header_seen = False
        emit, local, msg_match, day_match = self._emit, ctx.local, _MSG.match, _DAY.match
        dirty, clean_map = _CLEAN_RE.search, _CLEAN
        times: dict[tuple, Any] = {}  # (date, time-of-day prefix) → UTC time (None: invalid)
        n = 0
        for lines, tidy in line_chunks(src):
            for raw in lines:
                n += 1
                line = raw if tidy or raw.isascii() or not dirty(raw) else raw.translate(clean_map)
                if cur is not None and cur[4]:
                    cur[3].append(line)
                    if line.endswith('"'):
                        cur[4] = False
                    continue
                m = msg_match(line)
                if m and date is not None:
                    if cur is not None:
                        msg = emit(ctx, cur)
                        if msg is not None:
                            yield msg
                    key = (date, line[: m.start("sender")])
                    time = times.get(key, times)
                    if time is times:
                        try:
                            time = local(*date, _hour(m), int(m["M"]))
                        except ValueError:
                            time = None
                        if len(times) > 4096:  # recent minutes only: exports are in time order
                            times.clear()
                        times[key] = time
                    text = m["text"]
                    cur = [n, time, m["sender"].strip(), [text], text.startswith('"') and not (len(text) > 1 and text.endswith('"'))]
                    continue
                d = day_match(line)
                if d:
                    if cur is not None:
                        msg = emit(ctx, cur)
                        if msg is not None:
                            yield msg
                        cur = None
                    date = self._date(d, order)
                    continue
                if cur is not None:
                    cur[3].append(line)
                elif line.strip():
                    t = _TITLE.match(line)
                    if t:
                        ctx.chat = next(g for g in t.groups() if g).strip()
                    header_seen = True
        if cur is not None:
            msg = emit(ctx, cur)
            if msg is not None:
                yield msg
        if header_seen:
            ctx.skip("header")
        if date is None and not ctx.ledger.messages:
            raise IngestError("no day header found (e.g. 'Wed, 10/07/2562 BE' or '2024/1/30周五'); not a LINE export")

    @staticmethod
    def _order(src: SourceFile) -> str:
        dmy = mdy = 0
        match = _DAY.match
        for lines, tidy in line_chunks(src):
            for raw in lines:
                d = match(raw if tidy else clean(raw))
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

    @staticmethod
    def _emit(ctx: ReadContext, cur: list) -> Message | None:
        _, time, sender, lines, _ = cur
        while len(lines) > 1 and not lines[-1].strip():
            lines.pop()
        text = "\n".join(lines) if len(lines) > 1 else lines[0]
        if len(lines) > 1 and text.startswith('"') and text.endswith('"'):
            text = text[1:-1]
        text = text.strip()
        if time is None:
            ctx.skip("bad_time")
            return None
        if not text:
            ctx.skip("empty")
            return None
        if not sender:
            kind = classify(text)
            kind = MessageKind.system if kind is MessageKind.text else kind
        else:
            kind = MessageKind.system if text.startswith("☎") else classify(text)
        return ctx.message(sender=sender or "system", sender_name=sender, text=text, time=time, kind=kind)
