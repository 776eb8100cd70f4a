"""Streaming split of header-delimited text exports into records (header line + body lines).

Any line that does not match the header pattern belongs to the previous record, so bodies may
contain blank lines. In CRLF files where bodies break lines with a bare LF (QQ 消息管理器), a
line that follows a bare-LF line is a continuation even when it looks like a header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from needminer.ingest._base import ReadContext, SourceFile
from needminer.ingest._encoding import detect_encoding, iter_lines, text_stream


@dataclass
class Block:
    """One record of a line format: the header match and its body lines (no line endings)."""

    line: int
    match: re.Match | None
    body: list[str]
    raw: str = ""  # the header line as read (before ``prep``), without its ending

    def text(self) -> str:
        """Body joined with LF, trailing blank lines removed."""
        body = self.body
        end = len(body)
        while end and not body[end - 1].strip():
            end -= 1
        return "\n".join(body[:end])


def open_lines(src: SourceFile) -> Iterator[str]:
    """Stream the decoded lines of ``src`` (with their endings), detecting the encoding."""
    enc = detect_encoding(src.head())
    with src.open() as raw:
        yield from iter_lines(text_stream(raw, enc))


def blocks(
    lines: Iterator[str],
    match: Callable[[str], re.Match | None],
    *,
    crlf_records: bool = False,
    prep: Callable[[str], str] = lambda s: s,
) -> Iterator[Block]:
    """Group lines into records.

    Args:
        lines: Lines with endings.
        match: Returns a match for a header line (the line is given without its ending,
            after ``prep``), else None.
        crlf_records: Treat a line after a bare-LF line as a continuation (CRLF record files).
        prep: Normalisation applied before matching (e.g. invisible-character stripping).

    Yields:
        Blocks in file order; text before the first header comes as a block with ``match=None``.
    """
    cur: Block | None = None
    pre: Block | None = None
    prev_bare_lf = False
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        m = None if (crlf_records and prev_bare_lf) else match(prep(line))
        if crlf_records:
            prev_bare_lf = raw.endswith("\n") and not raw.endswith("\r\n")
        if m is not None:
            if cur is not None:
                yield cur
            elif pre is not None:
                yield pre
                pre = None
            cur = Block(n, m, [], line)
        elif cur is not None:
            cur.body.append(line)
        elif line.strip():
            if pre is None:
                pre = Block(n, None, [])
            pre.body.append(line)
    if cur is not None:
        yield cur
    elif pre is not None:
        yield pre


def skip_preamble(ctx: ReadContext, block: Block) -> bool:
    """Count text before the first record as one ``header`` skip; True when ``block`` was it."""
    if block.match is None:
        ctx.skip("header")
        return True
    return False
