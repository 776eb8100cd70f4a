"""Building blocks shared by every reader: input files, the per-file read context, the base class.

Accounting rule (the same for every format): each *record* of an export is either yielded as a
``Message`` or counted in ``ledger.skipped[reason]``. Media placeholders, system notices, recalls
and red packets ARE messages (with the matching ``MessageKind``; kept as context, never mined).
Only records that carry nothing (``empty``), cannot be parsed (``unparseable``, ``bad_time``,
``missing_field``) or are export furniture (``header``) are skips.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import dataclasses
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import BinaryIO, ClassVar

from needminer.ingest._encoding import HEAD_BYTES
from needminer.ingest._time import LocalTime
from needminer.types import IngestLedger, Message, MessageKind


@dataclass(frozen=True)
class SourceFile:
    """One readable file: a path on disk or a member of a zip archive.

    Attributes:
        display: Name shown in ledgers and errors (``path`` or ``archive.zip!member``).
        name: Base file name.
        opener: Returns a fresh binary stream of the content.
        members: For a container source (a Slack export), relative path → member file.
    """

    display: str
    name: str
    opener: Callable[[], BinaryIO]
    members: dict[str, SourceFile] = field(default_factory=dict, compare=False)

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0] if "." in self.name.strip(".") else self.name

    @property
    def suffix(self) -> str:
        return "." + self.name.rsplit(".", 1)[1].lower() if "." in self.name.strip(".") else ""

    def open(self) -> BinaryIO:
        return self.opener()

    def read_bytes(self) -> bytes:
        with self.open() as fh:
            return fh.read()

    def head(self, n: int = HEAD_BYTES) -> bytes:
        with self.open() as fh:
            return fh.read(n)


def disk_file(path: str, display: str | None = None) -> SourceFile:
    """A ``SourceFile`` for a file on disk."""
    import os

    return SourceFile(display or path, os.path.basename(path), lambda: open(path, "rb"))


class _ZipMember(io.RawIOBase):
    """A zip member stream that also closes its archive."""

    def __init__(self, archive: str, member: str) -> None:
        self._zf = zipfile.ZipFile(archive)
        self._fh = self._zf.open(member)

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self._fh.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._fh.close()
        self._zf.close()
        super().close()


def zip_member(archive: str, member: str, display_name: str) -> SourceFile:
    """A ``SourceFile`` for ``member`` inside the zip file ``archive``."""
    base = display_name.rstrip("/").rsplit("/", 1)[-1]
    return SourceFile(
        f"{archive}!{display_name}", base, lambda: io.BufferedReader(_ZipMember(archive, member), 1 << 16)
    )


def short_hash(*parts: object) -> str:
    """First 16 hex digits of the SHA-1 of the parts joined by U+001F."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class ReadContext:
    """Per-file state a reader uses to build messages and keep the ledger balanced.

    Args:
        src: The file being read.
        ledger: Its ledger (filled in as records are seen).
        tz: Zone of naive local times.
        mapping: Generic-format column mapping (logical field → column name).
        source: Registry name of the reader.
    """

    def __init__(self, src: SourceFile, ledger: IngestLedger, tz: str, mapping: dict[str, str], source: str) -> None:
        self.src = src
        self.ledger = ledger
        self.local = LocalTime(tz)
        self.mapping = dict(mapping)
        self.source = source
        self.chat = src.stem
        self._dups: dict[str, int] = {}
        self._dup_time: datetime | None = None
        self._dup_iso = ""

    def skip(self, reason: str, n: int = 1) -> None:
        """Count ``n`` records skipped for ``reason``."""
        self.ledger.skip(reason, n)

    def _hash_id(self, chat: str, sender: str, time: datetime | None, text: str) -> str:
        # The ordinal in the hash is the occurrence index among *identical* records (same chat,
        # sender, time, text), not the file position, so an overlapping export re-ingested later
        # yields the same ids. Identical records can only collide within one timestamp, so the
        # counter table is reset whenever the time changes (bounded memory on huge files).
        # Same value as ``short_hash(chat, sender, time.isoformat(), text)``, with the ISO text
        # computed once per distinct time.
        if time is None:
            iso = ""
        elif time == self._dup_time:
            iso = self._dup_iso
        else:
            self._dups.clear()
            self._dup_time = time
            iso = self._dup_iso = time.isoformat()
        key = _sha1(_JOIN((chat, sender, iso, text)).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        dups = self._dups
        n = dups.get(key, 0)
        dups[key] = n + 1
        return key if n == 0 else short_hash(key, n)

    def message(
        self,
        *,
        sender: str,
        text: str,
        time: datetime | None,
        chat: str | None = None,
        sender_name: str = "",
        kind: MessageKind = MessageKind.text,
        native_id: str | None = None,
        reply_to: str | None = None,
        quote: str | None = None,
    ) -> Message:
        """Build the next message (counting it as parsed) with a stable id."""
        if chat is None:
            chat = self.chat
        ledger = self.ledger
        ordinal = ledger.records
        mid = native_id or self._hash_id(chat, sender, time, text)
        ledger.records = ordinal + 1
        ledger.messages += 1
        return new_message(mid, chat, sender, text, time, sender_name, kind, reply_to, quote or None, self.source,
                           ordinal)

    def line_message(
        self, chat: str, sender: str, sender_name: str, text: str, time: datetime, kind: MessageKind,
        quote: str | None = None, iso: str | None = None,
    ) -> Message:
        """``message(chat=, sender=, sender_name=, text=, time=, kind=, quote=)`` for the hot loops of
        line readers: an aware ``time`` (its ISO text may be given as ``iso``), no native id or reply."""
        if time is not self._dup_time and time != self._dup_time:
            self._dups.clear()
            self._dup_time = time
            self._dup_iso = time.isoformat() if iso is None else iso
        # ``_hash_id``, inlined
        mid = _sha1(f"{chat}\x1f{sender}\x1f{self._dup_iso}\x1f{text}".encode("utf-8", "surrogatepass")).hexdigest()[:16]
        dups = self._dups
        k = dups.get(mid)
        if k is None:
            dups[mid] = 1
        else:
            dups[mid] = k + 1
            mid = short_hash(mid, k)
        ledger = self.ledger
        ordinal = ledger.records
        ledger.records = ordinal + 1
        ledger.messages += 1
        if MessageTwin is None:
            return new_message(mid, chat, sender, text, time, sender_name, kind, None, quote, self.source, ordinal)
        msg = MessageTwin()  # new_message(...) inlined (the id is non-empty, the time aware)
        msg.id = mid
        msg.chat = chat
        msg.sender = sender
        msg.text = text
        msg.time = time
        msg.sender_name = sender_name
        msg.kind = kind
        msg.reply_to = None
        msg.quote = quote
        msg.source = self.source
        msg.ordinal = ordinal
        msg.__class__ = Message
        return msg


_sha1 = hashlib.sha1
_JOIN = "\x1f".join
_FIELDS = ("id", "chat", "sender", "text", "time", "sender_name", "kind", "reply_to", "quote", "source", "ordinal")


def _twin_class() -> type | None:
    """A plain slotted class with ``Message``'s exact layout, or None when there is none.

    Filling a twin instance with ordinary attribute stores and then re-typing it as ``Message``
    (``obj.__class__ = Message``) is about five times as fast as the frozen dataclass ``__init__``.
    Python itself refuses that assignment (TypeError) unless both layouts are identical, and the
    result is checked against the dataclass constructor here, once.
    """
    if (tuple(f.name for f in dataclasses.fields(Message)) != _FIELDS
            or tuple(getattr(Message, "__slots__", ())) != _FIELDS or Message.__bases__ != (object,)):
        return None

    class MessageTwin:
        __slots__ = _FIELDS

    args = ("i", "c", "s", "t", datetime(2024, 1, 1, tzinfo=timezone.utc), "n", MessageKind.media, "r", "q", "x", 7)
    try:
        probe = MessageTwin()
        for name, value in zip(_FIELDS, args):
            setattr(probe, name, value)
        probe.__class__ = Message
    except TypeError:
        return None
    ref = Message(*args)
    if type(probe) is not Message or probe != ref or hash(probe) != hash(ref) or repr(probe) != repr(ref):
        return None
    return MessageTwin


MessageTwin: type | None = _twin_class()


def _slot_builder() -> Callable[..., Message] | None:
    """``Message(...)`` (positional, all fields) through ``MessageTwin``; None without a twin."""
    if MessageTwin is None:
        return None

    def build(mid, chat, sender, text, time, sender_name, kind, reply_to, quote, source, ordinal,
              _Twin=MessageTwin, _Message=Message) -> Message:
        # The checks of Message.__post_init__, inlined.
        if not mid:
            raise ValueError("Message.id must be a non-empty string")
        if time is not None and time.tzinfo is None:
            raise ValueError(f"Message {mid}: time must be timezone-aware (got a naive datetime)")
        m = _Twin()
        m.id = mid
        m.chat = chat
        m.sender = sender
        m.text = text
        m.time = time
        m.sender_name = sender_name
        m.kind = kind
        m.reply_to = reply_to
        m.quote = quote
        m.source = source
        m.ordinal = ordinal
        m.__class__ = _Message
        return m

    return build


new_message: Callable[..., Message] = _slot_builder() or Message


class Reader(ABC):
    """Base class of format readers; one registered instance per format.

    Subclasses set ``name``, ``description`` and ``patterns`` and implement ``sniff`` and
    ``read``. ``read`` yields messages and counts skips through ``ctx``; it raises
    ``IngestError`` (naming line/field, never chat text) when the file is not of its format.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    patterns: ClassVar[tuple[str, ...]] = ()
    container: ClassVar[bool] = False  # reads a whole folder/zip as one source (Slack)

    def sniff(self, probe: Probe) -> float:
        """Return a confidence in [0, 1] that ``probe`` is in this format (0 = no)."""
        return 0.0

    @abstractmethod
    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        """Yield the messages of ``src``, counting skips through ``ctx``."""


@dataclass
class Probe:
    """What sniffers look at: the file name and its decoded head.

    Attributes:
        name: File name (lower-cased).
        suffix: Extension with dot, lower-cased.
        text: Decoded head of the file with BOM/LRM removed ("" when undecodable).
        lines: First lines of ``text`` (without line endings, blank lines kept).
        crlf: True when the head uses CRLF line endings.
    """

    name: str
    suffix: str
    text: str
    lines: list[str]
    crlf: bool = False

    def first_nonblank(self, n: int = 1) -> list[str]:
        return [ln for ln in self.lines if ln.strip()][:n]


def register(*aliases: str):
    """Class decorator: register one instance of a ``Reader`` subclass under its ``name``."""
    from needminer.registry import ingesters

    def deco(cls: type[Reader]) -> type[Reader]:
        ingesters.register(cls.name, aliases=aliases)(cls())
        return cls

    return deco
