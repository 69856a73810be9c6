"""Property tests for the retry policy: bounds and limits hold for arbitrary outcomes."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from bedrock_paginate._retry import (
    EXPIRED_TOKEN_ERROR_CODES,
    INITIAL_RETRY_QUOTA,
    MAX_BACKOFF,
    RETRY_AFTER_MAX_EXTRA,
    RETRY_MODES,
    THROTTLING_BACKOFF_BASE,
    THROTTLING_ERROR_CODES,
    TRANSIENT_BACKOFF_BASE,
    TRANSIENT_ERROR_CODES,
    AttemptOutcome,
    RetryMode,
    RetryPolicy,
    backoff_delay,
    is_throttling_error,
    parse_retry_after,
)
from bedrock_paginate._skew import (
    CLOCK_SKEW_ERROR_CODES,
    POSSIBLE_CLOCK_SKEW_ERROR_CODES,
    clock_skew_offset,
)

KNOWN_CODES = sorted(
    THROTTLING_ERROR_CODES
    | TRANSIENT_ERROR_CODES
    | CLOCK_SKEW_ERROR_CODES
    | POSSIBLE_CLOCK_SKEW_ERROR_CODES
    | EXPIRED_TOKEN_ERROR_CODES
    | {"ValidationException", "AccessDeniedException", "InternalServerException", "InternalError"}
)
RETRYABLE_CODES = THROTTLING_ERROR_CODES | TRANSIENT_ERROR_CODES

modes = st.sampled_from(RETRY_MODES)
error_codes = st.one_of(st.none(), st.sampled_from(KNOWN_CODES), st.text(max_size=30))
statuses = st.one_of(
    st.none(),
    st.sampled_from([200, 400, 403, 404, 429, 500, 502, 503, 504, 509]),
    st.integers(100, 599),
)
retry_afters = st.one_of(
    st.none(), st.integers(-10, 10**7).map(str), st.text(max_size=12), st.just("9" * 400)
)
outcomes = st.builds(
    AttemptOutcome,
    status_code=statuses,
    error_code=error_codes,
    error_message=st.one_of(st.none(), st.text(max_size=40)),
    failure=st.one_of(st.none(), st.sampled_from(["connect", "timeout", "read", "bad_body"])),
    retry_after=retry_afters,
    modeled_error=st.booleans(),
)
randoms = st.floats(min_value=0.0, max_value=1.0)
attempts = st.integers(min_value=1, max_value=200)

# Client errors that no mode may retry: 4xx other than 429, no retryable code, no failure.
client_errors = st.builds(
    AttemptOutcome,
    status_code=st.integers(400, 499).filter(lambda s: s != 429),
    error_code=st.one_of(st.none(), st.sampled_from(KNOWN_CODES), st.text(max_size=30)).filter(
        lambda c: c not in RETRYABLE_CODES
    ),
    error_message=st.one_of(st.none(), st.text(max_size=40)),
    retry_after=retry_afters,
)


def _policy(mode: RetryMode, max_attempts: int, draw: float) -> RetryPolicy:
    return RetryPolicy(mode=mode, max_attempts=max_attempts, random=lambda: draw)


@given(mode=modes, outcome=outcomes, attempt=attempts, draw=randoms)
def test_delay_is_none_or_within_cap(
    mode: RetryMode, outcome: AttemptOutcome, attempt: int, draw: float
) -> None:
    """Any delay lies in [0, window], plus at most 5 s when a retry-after header was honoured.

    The window is botocore 1.44's (retries/standard.py:351-352, :391-396): ``base * 2 **
    (attempt - 1)`` capped at 20 s, base 1 s after a throttle and 50 ms otherwise (legacy: 1).
    """
    delay = _policy(mode, 500, draw).delay_before_retry(attempt, outcome)
    throttled = is_throttling_error(outcome) or mode == "legacy"
    base = THROTTLING_BACKOFF_BASE if throttled else TRANSIENT_BACKOFF_BASE
    window = min(base * 2.0 ** min(attempt - 1, 64), MAX_BACKOFF)
    honoured = mode != "legacy" and parse_retry_after(outcome.retry_after) is not None
    bound = window + (RETRY_AFTER_MAX_EXTRA if honoured else 0.0)
    assert delay is None or 0.0 <= delay <= bound


@given(
    mode=modes,
    outcome=outcomes,
    max_attempts=st.integers(1, 12),
    extra=st.integers(0, 50),
    draw=randoms,
)
def test_never_retries_past_max_attempts(
    mode: RetryMode, outcome: AttemptOutcome, max_attempts: int, extra: int, draw: float
) -> None:
    """Once max_attempts attempts were made, the answer is always None."""
    policy = _policy(mode, max_attempts, draw)
    assert policy.delay_before_retry(policy.max_attempts + extra, outcome) is None


@given(mode=modes, outcome=outcomes, attempt=st.integers(1, 11), draw=randoms)
def test_fresh_policy_retries_exactly_the_retryable(
    mode: RetryMode, outcome: AttemptOutcome, attempt: int, draw: float
) -> None:
    """With quota to spare, a delay is given iff the outcome is retryable and attempts remain."""
    policy = _policy(mode, 12, draw)
    expected = policy.is_retryable(outcome) and attempt < policy.max_attempts
    assert expected == (policy.delay_before_retry(attempt, outcome) is not None)


@given(mode=modes, outcome=client_errors, attempt=st.integers(1, 11), draw=randoms)
def test_client_errors_never_retry(
    mode: RetryMode, outcome: AttemptOutcome, attempt: int, draw: float
) -> None:
    """4xx responses other than 429 with no retryable code are never retried, in any mode."""
    policy = _policy(mode, 12, draw)
    assert not policy.is_retryable(outcome)
    assert policy.delay_before_retry(attempt, outcome) is None
    assert policy.describe_give_up(attempt, outcome) == "not retryable"


operations = st.lists(
    st.one_of(
        st.tuples(st.just("fail"), outcomes, st.integers(1, 3)),
        st.tuples(st.just("succeed"), st.one_of(st.none(), outcomes), st.integers(1, 3)),
    ),
    max_size=200,
)


@given(mode=st.sampled_from(["standard", "adaptive"]), ops=operations)
def test_quota_stays_within_bounds(
    mode: RetryMode, ops: list[tuple[str, AttemptOutcome | None, int]]
) -> None:
    """Whatever happens, the retry quota stays between 0 and its initial 500."""
    policy = RetryPolicy(mode=mode, max_attempts=4, random=lambda: 0.5, clock=lambda: 0.0)
    for kind, outcome, attempt in ops:
        if kind == "fail" and outcome is not None:
            policy.delay_before_retry(attempt, outcome)
        else:
            policy.on_success(attempt, last_failure=outcome)
        quota = policy.retry_quota
        assert quota is not None
        assert 0 <= quota <= INITIAL_RETRY_QUOTA


adaptive_events = st.lists(
    st.tuples(
        st.floats(min_value=0.0, max_value=30.0),
        st.sampled_from(["throttle", "error", "success", "send"]),
    ),
    max_size=150,
)


@given(events=adaptive_events)
def test_adaptive_limiter_stays_sane(events: list[tuple[float, str]]) -> None:
    """Waits are never negative and the allowed rate never drops below 0.5 requests/s."""
    now = [5000.0]
    policy = RetryPolicy(mode="adaptive", max_attempts=3, random=lambda: 0.0, clock=lambda: now[0])
    for step, event in events:
        now[0] += step
        if event == "send":
            assert policy.before_attempt() >= 0.0
        elif event == "success":
            policy.on_success(1)
        else:
            code = "ThrottlingException" if event == "throttle" else "InternalServerException"
            policy.delay_before_retry(1, AttemptOutcome(status_code=500, error_code=code))
        rate = policy.send_rate
        assert rate is None or rate >= 0.5


@given(attempt=st.integers(min_value=-5, max_value=10**6), draw=st.floats(allow_nan=True))
def test_backoff_delay_always_within_window(attempt: int, draw: float) -> None:
    """backoff_delay stays in [0, MAX_BACKOFF] for any attempt and any injected random value."""
    assert 0.0 <= backoff_delay(attempt, draw) <= MAX_BACKOFF


@given(value=st.text(max_size=30))
def test_parse_retry_after_never_raises(value: str) -> None:
    """Any header text parses to None or a non-negative number of seconds."""
    seconds = parse_retry_after(value)
    assert seconds is None or seconds >= 0.0


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _imf_fixdate(moment: datetime.datetime) -> str:
    """Format ``moment`` as an RFC 7231 IMF-fixdate without relying on the locale."""
    return (
        f"{_WEEKDAYS[moment.weekday()]}, {moment.day:02d} {_MONTH_NAMES[moment.month - 1]} "
        f"{moment.year:04d} {moment.hour:02d}:{moment.minute:02d}:{moment.second:02d} GMT"
    )


@given(
    server=st.datetimes(
        min_value=datetime.datetime(1971, 1, 1), max_value=datetime.datetime(2999, 12, 31)
    ),
    local_offset=st.floats(min_value=-(10**6), max_value=10**6),
)
def test_clock_skew_offset_round_trips(server: datetime.datetime, local_offset: float) -> None:
    """For any server time, the offset is server minus local (to float precision)."""
    server = server.replace(microsecond=0, tzinfo=datetime.timezone.utc)
    now = server.timestamp() - local_offset
    offset = clock_skew_offset(_imf_fixdate(server), now)
    assert offset is not None
    assert abs(offset - local_offset) < 1e-3  # float epoch seconds near 2999 have ~4 us ulp


@given(header=st.text(max_size=40), now=st.floats(min_value=0, max_value=4e9))
def test_clock_skew_offset_never_raises(header: str, now: float) -> None:
    """Arbitrary header text gives a float or None, never an exception."""
    offset = clock_skew_offset(header, now)
    assert offset is None or isinstance(offset, float)
