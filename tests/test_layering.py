"""Import layering between the pipeline stages (ARCHITECTURE.md, issue 15).

A stage is a package directly under ``needminer/`` (``needminer.text``, ``needminer.discover`` …) or
``needminer/pipeline.py``. Stages import each other only through a package's public ``__init__``
(``from needminer.text import make_vectorizer``), never another stage's private module
(``needminer.discover._vectorizer``), and only downwards, in data-flow order. Shared modules that
are no stage (``types``, ``config``, ``errors``, ``registry`` …) may be imported from anywhere.
Tests and ``bench/`` are no stages: they may reach private modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "needminer"

# Import order: a stage imports only stages listed before it. This is the data flow of
# ARCHITECTURE.md except where a stage uses an earlier-drawn one's code: ingest writes into the
# store's Workspace, fine-tuning the signal model builds embed's e5-small encoder, and threading
# sends an endorsement to the most need-like fragment (signals' need_likeness) — community health,
# which reads threads and signals, lives in conversation.
ORDER = (
    "store",
    "ingest",
    "text",
    "embed",
    "signals",
    "conversation",
    "backend",  # runs text, signals and embed in this process or on Ray (pipeline chooses)
    "discover",
    "describe",
    "rank",
    "report",
    "model",  # a fitted need model, overrides and the NeedMiner facade (pipeline imports it)
    "pipeline",
    "apply",  # needminer apply: the pipeline's stages with a saved model
    "cli",
)
# Upward imports that are known and kept function-local, with the reason. Nothing else may point up,
# and none of these may become a module-level import.
KNOWN_UPWARD: dict[tuple[str, str], str] = {}


def _stage_of_path(path: Path) -> str | None:
    rel = path.relative_to(PACKAGE)
    name = rel.parts[0].removesuffix(".py")
    return name if name in ORDER else None


def _stage_of_module(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "needminer" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ORDER else None


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path):
    """``(target module, line, module_level)`` for every import in a file; ``from a import b`` yields
    ``a.b`` when ``b`` may be a module (a private name), else ``a``."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            nested.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        top = id(node) not in nested
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, top
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = {f"{base}.{alias.name}" if alias.name.startswith("_") else base for alias in node.names}
            for target in sorted(targets):
                yield target, node.lineno, top


def _edges():
    for path in sorted(PACKAGE.rglob("*.py")):
        stage = _stage_of_path(path)
        if stage is None:
            continue
        for target, line, top in _imports(path):
            other = _stage_of_module(target)
            if other is not None and other != stage:
                yield path.relative_to(PACKAGE.parent), line, stage, other, target, top


EDGES = list(_edges())


def test_edges_found():
    # the walk sees the stages at all (a moved package would otherwise pass every check vacuously)
    assert any(e[2] == "describe" and e[3] == "text" for e in EDGES)
    assert any(e[2] == "pipeline" for e in EDGES)


def test_no_private_imports_across_stages():
    bad = [
        f"{where}:{line}: {target}"
        for where, line, timed_stage, _other, target, _top in EDGES
        if any(part.startswith("_") for part in target.split(".")[2:])
    ]
    assert not bad, "import another stage through its package __init__, not its private modules:\n" + "\n".join(bad)


def test_stages_import_downwards_only():
    rank = {s: i for i, s in enumerate(ORDER)}
    bad = []
    for where, line, stage, other, target, top in EDGES:
        if rank[other] < rank[stage]:
            continue
        if (stage, other) in KNOWN_UPWARD and not top:
            continue
        bad.append(f"{where}:{line}: {stage} -> {target}" + ("" if top else " (function-local)"))
    assert not bad, "a stage imports a later stage (see ORDER):\n" + "\n".join(bad)


def test_known_upward_imports_still_exist():
    # an exception nobody needs any more is taken off the list (there is none today)
    for pair in sorted(KNOWN_UPWARD):
        assert any((e[2], e[3]) == pair for e in EDGES), f"{pair} no longer imported: remove it from KNOWN_UPWARD"


def test_stage_graph_is_acyclic_at_module_level():
    graph: dict[str, set[str]] = {}
    for _where, _line, stage, other, _target, top in EDGES:
        if top:
            graph.setdefault(stage, set()).add(other)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                pytest.fail("stage import cycle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
