"""Describe needs: NeedStatement slots (人群/场景/任务/痛点/期望) citing fragments, a short title, quotes.

The default describer is extractive and offline (``"extractive.v1"``): every slot is taken from
what members said, and a slot nobody filled stays empty rather than invented.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from needminer.describe._llm import LLMDescriber
from needminer.discover import FOCUS_KEYWORDS, focus
from needminer.describe._faithful import faithfulness, said_words, word_shares
from needminer.describe._slots import (
    ACTIVITY_WORDS,
    QUALITY_WORDS,
    TIME_WORDS,
    WISH_MARKERS,
    persona_candidates,
    scene_candidates,
)
from needminer.describe._statement import _NOT_SAID, PAIN_KEYWORDS, _about_words, _said_slots, _statement
from needminer.describe._title import (
    MAX_TITLE,
    _said_apart,
    cover_parts,
    join_words,
    make_title,
    said_order,
    title_parts,
)
from needminer.registry import describers
from needminer.text import DOMAIN_WORDS, banned, ctfidf_keywords, cut, load_jieba, word_class
from needminer.types import SLOT_NAMES, Discovery, Fragment, NeedCluster, NeedStatement, Signal, Slot

__all__ = [
    "ExtractiveDescriber",
    "LLMDescriber",
    "banned",
    "ctfidf_keywords",
    "describe_needs",
    "faithfulness",
    "focus",
    "join_words",
    "make_title",
    "noun_phrase",
    "pick_quotes",
    "said_order",
    "title_parts",
]

MIXED_PREFIX = "零散需求·"  # title of a scattered group (see ``needminer.discover.MIXED_FOCUS``)
NOUN_SHARE = 0.5  # the task noun is said by at least this share of what the most-said candidate noun is
_QUOTED = re.compile(r"[\"'“‘「『]([\u4e00-\u9fffA-Za-z]{2,6})[\"'”’」』]")
QUOTED_MIN = 2  # fragments that say a quoted key term for it to qualify the title ('伪素颜') …
QUOTED_SHARE = 0.1  # … or this share of a small need's fragments (the seed example: one of three)

def _tokenizer():
    return cut


@lru_cache(maxsize=1)
def _posseg():
    load_jieba()  # domain words registered
    import jieba.posseg as pseg

    return pseg


def _noun(keywords: Sequence[str], texts: Sequence[str], persona_words: Sequence[str] = ()) -> str:
    """The object of the need: the best keyword that is a product/task noun (底妆, 跑鞋, 吸奶器 …) or a
    noun phrase (婴儿面霜, 恒温水壶).

    Domain-dictionary nouns (and noun phrases headed by one) beat other nouns; a word that is a
    persona, scene or quality cue, or a phrase holding one, never wins.
    """
    pseg = _posseg()
    jieba = load_jieba()
    # Words that say who, when or how, not what, never win: person words, times, activities, qualities
    cue_words = {*persona_words, *TIME_WORDS, *ACTIVITY_WORDS, *QUALITY_WORDS}
    scored: list[tuple[str, int]] = []
    for pos, kw in enumerate(keywords):
        if kw in cue_words or len(kw) > 6 or persona_candidates([kw], jieba.lcut):  # 油皮底妆 names who, not what
            continue
        parts = jieba.lcut(kw)
        if len(parts) == 2:  # a phrase keyword: a noun phrase counts when it is noun-headed (NN, AN)
            if set(parts) & cue_words or word_class(parts[0]) not in ("N", "A") or word_class(parts[1]) != "N":
                continue
            is_noun, head = True, parts[1]
        else:
            flags = [p.flag for p in pseg.cut(kw)]
            is_noun, head = len(flags) == 1 and flags[0] in {"n", "nz", "ng", "vn", "nw", "eng"}, kw
        score = (3 if head in DOMAIN_WORDS else 0) + (2 if is_noun else 0)
        if score:
            scored.append((kw, score * 100 - pos))
    if texts and scored:
        # A noun few members say is no object of theirs: a domain word must not beat the noun most of
        # them say (跑鞋 in 11 % of a knee-pain need whose members say 膝盖 in 60 %).
        said = {kw: sum(kw in t for t in texts) / len(texts) for kw, _ in scored}
        floor = NOUN_SHARE * max(said.values())
        scored = [(kw, sc) for kw, sc in scored if said[kw] >= floor]
    best, best_score = "", 0
    for kw, sc in scored:
        if sc > best_score:
            best, best_score = kw, sc
    return best


def _modifiers(frags: Sequence[Fragment], background: Mapping[str, float] | None = None) -> tuple[list[str], list[str]]:
    """Wanted qualities in the members' own words (服帖, 赶时间 …) and quoted key terms ('伪素颜'),
    with citing fragment ids. A quality is a word members wrote (at least two of them), never a
    lexicon label they did not say."""
    quoted: Counter[str] = Counter()
    cites: list[str] = []
    for f in frags:
        for m in _QUOTED.findall(f.text):
            if not banned(m):
                quoted[m] += 1
                cites.append(f.id)
    found = said_words(QUALITY_WORDS, frags, background)
    mods = [w for w, _ in found]
    cites += [fid for _, ids in found[:2] for fid in ids]
    # a term one member of a large need put in quotes ("井喷" among 227 posts on engine oil) is theirs,
    # not the need's: a quoted term counts when several fragments say it (quoted or not) or a small
    # need's do
    terms = [t for t, _ in quoted.most_common(1) if _said_enough(t, frags)]
    # a quality the quoted term already says (素颜 in '伪素颜') is not repeated
    mods = [m for m in mods if not any(m in t or t in m for t in terms)]
    # a quoted key term ('伪素颜') says more than a second generic quality
    return (mods[:1] + terms if terms else mods[:2]), cites


def _said_enough(term: str, frags: Sequence[Fragment]) -> bool:
    said = sum(term in f.text for f in frags)
    return said >= QUOTED_MIN or said >= QUOTED_SHARE * len(frags)


def _said_slot(words: Sequence[str], frags: Sequence[Fragment], background: Mapping[str, float] | None) -> Slot | None:
    """The word of ``words`` that members of this need say most (with lift), citing who said it."""
    found = said_words(words, frags, background)
    if not found:
        return None
    word, ids = found[0]
    return Slot(word, tuple(ids[:10]))


# A keyword joins a title only when it is said with the head word this often (aspect hit rate over
# car_neg/car_other/phone/medical, mean: no rule .568, 0.2 .578, 0.3 .538)
CO_OCCUR = 0.2


def _cooccurring(keywords: Sequence[str], head: str, texts: Sequence[str]) -> list[str]:
    """Keywords said together with the title's head word (the noun, or the first keyword) in at
    least ``CO_OCCUR`` of the fragments that say it: a title is one phrase, not three topics."""
    words = [k.replace(" ", "") for k in keywords if not banned(k.replace(" ", ""))]
    head = head or next(iter(words), "")
    if not head:
        return []
    saying = [t for t in texts if head in t]
    if not saying:
        return [head]
    return [head] + [w for w in words if w != head and sum(w in t for t in saying) / len(saying) >= CO_OCCUR]


FOCUS_SHARE_SAID = 0.5  # a scattered group's keyword coverage is quoted only below this share


CORE_SHARE = 0.3  # a word this share of a need's members say is part of its title (治疗 in 痔疮治疗)
CORE_WORDS = 2  # at most this many such words
# The object keyword yields to the most-said word when members say it under this share of as often
# (地方 in 12 % of a need whose members say 操控 in 94 %)
NOUN_VS_CORE = 0.25


def _core_words(texts: Sequence[str], skip: Iterable[str] = ()) -> list[tuple[str, float]]:
    """The content words (nouns or verbs, no filler) that at least ``CORE_SHARE`` of a need's members
    say, most-said first, with their shares (at most ``CORE_WORDS``).

    c-TF-IDF keywords favour what sets a need apart; these are what its members have in common, even
    when the whole corpus says them too (治疗 in a need about 痔疮, 操控 in one about handling)."""
    if not texts:
        return []
    skip = set(skip)
    said: Counter[str] = Counter()
    for t in texts:
        words = cut(_NOT_SAID.sub(" ", t))  # not the 表情 of a [表情] sticker placeholder
        said.update({w for w in words if len(w) >= 2 and w not in skip and not banned(w) and word_class(w.lower()) in ("N", "V")})
    out: list[tuple[str, float]] = []
    for word, n in said.most_common():
        if n < 2 or n / len(texts) < CORE_SHARE or len(out) == CORE_WORDS:
            break
        if not any(word in w or w in word for w, _ in out):
            out.append((word, n / len(texts)))
    return out


PHRASE_SHARE = 0.2  # a phrase around the noun said in this share of the fragments that say the noun


def noun_phrase(noun: str, texts: Sequence[str]) -> list[str]:
    """The noun with the content word members most often say right next to it (学生证 → 补办 学生证,
    食堂 → 西溪 食堂), as the two words in their order; ``[]`` when no neighbour is said in at least two
    fragments and ``PHRASE_SHARE`` of those that say the noun. A title made of it is one phrase
    members said, not two keywords put side by side."""
    if not noun:
        return []
    saying = [t for t in texts if noun in t]
    pairs: Counter[tuple[str, str]] = Counter()
    for text in saying:
        words = [w for w in cut(_NOT_SAID.sub(" ", text)) if w.strip()]
        seen: set[tuple[str, str]] = set()
        for i, w in enumerate(words):
            if w != noun:
                continue
            for pair in ((words[i - 1], w) if i else None, (w, words[i + 1]) if i + 1 < len(words) else None):
                if pair is None:
                    continue
                other = pair[0] if pair[1] == noun else pair[1]
                if len(other) >= 2 and not banned(other) and word_class(other.lower()) in ("N", "V", "A"):
                    seen.add(pair)
        pairs.update(seen)
    if not pairs:
        return []
    pair, n = pairs.most_common(1)[0]
    if n < 2 or n < PHRASE_SHARE * len(saying) or len("".join(pair)) > MAX_TITLE:
        return []
    return list(pair)


def pick_quotes(
    cluster: NeedCluster, fragments: Mapping[str, Fragment], signals: Mapping[str, Signal], k: int = 5
) -> tuple[str, ...]:
    """Representative fragments: central first, one per speaker before any repeat, need-bearing preferred."""
    members = [fragments[fid] for fid in cluster.fragment_ids if fid in fragments]
    conf = dict(zip(cluster.fragment_ids, cluster.confidence or [1.0] * len(cluster.fragment_ids)))

    def key(f: Fragment) -> float:
        s = signals.get(f.id)
        bonus = 0.1 if s is not None and s.need else 0.0
        return conf.get(f.id, 0.0) + bonus + min(len(f.text), 40) / 400

    ranked = sorted(members, key=key, reverse=True)
    picked: list[Fragment] = []
    seen_speakers: set[str] = set()
    seen_text: set[str] = set()
    for f in ranked:  # first pass: distinct speakers
        if f.speaker not in seen_speakers and f.text not in seen_text:
            picked.append(f)
            seen_speakers.add(f.speaker)
            seen_text.add(f.text)
        if len(picked) == k:
            break
    for f in ranked:
        if len(picked) == k:
            break
        if f not in picked and f.text not in seen_text:
            picked.append(f)
            seen_text.add(f.text)
    return tuple(f.id for f in picked)


class ExtractiveDescriber:
    """Offline describer: slots from cue lexicons and member fragments, title from the slots.

    ``fit`` on all fragments first so that persona, scene and quality words are chosen for what sets a
    need apart from the rest of the corpus, not merely for being common.

    Attributes:
        personas_: Persona candidates: the person words members of this corpus use (我是学生, 作为宝妈,
            学生党, 苹果用户; see ``needminer.describe._slots``).
        scenes_: Scene candidates: everyday time, place and activity words and the situations members
            spell out (每次出差, 下雨的时候).
        background_: Persona, scene and quality word → share of all fragments that say it.
    """

    def __init__(self, *, lang: str = "zh") -> None:
        self.lang = lang

    def fit(self, fragments: Sequence[Fragment]) -> ExtractiveDescriber:
        """Mine the corpus's persona and scene candidates and learn how often each candidate is said."""
        texts = [f.text for f in fragments]
        tokenize = _tokenizer()
        self.personas_ = tuple(persona_candidates(texts, tokenize))
        self.scenes_ = tuple(scene_candidates(texts, tokenize))
        self.background_ = word_shares((*self.personas_, *self.scenes_, *QUALITY_WORDS), fragments)
        return self

    def describe(
        self,
        cluster: NeedCluster,
        fragments: Mapping[str, Fragment],
        signals: Mapping[str, Signal],
    ) -> NeedStatement:
        """Describe one cluster."""
        frags = [fragments[fid] for fid in cluster.fragment_ids if fid in fragments]
        slots: dict[str, Slot] = {}
        bg = getattr(self, "background_", None)
        texts = [f.text for f in frags]
        personas = getattr(self, "personas_", None)
        if personas is None:  # not fitted: the need's own fragments are the corpus
            personas = persona_candidates(texts, _tokenizer())
        scenes = getattr(self, "scenes_", None) or scene_candidates(texts, _tokenizer())
        persona = _said_slot(personas, frags, bg)
        if persona:
            slots["persona"] = persona
        keywords = [k for k in cluster.keywords if not banned(k.replace(" ", ""))]
        noun = _noun(keywords, texts, personas)
        mods, _ = _modifiers(frags, bg)
        said_most = _core_words(texts, (*personas, *scenes, *QUALITY_WORDS, *WISH_MARKERS))
        dropped = ""
        cores = [w for w, _ in said_most]
        if cores and noun and sum(noun in t for t in texts) < NOUN_VS_CORE * said_most[0][1] * len(texts):
            # a noun few members say is no object of theirs next to what most of them say
            dropped, noun = noun, ""
        if cores and not noun:
            noun = cores.pop(0)
        cores = [w for w in cores if not (noun and (w in noun or noun in w))]
        if noun:
            task_cites = tuple(f.id for f in frags if noun in f.text)[:10]
            slots["task"] = Slot(noun, task_cites)
            mods = [m for m in mods if not _said_apart(m, noun, texts)]
        quotes = list(pick_quotes(cluster, fragments, signals))
        # a pain, question or wish quote says what the need is about: a word of its title
        about = _about_words(noun, keywords)
        if cluster.label:
            title = cluster.label[:MAX_TITLE]
        elif cluster.scattered:
            head, quotes = cover_parts([noun or next((k for k in keywords if len(k) > 1), "")], quotes, frags)
            title = (MIXED_PREFIX + join_words(head))[:MAX_TITLE]
        else:
            # a bare noun is followed by what most members say (痔疮治疗), else by the word they say
            # right next to it (考生 → 考生编号), else by keywords said with it (the phrase tried
            # first cost car_neg one need titled by its label word: aspect hit rate 0.79 → 0.74)
            phrase = [] if cores else noun_phrase(noun, texts)
            fallback = cores[:1] or [w for w in phrase if w != noun] or _cooccurring([k for k in keywords if k != dropped], noun, texts)
            parts = title_parts(persona.text if persona else "", mods, noun, fallback)
            if noun in parts and phrase and all(w in parts for w in phrase):  # the phrase as members say it
                at = min(parts.index(w) for w in phrase)
                parts = parts[:at] + phrase + [p for p in parts[at:] if p not in phrase]
            elif noun in parts:  # the noun and the words after it, in the order members say them
                at = parts.index(noun)
                parts = parts[:at] + said_order(parts[at:], texts)
            parts, quotes = cover_parts(parts, quotes, frags)
            title = join_words(parts) or "未命名需求"
            about = list(dict.fromkeys([*parts, noun])) if parts else about
            mods = [m for m in mods if m in parts] + [m for m in mods if m not in parts]
        # a scene is not the object itself (食堂 in 西溪食堂, 赶时间 in 赶时间伪素颜底妆), and some member
        # says it with the object: 在医院时关注平台 and 在火车关注自费 joined words said apart
        for word, ids in said_words(scenes, frags, bg):
            if word not in title and (not noun or any(word in t and noun in t for t in texts)):
                slots["scene"] = Slot(word, tuple(ids[:10]))
                break
        if not cluster.scattered:  # fragments no need took: one pain or wish does not speak for the rest
            slots.update(_said_slots(frags, signals, about, _about_words(noun, keywords[:PAIN_KEYWORDS]), noun))
        slots = {name: slots[name] for name in SLOT_NAMES if name in slots}
        statement = _statement(slots, mods, self.lang)
        if cluster.scattered and not cluster.label:
            share = focus(keywords, [f.text for f in frags])
            # the remainder's own keywords may cover it (a few short lines): then say what it is
            statement = _scattered_note(share, len(frags), self.lang) + statement
        return NeedStatement(
            need_id=cluster.id,
            title=title,
            statement=statement,
            slots=slots,
            keywords=tuple(keywords),
            quote_fragment_ids=tuple(quotes),
        )


def _scattered_note(share: float, size: int, lang: str) -> str:
    """What a scattered group is, before its statement: the remainder's own keywords may cover it (a
    few short lines), and then it is said to be what no need took."""
    if lang == "en":
        why = (f"the top {FOCUS_KEYWORDS} keywords are said in only {share:.0%} of the fragments" if share < FOCUS_SHARE_SAID
               else f"these {size} fragments are what no need took")
        return f"Scattered topics: {why}; they do not form one need, read the evidence line by line. "
    why = (f"前 {FOCUS_KEYWORDS} 个关键词只出现在 {share:.0%} 的片段里" if share < FOCUS_SHARE_SAID
           else f"这 {size} 个片段是各需求都没有收下的剩余片段")
    return f"话题分散：{why}，这组片段未形成一个需求，请逐条看证据。"


describers.register("extractive.v1", aliases=("extractive",))(ExtractiveDescriber)
describers.register("llm.v1", aliases=("llm",))(LLMDescriber)


def describe_needs(
    discovery: Discovery,
    fragments: Sequence[Fragment],
    signals: Sequence[Signal] = (),
    *,
    describer: str = "extractive.v1",
    options: Mapping[str, object] | None = None,
) -> list[NeedStatement]:
    """Describe every cluster of a discovery, in cluster order.

    Args:
        discovery: The clusters.
        fragments: All fragments (members are looked up by id; all of them form the background).
        signals: Signals of the fragments (pain / wish slots).
        describer: Registry name: ``"extractive.v1"`` (default, offline) or ``"llm.v1"``.
        options: Keyword arguments for the describer (``base_url``, ``model`` … for ``llm.v1``).
    """
    by_id = {f.id: f for f in fragments}
    sig = {s.fragment_id: s for s in signals}
    impl = describers.get(describer)(**(options or {})).fit(list(fragments))
    return [impl.describe(c, by_id, sig) for c in discovery.clusters]
