"""SQLite workspace (stdlib sqlite3, WAL): messages, embedding cache, run history, secret."""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from needminer.errors import NeedMinerError
from needminer.types import Message, MessageKind

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    chat TEXT NOT NULL,
    sender TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    text TEXT NOT NULL,
    time REAL,
    kind TEXT NOT NULL,
    reply_to TEXT,
    quote TEXT,
    source TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_chat_time ON messages (chat, time, seq);
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL,
    key TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vec BLOB NOT NULL,
    PRIMARY KEY (model, key)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    manifest TEXT NOT NULL
);
"""

_BATCH = 5000


def text_key(text: str) -> str:
    """Cache key of a text: SHA-1 hex of its UTF-8 bytes."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class WorkspaceError(NeedMinerError):
    """The workspace database could not be opened or written."""


class Workspace:
    """A needminer workspace folder holding ``workspace.sqlite``.

    Args:
        folder: Folder for the workspace (created when missing).

    Example:
        >>> ws = Workspace(tmp_path)                               # doctest: +SKIP
        >>> new, dup = ws.add_messages(messages)                   # doctest: +SKIP
    """

    FILENAME = "workspace.sqlite"

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.path = self.folder / self.FILENAME
            self._db = sqlite3.connect(self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise WorkspaceError(
                f"Cannot open the workspace in '{self.folder}': {exc}. "
                "Pass a writable folder with --workspace."
            ) from exc

    # -- lifecycle -----------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta ------------------------------------------------------------------------
    @property
    def secret(self) -> bytes:
        """Per-workspace random key for pseudonyms (created on first use, never exported)."""
        row = self._db.execute("SELECT value FROM meta WHERE key='secret'").fetchone()
        if row:
            return bytes.fromhex(row[0])
        value = secrets.token_bytes(32)
        with self._db:
            self._db.execute("INSERT INTO meta (key, value) VALUES ('secret', ?)", (value.hex(),))
        return value

    # -- messages ----------------------------------------------------------------------
    def add_messages(self, messages: Iterable[Message]) -> tuple[int, int]:
        """Insert messages, skipping ids already present.

        Returns:
            (new, duplicates): how many were added and how many were already there.
        """
        new = dup = 0
        seq = self._db.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM messages").fetchone()[0]
        batch: list[tuple] = []

        def flush() -> None:
            nonlocal new, dup
            if not batch:
                return
            before = self._db.total_changes
            with self._db:
                self._db.executemany(
                    "INSERT OR IGNORE INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", batch
                )
            added = self._db.total_changes - before
            new += added
            dup += len(batch) - added
            batch.clear()

        for m in messages:
            batch.append(
                (
                    m.id,
                    m.chat,
                    m.sender,
                    m.sender_name,
                    m.text,
                    m.time.timestamp() if m.time else None,
                    m.kind.value,
                    m.reply_to,
                    m.quote,
                    m.source,
                    m.ordinal,
                    seq,
                )
            )
            seq += 1
            if len(batch) >= _BATCH:
                flush()
        flush()
        return new, dup

    def count_messages(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]

    def iter_messages(self, ids: Sequence[str] | None = None) -> Iterator[Message]:
        """Messages ordered by chat, time and input order (or only ``ids``, same order)."""
        sql = "SELECT * FROM messages"
        params: tuple = ()
        if ids is not None:
            if not ids:
                return
            # a temp table keeps this fast for long id lists
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM wanted")
            self._db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((i,) for i in ids))
            sql += " WHERE id IN (SELECT id FROM wanted)"
        sql += " ORDER BY chat, time IS NULL, time, seq"
        for row in self._db.execute(sql, params):
            yield _row_to_message(row)

    # -- embeddings --------------------------------------------------------------------
    def get_vectors(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors for ``keys`` (those present)."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 900):
            chunk = list(keys[start : start + 900])
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, dim, vec FROM embeddings WHERE model=? AND key IN ({marks})",
                (model, *chunk),
            )
            for key, dim, blob in rows:
                found[key] = np.frombuffer(blob, dtype=np.float32, count=dim)
        return found

    def put_vectors(self, model: str, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors (float32 rows) under ``keys``."""
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?,?,?,?)",
                ((model, k, vecs.shape[1], vecs[i].tobytes()) for i, k in enumerate(keys)),
            )

    def count_vectors(self, model: str | None = None) -> int:
        if model is None:
            return self._db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM embeddings WHERE model=?", (model,)).fetchone()[0]

    # -- runs ------------------------------------------------------------------------
    def record_run(self, manifest: dict) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO runs (started, manifest) VALUES (?, ?)",
                (datetime.now(timezone.utc).isoformat(), json.dumps(manifest, ensure_ascii=False, default=str)),
            )

    def last_run(self) -> dict | None:
        row = self._db.execute("SELECT manifest FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        return json.loads(row[0]) if row else None


def _row_to_message(row: tuple) -> Message:
    (mid, chat, sender, sender_name, text, ts, kind, reply_to, quote, source, ordinal, _seq) = row
    return Message(
        id=mid,
        chat=chat,
        sender=sender,
        sender_name=sender_name,
        text=text,
        time=datetime.fromtimestamp(ts, tz=timezone.utc) if ts is not None else None,
        kind=MessageKind(kind),
        reply_to=reply_to,
        quote=quote,
        source=source,
        ordinal=ordinal,
    )
