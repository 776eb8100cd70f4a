"""Signals kept per message in the workspace: a re-run labels only what is new, with the same signals."""

from __future__ import annotations

from needminer.signals import detect_with_cache, detector_digest, get_detector
from needminer.store import Workspace
from needminer.types import Fragment

LINES = {
    "m1": ["这个奶瓶总是漏奶", "有没有不漏的推荐？"],
    "m2": ["今天天气不错"],
    "m3": ["红包拿来！运气王出来"],
    "m4": ["希望能出个大容量的款"],
}


def _frags(lines: dict[str, list[str]], run: str = "a") -> list[Fragment]:
    return [Fragment(id=f"{run}-{mid}#{k}", message_id=f"{run}-{mid}", chat="c", speaker="s", text=t, span=(0, len(t)))
            for mid, texts in lines.items() for k, t in enumerate(texts)]


class Spy:
    def __init__(self, name: str = "default") -> None:
        self.detector = get_detector(name)
        self.seen: list[list[str]] = []

    def __call__(self, frags):
        self.seen.append([f.text for f in frags])
        return self.detector.detect(frags)


def test_a_rerun_reads_every_signal_back_and_equals_a_fresh_detection(tmp_path) -> None:
    frags = _frags(LINES)
    fresh = get_detector("default").detect(frags)
    with Workspace(tmp_path / "ws") as ws:
        first, second = Spy(), Spy()
        assert detect_with_cache(first, "default", frags, ws) == fresh
        again = _frags(LINES, run="b")  # other ids, the same texts (a re-imported export)
        out = detect_with_cache(second, "default", again, ws)
    assert second.seen == []
    assert [s.fragment_id for s in out] == [f.id for f in again]
    assert [(s.label, s.need, s.cues, s.need_score) for s in out] == [(s.label, s.need, s.cues, s.need_score) for s in fresh]


def test_only_changed_or_new_messages_are_labelled_again(tmp_path) -> None:
    with Workspace(tmp_path / "ws") as ws:
        detect_with_cache(Spy(), "default", _frags(LINES), ws)
        grown = {**LINES, "m2": ["今天天气不错", "出去走走"], "m5": ["客服一直不处理退款"]}
        spy = Spy()
        out = detect_with_cache(spy, "default", _frags(grown), ws)
    assert spy.seen == [["今天天气不错", "出去走走", "客服一直不处理退款"]]  # m2 changed (whole-message rules read it whole), m5 is new
    assert out == get_detector("default").detect(_frags(grown))


def test_another_detector_does_not_read_the_default_detectors_signals(tmp_path) -> None:
    assert detector_digest("rules") != detector_digest("default")
    with Workspace(tmp_path / "ws") as ws:
        detect_with_cache(Spy(), "default", _frags(LINES), ws)
        spy = Spy("rules")
        out = detect_with_cache(spy, "rules", _frags(LINES), ws)
    assert len(spy.seen) == 1 and out == get_detector("rules").detect(_frags(LINES))


def test_without_a_workspace_nothing_is_kept() -> None:
    spy = Spy()
    assert detect_with_cache(spy, "default", _frags(LINES), None) == get_detector("default").detect(_frags(LINES))
    assert len(spy.seen) == 1
