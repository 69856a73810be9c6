"""One owner for redaction (``bedrock_paginate._redact``): every form of a secret, one marker,
and every output channel checked (error str/repr/args/``.response``, log records, fixture bytes).
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bedrock_paginate import AsyncClient, Client, ServiceError
from bedrock_paginate._http import HttpRequest
from bedrock_paginate._redact import (
    MARKER,
    MIN_SECRET_LENGTH,
    Redactor,
    forms,
    redact,
    redact_headers,
    request_secrets,
)
from bedrock_paginate.fixtures import REDACTED, redact_text

SECRET = "FAKESECRETredact/abc+def=ghi%jk0123"
TOKEN = "FAKETOKENredact/ghi+jkl=mno0123456789"
# The text of a recording that comes from the file format or the client, not from the secret.
_FORMAT_TEXT = (
    MARKER
    + '"version" "format" "bedrock-paginate-fixture" "description" '
    + '"Recorded with bedrock-paginate."'
    + '"interactions" "request" "response" "error" "method" "path" "query" "headers" "status" '
    + '"body" "body_text" "body_base64" "date_offset_seconds" "type" "message" GET '
    + "/model-invocation-jobs application/json x-amzn-errortype content-type accept */* "
    + "ValidationException x-amzn-requestid echo-1 maxResults 1000 null true false"
)


def _every_form(secret: str) -> set[str]:
    """Independent of the code under test: the forms the brief lists."""
    return {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret)[1:-1].replace("/", "\\/"),
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }


def test_one_marker_everywhere() -> None:
    """The fixtures' public constant, header reprs and the engine share the documented marker."""
    assert MARKER == REDACTED == "[redacted]"
    request = HttpRequest(method="GET", url="https://x.test/", headers={"Authorization": "AWS4 x"})
    assert MARKER in repr(request)
    assert redact_headers({"X-Amz-Security-Token": TOKEN, "Accept": "a"}) == {
        "X-Amz-Security-Token": MARKER,
        "Accept": "a",
    }


def test_forms_cover_every_encoding() -> None:
    assert _every_form(SECRET) <= forms(SECRET)
    for form in _every_form(SECRET):
        assert redact(f"<{form}>", [SECRET]) == f"<{MARKER}>"


def test_short_secrets_are_ignored_in_one_place() -> None:
    short = "x" * (MIN_SECRET_LENGTH - 1)
    assert redact(f"a {short} b", [short]) == f"a {short} b"
    assert Redactor([short]).bytes(short.encode()) == short.encode()
    long = "y" * MIN_SECRET_LENGTH
    assert redact(f"a {long} b", [long]) == f"a {MARKER} b"
    assert redact_text(f"a {long} b", [long]) == f"a {MARKER} b"


def test_bytes_in_any_encoding() -> None:
    secret = "FAKEsécret/ü+0123"
    data = b"\xff\xfe " + secret.encode() + b" " + quote(secret).encode()
    assert Redactor([secret]).bytes(data) == b"\xff\xfe " + MARKER.encode() + b" " + MARKER.encode()


def test_request_secrets_from_headers() -> None:
    signature = "ab" * 32
    headers = {
        "Authorization": f"AWS4-HMAC-SHA256 Credential=AKID/x, Signature={signature}",
        "x-amz-security-token": TOKEN,
    }
    assert request_secrets(headers) == [TOKEN, signature]
    assert request_secrets({"authorization": "Bearer ABCDEFGHIJ"}) == ["ABCDEFGHIJ"]


def test_json_member_named_like_a_secret() -> None:
    value = {"Credentials": {"SecretAccessKey": "anything", "AccessKeyId": "AKIDEXAMPLE"}}
    assert Redactor().value(value) == {
        "Credentials": {"SecretAccessKey": MARKER, "AccessKeyId": "AKIDEXAMPLE"}
    }


# --- every channel ----------------------------------------------------------------------------


def _echo_handler(secret: str) -> httpx.MockTransport:
    """A service that echoes the secret in every form: in its error message (JSON), in
    another member, and in a header."""
    echoed = " | ".join(sorted(_every_form(secret)))
    body = json.dumps({"message": f"bad key {echoed}", "detail": echoed}, ensure_ascii=False)
    body = body.replace(json.dumps(secret, ensure_ascii=False)[1:-1], json.dumps(secret)[1:-1], 1)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            content=body.encode(),
            headers={
                "x-amzn-ErrorType": "ValidationException",
                "content-type": "application/json",
                "x-amzn-requestid": quote(secret),
            },
        )

    return httpx.MockTransport(handler)


def _texts(error: ServiceError) -> Iterator[str]:
    yield str(error)
    yield repr(error)
    yield repr(error.args)
    yield repr(error.response)
    yield repr(vars(error))
    yield "".join(traceback.format_exception(error))


def _leaks(secret: str, text: str) -> list[str]:
    return [form for form in _every_form(secret) if form in text]


def _run(secret: str, path: Path, shell: str = "sync") -> ServiceError:
    options: dict[str, Any] = {
        "transport": _echo_handler(secret),
        "region_name": "us-east-1",
        "aws_access_key_id": "AKIDEXAMPLE",
        "aws_secret_access_key": secret,
        "environ": {},
        "max_attempts": 1,
        "record_to": path,
    }
    if shell == "sync":
        with Client(**options) as client, pytest.raises(ServiceError) as raised:
            client.list_model_invocation_jobs()
        return raised.value

    async def main() -> ServiceError:
        async with AsyncClient(**options) as client:
            with pytest.raises(ServiceError) as raised:
                await client.list_model_invocation_jobs()
        return raised.value

    return asyncio.run(main())


def test_secret_echoed_url_encoded_with_slash_kept_is_scrubbed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The drift: ``quote(secret)`` (``/`` kept, ``+`` as ``%2B``) survived the engine's
    scrub (it knew only ``quote(s, safe='')``) though the fixture recorder removed it."""
    caplog.set_level(logging.DEBUG)
    error = _run(SECRET, tmp_path / "r.json")
    assert quote(SECRET) not in quote(SECRET, safe="")  # a form of its own
    for text in _texts(error):
        assert quote(SECRET) not in text
        assert not _leaks(SECRET, text)
    assert MARKER in error.message


_RESERVED = ":/?#[]@!$&'()*+,;=%\"\\ <>{}|^`~-._"
_secrets = st.text(
    alphabet=st.sampled_from(_RESERVED)
    | st.characters(min_codepoint=0xA0, max_codepoint=0x2FF)
    | st.sampled_from("AKIDxyz0189é€😀"),
    min_size=MIN_SECRET_LENGTH,
    max_size=24,
)


@given(secret=_secrets, shell=st.sampled_from(["sync", "async"]))
@example(secret='a/b+c=d%e"f\\g', shell="sync")
@example(secret="/////////", shell="async")
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_property_no_form_of_a_secret_in_any_channel(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, secret: str, shell: str
) -> None:
    """Whatever characters the secret holds, none of its forms reaches the error (str, repr,
    args, ``.response``, traceback), a log record, or the fixture file's bytes."""
    assume(not _leaks(secret, _FORMAT_TEXT))
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "channels.json"
    path.unlink(missing_ok=True)
    error = _run(secret, path, shell)
    for text in _texts(error):
        assert not _leaks(secret, text), text
    formatter = logging.Formatter("%(name)s %(message)s")
    for record in caplog.records:
        assert not _leaks(secret, formatter.format(record) + repr(record.args))
    recorded = path.read_bytes().decode("utf-8")
    assert not _leaks(secret, recorded), recorded
