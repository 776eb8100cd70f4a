"""Clause-level fragments: exact character spans of a message text.

Choice (see ``split_fragments``): a fragment is a *sentence* (split on 。！？!?；;… and line
breaks). Only a sentence longer than ``LONG_SENTENCE_CHARS`` is split further, on commas, spaces
between clauses and discourse markers (但是/不过/而且/其实/结果 …). Short chat messages such as
"最近加班多，早上化妆时间不够，希望底妆又快又服帖" stay whole, because their clauses belong together:
the scene (加班多, 赶时间) and the wish (快又服帖) are what makes the need, and a cluster of whole
short sentences reads better than a cluster of "最近加班多" pieces. Pieces with fewer than
``min_chars`` content characters (and emoji-only pieces) are merged into a neighbour.
"""

from __future__ import annotations

import re

LONG_SENTENCE_CHARS = 40

# Sentence ends; an ASCII "." ends a sentence only after a CJK character (not in "3.5" or URLs).
_SENTENCE_END = re.compile(r"[。！？!?；;…\n\r]+|(?<=[\u4e00-\u9fff])\.+(?=[\u4e00-\u9fff\s]|$)")
_CLAUSE_BREAK = re.compile(r"[，,]+|(?<=\S)[ \t\u3000]+(?=\S)")
_MARKER = re.compile(r"但是|不过|可是|然而|而且|并且|其实|结果|所以|因此|然后|另外|况且|何况|要不是|只是")
_CONTENT = re.compile(r"[\w]", re.UNICODE)
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,6}\]")


def content_len(text: str) -> int:
    """Number of word characters (CJK, letters, digits), ignoring ``[表情]``-style brackets."""
    return len(_CONTENT.findall(_PLACEHOLDER.sub("", text)))


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one long sentence at commas, inner spaces and before discourse markers."""
    cuts: set[int] = set()
    sentence = text[start:end]
    for m in _CLAUSE_BREAK.finditer(sentence):
        cuts.add(start + m.end())
    for m in _MARKER.finditer(sentence):
        if m.start() > 0:
            cuts.add(start + m.start())
    bounds = [start, *sorted(c for c in cuts if start < c < end), end]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if a < b]


def _merge_short(text: str, spans: list[tuple[int, int]], min_chars: int) -> list[tuple[int, int]]:
    """Merge pieces with fewer than ``min_chars`` content characters into a neighbour."""
    merged: list[tuple[int, int]] = []
    carry: tuple[int, int] | None = None  # short pieces before the first long-enough piece
    for start, end in spans:
        if carry is not None:
            start, carry = carry[0], None
        if content_len(text[start:end]) >= min_chars:
            merged.append((start, end))
        elif merged:
            merged[-1] = (merged[-1][0], end)
        else:
            carry = (start, end)
    if carry is not None:
        if merged:
            merged[0] = (carry[0], merged[0][1])
        else:
            merged.append(carry)
    return merged


def split_fragments(text: str, min_chars: int = 4) -> list[tuple[int, int]]:
    """Split a message text into clause-level fragments.

    Args:
        text: The message text (``CleanMessage.text``).
        min_chars: Pieces with fewer content characters are merged into a neighbour.

    Returns:
        ``(start, end)`` spans into ``text``, in order, without leading or trailing whitespace;
        ``text[start:end]`` is the fragment text. A non-blank text gives at least one span; a
        blank text gives none.
    """
    pieces: list[tuple[int, int]] = []
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    for a, b in zip(bounds, bounds[1:]):
        start, end = _strip_span(text, a, b)
        if start == end:
            continue
        if content_len(text[start:end]) > LONG_SENTENCE_CHARS:
            for a, b in _split_long(text, start, end):
                a, b = _strip_span(text, a, b)
                if a < b:
                    pieces.append((a, b))
        else:
            pieces.append((start, end))
    return _merge_short(text, pieces, min_chars)
