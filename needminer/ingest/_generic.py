"""Generic JSONL and CSV readers: one record per line/row with ``text`` and ``sender``.

Fields (logical name → column, changeable with ``mapping`` / ``--map text=content,…``):
``text`` and ``sender`` are required; ``time`` (ISO 8601 with or without offset, or epoch
seconds/ms as number or numeric string), ``chat`` (default: file stem), ``id``, ``reply_to``,
``sender_name``, ``kind`` (a ``MessageKind`` value) and ``quote`` are optional. When a field is
neither mapped nor present under its own name, a few common aliases are tried (``content``,
``nickname``, ``timestamp`` …; see ``ALIASES``).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from needminer.errors import IngestError
from needminer.ingest._base import Probe, ReadContext, Reader, SourceFile, register
from needminer.ingest._encoding import detect_encoding, iter_lines, text_stream
from needminer.ingest._kinds import classify, split_quote
from needminer.types import Message, MessageKind

FIELDS = ("text", "sender", "time", "chat", "id", "reply_to", "sender_name", "kind", "quote")
ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("content", "message", "msg", "body"),
    "sender": ("sender_id", "user_id", "user", "author", "from", "nickname", "nick"),
    "time": ("timestamp", "datetime", "date", "created_at", "createtime", "ts"),
    "chat": ("chat_name", "chat_id", "conversation", "channel", "room", "group"),
    "id": ("message_id", "msg_id", "msgid"),
    "reply_to": ("reply_to_message_id", "reply_to_id", "in_reply_to"),
    "sender_name": ("display_name", "name"),
    "kind": ("type", "msg_type"),
    "quote": ("quoted_text", "quoted"),
}
_KINDS = {k.value: k for k in MessageKind}


class Columns:
    """Resolves logical fields to the column names of one file (mapping, own name, aliases)."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        unknown = sorted(set(mapping) - set(FIELDS))
        if unknown:
            raise IngestError(
                f"unknown field(s) in the column mapping: {', '.join(unknown)}. "
                f"Expected some of: {', '.join(FIELDS)} (e.g. --map text=content,sender=nick)."
            )
        self.mapping = dict(mapping)
        self._cache: dict[frozenset[str], dict[str, str | None]] = {}

    def resolve(self, keys: Iterator[str] | list[str]) -> dict[str, str | None]:
        keys = list(keys)
        fk = frozenset(keys)
        hit = self._cache.get(fk)
        if hit is not None:
            return hit
        lower = {k.strip().lower(): k for k in keys}
        out: dict[str, str | None] = {}
        taken: set[str] = set()
        for f in FIELDS:
            if f in self.mapping:
                col = self.mapping[f]
                out[f] = col if col in fk else lower.get(col.strip().lower())
                continue
            found = lower.get(f)
            if found is None:
                found = next((lower[a] for a in ALIASES[f] if a in lower and lower[a] not in taken
                              and lower[a] not in self.mapping.values()), None)
            out[f] = found
            if found:
                taken.add(found)
        if len(self._cache) < 64:
            self._cache[fk] = out
        return out

    def expected(self, f: str) -> str:
        return repr(self.mapping[f]) if f in self.mapping else f"'{f}' (or {', '.join(ALIASES[f])})"


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Issues:
    """First occurrence of each problem, to explain a file that yields nothing."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}

    def note(self, reason: str, where: str) -> None:
        self.first.setdefault(reason, where)

    def explain(self, ctx: ReadContext) -> None:
        if ctx.ledger.messages or not self.first:
            return
        raise IngestError("no message could be read: " + "; ".join(self.first.values()))


def build_generic(ctx: ReadContext, row: Mapping[str, Any], cols: dict[str, str | None], columns: Columns,
                  where: str, issues: _Issues) -> Message | None:
    """Turn one generic record into a message, or count a skip and return None."""
    tcol, scol = cols["text"], cols["sender"]
    if tcol is None or scol is None or tcol not in row or scol not in row:
        missing = "text" if tcol is None or tcol not in row else "sender"
        issues.note("missing_field", f"{where}: no field {columns.expected(missing)}; fields seen: "
                    + ", ".join(sorted(map(str, row))[:20]))
        ctx.skip("missing_field")
        return None
    if isinstance(row[tcol], (list, dict)):  # never mine a Python repr of a structure
        issues.note("text_not_string", f"{where}: field {columns.expected('text')} is a JSON {type(row[tcol]).__name__}, "
                    "not a string")
        ctx.skip("text_not_string")
        return None
    text = _s(row[tcol])
    sender = _s(row[scol]).strip()
    time = None
    tval = row.get(cols["time"]) if cols["time"] else None
    if tval not in (None, ""):
        try:
            time = ctx.local.flexible(tval.strip() if isinstance(tval, str) else tval)
        except (ValueError, OverflowError, TypeError):
            issues.note("bad_time", f"{where}: field {columns.expected('time')} is not ISO 8601 or epoch s/ms")
            ctx.skip("bad_time")
            return None
    kval = _s(row.get(cols["kind"])).strip().lower() if cols["kind"] else ""
    kind = _KINDS.get(kval, MessageKind.other) if kval else classify(text)
    if not text.strip() and kind is MessageKind.text:
        ctx.skip("empty")
        return None
    if not sender:
        issues.note("missing_field", f"{where}: field {columns.expected('sender')} is empty")
        ctx.skip("missing_field")
        return None
    quote = _s(row.get(cols["quote"])) if cols["quote"] else ""
    if kind is MessageKind.text and not quote:
        text, quote = split_quote(text)
    chat = _s(row.get(cols["chat"])).strip() if cols["chat"] else ""
    chat = chat or ctx.chat
    nid = _s(row.get(cols["id"])).strip() if cols["id"] else ""
    rid = _s(row.get(cols["reply_to"])).strip() if cols["reply_to"] else ""
    return ctx.message(
        chat=chat, sender=sender, text=text, time=time, kind=kind,
        sender_name=_s(row.get(cols["sender_name"])).strip() if cols["sender_name"] else "",
        native_id=nid or None, reply_to=rid or None,
        quote=quote or None,
    )


def _first_json_object(probe: Probe) -> dict | None:
    for line in probe.first_nonblank(3):
        s = line.strip()
        if s.startswith("#"):
            continue
        try:
            obj = json.loads(s)
        except ValueError:
            return None
        return obj if isinstance(obj, dict) else None
    return None


_KEY = re.compile(r'"([^"\\]{1,40})"\s*:')


def _cut_object_keys(probe: Probe) -> dict | None:
    """The keys of a first JSON object too long for the probe (one 50 MB message): the head is one
    line that opens an object and ends unfinished; its keys so far stand for the object's."""
    lines = probe.first_nonblank(2)
    if len(lines) != 1 or not lines[0].lstrip().startswith("{"):
        return None
    keys = _KEY.findall(lines[0][:4096])
    return dict.fromkeys(keys) if keys else None


@register("jsonl", "generic.jsonl")
class GenericJsonlReader(Reader):
    """One JSON object per line with ``text`` and ``sender`` (see module docstring)."""

    name = "generic.jsonl.v1"
    description = "Generic JSON Lines: one object per line with text, sender [, time, chat, id, reply_to …]"
    patterns = ("*.jsonl", "*.ndjson")

    def sniff(self, probe: Probe) -> float:
        obj = _first_json_object(probe) or _cut_object_keys(probe)
        if obj is None:
            return 0.0
        cols = Columns({}).resolve(list(obj))
        if cols["text"] and cols["sender"]:
            return 0.5
        return 0.2 if probe.suffix in (".jsonl", ".ndjson") else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        columns = Columns(ctx.mapping)
        issues = _Issues()
        bad_lines = 0
        enc = detect_encoding(src.head())
        with src.open() as raw:
            for n, line in enumerate(iter_lines(text_stream(raw, enc)), 1):
                s = line.strip()
                if not s or s.startswith("#"):
                    continue
                try:
                    row = json.loads(s)
                except ValueError:
                    row = None
                if not isinstance(row, dict):
                    issues.note("unparseable", f"line {n}: not a JSON object")
                    ctx.skip("unparseable")
                    bad_lines += 1
                    continue
                msg = build_generic(ctx, row, columns.resolve(row), columns, f"line {n}", issues)
                if msg is not None:
                    yield msg
        issues.explain(ctx)
        if bad_lines:
            # a JSONL file we are asked to trust has a broken line: say so loudly (the rest was still read)
            raise IngestError(
                f"{bad_lines} line(s) are not JSON objects (first: {issues.first['unparseable']}). "
                "Fix or remove them; every other line was read and counted."
            )


@register("csv", "generic.csv")
class GenericCsvReader(Reader):
    """CSV (comma, tab or semicolon; UTF-8/BOM/GBK) with a header row naming the columns."""

    name = "generic.csv.v1"
    description = "Generic CSV/TSV with a header row: text, sender [, time, chat, id, reply_to …]"
    patterns = ("*.csv", "*.tsv")

    def sniff(self, probe: Probe) -> float:
        head = probe.first_nonblank(1)
        if not head:
            return 0.0
        header = next(csv.reader([head[0]], delimiter=_delimiter(head[0])), [])
        cols = Columns({}).resolve(header)
        if len(header) >= 2 and cols["text"] and cols["sender"]:
            return 0.5
        return 0.15 if probe.suffix in (".csv", ".tsv") and len(header) >= 2 else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        columns = Columns(ctx.mapping)
        issues = _Issues()
        with src.open() as raw:
            rows, header, offset = open_csv(raw, src)
            cols = columns.resolve(header)
            for row in rows:
                if not any(v.strip() for v in row):
                    ctx.skip("blank_row")  # counted, so a file of a million blank rows says so
                    continue
                record = dict(zip(header, row))
                msg = build_generic(ctx, record, cols, columns, f"line {rows.line_num + offset}", issues)
                if msg is not None:
                    yield msg
        issues.explain(ctx)


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


class _Rows:
    """A csv reader that turns ``csv.Error`` into ``IngestError`` naming the line."""

    def __init__(self, reader) -> None:
        self._reader = reader

    @property
    def line_num(self) -> int:
        return self._reader.line_num

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        try:
            return next(self._reader)
        except csv.Error as exc:
            raise IngestError(f"line {self._reader.line_num + 1}: malformed CSV ({exc})") from exc


def open_csv(raw, src: SourceFile):
    """Open a CSV stream: detect encoding and delimiter, return (rows, header, line offset).

    Raises:
        IngestError: When the file has no header row.
    """
    enc = detect_encoding(src.head())
    stream = text_stream(raw, enc)
    first = stream.readline().lstrip("\ufeff")
    offset = 1
    while first and not first.strip():
        first = stream.readline()
        offset += 1
    if not first:
        raise IngestError("no header row; expected a first line naming the columns (e.g. text,sender,time)")
    delim = _delimiter(first)
    header = [h.strip().lstrip("\ufeff") for h in next(csv.reader([first], delimiter=delim), [])]
    rows = _Rows(csv.reader(stream, delimiter=delim))
    return rows, header, offset


@register("parquet", "generic.parquet")
class GenericParquetReader(Reader):
    """Parquet (a Spark, Ray or pandas pipeline's output) with the generic columns: text, sender …"""

    name = "generic.parquet.v1"
    description = "Generic Parquet: one row per message with text, sender [, time, chat, id, reply_to …] (needs pyarrow)"
    patterns = ("*.parquet",)
    ROWS_PER_BATCH = 10_000

    def sniff(self, probe: Probe) -> float:
        return 0.9 if probe.suffix == ".parquet" else 0.0

    def read(self, src: SourceFile, ctx: ReadContext) -> Iterator[Message]:
        from needminer.parquet import pyarrow_modules

        pa, pq = pyarrow_modules()
        columns = Columns(ctx.mapping)
        issues = _Issues()
        with src.open() as raw:
            source = raw if raw.seekable() else pa.BufferReader(raw.read())  # a zip member
            try:
                table = pq.ParquetFile(source)
                cols = columns.resolve(table.schema_arrow.names)
                batches = table.iter_batches(batch_size=self.ROWS_PER_BATCH)
                row_no = 0
                for batch in batches:
                    for row in batch.to_pylist():
                        row_no += 1
                        for key, value in row.items():  # a timestamp column: ISO text, zone kept when given
                            if hasattr(value, "isoformat") and not isinstance(value, str):
                                row[key] = value.isoformat(sep=" ")
                        msg = build_generic(ctx, row, cols, columns, f"row {row_no}", issues)
                        if msg is not None:
                            yield msg
            except IngestError:
                raise
            except (pa.ArrowException, OSError, ValueError, IndexError, TypeError, EOFError) as exc:  # damaged
                raise IngestError(f"not a readable Parquet file ({type(exc).__name__}); "
                                  "write it with pyarrow, pandas, Spark or Ray Data") from None
        issues.explain(ctx)
