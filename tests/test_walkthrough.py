"""docs/researchers.md runs: every `needminer` command and the Python block of the walk-through,
on files built from the bundled samples, with the hashing embedder (tests only) so it is fast."""

from __future__ import annotations

import csv
import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needminer.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "researchers.md"
WITH_EMBEDDER = {"run", "eval"}  # commands the walk-through runs with the default embedder


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def _commands() -> list[list[str]]:
    lines = [line.strip() for block in _blocks("bash") for line in block.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("needminer ")]


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the walk-through's files: my_chats.csv (one sample group as CSV), my_labels.csv,
    overrides.toml (from the page) and data/samples."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "samples").symlink_to(ROOT / "data" / "samples", target_is_directory=True)
    rows = [json.loads(x) for x in (ROOT / "data" / "samples" / "running_group.jsonl").read_text("utf-8").splitlines()]
    with open(tmp_path / "my_chats.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["content", "nick", "CreateTime"])
        w.writerows([r["text"], r["sender"], r["time"]] for r in rows)
    labelled = [(f"底妆卡粉不服帖{i}", "makeup") for i in range(6)] + [(f"宝宝夜里哭闹喂奶{i}", "baby") for i in range(6)]
    (tmp_path / "my_labels.csv").write_text("text,label\n" + "".join(f"{t},{lab}\n" for t, lab in labelled), "utf-8")
    (tmp_path / "overrides.toml").write_text(_blocks("toml")[0], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_page_has_the_steps():
    names = [" ".join(c[:2]) if c[0] == "eval" else c[0] for c in _commands()]
    assert names == ["run", "eval clusters", "apply"]
    assert "needminer tune" in DOC.read_text(encoding="utf-8")  # the placeholder the tune work fills


@pytest.mark.slow  # about a minute on 2 cores (UMAP on the fit); tests/cli/test_apply.py covers the same in the fast suite
def test_walkthrough_runs(workdir: Path):
    runner = CliRunner()
    for args in _commands():
        if args[0] in WITH_EMBEDDER:
            args = [*args, "--embedder", "hashing"]
        result = runner.invoke(app, [*args, "--no-progress"] if args[0] != "eval" else args)
        assert result.exit_code == 0, f"needminer {' '.join(args)}:\n{result.output}"
    assert sorted(p.name for p in (workdir / "models" / "my-needs").iterdir()) == ["model.json", "model.safetensors"]
    manifest = json.loads((workdir / "reports" / "new" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["apply"]["known_fragments"] > 0 and "overrides" in manifest
    code = _blocks("python")[0].replace('embedder="lite"', 'embedder="hashing"')
    exec(compile(code, str(DOC), "exec"), {})  # noqa: S102 - our own documentation
    assert (workdir / "models" / "from-python" / "model.json").is_file()
