"""One typed configuration for a run: TOML file + CLI overrides, echoed into the manifest.

Example ``needminer.toml``::

    seed = 42
    [embed]
    embedder = "lite"
    [discover]
    granularity = "fine"
    [rank.weights]
    speakers = 2.0

Unknown keys and wrong types fail fast with a ``ConfigError`` that names the key.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from needminer.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass
class IngestConfig:
    """How inputs are read."""

    format: str = "auto"  # a registry name, or "auto" to detect
    tz: str = "Asia/Shanghai"  # zone of naive local times in exports
    mapping: dict[str, str] = field(default_factory=dict)  # generic CSV/JSONL column mapping
    max_message_chars: int = 10_000  # longer messages are cut to this length (and counted)
    max_zip_mb: int = 2048  # total unpacked size of what is read from one zip
    max_zip_members: int = 100_000  # entries in one zip


@dataclass
class TextConfig:
    """Normalisation and privacy."""

    redact: bool = True
    pseudonymise: bool = True
    traditional_to_simplified: bool = True


@dataclass
class ConversationConfig:
    """Threading and fragmenting."""

    session_gap_minutes: float = 30.0
    min_fragment_chars: int = 4


@dataclass
class SignalsConfig:
    """Need-signal detection."""

    detector: str = "default"  # "rules", "default" (shipped model + rules) or a model folder
    min_intensity: float = 0.0


@dataclass
class EmbedConfig:
    """Embedding model."""

    embedder: str = "e5-small+lite"  # e5-small concatenated with USE-m3 (lite): measured best for discovery
    # texts per forward pass: the int8 e5-small embeds 4,000 chat fragments 5 % faster at 64 than at
    # 32 (288 vs 275 sentences/s, vectors identical; 128: 282/s)
    batch_size: int = 64
    threads: int = 0  # 0 = all cores
    models_dir: str = ""  # "" = the per-user model folder $NEEDMINER_HOME/models (built once per user)
    with_context: bool = False


@dataclass
class DiscoverConfig:
    """Need discovery."""

    clusterer: str = "bertopic.v1"
    granularity: str = "normal"  # coarse | normal | fine | an integer target number of needs
    min_cluster_size: int = 0  # 0 = chosen from the corpus size
    reassign_outliers: bool = True
    guide: str = ""  # optional file of known needs (one per line) to seed clusters
    guide_weight: float = 0.5  # how far fragments near a known need are pulled towards it
    guide_threshold: float = 0.3  # similarity (centred cosine) from which a fragment counts as near
    lexical_dims: int = 30  # keyword topics (TF-IDF + SVD) added as a block beside the embeddings (0 = off)
    runs: int = 1  # seeded UMAP -> HDBSCAN runs joined by consensus (1 = a single BERTopic run; see README)
    lexical_weight: float = 0.5  # weight of that block relative to one embedding block (see bench.quality)
    thread_weight: float = 1.0  # pull towards related fragments said nearby in the same thread (0 = off)
    thread_window_minutes: float = 60.0  # how near in time "nearby" is
    incremental: bool = False  # a grown export keeps the workspace's last needs; only new fragments are placed (README)


@dataclass
class DescribeConfig:
    """Need statements."""

    describer: str = "extractive.v1"  # or "llm.v1" (an OpenAI-compatible endpoint you name; off by default)
    llm_base_url: str = ""  # e.g. http://127.0.0.1:8000/v1 (a local server)
    llm_model: str = ""
    llm_api_key_env: str = "OPENAI_API_KEY"  # environment variable holding the key, if any


@dataclass
class RankConfig:
    """Need scoring."""

    weights: dict[str, float] = field(
        default_factory=lambda: {
            "speakers": 3.0,
            "chats": 1.0,
            "endorsements": 1.5,
            "intensity": 1.0,
            "unmet": 1.0,
            "recency": 0.5,
            "growth": 0.5,
            "specificity": 0.5,
        }
    )
    emerging_min_speakers: int = 3
    # A cluster is listed among the needs when at least this many people voice or endorse it and the
    # mean P(need) of its fragments reaches min_need_share; the rest follow every need, marked with why
    # (a private chat's two people, a topic of chatter): see ``needminer.rank``.
    min_people: int = 3
    min_need_share: float = 0.7
    min_title_share: float = 0.15  # a listed need's title is said by at least this share of its distinct lines
    period_days: int = 7
    trend_periods: int = 8  # periods shown in the trend and used for growth, counted back from the newest message


@dataclass
class ReportConfig:
    """Report output."""

    lang: str = "zh"
    max_quotes: int = 8
    parquet: bool = False  # also write needs.parquet and evidence.parquet (needs pyarrow)


@dataclass
class BackendConfig:
    """Where the per-message stages (text, signals, embed) run; see ``needminer.backend``."""

    kind: str = "local"  # "local" (this process) or "ray" (Ray Data map_batches; pip install 'needminer[ray]')
    address: str = ""  # ray: "" starts a local Ray instance; "auto" or "ray://HEAD:10001" joins a cluster
    workers: int = 0  # ray: parallel workers per stage (0 = as many as the Ray CPUs allow)
    threads: int = 1  # ray: CPU threads per embedding worker


@dataclass
class PipelineConfig:
    """Everything a run needs besides its inputs."""

    seed: int = 42  # 0 … 2**32 - 1 (what numpy's and UMAP's seeding accepts)
    workspace: str = ""  # workspace folder; default: one per set of inputs in the user data folder (see store)
    overrides: str = ""  # taxonomy overrides TOML (merge, split, ban, rename, pin; see needminer.model); "" = none
    ingest: IngestConfig = field(default_factory=IngestConfig)
    text: TextConfig = field(default_factory=TextConfig)
    conversation: ConversationConfig = field(default_factory=ConversationConfig)
    signals: SignalsConfig = field(default_factory=SignalsConfig)
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    discover: DiscoverConfig = field(default_factory=DiscoverConfig)
    describe: DescribeConfig = field(default_factory=DescribeConfig)
    rank: RankConfig = field(default_factory=RankConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    backend: BackendConfig = field(default_factory=BackendConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _coerce(path: str, current: Any, value: Any) -> Any:
    """Check ``value`` against the type of the default ``current``."""
    if isinstance(current, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0", "yes", "no"}:
            return value.lower() in {"true", "1", "yes"}
    elif isinstance(current, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
    elif isinstance(current, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
    elif isinstance(current, str):
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
    elif isinstance(current, dict):
        if isinstance(value, dict):
            return {**current, **value}
    kind = type(current).__name__
    raise ConfigError(
        f"The config key '{path}' must be of type {kind}. Got {value!r} instead. "
        "Fix the value in your config file or on the command line."
    )


def _apply(obj: Any, data: dict[str, Any], prefix: str = "") -> None:
    names = {f.name for f in dataclasses.fields(obj)}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key not in names:
            raise ConfigError(
                f"Unknown config key '{path}'. Known keys here: {', '.join(sorted(names))}."
            )
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"The config key '{path}' must be a table (section). Got {value!r}.")
            _apply(current, value, prefix=f"{path}.")
        else:
            setattr(obj, key, _coerce(path, current, value))


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> PipelineConfig:
    """Build a config from defaults, an optional TOML file and dotted overrides.

    Args:
        path: TOML file, or None for the defaults.
        overrides: ``{"embed.embedder": "lite", "seed": 3}``; None values are ignored.

    Returns:
        The validated ``PipelineConfig``.

    Raises:
        ConfigError: The file is missing or not TOML, or a key or value is invalid.
    """
    cfg = PipelineConfig()
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"Config file '{p}' does not exist. Pass an existing TOML file to --config.")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Config file '{p}' is not valid TOML: {exc}. Fix the syntax and retry.") from exc
        _apply(cfg, data)
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        node: dict[str, Any] = {}
        cur = node
        parts = dotted.split(".")
        for part in parts[:-1]:
            cur = cur.setdefault(part, {})
        cur[parts[-1]] = value
        _apply(cfg, node)
    validate_config(cfg)
    return cfg


MAX_SEED = 2**32 - 1

# (dotted key, lowest allowed, highest allowed, lowest included); None = unbounded
_RANGES: tuple[tuple[str, float | None, float | None, bool], ...] = (
    ("conversation.session_gap_minutes", 0, None, False),
    ("conversation.min_fragment_chars", 0, None, True),
    ("signals.min_intensity", 0, 1, True),
    ("embed.batch_size", 1, None, True),
    ("embed.threads", 0, None, True),
    ("backend.workers", 0, None, True),
    ("backend.threads", 1, None, True),
    ("discover.min_cluster_size", 0, None, True),
    ("discover.guide_weight", 0, None, True),
    ("discover.lexical_dims", 0, None, True),
    ("discover.runs", 1, None, True),
    ("discover.lexical_weight", 0, None, True),
    ("discover.thread_weight", 0, None, True),
    ("discover.thread_window_minutes", 0, None, False),
    ("rank.emerging_min_speakers", 1, None, True),
    ("rank.min_people", 1, None, True),
    ("rank.min_need_share", 0, 1, True),
    ("rank.min_title_share", 0, 1, True),
    ("rank.period_days", 1, None, True),
    ("rank.trend_periods", 1, None, True),
    ("report.max_quotes", 1, None, True),
    ("ingest.max_message_chars", 1, None, True),
    ("ingest.max_zip_mb", 1, None, True),
    ("ingest.max_zip_members", 1, None, True),
)


def _get(cfg: PipelineConfig, dotted: str) -> Any:
    node: Any = cfg
    for part in dotted.split("."):
        node = getattr(node, part)
    return node


def _check_range(key: str, value: Any, low: float | None, high: float | None, low_included: bool) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"The config key '{key}' must be a finite number. Got {value!r} instead.")
    too_low = low is not None and (value < low if low_included else value <= low)
    too_high = high is not None and value > high
    if too_low or too_high:
        rng = f"in [{low}, {high}]" if high is not None else (f">= {low}" if low_included else f"> {low}")
        raise ConfigError(f"The config key '{key}' must be {rng}. Got {value!r} instead.")


def validate_config(cfg: PipelineConfig) -> None:
    """Check value ranges that types alone do not capture (every float must also be finite).

    Raises:
        ConfigError: Naming the key, the allowed range and the value received.
    """
    if not (0 <= cfg.seed <= MAX_SEED):
        raise ConfigError(
            f"The config key 'seed' must be an integer in [0, {MAX_SEED}] (2**32 - 1). Got {cfg.seed!r} instead. "
            "Pass a non-negative seed such as --seed 42."
        )
    for key, low, high, low_included in _RANGES:
        _check_range(key, _get(cfg, key), low, high, low_included)
    for section in dataclasses.fields(cfg):
        sub = getattr(cfg, section.name)
        if dataclasses.is_dataclass(sub):
            for f in dataclasses.fields(sub):
                v = getattr(sub, f.name)
                if isinstance(v, float) and not math.isfinite(v):
                    raise ConfigError(
                        f"The config key '{section.name}.{f.name}' must be a finite number. Got {v!r} instead."
                    )
    g = cfg.discover.granularity
    if g not in {"coarse", "normal", "fine"} and not (g.isdigit() and int(g) >= 2):
        raise ConfigError(
            f"The config key 'discover.granularity' must be coarse, normal, fine or an integer >= 2. Got {g!r} instead."
        )
    if cfg.backend.kind not in {"local", "ray"}:
        raise ConfigError(f"The config key 'backend.kind' must be 'local' or 'ray'. Got {cfg.backend.kind!r} instead.")
    if cfg.report.lang not in {"zh", "en"}:
        raise ConfigError(f"The config key 'report.lang' must be 'zh' or 'en'. Got {cfg.report.lang!r} instead.")
    for name, w in cfg.rank.weights.items():
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
            raise ConfigError(f"The rank weight '{name}' must be a finite number >= 0. Got {w!r} instead.")
