"""Every exception needminer raises, under one ``NeedMinerError`` base.

Messages follow one formula: what was received, what was expected, what to do.
Chat text never goes into a message: name the file, line and field instead.

Each class carries the process exit code the CLI uses for it (``exit_code``), one per kind of
failure, so scripts can tell a bad option from an unreadable input or a busy workspace:

====  =====================================================================
code  meaning
====  =====================================================================
1     bad configuration, option value or component name (``ConfigError``)
2     command-line usage (typer: unknown option, missing argument)
3     an input path is missing or unreadable (``InputError``)
4     an input could not be read as a chat export (``IngestError``)
5     a safety limit was exceeded: zip size or member count (``LimitError``)
6     nothing to work on (``EmptyCorpusError``)
7     the output path cannot be used (``OutputError``)
8     the workspace cannot be opened (``WorkspaceError``)
9     another run holds the workspace (``WorkspaceBusyError``)
10    an optional dependency is missing (``MissingDependencyError``)
11    a model could not be built or loaded (``ModelError``)
70    a stage failed unexpectedly: a bug (``StageError``)
130   interrupted (Ctrl-C)
====  =====================================================================
"""

from __future__ import annotations


class NeedMinerError(Exception):
    """Base class of every error needminer raises on purpose."""

    exit_code = 1


class ConfigError(NeedMinerError, ValueError):
    """A configuration value, CLI option or config file is invalid."""

    exit_code = 1


class IngestError(NeedMinerError, ValueError):
    """An input file could not be read as a chat export."""

    exit_code = 4


class InputError(IngestError):
    """An input path does not exist or cannot be read (permissions, a broken link)."""

    exit_code = 3


class LimitError(IngestError):
    """An input exceeds a safety limit (unpacked zip size, zip member count)."""

    exit_code = 5


class OutputError(NeedMinerError, OSError):
    """The output path cannot be used: it is a file, not writable, or holds unrelated files."""

    exit_code = 7


class WorkspaceError(NeedMinerError):
    """The workspace database could not be opened or written."""

    exit_code = 8


class WorkspaceBusyError(WorkspaceError):
    """Another needminer process holds the workspace."""

    exit_code = 9


class UnknownComponentError(NeedMinerError, KeyError):
    """A registry name (ingester, embedder, clusterer …) is not registered."""

    exit_code = 1

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class MissingDependencyError(NeedMinerError, ImportError):
    """An optional dependency is not installed."""

    exit_code = 10


class NotFittedError(NeedMinerError, ValueError, AttributeError):
    """An estimator was used before ``fit``."""


class EmptyCorpusError(NeedMinerError, ValueError):
    """There is nothing to work on (no messages, no need-bearing fragments)."""

    exit_code = 6


class ModelError(NeedMinerError, RuntimeError):
    """A model could not be built, found or loaded."""

    exit_code = 11


class StageError(NeedMinerError, RuntimeError):
    """A pipeline stage broke its contract (wrong return type) or failed."""

    exit_code = 70


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
