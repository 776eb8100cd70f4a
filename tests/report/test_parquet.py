"""`run --parquet`: needs.parquet and evidence.parquet hold what needs.json holds, typed."""

from __future__ import annotations

import json

import pytest

from needminer.config import load_config
from needminer.pipeline import run


def test_parquet_outputs_match_needs_json(tiny_chat, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    cfg = load_config(overrides={"embed.embedder": "hashing", "workspace": str(tmp_path / "ws"), "report.parquet": True})
    out = tmp_path / "report"
    result = run([tiny_chat], out, cfg)
    assert {p.name for p in result.files.extra} == {"needs.csv", "needs.parquet", "evidence.parquet"}
    doc = json.loads((out / "needs.json").read_text("utf-8"))["needs"]
    needs = pq.read_table(out / "needs.parquet").to_pylist()
    assert [(n["rank"], n["id"], n["title"], n["speakers"], n["message_ids"]) for n in needs] == [
        (n["rank"], n["id"], n["title"], n["speakers"], n["message_ids"]) for n in doc]
    assert all(n["factor_speakers"] == d["factors"]["speakers"] for n, d in zip(needs, doc))
    evidence = pq.read_table(out / "evidence.parquet").to_pylist()
    assert [(e["need_id"], e["message_id"], e["text"], [e["span_start"], e["span_end"]]) for e in evidence] == [
        (n["id"], e["message_id"], e["text"], e["span"]) for n in doc for e in n["evidence"]]
    # the Parquet files are report files: a second run may replace the folder
    run([tiny_chat], out, cfg)


def test_parquet_without_pyarrow_fails_before_the_run(tiny_chat, tmp_path, monkeypatch):
    import sys

    from needminer.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    cfg = load_config(overrides={"embed.embedder": "hashing", "workspace": str(tmp_path / "ws"), "report.parquet": True})
    with pytest.raises(MissingDependencyError, match="pyarrow"):
        run([tiny_chat], tmp_path / "report", cfg)
    assert not (tmp_path / "ws").exists()  # nothing ingested
