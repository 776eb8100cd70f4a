"""Streaming split of header-delimited text exports into records (header line + body lines).

Any line that does not match the header pattern belongs to the previous record, so bodies may
contain blank lines. In CRLF files where bodies break lines with a bare LF (QQ 消息管理器), a
line that follows a bare-LF line is a continuation even when it looks like a header.
"""

from __future__ import annotations

import codecs
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


def _split_lines(text: str) -> list[str]:
    """``_NEWLINE.split(text)``, with ``str.split`` when every CR and LF is part of a CRLF."""
    lines = text.split("\r\n")
    n = len(lines) - 1
    if text.count("\r") == n and text.count("\n") == n:
        return lines
    return _NEWLINE.split(text)


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
                    lines = buf.split("\n") if "\r" not in buf else _split_lines(buf)
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
                lines = _split_lines(buf[:-1])
                carry = lines.pop() + "\r"
            else:
                lines = _split_lines(buf)
                carry = lines.pop()
            if lines:
                yield lines, not _dirty(buf)


_CR = re.compile("\r\n?")


def record_chunks(src: SourceFile, crlf_records: bool, size: int = 8192) -> Iterator[tuple[list[str], bool]]:
    """Stream the lines of ``src`` as ``blocks(open_lines(src), …, crlf_records=…)`` sees them, in lists.

    The lines are those of ``open_lines`` without their endings. With ``crlf_records``, each line
    that follows a bare-LF line (a continuation, never a header there) is joined to the line
    before it with ``\\n``, so an item is one line that may be a header plus its continuation
    lines; the flag of a list then says that its first item continues the last item of the list
    before (continuation lines cut at a chunk boundary). Without it, the flag is always False.

    The file is read and decoded the way ``open_lines`` reads it (``read1(8192)`` calls, the same
    incremental decoder) and every list holds the lines completed by one read, so a read error
    comes after the same lines as there.
    """
    enc = detect_encoding(src.head())
    decode = codecs.getincrementaldecoder(enc)(errors="replace").decode
    split = _crlf_items if crlf_records else _plain_lines
    carry = ""  # the text after the last line end seen (the start of an unfinished line) …
    parts: list[str] = []  # … and what followed it, holding no line end
    start, bom_only = True, False
    cont = False  # the next list opens with continuation lines of the previous item
    with src.open() as raw:
        read = raw.read1 if hasattr(raw, "read1") else raw.read
        while True:
            data = read(size)
            chunk = decode(data, not data)
            if start and chunk:  # like iter_lines: BOMs opening the first line go
                chunk = chunk.lstrip("\ufeff")
                start = bom_only = not chunk  # a file holding only BOMs is one empty line
            if not data:  # end of file: the rest is the last line(s), the final one maybe unterminated
                buf = carry + "".join(parts) + chunk
                if buf:
                    yield split(buf)[0], cont
                elif bom_only:
                    yield [""], cont
                return
            if "\n" not in chunk and "\r" not in chunk:  # (a long line is joined once)
                if chunk:
                    parts.append(chunk)
                continue
            if parts:
                buf = carry + "".join(parts) + chunk
                parts = []
            else:
                buf = carry + chunk if carry else chunk
            # Keep the unfinished last line (and a final CR that may open a CRLF) for the next read.
            end = len(buf) - 1 if buf[-1] == "\r" else len(buf)
            cut = max(buf.rfind("\n", 0, end), buf.rfind("\r", 0, end)) + 1
            if not cut:
                carry = buf
                continue
            carry = buf[cut:]
            items, bare = split(buf[:cut] if cut < len(buf) else buf)
            yield items, cont
            cont = bare


def _crlf_items(text: str) -> tuple[list[str], bool]:
    """Split ``text`` into items (see ``record_chunks``); True when it ends with a bare LF."""
    items = text.split("\r\n")
    if text.count("\r") != len(items) - 1:  # lone CRs end lines too
        items = _CR.split(text)
    last = items[-1]
    if not last:  # text ended with CRLF or CR
        items.pop()
        return items, False
    if last[-1] == "\n":  # ended with a bare LF: the next line continues this item
        items[-1] = last[:-1]
        return items, True
    return items, False  # unterminated last line (end of file)


def _plain_lines(text: str) -> tuple[list[str], bool]:
    """Split ``text`` at CRLF, CR and LF, dropping the empty string after a final line end."""
    lines = text.split("\n") if "\r" not in text else _split_lines(text)
    if not lines[-1]:
        lines.pop()
    return lines, False


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
