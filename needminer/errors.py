"""Every exception needminer raises, under one ``NeedMinerError`` base.

Messages follow one formula: what was received, what was expected, what to do.
Chat text never goes into a message: name the file, line and field instead.
"""

from __future__ import annotations


class NeedMinerError(Exception):
    """Base class of every error needminer raises on purpose."""


class ConfigError(NeedMinerError, ValueError):
    """A configuration value, CLI option or config file is invalid."""


class IngestError(NeedMinerError, ValueError):
    """An input file could not be read as a chat export."""


class UnknownComponentError(NeedMinerError, KeyError):
    """A registry name (ingester, embedder, clusterer …) is not registered."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class MissingDependencyError(NeedMinerError, ImportError):
    """An optional dependency is not installed."""


class NotFittedError(NeedMinerError, ValueError, AttributeError):
    """An estimator was used before ``fit``."""


class EmptyCorpusError(NeedMinerError, ValueError):
    """There is nothing to work on (no messages, no need-bearing fragments)."""


class ModelError(NeedMinerError, RuntimeError):
    """A model could not be built, found or loaded."""


class StageError(NeedMinerError, RuntimeError):
    """A pipeline stage broke its contract (wrong return type) or failed."""


def unknown_name(kind: str, name: str, available: list[str]) -> UnknownComponentError:
    """Build the error for an unknown registry name, listing what is available."""
    listed = ", ".join(sorted(available)) or "(none)"
    return UnknownComponentError(
        f"Unknown {kind} '{name}'. Available {kind}s: {listed}."
    )


def missing_dependency(package: str, purpose: str, extra: str = "ml") -> MissingDependencyError:
    """Build the error for a missing optional dependency, with the install command."""
    return MissingDependencyError(
        f"{package} is needed for {purpose} but is not installed. "
        f"Install it with: pip install 'needminer[{extra}]' (or `make run`, which sets up everything)."
    )
