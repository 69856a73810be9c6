"""Property tests of ``bedrock_paginate._time``: every accepted rendering round-trips.

Generated instants are rendered in each form the module accepts (ISO 8601 with every separator,
fraction length and zone form; epoch seconds; ``X-Amz-Date``; the three HTTP date forms) and
must parse back to the same instant, as an aware UTC datetime.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, formatdate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate import _time
from bedrock_paginate._time import (
    format_amz_date,
    format_timestamp,
    from_epoch_seconds,
    parse_amz_date,
    parse_expiration,
    parse_http_date,
    parse_iso8601,
    parse_optional_timestamp,
    parse_timestamp,
)
from tests.strategies import timestamp_renderings

UTC = timezone.utc
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC)
)
whole_seconds = instants.map(lambda value: value.replace(microsecond=0))


@st.composite
def iso_renderings(draw: st.DrawFn) -> tuple[str, datetime]:
    """A rendering from the shared strategy, with any date/time separator and fraction mark."""
    text, expected = draw(timestamp_renderings())
    separator = draw(st.sampled_from(["T", "t", " "]))
    text = text[:10] + separator + text[11:]
    if draw(st.booleans()):
        text = text.replace(".", ",")
    return text, expected


def _assert_utc(parsed: datetime | None, expected: datetime) -> None:
    assert parsed is not None
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@settings(max_examples=150)
@given(iso_renderings())
def test_every_iso_form_round_trips(case: tuple[str, datetime]) -> None:
    """Each ISO parser entry point reads every accepted rendering as the same UTC instant."""
    text, expected = case
    _assert_utc(parse_iso8601(text), expected)
    _assert_utc(parse_timestamp(text), expected)
    _assert_utc(parse_optional_timestamp(text), expected)
    _assert_utc(parse_expiration(text), expected)


@settings(max_examples=100)
@given(iso_renderings())
def test_without_fromisoformat_every_iso_form_still_parses(
    case: tuple[str, datetime],
) -> None:
    """With ``fromisoformat`` refusing everything (weaker than Python 3.10's), results agree."""

    def refuse(_: str) -> datetime:
        raise ValueError("refused")

    text, expected = case
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_time, "_fromisoformat", refuse)
        _assert_utc(parse_iso8601(text), expected)
        _assert_utc(parse_optional_timestamp(text), expected)


@given(instants)
def test_request_rendering_round_trips(value: datetime) -> None:
    """What a request carries (``format_timestamp``) parses back to the exact instant."""
    rendered = format_timestamp(value)
    assert rendered.endswith("Z")
    _assert_utc(parse_timestamp(rendered), value)


@given(instants)
def test_epoch_seconds_round_trip(value: datetime) -> None:
    """Whole epoch seconds are exact; float seconds are within the float's precision."""
    whole = value.replace(microsecond=0)
    _assert_utc(parse_timestamp(int(whole.timestamp())), whole)
    parsed = from_epoch_seconds(value.timestamp())
    assert abs(parsed - value) <= timedelta(microseconds=4)  # ~4 us ulp near year 2999
    assert parsed.tzinfo is UTC


@given(instants, st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_amz_date_round_trips(value: datetime, minutes: int) -> None:
    """``X-Amz-Date`` is rendered in UTC whatever the zone, and parses back to the second."""
    local = value.astimezone(timezone(timedelta(minutes=minutes)))
    rendered = format_amz_date(local)
    _assert_utc(parse_amz_date(rendered), value.replace(microsecond=0))


@pytest.mark.parametrize(
    "text", ["", "20251304T000000Z", "20250304T250000Z", "20250304T000000", "2025-03-04"]
)
def test_malformed_amz_date_is_none(text: str) -> None:
    """A malformed or impossible ``X-Amz-Date`` gives ``None``, never an exception."""
    assert parse_amz_date(text) is None


def test_naive_amz_date_is_refused() -> None:
    """A naive datetime has no defined UTC time: refused with a message naming the fix."""
    with pytest.raises(ValueError, match="timezone-aware"):
        format_amz_date(datetime(2025, 3, 4))


def _rfc850(value: datetime) -> str:
    month = _MONTHS[value.month - 1]
    return f"{_WEEKDAYS[value.weekday()]}, {value:%d}-{month}-{value:%y %H:%M:%S} GMT"


def _asctime(value: datetime) -> str:
    month = _MONTHS[value.month - 1]
    return f"{_WEEKDAYS[value.weekday()][:3]} {month} {value.day:2d} {value:%H:%M:%S %Y}"


@given(whole_seconds)
def test_every_http_date_form_round_trips(value: datetime) -> None:
    """IMF-fixdate (both stdlib renderings) and asctime parse back to the instant."""
    _assert_utc(parse_http_date(formatdate(value.timestamp(), usegmt=True)), value)
    _assert_utc(parse_http_date(format_datetime(value, usegmt=True)), value)
    _assert_utc(parse_http_date(_asctime(value)), value)


@given(
    st.datetimes(
        min_value=datetime(1969, 1, 1), max_value=datetime(2068, 12, 31), timezones=st.just(UTC)
    ).map(lambda value: value.replace(microsecond=0))
)
def test_rfc850_dates_round_trip_in_their_century_window(value: datetime) -> None:
    """RFC 850 two-digit years: 69-99 are 19xx and 00-68 are 20xx (the stdlib's rule)."""
    _assert_utc(parse_http_date(_rfc850(value)), value)


@given(whole_seconds, st.integers(min_value=1, max_value=14 * 60))
def test_http_date_with_a_non_gmt_zone_is_none(value: datetime, minutes: int) -> None:
    """An HTTP date is always GMT: a numeric offset other than zero is not an HTTP date."""
    zone = timezone(timedelta(minutes=minutes))
    assert parse_http_date(format_datetime(value.astimezone(zone))) is None


@given(st.text(max_size=40))
def test_http_date_never_raises(text: str) -> None:
    """Arbitrary text gives an aware UTC datetime or ``None``."""
    parsed = parse_http_date(text)
    assert parsed is None or parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text", ["2030-01-01", "", "tomorrow", "2030-02-30T00:00:00Z", "2030-01-01T00:00:00+25:00"]
)
def test_expiration_needs_a_real_date_and_time(text: str) -> None:
    """A date alone, garbage, an impossible date or offset: ``ValueError``."""
    with pytest.raises(ValueError):  # noqa: PT011 - the documented contract
        parse_expiration(text)
