"""CLI: every command has help, `run` works end to end, and bad input is one clear line with exit 1."""

from __future__ import annotations

import json

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from needminer.cli import app

runner = CliRunner()


def _all_commands():
    root = get_command(app)
    out = [((), root)]
    stack = [((), root)]
    while stack:
        path, cmd = stack.pop()
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                out.append(((*path, name), sub))
                stack.append(((*path, name), sub))
    return out


@pytest.mark.parametrize("path, cmd", _all_commands(), ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_every_command_has_help(path, cmd):
    assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
    for param in cmd.params:
        if getattr(param, "param_type_name", "") == "option" and param.name not in ("help",):
            assert (param.help or "").strip(), f"option {param.name} of {' '.join(path)} has no help"


def test_command_set():
    names = {" ".join(p) for p, _ in _all_commands() if p}
    assert {"run", "ingest", "formats", "detect", "cluster", "eval", "eval clusters"} <= names


def test_run_end_to_end(tiny_chat, tmp_path):
    out = tmp_path / "rep"
    result = runner.invoke(app, ["run", str(tiny_chat), "--out", str(out), "--embedder", "hashing", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "Report:" in result.stdout and (out / "index.html").is_file()
    needs = json.loads((out / "needs.json").read_text("utf-8"))["needs"]
    assert needs and needs[0]["rank"] == 1


def test_ingest_dry_run_json(tiny_chat):
    result = runner.invoke(app, ["ingest", str(tiny_chat), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (item,) = data["inputs"]
    assert item["records"] == 12 == item["messages"] + sum(item["skipped"].values())
    assert data["new"] == 12 and data["duplicates"] == 0


def test_formats_lists_readers():
    result = runner.invoke(app, ["formats"])
    assert result.exit_code == 0 and "generic.jsonl.v1" in result.stdout


def test_detect_and_cluster(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,早上化妆时间不够，希望底妆又快又服帖\n2,大家早上好\n3,有没有不闷痘的防晒推荐？\n4,底妆总是卡粉，太烦了\n", encoding="utf-8")
    out = tmp_path / "det.csv"
    result = runner.invoke(app, ["detect", str(src), "--text-column", "text", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text("utf-8").splitlines()
    assert lines[0] == "id,text,signal,need,intensity" and len(lines) == 5
    assert lines[2].split(",")[3] == "false"  # greeting
    out2 = tmp_path / "cl.csv"
    result = runner.invoke(app, ["cluster", str(src), "-t", "text", "--out", str(out2), "--embedder", "hashing", "--no-progress"])
    assert result.exit_code == 0, result.output
    rows = out2.read_text("utf-8").splitlines()
    assert rows[0] == "id,text,need_id,need_title" and len(rows) == 5


def test_eval_clusters(tmp_path):
    src = tmp_path / "gold.csv"
    rows = ["text,label"] + [f"底妆卡粉不服帖{i},a" for i in range(6)] + [f"宝宝夜里哭闹喂奶{i},b" for i in range(6)]
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "clusters", str(src), "-t", "text", "-l", "label", "--embedder", "hashing", "--seeds", "0,1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("nmi", "ari", "v_measure", "purity", "coverage", "n_clusters", "seed_stability"):
        assert key in data
    assert len(data["per_seed"]) == 2


def _jsonl(tmp_path, text):
    p = tmp_path / "x.jsonl"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "args, message, code",
    [
        (lambda t: ["run", str(t / "missing.jsonl"), "--out", str(t / "o")], "not found", 3),
        (lambda t: ["run", str(_jsonl(t, "")), "--out", str(t / "o"), "--embedder", "hashing"], "empty", 4),
        (lambda t: ["run", str(_jsonl(t, '{"text": "x"}\n{not json\n')), "--out", str(t / "o"), "--embedder", "hashing"], "line 2", 4),
        (lambda t: ["run", str(_jsonl(t, '{"text": "底妆卡粉", "sender": "a"}\n')), "--out", str(t / "o"), "--embedder", "nope"], "Unknown embedder 'nope'", 1),
        (lambda t: ["run", str(_jsonl(t, '{"text": "底妆卡粉", "sender": "a"}\n')), "--out", str(t / "o"), "--granularity", "huge"], "granularity", 1),
        (lambda t: ["detect", str(_csv(t)), "--text-column", "content", "--out", str(t / "o.csv")], "Column 'content' is not in", 1),
        (lambda t: ["cluster", str(_csv(t)), "--text-column", "content", "--out", str(t / "o.csv")], "Column 'content' is not in", 1),
        (lambda t: ["ingest", str(t / "missing"), "--dry-run"], "not found", 3),
        (lambda t: ["run", str(_csv_without_text(t)), "--out", str(t / "o"), "--embedder", "hashing"], "no field 'text'", 4),
        (lambda t: ["run", str(_jsonl(t, '{"text": "底妆卡粉", "sender": "a"}\n')), "--out", str(t / "o"), "--format", "bogus.v9"], "bogus.v9", 4),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path, args, message, code):
    result = runner.invoke(app, args(tmp_path))
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output and "Traceback" not in result.stderr


def _csv_without_text(tmp_path):
    p = tmp_path / "notext.csv"
    p.write_text("id,foo,bar\n1,底妆卡粉,a\n2,早上好,b\n", encoding="utf-8")
    return p


def _csv(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,body\n1,底妆卡粉\n", encoding="utf-8")
    return p


def test_chat_text_never_in_error(tmp_path):
    secret = "我的秘密内容请勿泄露"
    bad = _jsonl(tmp_path, json.dumps({"text": secret, "sender": "a", "time": "not a time"}, ensure_ascii=False) + "\n")
    result = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o"), "--embedder", "hashing"])
    assert result.exit_code != 0
    assert secret not in result.stderr and secret not in result.stdout


def test_cluster_with_a_guide_names_needs(tmp_path):
    src = tmp_path / "in.csv"
    rows = ["text"] + [f"底妆卡粉不服帖{i}" for i in range(8)] + [f"宝宝夜里哭闹喂奶{i}" for i in range(8)]
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    guide = tmp_path / "guide.txt"
    guide.write_text("底妆卡粉不服帖\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    result = runner.invoke(app, ["cluster", str(src), "-t", "text", "--out", str(out), "--embedder", "hashing",
                                 "--guide", str(guide), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "底妆卡粉不服帖" in out.read_text("utf-8").splitlines()[1]
    bad = runner.invoke(app, ["cluster", str(src), "-t", "text", "--out", str(out), "--embedder", "hashing",
                              "--guide", str(tmp_path / "nope.txt")])
    assert bad.exit_code == 1 and "Guide file" in bad.stderr
