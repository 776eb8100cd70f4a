"""Contrastive fine-tuning of the encoder on labelled texts: ``tune_encoder`` (see ``_tune``).

    from needminer.embed.tune import tune_encoder
    result = tune_encoder(texts, labels, "models/my-tuned")   # then --embedder hf:models/my-tuned
"""

from __future__ import annotations

from needminer.embed._tune import CHECKPOINT_DIR, INFO_FILE, TuneResult, TuneSettings, retrieval_map, tune_encoder

__all__ = ["CHECKPOINT_DIR", "INFO_FILE", "TuneResult", "TuneSettings", "retrieval_map", "tune_encoder"]
