"""SQLite workspace (stdlib sqlite3, WAL): messages, embedding cache, run history; key file apart.

Every file is created readable by the user only (0600, folders 0700): the database holds
unredacted messages and real nicknames. The pseudonym key is kept in its own file
(``pseudonym.key``), not in the database. One process at a time holds a workspace (an exclusive
lock on ``lock``); a second one waits up to ``lock_timeout`` seconds, then fails with
``WorkspaceBusyError``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from needminer.errors import WorkspaceBusyError, WorkspaceError
from needminer.store._home import derive_key, private_dir, read_key, write_private
from needminer.types import Message, MessageKind

try:  # POSIX advisory locks; elsewhere SQLite's own busy timeout is the only guard
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

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
CREATE TABLE IF NOT EXISTS signals (
    detector TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (detector, key)
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


DEFAULT_LOCK_TIMEOUT = 5.0  # seconds a second process waits for a busy workspace
LOCK_TIMEOUT_ENV = "NEEDMINER_LOCK_TIMEOUT"


def _lock_timeout(value: float | None) -> float:
    if value is not None:
        return value
    try:
        return float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


def acquire_lock(folder: Path, timeout: float | None = None) -> int | None:
    """Take the workspace's exclusive lock, waiting up to ``timeout`` seconds; returns the fd.

    Raises:
        WorkspaceBusyError: Another process holds it for longer than ``timeout``.
    """
    if fcntl is None:  # pragma: no cover
        return None
    path = folder / "lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + max(0.0, _lock_timeout(timeout))
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise WorkspaceBusyError(
                    f"The workspace '{folder}' is in use by another needminer process. Wait for it to "
                    f"finish (or set {LOCK_TIMEOUT_ENV}=SECONDS to wait longer), or pass --workspace DIR "
                    "to use another workspace."
                ) from None
            time.sleep(0.1)
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def release_lock(fd: int | None) -> None:
    if fd is None or fcntl is None:
        return
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
    with contextlib.suppress(OSError):
        os.close(fd)


class Workspace:
    """A needminer workspace folder holding ``workspace.sqlite`` and ``pseudonym.key``.

    Args:
        folder: Folder for the workspace (created 0700 when missing).
        key_id: What the default pseudonym key is derived from when the workspace has none yet
            (the pipeline passes the inputs' id, so the same inputs give the same pseudonyms);
            default: the folder's resolved path.
        lock_timeout: Seconds to wait for another process that holds the workspace; default
            ``$NEEDMINER_LOCK_TIMEOUT`` or 5.

    Raises:
        WorkspaceError: The folder or database cannot be opened.
        WorkspaceBusyError: Another process holds the workspace.

    Example:
        >>> ws = Workspace(tmp_path)                               # doctest: +SKIP
        >>> new, dup = ws.add_messages(messages)                   # doctest: +SKIP
    """

    FILENAME = "workspace.sqlite"
    KEYFILE = "pseudonym.key"

    def __init__(self, folder: str | Path, *, key_id: str | None = None, lock_timeout: float | None = None) -> None:
        self.folder = Path(folder)
        self.path = self.folder / self.FILENAME
        self._key_id = key_id
        self._lock: int | None = None
        self._db: sqlite3.Connection | None = None
        try:
            private_dir(self.folder)
        except WorkspaceError as exc:
            raise WorkspaceError(
                f"Cannot open the workspace in '{self.folder}': the folder cannot be created. "
                "Pass a writable folder with --workspace."
            ) from exc
        try:
            self._lock = acquire_lock(self.folder, lock_timeout)
            for suffix in ("", "-wal", "-shm"):  # SQLite creates its side files with the db's mode
                f = self.folder / (self.FILENAME + suffix)
                if suffix == "":
                    os.close(os.open(f, os.O_RDWR | os.O_CREAT, 0o600))
                if f.exists():
                    os.chmod(f, 0o600)
            self._db = sqlite3.connect(self.path, timeout=30.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except WorkspaceBusyError:
            raise
        except (OSError, sqlite3.Error) as exc:
            self.close()
            raise WorkspaceError(
                f"Cannot open the workspace in '{self.folder}' ({type(exc).__name__}: {exc}). "
                "Pass a writable folder with --workspace."
            ) from exc

    # -- lifecycle -----------------------------------------------------------------
    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        release_lock(self._lock)
        self._lock = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta ------------------------------------------------------------------------
    @property
    def secret(self) -> bytes:
        """Per-workspace pseudonym key, kept in ``pseudonym.key`` (0600) apart from the database.

        Created on first use from the user key and ``key_id`` (deterministic: a fresh workspace
        of the same inputs gets the same key); a key stored by an older version in the
        database is moved to the file.
        """
        path = self.folder / self.KEYFILE
        data = read_key(path)
        if data is not None:
            return data
        row = self._db.execute("SELECT value FROM meta WHERE key='secret'").fetchone()
        value = bytes.fromhex(row[0]) if row else derive_key(self._key_id or str(self.folder.resolve()))
        try:
            write_private(path, value)
        except OSError as exc:
            raise WorkspaceError(f"Cannot write '{path}' ({type(exc).__name__}).") from exc
        if row:
            with self._db:
                self._db.execute("DELETE FROM meta WHERE key='secret'")
        return value

    STATE_PREFIX = "state:"

    def get_state(self, name: str) -> str | None:
        """A stored piece of run state (text), or None (see ``put_state``)."""
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (self.STATE_PREFIX + name,)).fetchone()
        return row[0] if row else None

    def put_state(self, name: str, value: str) -> None:
        """Store a piece of run state (e.g. the last discovery) under ``name``, replacing the old one."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (self.STATE_PREFIX + name, value))

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
        rows = self._select_keys("SELECT key, dim, vec FROM embeddings WHERE model=? AND key IN ({})", model, keys)
        return {key: np.frombuffer(blob, dtype=np.float32, count=dim) for key, dim, blob in rows}

    def _select_keys(self, sql: str, owner: str, keys: Sequence[str]) -> Iterator[tuple]:
        """Rows of ``sql`` (one ``?`` for ``owner``, ``{}`` for the key list) over ``keys``, in
        chunks SQLite's parameter limit allows."""
        for start in range(0, len(keys), 900):
            chunk = list(keys[start : start + 900])
            yield from self._db.execute(sql.format(",".join("?" * len(chunk))), (owner, *chunk))

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

    # -- signals ---------------------------------------------------------------------
    def get_signals(self, detector: str, keys: Sequence[str]) -> dict[str, str]:
        """Cached signals (encoded text, see ``needminer.signals._cache``) of ``detector`` for ``keys`` (those present)."""
        return dict(self._select_keys("SELECT key, value FROM signals WHERE detector=? AND key IN ({})", detector, keys))

    def put_signals(self, detector: str, values: dict[str, str]) -> None:
        """Store signals (encoded text) of ``detector`` under their keys."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO signals VALUES (?,?,?)",
                                 ((detector, k, v) for k, v in values.items()))

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
