"""Fitted need models you can keep and apply, taxonomy overrides, and the ``NeedMiner`` estimator.

``NeedModel`` is a fitted taxonomy (centroids, titles, slots, keywords, config, embedder id),
saved as ``model.safetensors`` + ``model.json``; ``Overrides`` curates a taxonomy (merge, split,
ban, rename, pin); ``NeedMiner`` is the sklearn-style library facade (``from needminer import NeedMiner``).
"""

from __future__ import annotations

from typing import Any

from needminer.model._fit import check_model_dir, fit_need_model
from needminer.model._grow import MIN_CANDIDATE_FRAGMENTS, MIN_CANDIDATE_SPEAKERS, grow_discovery, known_and_new
from needminer.model._need_model import Assignment, KnownNeed, NeedModel, centre_with
from needminer.model._overrides import (
    Curation,
    Overrides,
    SplitRule,
    curate_discovery,
    curate_ranking,
    curate_statements,
)

__all__ = [
    "MIN_CANDIDATE_FRAGMENTS",
    "MIN_CANDIDATE_SPEAKERS",
    "grow_discovery",
    "known_and_new",
    "Assignment",
    "Curation",
    "KnownNeed",
    "NeedMiner",
    "NeedModel",
    "Overrides",
    "SplitRule",
    "centre_with",
    "check_model_dir",
    "curate_discovery",
    "curate_ranking",
    "curate_statements",
    "fit_need_model",
]


def __getattr__(name: str) -> Any:
    # the estimator runs the pipeline: imported on first use, so the pipeline can import this package
    if name == "NeedMiner":
        from needminer.model._miner import NeedMiner

        return NeedMiner
    raise AttributeError(f"module 'needminer.model' has no attribute {name!r}")
