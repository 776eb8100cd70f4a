"""Where the per-message stages run: in this process (``local``, the default) or on Ray (``ray``).

The text, signals and embed stages handle each message (or text) on its own, so they can run as
Ray Data ``map_batches`` over workers on one machine or a cluster; everything after them (discover,
describe, rank, report) works on the need fragments only and stays in the driver. Both backends
give the same output for the same input: the text stage gathers the names it redacts from the
whole run first (``TextCleaner``), the detector sees every fragment of a message together, and
the default embedder's vectors do not depend on their batch mates.

    from needminer.backend import get_backend
    with get_backend(cfg.backend) as backend:
        clean = backend.clean(lambda: ws.iter_messages(ids), secret=ws.secret, config=cfg.text)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import numpy as np

from needminer.config import BackendConfig, TextConfig
from needminer.errors import ConfigError
from needminer.types import CleanMessage, Fragment, Message, Signal

BACKENDS = ("local", "ray")
# The text stage reads its messages twice (member names first, then each message), so it takes a
# callable that returns a fresh iterable each time: a large export is never held whole in memory.
MessageSource = Callable[[], Iterable[Message]]


class Backend(Protocol):
    """Runs the per-message stages; a context manager (``close`` stops what it started)."""

    name: str

    def clean(self, messages: MessageSource, *, secret: bytes, config: TextConfig) -> list[CleanMessage]:
        """The text stage (``needminer.text.clean_messages``) on ``messages()``, in order."""

    def detect(self, detector: str, fragments: Sequence[Fragment]) -> list[Signal]:
        """One ``Signal`` per fragment, in order, from the detector called ``detector``."""

    def embed(self, embedder: Any, spec: dict[str, Any], texts: Sequence[str]) -> np.ndarray:
        """``embedder.embed(texts)``; a remote backend builds its own copy from ``spec``
        (``get_embedder`` keyword arguments)."""

    def close(self) -> None:
        """Release what the backend started."""

    def __enter__(self) -> Backend: ...

    def __exit__(self, *exc: object) -> None: ...


class LocalBackend:
    """Every stage in this process (the detector forks one worker per core for large batches)."""

    name = "local"

    def clean(self, messages: MessageSource, *, secret: bytes, config: TextConfig) -> list[CleanMessage]:
        from needminer.text import TextCleaner

        return TextCleaner(messages(), secret=secret, config=config)(messages())

    def detect(self, detector: str, fragments: Sequence[Fragment]) -> list[Signal]:
        from needminer.signals import get_detector

        return get_detector(detector).detect(fragments)

    def embed(self, embedder: Any, spec: dict[str, Any], texts: Sequence[str]) -> np.ndarray:
        return embedder.embed(list(texts))

    def close(self) -> None:
        pass

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def get_backend(config: BackendConfig | None = None) -> Backend:
    """The backend ``config.kind`` names (``local`` when None).

    Raises:
        ConfigError: An unknown backend name.
        MissingDependencyError: ``ray`` without Ray Data installed (``pip install 'needminer[ray]'``).
    """
    cfg = config or BackendConfig()
    if cfg.kind == "local":
        return LocalBackend()
    if cfg.kind == "ray":
        from needminer.backend._ray import RayBackend

        return RayBackend(address=cfg.address, workers=cfg.workers, threads=cfg.threads)
    raise ConfigError(f"Unknown backend '{cfg.kind}'. Use one of: {', '.join(BACKENDS)} (--backend).")


__all__ = ["BACKENDS", "Backend", "LocalBackend", "MessageSource", "get_backend"]
