"""Keep UMAP's numba-compiled code between runs.

umap-learn compiles most of its numba functions without ``cache=True``, so every process paid the
compile again (about 10 s on the reference machine before the first layout). ``cache_umap_jit``
turns numba's on-disk cache on for those functions, once per process: numba keeps the machine code
in the package's ``__pycache__`` (or its user cache folder when that is not writable) and loads it
in later runs, and recompiles by itself when umap-learn or numba change. Only compiled code is
stored, never data.
"""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger("needminer.discover")

UMAP_MODULES = ("umap.umap_", "umap.layouts", "umap.utils", "umap.spectral", "umap.distances", "umap.sparse")
_DONE: list[bool] = []


def cache_umap_jit() -> int:
    """Turn on numba's disk cache for umap-learn's compiled functions; returns how many (0 when
    numba or umap are missing, or when it already ran in this process)."""
    if _DONE:
        return 0
    _DONE.append(True)
    try:
        from numba.core.dispatcher import Dispatcher
    except ImportError:  # pragma: no cover - umap-learn depends on numba
        return 0
    count = 0
    for name in UMAP_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for value in vars(module).values():
            if isinstance(value, Dispatcher) and value.py_func.__module__ == name and not getattr(value, "_cache", None).__class__.__name__.endswith("FunctionCache"):
                try:
                    value.enable_caching()
                    count += 1
                except Exception as exc:  # a function numba cannot cache (dynamic globals …): compiled as before
                    log.debug("numba cache not enabled for %s.%s (%s)", name, value.py_func.__name__, type(exc).__name__)
    log.debug("numba disk cache enabled for %d umap functions", count)
    return count
