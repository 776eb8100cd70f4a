"""The detection benchmark scores each text by all of its own fragments."""

from __future__ import annotations

from bench.eval_detect import _any_per_text


def test_a_text_with_a_need_in_its_first_fragment_does_not_shift_the_next_texts():
    spans = [[(0, 1), (1, 2)], [(0, 1)], [(0, 1), (1, 2), (2, 3)], [(0, 1)]]
    flags = [True, False, False, False, False, True, False]
    assert _any_per_text(flags, spans) == [True, False, True, False]
