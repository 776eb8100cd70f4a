"""Per-user workspaces: keyed by inputs, private files, key apart from the database, lock, list/clear."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from needminer.errors import ConfigError, WorkspaceBusyError
from needminer.store import Workspace, clear_workspaces, default_workspace, inputs_id, list_workspaces, needminer_home


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_home_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NEEDMINER_HOME", str(tmp_path / "h"))
    assert needminer_home() == tmp_path / "h"
    monkeypatch.delenv("NEEDMINER_HOME")
    assert needminer_home().name == "needminer"  # platformdirs user data folder


def test_default_workspace_is_keyed_by_the_inputs(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("{}")
    b.write_text("{}")
    wa = default_workspace([a, b])
    assert wa == default_workspace([b, a]) == default_workspace([str(tmp_path / "." / "b.jsonl"), a])
    assert wa != default_workspace([a])
    assert wa.name == inputs_id([a, b]) and wa.parent.parent == needminer_home()
    assert not str(wa).startswith(str(tmp_path / "a"))


def test_files_are_private_and_the_key_is_apart(tmp_path):
    folder = default_workspace([tmp_path])
    with Workspace(folder, key_id="k") as ws:
        key = ws.secret
        ws.record_run({"a": 1})
    home = needminer_home()
    for p in (home, home / "workspaces", folder):
        assert _mode(p) == 0o700, p
    for p in folder.iterdir():
        assert _mode(p) == 0o600, p
    assert (folder / "pseudonym.key").read_bytes() == key
    assert _mode(home / "user.key") == 0o600
    db = sqlite3.connect(folder / "workspace.sqlite")
    assert db.execute("SELECT COUNT(*) FROM meta WHERE key='secret'").fetchone()[0] == 0
    db.close()
    assert key.hex() not in (folder / "workspace.sqlite").read_bytes().hex()


def test_default_key_is_deterministic_per_key_id(tmp_path):
    with Workspace(tmp_path / "w1", key_id="inputs-1") as ws:
        k1 = ws.secret
    with Workspace(tmp_path / "w2", key_id="inputs-1") as ws:  # a fresh workspace, same inputs
        assert ws.secret == k1
    with Workspace(tmp_path / "w3", key_id="inputs-2") as ws:
        assert ws.secret != k1


def test_key_of_an_older_workspace_moves_out_of_the_database(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    db = sqlite3.connect(folder / "workspace.sqlite")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('secret', ?)", ((b"\x01" * 32).hex(),))
    db.commit()
    db.close()
    with Workspace(folder) as ws:
        assert ws.secret == b"\x01" * 32
    assert (folder / "pseudonym.key").read_bytes() == b"\x01" * 32
    db = sqlite3.connect(folder / "workspace.sqlite")
    assert db.execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 0
    db.close()


def test_a_second_holder_waits_then_fails_clearly(tmp_path):
    with Workspace(tmp_path / "w"):
        with pytest.raises(WorkspaceBusyError, match="in use by another needminer process"):
            Workspace(tmp_path / "w", lock_timeout=0.2)
    with Workspace(tmp_path / "w"):  # released on close
        pass


def test_list_and_clear(tmp_path):
    wa = default_workspace([tmp_path / "a"])
    wb = default_workspace([tmp_path / "b"])
    with Workspace(wa) as ws:
        ws.record_run({"x": 1})
        assert ws.secret
    items = {w.id: w for w in list_workspaces()}
    assert set(items) == {wa.name, wb.name}
    assert items[wa.name].bytes > 0 and items[wa.name].inputs == (str((tmp_path / "a").resolve()),)
    with pytest.raises(ConfigError, match="--all"):
        clear_workspaces()
    with pytest.raises(ConfigError, match="No workspace with id nope"):
        clear_workspaces(["nope"])
    with Workspace(wb):
        with pytest.raises(WorkspaceBusyError):
            clear_workspaces([wb.name])  # never deleted under a running process
    assert clear_workspaces([wa.name]) == [wa.name] and not wa.exists()
    assert clear_workspaces(all=True) == [wb.name] and list_workspaces() == []
    assert (needminer_home() / "user.key").exists()  # pseudonyms stay the same after a clear
