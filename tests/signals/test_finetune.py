"""The opt-in fine-tuned e5-small detector: train, save (safetensors + JSON), load, label; CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from needminer.errors import ModelError
from needminer.signals import load_detector, train_detector
from needminer.signals._model import load_model

pytestmark = pytest.mark.slow

PAIN = ["这个粉底液太容易脱妆了", "推车太重抬不上公交", "客服一直不回消息", "跑鞋两周就开胶了", "网速慢得要命", "快递丢了没人管"]
CHAT = ["早上好呀", "今天天气不错", "哈哈哈哈", "谢谢亲", "我到家了", "晚安各位"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory, e5_models_dir):
    out = tmp_path_factory.mktemp("ft") / "detector"
    texts = (PAIN + CHAT) * 4
    labels = ([1] * len(PAIN) + [0] * len(CHAT)) * 4
    report = train_detector(texts, labels, out_dir=out, finetune=True, epochs=2, batch_size=8,
                            models_dir=str(e5_models_dir), seed=0)
    return out, report


def test_saved_without_pickle_and_without_the_frozen_embeddings(trained):
    out, report = trained
    assert sorted(p.name for p in out.iterdir()) == ["finetuned.safetensors", "model.json"]
    meta = json.loads((out / "model.json").read_text("utf-8"))
    assert meta["format"] == "needminer.signals.finetuned.v1" and meta["classes"] == ["0", "1"]
    assert report.classes == ("0", "1") and report.n_samples == 48 and report.embedder == "e5-small.v1"
    # the 250k x 384 word-embedding table is not saved: the file holds the rest of the encoder only
    assert (out / "finetuned.safetensors").stat().st_size < 120 * 2**20


def test_round_trip_gives_the_same_probabilities(trained):
    from needminer.signals._finetune import FinetunedModel

    out, _ = trained
    texts = ["粉底液又脱妆了", "大家早上好", "充电器用了一周就坏"]
    first, second = load_model(out), load_model(out)
    assert isinstance(first, FinetunedModel)
    p = first.predict_proba(texts)
    assert p.shape == (3, 2) and np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert np.allclose(p, second.predict_proba(texts), atol=1e-6)


def test_detector_labels_with_the_finetuned_model(trained):
    out, _ = trained
    signals = load_detector(out).detect_texts(["这个粉底液太容易脱妆了", "早上好呀"])
    assert signals[0].need and not signals[1].need


def test_missing_weights_is_a_model_error(trained, tmp_path):
    out, _ = trained
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.json").write_text((out / "model.json").read_text("utf-8"), encoding="utf-8")
    with pytest.raises(ModelError, match="finetuned.safetensors"):
        load_model(broken)


def test_cli_finetune(tmp_path, e5_models_dir):
    from needminer.cli import train

    app = typer.Typer()
    train.register(app)
    app.command("noop")(lambda: None)  # a second command keeps train-detector a named sub-command
    src = tmp_path / "labels.csv"
    with src.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows([(t, "pain") for t in PAIN * 2] + [(t, "noise") for t in CHAT * 2])
    out = tmp_path / "det"
    result = CliRunner().invoke(app, ["train-detector", str(src), "--finetune", "--epochs", "1",
                                      "--models-dir", str(e5_models_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "fine-tuned e5-small.v1" in result.output
    assert load_model(out).classes == ("pain", "noise")  # SignalLabel order
    bad = CliRunner().invoke(app, ["train-detector", str(src), "--finetune", "--embedder", "lite",
                                   "--out", str(tmp_path / "x")])
    assert bad.exit_code != 0 and "--finetune" in bad.output
