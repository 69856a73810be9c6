"""The fake Bedrock endpoint over a real loopback socket, and the ``serve`` command.

Faults are acted out on 127.0.0.1 and observed with plain httpx clients; the in-process
transport must raise the same exception for each socket fault. Timeouts are kept tiny: no test
waits more than a fraction of a second.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from bedrock_paginate._sigv4 import sign_request
from bedrock_paginate.errors import ParamValidationError
from bedrock_paginate.testing import (
    FakeBedrock,
    FakeBedrockServer,
    Fault,
    generate_jobs,
    serve_main,
)

PATH = "/model-invocation-jobs"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
JOBS = generate_jobs(40, seed=11)
PROJECT_ROOT = Path(__file__).resolve().parent.parent
FAST = httpx.Timeout(2.0, read=0.1)


@pytest.fixture
def fake() -> FakeBedrock:
    return FakeBedrock(jobs=JOBS)


@pytest.fixture
def server(fake: FakeBedrock) -> Iterator[FakeBedrockServer]:
    before = set(threading.enumerate())
    with FakeBedrockServer(fake) as running:
        yield running
        assert running.errors == []
    assert set(threading.enumerate()) <= before


@pytest.fixture
def http(server: FakeBedrockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=FAST) as client:
        yield client


def _walk(http: httpx.Client, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        body = http.get(PATH, params=params).json()
        items += body["invocationJobSummaries"]
        if "nextToken" not in body:
            return items
        params["nextToken"] = body["nextToken"]


def test_server_url_is_loopback_with_a_free_port(server: FakeBedrockServer) -> None:
    """server.url is http://127.0.0.1:PORT with the port the OS picked."""
    host, _, port = server.url.removeprefix("http://").partition(":")
    assert host == "127.0.0.1"
    assert int(port) > 0


def test_server_lists_every_job_with_tokens(http: httpx.Client, fake: FakeBedrock) -> None:
    """Walking nextTokens over the socket (with '+', '/', '=' encoded) lists every job once."""
    assert _walk(http, maxResults="7") == fake.expected()


def test_unencoded_token_over_socket_is_rejected(http: httpx.Client) -> None:
    """A raw '+' in the query arrives as a space and the service answers 400."""
    token = http.get(PATH, params={"maxResults": "3"}).json()["nextToken"]
    response = http.get(f"{PATH}?nextToken={token}")
    assert response.status_code == 400
    assert response.headers["x-amzn-errortype"].startswith("ValidationException")


def test_server_answers_validation_errors(http: httpx.Client) -> None:
    """Errors keep their status, error type and request id over the socket."""
    response = http.get(PATH, params={"maxResults": "1001"})
    assert response.status_code == 400
    assert response.headers["x-amzn-errortype"].split(":")[0] == "ValidationException"
    assert response.headers["x-amzn-requestid"]
    assert "less than or equal to 1000" in response.json()["message"]


SOCKET_FAULTS = [
    (Fault.drop(), httpx.RemoteProtocolError, "without sending a response"),
    (Fault.drop(reset=True), httpx.ReadError, "reset"),
    (Fault.slow(5.0), httpx.ReadTimeout, "timed out"),
    (Fault.slow_body(5.0, chunk_size=64), httpx.ReadTimeout, "timed out"),
    (Fault.cut_body(100), httpx.RemoteProtocolError, "received 100 bytes"),
]


@pytest.mark.parametrize(("fault", "error", "text"), SOCKET_FAULTS)
def test_socket_faults_over_loopback(
    http: httpx.Client, fake: FakeBedrock, fault: Fault, error: type[Exception], text: str
) -> None:
    """Each socket fault gives the client the httpx error a broken server causes; then it works."""
    fake.inject(fault)
    with pytest.raises(error, match=text):
        http.get(PATH, params={"maxResults": "5"})
    assert http.get(PATH, params={"maxResults": "5"}).status_code == 200


@pytest.mark.parametrize(("fault", "error", "text"), SOCKET_FAULTS)
def test_in_process_transport_matches_the_socket(
    fault: Fault, error: type[Exception], text: str
) -> None:
    """The in-process transport raises the same exception type as the real socket."""
    fake = FakeBedrock(jobs=JOBS)
    fake.inject(fault)
    with (
        httpx.Client(transport=fake.transport(), base_url="http://fake", timeout=FAST) as http,
        pytest.raises(error, match=text),
    ):
        http.get(PATH, params={"maxResults": "5"})


def test_slow_response_under_the_timeout_arrives(
    server: FakeBedrockServer, fake: FakeBedrock
) -> None:
    """A short delay before the headers or between body chunks still delivers the page."""
    fake.inject(Fault.slow(0.02))
    fake.inject(Fault.slow_body(0.005, chunk_size=2048))
    with httpx.Client(base_url=server.url, timeout=2.0) as http:
        first = http.get(PATH, params={"maxResults": "5"}).json()
        second = http.get(PATH, params={"maxResults": "5"}).json()
    assert first == second
    assert [r.fault for r in fake.requests] == ["slow", "slow_body"]


def test_cut_body_announces_full_length(server: FakeBedrockServer, fake: FakeBedrock) -> None:
    """With a streaming client the cut shows: Content-Length is more than what arrives."""
    fake.inject(Fault.cut_body(50))
    with (
        httpx.Client(base_url=server.url, timeout=FAST) as http,
        http.stream("GET", PATH) as response,
    ):
        announced = int(response.headers["content-length"])
        chunks = response.iter_raw()
        received = next(chunks)
        with pytest.raises(httpx.RemoteProtocolError):
            next(chunks)
    assert len(received) == 50 < announced


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_html_status_pages_over_socket(http: httpx.Client, fake: FakeBedrock, status: int) -> None:
    """Load balancer errors arrive as HTML with the status."""
    fake.inject(Fault.status(status))
    response = http.get(PATH)
    assert response.status_code == status
    assert response.text.startswith("<html>")


def test_throttle_and_json_faults_over_socket(http: httpx.Client, fake: FakeBedrock) -> None:
    """Throttling (with retry-after), expired token and bad bodies arrive intact."""
    fake.inject(Fault.throttle(retry_after_ms=250))
    fake.inject(Fault.expired_token())
    fake.inject(Fault.not_json())
    throttled, expired, broken = http.get(PATH), http.get(PATH), http.get(PATH)
    assert (throttled.status_code, throttled.headers["x-amz-retry-after"]) == (429, "250")
    assert expired.headers["x-amzn-errortype"].split(":")[0] == "ExpiredTokenException"
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        broken.json()


def test_sigv4_over_socket(fake: FakeBedrock) -> None:
    """A request signed for the server's Host header is accepted; a wrong secret is not."""
    signed = FakeBedrock(jobs=JOBS, check_sigv4=True, credentials={ACCESS_KEY: SECRET_KEY})
    with (
        FakeBedrockServer(signed) as server,
        httpx.Client(base_url=server.url, timeout=2.0) as http,
    ):

        def get(secret: str) -> httpx.Response:
            request = http.build_request("GET", PATH, params={"maxResults": "4"})
            request.headers.update(
                sign_request(
                    "GET",
                    str(request.url),
                    request.headers,
                    b"",
                    region="us-east-1",
                    service="bedrock",
                    access_key=ACCESS_KEY,
                    secret_key=secret,
                    now=datetime.now(timezone.utc),
                )
            )
            return http.send(request)

        assert get(SECRET_KEY).status_code == 200
        wrong = get("FAKEwrongsecret")
    assert wrong.status_code == 403
    assert wrong.headers["x-amzn-errortype"].split(":")[0] == "InvalidSignatureException"


def test_close_ends_idle_keep_alive_connections(fake: FakeBedrock) -> None:
    """Closing with a client's keep-alive connection open neither hangs nor leaks threads."""
    before = set(threading.enumerate())
    server = FakeBedrockServer(fake).start()
    with httpx.Client(base_url=server.url, timeout=2.0) as http:
        assert http.get(PATH).status_code == 200
        server.close()
        server.close()  # idempotent
    assert set(threading.enumerate()) <= before


def test_close_interrupts_a_pending_slow_fault(fake: FakeBedrock) -> None:
    """A long fault wait ends as soon as the server closes."""
    fake.inject(Fault.slow(30.0))
    before = set(threading.enumerate())
    with (
        FakeBedrockServer(fake) as server,
        httpx.Client(base_url=server.url, timeout=FAST) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        http.get(PATH)
    assert set(threading.enumerate()) <= before


def test_server_refuses_non_loopback_hosts(fake: FakeBedrock) -> None:
    """Binding anything but loopback needs allow_remote=True."""
    with pytest.raises(ParamValidationError, match="non-loopback"):
        FakeBedrockServer(fake, host="0.0.0.0")
    with pytest.raises(ParamValidationError, match="not running"):
        _ = FakeBedrockServer(fake).url


def test_post_and_unknown_paths_over_socket(http: httpx.Client) -> None:
    """Other methods and paths reach the fake and get UnknownOperationException."""
    response = http.post(PATH, content=b"{}")
    assert response.status_code == 404
    assert (
        http.get("/nope").headers["x-amzn-errortype"].split(":")[0] == "UnknownOperationException"
    )


# --- serve_main --------------------------------------------------------------------------------


def test_serve_main_usage_errors_return_252() -> None:
    """Bad arguments print an error and return 252 without serving."""
    err = io.StringIO()
    assert (
        serve_main(["--jobs", "3", "--fixture", "x.json"], stdout=io.StringIO(), stderr=err) == 252
    )
    assert "not allowed with argument" in err.getvalue()
    err = io.StringIO()
    assert serve_main(["--host", "192.0.2.1", "--jobs", "-1"], stderr=err) == 252
    assert "argument --jobs: expected a number of jobs from 0" in err.getvalue()


def test_serve_main_missing_fixture_returns_255(tmp_path: Path) -> None:
    """A fixture that cannot be read returns 255 with a message naming it."""
    err = io.StringIO()
    code = serve_main(
        ["--fixture", str(tmp_path / "absent.json")], stdout=io.StringIO(), stderr=err
    )
    assert code == 255
    assert "absent.json" in err.getvalue()


def test_serve_main_address_errors_name_the_address_and_flags(server: FakeBedrockServer) -> None:
    """A port in use or a host that cannot be resolved: 255, naming the address, --host/--port
    and the reason -- not a bare '[Errno 98]'."""
    port = server.url.rsplit(":", 1)[1]
    err = io.StringIO()
    assert serve_main(["--port", port], stdout=io.StringIO(), stderr=err) == 255
    message = err.getvalue()
    assert f"cannot listen on 127.0.0.1:{port} (--host/--port): " in message
    assert "[Errno" not in message
    err = io.StringIO()
    assert serve_main(["--host", "999.1.1.1"], stdout=io.StringIO(), stderr=err) == 255
    message = err.getvalue()
    assert "cannot listen on 999.1.1.1:0 (--host/--port): " in message
    assert "[Errno" not in message


def test_serve_main_bad_region_names_the_flag() -> None:
    """--region 'bad!': 252, the message names --region."""
    err = io.StringIO()
    assert serve_main(["--region", "bad!"], stdout=io.StringIO(), stderr=err) == 252
    assert "error: argument --region: region must match" in err.getvalue()


def _start_serve(*args: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("AWS_ACCESS_KEY_ID", None)
    env.pop("AWS_SECRET_ACCESS_KEY", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from bedrock_paginate.testing import serve_main; "
            "sys.exit(serve_main(sys.argv[1:]))",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    return process, first


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=10)
    finally:
        process.kill()
    return process.returncode, err


def test_serve_main_prints_url_answers_and_stops_on_sigterm() -> None:
    """`serve --port 0 --jobs 12` prints its URL first, serves the jobs, exits 0 on SIGTERM."""
    process, first = _start_serve("serve", "--port", "0", "--jobs", "12", "--seed", "3")
    try:
        assert first.startswith("listening on http://127.0.0.1:"), first
        url = first.split()[-1]
        with httpx.Client(base_url=url, timeout=5.0) as http:
            items = _walk(http, maxResults="5")
    finally:
        code, err = _stop(process)
    assert [j["jobArn"] for j in items] == [
        j["jobArn"] for j in FakeBedrock(jobs=generate_jobs(12, seed=3)).expected()
    ]
    assert code == 0, err


def test_serve_main_check_sigv4_refuses_unsigned() -> None:
    """`serve --check-sigv4` refuses unsigned requests and accepts AWS's example key."""
    process, first = _start_serve("--jobs", "3", "--check-sigv4", "--region", "eu-west-1")
    try:
        url = first.split()[-1]
        with httpx.Client(base_url=url, timeout=5.0) as http:
            unsigned = http.get(PATH)
            request = http.build_request("GET", PATH)
            request.headers.update(
                sign_request(
                    "GET",
                    str(request.url),
                    request.headers,
                    b"",
                    region="eu-west-1",
                    service="bedrock",
                    access_key=ACCESS_KEY,
                    secret_key=SECRET_KEY,
                )
            )
            signed = http.send(request)
    finally:
        code, err = _stop(process)
    assert unsigned.status_code == 403
    assert signed.status_code == 200
    assert [j["jobArn"].split(":")[3] for j in signed.json()["invocationJobSummaries"]] == [
        "eu-west-1"
    ] * 3
    assert code == 0, err


def test_date_header_follows_the_fakes_clock() -> None:
    """The loopback server's Date header is the fake's clock, so a skewed fake looks skewed."""
    moment = datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    fake = FakeBedrock(jobs=generate_jobs(2), now=lambda: moment)
    with FakeBedrockServer(fake) as server, httpx.Client() as http:
        response = http.get(server.url + "/model-invocation-jobs")
    assert response.headers["date"] == "Tue, 06 May 2031 07:08:09 GMT"
