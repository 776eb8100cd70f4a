"""`needminer train-detector` via a tiny Typer app that only calls ``train.register``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from needminer.cli import rows as rows_cli
from needminer.cli import train
from needminer.signals import load_detector

PAIN = ["粉底太干了总是卡粉", "手机老是闪退", "外卖又送错了", "套餐乱扣费没人管", "推车太重了", "油耗有点高"]
WISH = ["希望出个小样", "想要不卡粉的粉底", "能不能加夜间模式", "求推荐平价防晒", "建议增加导出功能", "要是能便宜点就好了"]
NOISE = ["早上好", "恭喜发财", "哈哈哈哈", "谢谢大家", "晚安各位", "收到收到"]


def _app() -> typer.Typer:
    app = typer.Typer()
    train.register(app)
    rows_cli.register(app)
    return app


def _csv(path: Path, rows: list[tuple[str, str]], header=("text", "label")) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.mark.parametrize(
    "labels,expected_rows",
    [
        (["pain"] * 6 + ["wish"] * 6 + ["noise"] * 6, ["pain", "wish", "noise", "macro"]),
        (["1"] * 12 + ["0"] * 6, ["0", "1", "macro"]),
    ],
)
def test_train_with_cv_prints_table_and_saves_model(tmp_path: Path, labels: list[str], expected_rows: list[str]) -> None:
    data = _csv(tmp_path / "l.csv", list(zip(PAIN + WISH + NOISE, labels)), header=("msg", "y"))
    out = tmp_path / "det"
    res = CliRunner().invoke(
        _app(), ["train-detector", str(data), "--text-column", "msg", "--label-column", "y",
                 "--out", str(out), "--cv", "3", "--no-words"],
    )
    assert res.exit_code == 0, res.output
    assert "macro-F1" in res.output and "precision" in res.output
    for name in expected_rows:
        assert name in res.output
    assert sorted(p.name for p in out.iterdir()) == ["model.json", "model.safetensors"]
    assert load_detector(out).model is not None
    # the saved folder is usable by `needminer detect --detector DIR`
    probe = _csv(tmp_path / "p.csv", [("粉底液卡粉好烦", ""), ("晚安", "")])
    res = CliRunner().invoke(_app(), ["detect", str(probe), "--out", str(tmp_path / "o.csv"), "--detector", str(out)])
    assert res.exit_code == 0, res.output
    got = list(csv.DictReader((tmp_path / "o.csv").open(encoding="utf-8")))
    assert [r["need"] for r in got] == ["true", "false"]


def test_train_with_words_no_cv(tmp_path: Path) -> None:
    data = _csv(tmp_path / "l.csv", list(zip(PAIN + NOISE, ["pain"] * 6 + ["noise"] * 6)))
    res = CliRunner().invoke(_app(), ["train-detector", str(data), "--out", str(tmp_path / "d")])
    assert res.exit_code == 0, res.output
    assert load_detector(tmp_path / "d").model.featurizer.word_ngram_range == (1, 2)


@pytest.mark.parametrize(
    "rows,args,match",
    [
        ([("a", "complaint"), ("b", "pain")], [], "SignalLabel names"),
        ([("a", "pain"), ("b", "pain")], [], "two distinct labels"),
        ([("a", "pain")], ["--label-column", "nope"], "nope"),
        ([(t, "pain") for t in PAIN] + [("早", "noise"), ("晚", "noise")], ["--cv", "5"], "texts per label"),
    ],
)
def test_bad_input_is_one_red_line(tmp_path: Path, rows: list, args: list[str], match: str) -> None:
    data = _csv(tmp_path / "l.csv", rows)
    res = CliRunner().invoke(_app(), ["train-detector", str(data), "--out", str(tmp_path / "d"), *args])
    assert res.exit_code == 1
    assert match in res.output
    assert "Traceback" not in res.output
