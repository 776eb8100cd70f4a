"""Keyed, stable speaker pseudonyms (HMAC-SHA256 with a per-workspace secret)."""

from __future__ import annotations

import hashlib
import hmac

from needminer.errors import ConfigError

PREFIX = "成员-"
HEX_CHARS = 6


class Pseudonymizer:
    """Map a sender key to a stable pseudonym such as ``"成员-3fa2c1"``.

    The pseudonym is the first 6 hex digits of HMAC-SHA256(secret, sender_key): the same key
    and secret always give the same pseudonym (across runs and exports), another secret gives
    unrelated ones, and without the secret a pseudonym cannot be traced back by hashing
    candidate names.

    Args:
        secret: Per-workspace secret, non-empty bytes. Keep it out of reports and logs.

    Raises:
        ConfigError: ``secret`` is not non-empty bytes.
    """

    __slots__ = ("_key", "_cache")

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, (bytes, bytearray)) or not secret:
            got = "empty bytes" if isinstance(secret, (bytes, bytearray)) else type(secret).__name__
            raise ConfigError(
                f"The 'secret' parameter of Pseudonymizer must be non-empty bytes. Got {got} instead. "
                "Pass the workspace secret (e.g. os.urandom(32), stored with the workspace)."
            )
        self._key = bytes(secret)
        self._cache: dict[str, str] = {}

    def __call__(self, sender_key: str) -> str:
        """Return the pseudonym of ``sender_key``."""
        pseudonym = self._cache.get(sender_key)
        if pseudonym is None:
            digest = hmac.new(self._key, sender_key.encode("utf-8"), hashlib.sha256).hexdigest()
            pseudonym = self._cache[sender_key] = PREFIX + digest[:HEX_CHARS]
        return pseudonym

    def __repr__(self) -> str:  # never show the secret
        return "Pseudonymizer(secret=***)"
