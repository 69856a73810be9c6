"""Time values of the fake service: ISO 8601 parsing and AWS renderings, in integer microseconds.

The fake keeps every instant as integer microseconds since the Unix epoch (UTC), so sorting and
filtering never meet float rounding or naive datetimes. This module is deliberately independent of
the client's ``_decode``/``_serialize`` helpers: the fake is a test oracle, and sharing the code
under test with the oracle would hide the client's bugs.

Imports only the standard library (and the signer's ``X-Amz-Date`` formatter).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .._sigv4 import format_amz_date as sigv4_amz_date

__all__ = [
    "MICROS_PER_SECOND",
    "format_amz_date",
    "format_timestamp",
    "from_datetime",
    "parse_amz_date",
    "parse_timestamp",
    "to_datetime",
]

MICROS_PER_SECOND = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# RFC 3339 date-time: what a Smithy ``iso8601`` timestamp in a query string must look like.
_ISO_RE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}:\d{2})"
    r"(?:\.(?P<frac>\d{1,9}))?"
    r"(?P<zone>[Zz]|[+-]\d{2}:\d{2})"
)
_AMZ_DATE_RE = re.compile(r"\d{8}T\d{6}Z")


def from_datetime(value: datetime) -> int:
    """Microseconds since the epoch for an aware datetime (a naive one is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * MICROS_PER_SECOND + delta.microseconds


def to_datetime(micros: int) -> datetime:
    """The aware UTC datetime for microseconds since the epoch."""
    return _EPOCH + timedelta(microseconds=micros)


def parse_timestamp(text: str) -> int:
    """Parse an RFC 3339 timestamp (``Z`` or ``+hh:mm`` offset required) into microseconds.

    Fractions beyond microseconds are truncated. Raises ``ValueError`` for anything else,
    including dates that do not exist.
    """
    match = _ISO_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"not an ISO 8601 date-time with offset: {text!r}")
    base = datetime.strptime(f"{match['date']}T{match['time']}", "%Y-%m-%dT%H:%M:%S")
    frac = (match["frac"] or "").ljust(6, "0")[:6]
    zone = match["zone"]
    offset = timedelta(0)
    if zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError(f"bad UTC offset in {text!r}")
        offset = sign * timedelta(hours=hours, minutes=minutes)
    aware = base.replace(microsecond=int(frac), tzinfo=timezone(offset))
    return from_datetime(aware)


def format_timestamp(micros: int) -> str:
    """Render an instant the way the service does: UTC, millisecond precision, ``Z``."""
    value = to_datetime(micros)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def format_amz_date(micros: int) -> str:
    """Render an instant in SigV4's basic format, ``YYYYMMDDTHHMMSSZ``."""
    return sigv4_amz_date(to_datetime(micros))


def parse_amz_date(text: str) -> int:
    """Parse SigV4's ``X-Amz-Date`` format into microseconds; ``ValueError`` when malformed."""
    if _AMZ_DATE_RE.fullmatch(text) is None:
        raise ValueError(f"not a YYYYMMDDTHHMMSSZ date: {text!r}")
    parsed = datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    return from_datetime(parsed)
