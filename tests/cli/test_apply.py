"""`needminer run --save-model` then `needminer apply`: known needs keep their ids, a planted new need
appears as a candidate, overrides are applied and reported, a bad model folder is a clear error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needminer.cli import app

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"

# A need the samples do not hold (cat litter), said by 9 people in a new group.
PLANTED = [
    "家里猫砂盆太臭了，每天铲还是有味道，有没有除臭好的猫砂推荐？",
    "猫砂一直粘底，清理猫砂盆好麻烦，希望有不粘底的猫砂",
    "我家猫砂也是，除臭效果太差了，屋里全是味",
    "有没有不粘底又除臭的猫砂？豆腐猫砂好用吗",
    "猫砂带出来满地都是，踩得到处都是猫砂好烦",
    "想要一个自动铲屎的猫砂盆，上班没时间天天铲猫砂",
    "猫砂盆的味道真的受不了，求除臭猫砂",
    "猫砂粉尘太大了，猫咪一刨就扬灰，希望有无尘猫砂",
    "求推荐除臭不粘底的猫砂，现在用的太臭",
    "每次换猫砂都很累，想要结团好的猫砂",
    "猫砂太臭了，客人来家里都闻得到",
    "有没有猫砂除臭的办法？猫砂盆放阳台还是臭",
]
SENDERS = ["p1", "p2", "p3", "p4", "p5", "p6", "p1", "p7", "p8", "p2", "p9", "p3"]
# hashing vectors (tests only) separate needs far less than e5-small or lite: a stricter threshold
HASHING_THRESHOLD = "0.2"


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> dict:
    """One `run --save-model` on the samples (hashing), shared by the tests of this module."""
    root = tmp_path_factory.mktemp("fit")
    model, out = root / "model", root / "report"
    result = runner.invoke(app, ["run", str(SAMPLES), "--out", str(out), "--embedder", "hashing", "--save-model",
                                 str(model), "--workspace", str(root / "ws"), "--no-progress", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    return {"root": root, "model": model, "needs": {n["id"]: n["title"] for n in summary["needs"]}}


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("grown")
    for f in SAMPLES.glob("*.jsonl"):
        shutil.copy(f, folder / f.name)
    with open(folder / "pet_group.jsonl", "w", encoding="utf-8") as fh:
        for i, (text, sender) in enumerate(zip(PLANTED, SENDERS)):
            rec = {"id": f"pet-{i:03d}", "chat": "养猫交流群", "sender": sender, "sender_name": sender,
                   "time": f"2026-10-{10 + i:02d}T20:{10 + i:02d}:00+08:00", "text": text}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return folder


def _apply(fitted, inputs, out, *extra):
    return runner.invoke(app, ["apply", str(fitted["model"]), *map(str, inputs), "--out", str(out), "--workspace",
                               str(out.parent / (out.name + "-ws")), "--no-progress", "--json", *extra])


def test_model_folder_holds_safetensors_and_json(fitted):
    names = sorted(p.name for p in fitted["model"].iterdir())
    assert names == ["model.json", "model.safetensors"]
    meta = json.loads((fitted["model"] / "model.json").read_text(encoding="utf-8"))
    assert meta["embedder"] == "hashing" and {n["id"] for n in meta["needs"]} >= set(fitted["needs"])
    # the needs as the run reported them (after overrides, with their titles) travel with the model
    assert {n["id"]: n["title"] for n in meta["curated_needs"]} == fitted["needs"]
    # the keyword vocabulary of the fitted corpus (terms said twice or more): a new need's keywords stand out from it
    assert len(meta["vocabulary"]) > 100 and min(meta["vocabulary"].values()) >= 2


def test_apply_on_a_grown_export(fitted, grown, tmp_path):
    result = _apply(fitted, [grown], tmp_path / "rep", "--threshold", HASHING_THRESHOLD)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    needs = {n["id"]: n for n in summary["needs"]}
    known = [i for i in needs if i in fitted["needs"]]
    # known needs keep their ids and titles
    assert len(known) >= 0.8 * len(fitted["needs"])
    assert all(needs[i]["title"] == fitted["needs"][i] for i in known)
    # the planted need is a candidate: a new id whose fragments are mostly the cat-litter messages
    doc = json.loads((tmp_path / "rep" / "needs.json").read_text(encoding="utf-8"))
    planted = [n for n in doc["needs"] if n["id"] in summary["apply"]["candidates"]
               and sum(m.startswith("pet-") for m in n["message_ids"]) >= 6]
    assert len(planted) == 1 and planted[0]["id"] not in fitted["needs"]
    assert {"op": "new"} in planted[0]["curation"]
    manifest = json.loads((tmp_path / "rep" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"]["needs"] >= len(fitted["needs"]) and manifest["apply"]["new_pile"] > 0
    assert "新需求候选" in (tmp_path / "rep" / "briefs.md").read_text(encoding="utf-8")


def test_apply_is_deterministic_and_takes_overrides(fitted, tmp_path):
    ids = list(fitted["needs"])
    top, other, third = ids[0], ids[1], ids[-1]
    ov = tmp_path / "ov.toml"
    ov.write_text(f'[rename]\n{other} = "改过的名字"\n[ban]\nneeds = ["{top}"]\n[pin]\nneeds = ["{third}"]\n',
                  encoding="utf-8")
    runs = [_apply(fitted, [SAMPLES], tmp_path / f"rep{i}", "--overrides", str(ov)) for i in range(2)]
    assert all(r.exit_code == 0 for r in runs), runs[0].output
    second = [json.loads(r.stdout)["needs"] for r in runs]
    assert [(n["id"], n["title"], n["score"]) for n in second[0]] == [(n["id"], n["title"], n["score"]) for n in second[1]]
    needs = second[0]
    assert needs[0]["id"] == third  # pinned on top
    assert top not in {n["id"] for n in needs}  # banned
    renamed = next(n for n in needs if n["id"] == other)
    assert renamed["title"] == "改过的名字"  # rename keeps the id
    manifest = json.loads((tmp_path / "rep0" / "manifest.json").read_text(encoding="utf-8"))
    assert {a["op"] for a in manifest["overrides"]["applied"]} == {"rename", "ban", "pin"}
    doc = json.loads((tmp_path / "rep0" / "needs.json").read_text(encoding="utf-8"))
    assert {"op": "pin"} in doc["needs"][0]["curation"]
    assert "改名" in (tmp_path / "rep0" / "briefs.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "make, code",
    [
        (lambda d: None, 11),
        (lambda d: (d.mkdir(), (d / "model.json").write_text("{broken", encoding="utf-8"),
                    (d / "model.safetensors").write_bytes(b"\0" * 8)), 11),
    ],
    ids=["missing", "corrupt"],
)
def test_bad_model_folder_is_a_clear_error(tmp_path, make, code):
    make(tmp_path / "m")
    result = runner.invoke(app, ["apply", str(tmp_path / "m"), str(SAMPLES), "--out", str(tmp_path / "o"), "--no-progress"])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "model" in result.output.lower()


def test_other_embedder_is_refused(fitted, tmp_path):
    result = _apply(fitted, [SAMPLES], tmp_path / "rep", "--embedder", "lite")
    assert result.exit_code == 11, result.output
    assert "fitted with embedder 'hashing" in result.output


def test_run_with_overrides_and_a_bad_overrides_file(tiny_chat, tmp_path):
    first = runner.invoke(app, ["run", str(tiny_chat), "--out", str(tmp_path / "a"), "--embedder", "hashing",
                                "--no-progress", "--json"])
    assert first.exit_code == 0, first.output
    needs = json.loads(first.stdout)["needs"]
    last = needs[-1]["id"]
    ov = tmp_path / "ov.toml"
    ov.write_text(f'[rename]\n{last} = "新名字"\n[pin]\nneeds = ["{last}"]\n', encoding="utf-8")
    second = runner.invoke(app, ["run", str(tiny_chat), "--out", str(tmp_path / "b"), "--embedder", "hashing",
                                 "--overrides", str(ov), "--no-progress", "--json"])
    assert second.exit_code == 0, second.output
    top = json.loads(second.stdout)["needs"][0]
    assert (top["id"], top["title"], top["rank"]) == (last, "新名字", 1)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["overrides"]["rules"]["rename"] == {last: "新名字"}
    ov.write_text("[frobnicate]\n", encoding="utf-8")
    bad = runner.invoke(app, ["run", str(tiny_chat), "--out", str(tmp_path / "c"), "--embedder", "hashing",
                              "--overrides", str(ov), "--no-progress"])
    assert bad.exit_code == 1 and "Unknown key 'frobnicate'" in bad.output


def test_apply_to_the_fitted_export_reproduces_the_fit(fitted, tmp_path):
    # every text was seen at fit time: no new pile, no candidate new need, the fit's needs
    result = _apply(fitted, [SAMPLES], tmp_path / "same")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["apply"]["candidates"] == [] and summary["apply"]["new_pile"] == 0
    assert summary["apply"]["seen"] > 0
    assert {n["id"] for n in summary["needs"]} <= set(fitted["needs"])
