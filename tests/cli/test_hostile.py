"""Hostile and unlucky use, generated here: every failure is one line on stderr, with its own exit
code, no traceback, and found before the long stages run."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needminer.cli import app
from tests.conftest import tiny_chat_records

runner = CliRunner()
SECRET = "底妆卡粉"  # chat text that must never reach an error message


def _chat(tmp_path: Path) -> Path:
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in tiny_chat_records()) + "\n", encoding="utf-8")
    return path


def _invoke(args: list[str], **env: str):
    result = runner.invoke(app, [str(a) for a in args], env=env or None)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert SECRET not in result.stderr
    return result


def _no_workspace_made() -> bool:
    from needminer.store import list_workspaces

    return not [w for w in list_workspaces() if (w.path / "workspace.sqlite").exists()]


@pytest.mark.parametrize(
    "make_out, match",
    [
        (lambda t: (t / "file.txt").write_text("x") and t / "file.txt", "is an existing file"),
        (lambda t: (t / "blocker").write_text("x") and t / "blocker" / "report", "Cannot write the report"),
        (lambda t: ((t / "mine").mkdir(), (t / "mine" / "notes.docx").write_text("x")) and t / "mine", "not a needminer report"),
    ],
    ids=["out-is-a-file", "parent-is-a-file", "out-holds-other-files"],
)
def test_unusable_out_fails_before_the_run(tmp_path, make_out, match):
    out = make_out(tmp_path)
    result = _invoke(["run", _chat(tmp_path), "--out", out, "--embedder", "hashing", "--no-progress"])
    assert result.exit_code == 7 and match in result.stderr
    assert _no_workspace_made()  # nothing was ingested


@pytest.mark.parametrize("seed", ["-1", str(2**63 - 1), str(2**32)])
def test_seed_out_of_range_is_a_config_error(tmp_path, seed):
    result = _invoke(["run", _chat(tmp_path), "--out", tmp_path / "o", "--embedder", "hashing", "--seed", seed])
    assert result.exit_code == 1 and "'seed' must be an integer in [0, 4294967295]" in result.stderr


def test_nan_rank_weight_is_a_config_error(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[rank.weights]\nspeakers = nan\n", encoding="utf-8")
    result = _invoke(["run", _chat(tmp_path), "--out", tmp_path / "o", "--config", cfg])
    assert result.exit_code == 1 and "rank weight 'speakers' must be a finite number" in result.stderr


def test_a_second_run_on_a_busy_workspace_fails_clearly(tmp_path):
    from needminer.store import Workspace, default_workspace

    chat = _chat(tmp_path)
    with Workspace(default_workspace([chat])):  # another run holds it
        result = _invoke(["run", chat, "--out", tmp_path / "o", "--embedder", "hashing", "--no-progress"],
                         NEEDMINER_LOCK_TIMEOUT="0.2")
    assert result.exit_code == 9 and "in use by another needminer process" in result.stderr
    assert not (tmp_path / "o").exists()


def test_unreadable_input_is_exit_3(tmp_path, monkeypatch):
    from tests.ingest.test_limits import _unreadable

    folder = tmp_path / "exports"
    folder.mkdir()
    chat = _chat(folder)
    (folder / "other.jsonl").write_text(chat.read_text("utf-8"), encoding="utf-8")
    _unreadable(folder / "other.jsonl", monkeypatch)
    try:
        for given in (folder / "other.jsonl", folder):
            result = _invoke(["run", given, "--out", tmp_path / "o", "--embedder", "hashing", "--no-progress"])
            assert result.exit_code == 3 and "other.jsonl (PermissionError)" in result.stderr, result.output
            result = _invoke(["ingest", given])
            assert result.exit_code == 3
    finally:
        (folder / "other.jsonl").chmod(0o600)


def test_zip_over_the_limit_is_exit_5(tmp_path):
    z = tmp_path / "big.zip"
    line = json.dumps(tiny_chat_records()[1], ensure_ascii=False) + "\n"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("chat.jsonl", line * (3 * 2**20 // len(line.encode())))
    cfg = tmp_path / "limits.toml"
    cfg.write_text("[ingest]\nmax_zip_mb = 2\n", encoding="utf-8")
    result = _invoke(["run", z, "--out", tmp_path / "o", "--config", cfg, "--embedder", "hashing"])
    assert result.exit_code == 5 and "the limit is 2 MiB (ingest.max_zip_mb)" in result.stderr


def test_nothing_to_mine_is_exit_6(tmp_path):
    f = tmp_path / "chitchat.jsonl"
    f.write_text('{"text": "早上好", "sender": "a"}\n{"text": "哈哈", "sender": "b"}\n', encoding="utf-8")
    result = _invoke(["run", f, "--out", tmp_path / "o", "--embedder", "hashing", "--no-progress"])
    assert result.exit_code == 6


def test_rows_out_checked_before_work(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("text\n底妆卡粉\n早上好\n", encoding="utf-8")
    (tmp_path / "adir").mkdir()
    result = _invoke(["detect", src, "--out", tmp_path / "adir"])
    assert result.exit_code == 7 and "is an existing folder" in result.stderr
    (tmp_path / "afile").write_text("x")
    result = _invoke(["cluster", src, "--out", tmp_path / "afile" / "o.csv", "--embedder", "hashing"])
    assert result.exit_code == 7 and "Cannot write --out" in result.stderr
    ok = _invoke(["detect", src, "--out", tmp_path / "o.csv"])
    again = _invoke(["detect", src, "--out", tmp_path / "o.csv"])  # an existing CSV is replaced
    assert ok.exit_code == again.exit_code == 0 and "signal" in (tmp_path / "o.csv").read_text("utf-8")


def test_debug_flag_shows_the_traceback(tmp_path):
    plain = runner.invoke(app, ["run", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")])
    debug = runner.invoke(app, ["--debug", "run", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o")])
    assert plain.exit_code == debug.exit_code == 3
    assert "Traceback" not in plain.stderr and "Traceback" in debug.stderr


def test_workspace_list_and_clear(tmp_path):
    chat = _chat(tmp_path)
    assert _invoke(["run", chat, "--out", tmp_path / "o", "--embedder", "hashing", "--no-progress"]).exit_code == 0
    assert sorted(p.name for p in (tmp_path / "o").iterdir())[0] == "briefs.md"  # no .needminer in the report
    listed = _invoke(["workspace", "list"], COLUMNS="200")
    assert listed.exit_code == 0 and "chat.jsonl" in listed.stdout
    for rec in tiny_chat_records():
        assert rec["text"] not in listed.stdout and rec["sender"] not in listed.stdout
    assert _invoke(["workspace", "clear"]).exit_code == 1
    cleared = _invoke(["workspace", "clear", "--all"])
    assert cleared.exit_code == 0 and "deleted 1 workspace" in cleared.stderr
    assert "No workspaces" in _invoke(["workspace", "list"]).stderr


def test_exit_codes_are_distinct():
    from needminer import errors

    classes = [errors.ConfigError, errors.InputError, errors.IngestError, errors.LimitError, errors.EmptyCorpusError,
               errors.OutputError, errors.WorkspaceError, errors.WorkspaceBusyError, errors.MissingDependencyError,
               errors.ModelError, errors.StageError]
    codes = [c.exit_code for c in classes]
    assert len(set(codes)) == len(codes) and 2 not in codes and 0 not in codes
    assert os.EX_SOFTWARE == errors.StageError.exit_code


def test_a_bad_line_is_a_warning_and_the_rest_is_mined(tmp_path):
    chat = _chat(tmp_path)
    with open(chat, "a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    result = _invoke(["run", chat, "--out", tmp_path / "o", "--embedder", "hashing", "--no-progress"])
    assert result.exit_code == 0, result.stderr
    assert "Warning:" in result.stderr and "line 13" in result.stderr and (tmp_path / "o" / "needs.json").is_file()


def test_silent_oddities_are_counted(tmp_path):
    from needminer.ingest import ingest_to_workspace

    odd = tmp_path / "odd.jsonl"
    rows = [{"text": ["a", "list"], "sender": "a"}, {"text": {"a": 1}, "sender": "b"},
            {"text": "第一行\u2028第二行\u2029", "sender": "c"}]
    odd.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    blank = tmp_path / "blank.csv"
    blank.write_text("text,sender\n" + "\n" * 500 + ",\n" * 20 + "你好,a\n", encoding="utf-8")
    s = ingest_to_workspace([odd, blank], None).to_dict()["inputs"]
    assert s[0]["format"] == "generic.jsonl.v1" and s[0]["skipped"] == {"text_not_string": 2} and s[0]["messages"] == 1
    assert s[1]["skipped"] == {"blank_row": 520} and s[1]["records"] == 521
