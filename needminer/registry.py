"""Small versioned-name registries for swappable parts (ingesters, embedders, clusterers …).

A registry maps a versioned name such as ``"generic.jsonl.v1"`` to a factory. Config files and
CLI options name parts by string; an unknown name raises ``UnknownComponentError`` listing the
available ones. Registration happens at import of the stage package, so looking a name up
imports that package first (``ensure``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from needminer.errors import unknown_name

T = TypeVar("T")


class Registry(Generic[T]):
    """A named collection of factories of one kind.

    Args:
        kind: Human name of the kind ("ingester", "embedder" …), used in error messages.
        module: Module whose import registers the built-in entries.
    """

    def __init__(self, kind: str, module: str) -> None:
        self.kind = kind
        self.module = module
        self._entries: dict[str, T] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str, *, aliases: tuple[str, ...] = ()) -> Callable[[T], T]:
        """Decorator registering ``obj`` under ``name`` (and optional short aliases)."""

        def deco(obj: T) -> T:
            if name in self._entries and self._entries[name] is not obj:
                raise ValueError(f"{self.kind} '{name}' is already registered")
            self._entries[name] = obj
            for alias in aliases:
                self._aliases[alias] = name
            return obj

        return deco

    def _ensure(self) -> None:
        importlib.import_module(self.module)

    def resolve(self, name: str) -> str:
        """Return the canonical versioned name for ``name`` (which may be an alias)."""
        self._ensure()
        if name in self._entries:
            return name
        if name in self._aliases:
            return self._aliases[name]
        raise unknown_name(self.kind, name, self.names())

    def get(self, name: str) -> T:
        """Return the entry registered as ``name`` or raise ``UnknownComponentError``."""
        return self._entries[self.resolve(name)]

    def names(self) -> list[str]:
        """All canonical names, sorted."""
        self._ensure()
        return sorted(self._entries)

    def aliases(self) -> dict[str, str]:
        """Alias → canonical name."""
        self._ensure()
        return dict(self._aliases)

    def items(self) -> Iterator[tuple[str, T]]:
        self._ensure()
        yield from sorted(self._entries.items())

    def __contains__(self, name: object) -> bool:
        self._ensure()
        return name in self._entries or name in self._aliases


ingesters: Registry = Registry("ingester", "needminer.ingest")
embedders: Registry = Registry("embedder", "needminer.embed")
clusterers: Registry = Registry("clusterer", "needminer.discover")
describers: Registry = Registry("describer", "needminer.describe")
