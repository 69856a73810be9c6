"""Cross-check the retry policy (``bedrock_paginate._retry``) against botocore's own retry code.

Run in an environment that has botocore 1.44 and this library, e.g. a throwaway venv::

    python3 -m venv /tmp/xretry && /tmp/xretry/bin/pip install -q 'botocore==1.44.*' .
    /tmp/xretry/bin/python benchmarks/crosscheck_retry.py

The same seeded sequences of attempt outcomes (throttles, 429s with and without a modeled code,
5xx, ``x-amz-retry-after`` values, connection errors, read timeouts, client errors, successes)
are fed to botocore's components, built as botocore 1.44 builds them for Bedrock's
``ListModelInvocationJobs`` (``retries/standard.py`` handler and quota, ``retries/adaptive.py``
rate limiter, ``retryhandler.py`` for legacy, the real service model for modeled errors) and to
:class:`~bedrock_paginate._retry.RetryPolicy`, both with the same random draws and the same fake
clock. Every decision must agree: retry or give up, the delay (exactly, as floats), the retry
quota after each attempt and, in adaptive mode, the send rate. botocore is never a dependency of
the library: only this script imports it. Prints one line per mode and exits 1 on any
disagreement (printing the first few).
"""

from __future__ import annotations

import random
import sys
import types
from collections.abc import Callable
from typing import Any

import botocore  # type: ignore[import-not-found,import-untyped,unused-ignore]
import botocore.retryhandler  # type: ignore[import-not-found,import-untyped,unused-ignore]
import botocore.session  # type: ignore[import-not-found,import-untyped,unused-ignore]
from botocore import translate  # type: ignore[import-not-found,import-untyped,unused-ignore]
from botocore.awsrequest import AWSResponse  # type: ignore[import-not-found,import-untyped,unused-ignore]
from botocore.exceptions import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.retries import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
    adaptive,
    bucket,
    quota,
    standard,
    throttling,
)

from bedrock_paginate._operations import LIST_MODEL_INVOCATION_JOBS
from bedrock_paginate._retry import AttemptOutcome, RetryMode, RetryPolicy
from bedrock_paginate.errors import ServiceError

#: (status, error code, x-amz-retry-after, failure): ``None`` status with a failure kind means no
#: response at all. Weighted towards retryable outcomes so the quota is exercised.
MENU: list[tuple[int | None, str | None, str | None, str | None]] = [
    (429, "ThrottlingException", None, None),
    (400, "ThrottlingException", None, None),
    (400, "Throttling", None, None),
    (429, None, None, None),
    (429, "SomethingNew", None, None),
    (429, "ValidationException", None, None),
    (429, "AccessDeniedException", None, None),
    (503, "ServiceUnavailableException", None, None),
    (500, "InternalServerException", None, None),
    (502, None, None, None),
    (504, None, None, None),
    (509, None, None, None),
    (400, "RequestTimeout", None, None),
    (400, "PriorRequestNotComplete", None, None),
    (503, None, "3000", None),
    (429, "ThrottlingException", "700", None),
    (503, None, "1_000", None),
    (503, None, "+250", None),
    (503, None, "-5", None),
    (503, None, "abc", None),
    (503, None, "99999999", None),
    (None, None, None, "connect"),
    (None, None, None, "timeout"),
    (400, "ValidationException", None, None),
    (403, "AccessDeniedException", None, None),
    (200, None, None, None),
    (200, None, None, None),
    (200, None, None, None),
]
CALLS = 400


class FakeClock:
    """botocore's ``bucket.Clock`` interface, and a callable for ``RetryPolicy``."""

    def __init__(self) -> None:
        self.now = 1000.0

    def current_time(self) -> float:
        return self.now

    def sleep(self, amount: float) -> None:
        self.now += amount

    def __call__(self) -> float:
        return self.now


def draws(seed: int) -> Callable[[], float]:
    rng = random.Random(seed)
    return rng.random


def botocore_inputs(
    step: tuple[int | None, str | None, str | None, str | None], attempt: int, op: Any, ctx: Any
) -> dict[str, Any]:
    status, code, retry_after, failure = step
    if failure is not None:
        exc = (
            EndpointConnectionError(endpoint_url="https://bedrock")
            if failure == "connect"
            else ReadTimeoutError(endpoint_url="https://bedrock")
        )
        response = None
    else:
        exc = None
        headers = {} if retry_after is None else {"x-amz-retry-after": retry_after}
        http = AWSResponse("https://bedrock", status, headers, None)
        parsed: dict[str, Any] = {"ResponseMetadata": {}}
        if code is not None:
            parsed["Error"] = {"Code": code, "Message": ""}
        response = (http, parsed)
    return {
        "response": response,
        "attempts": attempt,
        "operation": op,
        "caught_exception": exc,
        "request_dict": {"context": ctx},
    }


def our_outcome(step: tuple[int | None, str | None, str | None, str | None]) -> AttemptOutcome:
    status, code, retry_after, failure = step
    if failure is not None:
        return AttemptOutcome(failure=failure)  # type: ignore[arg-type]
    modeled = code is not None and LIST_MODEL_INVOCATION_JOBS.error_class(code) is not ServiceError
    return AttemptOutcome(
        status_code=status, error_code=code, retry_after=retry_after, modeled_error=modeled
    )


def run(mode: RetryMode, op: Any, seed: int) -> tuple[int, list[str]]:
    """Feed CALLS calls to both; return (decisions compared, disagreements)."""
    pick = random.Random(seed + 1)
    clock = FakeClock()
    ours = RetryPolicy(mode=mode, random=draws(seed), clock=clock)
    theirs_random = draws(seed)
    adapter = standard.RetryEventAdapter()
    if mode == "legacy":
        loader = botocore.session.get_session().get_component("data_loader")
        retry_json = loader.load_data("_retry")
        config = translate.build_retry_config(
            "bedrock", retry_json["retry"], retry_json["definitions"]
        )
        botocore.retryhandler.random = types.SimpleNamespace(random=theirs_random)
        legacy = botocore.retryhandler.create_retry_handler(config, "bedrock")
    else:
        detector = standard.ThrottlingErrorDetector(adapter)
        checker = standard.RetryQuotaChecker(quota.RetryQuota(), detector)
        handler = standard.RetryHandler(
            retry_policy=standard.RetryPolicy(
                retry_checker=standard.StandardRetryConditions(max_attempts=3),
                retry_backoff=standard.ExponentialBackoff(
                    random=theirs_random, service_name="bedrock", throttling_detector=detector
                ),
            ),
            retry_event_adapter=adapter,
            retry_quota=checker,
            service_name="bedrock",
        )
        limiter = None
        if mode == "adaptive":
            limiter = adaptive.ClientRateLimiter(
                rate_adjustor=throttling.CubicCalculator(starting_max_rate=0, start_time=clock.now),
                rate_clocker=adaptive.RateClocker(clock),
                token_bucket=bucket.TokenBucket(max_rate=1, clock=clock),
                throttling_detector=standard.ThrottlingErrorDetector(adapter),
                clock=clock,
            )
    compared = 0
    problems: list[str] = []
    for call in range(CALLS):
        ctx: dict[str, Any] = {"retries": {}}
        last_failure: AttemptOutcome | None = None
        for attempt in range(1, 100):
            step = pick.choice(MENU)
            kwargs = botocore_inputs(step, attempt, op, ctx)
            outcome = our_outcome(step)
            if mode == "legacy":
                try:
                    theirs = legacy(**kwargs)
                except (EndpointConnectionError, ReadTimeoutError):
                    theirs = None  # botocore gives up on an exception by raising it again
                theirs_quota = None
            else:
                if limiter is not None:
                    limiter.on_receiving_response(**kwargs)
                theirs = handler.needs_retry(**kwargs)
                if step[0] == 200:
                    checker.release_retry_quota(ctx, kwargs["response"][0])
                theirs_quota = checker._quota.available_capacity
            if step[0] == 200:
                ours.on_success(attempt, last_failure=last_failure)
                mine = None
            else:
                mine = ours.delay_before_retry(attempt, outcome)
            compared += 1
            got = (mine, ours.retry_quota)
            want = (theirs, theirs_quota)
            if mode == "adaptive":
                got += (ours.send_rate,)
                want += (limiter._token_bucket.max_rate if limiter._enabled else None,)
            if got != want:
                problems.append(f"call {call} attempt {attempt} {step}: ours {got} botocore {want}")
            if mine is None:
                break
            last_failure = outcome
            clock.now += mine
        clock.now += 0.05
    return compared, problems


def main() -> int:
    session = botocore.session.get_session()
    model = session.get_service_model("bedrock")
    op = model.operation_model("ListModelInvocationJobs")
    print(f"botocore {botocore.__version__}, {CALLS} calls per mode and seed")
    failed = False
    for mode in ("standard", "adaptive", "legacy"):
        total = 0
        bad: list[str] = []
        for seed in range(5):
            compared, problems = run(mode, op, seed)  # type: ignore[arg-type]
            total += compared
            bad += problems
        print(f"{mode:9} {total:6d} attempt decisions compared, {len(bad)} disagreements")
        for line in bad[:5]:
            print("   ", line)
        failed = failed or bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
