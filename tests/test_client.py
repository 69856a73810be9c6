"""``Client`` and ``AsyncClient`` through their public surface, against the fake Bedrock.

Most tests run in-process (``fake.transport()``); the redirect and TLS tests use real loopback
sockets. Nothing here sleeps: retries get a recording ``sleep``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bedrock_paginate import (
    AsyncClient,
    Client,
    ConfigError,
    InvalidStartingTokenError,
    Page,
    PaginationOptions,
    ParamValidationError,
    ServiceError,
    ThrottlingException,
    TransportError,
)
from bedrock_paginate import errors as errors_module
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, Fault, generate_jobs
from tests.support import client_options, list_async, list_sync

REGION = "us-east-1"
ENDPOINT = "https://bedrock.us-east-1.amazonaws.com"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
BEARER = "FAKEbearerTOKENforTESTS0123456789"
OP = "list_model_invocation_jobs"
JOBS = generate_jobs(40, seed=5)


def _keys() -> dict[str, Any]:
    return {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY}


def _options(fake: FakeBedrock, **kwargs: Any) -> dict[str, Any]:
    """Client arguments for ``fake`` (in-process transport, no sleeping), plus ``kwargs``."""
    return client_options(ENDPOINT, **{"transport": fake.transport(), "sleep": _no_sleep, **kwargs})


def _client(fake: FakeBedrock, **kwargs: Any) -> Client:
    return Client(**_options(fake, **kwargs))


def _async_client(fake: FakeBedrock, **kwargs: Any) -> AsyncClient:
    return AsyncClient(**_options(fake, **kwargs))


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"unexpected sleep of {seconds} s")


def _arns(jobs: Any) -> list[str]:
    return [job.job_arn if hasattr(job, "job_arn") else job["jobArn"] for job in jobs]


@pytest.fixture
def fake() -> FakeBedrock:
    return FakeBedrock(jobs=JOBS, default_page_size=10)


# --- one page -----------------------------------------------------------------------------------


def test_single_page_is_typed_and_has_the_next_token(fake: FakeBedrock) -> None:
    """list_model_invocation_jobs returns one typed Page with the service's nextToken."""
    with _client(fake) as client:
        page = client.list_model_invocation_jobs(maxResults=4)
    assert isinstance(page, Page)
    assert _arns(page) == _arns(fake.expected()[:4])
    assert page.next_token is not None
    assert page.response_metadata is not None
    assert page.response_metadata.http_status_code == 200
    assert page.response_metadata.request_id


def test_every_parameter_is_serialised_like_botocore(fake: FakeBedrock) -> None:
    """Every parameter reaches the wire with botocore's names and renderings."""
    sent: list[httpx.Request] = []
    inner = fake.transport()

    def capture(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return inner.handle_request(request)

    filters: dict[str, Any] = {
        "submitTimeAfter": datetime(2024, 10, 1, 0, 0, 0, 123456, tzinfo=timezone.utc),
        "submitTimeBefore": datetime(2026, 1, 2, 3, 4, 5),  # naive: taken as UTC
        "statusEquals": "Completed",
        "nameContains": "a",
        "sortBy": "CreationTime",
        "sortOrder": "Ascending",
    }
    with _client(fake, transport=httpx.MockTransport(capture)) as client:
        first = client.list_model_invocation_jobs(**filters, maxResults=3)
        assert first.next_token is not None
        client.list_model_invocation_jobs(**filters, maxResults=3, nextToken=first.next_token)
    assert dict(fake.requests[1].query) == {
        "submitTimeAfter": "2024-10-01T00:00:00.123456Z",
        "submitTimeBefore": "2026-01-02T03:04:05Z",
        "statusEquals": "Completed",
        "nameContains": "a",
        "maxResults": "3",
        "nextToken": first.next_token,
        "sortBy": "CreationTime",
        "sortOrder": "Ascending",
    }
    raw_query = sent[1].url.query.decode()
    assert "+" not in raw_query  # '+' and '/' in the token are percent-encoded
    assert "%2B" in raw_query
    assert "%2F" in raw_query
    assert "%3D" in raw_query
    assert sent[1].url.path == "/model-invocation-jobs"
    assert all(r.status == 200 for r in fake.requests)


BAD_CALLS: list[dict[str, Any]] = [
    {"statusEquals": "completed"},
    {"statusEquals": 3},
    {"sortBy": "creation time"},
    {"sortOrder": ""},
    {"maxResults": 0},
    {"maxResults": 1001},
    {"maxResults": "10"},
    {"maxResults": True},
    {"nameContains": ""},
    {"nameContains": "-leading-dash"},
    {"nameContains": "x" * 64},
    {"nextToken": ""},
    {"nextToken": "has space"},
    {"submitTimeAfter": "yesterday"},
    {"unknownParam": 1},
]


@pytest.mark.parametrize("params", BAD_CALLS, ids=lambda p: ",".join(p))
def test_invalid_parameters_fail_before_any_request(
    fake: FakeBedrock, params: dict[str, Any]
) -> None:
    """A bad argument raises ParamValidationError naming it; nothing reaches the service."""
    with _client(fake) as client, pytest.raises(ParamValidationError) as caught:
        client.list_model_invocation_jobs(**params)
    assert caught.value.param in params
    assert fake.request_count == 0


BAD_PAGINATE: list[dict[str, Any]] = [
    {"PaginationConfig": {"PageSize": 1001}},
    {"PaginationConfig": {"PageSize": 0}},
    {"PaginationConfig": {"MaxItems": -1}},
    {"PaginationConfig": {"MaxItems": 1.5}},
    {"PaginationConfig": {"Unknown": 1}},
    {"PaginationConfig": {"StartingToken": 7}},
    {"PaginationConfig": "MaxItems=3"},
    {"maxResults": 5},
    {"nextToken": "abc"},
    {"statusEquals": "completed"},
]


@pytest.mark.parametrize("kwargs", BAD_PAGINATE, ids=str)
def test_invalid_paginate_arguments_fail_before_any_request(
    fake: FakeBedrock, kwargs: dict[str, Any]
) -> None:
    """paginate() validates filters and PaginationConfig before the first request."""
    with _client(fake) as client, pytest.raises(ParamValidationError):
        client.get_paginator(OP).paginate(**kwargs)
    assert fake.request_count == 0


def test_malformed_starting_token_of_ours_fails_before_any_request(fake: FakeBedrock) -> None:
    """A token in botocore's format with an injected key is refused before any request."""
    token = base64.b64encode(json.dumps({"nextToken": "x", "maxResults": 1}).encode()).decode()
    with _client(fake) as client, pytest.raises(InvalidStartingTokenError):
        client.get_paginator(OP).paginate(PaginationConfig={"StartingToken": token})
    assert fake.request_count == 0


def test_async_invalid_parameters_fail_before_any_request(fake: FakeBedrock) -> None:
    """The async client validates the same way, before any request."""

    async def main() -> None:
        async with _async_client(fake) as client:
            with pytest.raises(ParamValidationError):
                await client.list_model_invocation_jobs(maxResults=0)
            with pytest.raises(ParamValidationError):
                client.get_paginator(OP).paginate(PaginationConfig={"PageSize": 1001})

    asyncio.run(main())
    assert fake.request_count == 0


# --- paginate -----------------------------------------------------------------------------------


def _decode_resume(token: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(base64.b64decode(token))
    return value


@pytest.mark.parametrize(
    ("config", "count", "truncate"),
    [
        ({}, 40, None),
        ({"PageSize": 7}, 40, None),
        ({"MaxItems": 10, "PageSize": 5}, 10, None),  # ends on a page boundary
        ({"MaxItems": 13, "PageSize": 5}, 13, 3),  # ends inside a page
        ({"MaxItems": 0}, 0, 0),  # boto3: one request, every item truncated
    ],
)
def test_paginate_honours_max_items_and_page_size(
    fake: FakeBedrock, config: PaginationOptions, count: int, truncate: int | None
) -> None:
    """MaxItems and PageSize behave as in boto3; the resume token has boto3's shape."""
    with _client(fake) as client:
        pages = client.get_paginator(OP).paginate(PaginationConfig=config)
        arns = _arns(pages.jobs())
    assert arns == _arns(fake.expected())[:count]
    if "PageSize" in config:
        assert {r.param("maxResults") for r in fake.requests} == {str(config["PageSize"])}
    if count == 40:
        assert pages.resume_token is None
        return
    assert pages.resume_token is not None
    assert _decode_resume(pages.resume_token).get("boto_truncate_amount") == truncate


@pytest.mark.parametrize("split", [1, 5, 7, 10, 23, 39])
def test_starting_token_resumes_exactly(fake: FakeBedrock, split: int) -> None:
    """Listing MaxItems=split, then resuming from the resume token, gives every job once."""
    with _client(fake) as client:
        first = client.get_paginator(OP).paginate(PaginationConfig={"MaxItems": split})
        head = _arns(first.jobs())
        rest = client.get_paginator(OP).paginate(
            PaginationConfig={"StartingToken": first.resume_token, "PageSize": 3}
        )
        tail = _arns(rest.jobs())
    assert head + tail == _arns(fake.expected())
    assert rest.resume_token is None


def test_build_full_result_is_boto3_shaped(fake: FakeBedrock) -> None:
    """build_full_result: camelCase job dicts and NextToken when MaxItems cut the listing."""
    with _client(fake) as client:
        full = (
            client.get_paginator(OP).paginate(PaginationConfig={"PageSize": 9}).build_full_result()
        )
        cut = (
            client.get_paginator(OP).paginate(PaginationConfig={"MaxItems": 4}).build_full_result()
        )
    assert set(full) == {"invocationJobSummaries"}
    assert _arns(full["invocationJobSummaries"]) == _arns(fake.expected())
    first = full["invocationJobSummaries"][0]
    assert {"jobArn", "jobName", "modelId", "roleArn", "submitTime"} <= set(first)
    assert isinstance(first["submitTime"], datetime)
    assert set(cut) == {"invocationJobSummaries", "NextToken"}
    assert len(cut["invocationJobSummaries"]) == 4


def test_search_applies_jmespath_to_every_page(fake: FakeBedrock) -> None:
    """search() yields the JMESPath results of each page, flattened."""
    expression = "invocationJobSummaries[?status=='Failed'].jobName"
    with _client(fake) as client:
        names = list(
            client.get_paginator(OP).paginate(PaginationConfig={"PageSize": 6}).search(expression)
        )
    assert names == [job["jobName"] for job in fake.expected() if job["status"] == "Failed"]
    assert names


def test_search_with_a_bad_expression_is_a_validation_error(fake: FakeBedrock) -> None:
    """An invalid JMESPath expression is a ParamValidationError, before any request."""
    with _client(fake) as client, pytest.raises(ParamValidationError):
        list(client.get_paginator(OP).paginate().search("invocationJobSummaries[?"))
    assert fake.request_count == 0


def test_get_paginator_rejects_unknown_operations(fake: FakeBedrock) -> None:
    """get_paginator of another operation is a ParamValidationError; can_paginate says so."""
    with _client(fake) as client:
        with pytest.raises(ParamValidationError, match="list_model_invocation_jobs"):
            client.get_paginator("list_custom_models")
        assert client.can_paginate(OP)
        assert client.can_paginate("ListModelInvocationJobs")
        assert not client.can_paginate("list_custom_models")


def test_client_exceptions_namespace_catches_service_errors(fake: FakeBedrock) -> None:
    """client.exceptions.ThrottlingException is the class raised for a throttle."""
    fake.inject(Fault.throttle())
    with _client(fake, max_attempts=1) as client:
        assert client.exceptions.ThrottlingException is ThrottlingException
        assert client.exceptions.ClientError is errors_module.ServiceError
        with pytest.raises(client.exceptions.ThrottlingException) as caught:
            client.list_model_invocation_jobs()
    assert caught.value.status_code == 429


def test_meta_reports_region_and_endpoint(fake: FakeBedrock) -> None:
    """client.meta has boto3's region_name and endpoint_url."""
    with _client(fake) as client:
        assert (client.meta.region_name, client.meta.endpoint_url) == (REGION, ENDPOINT)


@pytest.mark.parametrize(
    ("flags", "host"),
    [
        ({"use_fips_endpoint": True}, "bedrock-fips.us-east-1.amazonaws.com"),
        ({"use_dualstack_endpoint": True}, "bedrock.us-east-1.api.aws"),
    ],
)
def test_fips_and_dualstack_arguments_choose_the_endpoint(
    fake: FakeBedrock, flags: dict[str, bool], host: str
) -> None:
    """The clients take boto3 Config's use_fips_endpoint / use_dualstack_endpoint."""
    with _client(fake, endpoint_url=None, **flags) as client:
        assert client.meta.endpoint_url == f"https://{host}"


# --- sync/async parity --------------------------------------------------------------------------


@given(
    n=st.integers(0, 25),
    page_size=st.none() | st.integers(1, 9),
    max_items=st.none() | st.integers(0, 30),
    split=st.integers(0, 25),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_sync_and_async_give_identical_pages_and_resume_tokens(
    n: int, page_size: int | None, max_items: int | None, split: int
) -> None:
    """Both shells return equal pages and resume tokens, also when resuming mid-page."""
    fake = FakeBedrock(jobs=generate_jobs(n, seed=n), default_page_size=4)
    config: PaginationOptions = {"MaxItems": split}
    start = list_sync(_options(fake), config).resume_token
    config = {} if page_size is None else {"PageSize": page_size}
    if max_items is not None:
        config["MaxItems"] = max_items
    if start is not None:
        config["StartingToken"] = start
    sync = list_sync(_options(fake), config)
    done = asyncio.run(list_async(_options(fake), config))
    assert sync.error is None
    assert sync == done
    jobs = [job for page in sync.pages for job in page]
    expected = _arns(fake.expected())[split if start is not None else 0 :]
    assert _arns(jobs) == expected[: max_items if max_items is not None else None]


def test_async_paginator_surface_matches_sync(fake: FakeBedrock) -> None:
    """Async jobs(), build_full_result() and search() give what the sync ones give."""
    config: PaginationOptions = {"PageSize": 6, "MaxItems": 17}
    expression = "invocationJobSummaries[].status"
    with _client(fake) as client:
        paginator = client.get_paginator(OP)
        sync = (
            _arns(paginator.paginate(PaginationConfig=config).jobs()),
            paginator.paginate(PaginationConfig=config).build_full_result(),
            list(paginator.paginate(PaginationConfig=config).search(expression)),
        )

    async def main() -> tuple[list[str], dict[str, Any], list[Any]]:
        async with _async_client(fake) as client:
            paginator = client.get_paginator(OP)
            jobs = [job async for job in paginator.paginate(PaginationConfig=config).jobs()]
            full = await paginator.paginate(PaginationConfig=config).build_full_result()
            found = [
                x async for x in paginator.paginate(PaginationConfig=config).search(expression)
            ]
            return _arns(jobs), full, found

    assert asyncio.run(main()) == sync
    assert len(sync[0]) == 17


# --- interruption -------------------------------------------------------------------------------


def _take_until_interrupted(items: Iterator[Any], seen: list[str], stop_after: int) -> None:
    """Consume ``items`` like a user's loop that gets Ctrl-C after ``stop_after`` jobs."""
    for item in items:
        seen += _arns(item) if isinstance(item, Page) else [item.job_arn]
        if len(seen) >= stop_after:
            raise KeyboardInterrupt


@pytest.mark.parametrize("stop_after", [1, 4, 10, 11, 25, 39])
def test_position_token_after_stopping_jobs_mid_page_resumes_exactly(
    fake: FakeBedrock, stop_after: int
) -> None:
    """Breaking out of jobs() (e.g. Ctrl-C) mid-page: position_token() continues at the next job."""
    seen: list[str] = []
    with _client(fake) as client:
        pages = client.get_paginator(OP).paginate(PaginationConfig={"PageSize": 10})
        with pytest.raises(KeyboardInterrupt):
            _take_until_interrupted(pages.jobs(), seen, stop_after)
        token = pages.position_token()
        rest = client.get_paginator(OP).paginate(PaginationConfig={"StartingToken": token})
        seen += _arns(rest.jobs())
    assert seen == _arns(fake.expected())


def test_position_token_after_interrupt_inside_a_request(fake: FakeBedrock) -> None:
    """Ctrl-C while the 3rd page is in flight: position_token() resumes after page 2."""
    inner = fake.transport()
    calls: list[int] = []

    def interrupting(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return inner.handle_request(request)

    seen: list[str] = []
    with _client(fake, transport=httpx.MockTransport(interrupting)) as client:
        pages = client.get_paginator(OP).paginate(PaginationConfig={"PageSize": 8})
        with pytest.raises(KeyboardInterrupt):
            _take_until_interrupted(iter(pages), seen, len(JOBS) + 1)
        token = pages.position_token()
    with _client(fake) as client:
        rest = client.get_paginator(OP).paginate(PaginationConfig={"StartingToken": token})
        seen += _arns(rest.jobs())
    assert seen == _arns(fake.expected())


def test_async_position_token_after_cancel_mid_page(fake: FakeBedrock) -> None:
    """An async consumer that stops mid-page resumes exactly with position_token()."""

    async def main() -> list[str]:
        seen: list[str] = []
        async with _async_client(fake) as client:
            pages = client.get_paginator(OP).paginate(PaginationConfig={"PageSize": 10})
            jobs = pages.jobs()
            assert isinstance(jobs, AsyncIterator)
            async for job in jobs:
                seen.append(job.job_arn)
                if len(seen) == 13:
                    break
            await jobs.aclose()  # type: ignore[attr-defined]
            rest = client.get_paginator(OP).paginate(
                PaginationConfig={"StartingToken": pages.position_token()}
            )
            seen += [job.job_arn async for job in rest.jobs()]
        return seen

    assert asyncio.run(main()) == _arns(fake.expected())


# --- lifecycle ----------------------------------------------------------------------------------


class _ClosingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serves the fake and remembers whether it was closed."""

    def __init__(self, fake: FakeBedrock) -> None:
        self.inner = fake.transport()
        self.closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True

    def is_closed(self) -> bool:
        return self.closed


def test_context_managers_close_the_transport(fake: FakeBedrock) -> None:
    """Leaving ``with`` / ``async with`` closes the client's transport."""
    sync_transport = _ClosingTransport(fake)
    with _client(fake, transport=sync_transport) as client:
        client.list_model_invocation_jobs(maxResults=1)
        assert not sync_transport.is_closed()
    assert sync_transport.is_closed()

    async_transport = _ClosingTransport(fake)

    async def main() -> None:
        async with _async_client(fake, transport=async_transport) as client:
            await client.list_model_invocation_jobs(maxResults=1)
            assert not async_transport.is_closed()

    asyncio.run(main())
    assert async_transport.is_closed()


# --- authentication scheme ----------------------------------------------------------------------


def test_bearer_token_from_environment_is_sent(fake: FakeBedrock) -> None:
    """AWS_BEARER_TOKEN_BEDROCK (no keys in code): 'Authorization: Bearer' reaches the service."""
    checking = FakeBedrock(jobs=JOBS, bearer_tokens={BEARER})
    env = {"AWS_BEARER_TOKEN_BEDROCK": BEARER}
    client = Client(
        region_name=REGION, endpoint_url=ENDPOINT, environ=env, transport=checking.transport()
    )
    with client:
        page = client.list_model_invocation_jobs(maxResults=2)
    assert len(page) == 2
    assert client.config.auth_scheme == "bearer"
    assert "AWS_BEARER_TOKEN_BEDROCK" in client.config.auth_reason
    assert checking.requests[0].status == 200


def test_unknown_bearer_token_is_refused_by_the_fake() -> None:
    """The fake really checks the bearer token: another one gets 403."""
    checking = FakeBedrock(jobs=JOBS, bearer_tokens={BEARER})
    env = {"AWS_BEARER_TOKEN_BEDROCK": BEARER + "x"}
    client = Client(
        region_name=REGION, endpoint_url=ENDPOINT, environ=env, transport=checking.transport()
    )
    with client, pytest.raises(ServiceError) as caught:
        client.list_model_invocation_jobs()
    assert caught.value.status_code == 403


def test_explicit_keys_win_over_the_bearer_token_in_the_environment() -> None:
    """Keys passed in code sign with SigV4 even with AWS_BEARER_TOKEN_BEDROCK set."""
    checking = FakeBedrock(jobs=JOBS, check_sigv4=True, credentials={ACCESS_KEY: SECRET_KEY})
    env = {"AWS_BEARER_TOKEN_BEDROCK": BEARER}
    with _client(checking, environ=env) as client:
        page = client.list_model_invocation_jobs(maxResults=2)
    assert len(page) == 2
    assert client.config.auth_scheme == "sigv4"
    assert "explicit access keys override AWS_BEARER_TOKEN_BEDROCK" in client.config.auth_reason


def test_bearer_token_argument_is_sent_by_the_async_client() -> None:
    """bearer_token= works for AsyncClient too."""
    checking = FakeBedrock(jobs=JOBS, bearer_tokens={BEARER})

    async def main() -> int:
        client = AsyncClient(
            region_name=REGION,
            endpoint_url=ENDPOINT,
            environ={},
            bearer_token=BEARER,
            transport=checking.transport(),
        )
        async with client:
            return len(await client.list_model_invocation_jobs(maxResults=3))

    assert asyncio.run(main()) == 3


# --- endpoints, redirects, TLS ------------------------------------------------------------------


def test_generated_endpoints_are_https_and_plain_http_only_when_named() -> None:
    """Without an explicit endpoint the client uses https; http works only when named."""
    generated = Client(region_name="eu-west-3", environ={}, **_keys())
    explicit = Client(region_name=REGION, endpoint_url="http://127.0.0.1:9", environ={}, **_keys())
    from_env = Client(
        region_name=REGION, environ={"AWS_ENDPOINT_URL_BEDROCK": "http://localhost:8"}, **_keys()
    )
    with generated, explicit, from_env:
        assert generated.meta.endpoint_url == "https://bedrock.eu-west-3.amazonaws.com"
        assert explicit.meta.endpoint_url == "http://127.0.0.1:9"
        assert from_env.meta.endpoint_url == "http://localhost:8"
        assert from_env.config.endpoint_source == "AWS_ENDPOINT_URL_BEDROCK"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1", "http://user:pw@127.0.0.1", "127.0.0.1:80"])
def test_malformed_endpoint_urls_are_refused(url: str) -> None:
    """An endpoint that is not http(s)://host[:port] is a ParamValidationError."""
    with pytest.raises(ParamValidationError, match="endpoint"):
        Client(region_name=REGION, endpoint_url=url, environ={}, **_keys())


class _Redirector(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, status: int, location: str) -> None:
        super().__init__(("127.0.0.1", 0), _RedirectHandler)
        self.status = status
        self.location = location
        self.hits = 0


class _RedirectHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Redirector

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self.server.hits += 1
        self.send_response(self.server.status)
        self.send_header("Location", self.server.location + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def serve() -> Iterator[Callable[[ThreadingHTTPServer], str]]:
    started: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(server: ThreadingHTTPServer) -> str:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        started.append((server, thread))
        host, port = server.server_address[:2]
        return f"http://{host!s}:{port}"

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_not_followed(
    serve: Callable[[ThreadingHTTPServer], str], status: int
) -> None:
    """A redirect to another loopback port is an error; the other server receives nothing."""
    target = FakeBedrock(jobs=JOBS)
    with FakeBedrockServer(target) as elsewhere:
        elsewhere_url = elsewhere.url
        redirector = _Redirector(status, elsewhere_url)
        url = serve(redirector)
        client = Client(region_name=REGION, endpoint_url=url, environ={}, **_keys())
        with client, pytest.raises(ServiceError) as caught:
            client.list_model_invocation_jobs()
        assert target.request_count == 0
    assert redirector.hits == 1
    assert caught.value.status_code == status
    assert "redirect" in str(caught.value)
    assert elsewhere_url.split("//")[1] in str(caught.value)


def test_tls_verification_is_on_by_default_and_ca_bundle_is_read(tmp_path: Path) -> None:
    """verify defaults to True; AWS_CA_BUNDLE (env or profile) becomes config.verify."""
    bundle = tmp_path / "ca.pem"
    bundle.write_text("unused")
    config_file = tmp_path / "config"
    config_file.write_text(f"[default]\nca_bundle = {bundle}\n")
    default = Client(region_name=REGION, endpoint_url="http://127.0.0.1:9", environ={}, **_keys())
    from_env = Client(
        region_name=REGION,
        endpoint_url="http://127.0.0.1:9",
        environ={"AWS_CA_BUNDLE": str(bundle)},
        **_keys(),
    )
    from_profile = Client(
        region_name=REGION,
        endpoint_url="http://127.0.0.1:9",
        environ={"AWS_CONFIG_FILE": str(config_file)},
        **_keys(),
    )
    with default, from_env, from_profile:
        assert default.config.verify is True
        assert from_env.config.verify == str(bundle)
        assert from_profile.config.verify == str(bundle)


def test_unreadable_ca_bundle_is_a_config_error(tmp_path: Path) -> None:
    """An https endpoint with a CA bundle that cannot be loaded fails clearly at creation."""
    missing = tmp_path / "missing.pem"
    with pytest.raises(ConfigError, match="CA bundle"):
        Client(region_name=REGION, environ={"AWS_CA_BUNDLE": str(missing)}, **_keys())
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(ConfigError, match="CA bundle"):
        AsyncClient(region_name=REGION, environ={"AWS_CA_BUNDLE": str(garbage)}, **_keys())


class _FakeHandler(BaseHTTPRequestHandler):
    """Serves ``server.fake`` (no faults needed here)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        fake: FakeBedrock = self.server.fake  # type: ignore[attr-defined]
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = fake.handle("GET", path, parse_qsl(query, keep_blank_values=True), headers)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)


@pytest.fixture
def tls_server(
    tmp_path: Path, serve: Callable[[ThreadingHTTPServer], str]
) -> tuple[str, Path, FakeBedrock]:
    """The fake behind TLS on 127.0.0.1 with a fresh self-signed certificate."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    fake = FakeBedrock(jobs=JOBS)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeHandler)
    server.daemon_threads = True
    server.fake = fake  # type: ignore[attr-defined]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    url = serve(server).replace("http://", "https://")
    return url, cert, fake


def test_tls_certificate_is_verified_and_aws_ca_bundle_is_honoured(
    tls_server: tuple[str, Path, FakeBedrock],
) -> None:
    """A self-signed server is refused by default and accepted with AWS_CA_BUNDLE naming it."""
    url, cert, fake = tls_server
    refused = Client(region_name=REGION, endpoint_url=url, environ={}, max_attempts=1, **_keys())
    with refused, pytest.raises(TransportError, match="connect"):
        refused.list_model_invocation_jobs()
    assert fake.request_count == 0
    trusted = Client(
        region_name=REGION, endpoint_url=url, environ={"AWS_CA_BUNDLE": str(cert)}, **_keys()
    )
    with trusted:
        assert len(trusted.list_model_invocation_jobs(maxResults=3)) == 3
    unverified = Client(region_name=REGION, endpoint_url=url, environ={}, verify=False, **_keys())
    with unverified:
        assert len(unverified.list_model_invocation_jobs(maxResults=2)) == 2


def test_async_tls_with_ca_bundle(tls_server: tuple[str, Path, FakeBedrock]) -> None:
    """The async client verifies against AWS_CA_BUNDLE too."""
    url, cert, _ = tls_server

    async def main() -> int:
        client = AsyncClient(
            region_name=REGION, endpoint_url=url, environ={"AWS_CA_BUNDLE": str(cert)}, **_keys()
        )
        async with client:
            return len(await client.list_model_invocation_jobs(maxResults=4))

    assert asyncio.run(main()) == 4


def test_retry_mode_off_sends_each_request_once() -> None:
    """retry_mode="off": a 503 is raised at once, after exactly one request."""
    fake = FakeBedrock(jobs=generate_jobs(3))
    fake.inject(Fault.status(503))
    client = Client(
        transport=fake.transport(),
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="FAKEoffSECRET",
        retry_mode="off",
        environ={},
    )
    with pytest.raises(ServiceError) as raised:
        client.list_model_invocation_jobs()
    assert raised.value.status_code == 503
    assert fake.request_count == 1


def test_transport_with_replay_is_refused() -> None:
    """transport= and replay_from= together would silently ignore the transport: refused."""
    with pytest.raises(ParamValidationError, match="transport and replay_from"):
        Client(
            transport=FakeBedrock(jobs=generate_jobs(1)).transport(),
            replay_from="fixtures/list-multi-page.json",
        )
