"""Public ingest API: expand inputs into sources, stream messages, fill a workspace."""

from __future__ import annotations

import dataclasses
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from needminer.errors import IngestError, InputError, LimitError, NeedMinerError
from needminer.ingest._base import ReadContext, SourceFile
from needminer.ingest._detect import detect, expand_one, reader_for
from needminer.ingest._limits import DEFAULT_LIMITS, IngestLimits
from needminer.ingest._time import get_zone
from needminer.registry import ingesters
from needminer.types import IngestLedger, Message

if TYPE_CHECKING:
    from needminer.store import Workspace

_ID_BATCH = 10_000


class Source:
    """One input file (a folder or zip expands into many; a Slack export is one).

    Attributes:
        path: Display path (``archive.zip!member`` for zip members).
        format: Registry name of the reader ("" when detection failed).
        ledger: Record accounting; complete once ``messages()`` is exhausted.
    """

    def __init__(self, src: SourceFile | None, path: str, fmt: str, *, tz: str,
                 mapping: dict[str, str] | None = None, error: str | None = None,
                 max_chars: int = DEFAULT_LIMITS.max_message_chars) -> None:
        self._src = src
        self.path = path
        self.format = fmt
        self.ledger = IngestLedger(path=path, format=fmt, error=error)
        self.truncated = 0  # messages whose text or quote was cut to ``max_chars``
        self._tz = tz
        self._mapping = dict(mapping or {})
        self._max_chars = max_chars
        self._done = False

    def __repr__(self) -> str:
        return f"Source(path={self.path!r}, format={self.format!r})"

    def messages(self) -> Iterator[Message]:
        """Stream the messages of this input.

        Never raises for bad content: the reason goes to ``ledger.error`` and iteration stops
        (messages yielded before the failure stay valid and counted). Can be iterated once.
        """
        if self._done or self.ledger.error or self._src is None:
            return
        self._done = True
        ledger = self.ledger
        try:
            reader = reader_for(self.format)
            ctx = ReadContext(self._src, ledger, self._tz, self._mapping, reader.name)
            cap = self._max_chars
            for m in reader.read(self._src, ctx):
                if len(m.text) > cap or (m.quote is not None and len(m.quote) > cap):
                    # one huge message must not cost gigabytes downstream; the id keeps the full text's hash
                    m = dataclasses.replace(m, text=m.text[:cap], quote=None if m.quote is None else m.quote[:cap])
                    self.truncated += 1
                yield m
        except IngestError as exc:
            ledger.error = str(exc)
        except (OSError, zipfile.BadZipFile, EOFError) as exc:
            ledger.error = (
                f"could not read the file after record {ledger.records} ({type(exc).__name__}); "
                "the file or archive may be truncated or corrupt"
            )
        except Exception as exc:  # noqa: BLE001 - a parser bug must not lose the other inputs
            # The exception text may quote chat content, so only its type is reported.
            ledger.error = (
                f"unexpected {type(exc).__name__} after record {ledger.records} while reading as "
                f"'{self.format}'; the file may be damaged or in another format (try --format)"
            )


def _check_format(fmt: str) -> str:
    if fmt == "auto":
        return fmt
    try:
        return ingesters.resolve(fmt)
    except NeedMinerError as exc:
        raise IngestError(f"{exc} Use 'auto' to detect the format from the content.") from exc


def _missing(paths: Sequence[Path]) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError(
            f"Input path(s) not found: {', '.join(missing)}. Pass existing export files, folders or .zip archives."
        )


def iter_sources(
    paths: Sequence[str | Path],
    *,
    format: str = "auto",
    tz: str = "Asia/Shanghai",
    mapping: dict[str, str] | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> Iterator[Source]:
    """Expand input paths (files, folders recursively, .zip archives) into sources.

    Args:
        paths: Files, folders or zip archives.
        format: A registry name (or alias) for every file, or ``"auto"`` to sniff each file.
        tz: IANA zone of naive local times in the exports.
        mapping: Generic CSV/JSONL column mapping, logical field → column name.
        limits: Zip size / member limits and the message length cap.

    Yields:
        One ``Source`` per file; files that cannot be detected, zips over a limit and folders
        skipped as symlink loops come with ``ledger.error`` set.

    Raises:
        InputError: When a path does not exist.
        IngestError: When the format name or the zone is unknown.
    """
    fmt = _check_format(format)
    get_zone(tz)
    resolved = [Path(p) for p in paths]
    _missing(resolved)
    for path in resolved:
        notes: list[tuple[str, str]] = []
        try:
            files = list(expand_one(path, limits=limits, notes=notes))
        except IngestError as exc:
            yield Source(None, str(path), "", tz=tz, error=str(exc))
            continue
        except OSError as exc:  # a folder that cannot be listed
            yield Source(None, str(path), "", tz=tz, error=f"cannot read the folder ({type(exc).__name__})")
            continue
        for src in files:
            yield _make_source(src, fmt, tz, mapping, limits.max_message_chars)
        for where, why in notes:
            yield Source(None, where, "", tz=tz, error=why)


def _make_source(src: SourceFile, fmt: str, tz: str, mapping: dict[str, str] | None, max_chars: int) -> Source:
    if fmt != "auto":
        if bool(src.members) != bool(reader_for(fmt).container):
            what = "a Slack export folder/zip" if src.members else "a single file"
            return Source(None, src.display, fmt, tz=tz,
                          error=f"format '{fmt}' cannot read {what}; use --format auto")
        return Source(src, src.display, fmt, tz=tz, mapping=mapping, max_chars=max_chars)
    try:
        name = detect(src)
    except IngestError as exc:
        return Source(None, src.display, "", tz=tz, error=str(exc))
    return Source(src, src.display, name, tz=tz, mapping=mapping, max_chars=max_chars)


def input_files(paths: Sequence[str | Path], *, limits: IngestLimits = DEFAULT_LIMITS) -> list[Path]:
    """The files on disk that reading ``paths`` opens (a zip counts as one file), checked up front.

    Walks folders as ``iter_sources`` does (symlink loops skipped) and applies the zip limits,
    so a run fails here, before any long stage, instead of after it.

    Raises:
        InputError: A path is missing, or a file or folder in it cannot be read (each named).
        LimitError: A zip exceeds ``limits``.
    """
    resolved = [Path(p) for p in paths]
    _missing(resolved)
    out: list[Path] = []
    bad: list[str] = []
    for path in resolved:
        try:
            for src in expand_one(path, limits=limits):
                for f in src.members.values() if src.members else (src,):
                    # a zip member is shown as ``archive.zip!member``: the file on disk is the archive
                    disk = f.display.split("!", 1)[0] if "!" in f.display and not Path(f.display).exists() else f.display
                    out.append(Path(disk))
        except LimitError:
            raise
        except IngestError as exc:
            raise InputError(str(exc)) from exc
        except OSError as exc:
            bad.append(f"{getattr(exc, 'filename', None) or path} ({type(exc).__name__})")
    files = list(dict.fromkeys(p for p in out if p.is_file()))
    for f in files:
        if not os.access(f, os.R_OK):
            bad.append(f"{f} (PermissionError)")
            continue
        try:
            with open(f, "rb") as fh:
                fh.read(1)
        except OSError as exc:
            bad.append(f"{f} ({type(exc).__name__})")
    if bad:
        listed = "; ".join(bad[:10]) + (f"; … and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise InputError(f"Cannot read input: {listed}. Fix the permissions or leave these paths out.")
    return files


def detect_format(path: str | Path) -> str:
    """Return the registry name of the reader for one export file (or a Slack export folder/zip).

    Raises:
        IngestError: When the path is missing, holds several files, or matches no format
            (the message lists the formats tried).
    """
    p = Path(path)
    if not p.exists():
        raise IngestError(f"Input path not found: {p}. Pass an existing export file.")
    files = list(expand_one(p))
    if len(files) != 1:
        raise IngestError(
            f"'{p}' holds {len(files)} files; detect_format works on one file. "
            "Use iter_sources() to detect every file of a folder or zip."
        )
    try:
        return detect(files[0])
    except IngestError as exc:
        raise IngestError(f"{p}: {exc}") from exc


@dataclass
class IngestSummary:
    """What one ingest run read: a ledger per input plus new/duplicate message counts."""

    inputs: list[IngestLedger] = field(default_factory=list)
    new: int = 0
    duplicates: int = 0
    truncated: dict[str, int] = field(default_factory=dict)  # input path -> messages cut to the length cap

    @property
    def messages(self) -> int:
        return sum(led.messages for led in self.inputs)

    def to_dict(self) -> dict:
        """JSON-ready dict: ``{"inputs": [ledger…], "new": n, "duplicates": n, "truncated": n}``
        (an input whose long messages were cut also carries its own ``truncated`` count)."""
        inputs = [
            {**led.to_dict(), "truncated": self.truncated[led.path]} if self.truncated.get(led.path) else led.to_dict()
            for led in self.inputs
        ]
        return {"inputs": inputs, "new": self.new, "duplicates": self.duplicates,
                "truncated": sum(self.truncated.values())}


def _tap(msgs: Iterable[Message], on_ids: Callable[[list[str]], None] | None) -> Iterator[Message]:
    batch: list[str] = []
    for m in msgs:
        if on_ids is not None:
            batch.append(m.id)
            if len(batch) >= _ID_BATCH:
                on_ids(batch)
                batch = []
        yield m
    if on_ids is not None and batch:
        on_ids(batch)


def ingest_to_workspace(
    paths: Sequence[str | Path],
    workspace: Workspace | None,
    *,
    format: str = "auto",
    tz: str = "Asia/Shanghai",
    mapping: dict[str, str] | None = None,
    on_message_ids: Callable[[list[str]], None] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> IngestSummary:
    """Read every input and add its messages to ``workspace`` (deduplicated by id).

    Args:
        paths: Files, folders or zip archives.
        workspace: Target workspace, or None for a dry run (counts and in-memory dedupe only).
        format: Registry name for every file, or ``"auto"``.
        tz: IANA zone of naive local times.
        mapping: Generic CSV/JSONL column mapping.
        on_message_ids: Called with batches of the ids of every message read (new or not).
        progress: Called as ``progress("ingest", files_done, files_total)``.
        limits: Zip size / member limits and the message length cap (longer messages are cut
            and counted in ``summary.truncated``).

    Returns:
        The summary; inputs that failed carry ``error`` in their ledger.

    Raises:
        IngestError: When a path is missing, the format is unknown, or nothing could be read.
    """
    sources = list(iter_sources(paths, format=format, tz=tz, mapping=mapping, limits=limits))
    summary = IngestSummary()
    seen: set[str] = set()
    total = len(sources)
    if progress:
        progress("ingest", 0, total)
    for i, source in enumerate(sources, 1):
        stream = _tap(source.messages(), on_message_ids)
        if workspace is not None:
            new, dup = workspace.add_messages(stream)
        else:
            new = dup = 0
            for m in stream:
                if m.id in seen:
                    dup += 1
                else:
                    seen.add(m.id)
                    new += 1
        summary.new += new
        summary.duplicates += dup
        summary.inputs.append(source.ledger)
        if source.truncated:
            summary.truncated[source.path] = summary.truncated.get(source.path, 0) + source.truncated
        if progress:
            progress("ingest", i, total)
    if summary.messages == 0:
        raise IngestError(_nothing_read(summary.inputs))
    return summary


def _nothing_read(ledgers: list[IngestLedger]) -> str:
    if not ledgers:
        return "Nothing to read: the inputs hold no export files. Pass chat export files, folders or .zip archives."
    lines = []
    for led in ledgers[:20]:
        why = led.error or (f"no messages ({led.records} records, all skipped: {dict(led.skipped)})")
        lines.append(f"  {led.path}: {why}")
    more = f"\n  … and {len(ledgers) - 20} more" if len(ledgers) > 20 else ""
    return "Nothing could be read from the inputs:\n" + "\n".join(lines) + more + (
        "\nCheck the files are chat exports (see `needminer formats`) or pass --format/--map."
    )
