"""Reliability: every fault the fake can inject, through ``Client`` and ``AsyncClient``.

For each fault the listing either completes with every job exactly once, or fails with a clear
error whose ``resume_token`` (passed as ``StartingToken`` once the fault is gone) completes it
exactly: no job skipped, none repeated. Most tests use a real loopback socket
(``FakeBedrockServer``); the hypothesis fuzz uses the in-process transport for speed.

Nothing sleeps for real: the clients get a recording ``sleep`` and a fixed ``random``, and the
recorded backoff delays are checked against the retry policy. The only real waits are read
timeouts of 0.3 s.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bedrock_paginate import (
    AccessDeniedException,
    AsyncClient,
    BedrockPaginateError,
    Client,
    DecodeError,
    ExpiredTokenException,
    InternalServerException,
    PaginationError,
    PaginationOptions,
    ServiceError,
    ThrottlingException,
    TransportError,
    ValidationException,
)
from bedrock_paginate._retry import (
    MAX_BACKOFF,
    RETRY_AFTER_MAX_EXTRA,
    THROTTLING_BACKOFF_BASE,
    TRANSIENT_BACKOFF_BASE,
)
from bedrock_paginate.testing import (
    FakeBedrock,
    FakeBedrockServer,
    Fault,
    ReceivedRequest,
    generate_jobs,
)
from tests.support import (
    SHELLS,
    Listing,
    TokenFake,
    client_options,
    closed_port,
    counting_process_profile,
    list_async,
    list_sync,
    listing,
    process_runs,
)

if TYPE_CHECKING:
    pass

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
OP = "list_model_invocation_jobs"
JOBS = generate_jobs(30, seed=8)
PAGE = 5
READ_TIMEOUT = 0.3
RANDOM = 0.5


# --- harness ------------------------------------------------------------------------------------


def _options(endpoint: str, sleeps: list[float], **extra: Any) -> dict[str, Any]:
    return client_options(
        endpoint,
        read_timeout=READ_TIMEOUT,
        connect_timeout=2.0,
        sleep=sleeps.append,
        random=lambda: RANDOM,
        **extra,
    )


def expected_arns(fake: FakeBedrock) -> list[str]:
    return [job["jobArn"] for job in fake.expected()]


def assert_backoff(
    sleeps: Sequence[float], *, retry_after: float | None = None, throttled: bool = False
) -> None:
    """Consecutive retries of one call waited what the standard policy allows: botocore 1.44's
    window starts at 1 s after a throttle and at 50 ms after anything else (1.44.18
    retries/standard.py:351-352, :391-396)."""
    base = THROTTLING_BACKOFF_BASE if throttled else TRANSIENT_BACKOFF_BASE
    for attempt, delay in enumerate(sleeps, 1):
        window = min(base * 2.0 ** (attempt - 1), MAX_BACKOFF)
        assert 0.0 <= delay <= window + RETRY_AFTER_MAX_EXTRA
        jittered = RANDOM * window
        if retry_after is None:
            assert delay == pytest.approx(jittered)
        else:
            assert delay == pytest.approx(max(jittered, min(retry_after, jittered + 5.0)))


@pytest.fixture
def fake() -> FakeBedrock:
    return FakeBedrock(jobs=JOBS, default_page_size=PAGE)


@pytest.fixture
def server(fake: FakeBedrock) -> Iterator[FakeBedrockServer]:
    with FakeBedrockServer(fake, max_delay=1.0) as running:
        yield running
        # A client that gives up (timeout, size cap) may reset a connection the server is
        # still using: expected here. Anything else is a bug in the fake.
        aborted = (ConnectionResetError, BrokenPipeError)
        assert [e for e in running.errors if not isinstance(e, aborted)] == []


def _from(index: int) -> Callable[[ReceivedRequest], bool]:
    return lambda request: request.index >= index


# --- every transient fault ----------------------------------------------------------------------

TRANSIENT: dict[str, tuple[Fault, type[BedrockPaginateError]]] = {
    "throttle": (Fault.throttle(), ThrottlingException),
    "throttle-retry-after": (Fault.throttle(retry_after_ms=1500), ThrottlingException),
    "500-html": (Fault.status(500), ServiceError),
    "502-html": (Fault.status(502), ServiceError),
    "503-html": (Fault.status(503), ServiceError),
    "504-html": (Fault.status(504), ServiceError),
    "500-json": (Fault.internal_error(), InternalServerException),
    "drop": (Fault.drop(), TransportError),
    "reset": (Fault.drop(reset=True), TransportError),
    "slow": (Fault.slow(1.0), TransportError),
    "slow-body": (Fault.slow_body(1.0, chunk_size=256), TransportError),
    "cut-body": (Fault.cut_body(), TransportError),
    "200-html": (Fault.html(), DecodeError),
    "200-not-json": (Fault.not_json(), DecodeError),
    "200-wrong-types": (Fault.wrong_types(), DecodeError),
}


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("name", list(TRANSIENT))
def test_two_faults_are_retried_and_every_job_arrives_once(
    fake: FakeBedrock, server: FakeBedrockServer, shell: str, name: str
) -> None:
    """Two faults on page 2 are retried (with policy backoff) and the listing is exact."""
    fault, _ = TRANSIENT[name]
    fake.inject(fault, times=2, when=_from(1))
    sleeps: list[float] = []
    outcome = listing(shell, _options(server.url, sleeps), PageSize=PAGE)
    assert outcome.error is None
    assert outcome.arns == expected_arns(fake)
    assert fake.pending_faults == 0
    assert_backoff(
        sleeps,
        retry_after=1.5 if "retry-after" in name else None,
        throttled=name.startswith("throttle"),
    )
    assert len(sleeps) == 2


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("name", list(TRANSIENT))
def test_persistent_fault_fails_clearly_and_the_resume_token_completes_exactly(
    fake: FakeBedrock, server: FakeBedrockServer, shell: str, name: str
) -> None:
    """After a MaxItems-cut start, a fault that persists mid-listing fails with a resume token
    that, once the fault is gone, completes the listing: no job skipped, none repeated."""
    fault, error_class = TRANSIENT[name]
    sleeps: list[float] = []
    options = _options(server.url, sleeps)
    head = listing(shell, options, MaxItems=7, PageSize=PAGE)
    assert head.error is None
    assert head.resume_token is not None
    fake.inject(fault, times=None, when=_from(fake.request_count + 2))
    middle = listing(shell, options, StartingToken=head.resume_token, PageSize=PAGE)
    error = middle.error
    assert isinstance(error, error_class)
    if isinstance(error, ServiceError):  # botocore's wording, and its ResponseMetadata
        assert "(reached max retries: 2)" in str(error)
        assert error.response["ResponseMetadata"]["RetryAttempts"] == 2
    else:
        assert "retries exhausted after 3 attempts" in str(error)
    assert error.resume_token is not None
    assert f"StartingToken={error.resume_token!r}" in str(error)
    assert middle.arns  # the failure came mid-listing
    if isinstance(error, TransportError):
        assert error.attempts == 3
    fake.clear_faults()
    tail = listing(shell, options, StartingToken=error.resume_token, PageSize=3)
    assert tail.error is None
    assert head.arns + middle.arns + tail.arns == expected_arns(fake)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    ("fault", "error_class"),
    [
        (Fault.error("ValidationException", 400, "bad filter"), ValidationException),
        (Fault.access_denied(), AccessDeniedException),
    ],
    ids=["validation", "access-denied"],
)
def test_client_errors_are_not_retried(
    fake: FakeBedrock,
    server: FakeBedrockServer,
    shell: str,
    fault: Fault,
    error_class: type[ServiceError],
) -> None:
    """ValidationException and AccessDenied: one request, no sleep, no 'retries' wording."""
    fake.inject(fault, when=_from(1))
    sleeps: list[float] = []
    outcome = listing(shell, _options(server.url, sleeps), PageSize=PAGE)
    assert isinstance(outcome.error, error_class)
    assert outcome.error.request_id
    assert "retr" not in outcome.error.message
    assert fake.request_count == 2
    assert sleeps == []
    assert outcome.arns == expected_arns(fake)[:PAGE]


@pytest.mark.parametrize("shell", SHELLS)
def test_connection_refused_is_retried_then_a_transport_error(shell: str) -> None:
    """Nothing listening: three attempts, then TransportError saying retries are exhausted."""
    sleeps: list[float] = []
    outcome = listing(shell, _options(f"http://127.0.0.1:{closed_port()}", sleeps))
    assert isinstance(outcome.error, TransportError)
    assert "could not connect" in str(outcome.error)
    assert "retries exhausted after 3 attempts" in str(outcome.error)
    assert outcome.error.attempts == 3
    assert_backoff(sleeps)


@pytest.mark.parametrize("shell", SHELLS)
def test_max_attempts_bounds_the_retries(
    fake: FakeBedrock, server: FakeBedrockServer, shell: str
) -> None:
    """max_attempts=5 makes five attempts, with growing backoff windows."""
    fake.inject(Fault.status(503), times=None)
    sleeps: list[float] = []
    outcome = listing(shell, _options(server.url, sleeps, max_attempts=5))
    assert isinstance(outcome.error, ServiceError)
    assert outcome.error.status_code == 503
    assert "(reached max retries: 4)" in str(outcome.error)  # botocore's wording
    assert outcome.error.response["ResponseMetadata"]["RetryAttempts"] == 4
    assert outcome.error.response["ResponseMetadata"]["MaxAttemptsReached"] is True
    assert outcome.error.message == "Service Unavailable"  # the service's message, untouched
    assert fake.request_count == 5
    # a 503 is not throttling: the window starts at 50 ms (1.44.18 retries/standard.py:352)
    assert sleeps == [RANDOM * 0.05, RANDOM * 0.1, RANDOM * 0.2, RANDOM * 0.4]


# --- clock skew ---------------------------------------------------------------------------------


def _ahead() -> datetime:
    return datetime.now(timezone.utc) + timedelta(minutes=15)


@pytest.mark.parametrize("shell", SHELLS)
def test_clock_skew_is_corrected_once_and_kept(shell: str) -> None:
    """Service clock 15 min ahead: one 403, re-signed with the corrected time, and every later
    request (next pages, next listing on the same client) is signed right the first time."""
    skewed = FakeBedrock(
        jobs=JOBS,
        default_page_size=PAGE,
        check_sigv4=True,
        credentials={ACCESS_KEY: SECRET_KEY},
        now=_ahead,
    )
    sleeps: list[float] = []

    async def run_async(options: dict[str, Any]) -> list[list[str]]:
        async with AsyncClient(**options) as client:
            results = []
            for _ in range(2):
                pages = client.get_paginator(OP).paginate(PaginationConfig={"PageSize": PAGE})
                results.append([job.job_arn async for job in pages.jobs()])
            return results

    with FakeBedrockServer(skewed) as server:
        options = _options(server.url, sleeps)
        if shell == "sync":
            with Client(**options) as client:
                runs = [
                    [job.job_arn for job in client.get_paginator(OP).paginate().jobs()]
                    for _ in range(2)
                ]
        else:
            runs = asyncio.run(run_async(options))
    assert runs == [expected_arns(skewed)] * 2
    statuses = [request.status for request in skewed.requests]
    assert statuses[0] == 403
    assert statuses[1:] == [200] * (len(statuses) - 1)
    assert len(statuses) == 1 + 2 * (len(JOBS) // PAGE)
    assert sleeps == []


def test_clock_skew_message_without_date_header_is_enough() -> None:
    """In-process (no Date header) the server time in AWS's message corrects the clock."""
    skewed = FakeBedrock(
        jobs=JOBS, check_sigv4=True, credentials={ACCESS_KEY: SECRET_KEY}, now=_ahead
    )
    options = {**_options("https://bedrock.us-east-1.amazonaws.com", []),
               "transport": skewed.transport()}  # fmt: skip
    with Client(**options) as client:
        assert len(client.list_model_invocation_jobs(maxResults=3)) == 3
        assert len(client.list_model_invocation_jobs(maxResults=3)) == 3
    assert [request.status for request in skewed.requests] == [403, 200, 200]


@pytest.mark.parametrize("shell", SHELLS)
def test_clock_skew_retry_does_not_use_up_attempts(shell: str) -> None:
    """A skew re-sign is free: with max_attempts=2 a throttle after it is still retried."""
    skewed = FakeBedrock(
        jobs=JOBS, check_sigv4=True, credentials={ACCESS_KEY: SECRET_KEY}, now=_ahead
    )
    skewed.inject(Fault.throttle(), at=1)
    sleeps: list[float] = []
    with FakeBedrockServer(skewed) as server:
        outcome = listing(shell, _options(server.url, sleeps, max_attempts=2), MaxItems=3)
    assert outcome.error is None
    assert len(outcome.arns) == 3
    assert [request.status for request in skewed.requests] == [403, 429, 200]
    assert sleeps == [RANDOM]


def test_a_wrong_secret_is_not_mistaken_for_clock_skew(fake: FakeBedrock) -> None:
    """InvalidSignatureException with a correct clock: raised at once, no re-signing."""
    checking = FakeBedrock(jobs=JOBS, check_sigv4=True, credentials={ACCESS_KEY: "other"})
    with FakeBedrockServer(checking) as server:
        outcome = listing("sync", _options(server.url, []))
    assert isinstance(outcome.error, ServiceError)
    assert outcome.error.code == "InvalidSignatureException"
    assert checking.request_count == 1


# --- expired credentials ------------------------------------------------------------------------


@attrs.define
class ProcessProfile:
    """A tmp config file whose profile ``tmp`` runs a credential_process counting its runs."""

    environ: dict[str, str]
    counter: Path

    @property
    def runs(self) -> int:
        return process_runs(self.counter)


@pytest.fixture
def process_profile(tmp_path: Path) -> ProcessProfile:
    return ProcessProfile(*counting_process_profile(tmp_path))


def _profile_options(
    url: str, profile: ProcessProfile, sleeps: list[float], **extra: Any
) -> dict[str, Any]:
    options = _options(url, sleeps, **extra)
    del options["aws_access_key_id"], options["aws_secret_access_key"]
    return {**options, "environ": profile.environ, "profile_name": "tmp"}


@pytest.mark.parametrize("shell", SHELLS)
def test_expired_token_is_refreshed_once_and_the_listing_completes(
    process_profile: ProcessProfile, shell: str
) -> None:
    """The first session token is refused as expired: the client runs credential_process
    again once, retries, and finishes the listing with the new token."""
    fake = TokenFake(
        jobs=JOBS,
        default_page_size=PAGE,
        check_sigv4=True,
        credentials={ACCESS_KEY: SECRET_KEY},
        revoked={"FAKETOKEN1"},
    )
    sleeps: list[float] = []
    with FakeBedrockServer(fake) as server:
        outcome = listing(shell, _profile_options(server.url, process_profile, sleeps))
    assert outcome.error is None
    assert outcome.arns == expected_arns(fake)
    assert process_profile.runs == 2
    assert fake.tokens[:2] == ["FAKETOKEN1", "FAKETOKEN2"]
    assert set(fake.tokens[1:]) == {"FAKETOKEN2"}
    assert fake.statuses[:2] == [403, 200]
    assert sleeps == []


@pytest.mark.parametrize("shell", SHELLS)
def test_token_expired_again_after_refresh_is_a_clear_resumable_error(
    process_profile: ProcessProfile, shell: str
) -> None:
    """If the refreshed token is refused too, the error says so and carries a resume token."""
    fake = TokenFake(
        jobs=JOBS, default_page_size=PAGE, revoked={"FAKETOKEN1", "FAKETOKEN2", "FAKETOKEN3"}
    )
    with FakeBedrockServer(fake) as server:
        options = _profile_options(server.url, process_profile, [])
        outcome = listing(shell, options, PageSize=PAGE)
        assert isinstance(outcome.error, ExpiredTokenException)
        assert "rejected again after refreshing" in str(outcome.error)
        assert process_profile.runs == 2
        fake.revoked.clear()
        tail = listing(shell, options, StartingToken=outcome.error.resume_token)
    assert outcome.arns + tail.arns == expected_arns(fake)


def test_static_credentials_expired_is_a_clear_error(fake: FakeBedrock) -> None:
    """Keys that cannot be refreshed: ExpiredTokenException at once, saying so."""
    fake.inject(Fault.expired_token())
    with FakeBedrockServer(fake) as server:
        outcome = listing("sync", _options(server.url, []))
    assert isinstance(outcome.error, ExpiredTokenException)
    assert "cannot be refreshed automatically" in str(outcome.error)
    assert fake.request_count == 1


# --- pagination cycles --------------------------------------------------------------------------


def _has_token(request: ReceivedRequest) -> bool:
    return request.param("nextToken") is not None


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("start_cut", [False, True])
def test_pagination_cycle_fails_with_a_resume_token_that_completes_exactly(
    fake: FakeBedrock, server: FakeBedrockServer, shell: str, start_cut: bool
) -> None:
    """A repeated nextToken is a PaginationError after the page's jobs; resuming is exact."""
    options = _options(server.url, [])
    head = Listing()
    config: dict[str, Any] = {"PageSize": PAGE}
    if start_cut:
        head = listing(shell, options, MaxItems=8, PageSize=PAGE)
        config["StartingToken"] = head.resume_token
    fake.inject(Fault.cycle(), at=fake.request_count + 2, when=_has_token)
    middle = listing(shell, options, **config)
    assert isinstance(middle.error, PaginationError)
    assert "already returned" in str(middle.error)
    assert middle.error.resume_token is not None
    tail = listing(shell, options, StartingToken=middle.error.resume_token, PageSize=4)
    assert tail.error is None
    assert head.arns + middle.arns + tail.arns == expected_arns(fake)


@pytest.mark.parametrize("shell", SHELLS)
def test_persistent_cycle_never_repeats_a_job(
    fake: FakeBedrock, server: FakeBedrockServer, shell: str
) -> None:
    """A service that keeps cycling: each resume fails again, returning no job twice."""
    fake.inject(Fault.cycle(), times=None, when=_has_token)
    options = _options(server.url, [])
    first = listing(shell, options, PageSize=PAGE)
    assert isinstance(first.error, PaginationError)
    again = listing(shell, options, StartingToken=first.error.resume_token, PageSize=PAGE)
    assert isinstance(again.error, PaginationError)
    assert again.arns == []
    assert again.error.resume_token == first.error.resume_token
    assert first.arns == expected_arns(fake)[: 2 * PAGE]


def test_cycle_at_the_max_items_boundary_gives_an_exact_resume_token(
    fake: FakeBedrock, server: FakeBedrockServer
) -> None:
    """MaxItems ending on a page whose nextToken repeats: resume_token does not repeat it."""
    fake.inject(Fault.cycle(), at=1, when=_has_token)
    options = _options(server.url, [])
    head = listing("sync", options, MaxItems=2 * PAGE, PageSize=PAGE)
    assert head.error is None
    assert head.resume_token is not None
    tail = listing("sync", options, StartingToken=head.resume_token, PageSize=PAGE)
    assert head.arns + tail.arns == expected_arns(fake)


# --- hostile bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize("shell", SHELLS)
def test_body_over_the_size_cap_is_a_decode_error(
    fake: FakeBedrock, server: FakeBedrockServer, shell: str
) -> None:
    """A response announcing more than max_body_bytes is refused (not retried), resumably."""
    sleeps: list[float] = []
    options = {**_options(server.url, sleeps), "max_body_bytes": 2000}
    outcome = listing(shell, options, PageSize=PAGE)
    assert isinstance(outcome.error, DecodeError)
    assert "larger than 2000 bytes" in str(outcome.error)
    assert outcome.error.resume_token is not None
    assert fake.request_count == 1
    assert sleeps == []


def _endless_sync() -> Iterator[bytes]:
    while True:
        yield b'{"invocationJobSummaries": [' + b" " * 1000


async def _endless_async() -> AsyncIterator[bytes]:
    while True:
        yield b'{"invocationJobSummaries": [' + b" " * 1000


class _StreamingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A body without Content-Length that never ends."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=_endless_sync())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=_endless_async())


@pytest.mark.parametrize("shell", SHELLS)
def test_endless_body_without_length_stops_at_the_cap(shell: str) -> None:
    """A chunked body that never ends is cut at the cap: DecodeError, never a hang."""
    options = {**_options("https://bedrock.us-east-1.amazonaws.com", []),
               "transport": _StreamingTransport(), "max_body_bytes": 50_000}  # fmt: skip
    outcome = listing(shell, options)
    assert isinstance(outcome.error, DecodeError)
    assert "larger than 50000 bytes" in str(outcome.error)


class _TickingClock:
    """A clock that only moves when the trickling body below sends a chunk."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class _TrickleTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A body that trickles forever, each chunk 0.25 s (on the ticking clock) after the last,
    always within the read timeout; counts requests."""

    def __init__(self, clock: _TickingClock) -> None:
        self.clock = clock
        self.count = 0

    def _chunks(self) -> Iterator[bytes]:
        yield b'{"invocationJobSummaries": ['
        while True:
            self.clock.now += 0.25
            yield b" "

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        return httpx.Response(200, content=self._chunks())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1

        async def chunks() -> AsyncIterator[bytes]:
            for chunk in self._chunks():
                yield chunk

        return httpx.Response(200, content=chunks())


@pytest.mark.parametrize("shell", SHELLS)
def test_a_body_trickling_forever_is_cut_off_and_retried(shell: str) -> None:
    """Bytes that keep coming just within the read timeout: cut after 5 read timeouts in
    total, retried as a timeout, then a TransportError saying so. Never a hang."""
    clock = _TickingClock()
    transport = _TrickleTransport(clock)
    sleeps: list[float] = []
    options = {**_options("https://bedrock.us-east-1.amazonaws.com", sleeps),
               "transport": transport, "clock": clock, "read_timeout": 1.0}  # fmt: skip
    outcome = listing(shell, options)
    assert isinstance(outcome.error, TransportError)
    assert "still arriving after 5 s" in str(outcome.error)
    assert "retries exhausted after 3 attempts" in str(outcome.error)
    assert transport.count == 3
    assert_backoff(sleeps)


class _GarbageGzip(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Claims gzip, sends garbage; counts requests."""

    def __init__(self) -> None:
        self.count = 0

    def _answer(self) -> httpx.Response:
        self.count += 1
        headers = {"content-type": "application/json", "content-encoding": "gzip"}
        return httpx.Response(200, headers=headers, content=b"this is not gzip at all")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._answer()


@pytest.mark.parametrize("shell", SHELLS)
def test_undecodable_content_encoding_is_retried_then_a_decode_error(shell: str) -> None:
    """A body whose gzip is broken: retried like a bad body, then DecodeError (not httpx's)."""
    transport = _GarbageGzip()
    sleeps: list[float] = []
    options = {**_options("https://bedrock.us-east-1.amazonaws.com", sleeps),
               "transport": transport}  # fmt: skip
    outcome = listing(shell, options)
    assert isinstance(outcome.error, DecodeError)
    assert "decompress" in str(outcome.error)
    assert "retries exhausted after 3 attempts" in str(outcome.error)
    assert transport.count == 3
    assert_backoff(sleeps)


# --- fuzzing: random fault schedules ------------------------------------------------------------

FUZZ_FAULTS: list[Fault] = [
    Fault.throttle(),
    Fault.throttle(retry_after_ms=700),
    Fault.status(502),
    Fault.status(503),
    Fault.internal_error(),
    Fault.drop(),
    Fault.drop(reset=True),
    Fault.slow(1.0),
    Fault.slow_body(1.0, chunk_size=64),
    Fault.cut_body(),
    Fault.html(),
    Fault.not_json(),
    Fault.wrong_types(),
    Fault.cycle(),
    Fault.access_denied(),
    Fault.error("ValidationException", 400, "try again"),
    Fault.expired_token(),
    Fault.clock_skew(),
]

schedules = st.lists(
    st.tuples(st.integers(0, 12), st.sampled_from(range(len(FUZZ_FAULTS)))), max_size=8
)


def _schedule(fake: FakeBedrock, schedule: list[tuple[int, int]]) -> None:
    for index, which in schedule:
        fault = FUZZ_FAULTS[which]
        when = _has_token if fault.kind == "cycle" else None
        fake.inject(fault, at=index, when=when)


def _config(page_size: int | None, max_items: int | None, token: str | None) -> PaginationOptions:
    config: PaginationOptions = {}
    if page_size is not None:
        config["PageSize"] = page_size
    if max_items is not None:
        config["MaxItems"] = max_items
    if token is not None:
        config["StartingToken"] = token
    return config


def _collect_until_done(run: Callable[[PaginationOptions], Listing], **settings: Any) -> list[str]:
    """Resume from each error's (or MaxItems') token until the listing is complete."""
    collected: list[str] = []
    token: str | None = None
    for _ in range(200):
        outcome = run(_config(token=token, **settings))
        collected += outcome.arns
        if outcome.error is not None:
            assert outcome.error.resume_token is not None
            token = outcome.error.resume_token
        elif outcome.resume_token is not None:
            token = outcome.resume_token
        else:
            return collected
    raise AssertionError("the listing did not finish within 200 resumptions")


def _fuzz_options(fake: FakeBedrock, sleeps: list[float], max_attempts: int) -> dict[str, Any]:
    return {
        **_options("https://bedrock.us-east-1.amazonaws.com", sleeps, max_attempts=max_attempts),
        "read_timeout": 0.5,
        "transport": fake.transport(),
    }


@given(
    n=st.integers(0, 30),
    page_size=st.none() | st.integers(1, 8),
    max_items=st.none() | st.integers(1, 12),
    max_attempts=st.integers(1, 3),
    schedule=schedules,
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_sync_resuming_after_random_faults_lists_every_job_once_in_order(
    n: int,
    page_size: int | None,
    max_items: int | None,
    max_attempts: int,
    schedule: list[tuple[int, int]],
) -> None:
    """Any fault schedule, page size and MaxItems: jobs before each failure plus jobs after
    resuming from its token equal the full listing, in order; backoff stays in bounds."""
    fake = FakeBedrock(jobs=generate_jobs(n, seed=n), default_page_size=4)
    _schedule(fake, schedule)
    sleeps: list[float] = []
    options = _fuzz_options(fake, sleeps, max_attempts)
    collected = _collect_until_done(
        lambda config: list_sync(options, config), page_size=page_size, max_items=max_items
    )
    assert collected == expected_arns(fake)
    assert all(0.0 <= s <= MAX_BACKOFF + RETRY_AFTER_MAX_EXTRA for s in sleeps)


@given(
    n=st.integers(0, 25),
    page_size=st.none() | st.integers(1, 8),
    max_items=st.none() | st.integers(1, 12),
    schedule=schedules,
)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzz_async_resuming_after_random_faults_lists_every_job_once_in_order(
    n: int, page_size: int | None, max_items: int | None, schedule: list[tuple[int, int]]
) -> None:
    """The async client meets the same guarantee under random fault schedules."""
    fake = FakeBedrock(jobs=generate_jobs(n, seed=n), default_page_size=4)
    _schedule(fake, schedule)
    sleeps: list[float] = []
    options = _fuzz_options(fake, sleeps, 2)
    collected = _collect_until_done(
        lambda config: asyncio.run(list_async(options, config)),
        page_size=page_size,
        max_items=max_items,
    )
    assert collected == expected_arns(fake)


def test_fuzz_helper_detects_a_lost_job() -> None:
    """The fuzz oracle is not vacuous: a transport that drops one job makes it fail."""
    fake = FakeBedrock(jobs=JOBS, default_page_size=4)
    inner = fake.transport()

    def lossy(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        body = json.loads(response.read())
        body["invocationJobSummaries"] = body["invocationJobSummaries"][1:]
        return httpx.Response(200, json=body)

    options = {**_fuzz_options(fake, [], 1), "transport": httpx.MockTransport(lossy)}
    collected = _collect_until_done(
        lambda config: list_sync(options, config), page_size=None, max_items=None
    )
    assert collected != expected_arns(fake)


@pytest.mark.parametrize("shell", SHELLS)
def test_a_429_with_a_modeled_code_is_not_throttling(
    fake: FakeBedrock, server: FakeBedrockServer, shell: str
) -> None:
    """botocore 1.44 (retries/standard.py:549-565) counts a 429 as throttling only when its
    error code is none the operation models: a 429 ValidationException fails at once."""
    fake.inject(Fault.error("ValidationException", 429, "bad input"), times=1, when=_from(1))
    sleeps: list[float] = []
    outcome = listing(shell, _options(server.url, sleeps), PageSize=PAGE)
    assert isinstance(outcome.error, ValidationException)
    assert sleeps == []


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("fault", [Fault.error("BrandNewSlowDown", 429, "x"), Fault.status(429)])
def test_a_429_with_an_unmodeled_code_is_retried_as_throttling(
    fake: FakeBedrock, server: FakeBedrockServer, shell: str, fault: Fault
) -> None:
    """A 429 with an unknown code (or an HTML page) is throttling: retried on the 1 s base."""
    fake.inject(fault, times=2, when=_from(1))
    sleeps: list[float] = []
    outcome = listing(shell, _options(server.url, sleeps), PageSize=PAGE)
    assert outcome.error is None
    assert outcome.arns == expected_arns(fake)
    assert len(sleeps) == 2
    assert_backoff(sleeps, throttled=True)
