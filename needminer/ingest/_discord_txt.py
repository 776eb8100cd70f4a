"""DiscordChatExporter plain-text export (best effort).

Layout: a preamble between 62-``=`` lines (``Guild:``, ``Channel: Category / name``, ``Topic:``,
``After:``/``Before:``), then per message ``[DATE] Author( (pinned))`` + content + blank line +
optional ``{Attachments}``/``{Embed}``/``{Stickers}``/``{Reactions}`` blocks + blank line, and a
footer ``Exported N message(s)``. DATE is .NET's culture-dependent ``g`` format
(``9/12/2026 8:05 PM``, ``2026/9/12 20:05``, ``12.09.2026 20:05`` …) in the exporter's local
zone; day/month order is inferred over the file like WhatsApp. Prefer the JSON export.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from needminer.ingest._discord import SYSTEM_TEXT
from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._kinds import classify
from needminer.ingest._lines import blocks, open_lines
from needminer.ingest._whatsapp import DateOrder, _hour, _ymd
from needminer.types import Message, MessageKind

_AMPM = r"(?:[AaPp]\.?\s?[Mm]\.?|上午|下午|午前|午後|오전|오후)"
_HEAD = re.compile(
    rf"^\[(?P<a>\d{{1,4}})[./-](?P<b>\d{{1,2}})[./-](?P<c>\d{{1,4}})\.?,?\s+(?P<ap1>{_AMPM}\s?)?"
    rf"(?P<H>\d{{1,2}}):(?P<M>\d{{2}})(?::(?P<S>\d{{2}}))?(?:\s?(?P<ap2>{_AMPM}))?\] (?P<author>.+?)(?P<pin> \(pinned\))?$"
)
_BLOCK = frozenset(("{Attachments}", "{Embed}", "{Stickers}", "{Reactions}", "{Forwarded Message}"))
_RULE = "=" * 62


@register("discord.txt")
class DiscordTxtReader(Reader):
    """DiscordChatExporter TXT (``[date] Author`` + content blocks)."""

    name = "discord.dce_txt.v1"
    description = "DiscordChatExporter plain text (==== Guild:/Channel: preamble, [date] Author + content)"
    patterns = ("*.txt",)

    def sniff(self, probe: Probe) -> float:
        head = probe.first_nonblank(4)
        if len(head) >= 3 and head[0] == _RULE and head[1].startswith("Guild: ") and head[2].startswith("Channel: "):
            return 0.95
        return 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        order = DateOrder()
        for line in open_lines(src):
            m = _HEAD.match(line.rstrip("\r\n"))
            if m and order.feed(m["a"], m["b"], m["c"]):
                break
        fmt = order.decide()
        prev_blank = [True]

        def match(line: str) -> re.Match | None:
            m = _HEAD.match(line) if prev_blank[0] else None
            prev_blank[0] = not line.strip()
            return m

        for b in blocks(open_lines(src), match):
            if b.match is None:
                self._preamble(ctx, b.body)
                continue
            m = b.match
            try:
                time = ctx.local(*_ymd(fmt, m["a"], m["b"], m["c"]), _hour(m["H"], m["ap1"] or m["ap2"] or ""),
                                 int(m["M"]), int(m["S"] or 0))
            except ValueError:
                ctx.skip("bad_time")
                continue
            msg = self._one(ctx, b.body, m["author"].strip(), time)
            if msg is not None:
                yield msg

    @staticmethod
    def _preamble(ctx: ReadContext, lines: list[str]) -> None:
        fields = dict(ln.split(": ", 1) for ln in lines if ": " in ln)
        guild, channel = fields.get("Guild", "").strip(), fields.get("Channel", "").strip()
        channel = channel.rsplit(" / ", 1)[-1]
        if guild and channel:
            ctx.chat = f"{guild} / {channel}" if guild != "Direct Messages" else channel
        ctx.skip("header")

    @staticmethod
    def _one(ctx: ReadContext, body: list[str], author: str, time) -> Message | None:
        lines = list(body)
        while lines and (not lines[-1].strip() or lines[-1] == _RULE or lines[-1].startswith("Exported ")):
            lines.pop()  # the footer rides on the last record
        cut = next((i for i, ln in enumerate(lines) if ln in _BLOCK), len(lines))
        text = "\n".join(lines[:cut]).strip()
        blocks_seen = set(lines[cut:]) & _BLOCK
        if text:
            kind = MessageKind.system if SYSTEM_TEXT.match(text) else classify(text)
        elif blocks_seen & {"{Attachments}", "{Stickers}"}:
            kind, text = MessageKind.media, "[attachment]"
        else:
            ctx.skip("empty")
            return None
        return ctx.message(sender=author, sender_name=author, text=text, time=time, kind=kind)
