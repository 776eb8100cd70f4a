"""Real-chat check: hand labels (need / not-need per message) of three real exports in
``../shared/data/formats`` (see ``README.md`` here; the CSVs hold ids and text hashes only).

Two figures per export:

* ``detector``: per-message macro-F1 of the shipped detector — a message is need-bearing when any
  of its fragments is (the same rule the pipeline uses to pick the fragments it clusters);
* ``precision@10``: ``pipeline.run`` with the defaults on the export; each of the first ten needs
  the report lists counts as a real need when at least half of its labelled member messages are
  labelled need. A scattered group (零散需求) in the first ten counts as not a need. Clusters the rank
  stage does not list (``RankedNeed.below_bar``: too few people, mostly chatter) are not among them;
  how many there were is reported beside (``below_bar``). An export where nothing reaches the bar
  has no precision (``None``): the report lists no need.

Used by ``python -m bench.quality --real`` (and ``python -m bench.real_chat``).
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "data" / "formats"
EXPORTS = {
    "qq_group_2016": ("qq_msgmgr_txt/qq_group_2016_msgmgr_export.txt", "qq_group_2016.labels.csv"),
    "qce_private": ("qq_qce_txt/qce_private_chat.txt", "qce_private.labels.csv"),
    "weflow_private": ("wechat_weflow_txt/weflow_private_chat.txt", "weflow_private.labels.csv"),
}
TOP = 10


@dataclass
class Label:
    need: int
    kind: str
    sha: str


@dataclass
class RealChatResult:
    """Figures of one labelled export."""

    name: str
    messages: int
    positives: int
    mismatched: int
    detector_macro_f1: float
    detector_precision: float
    detector_recall: float
    needs: int = 0
    below_bar: int = 0
    precision_at_10: float | None = None
    top: list[dict] = field(default_factory=list)


def available() -> list[str]:
    """Names of the labelled exports whose chat file is present (``../shared`` beside the checkout)."""
    return [n for n, (path, _) in EXPORTS.items() if (SHARED / path).is_file()]


def read_labels(name: str) -> dict[str, Label]:
    with (HERE / EXPORTS[name][1]).open(encoding="utf-8", newline="") as f:
        return {r["message_id"]: Label(int(r["need"]), r["kind"], r["text_sha1"]) for r in csv.DictReader(f)}


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def message_needs(name: str, detector: object = "default") -> tuple[dict[str, int], dict[str, Label], int]:
    """Detector verdict per labelled message id, the labels, and how many labelled texts no longer match.
    ``detector``: a name for ``get_detector`` or a ``Detector``."""
    from needminer.config import PipelineConfig
    from needminer.conversation import build_conversation
    from needminer.ingest import iter_sources
    from needminer.signals import get_detector
    from needminer.text import clean_messages
    from needminer.types import MessageKind

    labels = read_labels(name)
    cfg = PipelineConfig()
    messages = [m for src in iter_sources([SHARED / EXPORTS[name][0]]) for m in src.messages()]
    texts = {m.id: m.text for m in messages if m.kind is MessageKind.text}
    mismatched = sum(1 for i, lab in labels.items() if i not in texts or _sha(texts[i]) != lab.sha)
    clean = clean_messages(messages, secret=b"real-chat-check", config=cfg.text)
    conv = build_conversation(clean, cfg.conversation)
    det = get_detector(detector) if isinstance(detector, str) else detector
    sigs = det.detect(conv.fragments)
    verdict = {i: 0 for i in labels}
    for f, s in zip(conv.fragments, sigs):
        if f.message_id in verdict and s.need and s.intensity >= cfg.signals.min_intensity:
            verdict[f.message_id] = 1
    return verdict, labels, mismatched


def top_needs(name: str, labels: dict[str, Label], embedder: str | None = None, top: int = TOP) -> tuple[int, int, list[dict]]:
    """Run the pipeline on the export; (needs listed, clusters below the bar, the first ``top`` listed
    needs with their label shares)."""
    from needminer.config import PipelineConfig
    from needminer.pipeline import run

    cfg = PipelineConfig()
    if embedder:
        cfg.embed.embedder = embedder
    with tempfile.TemporaryDirectory() as tmp:
        # a fresh workspace: the figure must not depend on what an earlier run left in the user's
        # default one (a stored discovery, vectors embedded beside other texts: int8 e5-small
        # quantises activations per batch, so a cached vector moves a little with its batch mates)
        cfg.workspace = str(Path(tmp) / "ws")
        result = run([SHARED / EXPORTS[name][0]], Path(tmp) / "out", cfg)
    rows = []
    listed = [n for n in result.needs if not n.below_bar]
    for need in listed[:top]:
        ids = {fid.split("#", 1)[0] for fid in need.fragment_ids}
        labelled = [labels[i] for i in ids if i in labels]
        share = sum(lab.need for lab in labelled) / len(labelled) if labelled else 0.0
        kinds: dict[str, int] = {}
        for lab in labelled:
            kinds[lab.kind] = kinds.get(lab.kind, 0) + 1
        scattered = need.statement.title.startswith("零散需求")
        rows.append({"rank": need.rank, "title": need.statement.title, "messages": len(ids),
                     "speakers": len(need.speakers), "score": need.score,
                     "signal_need_share": need.factors.get("need_share"),
                     "need_share": round(share, 3), "real": bool(share >= 0.5 and not scattered),
                     "kinds": dict(sorted(kinds.items(), key=lambda kv: -kv[1]))})
    return len(listed), len(result.needs) - len(listed), rows


def evaluate(name: str, *, detector: str = "default", embedder: str | None = None, pipeline: bool = True) -> RealChatResult:
    from sklearn.metrics import f1_score, precision_score, recall_score

    verdict, labels, mismatched = message_needs(name, detector)
    ids = sorted(labels)
    y = np.asarray([labels[i].need for i in ids])
    p = np.asarray([verdict[i] for i in ids])
    res = RealChatResult(
        name, len(ids), int(y.sum()), mismatched,
        float(f1_score(y, p, average="macro", zero_division=0)),
        float(precision_score(y, p, zero_division=0)), float(recall_score(y, p, zero_division=0)),
    )
    if pipeline:
        res.needs, res.below_bar, res.top = top_needs(name, labels, embedder)
        if res.top:
            res.precision_at_10 = sum(r["real"] for r in res.top) / len(res.top)
    return res


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Real-chat check: detector macro-F1 and precision@10 on labelled exports")
    ap.add_argument("--detector", default="default")
    ap.add_argument("--embedder", default=None)
    ap.add_argument("--no-pipeline", action="store_true", help="detector figures only")
    args = ap.parse_args()
    names = available()
    if not names:
        print(f"skipped: {SHARED} not found (the real exports live beside the checkout in ../shared)")
        return 0
    for name in names:
        r = evaluate(name, detector=args.detector, embedder=args.embedder, pipeline=not args.no_pipeline)
        print(f"{name}: {r.messages} labelled messages, {r.positives} need; detector macro-F1 "
              f"{r.detector_macro_f1:.3f} (need P {r.detector_precision:.3f} R {r.detector_recall:.3f})"
              + (f"; {r.mismatched} labels no longer match the text" if r.mismatched else ""))
        if not args.no_pipeline:
            print(f"  report: {r.needs} needs listed, {r.below_bar} clusters below the bar"
                  + (f", precision@{len(r.top)} {r.precision_at_10:.2f}" if r.precision_at_10 is not None else ""))
            for row in r.top:
                print(f"   #{row['rank']:<2} {'✓' if row['real'] else '✗'} labelled need share {row['need_share']:.2f} "
                      f"({row['messages']} msgs, {row['speakers']} speakers, score {row['score']:.1f}, "
                      f"need-label share {row['signal_need_share']}) {row['title']}  {row['kinds']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
