"""End to end over a real socket: every request the clients send is re-signed by requests-aws4auth.

A small stdlib ``http.server`` on 127.0.0.1 (port 0, in a thread) plays AWS. It recomputes the
SigV4 ``Authorization`` of each request with requests-aws4auth, an independent implementation,
using the ``SignedHeaders`` list and the ``X-Amz-Date`` it received, and answers a mismatch with
403 ``InvalidSignatureException`` as AWS does. Requests that pass are answered by
:meth:`FakeBedrock.handle` (filters, sorting, opaque base64 tokens with ``+``, ``/`` and ``=``).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import attrs
import httpx
import pytest
import requests
from requests.structures import CaseInsensitiveDict
from requests_aws4auth import AWS4Auth

from bedrock_paginate import AsyncClient, Client, ServiceError
from bedrock_paginate._sigv4 import sign_request
from bedrock_paginate.testing import FakeBedrock, generate_jobs

REGION = "us-east-1"
SERVICE = "bedrock"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TEMP_ACCESS_KEY = "ASIAFAKEEXAMPLE"
TEMP_SECRET = "FAKEtempSECRET/with+plus=and/slash"
SESSION_TOKEN = "FAKEsessionTOKEN/abc+def=="
JOBS = generate_jobs(150, seed=3)
FILTERS: dict[str, Any] = {
    "statusEquals": "Completed",
    "nameContains": "e",
    "submitTimeAfter": datetime(2024, 11, 1, tzinfo=timezone.utc),
    "submitTimeBefore": "2025-04-01T00:00:00Z",
    "sortBy": "CreationTime",
    "sortOrder": "Ascending",
}
# The same filters as the fake's oracle takes them (wire strings).
WIRE_FILTERS = {**FILTERS, "submitTimeAfter": "2024-11-01T00:00:00Z"}
_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/\s]+)/(?P<date>\d{8})/(?P<region>[^/\s]+)/"
    r"(?P<service>[^/\s]+)/aws4_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})"
)
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)


@attrs.frozen
class Identity:
    """What the server knows about an access key."""

    secret: str = attrs.field(repr=False)
    token: str | None = attrs.field(default=None, repr=False)


@attrs.define
class Seen:
    """One request as the checking server saw it."""

    query: list[tuple[str, str]]
    verified: bool
    status: int
    request_id: str


def aws4auth_authorization(
    method: str, url: str, headers: dict[str, str], signed: list[str], key: str, who: Identity
) -> str:
    """The Authorization requests-aws4auth computes for this wire request."""
    prepared = requests.PreparedRequest()
    prepared.method = method
    prepared.url = url  # set directly: prepare_url() would re-quote the query
    prepared.headers = CaseInsensitiveDict({name: headers[name] for name in signed})
    prepared.body = None
    auth = AWS4Auth(
        key, who.secret, REGION, SERVICE, session_token=who.token, include_hdrs=set(signed)
    )
    result: Any = auth(prepared)
    authorization: str = result.headers["Authorization"]
    return authorization


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeBedrock, identities: dict[str, Identity]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self.identities = identities
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def refusal(self, method: str, path: str, headers: dict[str, str]) -> tuple[str, str] | None:
        """``None`` when the request is correctly signed, else (error code, message)."""
        match = _AUTH_RE.fullmatch(headers.get("authorization", ""))
        if match is None:
            return "IncompleteSignatureException", "Authorization header is malformed"
        who = self.identities.get(match["key"])
        if who is None:
            return "UnrecognizedClientException", "The security token included is invalid."
        if who.token is not None and headers.get("x-amz-security-token") != who.token:
            return "UnrecognizedClientException", "The security token included is invalid."
        signed = match["signed"].split(";")
        if (
            match["region"] != REGION
            or match["service"] != SERVICE
            or not {"host", "x-amz-date"} <= set(signed)
            or any(name not in headers for name in signed)
        ):
            return "InvalidSignatureException", _MISMATCH
        url = f"http://{headers['host']}{path}"
        expected = aws4auth_authorization(method, url, headers, signed, match["key"], who)
        if not hmac.compare_digest(expected, headers["authorization"]):
            return "InvalidSignatureException", _MISMATCH
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        path, _, raw_query = self.path.partition("?")
        query = parse_qsl(raw_query, keep_blank_values=True)
        refusal = self.server.refusal(self.command, self.path, headers)
        if refusal is not None:
            request_id = str(uuid.uuid4())
            body = json.dumps({"message": refusal[1]}).encode()
            extra = {"x-amzn-ErrorType": refusal[0], "Content-Type": "application/json"}
            status, headers_out = 403, {"x-amzn-RequestId": request_id, **extra}
        else:
            answer = self.server.fake.handle(self.command, path, query, headers)
            request_id = answer.header("x-amzn-RequestId") or ""
            status, headers_out, body = answer.status, dict(answer.headers), answer.body
        # Recorded before answering: the client may check ``seen`` as soon as it has the answer.
        with self.server.lock:
            self.server.seen.append(Seen(query, refusal is None, status, request_id))
        self._send(status, headers_out, body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[_Server]:
    identities = {
        ACCESS_KEY: Identity(SECRET_KEY),
        TEMP_ACCESS_KEY: Identity(TEMP_SECRET, SESSION_TOKEN),
    }
    running = _Server(FakeBedrock(jobs=JOBS, default_page_size=25), identities)
    thread = threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
    thread.join()


def _url(server: _Server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def _options(server: _Server, credentials: str) -> dict[str, Any]:
    keys = {
        "plain": {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY},
        "session": {
            "aws_access_key_id": TEMP_ACCESS_KEY,
            "aws_secret_access_key": TEMP_SECRET,
            "aws_session_token": SESSION_TOKEN,
        },
        "wrong": {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY + "x"},
    }[credentials]
    return {
        "region_name": REGION,
        "endpoint_url": _url(server),
        "environ": {},
        "sleep": _no_sleep,
        **keys,
    }


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"unexpected retry sleep of {seconds} s")


def _expected_arns(server: _Server) -> list[str]:
    return [job["jobArn"] for job in server.fake.expected(**WIRE_FILTERS)]


def _tokens_sent(server: _Server) -> list[str]:
    return [value for seen in server.seen for key, value in seen.query if key == "nextToken"]


def _assert_all_verified(server: _Server, pages: int) -> None:
    assert len(server.seen) == pages
    assert all(seen.verified and seen.status == 200 for seen in server.seen)
    tokens = _tokens_sent(server)
    assert len(tokens) == pages - 1
    assert all(all(c in token for c in "+/=") for token in tokens)


# --- the oracle itself --------------------------------------------------------------------------


def test_server_accepts_our_signature_and_rejects_a_tampered_one(server: _Server) -> None:
    """The checking server is not vacuous: one flipped signature digit gives 403."""
    url = _url(server) + "/model-invocation-jobs?maxResults=2"
    signed = sign_request(
        "GET", url, {}, b"", region=REGION, service=SERVICE,
        access_key=ACCESS_KEY, secret_key=SECRET_KEY,
    )  # fmt: skip
    last = signed["Authorization"][-1]
    tampered = signed["Authorization"][:-1] + ("0" if last != "0" else "1")
    with httpx.Client() as http:
        good = http.get(url, headers=dict(signed))
        bad = http.get(url, headers={**signed, "Authorization": tampered})
    assert (good.status_code, bad.status_code) == (200, 403)
    assert bad.headers["x-amzn-ErrorType"] == "InvalidSignatureException"


# --- Client -------------------------------------------------------------------------------------


@pytest.mark.parametrize("credentials", ["plain", "session"])
def test_sync_listing_with_every_filter_passes_aws4auth(server: _Server, credentials: str) -> None:
    """Client pages through a filtered listing; aws4auth verifies every request's signature."""
    with Client(**_options(server, credentials)) as client:
        pages = client.get_paginator("list_model_invocation_jobs").paginate(
            **FILTERS, PaginationConfig={"PageSize": 7}
        )
        arns = [job.job_arn for job in pages.jobs()]
    assert arns == _expected_arns(server)
    _assert_all_verified(server, pages=-(-len(arns) // 7))


@pytest.mark.parametrize("credentials", ["plain", "session"])
def test_sync_single_page_with_every_parameter_passes_aws4auth(
    server: _Server, credentials: str
) -> None:
    """list_model_invocation_jobs with maxResults and a '+/='-token is accepted, page 2 exact."""
    with Client(**_options(server, credentials)) as client:
        first = client.list_model_invocation_jobs(**FILTERS, maxResults=5)
        assert first.next_token is not None
        second = client.list_model_invocation_jobs(
            **FILTERS, maxResults=5, nextToken=first.next_token
        )
    arns = [job.job_arn for job in (*first, *second)]
    assert arns == _expected_arns(server)[:10]
    assert [seen.verified for seen in server.seen] == [True, True]
    assert dict(server.seen[1].query)["nextToken"] == first.next_token


def test_sync_wrong_secret_raises_invalid_signature(server: _Server) -> None:
    """A wrong secret key: InvalidSignatureException, 403, the request id, and no retry."""
    with Client(**_options(server, "wrong")) as client, pytest.raises(ServiceError) as caught:
        client.list_model_invocation_jobs(maxResults=3)
    error = caught.value
    assert (error.code, error.status_code) == ("InvalidSignatureException", 403)
    assert error.request_id == server.seen[0].request_id
    assert error.response["Error"]["Code"] == "InvalidSignatureException"
    assert "signature we calculated does not match" in str(error)
    assert len(server.seen) == 1


def test_sync_wrong_secret_mid_listing_carries_a_resume_token(server: _Server) -> None:
    """The paginator's signature error carries a resume token for the first page."""
    with Client(**_options(server, "wrong")) as client:
        pages = client.get_paginator("list_model_invocation_jobs").paginate(**FILTERS)
        with pytest.raises(ServiceError) as caught:
            list(pages)
    assert caught.value.code == "InvalidSignatureException"
    assert caught.value.resume_token is not None
    with Client(**_options(server, "plain")) as client:
        resumed = client.get_paginator("list_model_invocation_jobs").paginate(
            **FILTERS, PaginationConfig={"StartingToken": caught.value.resume_token}
        )
        arns = [job.job_arn for job in resumed.jobs()]
    assert arns == _expected_arns(server)


# --- AsyncClient --------------------------------------------------------------------------------


@pytest.mark.parametrize("credentials", ["plain", "session"])
def test_async_listing_with_every_filter_passes_aws4auth(server: _Server, credentials: str) -> None:
    """AsyncClient pages through a filtered listing; aws4auth verifies every signature."""

    async def main() -> list[str]:
        async with AsyncClient(**_options(server, credentials)) as client:
            pages = client.get_paginator("list_model_invocation_jobs").paginate(
                **FILTERS, PaginationConfig={"PageSize": 7}
            )
            return [job.job_arn async for job in pages.jobs()]

    arns = asyncio.run(main())
    assert arns == _expected_arns(server)
    _assert_all_verified(server, pages=-(-len(arns) // 7))


@pytest.mark.parametrize("credentials", ["plain", "session"])
def test_async_single_page_with_every_parameter_passes_aws4auth(
    server: _Server, credentials: str
) -> None:
    """The async single-page call with every parameter is accepted."""

    async def main() -> list[str]:
        async with AsyncClient(**_options(server, credentials)) as client:
            first = await client.list_model_invocation_jobs(**FILTERS, maxResults=5)
            second = await client.list_model_invocation_jobs(
                **FILTERS, maxResults=5, nextToken=first.next_token
            )
        return [job.job_arn for job in (*first, *second)]

    assert asyncio.run(main()) == _expected_arns(server)[:10]
    assert [seen.verified for seen in server.seen] == [True, True]


def test_async_wrong_secret_raises_invalid_signature(server: _Server) -> None:
    """The async client maps the 403 the same way, with the request id, and does not retry."""

    async def main() -> ServiceError:
        async with AsyncClient(**_options(server, "wrong")) as client:
            try:
                await client.list_model_invocation_jobs(maxResults=3)
            except ServiceError as exc:
                return exc
        raise AssertionError("no error raised")

    error = asyncio.run(main())
    assert (error.code, error.status_code) == ("InvalidSignatureException", 403)
    assert error.request_id == server.seen[0].request_id
    assert len(server.seen) == 1
