"""Titles: at most 16 characters, every word one the need's evidence quotes hold, in the order
members say them; and the rule that keeps a quality said of something else out of them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from needminer.text import banned, is_place, word_class
from needminer.types import Fragment

MAX_TITLE = 16
APART_CHANCE = 0.2  # see ``_said_apart``


def _said_apart(quality: str, noun: str, texts: Sequence[str]) -> bool:
    """Whether members say a quality but never of the need's object although chance alone would
    have put the two together: 防水, said five times (of jackets) in a knee-pain need whose members
    name 膝盖 in 30 % of its fragments, is not wanted of knees (防水膝盖; never together by chance:
    0.7⁵ = 0.17). Pieces of one need are often said apart (伪素颜 in one message, 底妆 in the next),
    so a quality goes only when that chance is below ``APART_CHANCE``."""
    with_quality = [t for t in texts if quality in t]
    if not with_quality or any(noun in t for t in with_quality):
        return False
    noun_share = sum(noun in t for t in texts) / len(texts)
    return (1.0 - noun_share) ** len(with_quality) < APART_CHANCE


def title_parts(persona: str, modifiers: Sequence[str], noun: str, fallback: Sequence[str] = ()) -> list[str]:
    """The words of a title (at most 16 characters together): persona, up to two qualities, the noun;
    a bare noun is followed by ``fallback`` words (痔疮 → 痔疮治疗).

    Qualities that would push the noun past 16 characters are left out first."""
    parts = [persona] if persona and not (noun and (persona in noun or noun in persona)) else []  # not 学生学生证
    mods = [m for m in modifiers if m and m != noun and m not in persona][:2]
    while mods and len("".join(parts + mods)) + len(noun) > MAX_TITLE:
        mods.pop()
    parts += mods
    if noun:
        parts.append(noun)
    if len(parts) <= 1:
        for k in fallback:  # keywords not already said by a part (烧机油 after 机油 says nothing new)
            if len(parts) >= 3:
                break
            if not banned(k) and not any(k in p or p in k for p in parts):
                parts.append(k)
    out: list[str] = []
    for p in parts:
        if len(join_words([*out, p])) > MAX_TITLE:
            break
        out.append(p)
    return out


_LATIN_END = re.compile(r"[A-Za-z0-9]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9]")


def said_order(words: Sequence[str], texts: Sequence[str]) -> list[str]:
    """The head noun ``words[0]`` and the words after it, with a noun that members say before the
    head put before it (西溪 … 食堂 → 西溪食堂, not 食堂西溪), and a place name always before it: it
    says where, as Chinese puts it first (宁波注册, never 注册宁波). A word that is not a noun stays
    after the head, as a title's comment on its topic (学生证注册, 生源信息审核通知).

    "Before" is by each word's mean rank among the listed words a fragment says, over the fragments
    that say two or more of them."""
    words = list(words)
    if len(words) < 2:
        return words
    ranks: dict[str, list[int]] = {w: [] for w in words}
    for text in texts:
        said = sorted((text.find(w), i, w) for i, w in enumerate(words) if w in text)
        if len(said) >= 2:
            for rank, (_, _, w) in enumerate(said):
                ranks[w].append(rank)
    key = {w: (sum(ranks[w]) / len(ranks[w]) if ranks[w] else float(i)) for i, w in enumerate(words)}
    head = words[0]
    ahead = sorted((w for w in words[1:] if is_place(w) or (key[w] < key[head] and word_class(w.lower()) == "N")),
                   key=lambda w: key[w])
    return ahead + [head] + [w for w in words[1:] if w not in ahead]


def join_words(parts: Sequence[str]) -> str:
    """Title words run together as Chinese does, with a space between two Latin words (insta link)."""
    out = ""
    for p in parts:
        if out and _LATIN_END.search(out) and _LATIN_START.match(p):
            out += " "
        out += p
    return out


def make_title(persona: str, modifiers: Sequence[str], noun: str, fallback: Sequence[str] = ()) -> str:
    """Build a title of at most 16 characters, e.g. ``赶时间伪素颜底妆``."""
    return join_words(title_parts(persona, modifiers, noun, fallback)) or "未命名需求"


def cover_parts(
    parts: Sequence[str], quotes: Sequence[str], members: Sequence[Fragment], k: int = 5
) -> tuple[list[str], list[str]]:
    """Make every title word citable: each part must occur in an evidence quote.

    A part no quote contains brings in the most central member fragment that says it (replacing the
    last quote no other part needs); a part no member says is dropped.

    Returns:
        ``(parts, quote ids)``.
    """
    text = {f.id: f.text for f in members}
    quotes = list(quotes)
    kept: list[str] = []
    for part in parts:
        if any(part in text.get(q, "") for q in quotes):
            kept.append(part)
            continue
        sayer = next((f.id for f in members if part in f.text and f.id not in quotes), None)
        if sayer is None:
            continue
        if len(quotes) < k:
            quotes.append(sayer)
        else:
            needed = {q for q in quotes for p in kept if p in text.get(q, "")}
            spare = [q for q in quotes if q not in needed]
            if not spare:
                continue
            quotes[quotes.index(spare[-1])] = sayer
        kept.append(part)
    return kept, quotes
