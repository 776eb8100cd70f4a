"""The typed hand-offs between pipeline stages.

Every stage takes and returns these frozen dataclasses (see ARCHITECTURE.md):

    ingest → Message (+ IngestLedger) → store → text: CleanMessage → conversation: Conversation
    (Thread, Fragment, Endorsement) → signals: Signal → embed: Embedded → discover: Discovery
    (NeedCluster) → describe: NeedStatement → rank: RankedNeed → report: ReportFiles

Invariants are checked in ``__post_init__`` so a broken stage fails where it breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np


class MessageKind(str, Enum):
    """What a chat record is. Only ``text`` is mined; the rest is kept as context."""

    text = "text"
    media = "media"  # image, sticker, voice, video, file placeholders
    system = "system"  # joins, pats, group notices, calls
    recalled = "recalled"  # "撤回了一条消息", "This message was deleted"
    red_packet = "red_packet"  # 红包 / 转账
    other = "other"


@dataclass(frozen=True, slots=True)
class Message:
    """One chat record as read from an export.

    Attributes:
        id: Stable message id: the export's native id when present, else a hash of
            (chat, sender, time, text, ordinal).
        chat: Conversation name or id (group name, channel, file stem).
        sender: Stable sender key (QQ number, wxid, from_id …; else the display name).
        text: Message body with any appended quote removed (see ``quote``).
        time: Aware UTC time, or None when the export has none.
        sender_name: Display name, kept only to build pseudonyms; never shown in reports.
        kind: What the record is; only ``MessageKind.text`` is mined.
        reply_to: Id of the message this one answers, when the export says so.
        quote: Quoted text that the export appended to the body, split off so it is not mined twice.
        source: Registry name of the reader that produced the message.
        ordinal: Position of the record in its input file (0-based), for stable ordering.
    """

    id: str
    chat: str
    sender: str
    text: str
    time: datetime | None = None
    sender_name: str = ""
    kind: MessageKind = MessageKind.text
    reply_to: str | None = None
    quote: str | None = None
    source: str = ""
    ordinal: int = 0

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("Message.id must be a non-empty string")
        if self.time is not None and self.time.tzinfo is None:
            raise ValueError(f"Message {self.id}: time must be timezone-aware (got a naive datetime)")


@dataclass(slots=True)
class IngestLedger:
    """Accounting for one input: every record is a message or a skip with a reason.

    ``records == messages + sum(skipped.values())`` always holds.
    """

    path: str
    format: str = ""
    records: int = 0
    messages: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    def skip(self, reason: str, n: int = 1) -> None:
        """Count ``n`` records skipped for ``reason``."""
        self.records += n
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def parsed(self, n: int = 1) -> None:
        """Count ``n`` records that became messages."""
        self.records += n
        self.messages += n

    @property
    def balanced(self) -> bool:
        return self.records == self.messages + sum(self.skipped.values())

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "records": self.records,
            "messages": self.messages,
            "skipped": dict(sorted(self.skipped.items())),
            **({"error": self.error} if self.error else {}),
        }


@dataclass(frozen=True, slots=True)
class CleanMessage:
    """A message after the text stage: normalised, personal data redacted, speaker pseudonymised.

    Attributes:
        id: The ``Message.id`` it came from.
        chat: Chat name (redacted).
        speaker: Keyed pseudonym of the sender (e.g. ``"成员-3fa2"``), never the real name.
        text: Normalised, redacted text (what is mined and shown in reports).
        time: Aware UTC time or None.
        kind: Message kind.
        reply_to: Reply target id.
        quote: Redacted quoted text, if any.
        mentions: Pseudonyms of @-mentioned members (when they could be resolved).
    """

    id: str
    chat: str
    speaker: str
    text: str
    time: datetime | None = None
    kind: MessageKind = MessageKind.text
    reply_to: str | None = None
    quote: str | None = None
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Thread:
    """Messages of one chat joined by time gaps and reply/quote/@ links."""

    id: str
    chat: str
    message_ids: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.message_ids:
            raise ValueError(f"Thread {self.id} has no messages")


@dataclass(frozen=True, slots=True)
class Fragment:
    """A clause-level piece of one message, the unit that is classified and clustered.

    Attributes:
        id: ``"{message_id}#{n}"``.
        message_id: Message the fragment comes from.
        chat: Chat name.
        speaker: Pseudonym of the speaker.
        text: The clause text (normalised, redacted).
        span: (start, end) character offsets of ``text`` in ``CleanMessage.text``.
        thread_id: Thread the message belongs to.
        time: Message time.
        context: Short text of the thread around it (for embedding with context), may be empty.
    """

    id: str
    message_id: str
    chat: str
    speaker: str
    text: str
    span: tuple[int, int]
    thread_id: str = ""
    time: datetime | None = None
    context: str = ""

    def __post_init__(self) -> None:
        start, end = self.span
        if not (0 <= start <= end):
            raise ValueError(f"Fragment {self.id}: bad span {self.span}")


@dataclass(frozen=True, slots=True)
class Endorsement:
    """A "+1 / 同求 / 我也是" message counted as a vote for a fragment, not a new document."""

    message_id: str
    fragment_id: str
    speaker: str
    time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    """Output of the conversation stage."""

    threads: tuple[Thread, ...]
    fragments: tuple[Fragment, ...]
    endorsements: tuple[Endorsement, ...] = ()
    duplicates: dict[str, str] = field(default_factory=dict)  # duplicate message id → kept id
    # the per-chat layouts (``needminer.conversation.ChatLayout``) the threads were cut from, and the
    # session gap they were cut with: the health figures read them instead of laying the chats out again
    layouts: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    layout_gap_minutes: float | None = field(default=None, compare=False, repr=False)


class SignalLabel(str, Enum):
    """What a fragment does."""

    pain = "pain"
    wish = "wish"
    question = "question"
    praise = "praise"
    noise = "noise"
    other = "other"


NEED_LABELS = frozenset({SignalLabel.pain, SignalLabel.wish, SignalLabel.question})


@dataclass(frozen=True, slots=True)
class Signal:
    """The need signal of one fragment.

    Attributes:
        fragment_id: Fragment classified.
        label: Its function (pain, wish, question, praise, noise, other).
        need: True when it carries a need (pain, wish or question about a product or service).
        intensity: 0–1, how strongly it is felt (exclamations, 太/总是, 😭 …).
        explicit: True for an explicit request ("希望…", "求…"), False for an implied one.
        confidence: 0–1 confidence of the label.
        cues: Names of the rule cues that fired (for explanations).
        need_score: 0–1 probability behind ``need`` when a model gave one (the need model's
            P(need), else the label model's mass on pain / wish / question); None for rules alone.
    """

    fragment_id: str
    label: SignalLabel
    need: bool
    intensity: float = 0.0
    explicit: bool = False
    confidence: float = 1.0
    cues: tuple[str, ...] = ()
    need_score: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.intensity <= 1.0:
            raise ValueError(f"Signal {self.fragment_id}: intensity {self.intensity} not in [0, 1]")
        if self.need_score is not None and not 0.0 <= self.need_score <= 1.0:
            raise ValueError(f"Signal {self.fragment_id}: need_score {self.need_score} not in [0, 1]")


@dataclass(frozen=True, slots=True)
class Embedded:
    """Vectors for a list of ids: L2-normalised float32 of shape (len(ids), d)."""

    ids: tuple[str, ...]
    vectors: np.ndarray
    model_id: str = ""

    def __post_init__(self) -> None:
        v = self.vectors
        if not isinstance(v, np.ndarray) or v.ndim != 2 or v.shape[0] != len(self.ids):
            shape = getattr(v, "shape", None)
            raise ValueError(f"Embedded: vectors must have shape ({len(self.ids)}, d); got {shape}")
        if v.dtype != np.float32:
            raise ValueError(f"Embedded: vectors must be float32; got {v.dtype}")


@dataclass(frozen=True, slots=True)
class NeedCluster:
    """A group of fragments that express one latent need.

    Attributes:
        id: Stable need id (``"N" + 6 hex``), kept across runs on a growing export.
        fragment_ids: Member fragments, most central first.
        domain: Name of the coarser domain the need belongs to (hierarchy domain → need), made of its
            most distinctive keywords, e.g. "粉底液·面霜"; "其他" for a scattered group (see
            ``needminer.discover.MIXED_FOCUS``); may be empty.
        keywords: Top keywords (c-TF-IDF).
        confidence: Per-member assignment confidence (same order as ``fragment_ids``).
        reassigned: Members that were outliers and were reassigned to this need.
        label: Name of the known need it matched in guided mode ("" otherwise).
        scattered: A scattered group (零散需求): fragments that fit no need, kept together so their
            evidence stays reachable; it is not a need (it counts as unassigned in evaluation and
            never outranks a focused need).
    """

    id: str
    fragment_ids: tuple[str, ...]
    domain: str = ""
    keywords: tuple[str, ...] = ()
    confidence: tuple[float, ...] = ()
    reassigned: tuple[str, ...] = ()
    label: str = ""
    scattered: bool = False

    def __post_init__(self) -> None:
        if not self.fragment_ids:
            raise ValueError(f"NeedCluster {self.id} has no fragments")
        if self.confidence and len(self.confidence) != len(self.fragment_ids):
            raise ValueError(f"NeedCluster {self.id}: confidence length differs from members")


@dataclass(frozen=True, slots=True)
class Discovery:
    """Output of the discover stage."""

    clusters: tuple[NeedCluster, ...]
    unassigned: tuple[str, ...] = ()  # fragment ids left out (shown as "unclustered")
    coverage: float = 1.0
    params: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Slot:
    """One slot of a need statement, citing the fragments it was taken from."""

    text: str
    fragment_ids: tuple[str, ...] = ()


SLOT_NAMES = ("persona", "scene", "task", "pain", "expectation", "question")  # 人群 场景 任务 痛点 期望 常问


@dataclass(frozen=True, slots=True)
class NeedStatement:
    """A need said the way a PM would: title, one-line statement and cited slots."""

    need_id: str
    title: str
    statement: str
    slots: dict[str, Slot] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()
    quote_fragment_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.slots) - set(SLOT_NAMES)
        if unknown:
            raise ValueError(f"NeedStatement {self.need_id}: unknown slots {sorted(unknown)}")


@dataclass(frozen=True, slots=True)
class Evidence:
    """One quote behind a need, resolvable to an input message."""

    message_id: str
    chat: str
    speaker: str
    time: datetime | None
    text: str
    span: tuple[int, int] = (0, 0)
    fragment_id: str = ""


@dataclass(frozen=True, slots=True)
class RankedNeed:
    """A need with its score, the per-factor breakdown and all the evidence behind it."""

    rank: int
    statement: NeedStatement
    score: float
    factors: dict[str, float]
    speakers: tuple[str, ...]
    chats: tuple[str, ...]
    message_ids: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    fragment_ids: tuple[str, ...] = ()
    endorsements: int = 0
    emerging: bool = False
    trend: tuple[int, ...] = ()  # fragments per period, oldest first; the last entry is the newest period
    domain: str = ""
    signal_mix: dict[str, int] = field(default_factory=dict)  # signal label → number of member fragments
    period_days: int = 7  # length of one trend period
    # Why this cluster is not listed among the needs ("" when it is): "few_people" (fewer than
    # ``rank.min_people`` voiced or endorsed it), "chatter" (its fragments are mostly not needs) or
    # "scattered" (the 零散需求 group of fragments no need took). Such clusters are ranked after
    # every listed need.
    below_bar: str = ""

    @property
    def id(self) -> str:
        return self.statement.need_id

    def __post_init__(self) -> None:
        if not self.message_ids:
            raise ValueError(f"RankedNeed {self.statement.need_id} has no supporting messages")


BELOW_BAR = ("few_people", "chatter", "scattered")  # why a ranked cluster is not listed among the needs (RankedNeed.below_bar)


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """Paths of the files a run wrote."""

    out_dir: Path
    html: Path
    needs_json: Path
    briefs_md: Path
    manifest: Path
    extra: tuple[Path, ...] = ()
