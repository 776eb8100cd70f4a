"""write_report: the files, the needs.json schema, needs.csv and manifest.json."""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime

import pytest

from needminer.errors import ConfigError
from needminer.report import SCHEMA_VERSION, write_report

from .conftest import CSV_FORMULA, PLANTED_BEYOND_CAP, PLANTED_MANIFEST

NEED_KEYS = {"id", "rank", "title", "statement", "slots", "score", "factors", "speakers", "speaker_ids", "chats",
             "message_ids", "endorsements", "emerging", "trend", "evidence", "keywords", "domain", "signal_mix",
             "period_days"}
EVIDENCE_KEYS = {"message_id", "chat", "sender", "time", "text", "span"}


def test_writes_every_file(report):
    for path in (report.html, report.needs_json, report.briefs_md, report.manifest, *report.extra):
        assert path.is_file() and path.stat().st_size > 0
        assert path.parent == report.out_dir
    assert {p.name for p in report.out_dir.iterdir()} == {"index.html", "needs.json", "briefs.md", "needs.csv",
                                                          "manifest.json"}


def test_creates_nested_out_dir(tmp_path, needs, manifest):
    files = write_report(needs, tmp_path / "a" / "b", manifest=manifest)
    assert files.out_dir.is_dir() and files.html.is_file()


def test_needs_json_schema(report, needs):
    doc = json.loads(report.needs_json.read_text(encoding="utf-8"))
    assert doc["schema"] == SCHEMA_VERSION == 1
    assert datetime.fromisoformat(doc["generated"]).tzinfo is not None
    assert [n["id"] for n in doc["needs"]] == [n.id for n in needs]
    scores = [n["score"] for n in doc["needs"]]
    assert scores == sorted(scores, reverse=True)
    for got, need in zip(doc["needs"], needs):
        assert NEED_KEYS <= set(got)
        assert got["message_ids"] == list(need.message_ids)  # all of them, not just the quoted ones
        assert got["speakers"] == len(need.speakers) and got["speaker_ids"] == list(need.speakers)
        assert got["chats"] == list(need.chats)
        assert got["factors"] == need.factors
        assert got["trend"] == list(need.trend)
        assert len(got["evidence"]) == len(need.evidence)
        for ev in got["evidence"]:
            assert EVIDENCE_KEYS <= set(ev)
            assert ev["time"] is None or datetime.fromisoformat(ev["time"]).tzinfo is not None
        for name, slot in got["slots"].items():
            assert set(slot) == {"text", "fragment_ids"}
            assert slot["text"] == need.statement.slots[name].text


def test_needs_json_keeps_everything_given(report):
    doc = json.loads(report.needs_json.read_text(encoding="utf-8"))
    many = next(n for n in doc["needs"] if n["id"] == "N_many1")
    assert "p-extra" in many["message_ids"] and len(many["message_ids"]) == 251
    assert PLANTED_BEYOND_CAP in report.needs_json.read_text(encoding="utf-8")


def test_manifest_written_verbatim_but_input_names(report, manifest):
    got = json.loads(report.manifest.read_text(encoding="utf-8"))
    assert got["env"]["token"] == PLANTED_MANIFEST
    assert got["config"] == manifest["config"]
    assert got["started"] == str(manifest["started"])  # default=str for non-JSON values
    assert got["inputs"][0]["path"] == "input-1.csv"  # a file name may name a contact
    assert "群聊A" not in report.manifest.read_text(encoding="utf-8")
    assert "群聊A" not in report.html.read_text(encoding="utf-8")


def test_csv_rows_and_formula_injection(report, needs):
    text = report.extra[0].read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["id"] for r in rows] == [n.id for n in needs]
    hostile = rows[1]
    assert hostile["pain"] == "'" + CSV_FORMULA  # a spreadsheet must not evaluate chat text
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values() if v)
    assert rows[2]["messages"] == "251"


def test_empty_needs(tmp_path):
    files = write_report([], tmp_path, manifest={})
    assert json.loads(files.needs_json.read_text(encoding="utf-8"))["needs"] == []
    assert "<html" in files.html.read_text(encoding="utf-8")


def test_unknown_lang_fails_fast(tmp_path, needs):
    with pytest.raises(ConfigError, match=re.escape("must be one of zh, en. Got 'fr' instead")):
        write_report(needs, tmp_path, manifest={}, lang="fr")
    assert not any(tmp_path.iterdir())


def test_rejects_non_ranked_needs(tmp_path):
    with pytest.raises(TypeError, match="item 0 is dict"):
        write_report([{"id": "N1"}], tmp_path, manifest={})  # type: ignore[list-item]


def test_nan_scores_do_not_break_json(tmp_path, needs):
    from dataclasses import replace

    broken = [replace(needs[0], score=float("nan"), factors={"speakers": float("inf")})]
    files = write_report(broken, tmp_path, manifest={})
    doc = json.loads(files.needs_json.read_text(encoding="utf-8"))
    assert doc["needs"][0]["score"] is None and doc["needs"][0]["factors"]["speakers"] is None


def test_schema_md_documents_every_key(report):
    from importlib import resources

    doc_text = resources.files("needminer.report").joinpath("SCHEMA.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|", doc_text, re.M))
    got = json.loads(report.needs_json.read_text(encoding="utf-8"))["needs"][0]
    assert set(got) <= documented
    assert set(got["evidence"][0]) <= documented


def test_public_manifest_hides_input_names() -> None:
    from needminer.report import public_manifest

    raw = {"inputs": [{"path": "/home/pm/与赵敏的聊天记录_13800138000.jsonl", "sha256": "ab"},
                      {"path": "/home/pm/群.zip", "sha256": "cd"}],
           "ingest": {"inputs": [{"path": "/home/pm/群.zip", "messages": 3}]}, "seed": 0}
    out = public_manifest(raw)
    assert [i["path"] for i in out["inputs"]] == ["input-1.jsonl", "input-2.zip"]
    assert out["ingest"]["inputs"][0]["path"] == "input-2.zip"
    assert out["inputs"][0]["sha256"] == "ab" and out["seed"] == 0
    assert "赵敏" in raw["inputs"][0]["path"]  # the caller's manifest is left as it was
