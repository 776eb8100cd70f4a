"""Train the shipped default signal detector from our own hand-written data (reproducible).

Usage::

    .venv/bin/python bench/train_default_detector.py [--cv]

Reads ``needminer/signals/resources/train_zh*.csv`` (text,label; all written by the needminer
team, no third-party data: ``train_zh.csv`` short chat lines, ``train_zh_extra.csv`` neutral
informational lines and embedded complaints, ``train_zh_long.csv`` long forum-style replies) and
writes ``needminer/signals/resources/default/`` (model.json +
model.safetensors). ``--cv`` also prints a 5-fold CV macro-F1 on the training data itself.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from needminer.signals import train_detector
from needminer.signals._model import train_model

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "needminer" / "signals" / "resources"
TRAIN = RESOURCES / "train_zh.csv"
OUT = ROOT / "needminer" / "signals" / "resources" / "default"
SEED = 0
# Char 1–4-grams + regex cue features (no jieba word n-grams: they would halve the throughput
# of the default detector for little gain, see bench/signals_bench.py). C is chosen by 3-fold
# inner CV on train_zh.csv only. Only used hash columns are saved, so the model stays small.
PARAMS = {"c": (0.5, 1.0, 2.0, 4.0, 8.0), "seed": SEED, "n_features": 2**18, "cue_weight": 1.0,
          "ngram_range": (1, 4), "word_ngram_range": None, "cue_backend": "regex"}


def read_train(path: Path | None = None) -> tuple[list[str], list[str]]:
    """Texts and labels of one file, or of every ``train_zh*.csv`` (sorted by name) when None."""
    texts, labels = [], []
    for p in [path] if path is not None else sorted(RESOURCES.glob("train_zh*.csv")):
        with p.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        texts += [r["text"] for r in rows]
        labels += [r["label"] for r in rows]
    return texts, labels


def cross_validate(texts: list[str], labels: list[str], k: int = 5) -> float:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    from needminer.signals._detector import Detector

    pred = np.empty(len(texts), dtype=object)
    for tr, te in StratifiedKFold(k, shuffle=True, random_state=SEED).split(texts, labels):
        model, _ = train_model([texts[i] for i in tr], [labels[i] for i in tr], **PARAMS)
        sigs = Detector(model, name="cv").detect_texts([texts[i] for i in te])
        pred[te] = [s.label.value for s in sigs]
    return float(f1_score(labels, list(pred), average="macro"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv", action="store_true", help="also report 5-fold CV macro-F1 on train_zh.csv")
    args = ap.parse_args()
    texts, labels = read_train()
    if args.cv:
        print(f"5-fold CV macro-F1 (six labels, rules+model) on train_zh*.csv: {cross_validate(texts, labels):.3f}")
    report = train_detector(texts, labels, out_dir=OUT, **PARAMS)
    size = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"trained on {report.n_samples} texts {report.label_counts} in {report.seconds}s, C={report.c} "
          f"(inner CV macro-F1 {report.inner_cv_macro_f1}) → {OUT} ({size/1024:.0f} KiB)")


if __name__ == "__main__":
    main()
