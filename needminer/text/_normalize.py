"""Text normalisation: 繁→简, width folding, invisible marks, URLs, emoticon codes, whitespace."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from needminer.errors import MissingDependencyError
from needminer.text._emoticons import EMOJI_CLASS, canonicalize_emoticons

LINK = "[链接]"

# Chinese clause punctuation that NFKC would fold to ASCII; the conversation stage splits
# clauses on these, so they are kept as they are. The rest of the full-width ASCII block
# (letters, digits, ＠, ［］, ％ …) is folded.
_PROTECTED = "，！？：；（）～…"
# Noncharacters U+FDD0… stand in for protected characters during NFKC (NFKC leaves them alone).
_PROTECT = str.maketrans({c: chr(0xFDD0 + i) for i, c in enumerate(_PROTECTED)})
_UNPROTECT = str.maketrans({chr(0xFDD0 + i): c for i, c in enumerate(_PROTECTED)})

# Invisible marks to drop. U+200D (zero-width joiner) is handled apart: inside an emoji sequence
# (👩‍💻) it carries meaning and is kept.
_INVISIBLE = dict.fromkeys(
    [*range(0x200B, 0x200D), 0x200E, 0x200F, *range(0x2060, 0x206A), 0xFEFF, 0x00AD, 0x180E,
     *range(0xFDD0, 0xFDF0), *range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F],
)
_EMOJI_TAIL = "[" + EMOJI_CLASS[1:-1] + "\uFE0F\U0001F3FB-\U0001F3FF]"
_INVISIBLE_RE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _INVISIBLE) + "]")
_STRAY_ZWJ_RE = re.compile(rf"(?<!{_EMOJI_TAIL})\u200d|\u200d(?!{EMOJI_CLASS})")

_URL_CHAR = r"[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]"
_URL_END = r"[A-Za-z0-9\-_~/#=&%+]"
_TLDS = (
    "com|cn|net|org|io|tv|me|cc|co|top|xyz|info|vip|shop|app|dev|ai|hk|tw|jp|link|site|club|ly|gl|"
    "to|im|edu|gov|mobi|live|fun|store|online|tech|biz"
)
_URL_RE = re.compile(
    rf"(?:(?:https?|ftp)://|www\.){_URL_CHAR}*{_URL_END}"
    # bare domains ("t.cn/A6x", "m.tb.cn/h.5x"), not the domain part of an e-mail address
    rf"|(?<![A-Za-z0-9.@_%+\-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+(?:{_TLDS})"
    rf"(?![A-Za-z0-9\-@])(?:[/?#](?:{_URL_CHAR}*{_URL_END})?)?"
    # Taobao share codes (淘口令): ¥AbC123xYz9¥
    r"|[¥$€₤](?=[A-Za-z0-9]*[A-Za-z])(?=[A-Za-z]*[0-9])[A-Za-z0-9]{8,14}[¥$€₤/]",
    re.IGNORECASE,
)
_URL_HINT_RE = re.compile("[.¥$€₤]")  # every URL form above holds one of these
_SPACES_RE = re.compile(r"[^\S\n]+")
_NEWLINES_RE = re.compile(r" ?\n\s*")


@lru_cache(maxsize=1)
def _t2s_converter():  # noqa: ANN202 - opencc has no type hints
    try:
        import opencc
    except ImportError:
        raise MissingDependencyError(
            "Traditional → simplified conversion needs OpenCC, which is not installed. "
            "Install it with `pip install opencc`, or set text.traditional_to_simplified = false."
        ) from None
    return opencc.OpenCC("t2s")  # phrase-aware: 乾燥 → 干燥 but 乾隆 stays


@lru_cache(maxsize=1)
def _nfkc_changes() -> re.Pattern[str]:
    """A class of the characters NFKC would change (bar the protected ones), built on first use.

    Most chat texts hold none, and a regex search is far cheaper than two translations and NFKC.
    """
    protected = {ord(c) for c in _PROTECTED}
    ranges: list[list[int]] = []
    # BMP, math alphanumerics (𝐀𝟏), enclosed alphanumerics (🄰), CJK compatibility supplement
    for block in (range(0x80, 0x10000), range(0x1D400, 0x1D800), range(0x1F100, 0x1F200), range(0x2F800, 0x2FA20)):
        for cp in block:
            if cp in protected or 0xD800 <= cp < 0xE000:
                continue
            ch = chr(cp)
            if unicodedata.combining(ch) or unicodedata.normalize("NFKC", ch) != ch:
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1][1] = cp
                else:
                    ranges.append([cp, cp])
    return re.compile("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]")


def _fold_width(text: str) -> str:
    if text.isascii() or _nfkc_changes().search(text) is None:
        return text
    return unicodedata.normalize("NFKC", text.translate(_PROTECT)).translate(_UNPROTECT)


def replace_urls(text: str) -> str:
    """Replace URLs, bare domains with a path and 淘口令 share codes by ``[链接]``."""
    return _URL_RE.sub(LINK, text)


def url_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of what ``replace_urls`` replaces."""
    if _URL_HINT_RE.search(text) is None:
        return []
    return [m.span() for m in _URL_RE.finditer(text)]


def normalize(text: str, *, t2s: bool = True) -> str:
    """Normalise one chat text for mining and display.

    Steps, in order: drop invisible marks (U+200B–U+200F, U+2060–U+2069, U+FEFF, control
    characters; a zero-width joiner inside an emoji sequence is kept), NFKC (full-width letters,
    digits and ASCII punctuation become half-width; the Chinese clause marks ``，！？：；（）～…``
    are kept), URLs → ``[链接]``, traditional → simplified (OpenCC ``t2s``, phrase-aware),
    QQ/slash emoticon codes → WeChat bracket form (``/::D`` → ``[呲牙]``), whitespace runs → one
    space (runs holding a line break → one ``\\n``), trimmed. Emoticons, emoji and ``@名字`` are kept.

    Args:
        text: Raw message text.
        t2s: Convert traditional Chinese to simplified.

    Returns:
        The normalised text.

    Raises:
        MissingDependencyError: ``t2s`` is true and OpenCC is not installed.
    """
    if not text:
        return ""
    if "\u200d" in text:
        text = _STRAY_ZWJ_RE.sub("", text)
    if _INVISIBLE_RE.search(text) is not None:
        text = text.translate(_INVISIBLE)
    text = _fold_width(text)
    if _URL_HINT_RE.search(text) is not None:
        text = _URL_RE.sub(LINK, text)
    if t2s and not text.isascii():
        text = _t2s_converter().convert(text)
    text = canonicalize_emoticons(text)
    text = _SPACES_RE.sub(" ", text)
    if "\n" in text:
        text = _NEWLINES_RE.sub("\n", text)
    return text.strip()


_REPEAT1_RE = re.compile(r"([^\d\s])\1{2,}")
_REPEAT2_RE = re.compile(r"([^\d\s]{2})\1{2,}")


def fold_repeats(text: str) -> str:
    """Fold runs of a repeated character (or 2-character unit) to two, for matching only.

    ``"好好好好好"`` → ``"好好"``, ``"！！！！"`` → ``"！！"``, ``"冲鸭冲鸭冲鸭"`` → ``"冲鸭冲鸭"``.
    Digits are never folded, so prices and numbers survive (``"10000元"``).

    Args:
        text: Normalised text.

    Returns:
        The folded text (use it to match cue words; show the unfolded text).
    """
    return _REPEAT2_RE.sub(r"\1\1", _REPEAT1_RE.sub(r"\1\1", text))
