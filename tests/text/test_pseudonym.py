"""Keyed speaker pseudonyms."""

from __future__ import annotations

import re

import pytest

from needminer.errors import ConfigError
from needminer.text import Pseudonymizer

PSEUDONYM = re.compile(r"成员-[0-9a-f]{6}")


@pytest.mark.parametrize("key", ["wxid_abc123", "张三", "12345678", "", "user with spaces"])
def test_pseudonym_is_stable_for_the_same_secret(key: str) -> None:
    a, b = Pseudonymizer(b"secret-1"), Pseudonymizer(b"secret-1")
    assert a(key) == b(key) == a(key)
    assert PSEUDONYM.fullmatch(a(key))


@pytest.mark.parametrize("key", ["wxid_abc123", "张三", "12345678"])
def test_pseudonym_differs_for_another_secret(key: str) -> None:
    assert Pseudonymizer(b"secret-1")(key) != Pseudonymizer(b"secret-2")(key)


def test_pseudonym_hides_the_key_and_differs_between_keys() -> None:
    p = Pseudonymizer(b"s")
    names = ["张三", "李四", "王五", "wxid_abc123", "Amy"]
    out = [p(n) for n in names]
    assert len(set(out)) == len(names)
    for name, pseudonym in zip(names, out):
        assert name not in pseudonym


def test_repr_does_not_show_the_secret() -> None:
    assert "topsecret" not in repr(Pseudonymizer(b"topsecret"))


@pytest.mark.parametrize("secret", [b"", "a str secret", None])
def test_bad_secret_is_rejected(secret: object) -> None:
    with pytest.raises(ConfigError, match="must be non-empty bytes"):
        Pseudonymizer(secret)  # type: ignore[arg-type]
