"""Trainable classifier: train / save / load round trip without pickle, detector lookup, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from needminer.errors import ConfigError, ModelError, UnknownComponentError
from needminer.signals import Detector, get_detector, load_detector, train_detector
from needminer.signals._detector import DEFAULT_MODEL_DIR
from needminer.types import SignalLabel

TEXTS = [
    "粉底太干了总是卡粉", "手机老是闪退", "外卖又送错了", "套餐乱扣费没人管", "推车太重了", "油耗太高了",
    "希望出个小样", "想要不卡粉的粉底", "能不能加夜间模式", "求推荐平价防晒", "建议增加导出功能", "要是能便宜点就好了",
    "早上好", "恭喜发财", "哈哈哈哈", "谢谢", "[捂脸]", "加微信[微信号]领券",
]
LABELS = ["pain"] * 6 + ["wish"] * 6 + ["noise"] * 6
NEED = [1] * 12 + [0] * 6
PROBE = ["粉底液卡粉好烦", "希望能便宜一点", "晚安", "这个APP怎么注销"]


@pytest.mark.parametrize("labels", [LABELS, NEED, [bool(v) for v in NEED], [SignalLabel(v) for v in LABELS]])
def test_round_trip_same_predictions_no_pickle(tmp_path: Path, labels: list) -> None:
    report = train_detector(TEXTS, labels, out_dir=tmp_path / "m", tune_threshold=False)
    assert report.n_samples == len(TEXTS)
    files = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert files == ["model.json", "model.safetensors"]
    assert not any(p.suffix in {".pkl", ".pickle", ".joblib"} for p in tmp_path.rglob("*"))
    det = load_detector(tmp_path / "m")
    again = get_detector(str(tmp_path / "m"))
    a, b = det.detect_texts(PROBE), again.detect_texts(PROBE)
    assert [(s.label, s.need, s.confidence) for s in a] == [(s.label, s.need, s.confidence) for s in b]
    assert a[2].label is SignalLabel.noise  # rules override clear noise
    assert a[0].need and a[1].need


def test_need_model_threshold_is_tuned(tmp_path: Path) -> None:
    report = train_detector(TEXTS * 2, NEED * 2, out_dir=tmp_path / "n")
    assert report.classes == ("0", "1")
    assert 0.2 <= report.threshold <= 0.8
    assert report.inner_cv_macro_f1 is not None


@pytest.mark.parametrize(
    "texts,labels,match",
    [
        (TEXTS, LABELS[:-1], "labels"),
        (TEXTS, ["pain"] * len(TEXTS), "two distinct labels"),
        (TEXTS, ["complaint"] * len(TEXTS), "SignalLabel names"),
    ],
)
def test_bad_training_input(tmp_path: Path, texts: list, labels: list, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        train_detector(texts, labels, out_dir=tmp_path / "x")


def test_unknown_detector_lists_names() -> None:
    with pytest.raises(UnknownComponentError, match="Available detectors: default, rules"):
        get_detector("no-such-detector")


def test_folder_without_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="model.json"):
        load_detector(tmp_path)


def test_default_detector_ships_a_small_model() -> None:
    det = get_detector("default")
    assert isinstance(det, Detector)
    assert det.model is not None, "run bench/train_default_detector.py"
    size = sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir())
    assert size < 8 * 1024 * 1024  # only used hash columns are saved (~142k for 3.2k training texts)
    assert get_detector("rules").model is None


def test_need_scores_shape() -> None:
    scores = get_detector("default").need_scores(PROBE)
    assert scores.shape == (4,)
    assert scores[0] > scores[2]


def test_forked_batches_give_the_serial_result(monkeypatch) -> None:
    """Large batches are split over forked processes; the signals are identical and in order."""
    import multiprocessing

    import needminer.signals._detector as D

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform: batches always run in one process")
    monkeypatch.setattr(D, "PARALLEL_MIN", 20)
    texts = [f"{t}{i}" for i in range(15) for t in ("粉底卡粉了", "求一个不脱妆的", "这个怎么退款？", "早上好", "好用")]
    serial = get_detector("default")
    serial.workers = 1
    forked = get_detector("default")
    forked.workers = 3
    assert D._worker_count(3, len(texts)) == 3
    assert forked.detect_texts(texts) == serial.detect_texts(texts)
    assert D._FORK_STATE is None
