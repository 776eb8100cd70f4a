"""The Ray backend: the text, signals and embed stages as Ray Data ``map_batches`` over workers.

Rows travel as pickled records (one message, or one message's fragments) so that nothing is
converted on the way; embedding rows are plain ``text`` → ``vector`` columns. Order is preserved.
The UDFs are tasks; each worker process builds the detector or embedder once and keeps it.
``address`` "" starts a local Ray instance with ``workers`` CPUs (stopped on ``close``); any
other address (``auto``, ``ray://head:10001``) joins that cluster, whose nodes must have the same
needminer version installed and, for a model embedder, the model folder at the same path.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from needminer.config import TextConfig
from needminer.embed import available_threads
from needminer.errors import ConfigError, MissingDependencyError, StageError
from needminer.types import CleanMessage, Fragment, Message, Signal

log = logging.getLogger("needminer.backend")

MESSAGES_PER_BATCH = 1000  # text stage
GROUPS_PER_BATCH = 500  # signals: messages (all their fragments) per batch
TEXTS_PER_BATCH = 256  # embed


def _ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            "The Ray backend needs Ray Data: pip install 'needminer[ray]' (or run with --backend local)."
        ) from exc
    return ray


def _quiet_ray_logs() -> None:
    """Ray's own notices (auth token, progress-bar hints) are not the user's business; errors are."""
    for name in ("ray", "ray.data", "ray.data._internal"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _clean(batch: dict[str, np.ndarray], cleaner: Any) -> dict[str, list[bytes]]:
    """Ray UDF (a task, no state): one batch of pickled messages → pickled clean messages."""
    msgs = [pickle.loads(b) for b in batch["blob"]]
    return {"blob": [pickle.dumps(c, protocol=5) for c in cleaner(msgs)]}


# A Ray worker process runs many tasks: the detector and the embedder are built once per process
# and kept here (tasks, not actors, so that nothing hangs on an actor's restart policy).
_BUILT: dict[str, Any] = {}


def _built(key: str, build: Any) -> Any:
    if key not in _BUILT:
        _BUILT[key] = build()
    return _BUILT[key]


def _detector(name: str) -> Any:
    from needminer.signals import get_detector

    detector = get_detector(name)
    if hasattr(detector, "workers"):
        detector.workers = 1  # Ray gives the parallelism; no forking inside a worker
    return detector


def _detect(batch: dict[str, np.ndarray], detector: str) -> dict[str, list[bytes]]:
    """Ray UDF: rows of one message's fragments each (pickled, so a message stays whole) → signals."""
    groups = [pickle.loads(b) for b in batch["blob"]]
    sigs = _built(f"detector:{detector}", lambda: _detector(detector)).detect([f for g in groups for f in g])
    out, i = [], 0
    for g in groups:
        out.append(pickle.dumps(sigs[i : i + len(g)], protocol=5))
        i += len(g)
    return {"blob": out}


def _embed(batch: dict[str, np.ndarray], spec: dict[str, Any]) -> dict[str, np.ndarray]:
    """Ray UDF: ``text`` → ``vector`` (the embedder built once per worker process)."""
    from needminer.embed import get_embedder

    embedder = _built(f"embedder:{sorted(spec.items())}", lambda: get_embedder(**spec))
    return {"vector": embedder.embed([str(t) for t in batch["text"]])}


class RayBackend:
    """Per-message stages on Ray Data (see the module docstring).

    Args:
        address: "" = start a local Ray instance; otherwise a Ray cluster address.
        workers: Parallel workers per stage; 0 = as many as the Ray CPUs allow.
        threads: CPU threads each embedding worker uses (each worker reserves as many Ray CPUs).
    """

    name = "ray"

    def __init__(self, address: str = "", workers: int = 0, threads: int = 1) -> None:
        if workers < 0 or threads < 1:
            raise ConfigError(f"backend.workers must be >= 0 and backend.threads >= 1; got {workers} and {threads}.")
        self.address, self.threads = address, threads
        ray = _ray()
        self._started = not ray.is_initialized()
        if self._started:
            local = not address
            cpus = (workers * threads if workers else available_threads()) if local else None
            try:
                ray.init(address=address or None, num_cpus=cpus, include_dashboard=False, log_to_driver=False,
                         logging_level=logging.ERROR)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ConfigError(
                    f"Could not start or reach Ray at {address or 'a local instance'}: {type(exc).__name__}. "
                    "Check --ray-address (e.g. auto, or ray://HEAD:10001) or use --backend local."
                ) from exc
        _quiet_ray_logs()
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        cpus_total = int(ray.cluster_resources().get("CPU", 1))
        self.workers = workers or max(1, cpus_total // threads)
        log.info("ray backend: %d worker(s), %d CPU(s) in the cluster", self.workers, cpus_total)

    # -- stages -------------------------------------------------------------------------------
    def clean(self, messages: Callable[[], Iterable[Message]], *, secret: bytes, config: TextConfig) -> list[CleanMessage]:
        from needminer.text import TextCleaner

        cleaner = TextCleaner(messages(), secret=secret, config=config)  # names from the whole run
        rows = [{"blob": pickle.dumps(m, protocol=5)} for m in messages()]
        out = self._map(rows, _clean, {"cleaner": cleaner}, MESSAGES_PER_BATCH, cpus=1, stage="text")
        return [pickle.loads(r["blob"]) for r in out]

    def detect(self, detector: str, fragments: Sequence[Fragment]) -> list[Signal]:
        groups: dict[str, list[int]] = {}
        for i, f in enumerate(fragments):
            groups.setdefault(f.message_id, []).append(i)
        order = list(groups.values())
        rows = [{"blob": pickle.dumps([fragments[i] for i in idx], protocol=5)} for idx in order]
        out = self._map(rows, _detect, {"detector": detector}, GROUPS_PER_BATCH, cpus=1, stage="signals")
        signals: list[Signal | None] = [None] * len(fragments)
        for idx, r in zip(order, out):
            for i, s in zip(idx, pickle.loads(r["blob"])):
                signals[i] = s
        return signals  # type: ignore[return-value]

    def embed(self, embedder: Any, spec: dict[str, Any], texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return embedder.embed([])
        for part in getattr(embedder, "parts", (embedder,)):  # build a model folder once, here
            load = getattr(part, "load", None)
            if callable(load):
                load()
        spec = {**spec, "threads": self.threads}
        out = self._map([{"text": t} for t in texts], _embed, {"spec": spec}, TEXTS_PER_BATCH,
                        cpus=self.threads, stage="embed")
        return np.ascontiguousarray(np.stack([r["vector"] for r in out]), dtype=np.float32)

    def _map(self, rows: list[dict], udf: Any, kwargs: dict[str, Any], batch_size: int, *, cpus: int,
             stage: str) -> list[dict]:
        """``udf(batch, **kwargs)`` over ``rows`` as Ray tasks, at most ``workers`` at a time, in order."""
        ray = _ray()
        if not rows:
            return []
        blocks = max(1, min(len(rows) // batch_size + 1, 4 * self.workers))
        ds = ray.data.from_items(rows, override_num_blocks=blocks)
        ds = ds.map_batches(udf, fn_kwargs=kwargs, batch_size=batch_size, batch_format="numpy", num_cpus=cpus,
                            compute=ray.data.TaskPoolStrategy(size=min(self.workers, blocks)))
        try:
            out = ds.take_all()
        except Exception as exc:  # a worker's error: its type only (a message could quote chat text)
            raise StageError(f"The {stage} stage failed on a Ray worker ({type(exc).__name__}). "
                             "Re-run with --backend local to see the error.") from None
        if len(out) != len(rows):
            raise StageError(f"The {stage} stage lost rows on Ray ({len(out)} of {len(rows)}).")
        return out

    def close(self) -> None:
        if self._started:
            _ray().shutdown()
            self._started = False

    def __enter__(self) -> RayBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

