"""Thread smoothing in bounded windows: the same result as the full n×n version on normal threads,
bounded memory on one huge thread."""

from __future__ import annotations

import tracemalloc
from datetime import datetime, timedelta, timezone

import numpy as np

from needminer.discover import thread_smooth
from needminer.types import Fragment

T0 = datetime(2026, 10, 1, tzinfo=timezone.utc)


def _frags(seconds: list[int], threads: list[str]) -> list[Fragment]:
    return [
        Fragment(id=f"f{i}", message_id=f"m{i}", chat="c", speaker="s", text="t", span=(0, 1),
                 thread_id=th, time=T0 + timedelta(seconds=s))
        for i, (s, th) in enumerate(zip(seconds, threads))
    ]


def _unit(n: int, d: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _full_matrix(fragments, vectors, weight, window_minutes):
    """The former O(n²) implementation, kept here as the reference."""
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(fragments):
        if f.thread_id and f.time is not None:
            groups.setdefault(f.thread_id, []).append(i)
    out = vectors.copy()
    for rows in groups.values():
        if len(rows) < 2:
            continue
        ts = np.array([fragments[i].time.timestamp() for i in rows])
        sub = vectors[rows]
        sim = np.clip(sub @ sub.T, 0.0, None)
        sim[np.abs(ts[:, None] - ts[None, :]) > window_minutes * 60] = 0.0
        np.fill_diagonal(sim, 0.0)
        total = sim.sum(axis=1, keepdims=True)
        has = total[:, 0] > 0
        pulled = (sim @ sub) / np.maximum(total, 1e-9)
        out[np.asarray(rows)[has]] = sub[has] + weight * pulled[has]
    return (out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)).astype(np.float32)


def test_same_result_as_the_full_matrix_on_normal_threads():
    rng = np.random.default_rng(1)
    n = 900  # three threads of ~300 fragments, times out of order, several blocks each
    seconds = [int(s) for s in rng.integers(0, 6 * 3600, size=n)]
    threads = [f"t{i % 3}" for i in range(n)]
    frags = _frags(seconds, threads)
    frags[5] = Fragment(id="f5", message_id="m5", chat="c", speaker="s", text="t", span=(0, 1))  # no thread
    vecs = _unit(n, 24)
    got = thread_smooth(frags, vecs, weight=1.0, window_minutes=60)
    want = _full_matrix(frags, vecs, 1.0, 60)
    np.testing.assert_allclose(got, want, atol=1e-6)
    np.testing.assert_allclose(got[5], vecs[5], atol=1e-6)  # left as it was


def test_one_huge_thread_runs_in_bounded_memory():
    n, d = 30_000, 64  # one busy chat without a pause: every fragment in the same thread and hour
    frags = _frags([i // 10 for i in range(n)], ["t"] * n)
    vecs = _unit(n, d, seed=2)
    tracemalloc.start()
    out = thread_smooth(frags, vecs, weight=1.0, window_minutes=60)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert out.shape == (n, d) and np.isfinite(out).all()
    # the full matrix alone would be n² × 8 bytes = 7.2 GB; the windows stay under 100 MB
    assert peak < 100 * 2**20, peak  # its speed: python -m bench.discover_bench
