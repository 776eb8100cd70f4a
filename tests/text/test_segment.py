"""jieba's dictionary is read once per process and copied into the tokenizers that need their own."""

from __future__ import annotations

from needminer.text import load_jieba
from needminer.text._segment import _pristine_dictionary, fresh_jieba_tokenizer


def test_a_fresh_tokenizer_does_not_see_words_added_to_the_global_dictionary() -> None:
    jieba = load_jieba()
    jieba.add_word("蓝牙耳机盒子", freq=50_000)
    try:
        assert "蓝牙耳机盒子" in jieba.lcut("我的蓝牙耳机盒子坏了")
        own = fresh_jieba_tokenizer()
        assert "蓝牙耳机盒子" not in own.lcut("我的蓝牙耳机盒子坏了")
        assert own.FREQ is not jieba.dt.FREQ and own.FREQ is not _pristine_dictionary()[0]
    finally:
        jieba.del_word("蓝牙耳机盒子")


def test_the_dictionary_is_read_from_disk_once(monkeypatch) -> None:
    import jieba

    _pristine_dictionary()  # read (or already read) once
    def no_second_read(self, dictionary=None):  # noqa: ANN001, ARG001
        raise AssertionError("jieba read its dictionary from disk again")

    monkeypatch.setattr(jieba.Tokenizer, "initialize", no_second_read)
    own = fresh_jieba_tokenizer()
    assert own.lcut("底妆不服帖") and own.total == _pristine_dictionary()[1]
