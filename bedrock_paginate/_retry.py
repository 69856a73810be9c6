"""The retry policy: which failed attempts to retry, and how long to wait first.

This module owns the *decisions* only: it classifies an attempt's outcome, computes backoff
delays, keeps the client's retry quota and (in adaptive mode) its client-side rate limiter. It
never sleeps, never touches a socket and must not import httpx or anything that does. The
request engine (``_engine.py``) drives it like this, once per attempt, and the client shells
only sleep what it says::

    wait = policy.before_attempt()            # adaptive rate limiter; sleep this first
    ... send, producing an AttemptOutcome ...
    success  -> policy.on_success(attempt, last_failure=previous_outcome)
    failure  -> delay = policy.delay_before_retry(attempt, outcome)
                None: raise, with policy.describe_give_up(attempt, outcome) in the message
                else: sleep ``delay`` seconds and try again

Call exactly one of ``on_success`` / ``delay_before_retry`` after every attempt: both feed the
adaptive rate limiter, and ``delay_before_retry`` is what takes capacity from the retry quota.

The rules follow botocore 1.44 (``botocore/retries/*.py`` and ``data/_retry.json`` of the
1.44.18 wheel; 1.44 made 1.43's opt-in ``AWS_NEW_RETRIES_2026`` behaviour the only one):

* **standard** (botocore's ``standard`` mode, its default since 1.44): retry the throttling
  error codes, the transient error codes, HTTP 500/502/503/504, an HTTP 429 whose error code is
  not one the operation models (counted as throttling) and every failure to get a well-formed
  response, up to ``max_attempts`` total attempts (default 3). Delay
  ``random() * min(base * 2 ** (attempt - 1), 20)`` seconds (full jitter, capped at
  :data:`MAX_BACKOFF`), where ``base`` is :data:`THROTTLING_BACKOFF_BASE` (1 s) after a
  throttling error and :data:`TRANSIENT_BACKOFF_BASE` (50 ms) otherwise. A retry first takes
  :data:`RETRY_COST` (throttling: :data:`THROTTLING_RETRY_COST`) from a quota of
  :data:`INITIAL_RETRY_QUOTA` shared by the whole client; with too little left, the policy gives
  up. A success gives back what its last retry took, or :data:`NO_RETRY_REFUND` if it needed
  none. ``x-amz-retry-after`` (milliseconds) lengthens a delay: it becomes
  ``max(t, min(retry_after, t + 5))`` for the jittered backoff ``t``, so the header may add at
  most :data:`RETRY_AFTER_MAX_EXTRA` seconds and never shortens it; a value ``int()`` cannot
  read, or a negative one, is ignored. So a delay is at most ``MAX_BACKOFF +
  RETRY_AFTER_MAX_EXTRA`` seconds. (botocore 1.44 also keeps waiting on a long-polling
  operation whose quota ran out; it names only SQS, SFN, SWF and Kinesis operations, so
  nothing here.)
* **adaptive**: standard, plus botocore's client-side rate limiter. It stays off until the first
  throttling response; from then on every attempt takes a token from a bucket whose fill rate
  follows CUBIC (drop to 70 % of the measured send rate on a throttle, grow back on successes).
* **legacy** (botocore's ``legacy`` mode, ``_retry.json`` ``__default__``; Bedrock has no
  service section): retry connection errors, HTTP 429/500/502/503/504/509 and, on HTTP 400 only,
  five throttling codes; 5 total attempts; delay ``random() * 2 ** (attempt - 1)``. No quota, no
  ``x-amz-retry-after``. Unchanged in 1.44.
* **off**: one attempt, never a retry (not a botocore mode).
* ``retryable_codes``: error codes a service's model retries in every mode (botocore's special
  cases; STS's ``IDPCommunicationError``, passed by the STS credential providers).

Where this module deliberately differs from botocore (each is tested):

* ``failure="bad_body"`` (a 200 whose body is not the promised JSON) is retried in every mode:
  the request is an idempotent GET. botocore would hand the caller a half-parsed response.
* Legacy delays are capped at :data:`MAX_BACKOFF` too (botocore's legacy delay is unbounded; it
  only differs from botocore when ``max_attempts`` is 7 or more).
* The adaptive token bucket reserves instead of blocking: :meth:`RetryPolicy.before_attempt`
  takes the token at once and returns how long to wait for it, so concurrent callers queue up.

Clock skew and expired credentials are not retry decisions here (``is_retryable`` is false for
them); the engine re-signs (clock skew is recognised in ``_skew``) or refreshes once.
"""

from __future__ import annotations

import math
import random as _random
import threading
import time
from collections.abc import Callable
from typing import Final, Literal

import attrs

from .errors import ParamValidationError

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "EXPIRED_TOKEN_ERROR_CODES",
    "INITIAL_RETRY_QUOTA",
    "LEGACY_THROTTLING_ERROR_CODES",
    "MAX_BACKOFF",
    "NO_RETRY_REFUND",
    "RETRY_AFTER_MAX_EXTRA",
    "RETRY_COST",
    "RETRY_MODES",
    "THROTTLING_BACKOFF_BASE",
    "THROTTLING_ERROR_CODES",
    "THROTTLING_RETRY_COST",
    "TRANSIENT_BACKOFF_BASE",
    "TRANSIENT_ERROR_CODES",
    "AttemptOutcome",
    "FailureKind",
    "RetryMode",
    "RetryPolicy",
    "backoff_delay",
    "is_expired_token_error",
    "is_throttling_error",
    "parse_retry_after",
    "retry_cost",
]

RetryMode = Literal["standard", "adaptive", "legacy", "off"]
#: Why an attempt produced no usable response (the one list of kinds, shared with the engine
#: and the shells): could not connect, timed out, connection cut while reading, a body that
#: is not what the API promises (``bad_body``) or whose Content-Encoding could not be undone
#: (``bad_encoding``), or a body over the size cap (``too_large``, never retried).
FailureKind = Literal["connect", "timeout", "read", "bad_body", "bad_encoding", "too_large"]

RETRY_MODES: Final[tuple[RetryMode, ...]] = ("standard", "adaptive", "legacy", "off")

#: Total attempts (the first one included) per mode when ``max_attempts`` is not given.
DEFAULT_MAX_ATTEMPTS: dict[str, int] = {"standard": 3, "adaptive": 3, "legacy": 5, "off": 1}

#: Longest jittered backoff, seconds (botocore ``ExponentialBackoff._MAX_BACKOFF``).
MAX_BACKOFF: Final = 20.0
#: First backoff window after a throttling error, seconds (``throttling_base_scale``).
THROTTLING_BACKOFF_BASE: Final = 1.0
#: First backoff window after any other retryable failure (``non_throttling_base_scale``;
#: botocore's 25 ms DynamoDB value does not apply to Bedrock or STS).
TRANSIENT_BACKOFF_BASE: Final = 0.05
#: How far ``x-amz-retry-after`` may push a delay beyond the jittered backoff, seconds
#: (``_RETRY_AFTER_MAX_ADDITIONAL``).
RETRY_AFTER_MAX_EXTRA: Final = 5.0

#: Retry quota of a new client (botocore ``RetryQuota.INITIAL_CAPACITY``).
INITIAL_RETRY_QUOTA: Final = 500
#: Quota one retry takes (botocore ``RetryQuotaChecker._RETRY_COST``; timeouts included).
RETRY_COST: Final = 14
#: Quota one retry after a throttling error takes (``_THROTTLING_RETRY_COST``).
THROTTLING_RETRY_COST: Final = 5
#: Quota a success that needed no retry gives back (``_NO_RETRY_INCREMENT``).
NO_RETRY_REFUND: Final = 1

#: Codes that mean "slow down" (botocore ``ThrottledRetryableChecker``; same list in JS v3).
THROTTLING_ERROR_CODES: Final = frozenset(
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
)
#: Codes retried as transient whatever the status (botocore ``TransientRetryableChecker``).
#: ``InternalError`` is not among them: it arrives with a 5xx status, which is retried anyway.
TRANSIENT_ERROR_CODES: Final = frozenset(
    {"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"}
)
_TRANSIENT_STATUS_CODES: Final = frozenset({500, 502, 503, 504})
_TOO_MANY_REQUESTS: Final = 429

#: Legacy mode retries these codes on HTTP 400 only (``_retry.json`` ``__default__``).
LEGACY_THROTTLING_ERROR_CODES: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "ProvisionedThroughputExceededException",
    }
)
_LEGACY_RETRY_STATUS_CODES: Final = frozenset({429, 500, 502, 503, 504, 509})
_LEGACY_THROTTLING_STATUS: Final = 400

#: Codes meaning the session token has expired (AWS SDK for Go v1 ``credsExpiredCodes``, minus
#: its EC2-only ``RequestExpired``, which is a request-timestamp error: see ``_skew``).
EXPIRED_TOKEN_ERROR_CODES: Final = frozenset({"ExpiredToken", "ExpiredTokenException"})

# Exponents beyond this are capped anyway; keeps 2.0 ** n finite for absurd attempt numbers.
_MAX_EXPONENT: Final = 62


@attrs.frozen(kw_only=True)
class AttemptOutcome:
    """What one failed (or successful) attempt produced, as the retry policy needs it.

    ``failure`` says why no usable response was obtained: ``connect`` (could not connect, or
    the connection was reset before a response), ``timeout`` (connect or read timeout), ``read``
    (connection dropped or body shorter than Content-Length), ``bad_body`` (a 200 whose body is
    not valid JSON of the expected shape). ``retry_after`` is the raw ``x-amz-retry-after``
    header (milliseconds) and ``date_header`` the raw ``Date`` header. ``modeled_error`` says
    the error code is one the operation models (botocore then lets the model, not a 429
    status, decide whether it is throttling).
    """

    status_code: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    failure: FailureKind | None = None
    retry_after: str | None = None
    date_header: str | None = None
    modeled_error: bool = False


# --- classification -------------------------------------------------------------------------


def is_throttling_error(outcome: AttemptOutcome) -> bool:
    """Whether the service asked us to slow down: a throttling code, or an HTTP 429 whose code
    the operation does not model (botocore 1.44 ``ThrottlingErrorDetector``; no Bedrock or
    STS error is modeled as retryable, so the model never says "throttling" itself)."""
    if outcome.error_code in THROTTLING_ERROR_CODES:
        return True
    return outcome.status_code == _TOO_MANY_REQUESTS and not outcome.modeled_error


def _is_standard_retryable(outcome: AttemptOutcome) -> bool:
    """botocore's standard-mode conditions (plus bad bodies)."""
    return (
        outcome.failure is not None
        or outcome.error_code in TRANSIENT_ERROR_CODES
        or outcome.status_code in _TRANSIENT_STATUS_CODES
        or is_throttling_error(outcome)
    )


def _is_legacy_retryable(outcome: AttemptOutcome) -> bool:
    """botocore's legacy ``_retry.json`` ``__default__`` policies (plus bad bodies)."""
    return (
        outcome.failure is not None
        or outcome.status_code in _LEGACY_RETRY_STATUS_CODES
        or (
            outcome.status_code == _LEGACY_THROTTLING_STATUS
            and outcome.error_code in LEGACY_THROTTLING_ERROR_CODES
        )
    )


def retry_cost(outcome: AttemptOutcome | None) -> int:
    """Retry quota a retry after ``outcome`` takes: less after a throttling error."""
    if outcome is not None and is_throttling_error(outcome):
        return THROTTLING_RETRY_COST
    return RETRY_COST


# --- delays ---------------------------------------------------------------------------------


def backoff_delay(
    attempt: int, random_value: float, cap: float = MAX_BACKOFF, base: float = 1.0
) -> float:
    """Full-jitter exponential backoff: ``random_value * min(base * 2 ** (attempt - 1), cap)``.

    ``random_value`` is clamped into ``[0, 1]`` (NaN counts as 0), so the result always lies in
    ``[0, cap]``; 0 gives no delay and 1 the whole window.
    """
    exponent = min(max(attempt - 1, 0), _MAX_EXPONENT)
    window = min(base * 2.0**exponent, cap)
    fraction = min(random_value, 1.0) if random_value > 0.0 else 0.0
    return fraction * window


def parse_retry_after(value: str | None) -> float | None:
    """``x-amz-retry-after`` (whole milliseconds) in seconds, or ``None`` if absent or malformed.

    Read as botocore 1.44 reads it: whatever Python's ``int()`` accepts (surrounding spaces, a
    sign, ``_`` between digits), divided by 1000; negative, unreadable or too large to be a
    float is ignored.
    """
    if value is None:
        return None
    try:
        seconds = int(value) / 1000.0
    except (ValueError, OverflowError):
        return None
    return None if seconds < 0 else seconds


def _apply_retry_after(delay: float, retry_after: float | None) -> float:
    """Lengthen ``delay`` towards ``retry_after``, by at most RETRY_AFTER_MAX_EXTRA seconds."""
    if retry_after is None:
        return delay
    return max(delay, min(retry_after, delay + RETRY_AFTER_MAX_EXTRA))


# --- retry quota ----------------------------------------------------------------------------


class _RetryQuota:
    """A token bucket of retry capacity shared by all requests of one client.

    Not locked itself: :class:`RetryPolicy` holds its lock around every call.
    """

    def __init__(self, capacity: int = INITIAL_RETRY_QUOTA) -> None:
        self.max_capacity = capacity
        self.available = capacity

    def acquire(self, amount: int) -> bool:
        """Take ``amount`` if there is that much left; report whether it was taken."""
        if amount > self.available:
            return False
        self.available -= amount
        return True

    def release(self, amount: int) -> None:
        """Give back ``amount``, never above the initial capacity."""
        self.available = min(self.max_capacity, self.available + amount)


# --- adaptive client-side rate limiting (botocore retries/adaptive.py, bucket.py, ...) -------


class _SendTokenBucket:
    """Tokens to send requests, refilled at ``fill_rate`` per second (botocore TokenBucket).

    Taking a token never blocks: the bucket may go into debt and :meth:`reserve` says how long
    the caller must wait until its token has been refilled.
    """

    MIN_RATE: Final = 0.5

    def __init__(self, now: float, max_rate: float = 1.0) -> None:
        self.fill_rate = 1.0
        self.max_capacity = 1.0
        self.capacity = 0.0
        self._last = now
        self.set_max_rate(max_rate, now)

    def _refill(self, now: float) -> None:
        elapsed = max(now - self._last, 0.0)  # a clock that steps back refills nothing
        self.capacity = min(self.max_capacity, self.capacity + elapsed * self.fill_rate)
        self._last = now

    def set_max_rate(self, rate: float, now: float) -> None:
        """Change the fill rate (at least MIN_RATE); tokens so far accrue at the old rate."""
        self._refill(now)
        self.fill_rate = max(rate, self.MIN_RATE)
        self.max_capacity = max(rate, 1.0)
        self.capacity = min(self.capacity, self.max_capacity)

    def reserve(self, now: float) -> float:
        """Take one token; return the seconds until it exists (0.0 if it already did)."""
        self._refill(now)
        self.capacity -= 1.0
        if self.capacity >= 0.0:
            return 0.0
        return -self.capacity / self.fill_rate


class _Cubic:
    """CUBIC congestion control for the send rate (botocore ``CubicCalculator``)."""

    SCALE: Final = 0.4
    BETA: Final = 0.7

    def __init__(self, now: float) -> None:
        self.w_max = 0.0
        self.k = 0.0
        self.last_fail = now

    def success(self, now: float) -> float:
        """The rate CUBIC allows ``now`` since the last throttle."""
        x = now - self.last_fail - self.k
        try:
            cubed = x**3  # botocore's exact expression: x * x * x can differ in the last bit
        except OverflowError:  # an absurd clock jump: botocore would raise; we saturate
            cubed = math.copysign(math.inf, x)
        return self.SCALE * cubed + self.w_max

    def throttled(self, rate: float, now: float) -> float:
        """Remember ``rate`` as the new ceiling and return the reduced rate to use now."""
        self.w_max = rate
        self.k = (rate * (1.0 - self.BETA) / self.SCALE) ** (1.0 / 3.0)
        self.last_fail = now
        return rate * self.BETA


class _RateMeter:
    """Smoothed measured send rate in half-second buckets (botocore ``RateClocker``)."""

    SMOOTHING: Final = 0.8
    BUCKETS_PER_SECOND: Final = 2.0

    def __init__(self, now: float) -> None:
        self.rate = 0.0
        self._count = 0
        self._last_bucket = float(math.floor(now))  # whole seconds at start, as botocore

    def record(self, now: float) -> float:
        """Count one response at ``now``; return the measured rate (responses per second)."""
        bucket = math.floor(now * self.BUCKETS_PER_SECOND) / self.BUCKETS_PER_SECOND
        self._count += 1
        if bucket > self._last_bucket:
            current = self._count / (bucket - self._last_bucket)
            self.rate = current * self.SMOOTHING + self.rate * (1.0 - self.SMOOTHING)
            self._count = 0
            self._last_bucket = bucket
        return self.rate


class _RateLimiter:
    """botocore's ``ClientRateLimiter``: off until the first throttle, then CUBIC-driven."""

    MAX_RATE_ADJUST_SCALE: Final = 2.0

    def __init__(self, now: float) -> None:
        self.enabled = False
        self.bucket = _SendTokenBucket(now)
        self.cubic = _Cubic(now)
        self.meter = _RateMeter(now)

    def before_send(self, now: float) -> float:
        """Seconds to wait before sending (0.0 while no throttle has been seen)."""
        return self.bucket.reserve(now) if self.enabled else 0.0

    def on_response(self, *, throttled: bool, now: float) -> None:
        """Update the send rate after any attempt, throttled or not."""
        measured = self.meter.record(now)
        if throttled:
            current = min(measured, self.bucket.fill_rate) if self.enabled else measured
            new_rate = self.cubic.throttled(current, now)
            self.enabled = True
        else:
            new_rate = self.cubic.success(now)
        self.bucket.set_max_rate(min(new_rate, self.MAX_RATE_ADJUST_SCALE * measured), now)


# --- the policy -----------------------------------------------------------------------------


def _check_mode(mode: str) -> RetryMode:
    for known in RETRY_MODES:
        if mode == known:
            return known
    allowed = ", ".join(repr(m) for m in RETRY_MODES)
    raise ParamValidationError(
        f"Invalid retry mode {mode!r}: allowed values are {allowed}.", param="retry_mode"
    )


def _check_max_attempts(mode: RetryMode, max_attempts: int | None) -> int:
    if mode == "off" or max_attempts is None:
        return DEFAULT_MAX_ATTEMPTS[mode]
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise ParamValidationError(
            f"Invalid max_attempts {max_attempts!r}: it must be an integer >= 1 (the total "
            "number of attempts, the first one included).",
            param="max_attempts",
        )
    return max_attempts


class RetryPolicy:
    """One client's retry decisions: classification, backoff, retry quota, rate limiter.

    Thread-safe: one instance is shared by all threads and tasks of a client. Every method
    returns at once (the shell does the sleeping). ``max_attempts`` counts all attempts, the
    first one included (botocore's ``total_max_attempts`` / ``AWS_MAX_ATTEMPTS``); it is
    ignored in ``"off"`` mode, which always makes exactly one attempt.

    ``random`` (returning a float in ``[0, 1)``) and ``clock`` (seconds, any epoch) are
    injectable so tests are deterministic and never sleep.
    """

    def __init__(
        self,
        *,
        mode: RetryMode = "standard",
        max_attempts: int | None = None,
        random: Callable[[], float] = _random.random,
        clock: Callable[[], float] = time.monotonic,
        retryable_codes: frozenset[str] = frozenset(),
    ) -> None:
        self.mode: RetryMode = _check_mode(mode)
        #: Error codes this service's model marks retryable in every mode (botocore's special
        #: cases, e.g. STS's ``IDPCommunicationError``).
        self.retryable_codes = retryable_codes
        self.max_attempts: int = _check_max_attempts(self.mode, max_attempts)
        self._random = random
        self._clock = clock
        self._lock = threading.Lock()
        has_quota = self.mode in ("standard", "adaptive")
        self._quota = _RetryQuota() if has_quota else None
        self._limiter = _RateLimiter(clock()) if self.mode == "adaptive" else None

    def __repr__(self) -> str:
        return f"RetryPolicy(mode={self.mode!r}, max_attempts={self.max_attempts})"

    @property
    def retry_quota(self) -> int | None:
        """Retry capacity left (``None`` in legacy and off mode, which have no quota)."""
        with self._lock:
            return None if self._quota is None else self._quota.available

    @property
    def send_rate(self) -> float | None:
        """Adaptive mode's allowed requests per second; ``None`` until the first throttle."""
        with self._lock:
            if self._limiter is None or not self._limiter.enabled:
                return None
            return self._limiter.bucket.fill_rate

    def is_retryable(self, outcome: AttemptOutcome) -> bool:
        """Whether this outcome is worth another attempt under this mode's rules.

        Ignores attempts and quota. ``"off"`` mode classifies like standard (it simply never
        retries). Clock-skew and expired-token errors are never retryable here.
        """
        if outcome.error_code is not None and outcome.error_code in self.retryable_codes:
            return True
        if self.mode == "legacy":
            return _is_legacy_retryable(outcome)
        return _is_standard_retryable(outcome)

    def before_attempt(self) -> float:
        """Seconds to wait before the next attempt (adaptive mode's limiter; else 0.0)."""
        if self._limiter is None:
            return 0.0
        with self._lock:
            return self._limiter.before_send(self._clock())

    def delay_before_retry(self, attempt: int, outcome: AttemptOutcome) -> float | None:
        """Seconds to sleep before the next attempt, or ``None`` to give up.

        ``attempt`` is the number of attempts made so far (1 after the first failure). Gives up
        when the outcome is not retryable, ``attempt`` reached ``max_attempts``, or the retry
        quota cannot pay for the retry; otherwise takes the retry's cost from the quota.
        """
        _check_attempt(attempt)
        with self._lock:
            if self._limiter is not None:
                self._limiter.on_response(throttled=is_throttling_error(outcome), now=self._clock())
            if attempt >= self.max_attempts or not self.is_retryable(outcome):
                return None
            if self._quota is not None and not self._quota.acquire(retry_cost(outcome)):
                return None
        return self._delay(attempt, outcome)

    def _delay(self, attempt: int, outcome: AttemptOutcome) -> float:
        if self.mode == "legacy":
            return backoff_delay(attempt, self._random())
        throttled = is_throttling_error(outcome)
        base = THROTTLING_BACKOFF_BASE if throttled else TRANSIENT_BACKOFF_BASE
        delay = backoff_delay(attempt, self._random(), base=base)
        return _apply_retry_after(delay, parse_retry_after(outcome.retry_after))

    def on_success(self, attempt: int, *, last_failure: AttemptOutcome | None = None) -> None:
        """Record a successful attempt: refund the retry quota, speed up the rate limiter.

        ``last_failure`` is the outcome that caused the last retry, if any; it decides the
        refund (what that retry took: less after a throttling error). A first-attempt success
        refunds :data:`NO_RETRY_REFUND`.
        """
        _check_attempt(attempt)
        with self._lock:
            if self._limiter is not None:
                self._limiter.on_response(throttled=False, now=self._clock())
            if self._quota is not None:
                refund = NO_RETRY_REFUND if attempt <= 1 else retry_cost(last_failure)
                self._quota.release(refund)

    def describe_give_up(self, attempt: int, outcome: AttemptOutcome) -> str:
        """Why :meth:`delay_before_retry` returned ``None``, for an error message."""
        if not self.is_retryable(outcome):
            return "not retryable"
        if self.mode == "off":
            return "retries are off (retry mode 'off')"
        if attempt >= self.max_attempts:
            return f"retries exhausted after {attempt} attempt{'' if attempt == 1 else 's'}"
        return "retry quota exhausted"


def _check_attempt(attempt: int) -> None:
    if attempt < 1:
        raise ParamValidationError(
            f"Invalid attempt number {attempt!r}: attempts are counted from 1.", param="attempt"
        )


# --- expired credentials ---------------------------------------------------------------------


def is_expired_token_error(outcome: AttemptOutcome) -> bool:
    """Whether the session token has expired (``ExpiredToken``, ``ExpiredTokenException``).

    Not ``RequestExpired`` (the request's timestamp is too old: clock skew) and not
    ``InvalidClientTokenId`` / ``UnrecognizedClientException`` (the key is unknown, which fresh
    credentials from the same source would not fix).
    """
    return outcome.error_code in EXPIRED_TOKEN_ERROR_CODES
