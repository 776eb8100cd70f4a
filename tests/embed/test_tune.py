"""``needminer tune`` / ``tune_encoder``: contrastive fine-tuning saves a folder ``hf:`` loads.

The fast tests tune a tiny random BERT (32 dims, a character tokenizer) on a few dozen rows; the slow
one tunes the real e5-small for a few steps.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from needminer.embed import get_embedder  # noqa: E402
from needminer.embed.tune import CHECKPOINT_DIR, INFO_FILE, retrieval_map, tune_encoder  # noqa: E402
from needminer.errors import ConfigError  # noqa: E402
from tests.embed.conftest import write_tiny_bert  # noqa: E402

TOPICS = {"battery": "电池续航充电慢发热耗电", "screen": "屏幕显示亮度颜色刺眼", "price": "价格太贵优惠便宜划算",
          "space": "空间后排后备箱小挤"}


def _rows(per_label: int = 10) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(0)
    texts, labels = [], []
    for label, chars in TOPICS.items():
        for i in range(per_label):
            texts.append("".join(rng.choice(list(chars), 6)) + f"问题{i}")
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT with a character tokenizer covering the rows' characters."""
    texts, _ = _rows()
    return write_tiny_bert(tmp_path_factory.mktemp("tune-base"), texts, max_length=64)


def _tune(base: Path, out: Path, **kw):
    texts, labels = _rows()
    args = {"base": base, "epochs": 2, "batch_size": 16, "holdout": 0.0, "lr": 1e-3, "threads": 1, "seed": 0, **kw}
    return tune_encoder(texts, labels, out, **args)


def _vectors(folder: Path) -> np.ndarray:
    return get_embedder(f"hf:{folder}", threads=1).embed(_rows()[0])


def test_tune_writes_a_folder_hf_loads_and_changes_the_embeddings(tiny_base: Path, tmp_path: Path) -> None:
    steps = []
    result = _tune(tiny_base, tmp_path / "tuned", progress=lambda done, total: steps.append((done, total)))
    assert result.finished and result.stopped == "epochs"
    assert result.steps == len(steps) > 0 and steps[-1] == (result.steps, result.steps)
    assert not (tmp_path / "tuned" / CHECKPOINT_DIR).exists()  # removed when a run completes
    info = json.loads((tmp_path / "tuned" / INFO_FILE).read_text(encoding="utf-8"))
    assert info["prefix"] == "" and info["n_labels"] == 4 and info["steps"] == result.steps
    assert "电池" not in json.dumps(info, ensure_ascii=False)  # counts and metrics, never the texts
    before, after = _vectors(tiny_base), _vectors(tmp_path / "tuned")
    assert after.shape == before.shape == (40, 32)
    assert np.abs(after - before).max() > 1e-3
    y = np.asarray(_rows()[1])
    assert retrieval_map(after, y) > retrieval_map(before, y)  # same-label texts moved together


def test_a_tuned_folder_keeps_its_base_prefix_and_hf_reads_it(tiny_base: Path, tmp_path: Path) -> None:
    from needminer.embed import get_embedder

    base = tmp_path / "base"
    shutil.copytree(tiny_base, base)
    (base / INFO_FILE).write_text(json.dumps({"prefix": "query: "}), encoding="utf-8")  # a folder tuned from e5
    _tune(base, tmp_path / "again")
    assert json.loads((tmp_path / "again" / INFO_FILE).read_text(encoding="utf-8"))["prefix"] == "query: "
    again, plain = get_embedder(f"hf:{tmp_path / 'again'}"), get_embedder(f"hf:{tiny_base}")
    assert (again.prefix, plain.prefix) == ("query: ", "")
    again.check()
    assert again.model_id.endswith("|prefix=query:") and "prefix" not in plain.model_id


def test_same_seed_same_weights_other_seed_other_weights(tiny_base: Path, tmp_path: Path) -> None:
    _tune(tiny_base, tmp_path / "a", max_steps=3)
    _tune(tiny_base, tmp_path / "b", max_steps=3)
    _tune(tiny_base, tmp_path / "c", max_steps=3, seed=1)
    a, b, c = (_vectors(tmp_path / n) for n in "abc")
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-4


def test_resume_from_checkpoint_gives_the_uninterrupted_weights(tiny_base: Path, tmp_path: Path) -> None:
    full = _tune(tiny_base, tmp_path / "full", holdout=0.2, patience=5)
    part = _tune(tiny_base, tmp_path / "part", holdout=0.2, patience=5, max_steps=2)
    assert part.stopped == "max_steps" and not part.finished
    assert (tmp_path / "part" / CHECKPOINT_DIR).is_dir()
    assert (tmp_path / "part" / "config.json").is_file()  # the best weights so far are usable already
    with pytest.raises(ConfigError, match="--resume"):
        _tune(tiny_base, tmp_path / "part", holdout=0.2, patience=5)
    with pytest.raises(ConfigError, match="other settings seed"):
        _tune(tiny_base, tmp_path / "part", holdout=0.2, patience=5, resume=True, seed=3)
    rest = _tune(tiny_base, tmp_path / "part", holdout=0.2, patience=5, resume=True)
    assert rest.resumed and rest.finished and rest.steps == full.steps
    assert not (tmp_path / "part" / CHECKPOINT_DIR).exists()
    assert rest.best_step == full.best_step and rest.check_best == pytest.approx(full.check_best)
    np.testing.assert_allclose(_vectors(tmp_path / "part"), _vectors(tmp_path / "full"), atol=1e-6)


def test_resume_without_checkpoint_and_foreign_out_dir_are_config_errors(tiny_base: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no checkpoint"):
        _tune(tiny_base, tmp_path / "none", resume=True)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    with pytest.raises(ConfigError, match="not empty"):
        _tune(tiny_base, tmp_path / "mine")


@pytest.mark.parametrize("texts, labels, match", [
    (["a", "b"], ["x"], "one label per text"),
    (["a", "b", "c"], ["x", "x", "x"], "at least two labels"),
    (["a", "b", "c", "d"], ["x", "x", "y", ""], "at least two labels"),
])
def test_too_few_labels_is_a_config_error(texts, labels, match, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=match):
        tune_encoder(texts, labels, tmp_path / "out")


def test_bad_settings_name_the_parameter(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'per_label' parameter"):
        tune_encoder(*_rows(), tmp_path / "out", per_label=1)


# -- CLI ------------------------------------------------------------------------------------
def _csv(path: Path, text_col: str = "text", label_col: str = "need") -> Path:
    texts, labels = _rows()
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([text_col, label_col])
        w.writerows(zip(texts, labels))
    return path


def _invoke(*args: str):
    from typer.testing import CliRunner

    from needminer.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_tune_trains_and_says_how_to_use_it(tiny_base: Path, tmp_path: Path) -> None:
    src = _csv(tmp_path / "labels.csv")
    out = tmp_path / "models" / "mine"
    res = _invoke("tune", str(src), "--label-column", "need", "--out", str(out), "--base", str(tiny_base),
                  "--epochs", "1", "--batch-size", "16", "--holdout", "0", "--threads", "1")
    assert res.exit_code == 0, res.output
    assert f"hf:{out}" in res.output
    assert (out / "config.json").is_file() and (out / INFO_FILE).is_file()
    assert "电池" not in res.output


@pytest.mark.parametrize("extra, message", [
    (["--label-column", "nope"], "Column 'nope' is not in"),
    (["--text-column", "body", "--label-column", "need"], "Column 'body' is not in"),
])
def test_cli_tune_bad_column_is_a_clear_error(extra, message, tmp_path: Path) -> None:
    src = _csv(tmp_path / "labels.csv")
    res = _invoke("tune", str(src), "--out", str(tmp_path / "out"), *extra)
    assert res.exit_code not in (0, 70), res.output
    assert message in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_cli_tune_missing_or_bad_csv_is_a_clear_error(tmp_path: Path) -> None:
    res = _invoke("tune", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "out"))
    assert res.exit_code not in (0, 70) and "does not exist" in res.output
    (tmp_path / "one.csv").write_text("text,label\n电池不行,a\n屏幕太暗,b\n", encoding="utf-8")
    res = _invoke("tune", str(tmp_path / "one.csv"), "--out", str(tmp_path / "out"))
    assert res.exit_code not in (0, 70) and "at least two labels" in res.output, res.output


@pytest.mark.slow
def test_tune_real_e5_small_a_few_steps(e5_models_dir: Path, tmp_path: Path) -> None:
    texts, labels = _rows(8)
    result = tune_encoder(texts, labels, tmp_path / "e5-tuned", models_dir=e5_models_dir, epochs=1, batch_size=16,
                          holdout=0.0, max_steps=2, threads=2)
    assert result.steps == 2
    assert json.loads((tmp_path / "e5-tuned" / INFO_FILE).read_text(encoding="utf-8"))["prefix"] == "query: "
    tuned = get_embedder(f"hf:{tmp_path / 'e5-tuned'}")
    assert tuned.prefix == "query: "  # trained as e5 is used, read back by hf:
    vecs = tuned.embed(texts)
    base = get_embedder(f"hf:{e5_models_dir / 'e5-small'}").embed(texts)
    assert vecs.shape == (len(texts), 384) and np.abs(vecs - base).max() > 1e-4


def test_train_layers_caches_the_frozen_bottom_and_trains_only_the_top(tiny_base: Path, tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    _tune(tiny_base, tmp_path / "top", train_layers=1)
    info = json.loads((tmp_path / "top" / INFO_FILE).read_text(encoding="utf-8"))
    assert info["frozen_layers"] == 1  # the cached path gave the full model's vectors, so it was used
    old, new = load_file(str(tiny_base / "model.safetensors")), load_file(str(tmp_path / "top" / "model.safetensors"))
    assert set(old) <= set(new)
    changed = {k for k in old if not np.array_equal(old[k], new[k])}
    assert changed and all(k.startswith(("encoder.layer.1.", "layer.1.")) for k in changed), sorted(changed)
    assert np.abs(_vectors(tmp_path / "top") - _vectors(tiny_base)).max() > 1e-3


def test_a_limit_between_checks_saves_the_better_of_best_and_current(tiny_base: Path, tmp_path: Path) -> None:
    # one check per epoch; stopping after 1 step leaves the weights unchecked: they are scored before saving
    part = _tune(tiny_base, tmp_path / "part", holdout=0.2, patience=5, max_steps=1)
    assert part.stopped == "max_steps" and part.best_step in (0, 1)
    info = json.loads((tmp_path / "part" / INFO_FILE).read_text(encoding="utf-8"))
    assert info["best_step"] == part.best_step and info["check_map_best"] == part.check_best
