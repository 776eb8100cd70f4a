"""Time parsing: epoch seconds/ms, ISO 8601, and naive local wall-clock times in a source zone.

Every function returns an aware UTC ``datetime``. Naive local times are interpreted in the
configured zone (``Asia/Shanghai`` by default), through a small cache of UTC offsets per local
hour so that a million-line export does not pay a zoneinfo lookup per line.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from needminer.errors import IngestError

UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_fromts = datetime.fromtimestamp

_ISO = re.compile(
    r"\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?\s*$"
)
_NUMBER = re.compile(r"\s*-?\d+(?:\.\d+)?\s*$")


def get_zone(name: str) -> ZoneInfo:
    """Return the ``ZoneInfo`` called ``name`` or raise ``IngestError`` saying what to pass."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise IngestError(
            f"Unknown time zone '{name}'. Expected an IANA zone name such as 'Asia/Shanghai' "
            "or 'UTC'; pass it with --tz."
        ) from exc


_MAX_SECONDS = 253402300799  # 9999-12-31T23:59:59Z, the last second a datetime holds


def from_epoch(value: float) -> datetime:
    """Epoch seconds, milliseconds or microseconds (told apart by magnitude) → aware UTC."""
    v = float(value)
    if v != v or abs(v) == float("inf"):
        raise ValueError("not a finite number")
    if abs(v) >= 1e14:
        v /= 1e6
    elif abs(v) > _MAX_SECONDS:  # milliseconds from 1978 on; 253402300799 stays 9999-12-31T23:59:59
        v /= 1e3
    if not -62135596800 <= v <= _MAX_SECONDS:
        raise ValueError("epoch value out of range")
    if v.is_integer() and v >= 0:
        return _fromts(v, UTC)  # exact for whole seconds, and several times cheaper
    return _EPOCH + timedelta(seconds=v)


class LocalTime:
    """Converts naive local wall-clock fields in one zone to aware UTC datetimes.

    Args:
        tz: IANA zone name of the export's local times.
    """

    def __init__(self, tz: str) -> None:
        self.zone = get_zone(tz)
        self._offsets: dict[tuple[int, int, int, int], timedelta] = {}

    def __call__(self, y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
        """Return the UTC instant of local time y-mo-d h:mi:s (raises ValueError when invalid).

        A time whose UTC instant falls outside the calendar (0001-01-01 00:00 east of UTC) is
        invalid too: the ValueError replaces the OverflowError of the subtraction.
        """
        naive = datetime(y, mo, d, h, mi, s, us)
        key = (y, mo, d, h)
        off = self._offsets.get(key)
        if off is None:
            off = naive.replace(tzinfo=self.zone).utcoffset() or timedelta(0)
            if len(self._offsets) > 100_000:
                self._offsets.clear()
            self._offsets[key] = off
        try:
            return (naive - off).replace(tzinfo=UTC)
        except OverflowError:
            raise ValueError("date out of range") from None

    def naive(self, dt: datetime) -> datetime:
        """Interpret a naive ``datetime`` in this zone (aware ones are just converted)."""
        if dt.tzinfo is not None:
            return dt.astimezone(UTC)
        return self(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond)

    def iso(self, text: str) -> datetime:
        """Parse ISO-8601-like text (``2024-05-01 08:00[:00[.123]]``, ``T``, ``/``, offset optional).

        Raises:
            ValueError: When the text is not such a date-time.
        """
        m = _ISO.match(text)
        if not m:
            raise ValueError("not an ISO 8601 date-time")
        y, mo, d, h, mi, s, frac, zone = m.groups()
        us = int((frac or "0")[:6].ljust(6, "0"))
        fields = (int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), us)
        if zone is None:
            return self(*fields)
        if zone in ("Z", "z", "UTC", "GMT"):
            return datetime(*fields, tzinfo=UTC)
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        off = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        return (datetime(*fields) - sign * off).replace(tzinfo=UTC)

    def flexible(self, value: object) -> datetime:
        """Parse an epoch number (s/ms, number or numeric string) or an ISO 8601 string.

        Raises:
            ValueError: When the value is neither.
        """
        if isinstance(value, bool):
            raise ValueError("a boolean is not a time")
        if isinstance(value, (int, float)):
            return from_epoch(value)
        if isinstance(value, str):
            if _NUMBER.match(value):
                return from_epoch(float(value))
            return self.iso(value)
        raise ValueError(f"a {type(value).__name__} is not a time")
