"""bench.run --compare: ratios measured in one call (naive BERTopic path, previous fp32 embedder)."""

from __future__ import annotations

import json

import pytest

from bench import run as bench_run


def _fake_pipeline(folder, ws, out, embedder, seed, planted, incremental=False):
    slow = "fp32" in embedder
    return {"embedder": embedder, "total_s": 20.0 if slow else 10.0, "stages_s": {"embed": 12.0 if slow else 3.0},
            "counts": {"messages": 200}, "recovery": {"nmi": 0.7}, "peak_rss_mb_by_stage": {"embed": 100.0}}


def _fake_naive(records, truth, embedder, *, seed=0):
    return {"total_s": 35.0, "embed_s": 5.0, "topics_s": 30.0, "recovery": {"nmi": 0.6}}


def test_compare_json_carries_ratios(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setattr(bench_run, "run_pipeline", _fake_pipeline)
    monkeypatch.setattr(bench_run, "run_naive", _fake_naive)
    assert bench_run.main(["--messages", "200", "--embedder", "e5-small+lite", "--compare", "naive,previous",
                           "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["speedup"] == 3.5 and out["nmi"] == 0.7 and out["naive_nmi"] == 0.6
    assert out["previous"]["embedder"] == "e5-small-fp32+lite"
    assert out["speedup_vs_previous"] == 2.0 and out["embed_speedup_vs_previous"] == 4.0
    assert {"stages_s", "total_s", "recovery", "naive", "peak_rss_mb_by_stage"} <= set(out)


def test_previous_embedder_names_the_exact_path():
    assert bench_run.previous_embedder("e5-small+lite") == "e5-small-fp32+lite"
    assert bench_run.previous_embedder("e5-small-int8") == "e5-small-fp32"
    assert bench_run.previous_embedder("lite") == "lite"


def test_unknown_compare_is_refused():
    with pytest.raises(SystemExit):
        bench_run.main(["--compare", "fastest"])


@pytest.mark.slow  # the whole pipeline and BERTopic on a tiny export (numba compiles UMAP: ~30 s)
def test_compare_naive_real_run(capsys: pytest.CaptureFixture[str]):
    assert bench_run.main(["--messages", "300", "--embedder", "hashing", "--compare", "naive", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"speedup", "nmi", "naive_nmi", "stages_s", "total_s", "naive"} <= set(out)
    assert out["speedup"] > 0 and 0 <= out["naive_nmi"] <= 1 and 0 <= out["nmi"] <= 1
    assert out["naive"]["messages_embedded"] <= 300


@pytest.mark.slow  # two pipeline runs (the first compiles UMAP with numba: ~17 s)
def test_rerun_reuses_the_stored_discovery(capsys: pytest.CaptureFixture[str]):
    assert bench_run.main(["--messages", "300", "--embedder", "hashing", "--compare", "rerun", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rerun"]["reused"] == ["discover"]
    assert out["rerun_ratio"] is not None and out["rerun_ratio"] > 0
    assert "discover" in out["rerun"]["stages_s"]


@pytest.mark.slow  # three pipeline runs on a tiny export
def test_grow_runs_the_grown_export_incrementally(capsys: pytest.CaptureFixture[str]):
    assert bench_run.main(["--messages", "600", "--embedder", "hashing", "--compare", "grow", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["grow"]["base_messages"] == round(600 / 1.1)
    assert out["grow"]["reused"] == ["discover-incremental"]
    assert out["grow_ratio"] is not None and out["grow_ratio"] > 0
    assert 0 <= out["grow"]["grown_nmi"] <= 1
