"""Signals stage: label each fragment pain / wish / question / praise / noise / other.

Public API::

    get_detector(name="default") -> Detector      # "rules", "default" or a model folder
    Detector.detect(fragments) -> list[Signal]
    Detector.detect_texts(texts) -> list[Signal]
    score_text(text) -> RuleResult                 # the rule layer alone
    need_likeness(text) -> float                   # cheap need score (endorsement targets)
    train_detector(texts, labels, *, out_dir) -> TrainReport
    load_detector(path) -> Detector
    detect_with_cache(detect, detector, fragments, ws) -> list[Signal]   # per-message cache in a workspace
"""

from needminer.signals._rules import RuleResult, need_likeness, says_wrong, score_text
from needminer.signals._detector import DETECTOR_NAMES, Detector, get_detector, load_detector, train_detector
from needminer.signals._model import TrainReport, normalise_labels, train_model
from needminer.signals._finetune import finetune_model
from needminer.signals._cache import detect_with_cache, detector_digest

__all__ = [
    "DETECTOR_NAMES",
    "Detector",
    "RuleResult",
    "TrainReport",
    "detect_with_cache",
    "detector_digest",
    "finetune_model",
    "get_detector",
    "load_detector",
    "need_likeness",
    "normalise_labels",
    "says_wrong",
    "score_text",
    "train_detector",
    "train_model",
]
