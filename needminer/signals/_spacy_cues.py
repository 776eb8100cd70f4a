"""spaCy cue component: ``spacy.blank("zh")`` with the jieba segmenter + a ``Matcher`` built
from ``_cues.TOKEN_CUES`` (token patterns) and a ``PhraseMatcher`` over the cue lexicons.

Why tokens: a negator and an adjective are a cue only when they are separate words
("不 好用", "没那么 方便"), not inside one word ("不好意思", "没事"); jieba keeps such words whole,
a character regex cannot tell. The component also supplies the jieba tokens used for word
n-grams, so one segmentation pass serves both.

spaCy is an optional dependency (``pip install needminer[ml]``); the default detector uses the
character-regex cues (``cue_backend="regex"``), which are several times faster (see
bench/signals_bench.py). Only the tokenizer and the two matchers run: the blank pipeline has no
trained components, and texts are batched with ``nlp.pipe``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from needminer.errors import MissingDependencyError
from needminer.signals import _cues as C

_INSTALL = "pip install 'spacy>=3.7,<4'  (or: pip install needminer[ml])"


def _slot_pattern(words: tuple[str, ...]) -> dict:
    return {"LOWER": {"IN": sorted(set(words))}}


@lru_cache(maxsize=1)
def cue_pipeline():
    """``(nlp, matcher, phrase_matcher)``: built once per process.

    Raises:
        MissingDependencyError: spaCy is not installed.
    """
    try:
        import logging

        import jieba
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(f"The spaCy cue backend needs spaCy. Install it with: {_INSTALL}") from exc
    jieba.setLogLevel(logging.WARNING)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    matcher = Matcher(nlp.vocab)
    for name, slots, gap in C.TOKEN_CUES:
        pattern: list[dict] = []
        for i, slot in enumerate(slots):
            if i and gap:
                pattern.append({"OP": f"{{0,{gap}}}"})
            rx = C.TOKEN_SLOT_REGEX.get((name, i))
            pattern.append({"LOWER": {"REGEX": rx}} if rx else _slot_pattern(slot))
        patterns = [pattern]
        if len(slots) == 2 and (name, 1) not in C.TOKEN_SLOT_REGEX:
            # jieba often keeps "有点贵" / "不方便" as one token: match the fused word too.
            fused = sorted({a + b for a in slots[0] for b in slots[1]})
            patterns.append([{"LOWER": {"IN": fused}}])
        matcher.add(name, patterns)
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    # Single-word cue lexicons from the rule tables, matched on whole tokens only.
    for family, rows in (("pain", C.PAIN), ("wish", C.WISH), ("question", C.QUESTION), ("praise", C.PRAISE)):
        words = [alt for _n, pat, _w in rows for alt in C._top_level_alternatives(pat)
                 if alt and not (set(alt) & C._SPECIAL)]
        phrases.add(family, [nlp.make_doc(w) for w in words])
    return nlp, matcher, phrases


def spacy_analyse(texts: Sequence[str], batch_size: int = 512) -> tuple[list[list[str]], list[dict[str, float]]]:
    """jieba tokens and token-cue features (``tok_*`` plus ``lex_*`` counts) per text."""
    nlp, matcher, phrases = cue_pipeline()
    names = [f"tok_{name}" for name, *_ in C.TOKEN_CUES]
    words_out: list[list[str]] = []
    cues_out: list[dict[str, float]] = []
    vocab = nlp.vocab.strings
    for doc in nlp.pipe((t.lower() for t in texts), batch_size=batch_size):
        feats = dict.fromkeys(names, 0.0)
        for match_id, _s, _e in matcher(doc):
            feats["tok_" + vocab[match_id]] = 1.0
        for match_id, _s, _e in phrases(doc):
            key = "lex_" + vocab[match_id]
            feats[key] = min(feats.get(key, 0.0) + 0.5, 1.0)
        cues_out.append(feats)
        words_out.append([t.text for t in doc if not t.is_space])
    return words_out, cues_out
