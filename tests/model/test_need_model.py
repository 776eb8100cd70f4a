"""NeedModel: save/load round trip (bitwise-stable assignments), the model's space, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from needminer.discover import centre
from needminer.errors import ModelError
from needminer.model import KnownNeed, NeedModel, centre_with


def _model(blocks=(4, 4), seed=0) -> tuple[NeedModel, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(3, 8)).astype(np.float32)
    vecs = np.vstack([base[i] + 0.1 * rng.normal(size=(10, 8)) for i in range(3)]).astype(np.float32)
    needs = [KnownNeed(id=f"N00000{i}", title=f"需求{i}", keywords=("底妆",), slots={"pain": "卡粉"}, size=10)
             for i in range(3)]
    members = {n.id: list(range(10 * i, 10 * i + 10)) for i, n in enumerate(needs)}
    model = NeedModel.from_clusters(needs, members, vecs, blocks=blocks, embedder="hashing", embedder_id="hashing.v1:d8",
                                    config={"seed": 42}, overrides={"rename": {"N000000": "新名"}})
    return model, vecs


def test_centre_with_training_means_is_discovers_centre():
    _, vecs = _model()
    for blocks in ((4, 4), None):
        np.testing.assert_allclose(centre_with(vecs, vecs.mean(axis=0), blocks), centre(vecs, blocks), atol=1e-6)


def test_assign_finds_the_training_needs():
    model, vecs = _model()
    asg = model.assign(vecs, threshold=-1.0)
    assert asg.need_ids == tuple(f"N00000{i}" for i in range(3) for _ in range(10))
    assert asg.confidence.dtype == np.float32 and (asg.confidence > 0.5).all()


def test_save_load_round_trip_is_bitwise(tmp_path):
    model, vecs = _model()
    model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["model.json", "model.safetensors"]
    loaded = NeedModel.load(tmp_path / "m")
    assert loaded.needs == model.needs and loaded.blocks == model.blocks and loaded.threshold == model.threshold
    assert loaded.overrides == model.overrides and loaded.embedder_id == model.embedder_id
    assert np.array_equal(loaded.centroids, model.centroids) and np.array_equal(loaded.means, model.means)
    new = np.random.default_rng(1).normal(size=(50, 8)).astype(np.float32)
    a, b = model.assign(new), loaded.assign(new)
    assert a.need_ids == b.need_ids
    assert a.confidence.tobytes() == b.confidence.tobytes()
    # no pickle anywhere: JSON and safetensors only
    meta = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    assert meta["format"] == "needminer.need_model" and meta["needs"][0]["title"] == "需求0"
    assert b"pickle" not in (tmp_path / "m" / "model.safetensors").read_bytes()[:200]


def test_below_threshold_is_the_new_pile():
    model, vecs = _model()
    far = -vecs[:3]  # pointing away from every centroid
    asg = model.assign(far)
    assert asg.need_ids == ("", "", "") and all(asg.nearest)


def test_scattered_need_is_never_assigned():
    model, vecs = _model()
    needs = tuple(n if n.id != "N000001" else KnownNeed(id=n.id, scattered=True, size=10) for n in model.needs)
    scattered = NeedModel(needs=needs, centroids=model.centroids, means=model.means, blocks=model.blocks)
    assert "N000001" not in scattered.assign(vecs, threshold=-1.0).need_ids


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda d: None, "does not exist"),
        (lambda d: (d.mkdir(), (d / "model.json").write_text("{}")), "model.safetensors missing"),
        (lambda d: (d.mkdir(), (d / "model.json").write_text("{nope"), (d / "model.safetensors").write_bytes(b"x")),
         "not readable JSON"),
    ],
    ids=["missing", "half", "bad-json"],
)
def test_bad_folder_is_a_model_error(tmp_path, damage, message):
    damage(tmp_path / "m")
    with pytest.raises(ModelError, match=message):
        NeedModel.load(tmp_path / "m")


def test_corrupt_weights_and_other_version(tmp_path):
    model, _ = _model()
    model.save(tmp_path / "m")
    weights = tmp_path / "m" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="corrupt"):
        NeedModel.load(tmp_path / "m")
    model.save(tmp_path / "m")
    meta_path = tmp_path / "m" / "model.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["format_version"] = 99
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="format version 99"):
        NeedModel.load(tmp_path / "m")


def test_embedder_mismatch_and_wrong_width():
    model, _ = _model()
    model.check_embedder("hashing.v1:d8")
    with pytest.raises(ModelError, match="fitted with embedder 'hashing.v1:d8'"):
        model.check_embedder("lite.v1")
    with pytest.raises(ModelError, match=r"expects \(n, 8\)"):
        model.assign(np.zeros((2, 5), dtype=np.float32))


def test_a_text_the_model_was_fitted_on_keeps_the_fits_answer(tmp_path):
    rng = np.random.default_rng(0)
    base = rng.normal(size=(2, 8)).astype(np.float32)
    # rows 0-9 need A, 10-19 need B; row 20 sits in A's region but the fit left it in no need;
    # row 9 is a fringe member of A that lies nearer B's centroid
    vecs = np.vstack([base[0] + 0.1 * rng.normal(size=(10, 8)), base[1] + 0.1 * rng.normal(size=(10, 8)),
                      base[0][None, :]]).astype(np.float32)
    vecs[9] = base[1]
    texts = [f"文本{i}" for i in range(21)]
    needs = [KnownNeed(id="NAAAAAA", size=10), KnownNeed(id="NBBBBBB", size=10)]
    model = NeedModel.from_clusters(needs, {"NAAAAAA": range(10), "NBBBBBB": range(10, 20)}, vecs, texts=texts)
    model.save(tmp_path / "m")
    for m in (model, NeedModel.load(tmp_path / "m")):
        asg = m.assign(vecs, threshold=-1.0, texts=[f" {t} " for t in texts])  # whitespace at the ends ignored
        assert asg.need_ids[:9] == ("NAAAAAA",) * 9 and asg.need_ids[10:20] == ("NBBBBBB",) * 10
        assert asg.need_ids[9] == "NAAAAAA" and asg.nearest[9] == "NBBBBBB"  # the fit's need, not the nearest
        assert asg.need_ids[20] == "" and asg.seen[20]  # the fit left it in no need: not a new-need candidate
        assert all(asg.seen)
        unseen = m.assign(vecs, threshold=-1.0, texts=[t + "?" for t in texts])
        assert not any(unseen.seen) and unseen.need_ids[9] == "NBBBBBB" and unseen.need_ids[20] == "NAAAAAA"
        assert m.assign(vecs, threshold=-1.0).seen == ()  # no texts: nothing is recognised
    assert np.array_equal(NeedModel.load(tmp_path / "m").known_keys, model.known_keys)
    with pytest.raises(ModelError, match="one text per vector"):
        model.assign(vecs, texts=texts[:3])
