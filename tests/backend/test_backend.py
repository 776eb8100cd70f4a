"""Backends: the per-message stages give the same output in this process and on Ray (issue 17)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from needminer.backend import LocalBackend, get_backend
from needminer.config import BackendConfig, TextConfig, load_config
from needminer.errors import ConfigError, StageError
from needminer.ingest import iter_sources
from needminer.text import TextCleaner, clean_messages

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


def _sample_messages():
    return [m for src in iter_sources([SAMPLES]) for m in src.messages()]


def test_text_cleaner_in_batches_is_the_whole_text_stage():
    """Names are gathered from every message first, so any split (and a trip through pickle, as
    to a Ray worker) cleans each message exactly as the whole-run stage does."""
    from needminer.types import Message

    # a member named in the first batch who speaks only in the last one
    msgs = [Message(id="x1", chat="妈妈群", sender="u1", sender_name="阿珍", text="@王小虎 你说的那个水壶在哪买的？"),
            *_sample_messages(),
            Message(id="x2", chat="妈妈群", sender="u99", sender_name="王小虎", text="京东就有")]
    assert len(msgs) > 1000
    whole = clean_messages(msgs, secret=b"k" * 32, config=TextConfig())
    cleaner = pickle.loads(pickle.dumps(TextCleaner(msgs, secret=b"k" * 32, config=TextConfig())))
    parts = [c for start in range(0, len(msgs), 333) for c in cleaner(msgs[start : start + 333])]
    assert parts == whole
    assert whole[0].text.startswith("@成员 ")  # resolved from a message 2,400 messages later


def test_unknown_backend_is_a_config_error():
    with pytest.raises(ConfigError, match="backend.kind"):
        load_config(overrides={"backend.kind": "spark"})
    with pytest.raises(ConfigError, match="backend.threads"):
        load_config(overrides={"backend.threads": 0})
    with pytest.raises(ConfigError, match="Unknown backend"):
        get_backend(BackendConfig(kind="spark"))
    assert isinstance(get_backend(BackendConfig()), LocalBackend)


def test_ray_missing_says_what_to_install(monkeypatch):
    import sys

    from needminer.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(MissingDependencyError, match=r"needminer\[ray\]"):
        get_backend(BackendConfig(kind="ray"))


@pytest.fixture(scope="module")
def ray_backend():
    """One local Ray instance with 2 CPUs for the module (as `ray.init(num_cpus=2)`)."""
    pytest.importorskip("ray.data")
    from needminer.backend._ray import RayBackend

    backend = RayBackend(workers=2)
    yield backend
    backend.close()


def test_ray_embedding_is_the_local_embedding(ray_backend):
    from needminer.embed import get_embedder

    texts = [f"第{i}条：{t}" for i, t in enumerate(("水壶太吵了", "希望有个安静的恒温水壶", "推车上飞机怎么办") * 100)]
    spec = {"name": "lite", "models_dir": "", "batch_size": 32, "threads": 1}
    embedder = get_embedder(**spec)
    remote = ray_backend.embed(embedder, spec, texts)
    assert remote.shape == (300, embedder.dim) and remote.dtype == np.float32
    np.testing.assert_allclose(remote, embedder.embed(texts), atol=1e-6)


def test_ray_signals_keep_each_message_whole(ray_backend):
    from needminer.conversation import build_conversation
    from needminer.signals import get_detector

    clean = clean_messages(_sample_messages(), secret=b"k" * 32)
    frags = build_conversation(clean).fragments
    assert ray_backend.detect("default", frags) == get_detector("default").detect(frags)


def test_ray_worker_error_names_the_stage_not_the_text(ray_backend):
    from needminer.types import Fragment

    frag = Fragment(id="m1#0", message_id="m1", chat="c", speaker="s", text="秘密的聊天内容", time=None,
                    thread_id="t1", span=(0, 7))
    with pytest.raises(StageError, match="signals stage failed on a Ray worker") as err:
        ray_backend.detect("/no/such/detector-folder", [frag])
    assert "秘密" not in str(err.value)


def test_run_on_ray_gives_the_local_report(ray_backend, tmp_path):
    """`needminer run --backend ray` on the bundled samples: the same needs, word for word."""
    from needminer.pipeline import run

    docs = {}
    for kind in ("local", "ray"):
        cfg = load_config(overrides={"embed.embedder": "lite", "workspace": str(tmp_path / f"ws-{kind}"),
                                     "backend.kind": kind, "report.parquet": True})
        result = run([SAMPLES], tmp_path / kind, cfg)
        docs[kind] = json.loads((tmp_path / kind / "needs.json").read_text("utf-8"))["needs"]
        assert result.manifest["counts"]["needs"] >= 5
    assert docs["ray"] == docs["local"]
    assert "backend" in result.manifest["timings"]  # starting (here: joining) Ray is timed on its own


def test_cli_names_a_bad_backend(tiny_chat, tmp_path):
    from typer.testing import CliRunner

    from needminer.cli import app

    result = CliRunner().invoke(app, ["run", str(tiny_chat), "--out", str(tmp_path / "r"), "--embedder", "hashing",
                                      "--backend", "spark"])
    assert result.exit_code != 0
    assert "backend.kind" in result.output and "Traceback" not in result.output


def test_apply_does_not_take_the_fit_machines_backend():
    """A model fitted on a Ray cluster (or with Parquet output, incrementally) applies anywhere."""
    from types import SimpleNamespace

    from needminer.apply import apply_config

    fitted = SimpleNamespace(config={"backend": {"kind": "ray", "address": "ray://head:10001", "workers": 8},
                                     "report": {"parquet": True, "lang": "en"}, "discover": {"incremental": True}})
    cfg = apply_config(fitted)
    assert cfg.backend == BackendConfig() and not cfg.report.parquet and not cfg.discover.incremental
    assert cfg.report.lang == "en"  # the model's other settings still come with it
    assert apply_config(fitted, overrides={"backend.kind": "ray"}).backend.kind == "ray"
