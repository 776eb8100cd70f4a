"""The int8 e5 folder's tokenizer is read from a compact copy written once beside it."""

from __future__ import annotations

import json
from needminer.embed._e5 import compact_tokenizer

DOC = {"model": {"type": "Unigram", "vocab": [["<s>", 0.0], ["▁你好", -3.5]]}, "normalizer": None}


def test_the_compact_copy_is_written_once_and_says_the_same(tmp_path):
    (tmp_path / "tokenizer.json").write_text(json.dumps(DOC, indent=2, ensure_ascii=False), encoding="utf-8")
    first = compact_tokenizer(tmp_path)
    assert first.name == "tokenizer.min.json" and json.loads(first.read_text(encoding="utf-8")) == DOC
    assert first.stat().st_size < (tmp_path / "tokenizer.json").stat().st_size
    stamp = first.stat().st_mtime_ns
    assert compact_tokenizer(tmp_path) == first and first.stat().st_mtime_ns == stamp  # not rewritten


def test_where_the_copy_cannot_be_written_the_original_is_read(tmp_path):
    (tmp_path / "tokenizer.json").write_text(json.dumps(DOC), encoding="utf-8")
    (tmp_path / "tokenizer.min.json").mkdir()  # something else holds the name
    assert compact_tokenizer(tmp_path) == tmp_path / "tokenizer.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokenizer.json", "tokenizer.min.json"]  # no temp file left
