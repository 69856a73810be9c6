"""Unit tests for clock-skew recognition and the server's time (bedrock_paginate._skew):
which refusals mean our clock is off, and the offset read from an HTTP ``Date``."""

from __future__ import annotations

import pytest

from bedrock_paginate._retry import AttemptOutcome
from bedrock_paginate._skew import clock_skew_offset, is_clock_skew_error

#: Wed, 21 Oct 2015 07:28:00 GMT
EPOCH_2015 = 1445412480.0


@pytest.mark.parametrize("code", ["RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"])
def test_definite_skew_codes(code: str) -> None:
    """These codes always mean the request's timestamp was refused."""
    assert is_clock_skew_error(AttemptOutcome(status_code=403, error_code=code))


@pytest.mark.parametrize(
    "message",
    [
        "Signature expired: 20151021T070000Z is now earlier than 20151021T072300Z "
        "(20151021T072800Z - 5 min.)",
        "Signature not yet current: 20151021T080000Z is still later than 20151021T073300Z "
        "(20151021T072800Z + 5 min.)",
    ],
)
@pytest.mark.parametrize("code", ["InvalidSignatureException", "SignatureDoesNotMatch"])
def test_signature_time_messages_are_skew(code: str, message: str) -> None:
    """A signature error whose message is about time is clock skew."""
    outcome = AttemptOutcome(status_code=403, error_code=code, error_message=message)
    assert is_clock_skew_error(outcome)


def test_wrong_key_signature_mismatch_is_not_skew() -> None:
    """A SignatureDoesNotMatch from a wrong secret key is not clock skew."""
    outcome = AttemptOutcome(
        status_code=403,
        error_code="SignatureDoesNotMatch",
        error_message="The request signature we calculated does not match the signature you "
        "provided.",
        date_header="Wed, 21 Oct 2015 07:28:00 GMT",
    )
    assert not is_clock_skew_error(outcome, now=EPOCH_2015 + 30)


def test_403_with_far_off_date_is_skew() -> None:
    """A 403 whose Date is 10 minutes from our clock counts as skew (Java v2 rule)."""
    outcome = AttemptOutcome(
        status_code=403,
        error_code="AccessDeniedException",
        date_header="Wed, 21 Oct 2015 07:28:00 GMT",
    )
    assert is_clock_skew_error(outcome, now=EPOCH_2015 - 600)


def test_403_with_close_date_is_not_skew() -> None:
    """A 403 whose Date is within 4 minutes of our clock is not skew."""
    outcome = AttemptOutcome(
        status_code=403,
        error_code="AccessDeniedException",
        date_header="Wed, 21 Oct 2015 07:28:00 GMT",
    )
    assert not is_clock_skew_error(outcome, now=EPOCH_2015 - 60)


def test_far_off_date_on_other_status_is_not_skew() -> None:
    """A skewed Date on a 400 ValidationException does not make it a skew error."""
    outcome = AttemptOutcome(
        status_code=400,
        error_code="ValidationException",
        date_header="Wed, 21 Oct 2015 07:28:00 GMT",
    )
    assert not is_clock_skew_error(outcome, now=EPOCH_2015 - 3600)


@pytest.mark.parametrize(
    "header",
    [
        "Wed, 21 Oct 2015 07:28:00 GMT",  # IMF-fixdate
        "Wednesday, 21-Oct-15 07:28:00 GMT",  # RFC 850
        "Wed Oct 21 07:28:00 2015",  # asctime
    ],
)
def test_offset_parses_all_rfc7231_forms(header: str) -> None:
    """All three RFC 7231 date forms parse to the same instant."""
    assert clock_skew_offset(header, EPOCH_2015) == 0.0


def test_offset_parses_single_digit_asctime_day() -> None:
    """asctime pads single-digit days with a space."""
    assert clock_skew_offset("Sun Nov  6 08:49:37 1994", 784111777.0) == 0.0


def test_offset_sign_is_server_minus_local() -> None:
    """A server ahead of us gives a positive offset."""
    assert clock_skew_offset("Wed, 21 Oct 2015 07:28:00 GMT", EPOCH_2015 - 300) == 300.0


def test_rfc850_two_digit_year_is_not_far_future() -> None:
    """An RFC 850 year more than 50 years ahead belongs to the previous century."""
    now = EPOCH_2015
    offset = clock_skew_offset("Sunday, 06-Nov-94 08:49:37 GMT", now)
    assert offset is not None
    assert -700_000_000 < offset < -600_000_000  # 1994, not 2094


@pytest.mark.parametrize(
    "header",
    [
        "",
        "yesterday",
        "Wed, 31 Feb 2015 07:28:00 GMT",
        "Wed, 21 Oct 2015 25:28:00 GMT",
        "Wed, 21 Oct 2015 07:28:00 +0100",
        "2015-10-21T07:28:00Z",
        "Wed, 21 Foo 2015 07:28:00 GMT",
    ],
)
def test_unparsable_dates_give_none(header: str) -> None:
    """Anything that is not a valid RFC 7231 date gives no offset."""
    assert clock_skew_offset(header, EPOCH_2015) is None
