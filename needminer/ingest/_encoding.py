"""Encoding detection and streaming text access for export files.

Order of checks: BOM (UTF-8, UTF-16, UTF-32) → NUL-byte pattern (UTF-16 without BOM) → strict
UTF-8 on the head → GB18030 (a superset of GBK/GB2312) → charset-normalizer. Decoding then uses
``errors="replace"`` so one corrupt byte deep in a big file costs one character, not the file.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from typing import BinaryIO, TextIO

from needminer.errors import IngestError

HEAD_BYTES = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Characters that exporters sprinkle into names and bodies (LRM/RLM, isolates, BOM, ZWSP).
INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\ufeff\u200b"))
SPACES = {0x202F: " ", 0x00A0: " ", 0x2009: " ", 0x2007: " "}
_CLEAN = {**INVISIBLE, **SPACES}


_CLEAN_RE = re.compile("[" + "".join(map(chr, _CLEAN)) + "]")


def clean(text: str) -> str:
    """Strip direction marks/isolates/BOM and map narrow/no-break spaces to a plain space."""
    # A regex search is much cheaper than str.translate on CJK text, and most lines are clean.
    if text.isascii() or not _CLEAN_RE.search(text):
        return text
    return text.translate(_CLEAN)


def _valid_prefix(head: bytes, encoding: str) -> bool:
    """True when ``head`` decodes strictly, allowing a multi-byte sequence cut at the end."""
    dec = codecs.getincrementaldecoder(encoding)("strict")
    try:
        dec.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    controls = sum(1 for b in head[:4096] if b < 9 or 13 < b < 32)
    return b"\x00" in head or controls > len(head[:4096]) * 0.05


def detect_encoding(head: bytes) -> str:
    """Return the codec name for a file that starts with ``head``.

    Args:
        head: The first bytes of the file (up to ``HEAD_BYTES``).

    Returns:
        A Python codec name (``utf-8``, ``utf-8-sig``, ``utf-16``, ``gb18030`` …).

    Raises:
        IngestError: When the bytes look binary (not a text export).
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    sample = head[:4096]
    if len(sample) >= 4 and b"\x00" in sample:
        even = sample[0::2].count(0)
        odd = sample[1::2].count(0)
        half = len(sample) // 2
        if odd > half * 0.3 and even < half * 0.05 and _valid_prefix(head, "utf-16-le"):
            return "utf-16-le"
        if even > half * 0.3 and odd < half * 0.05 and _valid_prefix(head, "utf-16-be"):
            return "utf-16-be"
    if _looks_binary(head):
        raise IngestError(
            "The file looks binary (control or NUL bytes), not a text chat export. "
            "Pass the exported .txt/.csv/.json file, not a database or media file."
        )
    if _valid_prefix(head, "utf-8"):
        return "utf-8"
    if _valid_prefix(head, "gb18030"):
        return "gb18030"
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - declared dependency
        return "utf-8"
    best = from_bytes(head).best()
    if best is None:
        raise IngestError(
            "Cannot tell the text encoding of the file (tried UTF-8, GB18030 and charset "
            "detection). Re-save it as UTF-8."
        )
    return best.encoding


def text_stream(raw: BinaryIO, encoding: str) -> TextIO:
    """Wrap a binary stream as text without newline translation (CRLF vs LF is kept)."""
    return io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")


def decode_all(data: bytes) -> str:
    """Decode a whole (JSON) file, detecting the encoding from its head."""
    enc = detect_encoding(data[:HEAD_BYTES])
    return data.decode(enc, errors="replace").lstrip("\ufeff")


def iter_lines(stream: TextIO) -> Iterator[str]:
    """Yield lines with their line endings; a leading BOM on the first line is removed."""
    first = stream.readline()
    if not first:
        return
    yield first.lstrip("\ufeff")
    yield from stream
