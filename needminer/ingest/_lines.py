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
from needminer.ingest._encoding import _CLEAN_RE, detect_encoding, iter_lines, text_stream


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


_NEWLINE = re.compile("\r\n|\r|\n")


def line_chunks(src: SourceFile, size: int = 1 << 18) -> Iterator[tuple[list[str], bool]]:
    """Stream the decoded lines of ``src`` *without* their endings, a list per ~``size`` characters.

    The lines are exactly those of ``open_lines`` with ``rstrip("\\r\\n")`` applied (``\\n``,
    ``\\r\\n`` and a lone ``\\r`` end a line; a leading BOM is removed), but splitting a big
    decoded chunk with ``str.split`` costs far less per line. The flag says that no line of the
    list holds a character that ``clean`` would change, so a reader can skip that test per line.
    """
    enc = detect_encoding(src.head())
    carry = ""
    start, bom_only = True, False
    with src.open() as raw:
        read = text_stream(raw, enc).read
        while True:
            chunk = read(size)
            buf = carry + chunk if carry else chunk
            if start and chunk:  # like iter_lines: BOMs opening the first line go
                buf = buf.lstrip("\ufeff")
                start = bom_only = not buf  # a file holding only BOMs is one empty line
            if not chunk:  # end of file: the rest is the last line(s), the final one unterminated
                if buf:
                    lines = buf.split("\n") if "\r" not in buf else _NEWLINE.split(buf)
                    if not lines[-1]:
                        lines.pop()
                    yield lines, not _dirty(buf)
                elif bom_only:
                    yield [""], True
                return
            if "\r" not in buf:
                lines = buf.split("\n")
                carry = lines.pop()
            elif buf[-1] == "\r":  # maybe the first half of a CRLF: keep it with the unfinished line
                lines = _NEWLINE.split(buf[:-1])
                carry = lines.pop() + "\r"
            else:
                lines = _NEWLINE.split(buf)
                carry = lines.pop()
            if lines:
                yield lines, not _dirty(buf)


def _dirty(text: str) -> bool:
    return not text.isascii() and _CLEAN_RE.search(text) is not None


def blocks(
    lines: Iterator[str],
    match: Callable[[str], re.Match | None],
    *,
    crlf_records: bool = False,
    prep: Callable[[str], str] | None = None,
) -> Iterator[Block]:
    """Group lines into records.

    Args:
        lines: Lines with endings.
        match: Returns a match for a header line (the line is given without its ending,
            after ``prep``), else None.
        crlf_records: Treat a line after a bare-LF line as a continuation (CRLF record files).
        prep: Normalisation applied before matching (e.g. invisible-character stripping); None
            for none.

    Yields:
        Blocks in file order; text before the first header comes as a block with ``match=None``.
    """
    cur: Block | None = None
    pre: Block | None = None
    prev_bare_lf = False
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if crlf_records:
            m = None if prev_bare_lf else match(line if prep is None else prep(line))
            prev_bare_lf = raw.endswith("\n") and not raw.endswith("\r\n")
        else:
            m = match(line if prep is None else prep(line))
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
