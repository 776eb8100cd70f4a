"""The slot quotes and the one-line statement: what members complain about (痛点), ask (常问) and
want (期望), each quoted from a fragment that says what the need is about, and the statement
sentence built around the filled slots."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from needminer.describe._slots import PLACE_WORDS, WISH_MARKERS
from needminer.text import banned
from needminer.types import Fragment, Signal, SignalLabel, Slot

# A wish marker, the longest where several start at one place (想要的就是 before 想要).
# 求 not in 求助/求救/求问/求解; 有没有人 (同学, 大佬 …, 被扣的, 收到过) asks the group about people or what
# happened to them, it wants nothing
_WISH_EXCEPT = {"求": "求(?![助救问教解])", "有没有": "有没有(?!人|同学|朋友|大佬|大神|小伙伴|童鞋|谁|哪位|被|去过|用过|遇到|收到)",
                "要是": "(?<![主只就还重需不])要是"}  # 主要是, 就是要是 … are no "if only"
_WISH = re.compile("|".join(_WISH_EXCEPT.get(m, re.escape(m)) for m in sorted(WISH_MARKERS, key=len, reverse=True)))
_TRIM = re.compile(r"^[，,。！!？?；;、\s]+|[，,。！!？?；;、\s]+$")

_NOT_SAID = re.compile(r"[@＠][^\s，,。！!？?：:；;]*|\[[^\]]{1,8}\]|【[^】]{1,8}】")


def _plain(text: str) -> str:
    """Slot text without @mentions, placeholders ([手机号]) or emoticon codes ([捂脸]), trimmed."""
    return _TRIM.sub("", _NOT_SAID.sub("", text))


_PARTICLE_START = re.compile(r"^[的了啊吧呢吗呀哦嘛么得地着过]")
MIN_SLOT_CHARS = 4  # a pain or wish quote needs this many characters of content to stand alone


def _substantial(text: str) -> bool:
    """A slot quote that can stand alone: enough content characters, not starting mid-phrase."""
    content = re.sub(r"[\W_]", "", text)
    return len(content) >= MIN_SLOT_CHARS and not _PARTICLE_START.match(text)


PAIN_CONFIDENCE = 0.5  # a pain label this sure needs no cue


def _complains(signal: Signal, text: str) -> bool:
    """Whether a pain-labelled fragment says something is wrong: a pain cue or a complaint token cue
    fired, it is said with intensity (总是, 真的, 特别, ！), or the detector is sure. On a real QQ
    group the label model's unsure pains were "老师报到注册14号" and "打电话过去问": no complaint."""
    from needminer.signals import says_wrong

    if signal.confidence >= PAIN_CONFIDENCE or signal.intensity > 0:
        return True
    if any(c.startswith("pain.") for c in signal.cues):
        return True
    return says_wrong(text)


ABOUT_KEYWORDS = 8  # a pain or wish quote must say the need's noun or one of this many top keywords
PAIN_KEYWORDS = 3  # … a pain that says no title word: one of this many


def _about_words(noun: str, keywords: Sequence[str]) -> list[str]:
    """The words that say what a need is about: its noun and its top keywords (each part of a
    phrase keyword counts: 待机 时间 → 待机, 时间 is filler)."""
    words = [noun] if noun else []
    for k in keywords[:ABOUT_KEYWORDS]:
        words += [w for w in k.split() if len(w) >= 2 and not banned(w)]
    return list(dict.fromkeys(w for w in words if w))


def _on_topic(frags: Sequence[Fragment], about: Sequence[str]) -> list[Fragment]:
    """The fragments that say one of ``about``, most of those words first, then in the given
    (most central first) order; none when none does (an off-topic quote is no slot)."""
    if not about:
        return list(frags)
    hits = [(sum(w in f.text for w in about), i, f) for i, f in enumerate(frags)]
    return [f for n, _, f in sorted(hits, key=lambda t: (-min(t[0], 2), t[1])) if n]


def _clause(text: str) -> str:
    """The part of a fragment after its first wish marker (期望 after 希望 …), trimmed."""
    m = _WISH.search(text)
    if (m is not None and len(text) - m.end() >= 2 and m.group() not in _ASKING
            and not _BARE_CLASSIFIER.match(text, m.end())):
        return _TRIM.sub("", text[m.end() :])
    return _TRIM.sub("", text)


# markers that ask (有没有模板的参考 → 「模板的参考」 would drop the asking): the clause keeps them
_ASKING = frozenset({"有没有", "能不能"})
# 想找个过来人 cut after its marker leaves 「个过来人」: a bare classifier keeps the marker
_BARE_CLASSIFIER = re.compile(r"[个款种只台件位把双]")

QUOTE_CHARS = 40  # the statement quotes a slot up to this many characters (a shorter quote is chosen first)
_PLACES = frozenset(PLACE_WORDS)
_ASKS = re.compile(r"[?？]|[吗么嘛呢][\s。.!！~～…]*$|(?<![没不])怎么|什么|为什么|哪|几[点号时个次]|多少|是不是|能不能|可不可以|有没有|会不会|要不要")


def _only_asks(text: str) -> bool:
    """A line put as a question whose wish markers, if any, only ask (有没有, 能不能): 「什么原因引起呢？」
    or 「请问…有没有模板？」, not 「希望…」."""
    markers = {m.group() for m in _WISH.finditer(text)}
    return markers <= _ASKING and _ASKS.search(text) is not None


def _said_slots(frags: Sequence[Fragment], signals: Mapping[str, Signal], about: Sequence[str],
                wider: Sequence[str] = (), noun: str = "") -> dict[str, Slot]:
    """The pain, question and expectation slots: what members complain about, ask and want, each
    quoted from the most central fragment that says a word of ``about`` (the title's words; one
    that says the ``noun`` first), never one about something else ("请问有没有同学了解数据库连接池"
    is no expectation of a tuition need). A complaint often tells the situation without naming
    the object ("半夜宝宝哭醒，…等水凉等半天" in a kettle need): a pain may also say one of
    ``wider`` (the noun and the top ``PAIN_KEYWORDS`` keywords) when no pain says a title word.

    The question slot is filled only where members mostly ask (more question fragments than pain
    fragments): a group's service needs are questions (校车最晚几点, 学生证能买学生票吗), and a
    question is said as one, not as a pain or a want."""
    by_label: dict[SignalLabel, list[Fragment]] = defaultdict(list)
    for f in frags:  # frags are most central first
        s = signals.get(f.id)
        if s is not None:
            by_label[s.label].append(f)
    # an expectation is what members say they want: a wish marker (希望, 想要 …) or an explicit
    # request the detector found ("要是有…就好了"); a fragment labelled wish without either is a
    # notice or advice in a real group ("请要报销的同学…直接前往…", "另外安利一下…"), not a want.
    # "求助，…是湿疹吗" has a marker but wants no thing: wish-labelled fragments come first
    wished = {f.id for f in by_label.get(SignalLabel.wish, [])}
    wishes = [f for f in frags if _WISH.search(f.text) or (f.id in wished and signals[f.id].explicit)]
    wishes = sorted(wishes, key=lambda f: f.id not in wished)
    # a slot quote too thin to stand alone (「公仔」, 「的手游大作」) is left out, not templated around
    def on_topic(fs: Sequence[Fragment], words: Sequence[str]) -> list[Fragment]:
        # one that says the noun first, then one the statement can quote whole
        return sorted(_on_topic(fs, words), key=lambda f: (bool(noun) and noun not in f.text,
                                                           len(_plain(f.text)) > QUOTE_CHARS))

    # a pain quote says something is wrong, not only what the label model took for a complaint
    pained = [f for f in by_label.get(SignalLabel.pain, [])
              if _substantial(_plain(f.text)) and _complains(signals[f.id], f.text)]
    pains = on_topic(pained, about) or on_topic(pained, wider)
    wishes = on_topic([f for f in wishes if _substantial(_clause(_plain(f.text)))], about)
    asked = by_label.get(SignalLabel.question, [])
    # a line that asks (？, 吗, 怎么, 几点 …), not a notice or a remark the detector called a question
    questions = on_topic([f for f in asked if _substantial(_plain(f.text)) and _ASKS.search(f.text)], about)
    out: dict[str, Slot] = {}
    if questions and len(asked) > len(by_label.get(SignalLabel.pain, [])):
        asking = _plain(questions[0].text)
        mark = _NOT_SAID.sub("", questions[0].text).rstrip()[-1:]
        if mark in ("?", "？"):
            asking += mark  # a question keeps its mark
        out["question"] = Slot(asking, tuple(f.id for f in questions[:5]))
    if pains:
        out["pain"] = Slot(_plain(pains[0].text), tuple(f.id for f in pains[:5]))
    if "question" in out:  # members mostly ask: a line that only asks (请问…有没有模板) is one more question
        wishes = [f for f in wishes if f.id != out["question"].fragment_ids[0] and not _only_asks(f.text)]
    if wishes:
        out["expectation"] = Slot(_clause(_plain(wishes[0].text)), tuple(f.id for f in wishes[:5]))
    return out


def _statement(slots: Mapping[str, Slot], mods: Sequence[str], lang: str = "zh") -> str:
    """One line: 谁 在什么场景 关注什么（想要怎样）：常问什么；遇到什么问题；希望怎样。Empty slots are left out.
    ``lang="en"`` says the same in English around the members' words (the report's language).

    The task may be a product (粉底液) or what goes wrong with the body or the day (膝盖, 湿疹), so the
    wanted qualities are said beside it rather than as its attributes ("需要舒适的湿疹").
    """
    if lang == "en":
        return _statement_en(slots, mods)
    who = slots["persona"].text if "persona" in slots else "用户"
    parts = [who]
    if "scene" in slots:
        scene = slots["scene"].text
        parts.append(f"在{scene}" if scene.endswith("时") or scene in _PLACES else f"在{scene}时")  # 在宿舍, 在开学时
    if "task" in slots:
        parts.append(f"关注{slots['task'].text}")
        want = "、".join(m for m in mods[:3] if m)
        if want:
            parts.append(f"（想要{want}）")
    line = "".join(parts)
    said = _quoted(slots, (("question", "常问「{}」"), ("pain", "痛点是「{}」")))
    if said:
        line += "：" + "；".join(said)
    return line + "".join("；" + q for q in _quoted(slots, (("expectation", "期望「{}」"),))) + "。"


def _statement_en(slots: Mapping[str, Slot], mods: Sequence[str]) -> str:
    """The statement in English: ``Members (at 早上) care about 底妆 (want: 赶时间, 伪素颜): they ask
    “…”; pain: “…”; they want “…”.`` The slot words stay as members said them."""
    line = slots["persona"].text if "persona" in slots else "Members"
    if "scene" in slots:
        scene = slots["scene"].text
        line += f" ({'at' if scene in _PLACES else 'when'} {scene})"
    if "task" in slots:
        line += f" care about {slots['task'].text}"
        want = ", ".join(m for m in mods[:3] if m)
        if want:
            line += f" (want: {want})"
    said = _quoted(slots, (("question", "they ask “{}”"), ("pain", "pain: “{}”"), ("expectation", "they want “{}”")))
    if said:
        line += ": " + "; ".join(said)
    return line + "."


def _quoted(slots: Mapping[str, Slot], forms: Sequence[tuple[str, str]]) -> list[str]:
    """Each filled slot of ``forms`` (slot name, wording around its quote), in that order, with the
    quote cut at ``QUOTE_CHARS``."""
    return [form.format(slots[name].text[:QUOTE_CHARS]) for name, form in forms if name in slots]
