"""HTTP(S)_PROXY and NO_PROXY, as botocore honours them."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bedrock_paginate import Client, ConfigError
from bedrock_paginate._proxies import proxy_for
from bedrock_paginate.testing import (
    FakeBedrock,
    FakeBedrockServer,
    FakeSts,
    FakeStsServer,
    generate_jobs,
)


@pytest.mark.parametrize(
    ("endpoint", "environ", "expected"),
    [
        ("https://bedrock.us-east-1.amazonaws.com", {}, None),
        (
            "https://bedrock.us-east-1.amazonaws.com",
            {"HTTPS_PROXY": "http://p:3128"},
            "http://p:3128",
        ),
        ("https://bedrock.us-east-1.amazonaws.com", {"https_proxy": "p:3128"}, "http://p:3128"),
        ("https://bedrock.us-east-1.amazonaws.com", {"HTTP_PROXY": "http://p:3128"}, None),
        ("http://127.0.0.1:8080", {"HTTP_PROXY": "http://p:3128"}, "http://p:3128"),
        ("http://127.0.0.1:8080", {"HTTP_PROXY": "http://p", "NO_PROXY": "127.0.0.1"}, None),
        (
            "http://127.0.0.1:8080",
            {"HTTP_PROXY": "http://p", "NO_PROXY": "127.0.0.1:9"},
            "http://p",
        ),
        ("http://127.0.0.1:8080", {"HTTP_PROXY": "http://p", "NO_PROXY": "127.0.0.1:8080"}, None),
        (
            "https://bedrock.us-east-1.amazonaws.com",
            {"HTTPS_PROXY": "http://p", "no_proxy": "localhost, .amazonaws.com"},
            None,
        ),
        (
            "https://bedrock.us-east-1.amazonaws.com",
            {"HTTPS_PROXY": "http://p", "NO_PROXY": "amazonaws.com"},
            None,
        ),
        (
            "https://bedrock.us-east-1.amazonaws.com",
            {"HTTPS_PROXY": "http://p", "NO_PROXY": "notamazonaws.com"},
            "http://p",
        ),
        (
            "https://bedrock.us-east-1.amazonaws.com",
            {"HTTPS_PROXY": "http://p", "NO_PROXY": "*"},
            None,
        ),
    ],
)
def test_proxy_for(endpoint: str, environ: dict[str, str], expected: str | None) -> None:
    """The proxy follows the endpoint's scheme and NO_PROXY's hosts, domains and ports."""
    assert proxy_for(endpoint, environ) == expected


class _ForwardProxy(BaseHTTPRequestHandler):
    """A minimal forward proxy for plain http: absolute-form requests, relayed as they are."""

    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        target = urlsplit(self.path)
        assert target.hostname is not None
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=5)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-connection"}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        upstream.request(
            self.command,
            target.path + ("?" + target.query if target.query else ""),
            body=body,
            headers=headers,
        )
        answer = upstream.getresponse()
        body = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        upstream.close()

    do_POST = do_GET  # noqa: N815 - relays the body too (STS)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    """A loopback forward proxy: its URL and the request targets it relayed."""
    seen: list[str] = []
    handler = type("Handler", (_ForwardProxy,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _list(endpoint: str, environ: dict[str, str]) -> int:
    with Client(
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="FAKEproxySECRET",
        environ=environ,
    ) as client:
        pages = client.get_paginator("list_model_invocation_jobs").paginate(
            PaginationConfig={"PageSize": 2}
        )
        return len(list(pages.jobs()))


def test_requests_go_through_http_proxy(proxy: tuple[str, list[str]]) -> None:
    """With HTTP_PROXY set, every page request is relayed by the proxy (signatures intact)."""
    url, seen = proxy
    fake = FakeBedrock(
        jobs=generate_jobs(5), check_sigv4=True, credentials={"AKIDEXAMPLE": "FAKEproxySECRET"}
    )
    with FakeBedrockServer(fake) as server:
        endpoint = server.url
        assert _list(endpoint, {"HTTP_PROXY": url}) == 5
    assert len(seen) == 3
    assert all(target.startswith(endpoint + "/model-invocation-jobs") for target in seen)


def test_no_proxy_bypasses_the_proxy(proxy: tuple[str, list[str]]) -> None:
    """A host named in NO_PROXY is reached directly."""
    url, seen = proxy
    with FakeBedrockServer(FakeBedrock(jobs=generate_jobs(5))) as server:
        assert _list(server.url, {"HTTP_PROXY": url, "NO_PROXY": "127.0.0.1"}) == 5
    assert seen == []


@pytest.mark.parametrize("proxy", ["http://user:pw@:3128", "ftp://proxy:21", "http://proxy:99999"])
def test_unusable_proxy_is_a_config_error_that_hides_the_url(proxy: str) -> None:
    """A malformed HTTPS_PROXY fails clearly, without repeating the URL (it may hold a password)."""
    with pytest.raises(ConfigError, match="HTTPS_PROXY is not a usable proxy URL") as raised:
        proxy_for("https://bedrock.us-east-1.amazonaws.com", {"HTTPS_PROXY": proxy})
    assert proxy not in str(raised.value)


def test_sts_calls_go_through_the_proxy_too(proxy: tuple[str, list[str]], tmp_path: Path) -> None:
    """A web identity profile: the AssumeRoleWithWebIdentity POST is relayed by the proxy,
    like the listing (botocore's STS client uses the same proxy settings)."""
    url, seen = proxy
    token = tmp_path / "token"
    token.write_text("FAKEwebIDENTITYtoken0123456789")
    fake = FakeBedrock(jobs=generate_jobs(3), check_sigv4=True)
    sts = FakeSts(web_identity_tokens={token.read_text()}, on_issue=fake.add_credentials)
    with FakeBedrockServer(fake) as bedrock, FakeStsServer(sts) as sts_server:
        sts_url = sts_server.url
        environ = {
            "HTTP_PROXY": url,
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/pod",
            "AWS_ENDPOINT_URL_STS": sts_server.url,
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        with Client(endpoint_url=bedrock.url, region_name="us-east-1", environ=environ) as client:
            assert (
                len(list(client.get_paginator("list_model_invocation_jobs").paginate().jobs())) == 3
            )
    assert seen[0] == sts_url + "/"
    assert sts.call_count("AssumeRoleWithWebIdentity") == 1
