"""Config: defaults, TOML, dotted overrides and fail-fast validation."""

from __future__ import annotations

import re

import pytest

from needminer.config import PipelineConfig, load_config
from needminer.errors import ConfigError


def test_defaults():
    cfg = load_config()
    assert isinstance(cfg, PipelineConfig)
    assert cfg.embed.embedder == "e5-small+lite"
    assert cfg.ingest.tz == "Asia/Shanghai"
    assert cfg.to_dict()["discover"]["granularity"] == "normal"


def test_toml_and_overrides(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text('seed = 7\n[embed]\nembedder = "lite"\n[rank.weights]\nspeakers = 5\n', encoding="utf-8")
    cfg = load_config(f, {"discover.granularity": "fine", "seed": None})
    assert cfg.seed == 7 and cfg.embed.embedder == "lite" and cfg.discover.granularity == "fine"
    assert cfg.rank.weights["speakers"] == 5 and cfg.rank.weights["chats"] == 1.0  # merged, not replaced


@pytest.mark.parametrize(
    "text, message",
    [
        ("sed = 1\n", "Unknown config key 'sed'"),
        ("[embed]\nbatch_size = 'x'\n", "The config key 'embed.batch_size' must be of type int"),
        ("[discover]\ngranularity = 'huge'\n", "'discover.granularity' must be coarse, normal, fine or an integer"),
        ("[report]\nlang = 'fr'\n", "'report.lang' must be 'zh' or 'en'"),
        ("[embed\n", "is not valid TOML"),
        ("embed = 3\n", "must be a table"),
    ],
)
def test_bad_config(tmp_path, text, message):
    f = tmp_path / "c.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(f)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_override_type_coercion():
    cfg = load_config(overrides={"seed": "3", "text.redact": "false"})
    assert cfg.seed == 3 and cfg.text.redact is False
