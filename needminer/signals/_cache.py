"""Signals kept in the workspace, per message, so a re-run or a grown export labels only new text.

A message's signals depend on its fragments' texts alone (each fragment is labelled on its own
text, and whole-message rules read the fragments joined), and on the detector: the cache key is
the fragments' texts, under a digest of the detector's name, its model files, the signals
package's source and needminer's version. Any change there labels every message afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from needminer.store import text_key
from needminer.types import Fragment, Signal, SignalLabel

_PACKAGE = Path(__file__).parent


def detector_digest(name: str) -> str:
    """Digest of what a detector's signals depend on: name, model files, the signals source, version."""
    from needminer import __version__
    from needminer.signals._detector import DEFAULT_MODEL_DIR, DEFAULT_NEED_DIR

    h = hashlib.sha256(f"{__version__}\0{name}".encode())
    files = sorted(_PACKAGE.glob("*.py"))
    if name == "default":
        files += sorted(p for d in (DEFAULT_MODEL_DIR, DEFAULT_NEED_DIR) for p in d.rglob("*") if p.is_file())
    elif name != "rules" and Path(name).is_dir():
        files += sorted(p for p in Path(name).rglob("*") if p.is_file())
    for p in files:
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return "signals:" + h.hexdigest()[:24]


# One message's signals as text: fragments apart by RS, fields by US, cues by GS (none of them is
# in a label, a cue name or a float's repr). Three times faster to write than JSON.
_RS, _US, _GS = "\x1e", "\x1f", "\x1d"
_LABELS = {label.value: label for label in SignalLabel}


def _encode(signals: Sequence[Signal]) -> str:
    return _RS.join(
        f"{s.label.value}{_US}{int(s.need)}{_US}{s.intensity!r}{_US}{int(s.explicit)}{_US}{s.confidence!r}"
        f"{_US}{_GS.join(s.cues)}{_US}{'' if s.need_score is None else repr(s.need_score)}"
        for s in signals
    )


def _decode(value: str, fragment_ids: Sequence[str]) -> list[Signal] | None:
    rows = value.split(_RS)
    if len(rows) != len(fragment_ids):
        return None
    out = []
    for fid, row in zip(fragment_ids, rows):
        label, need, intensity, explicit, confidence, cues, score = row.split(_US)
        out.append(Signal(fid, _LABELS[label], need == "1", float(intensity), explicit == "1", float(confidence),
                          tuple(cues.split(_GS)) if cues else (), float(score) if score else None))
    return out


def detect_with_cache(detect: Callable[[Sequence[Fragment]], list[Signal]], detector: str,
                      fragments: Sequence[Fragment], ws: Any = None) -> list[Signal]:
    """``detect(fragments)``, with the signals of messages labelled before read from ``ws``
    (a ``Workspace``; None: no cache) and those of the others stored there.

    Returns one ``Signal`` per fragment, in order, exactly as ``detect`` alone would."""
    if ws is None or not fragments:
        return detect(fragments)
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(fragments):
        groups.setdefault(f.message_id, []).append(i)
    keys = {mid: text_key("\x1f".join(fragments[i].text for i in idx)) for mid, idx in groups.items()}
    digest = detector_digest(detector)
    cached = ws.get_signals(digest, list(dict.fromkeys(keys.values())))
    out: list[Signal | None] = [None] * len(fragments)
    todo: list[int] = []
    for mid, idx in groups.items():
        hit = cached.get(keys[mid])
        back = _decode(hit, [fragments[i].id for i in idx]) if hit is not None else None
        if back is None:
            todo += idx
            continue
        for i, s in zip(idx, back):
            out[i] = s
    if todo:
        todo.sort()
        fresh = detect([fragments[i] for i in todo])
        for i, s in zip(todo, fresh):
            out[i] = s
        labelled = set(todo)
        ws.put_signals(digest, {keys[mid]: _encode([out[i] for i in idx])  # type: ignore[misc]
                                for mid, idx in groups.items() if idx[0] in labelled})
    return out  # type: ignore[return-value]
