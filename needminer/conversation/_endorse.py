"""Endorsement phrases ("+1 / 同求 / 我也是") and the text key used to collapse duplicates."""

from __future__ import annotations

import re

from needminer.text import BRACKET_EMOTICON, EMOJI, KAOMOJI, MEDIA_PLACEHOLDER

# Whole-message agreements. A message is an endorsement when, after emoticons, emoji and
# punctuation are stripped, it is one or more of these units (optionally with a final particle).
ENDORSEMENT_UNITS: tuple[str, ...] = (
    r"\+\d+",  # +1, +10086
    r"＋\d+",
    r"1+",  # "1", "111"
    r"加一",
    r"同求|同问|同款求|同感|同上|同蹲|同想要",
    r"我也是|我也一样|我也想要|我也要|我也想|我也求|我也蹲|我也遇到了?|我也有这个问题|我也同问|俺也一样|我也",
    r"也想要|也求|一样|一样的|一毛一样|一模一样|同一个问题|同样的问题",
    r"蹲+|蹲一个|蹲一下|蹲蹲|蹲后续|坐等|等链接|求链接|求同款|求",
    r"顶+|顶一下|顶顶|顶起|顶上去|mark|Mark|MARK|码住|马住|插眼",
    r"赞同|同意|附议|支持|强烈支持|赞成|确实|真的|真的是|太真实了|真实|说得对|说的对|说出了我的心声|求求了",
)
_PARTICLES = r"(?:啊|呀|吧|了|哈|哦|诶|唉|呜|啦|嘛|哇|\+)*"
ENDORSEMENT_RE = re.compile(rf"^(?:(?:{'|'.join(ENDORSEMENT_UNITS)}){_PARTICLES})+$", re.IGNORECASE)

_DECOR = re.compile("|".join([MEDIA_PLACEHOLDER, BRACKET_EMOTICON, KAOMOJI, EMOJI]))
_PUNCT_KEEP_PLUS = re.compile(r"[^\w+＋]|_")
_PUNCT = re.compile(r"[^\w]|_")

# Duplicates shorter than this (normalised) are ordinary short replies ("好的谢谢"), not forwards.
DUPLICATE_MIN_CHARS = 6


def is_endorsement(text: str) -> bool:
    """True when the whole text is an agreement such as "+1", "同求！", "我也是[捂脸]"."""
    core = _PUNCT_KEEP_PLUS.sub("", _DECOR.sub("", text))
    return bool(core) and bool(ENDORSEMENT_RE.match(core))


def duplicate_key(text: str) -> str | None:
    """Normalised text used to detect forwards and copy-pastes; None when too short to tell."""
    key = _PUNCT.sub("", _DECOR.sub("", text)).lower()
    return key if len(key) >= DUPLICATE_MIN_CHARS else None
