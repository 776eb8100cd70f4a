"""Imports every format-specific reader module so that each registers itself."""

from __future__ import annotations

from needminer.ingest import (  # noqa: F401
    _chatlab,
    _discord,
    _discord_txt,
    _line,
    _memotrace,
    _qq,
    _slack,
    _telegram,
    _wechat,
    _wechat4,
    _whatsapp,
)
