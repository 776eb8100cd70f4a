"""Train the shipped default signal detector (reproducible).

Usage::

    .venv/bin/python bench/train_default_detector.py [--cv] [--only label|need]

Two models are written:

* ``needminer/signals/resources/default/`` — the six-label model (pain / wish / question / praise /
  noise / other), trained on ``needminer/signals/resources/train_zh*.csv`` only (text,label; all
  written by the needminer team: ``train_zh.csv`` short chat lines, ``train_zh_extra.csv`` neutral
  informational lines and embedded complaints, ``train_zh_long.csv`` long forum-style replies,
  ``train_zh_domains.csv`` lines across many more domains and registers — campus admin, jobs,
  health, phones, apps, telecom, travel, housing, government services … — with hard negatives).
* ``needminer/signals/resources/need/`` — the need model (need-bearing or not), which decides
  ``Signal.need``: our lines (pain / wish / question = 1, the rest = 0, except the lines listed in
  ``need_overrides.csv``: personal questions between friends such as "你几点下班" are questions but
  not needs) plus every utterance of the
  CPED TV-drama dialogues (``../shared/data/eval/cped_dialogue_acts``, Apache-2.0) as 0 — everyday
  talk, banter and personal questions that carry no product or service need, at 0.2 of the total
  weight of our lines (``CPED_WEIGHT``). CPED is read from ``../shared`` (never copied into the repository); the
  saved weights are hashed n-gram coefficients, not text. Without ``../shared`` the need model is
  not rebuilt.

STC-3 (CC BY 4.0) was tried as a third source and left out: it lowered the macro-F1 on the
labelled real chats (bench/real_chat) from .74 to .69 — its "useful customer turn" includes
follow-ups such as "安卓原生" that are not needs in a chat group. ``--cv`` also prints a 5-fold
CV macro-F1 of the six-label recipe on our own lines.
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
OUT = RESOURCES / "default"
NEED_OUT = RESOURCES / "need"
CPED = ROOT.parent / "shared" / "data" / "eval" / "cped_dialogue_acts" / "utterances.csv"
NEED_LABELS = {"pain", "wish", "question"}
# Total weight of CPED against our lines, chosen on every set at once (need recall on phone
# complaints / medical queries, STC-3 and real-chat macro-F1: python -m bench.eval_detect --lodo;
# precision@10 of the report on the real QQ group: python -m bench.real_chat):
#   weight   real QQ F1   QQ precision@10   phone   medical   STC-3
#   0        .705         –                 .501    .832      .513
#   0.1      .740         .6                .530    .774      .496
#   0.2      .751         .8                .491    .727      .478
#   0.3      .752         .9                .489    .696      .476
#   1.0      .736         .9                .444    .605      .458
# More drama talk makes the model stricter on chat and blinder to needs outside our domains; 0.2
# keeps most of the chat precision for a smaller loss elsewhere.
CPED_WEIGHT = 0.2
SEED = 0
# Char 1–4-grams + regex cue features (no jieba word n-grams: they would halve the throughput
# of the default detector for little gain, see bench/signals_bench.py). C is chosen by 3-fold
# inner CV. Only used hash columns are saved, so the model stays small.
PARAMS = {"c": (0.5, 1.0, 2.0, 4.0, 8.0), "seed": SEED, "n_features": 2**18, "cue_weight": 1.0,
          "ngram_range": (1, 4), "word_ngram_range": None, "cue_backend": "regex"}
NEED_PARAMS = {**PARAMS, "c": (0.5, 2.0, 8.0)}
NOTICE = """# Need model: training data and attribution

`model.safetensors` / `model.json` hold a logistic regression over hashed character n-grams
(no text). It was fitted by `bench/train_default_detector.py` on:

- the needminer team's own lines (`../train_zh*.csv`, pain / wish / question = need);
- the utterances of **CPED** (Chinese Personalised and Emotional Dialogue dataset, TV-drama
  dialogue, https://github.com/scutcyr/CPED, Apache License 2.0), all as "not a need".
  Citation: Chen, Y. et al. *CPED: A Large-Scale Chinese Personalized and Emotional Dialogue
  Dataset for Conversational AI*, arXiv:2205.14727 (2022).

No CPED text is stored in this package.
"""


def read_train(path: Path | None = None) -> tuple[list[str], list[str]]:
    """Texts and labels of one file, or of every ``train_zh*.csv`` (sorted by name) when None."""
    texts, labels = [], []
    for p in [path] if path is not None else sorted(RESOURCES.glob("train_zh*.csv")):
        with p.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        texts += [r["text"] for r in rows]
        labels += [r["label"] for r in rows]
    return texts, labels


def read_overrides() -> dict[str, int]:
    """Need verdicts that differ from the label's (text -> 0/1), from ``need_overrides.csv``."""
    path = RESOURCES / "need_overrides.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {r["text"]: int(r["need"]) for r in csv.DictReader(f)}


def read_cped() -> list[str]:
    """Every CPED utterance (empty when ../shared is absent)."""
    if not CPED.is_file():
        return []
    with CPED.open(encoding="utf-8", newline="") as f:
        return [r["Utterance"] for r in csv.DictReader(f) if (r["Utterance"] or "").strip()]


def need_training(ours: tuple[list[str], list[str]], others: dict[str, list[str]],
                  weight: float = CPED_WEIGHT) -> tuple[list[str], list[int], list[float]]:
    """Texts, 0/1 labels and weights of the need model: our lines, plus not-need sources each
    weighted to ``weight`` times the total of ours."""
    texts, labels = ours
    overrides = read_overrides()
    y = [overrides.get(t, int(lab in NEED_LABELS)) for t, lab in zip(texts, labels)]
    w = [1.0] * len(texts)
    texts = list(texts)
    for extra in others.values():
        if extra:
            texts += extra
            y += [0] * len(extra)
            w += [weight * len(labels) / len(extra)] * len(extra)
    return texts, y, w


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
    ap.add_argument("--only", choices=["label", "need"], default=None, help="train one of the two models")
    args = ap.parse_args()
    texts, labels = read_train()
    if args.cv:
        print(f"5-fold CV macro-F1 (six labels, rules+model) on train_zh*.csv: {cross_validate(texts, labels):.3f}")
    if args.only in (None, "label"):
        report = train_detector(texts, labels, out_dir=OUT, **PARAMS)
        size = sum(p.stat().st_size for p in OUT.iterdir())
        print(f"label model: {report.n_samples} texts {report.label_counts} in {report.seconds}s, C={report.c} "
              f"(inner CV macro-F1 {report.inner_cv_macro_f1}) → {OUT} ({size/1024:.0f} KiB)")
    if args.only in (None, "need"):
        cped = read_cped()
        if not cped:
            print(f"need model not rebuilt: {CPED} not found (the CPED dialogues live beside the checkout in ../shared)")
            return
        nt, ny, nw = need_training((texts, labels), {"cped": cped})
        report = train_detector(nt, ny, out_dir=NEED_OUT, sample_weight=nw, **NEED_PARAMS)
        (NEED_OUT / "NOTICE.md").write_text(NOTICE, encoding="utf-8")
        size = sum(p.stat().st_size for p in NEED_OUT.iterdir())
        print(f"need model: {report.n_samples} texts {report.label_counts} in {report.seconds}s, C={report.c}, "
              f"threshold {report.threshold:.3f} (inner CV macro-F1 {report.inner_cv_macro_f1}) → {NEED_OUT} "
              f"({size/1024:.0f} KiB)")


if __name__ == "__main__":
    main()
