"""Streaming JSON: walk one document member by member and element by element with flat memory.

The file is decoded in 1 MiB chunks; each value is parsed by the C scanner of ``json``
(``JSONDecoder.raw_decode``) straight from the buffer, and the consumed prefix is dropped when
more text is read, so a 1 GB ``result.json`` is read with a few MB of buffer plus one message.

    >>> js = JsonStream(src, "Telegram Desktop result.json")      # doctest: +SKIP
    >>> for key in js.members():                                   # doctest: +SKIP
    ...     if key == "messages":
    ...         for message in js.values(): ...
    ...     # a member the loop does not read is skipped

A value the caller does not read is skipped when iteration goes on; a nested ``members()`` /
``values()`` must be exhausted before its parent continues.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from needminer.errors import IngestError
from needminer.ingest._base import SourceFile
from needminer.ingest._encoding import detect_encoding, text_stream

CHUNK = 1 << 20
MAX_VALUE = 256 << 20  # one value (message) larger than this is an error, not a reason to buffer the file
_WS = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()
_decode = _decoder.raw_decode  # same strictness as json.loads
_scan = _decoder.scan_once  # raw_decode without its Python frame (StopIteration: no value here)


class JsonStream:
    """Incremental reader of the JSON document in ``src``.

    Args:
        src: The file.
        what: Human name of the expected export (for error messages).
    """

    def __init__(self, src: SourceFile, what: str) -> None:
        self.what = what
        self._fh = text_stream(src.open(), detect_encoding(src.head()))
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._line = 1  # line number at buf[0]
        self._reads = 0  # bumped whenever a caller starts reading a value
        self._fill()
        if self.buf.startswith("\ufeff"):
            self.pos = 1

    def close(self) -> None:
        self._fh.close()

    # -- buffer ---------------------------------------------------------------------------------
    def _fill(self) -> bool:
        """Read the next chunk (dropping the consumed prefix); False at end of file."""
        if self.eof:
            return False
        chunk = self._fh.read(CHUNK)
        if not chunk:
            self.eof = True
            self._fh.close()
            return False
        if self.pos:
            self._line += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :] + chunk
            self.pos = 0
        else:
            self.buf += chunk
        return True

    def peek(self) -> str:
        """The next non-blank character ("" at end of file)."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def _error(self, pos: int, msg: str) -> IngestError:
        line = self._line + self.buf.count("\n", 0, pos)
        col = pos - self.buf.rfind("\n", 0, pos)
        cut = " (the file looks truncated)" if self.eof and pos >= len(self.buf.rstrip()) - 1 else ""
        return IngestError(f"invalid JSON at line {line} column {col}: {msg}{cut}; "
                           f"expected a complete {self.what}. Re-export the file.")

    def _expect(self, ch: str) -> None:
        if self.peek() != ch:
            raise self._error(self.pos, f"Expecting '{ch}'")
        self.pos += 1

    # -- values ---------------------------------------------------------------------------------
    def value(self) -> Any:
        """Parse and return the value at the current position."""
        self._reads += 1
        if not self.peek():
            raise self._error(self.pos, "Expecting value")
        while True:
            try:
                val, end = _decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # An error at the end of the buffer (or an open string) may just be the chunk cut.
                if exc.pos >= len(self.buf) - 8 or exc.msg.startswith("Unterminated"):
                    if len(self.buf) - self.pos < MAX_VALUE and self._fill():
                        continue
                raise self._error(exc.pos, exc.msg) from None
            except RecursionError:
                raise IngestError(f"JSON nested too deeply; expected a {self.what}") from None
            if end >= len(self.buf) and not self.eof and self._fill():
                continue  # a number cut by the chunk end parses as a shorter number: read on
            self.pos = end
            return val

    def members(self) -> Iterator[str]:
        """Yield the keys of the object at the current position, positioned at each value."""
        self._reads += 1
        self._expect("{")
        first = True
        while True:
            c = self.peek()
            if c == "}":
                self.pos += 1
                return
            if not first:
                if c != ",":
                    raise self._error(self.pos, "Expecting ',' delimiter")
                self.pos += 1
                if self.peek() == "}":
                    raise self._error(self.pos, "Expecting property name enclosed in double quotes")
            first = False
            if self.peek() != '"':
                raise self._error(self.pos, "Expecting property name enclosed in double quotes")
            key = self.value()
            self._expect(":")
            reads = self._reads
            yield key
            if self._reads == reads:
                self.value()  # not read by the caller: skip it

    def values(self) -> Iterator[Any]:
        """Yield the parsed elements of the array at the current position.

        Same as ``for _ in self.items(): yield self.value()``, with the common case (an element
        and its separator wholly inside the buffer) parsed inline; anything else (a chunk cut,
        an error) goes through ``value``/``peek``, which refill and report.
        """
        self._reads += 1
        self._expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        ws, scan = _WS.match, _scan
        while True:
            self._reads += 1
            buf = self.buf
            pos = ws(buf, self.pos).end()
            end = -1
            if pos < len(buf):
                try:
                    val, end = scan(buf, pos)
                except (StopIteration, json.JSONDecodeError):
                    end = -1
                except RecursionError:
                    raise IngestError(f"JSON nested too deeply; expected a {self.what}") from None
                if end >= len(buf) and not self.eof:
                    end = -1  # a number cut by the chunk end parses as a shorter number
            if end < 0:
                self.pos = pos
                self._reads -= 1  # value() counts itself
                val = self.value()
            else:
                self.pos = end
            yield val
            buf = self.buf
            pos = ws(buf, self.pos).end()
            if pos < len(buf):
                c = buf[pos]
                self.pos = pos
            else:
                self.pos = pos
                c = self.peek()
            if c == ",":
                self.pos += 1
            elif c == "]":
                self.pos += 1
                return
            else:
                raise self._error(self.pos, "Expecting ',' delimiter")

    def items(self) -> Iterator[None]:
        """Like ``values`` but positions at each element for the caller to read (or skip)."""
        self._reads += 1
        self._expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            reads = self._reads
            yield None
            if self._reads == reads:
                self.value()
            c = self.peek()
            if c == ",":
                self.pos += 1
            elif c == "]":
                self.pos += 1
                return
            else:
                raise self._error(self.pos, "Expecting ',' delimiter")

    def finish(self) -> None:
        """Check that only whitespace follows the document."""
        if self.peek():
            raise self._error(self.pos, "Extra data")


def member_array(src: SourceFile, what: str, meta: dict[str, Any], key: str = "messages") -> Iterator[Any]:
    """Stream the elements of the top-level object's array member ``key``.

    Members before the array are stored in ``meta`` (so they are there when the first element
    arrives); members after it are skipped.

    Raises:
        IngestError: When the document is not an object with such an array, or is invalid JSON.
    """
    js = JsonStream(src, what)
    try:
        if js.peek() != "{":
            raise IngestError(f"not a {what}: the top level is not a JSON object. Use --format auto or the right --format.")
        found = False
        for k in js.members():
            if k == key and not found and js.peek() == "[":
                found = True
                yield from js.values()
            elif not found:
                meta[k] = js.value()
        js.finish()
        if not found:
            raise IngestError(f"not a {what}: no '{key}' list. Use --format auto or the right --format.")
    finally:
        js.close()


def top_array(src: SourceFile, what: str) -> Iterator[Any]:
    """Stream the elements of a document whose top level is an array."""
    js = JsonStream(src, what)
    try:
        if js.peek() != "[":
            raise IngestError(f"not a {what}: the top level is not a list. Use --format auto or the right --format.")
        yield from js.values()
        js.finish()
    finally:
        js.close()
