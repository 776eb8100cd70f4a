"""Where workspaces live: a per-user data folder, one workspace per set of inputs, private files.

The home is ``$NEEDMINER_HOME`` when set, else the platform's user data folder
(``platformdirs.user_data_dir("needminer")``, e.g. ``~/.local/share/needminer``). It holds::

    user.key                  per-user random key (0600): pseudonym keys are derived from it
    models/e5-small/          models built at first use (~465 MB), shared by every workspace
    workspaces/<id>/          one workspace per set of inputs (0700)
        workspace.sqlite      messages (unredacted), embedding cache, run history (0600)
        pseudonym.key         the workspace's pseudonym key, apart from the database (0600)
        info.json             created, inputs (paths only, never chat content)

``<id>`` is a hash of the resolved input paths, so the same inputs reuse the same workspace (and
embedding cache) whatever ``--out`` is, and the report folder never holds a workspace.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from needminer.errors import ConfigError, WorkspaceError

HOME_ENV = "NEEDMINER_HOME"
USER_KEY = "user.key"
WORKSPACES = "workspaces"
MODELS = "models"
INFO = "info.json"
_KEY_CONTEXT = b"needminer pseudonym key v1\x1f"


def needminer_home() -> Path:
    """The per-user folder that holds workspaces (``$NEEDMINER_HOME`` or the user data folder)."""
    env = os.environ.get(HOME_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    try:
        from platformdirs import user_data_dir
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return Path.home() / ".local" / "share" / "needminer"
    return Path(user_data_dir("needminer", appauthor=False))


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by the user only (0700).

    Raises:
        WorkspaceError: The folder cannot be created.
    """
    try:
        missing = [p for p in (path, *path.parents) if not p.exists()]
        for folder in reversed(missing):  # parents too: mkdir(parents=True) would make them 0755
            folder.mkdir(mode=0o700, exist_ok=True)
        if not path.is_dir():
            raise NotADirectoryError(str(path))
    except OSError as exc:
        raise WorkspaceError(
            f"Cannot create the folder '{path}' ({type(exc).__name__}). "
            f"Set {HOME_ENV} or pass --workspace to a writable folder."
        ) from exc
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file readable by the user only (0600), replacing it atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def read_key(path: Path) -> bytes | None:
    """A 32-byte key stored at ``path``, or None when there is none (or it is not 32 bytes)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WorkspaceError(f"Cannot read the key file '{path}' ({type(exc).__name__}). Check its permissions.") from exc
    return data if len(data) == 32 else None


def user_key(home: Path | None = None) -> bytes:
    """The per-user random key (created on first use, 0600); never leaves the home folder."""
    folder = private_dir(home or needminer_home())
    path = folder / USER_KEY
    data = read_key(path)
    if data is not None:
        return data
    data = secrets.token_bytes(32)
    try:
        write_private(path, data)
    except OSError as exc:
        raise WorkspaceError(f"Cannot write the key file '{path}' ({type(exc).__name__}).") from exc
    return data


def derive_key(identity: str, home: Path | None = None) -> bytes:
    """A deterministic 32-byte pseudonym key for ``identity`` (e.g. a workspace id).

    Keyed by the user's random key, so pseudonyms reproduce across runs and fresh workspaces of
    the same user and inputs, but cannot be recomputed by anyone without that key.
    """
    return hmac.new(user_key(home), _KEY_CONTEXT + identity.encode("utf-8"), hashlib.sha256).digest()


def inputs_id(inputs: Sequence[str | Path]) -> str:
    """Workspace id of a set of inputs: 16 hex digits of a hash of the sorted resolved paths."""
    paths = sorted({str(Path(p).expanduser().resolve()) for p in inputs})
    return hashlib.sha256("\n".join(paths).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def models_home(home: Path | None = None, *, create: bool = False) -> Path:
    """The per-user model folder (``$NEEDMINER_HOME/models``) where e5-small is built once.

    Args:
        home: The needminer home; default ``needminer_home()``.
        create: Create the folder (the home itself 0700, as for workspaces).

    Raises:
        WorkspaceError: ``create`` and the folder cannot be created.
    """
    home = home or needminer_home()
    folder = home / MODELS
    if create and not folder.is_dir():
        private_dir(home)
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(
                f"Cannot create the model folder '{folder}' ({type(exc).__name__}). "
                f"Set {HOME_ENV} to a writable folder or set embed.models_dir in the config."
            ) from exc
    return folder


def workspaces_root(home: Path | None = None) -> Path:
    return (home or needminer_home()) / WORKSPACES


def default_workspace(inputs: Sequence[str | Path], home: Path | None = None) -> Path:
    """The default workspace folder of ``inputs`` (created 0700, with ``info.json``)."""
    home = home or needminer_home()
    wid = inputs_id(inputs)
    folder = private_dir(workspaces_root(home) / wid)
    info = folder / INFO
    if not info.exists():
        doc = {
            "id": wid,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "inputs": sorted({str(Path(p).expanduser().resolve()) for p in inputs}),
        }
        try:
            write_private(info, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
        except OSError as exc:
            raise WorkspaceError(f"Cannot write '{info}' ({type(exc).__name__}).") from exc
    return folder


@dataclass(frozen=True)
class WorkspaceInfo:
    """One workspace as ``needminer workspace list`` shows it (no chat content)."""

    id: str
    path: Path
    bytes: int
    created: str
    last_used: str
    inputs: tuple[str, ...]


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds")


def list_workspaces(home: Path | None = None) -> list[WorkspaceInfo]:
    """Every workspace under the home, most recently used first."""
    root = workspaces_root(home)
    if not root.is_dir():
        return []
    out = []
    for folder in root.iterdir():
        if not folder.is_dir() or folder.is_symlink():
            continue
        files = [f for f in folder.iterdir() if f.is_file()]
        size = sum(f.stat().st_size for f in files)
        last = max((f.stat().st_mtime for f in files), default=folder.stat().st_mtime)
        created, inputs = _iso(folder.stat().st_ctime), ()
        try:
            doc = json.loads((folder / INFO).read_text(encoding="utf-8"))
            created = str(doc.get("created") or created)
            inputs = tuple(str(x) for x in doc.get("inputs", ()))
        except (OSError, ValueError):
            pass
        out.append(WorkspaceInfo(folder.name, folder, size, created, _iso(last), inputs))
    return sorted(out, key=lambda w: (w.last_used, w.id), reverse=True)


def clear_workspaces(ids: Sequence[str] = (), *, all: bool = False, home: Path | None = None) -> list[str]:
    """Delete workspaces by id (or every one with ``all``); returns the ids deleted.

    The user key stays, so later runs on the same inputs still give the same pseudonyms.

    Raises:
        ConfigError: Neither ids nor ``all`` was given, or an id is not a workspace.
        WorkspaceBusyError: A run is using one of them.
    """
    known = {w.id: w.path for w in list_workspaces(home)}
    if all:
        targets = sorted(known)
    else:
        if not ids:
            raise ConfigError("Name the workspace to clear (see `needminer workspace list`) or pass --all.")
        missing = [i for i in ids if i not in known]
        if missing:
            raise ConfigError(
                f"No workspace with id {', '.join(missing)}. Known ids: {', '.join(sorted(known)) or '(none)'}."
            )
        targets = list(dict.fromkeys(ids))
    from needminer.store._workspace import acquire_lock, release_lock

    for wid in targets:
        fd = acquire_lock(known[wid], timeout=0)  # never delete under a running process
        try:
            shutil.rmtree(known[wid])
        finally:
            release_lock(fd)
    return targets
