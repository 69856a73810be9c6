"""Unit tests for the pure retry policy (bedrock_paginate._retry): one rule per test."""

from __future__ import annotations

import itertools
import math
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from bedrock_paginate._retry import (
    DEFAULT_MAX_ATTEMPTS,
    INITIAL_RETRY_QUOTA,
    MAX_BACKOFF,
    THROTTLING_ERROR_CODES,
    AttemptOutcome,
    FailureKind,
    RetryMode,
    RetryPolicy,
    backoff_delay,
    is_expired_token_error,
    parse_retry_after,
)
from bedrock_paginate.errors import ParamValidationError

THROTTLED = AttemptOutcome(status_code=429, error_code="ThrottlingException")
UNAVAILABLE = AttemptOutcome(status_code=503, error_code="ServiceUnavailableException")
TIMED_OUT = AttemptOutcome(failure="timeout")
VALIDATION = AttemptOutcome(status_code=400, error_code="ValidationException")
ACCESS_DENIED = AttemptOutcome(status_code=403, error_code="AccessDeniedException")
FAILURES: tuple[FailureKind, ...] = ("connect", "timeout", "read", "bad_body")
ALL_MODES: tuple[RetryMode, ...] = ("standard", "adaptive", "legacy", "off")
RETRYING_MODES: tuple[RetryMode, ...] = ("standard", "adaptive", "legacy")

# 2015-10-21 07:28:00 UTC, the moment of the RFC 7231 examples below.


def fixed(value: float) -> Callable[[], float]:
    """A 'random' or clock function that always returns ``value``."""
    return lambda: value


class FakeClock:
    """A clock the test advances by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fine_switching() -> Iterator[None]:
    """Make the interpreter switch threads very often, to provoke races."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


# --- configuration ----------------------------------------------------------------------------


def test_default_max_attempts_match_botocore() -> None:
    """Defaults are botocore's: standard 3, adaptive 3, legacy 5; off makes one attempt."""
    assert DEFAULT_MAX_ATTEMPTS == {"standard": 3, "adaptive": 3, "legacy": 5, "off": 1}


@pytest.mark.parametrize("mode", ALL_MODES)
def test_policy_uses_mode_default_max_attempts(mode: RetryMode) -> None:
    """Without max_attempts, a policy takes its mode's default."""
    assert DEFAULT_MAX_ATTEMPTS[mode] == RetryPolicy(mode=mode).max_attempts


def test_default_mode_is_standard() -> None:
    """A policy built with no arguments is standard mode."""
    assert RetryPolicy().mode == "standard"


def test_explicit_max_attempts_wins() -> None:
    """An explicit max_attempts replaces the mode default."""
    assert RetryPolicy(mode="legacy", max_attempts=7).max_attempts == 7


def test_off_mode_ignores_max_attempts() -> None:
    """Off mode always makes exactly one attempt, whatever max_attempts says."""
    assert RetryPolicy(mode="off", max_attempts=9).max_attempts == 1


def test_unknown_mode_is_rejected() -> None:
    """An unknown mode raises ParamValidationError naming the allowed modes."""
    with pytest.raises(ParamValidationError, match="'standard', 'adaptive', 'legacy', 'off'"):
        RetryPolicy(mode="aggressive")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "3"])
def test_bad_max_attempts_is_rejected(bad: object) -> None:
    """max_attempts must be an int >= 1; anything else raises ParamValidationError."""
    with pytest.raises(ParamValidationError, match="max_attempts") as info:
        RetryPolicy(max_attempts=bad)  # type: ignore[arg-type]
    assert info.value.param == "max_attempts"


def test_attempt_numbers_start_at_one() -> None:
    """Attempt 0 is a programming error in the shell and is rejected."""
    with pytest.raises(ParamValidationError, match="counted from 1"):
        RetryPolicy().delay_before_retry(0, UNAVAILABLE)


def test_repr_shows_mode_and_attempts() -> None:
    """The repr names the mode and the attempt limit."""
    assert (
        repr(RetryPolicy(mode="adaptive", max_attempts=4))
        == "RetryPolicy(mode='adaptive', max_attempts=4)"
    )


# --- standard classification -------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(THROTTLING_ERROR_CODES))
def test_standard_retries_throttling_codes(code: str) -> None:
    """Every botocore throttling code is retried in standard mode, even on HTTP 400."""
    assert RetryPolicy().is_retryable(AttemptOutcome(status_code=400, error_code=code))


@pytest.mark.parametrize("code", ["RequestTimeout", "RequestTimeoutException"])
def test_standard_retries_transient_codes(code: str) -> None:
    """botocore's transient codes are retried whatever the status."""
    assert RetryPolicy().is_retryable(AttemptOutcome(status_code=400, error_code=code))


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_standard_retries_transient_statuses(status: int) -> None:
    """HTTP 500, 502, 503 and 504 are retried even without an error code."""
    assert RetryPolicy().is_retryable(AttemptOutcome(status_code=status))


def test_standard_retries_codeless_429() -> None:
    """A 429 without a throttling code is retried (a deliberate extension of botocore)."""
    assert RetryPolicy().is_retryable(AttemptOutcome(status_code=429, error_code="429"))


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("mode", RETRYING_MODES)
def test_failures_without_response_are_retried(mode: RetryMode, failure: FailureKind) -> None:
    """Connect errors, timeouts, cut reads and bad 200 bodies are retried in every mode."""
    assert RetryPolicy(mode=mode).is_retryable(AttemptOutcome(failure=failure))


@pytest.mark.parametrize("mode", ALL_MODES)
@pytest.mark.parametrize("outcome", [VALIDATION, ACCESS_DENIED])
def test_client_errors_are_never_retried(mode: RetryMode, outcome: AttemptOutcome) -> None:
    """400 ValidationException and 403 AccessDeniedException never retry, in any mode."""
    policy = RetryPolicy(mode=mode, max_attempts=5) if mode != "off" else RetryPolicy(mode=mode)
    assert not policy.is_retryable(outcome)
    assert policy.delay_before_retry(1, outcome) is None
    assert policy.describe_give_up(1, outcome) == "not retryable"


@pytest.mark.parametrize(
    ("status", "code"),
    [(404, "ResourceNotFoundException"), (409, "ConflictException"), (501, None), (509, None)],
)
def test_standard_does_not_retry_other_statuses(status: int, code: str | None) -> None:
    """Other 4xx, 501 and 509 are not retried in standard mode."""
    assert not RetryPolicy().is_retryable(AttemptOutcome(status_code=status, error_code=code))


def test_internal_error_code_alone_is_not_retried() -> None:
    """InternalError is not a botocore transient code: only its usual 5xx status retries."""
    assert not RetryPolicy().is_retryable(
        AttemptOutcome(status_code=400, error_code="InternalError")
    )


def test_success_outcome_is_not_retryable() -> None:
    """A 200 with a good body is nothing to retry."""
    assert not RetryPolicy().is_retryable(AttemptOutcome(status_code=200))


@pytest.mark.parametrize(
    "code", ["RequestTimeTooSkewed", "ExpiredTokenException", "InvalidSignatureException"]
)
def test_skew_and_expired_token_errors_are_not_retryable(code: str) -> None:
    """Clock-skew and expired-token errors are left to the shell, not retried here."""
    assert not RetryPolicy().is_retryable(AttemptOutcome(status_code=403, error_code=code))


# --- legacy classification ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 509])
def test_legacy_retries_its_statuses(status: int) -> None:
    """Legacy retries HTTP 429, 500, 502, 503, 504 and 509 whatever the code."""
    assert RetryPolicy(mode="legacy").is_retryable(AttemptOutcome(status_code=status))


def test_legacy_retries_throttling_code_on_400() -> None:
    """Legacy retries ThrottlingException when it comes with HTTP 400."""
    outcome = AttemptOutcome(status_code=400, error_code="ThrottlingException")
    assert RetryPolicy(mode="legacy").is_retryable(outcome)


def test_legacy_ignores_throttling_code_on_other_status() -> None:
    """Legacy's code rules need HTTP 400: a 403 ThrottlingException is not retried."""
    outcome = AttemptOutcome(status_code=403, error_code="ThrottlingException")
    assert not RetryPolicy(mode="legacy").is_retryable(outcome)


@pytest.mark.parametrize("code", ["TooManyRequestsException", "SlowDown", "RequestTimeout"])
def test_legacy_does_not_know_newer_codes(code: str) -> None:
    """Codes only standard mode knows are not retried by legacy on HTTP 400."""
    assert not RetryPolicy(mode="legacy").is_retryable(
        AttemptOutcome(status_code=400, error_code=code)
    )


# --- backoff -----------------------------------------------------------------------------------


def test_random_zero_means_no_delay() -> None:
    """Full jitter: a random draw of 0 gives a zero delay."""
    assert RetryPolicy(max_attempts=9, random=fixed(0.0)).delay_before_retry(4, UNAVAILABLE) == 0.0


# 1.44.18 retries/standard.py:352 'non_throttling_base_scale': 0.05 (and :391-396, the window
# min(base_scale * 2 ** (attempt - 1), 20)): a transient error's window starts at 50 ms.
@pytest.mark.parametrize(
    ("attempt", "window"), [(1, 0.05), (2, 0.1), (3, 0.2), (4, 0.4), (5, 0.8), (9, 12.8)]
)
def test_random_one_gives_whole_transient_window(attempt: int, window: float) -> None:
    """A draw of 1 gives the full window 0.05 * 2 ** (attempt - 1) after a transient error."""
    policy = RetryPolicy(max_attempts=10, random=fixed(1.0))
    assert window == policy.delay_before_retry(attempt, UNAVAILABLE)


# 1.44.18 retries/standard.py:351 'throttling_base_scale': 1: a throttle's window starts at 1 s.
@pytest.mark.parametrize(("attempt", "window"), [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 16.0)])
def test_random_one_gives_whole_throttling_window(attempt: int, window: float) -> None:
    """A draw of 1 gives the full window 2 ** (attempt - 1) after a throttling error."""
    policy = RetryPolicy(max_attempts=10, random=fixed(1.0))
    assert window == policy.delay_before_retry(attempt, THROTTLED)


# 1.44.18 retries/standard.py:346 _MAX_BACKOFF = 20, applied at :395 to the window.
@pytest.mark.parametrize(
    ("outcome", "attempt"),
    [(THROTTLED, 6), (THROTTLED, 7), (THROTTLED, 30), (UNAVAILABLE, 10), (UNAVAILABLE, 10_000)],
)
def test_backoff_is_capped_at_20_seconds(outcome: AttemptOutcome, attempt: int) -> None:
    """The window stops at MAX_BACKOFF (20 s): from attempt 6 (throttles) or 10 (others)."""
    policy = RetryPolicy(max_attempts=attempt + 1, random=fixed(1.0))
    assert MAX_BACKOFF == 20.0 == policy.delay_before_retry(attempt, outcome)


def test_jitter_scales_the_window() -> None:
    """The delay is the random draw times the window (1.44.18 standard.py:392)."""
    assert RetryPolicy(random=fixed(0.75)).delay_before_retry(2, THROTTLED) == 1.5
    assert RetryPolicy(random=fixed(0.75)).delay_before_retry(2, UNAVAILABLE) == 0.75 * 0.1


def test_one_random_draw_per_delay() -> None:
    """Each delay uses exactly one fresh random draw."""
    draws = iter([0.25, 0.5])
    policy = RetryPolicy(max_attempts=5, random=lambda: next(draws))
    assert [policy.delay_before_retry(n, THROTTLED) for n in (1, 2)] == [0.25, 1.0]


def test_codeless_429_backs_off_as_a_throttle() -> None:
    """A 429 whose code the operation does not model is throttling (1.44.18 standard.py:549-565,
    :653-656), so it waits on the 1 s base; a modeled code on a 429 is not a throttle."""
    policy = RetryPolicy(max_attempts=5, random=fixed(1.0))
    assert policy.delay_before_retry(2, AttemptOutcome(status_code=429)) == 2.0
    assert policy.delay_before_retry(2, AttemptOutcome(status_code=429, error_code="Odd")) == 2.0
    modeled = AttemptOutcome(status_code=429, error_code="ValidationException", modeled_error=True)
    assert policy.delay_before_retry(2, modeled) is None


def test_out_of_range_random_is_clamped() -> None:
    """An injected random outside [0, 1] cannot push the delay outside [0, window]."""
    assert backoff_delay(3, -2.0) == 0.0
    assert backoff_delay(3, 7.0) == 4.0
    assert backoff_delay(3, float("nan")) == 0.0


def test_legacy_uses_same_exponential_delay() -> None:
    """Legacy waits random * 2 ** (attempt - 1) like botocore's 'rand' base."""
    assert RetryPolicy(mode="legacy", random=fixed(0.5)).delay_before_retry(4, UNAVAILABLE) == 4.0


def test_legacy_delay_is_capped_too() -> None:
    """Legacy delays stop at MAX_BACKOFF (botocore's are unbounded; ours are not)."""
    policy = RetryPolicy(mode="legacy", max_attempts=20, random=fixed(1.0))
    assert policy.delay_before_retry(12, UNAVAILABLE) == MAX_BACKOFF


# --- x-amz-retry-after ---------------------------------------------------------------------------


def test_retry_after_lengthens_delay() -> None:
    """A retry-after above the backoff is honoured (within the +5 s allowance)."""
    outcome = AttemptOutcome(status_code=429, error_code="ThrottlingException", retry_after="3000")
    assert RetryPolicy(random=fixed(0.0)).delay_before_retry(1, outcome) == 3.0


def test_retry_after_is_clamped_to_backoff_plus_five() -> None:
    """A huge retry-after adds at most 5 s to the jittered backoff (1.44.18 standard.py:404)."""
    outcome = AttemptOutcome(status_code=503, retry_after="600000")
    # jittered backoff 0.5 * 0.1 (non-throttling base 0.05, attempt 2), plus the 5 s allowance
    assert RetryPolicy(random=fixed(0.5)).delay_before_retry(2, outcome) == 0.05 + 5.0
    throttled = AttemptOutcome(status_code=429, error_code="Throttling", retry_after="600000")
    assert RetryPolicy(random=fixed(0.5)).delay_before_retry(2, throttled) == 6.0


def test_retry_after_never_shortens_delay() -> None:
    """A retry-after below the jittered backoff leaves the backoff as it is."""
    outcome = AttemptOutcome(status_code=429, error_code="ThrottlingException", retry_after="100")
    assert RetryPolicy(random=fixed(1.0)).delay_before_retry(2, outcome) == 2.0


@pytest.mark.parametrize("value", ["-5", "abc", "1.5", "", "9" * 400])
def test_malformed_retry_after_is_ignored(value: str) -> None:
    """Negative, fractional, empty or absurd values are ignored: 1.44.18 standard.py:432-433
    (``int(value) / 1000.0``, ValueError/OverflowError or a negative value ignored)."""
    assert parse_retry_after(value) is None
    outcome = AttemptOutcome(status_code=503, retry_after=value)
    assert RetryPolicy(random=fixed(0.0)).delay_before_retry(1, outcome) == 0.0


# 1.44.18 retries/standard.py:432 reads the header with Python's int(): whatever it accepts
# counts (this project used to refuse "1_000", a sign and non-ASCII digits; botocore does not).
@pytest.mark.parametrize(
    ("value", "seconds"), [("1_000", 1.0), ("+250", 0.25), ("\u0663", 0.003), ("-0", 0.0)]
)
def test_retry_after_is_read_as_python_int(value: str, seconds: float) -> None:
    """Values Python's int() reads are honoured as botocore honours them."""
    assert parse_retry_after(value) == seconds
    outcome = AttemptOutcome(status_code=503, retry_after=value)
    assert RetryPolicy(random=fixed(0.0)).delay_before_retry(1, outcome) == seconds


def test_retry_after_parses_milliseconds() -> None:
    """The header holds whole milliseconds; surrounding spaces are allowed."""
    assert parse_retry_after(" 1250 ") == 1.25


def test_legacy_ignores_retry_after() -> None:
    """Legacy mode has no retry-after support."""
    outcome = AttemptOutcome(status_code=503, retry_after="3000")
    assert RetryPolicy(mode="legacy", random=fixed(0.0)).delay_before_retry(1, outcome) == 0.0


def test_retry_after_does_not_make_errors_retryable() -> None:
    """A retry-after header on a non-retryable error still gives up."""
    outcome = AttemptOutcome(status_code=400, error_code="ValidationException", retry_after="10")
    assert RetryPolicy().delay_before_retry(1, outcome) is None


# --- max attempts and giving up ----------------------------------------------------------------


@pytest.mark.parametrize("mode", RETRYING_MODES)
def test_gives_up_at_max_attempts(mode: RetryMode) -> None:
    """After max_attempts attempts there is no further retry."""
    policy = RetryPolicy(mode=mode, random=fixed(0.0))
    last = policy.max_attempts
    assert policy.delay_before_retry(last - 1, UNAVAILABLE) is not None
    assert policy.delay_before_retry(last, UNAVAILABLE) is None


def test_give_up_reason_for_exhausted_attempts() -> None:
    """The reason names the number of attempts made."""
    assert RetryPolicy().describe_give_up(3, UNAVAILABLE) == "retries exhausted after 3 attempts"


def test_give_up_reason_singular() -> None:
    """One attempt is 'attempt', not 'attempts'."""
    policy = RetryPolicy(max_attempts=1)
    assert policy.describe_give_up(1, UNAVAILABLE) == "retries exhausted after 1 attempt"


@pytest.mark.parametrize("outcome", [UNAVAILABLE, THROTTLED, TIMED_OUT])
def test_off_mode_never_retries(outcome: AttemptOutcome) -> None:
    """Off mode gives up on the first failure, even a retryable one, and says why."""
    policy = RetryPolicy(mode="off")
    assert policy.delay_before_retry(1, outcome) is None
    assert policy.describe_give_up(1, outcome) == "retries are off (retry mode 'off')"


# --- retry quota ---------------------------------------------------------------------------------


def test_quota_starts_full() -> None:
    """A new standard or adaptive policy has botocore's 500 units of retry quota."""
    assert INITIAL_RETRY_QUOTA == 500 == RetryPolicy().retry_quota
    assert RetryPolicy(mode="adaptive").retry_quota == 500


def test_throttling_retry_costs_five() -> None:
    """A retry after a throttling error takes 5 units (1.44.18 retries/standard.py:706, :722)."""
    policy = RetryPolicy()
    policy.delay_before_retry(1, THROTTLED)
    assert policy.retry_quota == 495
    policy.delay_before_retry(1, AttemptOutcome(status_code=429))  # unmodeled 429: throttling
    assert policy.retry_quota == 490


@pytest.mark.parametrize("outcome", [UNAVAILABLE, TIMED_OUT, AttemptOutcome(failure="connect")])
def test_other_retries_cost_fourteen(outcome: AttemptOutcome) -> None:
    """Any other retry, a timeout included, takes 14 units (1.44.18 retries/standard.py:704,
    :724; botocore 1.43's separate timeout cost of 10 is gone)."""
    policy = RetryPolicy()
    policy.delay_before_retry(1, outcome)
    assert policy.retry_quota == 486


def test_no_quota_taken_when_giving_up() -> None:
    """Non-retryable outcomes and exhausted attempts take nothing from the quota."""
    policy = RetryPolicy()
    policy.delay_before_retry(1, VALIDATION)
    policy.delay_before_retry(3, UNAVAILABLE)
    assert policy.retry_quota == 500


def test_quota_storm_stops_retries() -> None:
    """A storm of 503s drains the quota after 35 retries (35 * 14 = 490, 10 left < 14: 1.44.18
    retries/quota.py:27 refuses an amount above what is available); then the policy gives up."""
    policy = RetryPolicy(random=fixed(0.0))
    granted = [policy.delay_before_retry(1, UNAVAILABLE) for _ in range(50)]
    assert granted == [0.0] * 35 + [None] * 15
    assert policy.retry_quota == 10
    assert policy.describe_give_up(1, UNAVAILABLE) == "retry quota exhausted"


def test_throttle_storm_gets_100_retries() -> None:
    """At 5 units per throttling retry, 100 fit into the quota (1.44.18 standard.py:706)."""
    policy = RetryPolicy(random=fixed(0.0))
    granted = sum(policy.delay_before_retry(1, THROTTLED) is not None for _ in range(150))
    assert granted == 100
    assert policy.retry_quota == 0


def test_success_after_retry_refunds_its_cost() -> None:
    """A success after a retry gives back what that retry took."""
    policy = RetryPolicy()
    policy.delay_before_retry(1, TIMED_OUT)
    policy.delay_before_retry(1, THROTTLED)
    policy.on_success(2, last_failure=TIMED_OUT)
    assert policy.retry_quota == 495


def test_success_without_last_failure_refunds_retry_cost() -> None:
    """Without the last failure, a retried success refunds the ordinary 14 units (1.44.18
    retries/standard.py:704)."""
    policy = RetryPolicy()
    policy.delay_before_retry(1, TIMED_OUT)
    policy.delay_before_retry(1, THROTTLED)
    policy.on_success(2)
    assert policy.retry_quota == 495


def test_first_attempt_success_refunds_one() -> None:
    """A success needing no retry gives back a single unit."""
    policy = RetryPolicy()
    policy.delay_before_retry(1, THROTTLED)
    policy.on_success(1)
    assert policy.retry_quota == 496


def test_refunds_never_exceed_initial_quota() -> None:
    """Successes on a full quota leave it at 500."""
    policy = RetryPolicy()
    policy.delay_before_retry(1, THROTTLED)
    for _ in range(10):
        policy.on_success(2, last_failure=TIMED_OUT)
    assert policy.retry_quota == 500


def test_successes_reopen_drained_quota() -> None:
    """After a storm, successes refill the quota and retries resume."""
    policy = RetryPolicy(random=fixed(0.0))
    while policy.delay_before_retry(1, UNAVAILABLE) is not None:
        pass
    assert policy.delay_before_retry(1, UNAVAILABLE) is None
    for _ in range(3):
        policy.on_success(1)
    assert policy.delay_before_retry(1, UNAVAILABLE) is None  # 13 units: one short of 14
    policy.on_success(1)
    assert policy.delay_before_retry(1, UNAVAILABLE) == 0.0
    assert policy.retry_quota == 0


@pytest.mark.parametrize("mode", ["legacy", "off"])
def test_legacy_and_off_have_no_quota(mode: RetryMode) -> None:
    """Legacy and off mode keep no retry quota, so legacy never runs out of it."""
    policy = RetryPolicy(mode=mode, random=fixed(0.0))
    assert policy.retry_quota is None
    expected = None if mode == "off" else 0.0
    assert all(policy.delay_before_retry(1, UNAVAILABLE) == expected for _ in range(300))


# --- adaptive rate limiting ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["standard", "legacy", "off"])
def test_non_adaptive_modes_never_wait_before_attempts(mode: RetryMode) -> None:
    """Only adaptive mode has a client-side rate limiter."""
    policy = RetryPolicy(mode=mode, random=fixed(0.0))
    policy.delay_before_retry(1, THROTTLED)
    assert [policy.before_attempt() for _ in range(20)] == [0.0] * 20
    assert policy.send_rate is None


def test_adaptive_does_not_limit_before_first_throttle() -> None:
    """Until a throttle is seen, adaptive sends freely."""
    clock = FakeClock()
    policy = RetryPolicy(mode="adaptive", clock=clock)
    for _ in range(50):
        assert policy.before_attempt() == 0.0
        policy.on_success(1)
        clock.now += 0.01
    assert policy.send_rate is None


def _drive(policy: RetryPolicy, clock: FakeClock, seconds: float, per_second: int) -> None:
    """Send ``per_second`` successful requests a second for ``seconds`` (no waiting)."""
    for _ in range(int(seconds * per_second)):
        clock.now += 1.0 / per_second
        policy.before_attempt()
        policy.on_success(1)


def test_adaptive_slows_down_after_throttle() -> None:
    """A throttle caps the send rate at 70 % of the measured rate and makes callers wait."""
    clock = FakeClock()
    policy = RetryPolicy(mode="adaptive", random=fixed(0.0), clock=clock)
    _drive(policy, clock, seconds=5, per_second=20)
    policy.delay_before_retry(1, THROTTLED)
    rate = policy.send_rate
    assert rate is not None
    assert 10.0 < rate < 16.0  # 0.7 x a measured ~20/s
    waits = [policy.before_attempt() for _ in range(30)]
    assert waits == sorted(waits)
    assert waits[-1] > 1.0  # thirty requests at once queue up for well over a second


def test_adaptive_recovers_after_successes() -> None:
    """After a throttle, successes raise the rate slowly (CUBIC), then past the old peak."""
    clock = FakeClock()
    policy = RetryPolicy(mode="adaptive", random=fixed(0.0), clock=clock)
    _drive(policy, clock, seconds=5, per_second=20)
    policy.delay_before_retry(1, THROTTLED)
    throttled_rate = policy.send_rate
    assert throttled_rate is not None
    old_peak = throttled_rate / 0.7
    clock.now += 0.05
    policy.on_success(1)
    just_after = policy.send_rate
    assert just_after is not None
    assert just_after < 0.75 * old_peak  # concave start: close to the reduced rate
    _drive(policy, clock, seconds=10, per_second=20)
    recovered = policy.send_rate
    assert recovered is not None
    assert recovered > 1.5 * old_peak  # convex probing beyond the previous maximum


def test_adaptive_repeated_throttles_keep_lowering_rate() -> None:
    """Each further throttle lowers the rate again, down to the 0.5/s floor."""
    clock = FakeClock()
    policy = RetryPolicy(mode="adaptive", max_attempts=50, random=fixed(0.0), clock=clock)
    _drive(policy, clock, seconds=5, per_second=20)
    rates = []
    for _ in range(25):
        clock.now += 0.6
        policy.delay_before_retry(1, THROTTLED)
        rates.append(policy.send_rate)
    assert rates[0] is not None
    assert rates[-1] is not None
    assert rates[-1] < rates[0]
    assert rates[-1] == 0.5


def test_adaptive_wait_matches_token_refill() -> None:
    """Once limited, a burst spends the bucket, then attempts are spaced 1 / rate apart."""
    clock = FakeClock()
    policy = RetryPolicy(mode="adaptive", clock=clock)
    _drive(policy, clock, seconds=5, per_second=20)
    policy.delay_before_retry(1, THROTTLED)
    rate = policy.send_rate
    assert rate is not None
    waits = [policy.before_attempt() for _ in range(40)]
    free = [w for w in waits if w == 0.0]
    assert len(free) == math.floor(rate)  # a full bucket holds `rate` tokens
    queued = waits[len(free) :]
    assert all(w > 0.0 for w in queued)
    gaps = [b - a for a, b in itertools.pairwise(queued)]
    assert gaps == pytest.approx([1.0 / rate] * len(gaps))


def test_non_throttling_errors_do_not_engage_limiter() -> None:
    """A 503 is not a throttle: adaptive mode keeps sending freely."""
    clock = FakeClock()
    policy = RetryPolicy(mode="adaptive", random=fixed(0.0), clock=clock)
    _drive(policy, clock, seconds=2, per_second=10)
    policy.delay_before_retry(1, UNAVAILABLE)
    assert policy.send_rate is None
    assert policy.before_attempt() == 0.0


# --- thread safety -------------------------------------------------------------------------------


def _run_threads(count: int, target: Callable[[], None]) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.usefixtures("fine_switching")
def test_quota_grants_exactly_capacity_across_threads() -> None:
    """Sixteen threads racing for throttling retries get exactly 100 grants of 5 out of 500."""
    policy = RetryPolicy(random=fixed(0.0))
    granted: list[bool] = []

    def storm() -> None:
        for _ in range(50):
            granted.append(policy.delay_before_retry(1, THROTTLED) is not None)

    _run_threads(16, storm)
    assert sum(granted) == 100
    assert policy.retry_quota == 0


@pytest.mark.usefixtures("fine_switching")
def test_quota_consistent_after_threads_take_and_refund() -> None:
    """Threads that take and refund in pairs leave the quota exactly full."""
    policy = RetryPolicy(mode="adaptive", random=fixed(0.0), clock=FakeClock())

    def take_and_refund() -> None:
        for _ in range(300):
            if policy.delay_before_retry(1, TIMED_OUT) is not None:
                policy.on_success(2, last_failure=TIMED_OUT)

    _run_threads(12, take_and_refund)
    assert policy.retry_quota == 500


@pytest.mark.usefixtures("fine_switching")
def test_adaptive_reservations_are_serialised_across_threads() -> None:
    """Concurrent before_attempt calls each get a distinct place in the token queue."""
    clock = FakeClock()
    policy = RetryPolicy(mode="adaptive", clock=clock)
    _drive(policy, clock, seconds=5, per_second=20)
    policy.delay_before_retry(1, THROTTLED)
    rate = policy.send_rate
    assert rate is not None
    waits: list[float] = []

    def reserve() -> None:
        for _ in range(25):
            waits.append(policy.before_attempt())

    _run_threads(8, reserve)
    positive = sorted(w for w in waits if w > 0)
    gaps = [b - a for a, b in itertools.pairwise(positive)]
    assert gaps == pytest.approx([1.0 / rate] * len(gaps))


# --- expired tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException"])
def test_expired_token_codes(code: str) -> None:
    """ExpiredToken and ExpiredTokenException mean the session token expired."""
    assert is_expired_token_error(AttemptOutcome(status_code=403, error_code=code))


@pytest.mark.parametrize(
    "code", ["RequestExpired", "InvalidClientTokenId", "UnrecognizedClientException", None]
)
def test_other_codes_are_not_expired_token(code: str | None) -> None:
    """Request-timestamp and unknown-key errors are not expired tokens."""
    assert not is_expired_token_error(AttemptOutcome(status_code=403, error_code=code))


@pytest.mark.parametrize("mode", ["standard", "adaptive", "legacy"])
def test_service_retryable_codes_are_retried_in_every_mode(mode: RetryMode) -> None:
    """botocore retries STS's IDPCommunicationError (a 400) in every mode; other policies
    do not retry it."""
    outcome = AttemptOutcome(status_code=400, error_code="IDPCommunicationError")
    sts = RetryPolicy(mode=mode, retryable_codes=frozenset({"IDPCommunicationError"}))
    assert sts.is_retryable(outcome)
    assert sts.delay_before_retry(1, outcome) is not None
    assert not RetryPolicy(mode=mode).is_retryable(outcome)


# --- botocore 1.44's constants, one row each ----------------------------------------------------

# (name in bedrock_paginate._retry, expected value, where botocore 1.44.18 defines it)
BOTOCORE_144_CONSTANTS: list[tuple[str, object, str]] = [
    ("INITIAL_RETRY_QUOTA", 500, "retries/quota.py:7 INITIAL_CAPACITY = 500"),
    ("RETRY_COST", 14, "retries/standard.py:704 _RETRY_COST = 14"),
    ("THROTTLING_RETRY_COST", 5, "retries/standard.py:706 _THROTTLING_RETRY_COST = 5"),
    ("NO_RETRY_REFUND", 1, "retries/standard.py:705 _NO_RETRY_INCREMENT = 1"),
    ("MAX_BACKOFF", 20.0, "retries/standard.py:346 _MAX_BACKOFF = 20"),
    ("THROTTLING_BACKOFF_BASE", 1.0, "retries/standard.py:351 'throttling_base_scale': 1"),
    ("TRANSIENT_BACKOFF_BASE", 0.05, "retries/standard.py:352 'non_throttling_base_scale': 0.05"),
    ("RETRY_AFTER_MAX_EXTRA", 5.0, "retries/standard.py:348 _RETRY_AFTER_MAX_ADDITIONAL = 5"),
    (
        "DEFAULT_MAX_ATTEMPTS",
        {"standard": 3, "adaptive": 3, "legacy": 5, "off": 1},
        "retries/standard.py:36 DEFAULT_MAX_ATTEMPTS = 3; data/_retry.json:93 max_attempts 5",
    ),
    (
        "TRANSIENT_ERROR_CODES",
        frozenset({"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"}),
        "retries/standard.py:464-468 _TRANSIENT_ERROR_CODES",
    ),
    (
        "_TRANSIENT_STATUS_CODES",
        frozenset({500, 502, 503, 504}),
        "retries/standard.py:469 _TRANSIENT_STATUS_CODES",
    ),
    ("_TOO_MANY_REQUESTS", 429, "retries/standard.py:549 _THROTTLING_STATUS_CODES = [429]"),
    (
        "THROTTLING_ERROR_CODES",
        frozenset(
            {
                "Throttling",
                "ThrottlingException",
                "ThrottledException",
                "RequestThrottledException",
                "TooManyRequestsException",
                "ProvisionedThroughputExceededException",
                "TransactionInProgressException",
                "RequestLimitExceeded",
                "BandwidthLimitExceeded",
                "LimitExceededException",
                "RequestThrottled",
                "SlowDown",
                "PriorRequestNotComplete",
                "EC2ThrottledException",
            }
        ),
        "retries/standard.py:510-525 _THROTTLED_ERROR_CODES",
    ),
    (
        "LEGACY_THROTTLING_ERROR_CODES",
        frozenset(
            {
                "Throttling",
                "ThrottlingException",
                "ThrottledException",
                "RequestThrottledException",
                "ProvisionedThroughputExceededException",
            }
        ),
        "data/_retry.json:6-31, 85-86 throttling codes on HTTP 400 (unchanged since 1.43)",
    ),
    (
        "_LEGACY_RETRY_STATUS_CODES",
        frozenset({429, 500, 502, 503, 504, 509}),
        "data/_retry.json:38, 50-78 HTTP 429, 500-504, 509 (unchanged since 1.43)",
    ),
]


@pytest.mark.parametrize(
    ("name", "expected", "source"),
    BOTOCORE_144_CONSTANTS,
    ids=[r[0] for r in BOTOCORE_144_CONSTANTS],
)
def test_constants_match_botocore_144(name: str, expected: object, source: str) -> None:
    """Each retry constant has the value botocore 1.44 gives it (``source`` says where)."""
    import bedrock_paginate._retry as retry_module

    assert getattr(retry_module, name) == expected, source


def test_timeout_cost_of_botocore_143_is_gone() -> None:
    """botocore 1.44 removed ``_TIMEOUT_RETRY_REQUEST``; so did this module."""
    import bedrock_paginate._retry as retry_module

    assert not hasattr(retry_module, "TIMEOUT_RETRY_COST")
