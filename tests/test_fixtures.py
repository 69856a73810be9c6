"""Record and replay (``bedrock_paginate.fixtures``): the file format, secret redaction on every
path, scrubbing, request matching, sockets and credentials during replay, and replay fidelity
against recordings of the fake Bedrock over loopback, for the sync and async clients."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import json
import re
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bedrock_paginate import (
    AccessDeniedException,
    AsyncClient,
    BedrockPaginateError,
    Client,
    PaginationOptions,
    ServiceError,
    TransportError,
)
from bedrock_paginate.errors import DecodeError, ParamValidationError
from bedrock_paginate.fixtures import (
    FIXTURE_FORMAT,
    REDACTED,
    REQUEST_HEADERS,
    RESPONSE_HEADERS,
    Fixture,
    FixtureMismatchError,
    FixtureWriteError,
    Interaction,
    RecordedError,
    RecordedRequest,
    RecordedResponse,
    RecordingTransport,
    ReplayTransport,
    Scrubber,
    dumps_fixture,
    load_fixture,
    loads_fixture,
    redact_text,
    save_fixture,
    scrub_fixture,
)
from bedrock_paginate.models import Page
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, Fault, generate_jobs

PATH = "/model-invocation-jobs"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET = "FAKEsecretKEYcanary/0123456789+abcdefghijk"
TOKEN = "FAKEsessionTOKENcanary/with+plus=and/slash=="
BEARER = "FAKEbearerTOKENcanaryABSKQmVkcm9ja0FQSUtleQ=="
ENDPOINT = "https://bedrock.us-east-1.amazonaws.com"
JOBS = generate_jobs(12, seed=21)


def _page_body(jobs: list[dict[str, Any]], token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"invocationJobSummaries": jobs}
    if token is not None:
        body["nextToken"] = token
    return body


def _json(status: int, body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        headers={"content-type": "application/json", "x-amzn-RequestId": "rid-1", **headers},
        content=json.dumps(body).encode(),
    )


def _client(auth: str, **kwargs: Any) -> Client:
    """A client with canary credentials (SigV4 + session token, or a bearer token)."""
    creds: dict[str, Any] = (
        {"bearer_token": BEARER}
        if auth == "bearer"
        else {
            "aws_access_key_id": ACCESS_KEY,
            "aws_secret_access_key": SECRET,
            "aws_session_token": TOKEN,
        }
    )
    options: dict[str, Any] = {
        "region_name": "us-east-1",
        "endpoint_url": ENDPOINT,
        "environ": {},
        "sleep": lambda seconds: None,
        "random": lambda: 0.0,
        **creds,
    }
    return Client(**{**options, **kwargs})


def _list(client: Client, **params: Any) -> list[Page]:
    return list(client.get_paginator("list_model_invocation_jobs").paginate(**params))


def _interaction(
    query: tuple[tuple[str, str], ...] = (),
    *,
    status: int = 200,
    body: Any = None,
    method: str = "GET",
    path: str = PATH,
) -> Interaction:
    return Interaction(
        request=RecordedRequest(method=method, path=path, query=query),
        response=RecordedResponse(
            status=status,
            headers={"content-type": "application/json", "x-amzn-requestid": "rid"},
            body_kind="json",
            body=_page_body([]) if body is None else body,
        ),
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _assert_clean(path: Path, secrets: list[str]) -> None:
    """No secret (in any encoding) in the file bytes or in any decoded JSON string."""
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    strings = list(_strings(json.loads(text)))
    for secret in secrets:
        for form in {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}:
            assert form not in text, f"{form!r} leaked into {path.name}"
            assert not any(form in s for s in strings), f"{form!r} leaked into {path.name}"


# --- the file format ---------------------------------------------------------------------------


def test_file_shape_is_stable_and_readable(tmp_path: Path) -> None:
    """Envelope keys in documented order, 2-space indent, query pairs inline, trailing newline."""
    fixture = Fixture(
        description="demo",
        interactions=(_interaction((("nextToken", "a+b/c=="), ("maxResults", "2"))),),
    )
    path = tmp_path / "f.json"
    save_fixture(fixture, path)
    text = path.read_text()
    assert text.endswith("}\n")
    assert list(json.loads(text)) == ["version", "format", "description", "interactions"]
    assert (
        '\n        "query": [\n          ["maxResults", "2"],\n          ["nextToken", "a+b/c=="]'
        in (text)
    )
    assert json.loads(text)["format"] == FIXTURE_FORMAT
    assert json.loads(text)["version"] == 1
    assert "\t" not in text
    assert load_fixture(path) == fixture


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_responses = st.one_of(
    st.builds(
        RecordedResponse,
        status=st.integers(100, 599),
        headers=st.dictionaries(st.sampled_from(sorted(RESPONSE_HEADERS)), st.text(max_size=8)),
        body_kind=st.just("json"),
        body=_json_values,
    ),
    st.builds(
        RecordedResponse,
        status=st.integers(100, 599),
        body_kind=st.just("text"),
        body=st.text(max_size=20),
    ),
    st.builds(
        RecordedResponse,
        status=st.integers(100, 599),
        body_kind=st.just("base64"),
        body=st.binary(max_size=20).map(lambda b: base64.b64encode(b).decode()),
    ),
)
_interactions = st.builds(
    Interaction,
    request=st.builds(
        RecordedRequest,
        method=st.sampled_from(["GET", "POST"]),
        path=st.text(min_size=1, max_size=10),
        query=st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6)), max_size=4),
        headers=st.dictionaries(st.sampled_from(sorted(REQUEST_HEADERS)), st.text(max_size=8)),
    ),
    response=_responses,
)


@given(st.lists(_interactions, max_size=4), st.text(max_size=20))
@settings(max_examples=150)
def test_dump_load_round_trip_is_identity(interactions: list[Interaction], text: str) -> None:
    """Any fixture survives dumps -> loads unchanged, and dumping again gives the same text."""
    fixture = Fixture(description=text, interactions=tuple(interactions))
    dumped = dumps_fixture(fixture)
    assert loads_fixture(dumped) == fixture
    assert dumps_fixture(loads_fixture(dumped)) == dumped


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"format": "other", "version": 1, "interactions": []}, "format"),
        ({"format": FIXTURE_FORMAT, "version": 2, "interactions": []}, "version"),
        ({"format": FIXTURE_FORMAT, "version": 1}, "interactions"),
        (
            {"format": FIXTURE_FORMAT, "version": 1, "interactions": [{"request": {}}]},
            "interactions[0]",
        ),
        (
            {
                "format": FIXTURE_FORMAT,
                "version": 1,
                "interactions": [
                    {
                        "request": {"method": "GET", "path": PATH, "query": [["a"]]},
                        "response": {"status": 200},
                    }
                ],
            },
            "interactions[0].request.query[0]",
        ),
        (
            {
                "format": FIXTURE_FORMAT,
                "version": 1,
                "interactions": [
                    {"request": {"method": "GET", "path": PATH}, "response": {"status": 999}}
                ],
            },
            "interactions[0].response.status",
        ),
        (
            {
                "format": FIXTURE_FORMAT,
                "version": 1,
                "interactions": [
                    {
                        "request": {"method": "GET", "path": PATH},
                        "response": {"status": 200, "body": {}, "body_text": ""},
                    }
                ],
            },
            "interactions[0].response",
        ),
        (
            {
                "format": FIXTURE_FORMAT,
                "version": 1,
                "interactions": [
                    {"request": {"method": "GET", "path": PATH}, "error": {"type": "KeyError"}}
                ],
            },
            "interactions[0].error.type",
        ),
    ],
)
def test_invalid_files_are_rejected_with_the_json_path(document: Any, where: str) -> None:
    """A malformed fixture raises DecodeError naming the file and where the problem is."""
    with pytest.raises(DecodeError) as caught:
        loads_fixture(json.dumps(document), source="bad.json")
    assert caught.value.path == where
    assert "'bad.json'" in str(caught.value)


def test_unreadable_file_is_a_decode_error(tmp_path: Path) -> None:
    """A missing file or non-JSON text raises DecodeError with the file name."""
    with pytest.raises(DecodeError, match="cannot read fixture"):
        load_fixture(tmp_path / "missing.json")
    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(DecodeError, match="not valid JSON"):
        load_fixture(tmp_path / "x.json")


def test_interaction_needs_exactly_one_outcome() -> None:
    """An interaction with neither or both of response and error is refused."""
    request = RecordedRequest(method="GET", path=PATH)
    with pytest.raises(ParamValidationError):
        Interaction(request=request)
    with pytest.raises(ParamValidationError):
        Interaction(
            request=request,
            response=RecordedResponse(status=200),
            error=RecordedError(type="ReadError", message=""),
        )


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b'{"a": [1, 2]}', "json"),
        (b"<html>503</html>", "text"),
        (b"", "text"),
        (b"NaN", "text"),
        (b"\xff\xfe\x00bytes", "base64"),
    ],
)
def test_bodies_are_stored_by_kind_and_served_back_exactly(content: bytes, kind: str) -> None:
    """JSON bodies as JSON, other UTF-8 as text, other bytes as base64; replay serves them."""
    response = RecordedResponse.from_bytes(200, {}, content)
    assert response.body_kind == kind
    if kind == "json":
        assert json.loads(response.content()) == json.loads(content)
    else:
        assert response.content() == content


def test_recording_twice_gives_identical_bytes(tmp_path: Path) -> None:
    """Two recordings of the same listing are byte-for-byte equal (no dates, ids, signatures)."""
    outputs = []
    for name in ("one.json", "two.json"):
        fake = FakeBedrock(jobs=JOBS, default_page_size=5, seed=3)
        with _client("sigv4", transport=fake.transport(), record_to=tmp_path / name) as client:
            _list(client, PaginationConfig={"MaxItems": 7})
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    assert len(json.loads(outputs[0])["interactions"]) == 2


def test_only_allow_listed_headers_are_recorded(tmp_path: Path) -> None:
    """Request headers keep only accept/content-type; responses only the allow-list."""

    def handler(request: httpx.Request) -> httpx.Response:
        return _json(200, _page_body(JOBS[:1]), **{"x-custom": "v", "server": "s", "date": "d"})

    path = tmp_path / "h.json"
    with _client("sigv4", transport=httpx.MockTransport(handler), record_to=path) as client:
        _list(client)
    data = json.loads(path.read_text())
    (interaction,) = data["interactions"]
    assert set(interaction["request"]["headers"]) <= REQUEST_HEADERS
    assert set(interaction["response"]["headers"]) == {"content-type", "x-amzn-requestid"}


def test_error_dates_are_recorded_only_as_a_clock_offset(tmp_path: Path) -> None:
    """A Date near the client's clock is dropped; a skewed one is kept as an offset and
    replayed relative to the replaying clock."""
    dates = iter([formatdate(1_000_000 + 20, usegmt=True), formatdate(1_000_900, usegmt=True)])

    def handler(request: httpx.Request) -> httpx.Response:
        return _json(400, {"message": "x"}, **{"x-amzn-ErrorType": "Nope", "date": next(dates)})

    path = tmp_path / "d.json"
    transport = RecordingTransport(httpx.MockTransport(handler), path, clock=lambda: 1_000_000)
    with httpx.Client(transport=transport) as http:
        http.get(f"https://x.test{PATH}")
        http.get(f"https://x.test{PATH}")
    first, second = json.loads(path.read_text())["interactions"]
    assert "date" not in first["response"]["headers"]
    assert "date_offset_seconds" not in first["response"]
    assert second["response"]["date_offset_seconds"] == 900
    replay = ReplayTransport(path, clock=lambda: 5_000_000)
    with httpx.Client(transport=replay) as http:
        assert "date" not in http.get(f"https://x.test{PATH}").headers
        served = http.get(f"https://x.test{PATH}").headers["date"]
    assert served == formatdate(5_000_900, usegmt=True)


def test_clock_skew_retry_replays_whenever_it_is_replayed(tmp_path: Path) -> None:
    """A 'Signature expired' 403 with a skewed Date is re-signed and retried, on replay too."""

    def handler(request: httpx.Request) -> httpx.Response:
        if not seen:
            seen.append(request)
            return _json(
                403,
                {"message": "Signature expired: 20250101T000000Z is now earlier than ..."},
                **{
                    "x-amzn-ErrorType": "InvalidSignatureException",
                    "date": formatdate(time.time() + 900, usegmt=True),
                },
            )
        return _json(200, _page_body(JOBS[:2]))

    seen: list[httpx.Request] = []
    path = tmp_path / "skew.json"
    with _client("sigv4", transport=httpx.MockTransport(handler), record_to=path) as client:
        recorded = _list(client)
    first = load_fixture(path).interactions[0].response
    assert first is not None
    assert first.date_offset is not None
    assert abs(first.date_offset - 900) <= 2
    with Client(replay_from=path, environ={}) as client:
        assert _list(client) == recorded


def test_recording_is_written_after_each_interaction(tmp_path: Path) -> None:
    """The file holds every finished interaction before close; close writes even an empty one."""
    path = tmp_path / "live.json"
    fake = FakeBedrock(jobs=JOBS, default_page_size=5)
    client = _client("sigv4", transport=fake.transport(), record_to=path)
    client.list_model_invocation_jobs()
    assert len(load_fixture(path).interactions) == 1
    client.close()
    empty = tmp_path / "empty.json"
    _client("sigv4", transport=fake.transport(), record_to=empty).close()
    assert load_fixture(empty).interactions == ()


def test_compressed_responses_are_recorded_decoded(tmp_path: Path) -> None:
    """A gzip body reaches the client intact and is stored as JSON, without content-encoding."""
    body = json.dumps(_page_body(JOBS[:2])).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-type": "application/json", "content-encoding": "gzip"},
            content=gzip.compress(body),
        )

    path = tmp_path / "gz.json"
    with _client("sigv4", transport=httpx.MockTransport(handler), record_to=path) as client:
        pages = _list(client)
    assert len(pages[0]) == 2
    (interaction,) = load_fixture(path).interactions
    assert interaction.response is not None
    assert interaction.response.body == json.loads(body)


def test_bodies_over_the_cap_are_not_recorded(tmp_path: Path) -> None:
    """A body over the recording cap is replaced by a note; the client still gets the bytes."""
    path = tmp_path / "big.json"
    transport = RecordingTransport(
        httpx.MockTransport(lambda r: httpx.Response(200, content=b"x" * 50)),
        path,
        max_body_bytes=10,
    )
    with httpx.Client(transport=transport) as http:
        response = http.get("https://example.test/model-invocation-jobs")
    assert response.content == b"x" * 50
    (interaction,) = load_fixture(path).interactions
    assert interaction.response is not None
    assert "not recorded" in interaction.response.body


def test_transport_kind_mismatch_is_reported() -> None:
    """A sync-only transport under an AsyncClient (and the reverse) fails clearly."""
    sync_only = httpx.HTTPTransport()
    async_only = httpx.AsyncHTTPTransport()
    request = httpx.Request("GET", "https://example.test/")
    with pytest.raises(ParamValidationError, match="sync-only"):
        asyncio.run(RecordingTransport(sync_only, "unused.json").handle_async_request(request))
    with pytest.raises(ParamValidationError, match="async-only"):
        RecordingTransport(async_only, "unused.json").handle_request(request)
    sync_only.close()
    asyncio.run(async_only.aclose())


# --- secrets -----------------------------------------------------------------------------------


def _echo(request: httpx.Request) -> str:
    """Every request header, as a careless server might echo it in an error message."""
    return "; ".join(f"{k}: {v}" for k, v in request.headers.items())


class _BrokenBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, first: bytes, error: Exception) -> None:
        self._first, self._error = first, error

    def __iter__(self) -> Iterator[bytes]:
        yield self._first
        raise self._error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._first
        raise self._error


def _scenario(name: str) -> Callable[[httpx.Request, int], httpx.Response]:
    """Handlers that put the request's secrets everywhere a recording could pick them up."""

    def handle(request: httpx.Request, n: int) -> httpx.Response:
        echo = _echo(request)
        if name == "success":
            return _json(200, _page_body(JOBS[:2]))
        if name == "echo_in_page":
            job = {**JOBS[0], "message": echo, "futureField": {"auth": [echo]}}
            return _json(200, _page_body([job]), **{"x-echo": echo})
        if name == "json_error":
            return _json(
                403,
                {"message": echo, "Message": urlencode(dict(request.headers))},
                **{"x-amzn-ErrorType": "AccessDeniedException", "x-amz-retry-after": echo},
            )
        if name == "throttle_then_success":
            if n == 0:
                return _json(429, {"message": echo}, **{"x-amzn-ErrorType": "ThrottlingException"})
            return _json(200, _page_body([{**JOBS[1], "message": echo}]))
        if name == "html_error":
            return httpx.Response(
                503, headers={"content-type": "text/html"}, content=f"<p>{echo}</p>".encode()
            )
        if name == "binary_error":
            return httpx.Response(400, content=b"\xff\xfe" + echo.encode() + b"\x80")
        if name == "secret_named_keys":
            extra = {"SecretAccessKey": "FAKEunlistedSECRET123", "sessionToken": "FAKEunlisted2"}
            return _json(200, {**_page_body(JOBS[:1]), "credentials": extra})
        if name == "transport_error":
            raise httpx.ConnectError(f"refused after sending {echo}", request=request)
        if name == "broken_body":
            error = httpx.ReadError(f"reset while reading; sent {echo}", request=request)
            return httpx.Response(200, stream=_BrokenBody(b'{"invocationJob', error))
        raise AssertionError(name)

    return handle


SCENARIOS = [
    "success",
    "echo_in_page",
    "json_error",
    "throttle_then_success",
    "html_error",
    "binary_error",
    "secret_named_keys",
    "transport_error",
    "broken_body",
]


def _record_async(
    auth: str, handler: Callable[[httpx.Request], httpx.Response], path: Path
) -> None:
    creds: dict[str, Any] = (
        {"bearer_token": BEARER}
        if auth == "bearer"
        else {
            "aws_access_key_id": ACCESS_KEY,
            "aws_secret_access_key": SECRET,
            "aws_session_token": TOKEN,
        }
    )

    async def run() -> None:
        async with AsyncClient(
            region_name="us-east-1",
            environ={},
            sleep=lambda seconds: None,
            transport=httpx.MockTransport(handler),
            record_to=path,
            **creds,
        ) as client:
            pages = client.get_paginator("list_model_invocation_jobs").paginate(
                nameContains="canary"
            )
            with contextlib.suppress(BedrockPaginateError):
                [page async for page in pages]

    asyncio.run(run())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("auth", ["sigv4", "bearer"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_secret_survives_recording(tmp_path: Path, scenario: str, auth: str, mode: str) -> None:
    """Tokens, bearer keys and signatures never reach the file, on success, errors and retries."""
    handle = _scenario(scenario)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handle(request, len(seen) - 1)

    path = tmp_path / f"{scenario}.json"
    if mode == "async":
        _record_async(auth, handler, path)
    else:
        client = _client(auth, transport=httpx.MockTransport(handler), record_to=path)
        with client, contextlib.suppress(BedrockPaginateError):
            _list(client, nameContains="canary")
    signatures = [
        m.group(1)
        for r in seen
        if (m := re.search(r"Signature=([0-9a-f]{64})", r.headers.get("authorization", "")))
    ]
    assert seen
    assert len(signatures) == (len(seen) if auth == "sigv4" else 0)
    _assert_clean(path, [TOKEN, BEARER, SECRET, *signatures, "FAKEunlisted"])
    text = path.read_text()
    assert "AWS4-HMAC-SHA256" not in text or "Signature=[redacted]" in text
    assert len(json.loads(text)["interactions"]) == len(seen)


def test_transport_errors_are_recorded_and_replayed(tmp_path: Path) -> None:
    """A failed attempt is stored as an error entry and raised again (then retried) on replay."""
    fake = FakeBedrock(jobs=JOBS)
    inner = fake.transport()
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ReadTimeout("timed out", request=request)
        return inner.handle_request(request)

    path = tmp_path / "t.json"
    with _client("sigv4", transport=httpx.MockTransport(handler), record_to=path) as client:
        recorded = _list(client)
    first = load_fixture(path).interactions[0]
    assert first.error == RecordedError(type="ReadTimeout", message="timed out")
    with Client(replay_from=path, environ={}, sleep=lambda s: None) as client:
        assert _list(client) == recorded


def test_secrets_argument_and_callable_are_redacted(tmp_path: Path) -> None:
    """Values passed as secrets (or returned by a secrets function) are redacted everywhere."""
    other = "FAKErotatedSECRET-after-refresh"
    current = [SECRET]

    def handler(request: httpx.Request) -> httpx.Response:
        return _json(
            500, {"message": f"{SECRET} {other}", SECRET: [other]}, **{"x-amzn-ErrorType": other}
        )

    path = tmp_path / "s.json"
    transport = RecordingTransport(
        httpx.MockTransport(handler), path, secrets=lambda: list(current)
    )
    with httpx.Client(transport=transport) as http:
        http.get(f"https://x.test{PATH}", params={"nameContains": SECRET})
        current.append(other)
        http.get(f"https://x.test{PATH}", params={"q": quote(other, safe="")})
    _assert_clean(path, [SECRET, other])
    listed = tmp_path / "l.json"
    with httpx.Client(
        transport=RecordingTransport(httpx.MockTransport(handler), listed, secrets=[SECRET, other])
    ) as http:
        http.get(f"https://x.test{PATH}")
    _assert_clean(listed, [SECRET, other])


def test_client_passes_its_live_secrets_to_the_recorder(tmp_path: Path) -> None:
    """Even a server that echoes the secret access key cannot get it into a recording."""

    def handler(request: httpx.Request) -> httpx.Response:
        return _json(403, {"message": f"your key is {SECRET}"}, **{"x-amzn-ErrorType": "X"})

    path = tmp_path / "echo-secret.json"
    client = _client("sigv4", transport=httpx.MockTransport(handler), record_to=path)
    with client, pytest.raises(ServiceError):
        _list(client)
    _assert_clean(path, [SECRET, TOKEN])


_secret_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=8, max_size=30
)


def _traffic_strings(document: dict[str, Any]) -> Iterator[str]:
    """Every string of a fixture document that came from the traffic: the values (nested keys
    included) under each interaction's request, response and error. The format's own key
    names (``body_text``, ``date_offset_seconds``, ...), ``format`` and ``description`` are
    not traffic: a secret that happens to be part of one is not a leak."""
    for interaction in document["interactions"]:
        for section in interaction.values():
            for value in section.values():
                yield from _strings(value)


@given(
    secret=_secret_text,
    prefix=st.text(max_size=10),
    suffix=st.text(max_size=10),
    where=st.sampled_from(["json", "text", "query", "key"]),
)
@example(secret="body_tex", prefix="", suffix="", where="text")  # a format key: not a leak
@example(secret="x-amzn-e", prefix="", suffix="", where="json")
@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_property_no_secret_in_any_string(
    tmp_path: Path, secret: str, prefix: str, suffix: str, where: str
) -> None:
    """Whatever the secret and wherever it sits, no string from the traffic in the recording
    contains it (the marker itself aside: a secret inside ``[redacted]`` cannot be avoided)."""
    assume(secret not in REDACTED)
    embedded = prefix + secret + suffix

    def handler(request: httpx.Request) -> httpx.Response:
        if where == "json":
            return _json(200, {"a": [embedded], "b": {"c": embedded}})
        if where == "key":
            return _json(200, {embedded: 1})
        return httpx.Response(400, content=embedded.encode())

    params = {"q": embedded} if where == "query" else {}
    path = tmp_path / "p.json"
    with httpx.Client(
        transport=RecordingTransport(httpx.MockTransport(handler), path, secrets=[secret])
    ) as http:
        http.get(f"https://x.test{PATH}", params=params)
    document = json.loads(path.read_text())
    assert not any(secret in s for s in _traffic_strings(document))
    assert len(document["interactions"]) == 1  # the file is still a valid fixture
    load_fixture(path)


def test_secret_inside_a_format_key_leaves_the_format_intact(tmp_path: Path) -> None:
    """A secret that is part of a key of the file format (``body_tex``) is redacted from the
    body but not from the format's keys: the recording keeps its body (it used to lose it)."""
    secret = "body_tex"
    path = tmp_path / "k.json"
    mock = httpx.MockTransport(lambda r: httpx.Response(400, content=b"<body_text body_tex>"))
    with httpx.Client(transport=RecordingTransport(mock, path, secrets=[secret])) as http:
        http.get(f"https://x.test{PATH}")
    (interaction,) = load_fixture(path).interactions
    assert interaction.response is not None
    assert interaction.response.body == f"<{REDACTED}t {REDACTED}>"
    assert '"body_text": ' in path.read_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Signature=" + "ab" * 32, f"Signature={REDACTED}"),
        ("a?X-Amz-Signature=" + "0f" * 32 + "&b=1", f"a?X-Amz-Signature={REDACTED}&b=1"),
        ("x&X-Amz-Security-Token=abc%2Fdef&y", f"x&X-Amz-Security-Token={REDACTED}&y"),
        ("Authorization: Bearer ABSKabcdefghijklmnop0123==", f"Authorization: Bearer {REDACTED}"),
        ("the bearer of news", "the bearer of news"),
        ("Signature=short", "Signature=short"),
    ],
)
def test_redact_text_patterns(text: str, expected: str) -> None:
    """Signatures, tokens in query strings and bearer tokens are redacted; prose is not."""
    assert redact_text(text) == expected


def test_redact_text_known_secrets_in_every_encoding() -> None:
    """A known secret is found raw, URL-encoded, form-encoded and JSON-escaped; short ones not."""
    escaped = TOKEN.replace("/", "\\/")
    text = f"{TOKEN} {quote(TOKEN, safe='')} {quote_plus(TOKEN)} {escaped} abc"
    assert redact_text(text, [TOKEN, "abc"]) == " ".join([REDACTED] * 4) + " abc"


def test_redaction_cannot_be_undone_by_the_replacement() -> None:
    """A secret that re-forms next to the replacement text is still removed."""
    secret = "d]xxxxxx"
    assert secret not in redact_text("[redacte" + secret + "xxxxxx", [secret])
    assert secret not in redact_text("d][redac" * 3, ["d][redac"])


# --- scrubbing ---------------------------------------------------------------------------------


def _job(account: str, bucket: str, index: int) -> dict[str, Any]:
    job = dict(generate_jobs(1, seed=index, account=account)[0])
    job["jobArn"] = f"arn:aws:bedrock:us-east-1:{account}:model-invocation-job/job{index:08d}"
    job["inputDataConfig"] = {
        "s3InputDataConfig": {"s3Uri": f"s3://{bucket}/in/{index}.jsonl", "s3BucketOwner": account}
    }
    job["outputDataConfig"] = {"s3OutputDataConfig": {"s3Uri": f"s3://{bucket}/out/"}}
    job["message"] = f"account {account} could not read s3://{bucket}/in (bucket {bucket})"
    job["submitTime"] = f"2025-01-{index + 1:02d}T00:00:00.000Z"
    return job


def test_scrubbing_replaces_accounts_and_buckets_consistently(tmp_path: Path) -> None:
    """Accounts and buckets map to the same fake value everywhere, and the file still replays."""
    jobs = [
        _job("111122223333", "acme-private-data", 0),
        _job("444455556666", "acme.logs.example", 1),
        _job("111122223333", "acme-private-data", 2),
    ]
    fake = FakeBedrock(jobs=jobs, default_page_size=2)
    path = tmp_path / "scrubbed.json"
    transport = RecordingTransport(fake.transport(), path, scrub=True)
    with Client(
        transport=transport,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET,
        environ={},
    ) as client:
        live = [job for page in _list(client) for job in page]
    text = path.read_text()
    for real in ("111122223333", "444455556666", "acme-private-data", "acme.logs.example"):
        assert real not in text
    with Client(replay_from=path, environ={}) as client:
        replayed = [job for page in _list(client) for job in page]
    assert len(replayed) == len(live) == 3
    by_arn = {job.job_arn.rsplit("/", 1)[1]: job for job in replayed}
    first, second, third = by_arn["job00000000"], by_arn["job00000001"], by_arn["job00000002"]
    assert first.job_arn.split(":")[4] == third.job_arn.split(":")[4]
    assert {first.job_arn.split(":")[4], second.job_arn.split(":")[4]} == {
        "123456789012",
        "123456789013",
    }
    owner = first.input_data_config.s3_input_data_config
    assert owner is not None
    assert owner.s3_bucket_owner == first.job_arn.split(":")[4]
    assert first.message is not None
    assert first.message.split()[1] == owner.s3_bucket_owner
    assert owner.s3_uri.split("/")[2] in first.message
    assert owner.s3_uri.startswith("s3://example-bucket-")


def test_scrubber_avoids_colliding_with_real_values() -> None:
    """A fake value that is also a real one is skipped, so two inputs never merge."""
    arn = "arn:aws:bedrock:us-east-1:{}:model-invocation-job/x"
    fixture = Fixture(
        interactions=(
            _interaction(body={"a": arn.format("999999999999"), "b": arn.format("123456789012")}),
        )
    )
    scrubbed = scrub_fixture(fixture)
    response = scrubbed.interactions[0].response
    assert response is not None
    accounts = {response.body["a"].split(":")[4], response.body["b"].split(":")[4]}
    assert len(accounts) == 2
    assert "999999999999" not in accounts


def test_scrubber_replaces_access_key_ids() -> None:
    """Access key ids in an echoed credential scope get consistent EXAMPLE replacements."""
    message = "Credential=AKIAABCDEFGHIJKLMNOP/20250101/us-east-1/bedrock/aws4_request"
    body = {"m": message, "n": "ASIAABCDEFGHIJKLMNOP then AKIAABCDEFGHIJKLMNOP"}
    response = scrub_fixture(Fixture(interactions=(_interaction(body=body),))).interactions[0]
    assert response.response is not None
    scrubbed = response.response.body
    assert scrubbed["m"].startswith("Credential=AKIAEXAMPLE000000001/20250101")
    assert scrubbed["n"] == "ASIAEXAMPLE000000002 then AKIAEXAMPLE000000001"
    kept = scrub_fixture(
        Fixture(interactions=(_interaction(body=body),)), Scrubber(access_keys=False)
    )
    assert kept.interactions[0].response is not None
    assert kept.interactions[0].response.body == body


def test_scrubber_options_are_validated() -> None:
    """A fake account that is not 12 digits, or a bad bucket prefix, is refused."""
    with pytest.raises(ParamValidationError, match="fake_account"):
        Scrubber(fake_account="12345")
    with pytest.raises(ParamValidationError, match="bucket_prefix"):
        Scrubber(bucket_prefix="Bad_Prefix")


@given(st.lists(st.integers(10**11, 10**12 - 1).map(str), min_size=1, max_size=5))
def test_property_scrubbed_accounts_are_gone(accounts: list[str]) -> None:
    """Every account found in an ARN is replaced, and distinct accounts stay distinct."""
    arns = [f"arn:aws:iam::{a}:role/r" for a in accounts]
    fixture = Fixture(interactions=(_interaction(body={"arns": arns}),))
    response = scrub_fixture(fixture, Scrubber(buckets=False)).interactions[0].response
    assert response is not None
    out = [arn.split(":")[4] for arn in response.body["arns"]]
    assert len(set(out)) == len(set(accounts))
    assert all(fake == real or real not in out for real, fake in zip(accounts, out, strict=True))


# --- replay matching ---------------------------------------------------------------------------


def _replay(fixture: Fixture, **kwargs: Any) -> tuple[ReplayTransport, httpx.Client]:
    transport = ReplayTransport(fixture, **kwargs)
    return transport, httpx.Client(transport=transport, base_url="https://bedrock.test")


THREE = Fixture(
    interactions=(
        _interaction((("maxResults", "2"),), body={"n": 0}),
        _interaction((("maxResults", "2"), ("nextToken", "t1")), body={"n": 1}),
        _interaction((("maxResults", "2"), ("nextToken", "t2")), body={"n": 2}),
    )
)


def test_in_order_replay_matches_query_as_a_multiset() -> None:
    """Method, path and query pairs in any order match; headers are ignored."""
    transport, http = _replay(THREE)
    with http:
        assert http.get(PATH, params={"maxResults": "2"}).json() == {"n": 0}
        url = f"{PATH}?nextToken=t1&maxResults=2"
        assert http.get(url, headers={"authorization": "whatever"}).json() == {"n": 1}
        assert http.get(PATH, params={"maxResults": "2", "nextToken": "t2"}).json() == {"n": 2}
    transport.assert_all_used()


def test_in_order_replay_rejects_a_request_out_of_order() -> None:
    """The next unused interaction must match; the error names it and the nearest ones."""
    transport, http = _replay(THREE)
    with http, pytest.raises(FixtureMismatchError) as caught:
        http.get(PATH, params={"maxResults": "2", "nextToken": "t2"})
    message = str(caught.value)
    assert "request #1 GET /model-invocation-jobs?maxResults=2&nextToken=t2" in message
    assert "expected next: #0 GET /model-invocation-jobs?maxResults=2" in message
    assert "#2 GET" in message
    assert "matches, but replay is in order" in message
    assert "any_order=True" in message
    assert caught.value.nearest[0] == 2
    assert caught.value.request is not None
    assert caught.value.request.query == (("maxResults", "2"), ("nextToken", "t2"))
    assert transport.used_count == 0


def test_any_order_replay_takes_the_first_unused_match() -> None:
    """With any_order=True requests may come in any order, each interaction used once."""
    fixture = Fixture(interactions=(*THREE.interactions, _interaction(body={"n": 3})))
    transport, http = _replay(fixture, any_order=True)
    with http:
        assert http.get(PATH, params={"maxResults": "2", "nextToken": "t2"}).json() == {"n": 2}
        assert http.get(PATH).json() == {"n": 3}
        assert http.get(PATH, params={"maxResults": "2"}).json() == {"n": 0}
        with pytest.raises(FixtureMismatchError, match="already used"):
            http.get(PATH, params={"maxResults": "2"})
    assert [i.response.body for i in transport.unused if i.response] == [{"n": 1}]


def test_mismatch_message_shows_the_differences() -> None:
    """The message lists the nearest interactions with what differs, closest first."""
    _, http = _replay(THREE, any_order=True)
    with http, pytest.raises(FixtureMismatchError) as caught:
        http.get(PATH, params={"maxResults": "3", "nextToken": "t1", "statusEquals": "Failed"})
    message = str(caught.value)
    lines = message.splitlines()
    nearest = lines[lines.index("nearest recorded interactions:") + 1]
    assert nearest.startswith("  #1 GET")
    assert "maxResults: sent '3', recorded '2'" in nearest
    assert "statusEquals='Failed' sent but not recorded" in nearest
    assert "any order" in lines[0]
    assert isinstance(caught.value, BedrockPaginateError)


def test_mismatch_reports_method_and_path_differences() -> None:
    """A different method or path is named in the nearest-interaction notes."""
    _, http = _replay(THREE)
    with http, pytest.raises(FixtureMismatchError) as caught:
        http.post("/other", params={"maxResults": "2"})
    assert "method GET recorded" in str(caught.value)
    assert "path '/model-invocation-jobs' recorded" in str(caught.value)


def test_every_interaction_used_means_further_requests_fail() -> None:
    """A request after the recording ran out fails and says so."""
    _, http = _replay(Fixture(interactions=(_interaction(),)))
    with http:
        http.get(PATH)
        with pytest.raises(FixtureMismatchError, match="every recorded interaction has been used"):
            http.get(PATH)


def test_unused_interactions_can_be_made_an_error() -> None:
    """assert_all_used lists what was never requested."""
    transport, http = _replay(THREE)
    with http:
        http.get(PATH, params={"maxResults": "2"})
    with pytest.raises(FixtureMismatchError) as caught:
        transport.assert_all_used()
    assert caught.value.unused == (1, 2)
    assert "2 of 3 recorded interactions" in str(caught.value)
    assert "nextToken=t1" in str(caught.value)


def test_mismatch_messages_never_show_signatures() -> None:
    """A presigned-looking query value is redacted in the message."""
    _, http = _replay(THREE)
    with http, pytest.raises(FixtureMismatchError) as caught:
        http.get(PATH, params={"X-Amz-Signature": "ab" * 32})
    assert "ab" * 32 not in str(caught.value)


# --- replay through the clients ----------------------------------------------------------------


@pytest.fixture
def recorded_listing(tmp_path: Path) -> tuple[Path, list[Page], str | None]:
    """A MaxItems-truncated listing recorded against the fake over loopback."""
    path = tmp_path / "listing.json"
    fake = FakeBedrock(jobs=JOBS, default_page_size=5)
    with FakeBedrockServer(fake) as server:
        client = _client("sigv4", record_to=path, endpoint_url=server.url)
        with client:
            pages = client.get_paginator("list_model_invocation_jobs").paginate(
                PaginationConfig={"MaxItems": 7}
            )
            recorded = list(pages)
            token = pages.resume_token
    return path, recorded, token


def _block_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("replay opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_sync_replay_opens_no_socket_and_needs_no_credentials(
    recorded_listing: tuple[Path, list[Page], str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With sockets blocked and an empty environment, replay gives the recorded pages."""
    path, recorded, token = recorded_listing
    _block_sockets(monkeypatch)
    with pytest.raises(AssertionError, match="opened a socket"):
        socket.create_connection(("127.0.0.1", 9))  # the block is in force
    with Client(replay_from=path, environ={}) as client:
        pages = client.get_paginator("list_model_invocation_jobs").paginate(
            PaginationConfig={"MaxItems": 7}
        )
        assert list(pages) == recorded
        assert pages.resume_token == token
    assert token is not None
    assert [len(p) for p in recorded] == [5, 2]


def test_async_replay_opens_no_socket_and_needs_no_credentials(
    recorded_listing: tuple[Path, list[Page], str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The async client replays the same recording to the same pages, sockets blocked."""
    path, recorded, token = recorded_listing

    async def replay() -> tuple[list[Page], str | None]:
        async with AsyncClient(replay_from=path, environ={}) as client:
            pages = client.get_paginator("list_model_invocation_jobs").paginate(
                PaginationConfig={"MaxItems": 7}
            )
            return [page async for page in pages], pages.resume_token

    loop = asyncio.new_event_loop()  # the loop's self-pipe is a socket: make it first
    try:
        _block_sockets(monkeypatch)
        pages, replayed_token = loop.run_until_complete(replay())
    finally:
        monkeypatch.undo()
        loop.close()
    assert pages == recorded
    assert replayed_token == token


@pytest.mark.parametrize(
    ("settings_", "page_size"),
    [
        ({"MaxItems": 5, "PageSize": 3}, 1000),
        ({"MaxItems": 8}, 4),
        ({"MaxItems": 6, "PageSize": 3}, 1000),
        ({"MaxItems": 100, "PageSize": 5}, 1000),
    ],
)
def test_async_recording_replays_like_sync(
    tmp_path: Path, settings_: PaginationOptions, page_size: int
) -> None:
    """Recorded by AsyncClient, replayed by Client and AsyncClient: pages and tokens agree,
    and continuing from the resume token replays to the rest of the listing."""
    path = tmp_path / "async.json"
    fake = FakeBedrock(jobs=JOBS, default_page_size=page_size)

    async def record(url: str) -> tuple[list[Page], str | None]:
        async with AsyncClient(
            region_name="us-east-1",
            endpoint_url=url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET,
            environ={},
            record_to=path,
        ) as client:
            pages = client.get_paginator("list_model_invocation_jobs").paginate(
                PaginationConfig=settings_
            )
            got = [page async for page in pages]
            token = pages.resume_token
            if token is not None:
                rest: PaginationOptions = {**settings_, "StartingToken": token}
                rest.pop("MaxItems")
                got += [
                    page
                    async for page in client.get_paginator("list_model_invocation_jobs").paginate(
                        PaginationConfig=rest
                    )
                ]
            return got, token

    async def replay_async() -> list[Page]:
        async with AsyncClient(replay_from=path, environ={}) as client:
            return await _async_pages(client, settings_, token)

    with FakeBedrockServer(fake) as server:
        recorded, token = asyncio.run(record(server.url))
    with Client(replay_from=path, environ={}) as client:
        sync_pages = _sync_pages(client, settings_, token)
    assert sync_pages == recorded
    assert asyncio.run(replay_async()) == recorded
    jobs = [job.job_arn for page in recorded for job in page]
    assert len(jobs) == len(set(jobs)) == len(JOBS)


def _sync_pages(client: Client, settings_: PaginationOptions, token: str | None) -> list[Page]:
    paginator = client.get_paginator("list_model_invocation_jobs")
    pages = paginator.paginate(PaginationConfig=settings_)
    got = list(pages)
    assert pages.resume_token == token
    if token is not None:
        rest: PaginationOptions = {**settings_, "StartingToken": token}
        rest.pop("MaxItems")
        got += list(paginator.paginate(PaginationConfig=rest))
    return got


async def _async_pages(
    client: AsyncClient, settings_: PaginationOptions, token: str | None
) -> list[Page]:
    paginator = client.get_paginator("list_model_invocation_jobs")
    pages = paginator.paginate(PaginationConfig=settings_)
    got = [page async for page in pages]
    assert pages.resume_token == token
    if token is not None:
        rest: PaginationOptions = {**settings_, "StartingToken": token}
        rest.pop("MaxItems")
        got += [page async for page in paginator.paginate(PaginationConfig=rest)]
    return got


def test_mismatch_reaches_the_user_unwrapped(
    recorded_listing: tuple[Path, list[Page], str | None],
) -> None:
    """A request the fixture lacks raises FixtureMismatchError from both clients, not a retry."""
    path = recorded_listing[0]
    with (
        Client(replay_from=path, environ={}) as client,
        pytest.raises(FixtureMismatchError) as caught,
    ):
        _list(client, statusEquals="Failed")
    assert type(caught.value) is FixtureMismatchError
    assert "statusEquals='Failed' sent but not recorded" in str(caught.value)

    async def run() -> None:
        async with AsyncClient(replay_from=path, environ={}) as client:
            await client.list_model_invocation_jobs(maxResults=3)

    with pytest.raises(FixtureMismatchError, match="maxResults='3' sent but not recorded"):
        asyncio.run(run())


def test_replayed_service_errors_raise_as_recorded(tmp_path: Path) -> None:
    """A recorded AccessDeniedException is raised again with its code and request id."""
    fake = FakeBedrock(jobs=JOBS, seed=5)
    fake.inject(Fault.access_denied(), times=None)
    path = tmp_path / "denied.json"
    with (
        _client("sigv4", transport=fake.transport(), record_to=path) as client,
        pytest.raises(AccessDeniedException) as live,
    ):
        _list(client)
    with (
        Client(replay_from=path, environ={}) as client,
        pytest.raises(AccessDeniedException) as replayed,
    ):
        _list(client)
    assert (replayed.value.code, replayed.value.request_id, replayed.value.message) == (
        live.value.code,
        live.value.request_id,
        live.value.message,
    )


def test_recorded_transport_failure_ends_in_transport_error_on_replay(tmp_path: Path) -> None:
    """A recording whose every attempt failed replays to the same TransportError."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    path = tmp_path / "down.json"
    client = _client("sigv4", transport=httpx.MockTransport(handler), record_to=path)
    with client, pytest.raises(TransportError) as live:
        _list(client)
    replaying = Client(replay_from=path, environ={}, sleep=lambda s: None)
    with replaying, pytest.raises(TransportError) as replayed:
        _list(replaying)
    assert replayed.value.attempts == live.value.attempts == 3
    assert all(i.error is not None for i in load_fixture(path).interactions)


def test_recording_and_replay_cannot_be_combined(tmp_path: Path) -> None:
    """record_to and replay_from together are refused before anything happens."""
    with pytest.raises(ParamValidationError):
        Client(replay_from=tmp_path / "a.json", record_to=tmp_path / "b.json", environ={})


def test_replay_transport_accepts_a_fixture_value() -> None:
    """ReplayTransport can serve an in-memory Fixture, named '<fixture>' in messages."""
    transport = ReplayTransport(attrs.evolve(THREE, description="x"))
    assert transport.source == "<fixture>"
    assert len(transport.unused) == 3


def test_recording_and_replay_from_many_threads(tmp_path: Path) -> None:
    """One client shared by threads records every interaction, and replays in any order."""
    path = tmp_path / "threads.json"
    fake = FakeBedrock(jobs=JOBS)
    sizes = range(1, 9)

    def work(client: Client, size: int) -> int:
        return len(client.list_model_invocation_jobs(maxResults=size))

    recorder = _client("sigv4", transport=fake.transport(), record_to=path)
    with recorder, ThreadPoolExecutor(max_workers=8) as pool:
        live = sorted(pool.map(lambda size: work(recorder, size), sizes))
    assert len(load_fixture(path).interactions) == len(sizes)
    replayer = Client(replay_from=path, replay_any_order=True, environ={})
    with replayer, ThreadPoolExecutor(max_workers=8) as pool:
        replayed = sorted(pool.map(lambda size: work(replayer, size), sizes))
    assert replayed == live == list(sizes)


def test_unwritable_recording_is_a_library_error(tmp_path: Path) -> None:
    """Recording into a path that cannot be written fails with FixtureWriteError (a
    BedrockPaginateError carrying a resume token), not a bare OSError."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    fake = FakeBedrock(jobs=generate_jobs(3))
    client = Client(
        transport=fake.transport(),
        record_to=blocker / "rec.json",  # a path under a regular file: never writable
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=SECRET,
        environ={},
    )
    with pytest.raises(FixtureWriteError, match="cannot write the recording") as raised:
        list(client.get_paginator("list_model_invocation_jobs").paginate().jobs())
    assert raised.value.resume_token is not None
