"""``Detector``: rules, optionally blended with a trained model, turn fragments into signals."""

from __future__ import annotations

import functools
import multiprocessing
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from needminer.errors import UnknownComponentError
from needminer.signals._cues import NEGATORS, POS_WORDS, TOPIC, compiled
from needminer.signals._model import SignalModel, TrainReport, load_model, train_and_save
from needminer.signals._rules import LABELS, RuleResult, is_need, message_noise, score_text
from needminer.types import NEED_LABELS, Fragment, Signal, SignalLabel

DEFAULT_MODEL_DIR = Path(__file__).parent / "resources" / "default"
# The need head of the default detector: need-bearing or not, trained on our lines plus CPED's
# drama dialogue as not-need (see resources/need/NOTICE.md and bench/train_default_detector.py).
DEFAULT_NEED_DIR = Path(__file__).parent / "resources" / "need"
DETECTOR_NAMES = ("default", "rules")
# Hard noise reasons that also override a researcher's need model (a "+1"-free sticker or an ad
# is never a need); greetings and short chit-chat are left to such a model.
_ALWAYS_NOISE = {"noise.ad", "noise.sticker_only", "noise.mention_only", "noise.red_packet", "noise.bot"}
# Batches at least this large are split over forked worker processes (one per core).
PARALLEL_MIN = 4000
_FORK_STATE: tuple[Detector, list[str], list[str]] | None = None


class Detector:
    """Labels fragments with rule cues, blended with a trained model when one is given.

    Args:
        model: A fitted ``SignalModel``, or None for rules only.
        name: Name shown in manifests ("rules", "default" or the model folder).
        model_weight: Weight of the model's probabilities against the rule distribution
            (six-label models only; a need model decides ``need`` on its own threshold).
        workers: Processes for batches of ``PARALLEL_MIN`` texts or more (None: one per
            available core; 1: never fork). Results do not depend on it.
        need_model: A need-or-not model ("0"/"1") that decides ``Signal.need`` on its own
            threshold, while ``model`` (and the rules) give the label. A fragment the need model
            rejects keeps its label (a chit-chat question is still a question) but is not a need.
    """

    def __init__(self, model: SignalModel | None = None, *, name: str = "rules", model_weight: float = 0.6,
                 workers: int | None = None, need_model: SignalModel | None = None) -> None:
        if need_model is not None and not need_model.is_need_model:
            raise ValueError("need_model must be a need-or-not model (classes '0'/'1')")
        self.model = model
        self.name = name
        self.model_weight = model_weight
        self.workers = workers
        self.need_model = need_model

    def __repr__(self) -> str:
        return (f"Detector(name={self.name!r}, model={'yes' if self.model else 'no'}, "
                f"need_model={'yes' if self.need_model else 'no'})")

    def detect(self, fragments: Sequence[Fragment]) -> list[Signal]:
        """One ``Signal`` per fragment, in order (``fragment_id`` = ``Fragment.id``). Every fragment
        of a message that is noise as a whole (a recruitment advert, a 接龙 chain, a bot notice,
        red-packet chatter: ``message_noise``) is noise."""
        signals = self._signals([f.id for f in fragments], [f.text for f in fragments])
        parts: dict[str, list[int]] = {}
        for i, f in enumerate(fragments):
            parts.setdefault(f.message_id, []).append(i)
        for idx in parts.values():
            reason = message_noise("\n".join(fragments[i].text for i in idx))
            if reason is not None:
                for i in idx:
                    s = signals[i]
                    signals[i] = Signal(s.fragment_id, SignalLabel.noise, False, 0.0, False, 0.9,
                                        (*s.cues, f"noise.{reason}"), 0.0)
        return signals

    def detect_texts(self, texts: Sequence[str]) -> list[Signal]:
        """One ``Signal`` per text, in order (``fragment_id`` = the text's index as a string)."""
        return self._signals([str(i) for i in range(len(texts))], list(texts))

    def need_scores(self, texts: Sequence[str]) -> np.ndarray:
        """P(need) per text (rules alone give a coarse 0.1 / 0.5 / 0.9)."""
        rules = self._rules(texts)
        if self.need_model is not None:
            return self.need_model.predict_proba(list(texts), rules)[:, 1]
        if self.model is None:
            return np.asarray([0.9 if r.need else 0.1 if r.noise_rule else 0.5 for r in rules])
        proba = self.model.predict_proba(list(texts), rules)
        if self.model.is_need_model:
            return proba[:, 1]
        need_cols = [i for i, c in enumerate(self.model.classes) if SignalLabel(c) in NEED_LABELS]
        return proba[:, need_cols].sum(axis=1)

    # -- internals -------------------------------------------------------------------------
    @staticmethod
    def _rules(texts: Sequence[str]) -> list[RuleResult]:
        cache: dict[str, RuleResult] = {}
        out = []
        for t in texts:
            r = cache.get(t)
            if r is None:
                r = cache[t] = score_text(t)
            out.append(r)
        return out

    def _signals(self, ids: list[str], texts: list[str]) -> list[Signal]:
        workers = _worker_count(self.workers, len(texts))
        if workers > 1 and getattr(self.model, "parallel_safe", True):  # a torch model runs its own threads
            return self._signals_forked(ids, texts, workers)
        return self._signals_serial(ids, texts)

    def _signals_forked(self, ids: list[str], texts: list[str], workers: int) -> list[Signal]:
        """Split the batch over forked processes that inherit the loaded model (nothing pickled in)."""
        global _FORK_STATE
        step = -(-len(texts) // workers)
        bounds = [(a, min(a + step, len(texts))) for a in range(0, len(texts), step)]
        _FORK_STATE = (self, ids, texts)
        try:
            with multiprocessing.get_context("fork").Pool(len(bounds)) as pool:
                parts = pool.map(_serial_chunk, bounds)
        finally:
            _FORK_STATE = None
        return [s for part in parts for s in part]

    def _signals_serial(self, ids: list[str], texts: list[str]) -> list[Signal]:
        rules = self._rules(texts)
        memo: dict = {}  # n-gram features shared by the label and need models (same texts)
        if self.model is None:
            out = [_from_rule(i, r) for i, r in zip(ids, rules)]
        elif self.model.is_need_model:
            proba = _proba(self.model, texts, rules, memo)
            return [self._from_need_model(i, r, p[1]) for i, r, p in zip(ids, rules, proba)]
        else:
            out, complaint = self._from_label_model(ids, rules, _proba(self.model, texts, rules, memo))
        if self.need_model is None:
            return out
        if self.model is None:
            complaint = [float(r.need and r.label is not SignalLabel.question) for r in rules]
        p_need = _proba(self.need_model, texts, rules, memo)[:, 1]
        th = self.need_model.threshold
        return [_with_need(s, r, float(p), th, float(c), t) for s, r, p, c, t in zip(out, rules, p_need, complaint, texts)]

    def _from_label_model(self, ids: list[str], rules: list[RuleResult],
                          proba: np.ndarray) -> tuple[list[Signal], np.ndarray]:
        """Blend model probabilities with the rule distribution (vectorised over texts); also
        returns the blended mass on pain and wish per text."""
        blended = (1.0 - self.model_weight) * rule_distributions(rules)
        cols = [LABELS.index(SignalLabel(c)) for c in self.model.classes]
        blended[:, cols] += self.model_weight * proba
        best = blended.argmax(axis=1)
        conf = blended[np.arange(len(ids)), best]
        mass = blended[:, [LABELS.index(lab) for lab in LABELS if lab in NEED_LABELS]].sum(axis=1)
        out = []
        for fid, rule, k, c, m in zip(ids, rules, best.tolist(), conf.tolist(), mass.tolist()):
            if rule.noise_rule:
                out.append(_from_rule(fid, rule))
                continue
            label = LABELS[k]
            need = is_need(label, rule.topical, rule.scores)
            intensity = rule.intensity if label is not SignalLabel.noise else 0.0
            out.append(Signal(fid, label, need, intensity, rule.explicit and need, round(c, 4), rule.cues,
                              round(min(1.0, m), 4)))
        complaint = blended[:, [LABELS.index(SignalLabel.pain), LABELS.index(SignalLabel.wish)]].sum(axis=1)
        return out, complaint

    def _from_need_model(self, fid: str, rule: RuleResult, p_need: float) -> Signal:
        if any(c in _ALWAYS_NOISE for c in rule.cues):
            return _from_rule(fid, rule)
        need = bool(p_need >= self.model.threshold)
        if need:
            label = rule.label if rule.label in NEED_LABELS else _best_need_label(rule)
        else:
            label = rule.label if rule.label not in NEED_LABELS else SignalLabel.other
        conf = p_need if need else 1.0 - p_need
        return Signal(fid, label, need, rule.intensity, rule.explicit and need, round(float(conf), 4), rule.cues,
                      round(float(p_need), 4))


# Pain cues that name a fault of a product or service (死机, 掉线, 客服不处理, 卡粉), as opposed to a
# mood (崩溃, 累) or the body (失眠): behind a pain label they make the fragment a need even where
# the need model, which learnt from drama talk, is unsure of a domain it never saw. Cues that also
# judge people or shows (不靠谱, 垃圾, 不值, 太贵) count only beside a product or service word.
PRODUCT_FAULT = frozenset(f"pain.{n}" for n in ("tech_issue", "service_issue", "makeup_issue"))
PRODUCT_PAIN = frozenset(f"pain.{n}" for n in ("bad_quality", "bad_use", "cost"))


def _with_need(signal: Signal, rule: RuleResult, p_need: float, threshold: float, complaint: float, text: str = "") -> Signal:
    """``signal`` with the need decided by a need model: a fragment is a need when the need model
    says so on its own threshold, or when the mean of its P(need) and the label model's mass on
    pain and wish (``complaint``) is at least one half — the label model speaks for the everyday
    consumer complaints of our own lines that the need model, which also learnt from drama talk,
    is unsure of (questions are left to the need model: whether a question is a need or small talk
    is what it knows), or when a pain label rests on a product or service fault (``PRODUCT_FAULT``,
    or ``PRODUCT_PAIN`` beside a product word), or when a remark that is no question denies a good
    quality of a product word (``dislikes_product``; the label model reads "不是很流畅" as praise).
    Noise rules still win, and an explicit need cue ("要是有…就好了", "最怕的就是…") behind a need label keeps it. The label stands either way: a question the
    model rejects is still a question, and a need-bearing remark the label model calls ``other``
    stays ``other``. ``need_score`` becomes the need model's P(need)."""
    if rule.noise_rule:
        return signal
    product = signal.label is SignalLabel.pain and any(
        c in PRODUCT_FAULT or (c in PRODUCT_PAIN and rule.topical) for c in rule.cues)
    if not product and signal.label is not SignalLabel.question and rule.topical:
        product = dislikes_product(text)
    need = p_need >= threshold or (p_need + complaint) / 2 >= 0.5 or (signal.need and rule.explicit) or product
    return Signal(signal.fragment_id, signal.label, need, signal.intensity, rule.explicit and need,
                  signal.confidence, signal.cues, round(min(1.0, max(0.0, p_need)), 4))


def dislikes_product(text: str) -> bool:
    """Whether ``text`` denies a good quality right after a negator ("不是很好", "不太方便", "不够灵敏")
    beside a product or service word that is not part of the denial ("这种人不值得": 值得 is). Complaint
    clauses say this of an aspect ("散热不是很好", "系统不是很流畅") where neither model is sure: on
    phone complaint clauses need recall 0.509 -> 0.517, STC-3 0.540 -> 0.541, no other set or real
    chat changed, and the car posts' need-vs-negative macro-F1 stays 0.501; 21 of our 5,198 lines
    (long hands-on accounts) and 6 of 20,000 CPED lines would be read as needs whole. Yes-no
    questions (值不值得), double negation (不是不好) and denials that are no complaint (不清楚, 没明显,
    没准) do not count."""
    for m in _NEG_POS().finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        if before and before in (m.group("gap"), m.group("good")[0]):
            continue  # a yes-no question: 值不值得, 装没装好
        if _PRODUCT().search(text[: m.start()] + "\0" + text[m.end():]):
            return True
    return False


# Good qualities whose denial is no complaint: 不清楚 (do not know), 没明显 (not noticeable), 没准 (maybe).
_NOT_DENIED = frozenset({"清楚", "明显", "准"})


@functools.cache
def _NEG_POS() -> re.Pattern:  # noqa: N802
    """A negator right before a good quality, at most one character apart (不太好用, 不够灵敏)."""
    negators = "|".join(sorted(map(re.escape, NEGATORS), key=len, reverse=True))
    goods = "|".join(sorted((re.escape(w) for w in POS_WORDS if w not in _NOT_DENIED), key=len, reverse=True))
    return re.compile(f"(?<!不是)(?<!并非)(?:{negators})(?P<gap>[^，。！？,.!?；;\\s]?)(?P<good>{goods})")


@functools.cache
def _PRODUCT() -> re.Pattern:  # noqa: N802
    return compiled(TOPIC)


def _proba(model, texts: list[str], rules: list[RuleResult], memo: dict) -> np.ndarray:
    """``model.predict_proba``, sharing n-gram features through ``memo`` when the model can (a
    fine-tuned encoder has no n-grams to share)."""
    if isinstance(model, SignalModel):
        return model.predict_proba(texts, rules, memo=memo)
    return model.predict_proba(texts, rules)


def _worker_count(workers: int | None, n: int) -> int:
    """How many processes label ``n`` texts: 1 for small batches or where fork is unavailable."""
    if n < PARALLEL_MIN or workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(workers, n // (PARALLEL_MIN // 2)))


def _serial_chunk(bounds: tuple[int, int]) -> list[Signal]:
    """Worker body: label one slice of the batch the parent stored before forking."""
    detector, ids, texts = _FORK_STATE
    a, b = bounds
    return detector._signals_serial(ids[a:b], texts[a:b])


def rule_distributions(rules: Sequence[RuleResult]) -> np.ndarray:
    """Rule probabilities over ``LABELS`` for many texts, shape (n, 6) (see ``RuleResult.distribution``)."""
    names = [lab.value for lab in LABELS]
    other = LABELS.index(SignalLabel.other)
    logits = 2.0 * np.asarray([[r.scores.get(n, 0.0) for n in names] for r in rules], dtype=np.float64).reshape(-1, 6)
    logits[:, other] = [1.0 if r.label is SignalLabel.other else 0.3 for r in rules]
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def _best_need_label(rule: RuleResult) -> SignalLabel:
    order = (SignalLabel.wish, SignalLabel.pain, SignalLabel.question)
    best = max(order, key=lambda lab: (rule.scores.get(lab.value, 0.0), -order.index(lab)))
    return best if rule.scores.get(best.value, 0.0) > 0 else SignalLabel.pain


def _from_rule(fid: str, rule: RuleResult) -> Signal:
    intensity = rule.intensity if rule.label is not SignalLabel.noise else 0.0
    return Signal(fid, rule.label, rule.need, intensity, rule.explicit and rule.need, rule.confidence, rule.cues)


def load_detector(path: str | Path) -> Detector:
    """A detector from a model folder written by ``train_detector`` (rules blended in).

    Raises:
        ModelError: The folder is not a model folder or cannot be read.
    """
    return Detector(load_model(path), name=str(path))


def get_detector(name: str = "default") -> Detector:
    """Look up a detector by name.

    Args:
        name: "rules" (cue rules only), "default" (rules + the shipped label model, with the
            shipped need model deciding which fragments are needs; rules alone where the
            models are absent) or the path of a model folder.

    Raises:
        UnknownComponentError: ``name`` is neither a known name nor an existing folder.
        ModelError: The folder exists but holds no readable model.
    """
    if name == "rules":
        return Detector(None, name="rules")
    if name == "default":
        model = load_model(DEFAULT_MODEL_DIR) if (DEFAULT_MODEL_DIR / "model.json").is_file() else None
        need = load_model(DEFAULT_NEED_DIR) if (DEFAULT_NEED_DIR / "model.json").is_file() else None
        return Detector(model, name="default", need_model=need)
    if Path(name).is_dir():
        return load_detector(name)
    raise UnknownComponentError(
        f"Unknown detector '{name}'. Available detectors: {', '.join(DETECTOR_NAMES)}, "
        "or the path of a folder written by train_detector."
    )


def train_detector(texts: Sequence[str], labels: Sequence[object], *, out_dir: str | Path, **kwargs) -> TrainReport:
    """Train the n-gram + cue logistic regression and save it (no pickle).

    Args:
        texts: Training texts (fragments or short messages).
        labels: One per text: SignalLabel names ("pain", "wish", …) for a six-way model, or
            need 0/1 (ints, bools or "0"/"1") for a need model.
        out_dir: Folder to write ``model.json`` and ``model.safetensors`` into.
        **kwargs: ``finetune=True`` fine-tunes the e5-small encoder with a linear head instead (slow,
            opt-in; ``models_dir``, ``epochs``, ``batch_size``, ``lr``, ``max_length``, ``seed``, see
            ``needminer.signals._finetune.finetune_model``). Otherwise:
            ``c`` (one value or a grid; default: chosen from (0.5, 2, 8) by 3-fold inner CV),
            ``ngram_range`` (char, default (1, 4)), ``word_ngram_range`` (jieba words, e.g. (1, 2);
            default None), ``cue_backend`` ("regex" or "spacy": spaCy Matcher over jieba tokens),
            ``embedder`` (e.g. "lite": sentence vectors as an extra block), ``seed``,
            ``n_features``, ``cue_weight``, ``tune_threshold``.

    Returns:
        A ``TrainReport``; load the model with ``load_detector(out_dir)``.

    Raises:
        ConfigError: Texts and labels differ in length, or labels are invalid / a single class.
    """
    return train_and_save(texts, labels, out_dir, **kwargs)


__all__ = ["DETECTOR_NAMES", "Detector", "get_detector", "load_detector", "train_detector"]
