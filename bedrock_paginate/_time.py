"""Timestamps of the client, in one place: parsing and formatting, pure, standard library only.

Every timestamp the client reads or writes goes through here:

- :func:`parse_timestamp` -- an ISO 8601 string (as botocore accepts it for these services) or
  epoch seconds, into an aware UTC datetime. Used by response decoding, request serialisation
  and the CLI. :func:`parse_optional_timestamp` is the same with ``None`` passed through, shaped
  to be registered directly as a cattrs hook: decoding a page calls it for every job, so its
  common case (``...Z`` on Python >= 3.11) costs one ``datetime.fromisoformat`` call.
- :func:`parse_expiration` -- credential ``Expiration`` values (a full date *and* time);
  :func:`parse_cache_expiration` / :func:`format_cache_expiration` -- the same in the AWS CLI's
  assume-role cache (botocore's ``...UTC`` form).
- :func:`format_timestamp` -- botocore's rendering of a timestamp in a request.
- :func:`format_amz_date` / :func:`parse_amz_date` -- SigV4's ``X-Amz-Date`` basic format.
- :func:`parse_http_date` -- an HTTP ``Date`` header, through the standard library's
  :func:`email.utils.parsedate_to_datetime`.
- :func:`utc_now` -- the default clock.

ISO 8601 as accepted: ``T``, ``t`` or a space between date and time; seconds optional;
fractional seconds of any length after ``.`` or ``,`` (truncated to microseconds); ``Z``/``z``,
``+hh:mm``, ``+hhmm`` or no offset (taken as UTC). ``datetime.fromisoformat`` is tried first
(it does the whole job on Python >= 3.11); a regular expression covers what Python 3.10's
``fromisoformat`` lacks (``Z``, fractions other than 3 or 6 digits, ``+hhmm``).

The fake service (``bedrock_paginate.testing._time``) deliberately keeps its own parser: it is
the test oracle, and sharing the code under test with the oracle would hide the client's bugs.

Imports only the standard library; never reads the clock except in :func:`utc_now`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Final

__all__ = [
    "format_amz_date",
    "format_cache_expiration",
    "format_timestamp",
    "from_epoch_seconds",
    "parse_amz_date",
    "parse_cache_expiration",
    "parse_expiration",
    "parse_http_date",
    "parse_iso8601",
    "parse_optional_timestamp",
    "parse_timestamp",
    "utc_now",
]

_UTC: Final = timezone.utc
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=_UTC)
_ZERO: Final = timedelta(0)
_fromisoformat: Final = datetime.fromisoformat

_ISO_RE: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?\Z"
)
_AMZ_DATE_RE: Final = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")


def utc_now() -> datetime:
    """The current time, timezone-aware UTC (the default clock)."""
    return datetime.now(_UTC)


# --- ISO 8601 ---------------------------------------------------------------------------------


def _to_utc(parsed: datetime) -> datetime:
    if parsed.tzinfo is _UTC:
        return parsed
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=_UTC)
    if parsed.utcoffset() == _ZERO:
        return parsed.replace(tzinfo=_UTC)
    return parsed.astimezone(_UTC)


def _parse_iso_regex(value: str) -> datetime:
    match = _ISO_RE.match(value.strip())
    if match is None:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}")
    year, month, day, hour, minute, second, frac, _, sign, oh, om = match.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    tz = _UTC
    if sign is not None:
        offset = timedelta(hours=int(oh), minutes=int(om))
        tz = timezone(offset if sign == "+" else -offset)  # ValueError beyond +-24h
    parsed = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tz
    )
    return parsed


def parse_iso8601(value: str) -> datetime:
    """An ISO 8601 timestamp (see the module docstring) as an aware UTC datetime.

    Raises:
        ValueError: ``value`` is not such a timestamp, or names a date or offset that does
            not exist.
    """
    try:
        parsed = _fromisoformat(value)
    except ValueError:
        parsed = _parse_iso_regex(value)
    return _to_utc(parsed)


def from_epoch_seconds(value: float) -> datetime:
    """Seconds since the Unix epoch (``int`` or ``float``) as an aware UTC datetime."""
    try:
        return _EPOCH + timedelta(seconds=value)
    except OverflowError as exc:
        raise ValueError(f"epoch timestamp out of range: {value!r}") from exc


def parse_timestamp(value: object) -> datetime:
    """An ISO 8601 string or epoch seconds (as botocore accepts both) as an aware UTC datetime.

    Raises:
        ValueError: ``value`` is not a timestamp (``bool`` and ``None`` are not).
    """
    if isinstance(value, str):
        return parse_iso8601(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return from_epoch_seconds(value)
    raise ValueError(f"expected an ISO 8601 timestamp string, got {type(value).__name__}")


def parse_optional_timestamp(value: object, _type: object = None) -> datetime | None:
    """:func:`parse_timestamp`, with ``None`` passed through; usable as a cattrs hook as is.

    The fast path (a ``...Z`` string on Python >= 3.11) is one ``fromisoformat`` call.
    """
    if type(value) is str:
        try:
            parsed = _fromisoformat(value)
        except ValueError:
            return parse_iso8601(value)
        return parsed if parsed.tzinfo is _UTC else _to_utc(parsed)
    return None if value is None else parse_timestamp(value)


def parse_expiration(text: str) -> datetime:
    """A credential ``Expiration`` (ISO 8601 with a time of day) as an aware UTC datetime.

    A timestamp without an offset is taken as UTC. Raises ``ValueError`` when ``text`` is not
    such a timestamp (a date alone is refused: it cannot be what a provider meant).
    """
    match = _ISO_RE.match(text.strip())
    if match is None:
        raise ValueError("not an ISO 8601 timestamp such as 2030-01-01T00:00:00Z")
    return _to_utc(_parse_iso_regex(text))


def parse_cache_expiration(text: str) -> datetime:
    """An ``Expiration`` from botocore's ``JSONFileCache`` (the AWS CLI's assume-role cache):
    :func:`parse_expiration`, or its own ``2030-01-01T00:00:00UTC``. Raises ``ValueError``."""
    stripped = text.strip()
    if stripped.endswith("UTC"):
        stripped = stripped[:-3] + "Z"
    return parse_expiration(stripped)


def format_cache_expiration(value: datetime) -> str:
    """``value`` as botocore's ``JSONFileCache`` writes it: ``strftime("%Y-%m-%dT%H:%M:%S%Z")``
    of a UTC datetime, ``2030-01-01T00:00:00UTC``."""
    return value.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%S") + "UTC"


def format_timestamp(value: datetime) -> str:
    """botocore's rest-json query rendering: UTC, ``%Y-%m-%dT%H:%M:%SZ``, ``.%f`` if needed."""
    if value.tzinfo is not None:
        value = value.astimezone(_UTC)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- SigV4's X-Amz-Date -----------------------------------------------------------------------


def format_amz_date(now: datetime) -> str:
    """``now`` as an ``X-Amz-Date`` value (``YYYYMMDD'T'HHMMSS'Z'``, UTC).

    Raises:
        ValueError: ``now`` is naive (has no time zone).
    """
    if now.tzinfo is not _UTC:
        if now.utcoffset() is None:
            raise ValueError(
                "now must be a timezone-aware datetime (for example datetime.now(timezone.utc))"
            )
        now = now.astimezone(_UTC)
    return "%04d%02d%02dT%02d%02d%02dZ" % (  # noqa: UP031 - twice as fast as strftime
        now.year,
        now.month,
        now.day,
        now.hour,
        now.minute,
        now.second,
    )


def parse_amz_date(text: str) -> datetime | None:
    """An ``X-Amz-Date`` value (``YYYYMMDD'T'HHMMSS'Z'``) as an aware datetime, or ``None``."""
    match = _AMZ_DATE_RE.fullmatch(text)
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=_UTC)
    except ValueError:  # month 13, hour 25 ...
        return None


# --- HTTP dates -------------------------------------------------------------------------------


def parse_http_date(value: str) -> datetime | None:
    """An HTTP ``Date`` header (RFC 7231: IMF-fixdate, RFC 850 or asctime) as aware UTC.

    Parsed by :func:`email.utils.parsedate_to_datetime`, so an RFC 850 two-digit year follows
    its rule (``69``-``99`` are 19xx, ``00``-``68`` are 20xx). ``None`` when the text is not a
    date, names a day or time that does not exist, or carries a zone other than GMT/UTC (an
    HTTP date is always GMT; a zone-less asctime date is GMT by definition).
    """
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=_UTC)
    if parsed.utcoffset() != _ZERO:
        return None
    return parsed if parsed.tzinfo is _UTC else parsed.replace(tzinfo=_UTC)
