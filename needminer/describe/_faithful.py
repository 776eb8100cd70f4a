"""Faithful wording: every word of a title is something the need's members said.

``faithfulness`` is the check (the share of a title said in the need's evidence quotes);
``said_words`` proposes title and slot words from what members wrote, never from a list's own
labels; ``banned`` keeps placeholders, pseudonyms, @mentions and filler out of titles and keywords.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from needminer.text import banned
from needminer.types import Fragment

# A label the describer adds to a scattered group; it is not a claim about what members said.
SYSTEM_PREFIXES = ("零散需求·",)
# A persona, scene or quality word must be said by at least this many members (by one in a need of
# SMALL_NEED speakers or fewer: three people's half-sentences are a need, each says a word once).
MIN_SPEAKERS = 2
SMALL_NEED = 3
# ... and by at least this share of the need's speakers: a word two of 140 people said does not
# speak for the need (车主省心性价比机油 for an oil-burning complaint)
MIN_SHARE = 0.1


def _strip_label(title: str) -> str:
    for prefix in SYSTEM_PREFIXES:
        if title.startswith(prefix):
            return title[len(prefix):]
    return title


def faithfulness(title: str, quotes: Iterable[str]) -> float:
    """Share of the title that the evidence quotes say: 1.0 when every word of it was said.

    Measured on characters, so that it does not depend on how a segmenter cuts the title
    (拍照+相机 reads as 拍/照相机): the title is cut into pieces of at least two characters that
    occur in a quote so as to cover as much of it as possible; a character no such piece covers is
    invented.
    Punctuation and spaces are not counted; a system label (``零散需求·``) is not a claim about
    what members said and is not counted either. An empty title scores 1.0.
    """
    title_text = "".join(c for c in _strip_label(title) if not re.fullmatch(r"[\W_]", c))
    if not title_text:
        return 1.0
    text = "\n".join(quotes)
    n = len(title_text)
    best = [0] * (n + 1)  # best[i]: most characters of title_text[i:] covered by said pieces
    for i in range(n - 1, -1, -1):
        best[i] = best[i + 1]
        for j in range(i + 2, n + 1):
            if title_text[i:j] in text:
                best[i] = max(best[i], j - i + best[j])
    return best[0] / n


def said_words(
    candidates: Iterable[str], frags: Sequence[Fragment], background: Mapping[str, float] | None = None,
    *, min_speakers: int = MIN_SPEAKERS, min_share: float = MIN_SHARE,
) -> list[tuple[str, list[str]]]:
    """Candidate words members of this need actually wrote, best first, with the fragments citing each.

    Ranked by distinct speakers × lift over the corpus (``background``: word → share of all
    fragments that contain it), then by the fragments that say it; a word said by fewer than ``min_speakers`` members and
    ``min_share`` of them (one suffices in a need of ``SMALL_NEED`` speakers or fewer) is left out,
    and a word inside a better one (时间 in 赶时间) is not repeated.
    """
    speakers, cites = _sayers([w for w in candidates if not banned(w)], frags)
    n_speakers = len({f.speaker for f in frags})
    need = 1 if n_speakers <= SMALL_NEED else max(min_speakers, math.ceil(min_share * n_speakers))

    def score(w: str) -> tuple:
        lift = 1.0
        if background:
            share = len(cites[w]) / max(1, len(frags))
            lift = min(5.0, share / max(background.get(w, 0.0), 1e-3))
        # rounded: two words said only in this need have the same lift up to the last bit (6/135 ÷
        # 6/456 against 7/135 ÷ 7/456), and a tie goes to the word said in more fragments
        return (round(len(speakers[w]) * lift, 9), len(cites[w]), len(w), w)

    ranked = sorted((w for w in speakers if len(speakers[w]) >= need), key=score, reverse=True)
    out: list[tuple[str, list[str]]] = []
    for w in ranked:
        if not any(w in kept or kept in w for kept, _ in out):
            out.append((w, cites[w]))
    return out


def word_shares(words: Iterable[str], frags: Sequence[Fragment]) -> dict[str, float]:
    """Share of ``frags`` containing each word (the corpus background for ``said_words``)."""
    _, cites = _sayers(words, frags)
    n = max(1, len(frags))
    return {w: len(ids) / n for w, ids in cites.items()}


def _sayers(words: Iterable[str], frags: Sequence[Fragment]) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """For each word of two characters or more: the speakers and the fragment ids that say it."""
    speakers: dict[str, set[str]] = defaultdict(set)
    cites: dict[str, list[str]] = defaultdict(list)
    words = [w for w in dict.fromkeys(words) if len(w) >= 2]
    for f in frags:
        for w in words:
            if w in f.text:
                speakers[w].add(f.speaker)
                cites[w].append(f.id)
    return speakers, cites
