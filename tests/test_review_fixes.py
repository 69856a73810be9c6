"""Edge cases found in review: secrets in error internals, header-unsafe credentials, bad
proxies, hostile tokens, conflicting arguments."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bedrock_paginate import (
    Client,
    ConfigError,
    ParamValidationError,
    ServiceError,
    list_jobs_across_regions,
)
from bedrock_paginate._config import resolve_config
from bedrock_paginate._credentials import Credentials
from bedrock_paginate._proxies import proxy_for
from bedrock_paginate._tokens import decode_token
from bedrock_paginate.fixtures import FixtureWriteError
from bedrock_paginate.testing import FakeBedrock, generate_jobs

TOKEN = "FAKEsessionTOKENreviewCANARY123456"
SECRET = "FAKEsecretREVIEWcanary0123456789"


def test_echoed_token_is_scrubbed_from_args_and_response_too() -> None:
    """A service error echoing the session token (JSON-escaped) leaks it nowhere in the
    exception: not message, str, repr, args, nor the botocore-shaped response."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in TOKEN)
    body = ('{"message": "The security token ' + escaped + ' is invalid"}').encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            content=body,
            headers={"x-amzn-ErrorType": "ValidationException", "content-type": "application/json"},
        )

    client = Client(
        transport=httpx.MockTransport(handler),
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        environ={},
    )
    with pytest.raises(ServiceError) as raised:
        client.list_model_invocation_jobs()
    error = raised.value
    for text in (error.message, str(error), repr(error), repr(error.args), repr(error.response)):
        assert TOKEN not in text
    assert "[redacted]" in error.message


@pytest.mark.parametrize(
    ("field", "value"),
    [("access_key", "AKID EXAMPLE"), ("token", "FAKE\ntoken"), ("token", "FAKEtöken")],
)
def test_header_unsafe_credentials_are_refused_without_quoting_them(field: str, value: str) -> None:
    """Access keys and tokens travel in headers: spaces, line breaks and non-ASCII are refused
    up front, and the message does not repeat the value."""
    fields: dict[str, Any] = {"access_key": "AKIDEXAMPLE", "secret_key": SECRET, field: value}
    with pytest.raises(ParamValidationError) as raised:
        Credentials(**fields)
    assert value not in str(raised.value)
    assert "HTTP header" in str(raised.value)


def test_header_unsafe_token_from_the_environment_is_a_config_error() -> None:
    """The same value from AWS_SESSION_TOKEN is a configuration problem (CLI exit 253)."""
    environ = {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": "FAKE\ninjected: header",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    config = resolve_config(region_name="us-east-1", environ=environ)
    assert config.credentials is not None
    with pytest.raises(ConfigError, match="environment variables") as raised:
        config.credentials.get()
    assert "injected" not in str(raised.value)


@pytest.mark.parametrize("proxy", ["http://user:pw@:3128", "ftp://proxy:21", "http://proxy:99999"])
def test_unusable_proxy_is_a_config_error_that_hides_the_url(proxy: str) -> None:
    """A malformed HTTPS_PROXY fails clearly, without repeating the URL (it may hold a password)."""
    with pytest.raises(ConfigError, match="HTTPS_PROXY is not a usable proxy URL") as raised:
        proxy_for("https://bedrock.us-east-1.amazonaws.com", {"HTTPS_PROXY": proxy})
    assert proxy not in str(raised.value)


def test_deeply_nested_token_is_taken_as_a_raw_service_token() -> None:
    """A base64 token whose JSON nests too deep is not ours: passed through, no RecursionError."""
    hostile = base64.b64encode(b"[" * 100_000).decode()
    position = decode_token(hostile, ("nextToken",))
    assert position.tokens == {"nextToken": hostile}


def test_huge_max_attempts_is_a_config_error() -> None:
    """AWS_MAX_ATTEMPTS with thousands of digits is refused clearly."""
    with pytest.raises(ConfigError, match="AWS_MAX_ATTEMPTS"):
        resolve_config(
            region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key=SECRET,
            environ={"AWS_MAX_ATTEMPTS": "9" * 5000},
        )


def test_retry_mode_off_reports_one_attempt() -> None:
    """retry_mode off: the config says one attempt whatever AWS_MAX_ATTEMPTS says."""
    config = resolve_config(
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=SECRET,
        retry_mode="off",
        environ={"AWS_MAX_ATTEMPTS": "5"},
    )
    assert config.max_attempts == 1


def test_one_starting_token_for_several_regions_is_refused() -> None:
    """A StartingToken belongs to one listing: several regions with one token is an error."""
    token = base64.b64encode(json.dumps({"nextToken": None}).encode()).decode()
    with pytest.raises(ParamValidationError, match="StartingToken continues one listing"):
        asyncio.run(
            list_jobs_across_regions(
                ["us-east-1", "us-west-2"], PaginationConfig={"StartingToken": token}
            )
        )


def test_transport_with_replay_is_refused() -> None:
    """transport= and replay_from= together would silently ignore the transport: refused."""
    with pytest.raises(ParamValidationError, match="transport and replay_from"):
        Client(
            transport=FakeBedrock(jobs=generate_jobs(1)).transport(),
            replay_from="fixtures/list-multi-page.json",
        )


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
