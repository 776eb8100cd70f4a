"""needminer: mine product needs from community chat exports.

``from needminer import NeedMiner`` gives the scikit-learn style estimator (fit, transform, save,
load; see ``needminer.model``); ``needminer.pipeline.run`` and ``needminer.apply.apply_model`` are
the report-writing entry points behind ``needminer run`` and ``needminer apply``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("needminer")
except PackageNotFoundError:  # a source tree that was never installed (pip install -e . fixes it)
    __version__ = "0+unknown"

if TYPE_CHECKING:
    from needminer.model import NeedMiner, NeedModel

__all__ = ["NeedMiner", "NeedModel", "__version__"]


def __getattr__(name: str) -> Any:
    # imported on first use: `import needminer` (and the CLI's start-up) stays free of numpy and sklearn
    if name in ("NeedMiner", "NeedModel"):
        import needminer.model as model

        return getattr(model, name)
    raise AttributeError(f"module 'needminer' has no attribute {name!r}")
