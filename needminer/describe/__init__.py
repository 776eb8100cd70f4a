"""Describe needs: NeedStatement slots (人群/场景/任务/痛点/期望) citing fragments, a short title, quotes.

The default describer is extractive and offline (``"extractive.v1"``): every slot is taken from
what members said, and a slot nobody filled stays empty rather than invented.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from functools import lru_cache

from needminer.describe._ctfidf import ctfidf_keywords
from needminer.describe._llm import LLMDescriber
from needminer.discover._domains import FOCUS_KEYWORDS, focus
from needminer.describe._lexicon import MODIFIERS, PERSONAS, PRODUCT_CUES, SCENES, WISH_MARKERS
from needminer.registry import describers
from needminer.types import Discovery, Fragment, NeedCluster, NeedStatement, Signal, SignalLabel, Slot

__all__ = ["ExtractiveDescriber", "LLMDescriber", "ctfidf_keywords", "describe_needs", "focus", "make_title", "pick_quotes"]

MAX_TITLE = 16
MIXED_PREFIX = "零散需求·"  # title of a scattered group (see ``needminer.discover.MIXED_FOCUS``)
NOUN_SHARE = 0.5  # the task noun is said by at least this share of what the most-said candidate noun is
_QUOTED = re.compile(r"[\"'“‘「『]([\u4e00-\u9fffA-Za-z]{2,6})[\"'”’」』]")
# A wish marker, the longest where several start at one place (想要的就是 before 想要); 求 not in 求助/求救.
_WISH = re.compile("|".join(re.escape(m) if m != "求" else "求(?![助救])" for m in sorted(WISH_MARKERS, key=len, reverse=True)))
_TRIM = re.compile(r"^[，,。！!？?；;、\s]+|[，,。！!？?；;、\s]+$")


@lru_cache(maxsize=1)
def _posseg():
    from needminer.discover._vectorizer import _jieba

    _jieba()  # domain words registered
    import jieba.posseg as pseg

    return pseg


def _noun(keywords: Sequence[str], texts: Sequence[str]) -> str:
    """The object of the need: the best keyword that is a product/task noun (底妆, 跑鞋, 吸奶器 …) or a
    noun phrase (婴儿面霜, 恒温水壶).

    Domain-dictionary nouns (and noun phrases headed by one) beat other nouns; a word that is a
    persona, scene or quality cue, or a phrase holding one, never wins.
    """
    from needminer.discover._vectorizer import DOMAIN_WORDS, _jieba, word_class

    pseg = _posseg()
    jieba = _jieba()
    # Cue words say who, when or how, not what: they never win, except those that also name a product
    # or topic (跑鞋 tells of runners and may be what they want fixed).
    cue_words = {w for lex in (PERSONAS, SCENES, MODIFIERS) for key, cues in lex.items() for w in (key, *cues)}
    cue_words -= set(PRODUCT_CUES)
    scored: list[tuple[str, int]] = []
    for pos, kw in enumerate(keywords):
        if kw in cue_words or len(kw) > 6:
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


def _evoked(lexicon: Mapping[str, Sequence[str]], frags: Sequence[Fragment]) -> tuple[dict, dict]:
    """Per lexicon value: the speakers and fragment ids whose text contains one of its cues."""
    speakers: dict[str, set[str]] = defaultdict(set)
    cites: dict[str, list[str]] = defaultdict(list)
    for f in frags:
        for value, cues in lexicon.items():
            if any(c in f.text for c in cues):
                speakers[value].add(f.speaker)
                cites[value].append(f.id)
    return speakers, cites


def cue_shares(lexicon: Mapping[str, Sequence[str]], frags: Sequence[Fragment]) -> dict[str, float]:
    """Share of fragments that evoke each lexicon value (the background a cluster is compared with)."""
    _, cites = _evoked(lexicon, frags)
    return {v: len(ids) / max(1, len(frags)) for v, ids in cites.items()}


def _ranked_values(
    lexicon: Mapping[str, Sequence[str]], frags: Sequence[Fragment], background: Mapping[str, float] | None
) -> tuple[list[str], dict, dict]:
    """Values ordered by distinct speakers × lift over the corpus (a value every need has says little)."""
    speakers, cites = _evoked(lexicon, frags)
    order = list(lexicon)

    def score(v: str) -> tuple:
        lift = 1.0
        if background:
            share = len(cites[v]) / max(1, len(frags))
            lift = min(5.0, share / max(background.get(v, 0.0), 1e-3))
        return (len(speakers[v]) * lift, len(cites[v]), -order.index(v))

    return sorted(speakers, key=score, reverse=True), speakers, cites


def _cue_slot(
    lexicon: Mapping[str, Sequence[str]], frags: Sequence[Fragment], background: Mapping[str, float] | None = None
) -> Slot | None:
    """The lexicon value that best characterises the fragments, citing the fragments that evoke it."""
    values, _, cites = _ranked_values(lexicon, frags, background)
    if not values:
        return None
    return Slot(values[0], tuple(cites[values[0]][:10]))


def _modifiers(frags: Sequence[Fragment], background: Mapping[str, float] | None = None) -> tuple[list[str], list[str]]:
    """Desired qualities (快速, 自然 …) and quoted key terms ('伪素颜'), with citing fragment ids."""
    quoted: Counter[str] = Counter()
    cites: list[str] = []
    for f in frags:
        for m in _QUOTED.findall(f.text):
            quoted[m] += 1
            cites.append(f.id)
    values, speakers, mod_cites = _ranked_values(MODIFIERS, frags, background)
    mods = [m for m in values if len(speakers[m]) >= max(1, len(frags) // 10)]
    cites += [fid for m in mods[:2] for fid in mod_cites[m]]
    terms = [t for t, n in quoted.most_common(1)]
    # a quality the quoted term already says (自然 in '伪素颜' via 素颜) is not repeated
    mods = [m for m in mods if not any(c in t for t in terms for c in (m, *MODIFIERS[m]))]
    # a quoted key term ('伪素颜') says more than a second generic quality
    return (mods[:1] + terms if terms else mods[:2]), cites


def _clause(text: str) -> str:
    """The part of a fragment after its first wish marker (期望 after 希望 …), trimmed."""
    m = _WISH.search(text)
    if m is not None and len(text) - m.end() >= 2:
        return _TRIM.sub("", text[m.end() :])
    return _TRIM.sub("", text)


def make_title(persona: str, modifiers: Sequence[str], noun: str, fallback: Sequence[str] = ()) -> str:
    """Build a title of at most 16 characters, e.g. ``熬夜党快速伪素颜底妆``."""
    parts = [persona] if persona else []
    parts += [m for m in modifiers if m and m != noun and m not in persona][:2]
    if noun:
        parts.append(noun)
    if len(parts) <= 1:
        parts += [k for k in fallback if k not in parts][: 3 - len(parts)]
    title = ""
    for p in parts:
        if len(title) + len(p) > MAX_TITLE:
            break
        title += p
    return title or "未命名需求"


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
        background_: Lexicon name → value → share of all fragments that evoke the value.
    """

    def fit(self, fragments: Sequence[Fragment]) -> ExtractiveDescriber:
        """Learn how often each persona, scene and quality is evoked across the corpus."""
        self.background_ = {
            "persona": cue_shares(PERSONAS, fragments),
            "scene": cue_shares(SCENES, fragments),
            "modifier": cue_shares(MODIFIERS, fragments),
        }
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
        bg = getattr(self, "background_", {})
        persona = _cue_slot(PERSONAS, frags, bg.get("persona"))
        scene = _cue_slot(SCENES, frags, bg.get("scene"))
        if persona:
            slots["persona"] = persona
        if scene:
            slots["scene"] = scene
        keywords = list(cluster.keywords)
        noun = _noun(keywords, [f.text for f in frags])
        mods, _ = _modifiers(frags, bg.get("modifier"))
        if noun:
            task_cites = tuple(f.id for f in frags if noun in f.text)[:10]
            slots["task"] = Slot(noun, task_cites)
        by_label: dict[SignalLabel, list[Fragment]] = defaultdict(list)
        for f in frags:  # frags are most central first
            s = signals.get(f.id)
            if s is not None:
                by_label[s.label].append(f)
        pains = by_label.get(SignalLabel.pain, [])
        # wish fragments that say what they want (a marker) first: "求助，…是湿疹吗" wants no thing
        said = [f for f in frags if _WISH.search(f.text)]
        wishes = by_label.get(SignalLabel.wish, []) or said
        wishes = sorted(wishes, key=lambda f: _WISH.search(f.text) is None)
        if pains:
            slots["pain"] = Slot(_TRIM.sub("", pains[0].text), tuple(f.id for f in pains[:5]))
        if wishes:
            slots["expectation"] = Slot(_clause(wishes[0].text), tuple(f.id for f in wishes[:5]))
        statement = _statement(slots, mods)
        if cluster.label:
            title = cluster.label[:MAX_TITLE]
        elif cluster.scattered:
            share = focus(keywords, [f.text for f in frags])
            head = noun or next((k for k in keywords if len(k) > 1), "")
            title = (MIXED_PREFIX + head)[:MAX_TITLE]
            statement = (f"话题分散：前 {FOCUS_KEYWORDS} 个关键词只出现在 {share:.0%} 的片段里，"
                         f"这组片段未形成一个需求，请逐条看证据。") + statement
        else:
            title = make_title(persona.text if persona else "", mods, noun, fallback=keywords)
        return NeedStatement(
            need_id=cluster.id,
            title=title,
            statement=statement,
            slots=slots,
            keywords=tuple(keywords),
            quote_fragment_ids=pick_quotes(cluster, fragments, signals),
        )


def _statement(slots: Mapping[str, Slot], mods: Sequence[str]) -> str:
    """One line: 谁 在什么场景 关注什么（想要怎样），遇到什么问题；希望怎样。Empty slots are left out.

    The task may be a product (粉底液) or what goes wrong with the body or the day (膝盖, 湿疹), so the
    wanted qualities are said beside it rather than as its attributes ("需要舒适的湿疹").
    """
    who = slots["persona"].text if "persona" in slots else "用户"
    parts = [who]
    if "scene" in slots:
        scene = slots["scene"].text
        parts.append(f"在{scene}" if scene.endswith("时") else f"在{scene}时")
    if "task" in slots:
        parts.append(f"关注{slots['task'].text}")
        want = "、".join(m for m in mods[:3] if m)
        if want:
            parts.append(f"（想要{want}）")
    line = "".join(parts)
    if "pain" in slots:
        line += f"：痛点是「{slots['pain'].text[:40]}」"
    if "expectation" in slots:
        line += f"；期望「{slots['expectation'].text[:40]}」"
    return line + "。"


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
