"""The rule layer: table-driven cue matching that labels a text without any trained model."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from needminer.signals import _cues as C
from needminer.types import NEED_LABELS, SignalLabel

LABELS: tuple[SignalLabel, ...] = (
    SignalLabel.pain,
    SignalLabel.wish,
    SignalLabel.question,
    SignalLabel.praise,
    SignalLabel.noise,
    SignalLabel.other,
)
# Tie-break order when two function families score the same.
_PRIORITY = (SignalLabel.wish, SignalLabel.pain, SignalLabel.question, SignalLabel.praise)

_FAMILY_ROWS = (
    ("pain", C.family_prefilter(C.PAIN), C.compile_family(C.PAIN)),
    ("wish", C.family_prefilter(C.WISH), C.compile_family(C.WISH)),
    ("question", C.family_prefilter(C.QUESTION), C.compile_family(C.QUESTION)),
    ("praise", C.family_prefilter(C.PRAISE), C.compile_family(C.PRAISE)),
)
_AD = C.compile_family(C.AD)
_AD_SELL = next(rx for name, rx, _w in _AD if name == "sell")
_INTENSITY = C.compile_family(C.INTENSITY)
_STRIP = re.compile(
    "|".join([C.MEDIA_PLACEHOLDER, C.BRACKET_EMOTICON, C.KAOMOJI, C.EMOJI, r"[^\w\[\]]", r"_"])
)
_SOCIAL = C.compiled("|".join([C.GREETING, C.THANKS, C.LAUGH]))
_CHITCHAT = re.compile(C.CHITCHAT, re.IGNORECASE)
_EXPLICIT = C.compiled(C.EXPLICIT)
_TOPIC = C.compiled(C.TOPIC)
_NEGATION = re.compile(r"[不没别非难]|不太|不怎么|没那么")
_PLACEHOLDER = re.compile(r"\[[^\[\]]{1,6}\]")
_RED_PACKET = C.compiled(C.RED_PACKET)
_RED_PACKET_MAX = 24  # red-packet chatter is short; a long text about a 抢红包 campaign is about the campaign
_BOT = C.compiled(C.BOT)
_JIELONG = C.compiled(C.JIELONG)
_RECRUIT = C.compiled(C.RECRUIT)
_RECRUIT_CALL = C.compiled(C.RECRUIT_CALL)
_RECRUIT_ROLE = C.compiled(C.RECRUIT_ROLE)
_LINK = re.compile(r"\[链接\]|https?://|www\.", re.IGNORECASE)
_NOTICE_SECTION = re.compile(C.NOTICE_SECTION)
_NOTICE_WORDING = re.compile(C.NOTICE_WORDING, re.IGNORECASE)
_NOTICE_SPEAKER = re.compile(C.NOTICE_SPEAKER)
# @mentions: the text stage's "@成员" / "@某成员" anywhere, others when a space or the end follows them.
_MENTION = re.compile(r"@某?成员(?:-[0-9a-f]+)?|@[^\s@]{1,16}(?=\s|$)")


@dataclass(frozen=True, slots=True)
class RuleResult:
    """What the rule layer saw in one text.

    Attributes:
        label: Rule label.
        scores: Cue weight per label name (pain, wish, question, praise, noise, other).
        cues: Names of the cues that fired, as ``"family.name"``.
        intensity: 0–1 intensity.
        explicit: An explicit request cue fired.
        topical: The product / service / task lexicon matched.
        noise_rule: A hard noise rule fired (ad, sticker-only, @-only, red packet, bot notice,
            greeting, short chit-chat); it overrides the label model.
        confidence: 0–1 confidence of ``label``.
    """

    label: SignalLabel
    scores: dict[str, float]
    cues: tuple[str, ...]
    intensity: float
    explicit: bool
    topical: bool
    noise_rule: bool
    confidence: float

    @property
    def need(self) -> bool:
        """Need-bearing: pain or wish, or a question about a product, service or task."""
        return is_need(self.label, self.topical, self.scores)

    def distribution(self) -> list[float]:
        """A probability over ``LABELS`` derived from cue scores (for blending with a model)."""
        logits = [2.0 * self.scores.get(lab.value, 0.0) for lab in LABELS]
        logits[LABELS.index(SignalLabel.other)] = 1.0 if self.label is SignalLabel.other else 0.3
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        return [e / total for e in exps]


def is_need(label: SignalLabel, topical: bool, scores: dict[str, float]) -> bool:
    """The need rule shared by rules and blended predictions."""
    if label not in NEED_LABELS:
        return False
    if label is SignalLabel.question:
        return topical or scores.get("wish", 0.0) > 0
    return True


def content_of(text: str) -> str:
    """The text without emoticons, emoji, media placeholders, punctuation and spaces."""
    return _STRIP.sub("", text)


def intensity_of(text: str) -> tuple[float, list[str]]:
    """Intensity 0–1 from exclamations, intensifiers, repetition and crying/angry emoji."""
    total = 0.0
    fired: list[str] = []
    for name, rx, weight in _INTENSITY:
        n = len(rx.findall(text))
        if n:
            total += weight * min(n, 3)
            fired.append(f"intensity.{name}")
    return round(1.0 - math.exp(-0.45 * total), 4), fired


def _family_scores(text: str) -> tuple[dict[str, float], list[str]]:
    scores = {"pain": 0.0, "wish": 0.0, "question": 0.0, "praise": 0.0}
    fired: list[str] = []
    for family, prefilter, rows in _FAMILY_ROWS:
        if prefilter.search(text) is None:  # most texts fire one or two families only
            continue
        s = 0.0
        for name, rx, weight in rows:
            if family == "praise":
                # "不好用" / "不太满意" must not count as praise.
                for m in rx.finditer(text):
                    if not _NEGATION.search(text[max(0, m.start() - 2) : m.start()]):
                        break
                else:
                    continue
            elif rx.search(text) is None:
                continue
            s += weight
            fired.append(f"{family}.{name}")
        scores[family] = s
    # A praise word inside a request or question ("有没有好用的…？") is not praise.
    if scores["praise"] and (scores["question"] >= 1.0 or scores["wish"] > 0):
        scores["praise"] *= 0.4
    return scores, fired


def _noise_rule(text: str, content: str, scores: dict[str, float]) -> tuple[str | None, list[str]]:
    """Return the hard-noise reason (or None) and the ad cues that fired."""
    if not content or not _PLACEHOLDER.sub("", content):
        return "sticker_only", []
    if "@" in text and not _PLACEHOLDER.sub("", content_of(_MENTION.sub(" ", text))):
        return "mention_only", []
    if len(content) <= _RED_PACKET_MAX and _RED_PACKET.search(text) and max(scores["pain"], scores["wish"]) < 1.0:
        return "red_packet", []
    if _BOT.search(text) and max(scores["pain"], scores["wish"], scores["question"]) < 1.0:
        return "bot", []
    ad_hits = [name for name, rx, _w in _AD if rx.search(text)]
    if ad_hits:
        contact_push = "contact" in ad_hits and len(ad_hits) >= 2
        many = len(ad_hits) >= 2 or len(_AD_SELL.findall(text)) >= 2
        complaint = scores["pain"] >= 1.0 and "sell" not in ad_hits
        if (contact_push or many) and not complaint:
            return "ad", ad_hits
    functional = scores["pain"] + scores["wish"] + scores["question"]
    if _CHITCHAT.match(content):
        return "chitchat", ad_hits
    residue = _SOCIAL.sub("", content)
    if len(residue) < 3 and residue != content and functional < 1.0:
        return "social", ad_hits
    if len(content) < 4 and functional + scores["praise"] == 0:
        return "short", ad_hits
    return None, ad_hits


def message_noise(text: str) -> str | None:
    """Why a whole message is noise whatever its clauses say, or None: a recruitment or event
    announcement (内推 adverts, 宣讲会 notices), a pasted notice or list of instructions, a 接龙
    chain, a bot / welcome / group-rule notice, or red-packet chatter. Applied to every fragment of the message (``Detector.detect``), since
    the clauses of a long advert ("公司提供免费三餐") do not say on their own that they are one.

    Most messages hold no trigger of any of these; they are passed over before the cue families
    (the costly part) are scored."""
    if not _may_be_message_noise(text):
        return None
    scores, _ = _family_scores(text)
    asks = scores["question"] >= 1.0 or scores["wish"] >= 1.0
    recruit = len({m.group(0) for m in _RECRUIT.finditer(text)})
    if recruit >= 3 or (recruit >= 2 or (recruit and _LINK.search(text))) and not asks:
        return "recruit"
    if _job_advert(text, asks, scores["pain"]):
        return "recruit"
    if _notice(text, asks, scores["pain"]):
        return "notice"
    if _JIELONG.search(text) and not asks and scores["pain"] < 1.0:
        return "jielong"
    if _BOT.search(text) and not asks and scores["pain"] < 1.0:
        return "bot"
    if len(content_of(text)) <= _RED_PACKET_MAX and _RED_PACKET.search(text) and max(scores["pain"], scores["wish"]) < 1.0:
        return "red_packet"
    return None


def _may_be_message_noise(text: str) -> bool:
    """Whether any rule of ``message_noise`` could fire: each one needs its own trigger first."""
    return bool(
        _RECRUIT.search(text) or _RECRUIT_CALL.search(text) or _JIELONG.search(text) or _BOT.search(text)
        or _RED_PACKET.search(text) or len(_NOTICE_SECTION.findall(text)) >= 2
        or len({m.group(0) for m in _RECRUIT_ROLE.finditer(text)}) >= 4
    )


def _notice(text: str, asks: bool, pain: float) -> bool:
    """A pasted notice or list of instructions (see ``_cues.NOTICE_SECTION``): two or more numbered
    sections, at least ``NOTICE_MIN_CHARS`` characters, a notice's wording, and no one asking,
    complaining or speaking for themselves."""
    if asks or pain >= 1.0 or len(re.sub(r"\s", "", text)) < C.NOTICE_MIN_CHARS:
        return False
    return (len(_NOTICE_SECTION.findall(text)) >= 2 and _NOTICE_WORDING.search(text) is not None
            and _NOTICE_SPEAKER.search(text) is None)


def _job_advert(text: str, asks: bool, pain: float) -> bool:
    """A hiring call with a role (see ``_cues.RECRUIT_ROLE``); a complaint about hiring is not one.
    Measured on the hand-labelled real QQ group: 16 more adverts caught, none of them a need; on our
    5,198 training lines one more, a noise line."""
    if pain >= 1.0:
        return False
    calls = len({m.group(0) for m in _RECRUIT_CALL.finditer(text)})
    roles = len({m.group(0) for m in _RECRUIT_ROLE.finditer(text)})
    return (calls >= 1 and roles >= 1 and not asks) or (calls >= 1 and roles >= 2) or roles >= 4


def score_text(text: str) -> RuleResult:
    """Label one text with the cue tables.

    Args:
        text: A fragment or message text (normalised, simplified Chinese).

    Returns:
        The ``RuleResult`` with label, per-label scores, cues, intensity and flags.
    """
    content = content_of(text)
    scores, fired = _family_scores(text)
    intensity, int_fired = intensity_of(text)
    reason, ad_hits = _noise_rule(text, content, scores)
    explicit = bool(_EXPLICIT.search(text))
    topical = bool(_TOPIC.search(text))
    cues = fired + [f"ad.{h}" for h in ad_hits] + int_fired
    if reason is not None:
        scores["noise"] = 3.0
        return RuleResult(SignalLabel.noise, scores, tuple(cues + [f"noise.{reason}"]),
                          intensity, False, topical, True, 0.95 if reason in {"ad", "sticker_only"} else 0.85)
    scores["noise"] = 0.0
    best = max(_PRIORITY, key=lambda lab: (scores[lab.value], -_PRIORITY.index(lab)))
    s1 = scores[best.value]
    if s1 == 0:
        scores["other"] = 1.0
        return RuleResult(SignalLabel.other, scores, tuple(cues), intensity, explicit, topical, False, 0.5)
    s2 = max(scores[lab.value] for lab in _PRIORITY if lab is not best)
    confidence = min(0.95, 0.5 + 0.12 * s1 + 0.1 * (s1 - s2))
    return RuleResult(best, scores, tuple(cues), intensity, explicit and best is not SignalLabel.praise,
                      topical, False, round(confidence, 4))


def need_likeness(text: str) -> float:
    """A cheap 0+ score of how need-like a text is (used to pick an endorsement target)."""
    scores, _ = _family_scores(text)
    return scores["pain"] + scores["wish"] + 0.8 * scores["question"] + 0.1 * min(len(text), 40) / 40


# Token cues that say something is wrong (不太方便, 有点贵, 就是…一般, 不如上一代, 还是不行, 等了三天,
# 说好…结果); a bare "就是" (contrast) says nothing is.
COMPLAINT_TOKEN_CUES = frozenset({"neg_pos", "degree_neg", "hedge", "worse", "still_not", "waited", "expect_gap"})


def says_wrong(text: str) -> bool:
    """Whether ``text`` says something is wrong in the words of a complaint token cue (the pain
    families of ``score_text`` aside)."""
    return any(rx.search(text) for name, rx in C.compiled_token_cues() if name in COMPLAINT_TOKEN_CUES)

