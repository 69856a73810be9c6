"""Operations as data: requests built from an ``Operation`` description, and an operation that
exists only as a description (no engine or shell code) called and paged through both clients."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, cast

import attrs
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate import (
    AsyncClient,
    Client,
    PaginationOptions,
    ServiceError,
    ThrottlingException,
)
from bedrock_paginate._decode import decode_json_body
from bedrock_paginate._http import HttpResponse
from bedrock_paginate._operations import (
    LIST_MODEL_INVOCATION_JOBS,
    Member,
    Operation,
    find_operation,
)
from bedrock_paginate._pagination_shell import AsyncPaginator, Paginator
from bedrock_paginate._paginator import PaginatorConfig
from bedrock_paginate._serialize import build_request
from bedrock_paginate._sigv4 import canonical_uri
from bedrock_paginate.errors import ValidationException
from bedrock_paginate.models import WIRE
from tests.support import client_options

ENDPOINT = "https://bedrock.us-east-1.amazonaws.com"
ARN = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc123"


def _same(params: Mapping[str, Any]) -> dict[str, Any]:
    return dict(params)


def _json(response: HttpResponse, *, retry_attempts: int = 0) -> Any:
    return decode_json_body(response)


GET_THING = Operation(
    name="GetThing",
    python_name="get_thing",
    method="GET",
    uri="/thing/{thingId}",
    members=(Member(name="thingId", location="path"), Member(name="verbose")),
    validate=_same,
    decode=_json,
    errors=(ThrottlingException, ValidationException),
)

PUT_THING = Operation(
    name="PutThing",
    python_name="put_thing",
    method="POST",
    uri="/things/{bucket}/{key+}",
    members=(
        Member(name="bucket", location="path"),
        Member(name="key", location="path"),
        Member(name="trace", location="header", wire_name="X-Trace"),
        Member(name="name"),
        Member(name="startTime", location="body"),
        Member(name="tags", location="body"),
        Member(name="clientRequestToken", location="body", idempotency_token=True),
    ),
    validate=_same,
    decode=_json,
)

STOP_THING = Operation(
    name="StopThing",
    python_name="stop_thing",
    method="POST",
    uri="/thing/{thingId}/stop",
    members=(Member(name="thingId", location="path"),),
    validate=_same,
    decode=_json,
)


def test_listing_is_described_as_data() -> None:
    """The listing is found by both names and pages with boto3's paginator config."""
    assert find_operation("ListModelInvocationJobs") is LIST_MODEL_INVOCATION_JOBS
    assert find_operation("list_model_invocation_jobs") is LIST_MODEL_INVOCATION_JOBS
    assert find_operation("get_thing") is None
    paginator = LIST_MODEL_INVOCATION_JOBS.paginator
    assert paginator is not None
    assert (paginator.input_token, paginator.output_token) == (("nextToken",), ("nextToken",))
    assert (paginator.limit_key, paginator.result_key) == ("maxResults", "invocationJobSummaries")


def test_arn_path_label_encodes_colon_and_slash() -> None:
    """A job ARN is one path segment: ':' and '/' are percent-encoded, as botocore does."""
    request = build_request(ENDPOINT, GET_THING, {"thingId": ARN, "verbose": True})
    assert request.url == (
        ENDPOINT + "/thing/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3A"
        "model-invocation-job%2Fabc123?verbose=true"
    )
    assert (request.method, request.body) == ("GET", b"")


def test_unicode_and_reserved_characters_in_a_label() -> None:
    """Everything but the unreserved characters is encoded, UTF-8 first."""
    request = build_request(ENDPOINT, GET_THING, {"thingId": "é a+b~c_d.e-f?#%"})
    assert request.url == ENDPOINT + "/thing/%C3%A9%20a%2Bb~c_d.e-f%3F%23%25"


def test_canonical_uri_encodes_an_encoded_label_again() -> None:
    """SigV4 (not S3) encodes the wire path once more, so '%3A' is signed as '%253A'."""
    path = build_request(ENDPOINT, STOP_THING, {"thingId": "a:b/c"}).url.removeprefix(ENDPOINT)
    assert path == "/thing/a%3Ab%2Fc/stop"
    assert canonical_uri(path) == "/thing/a%253Ab%252Fc/stop"


@given(st.text(min_size=1, max_size=40))
@settings(max_examples=60)
def test_any_label_is_one_segment_that_decodes_back(value: str) -> None:
    """Any label value becomes one unreserved-only segment that percent-decodes to itself."""
    from urllib.parse import unquote

    url = build_request(ENDPOINT, STOP_THING, {"thingId": value}).url
    segment = url.removeprefix(ENDPOINT + "/thing/").removesuffix("/stop")
    assert re.fullmatch(r"(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})+", segment)
    assert unquote(segment, errors="strict") == value


def test_body_members_header_and_greedy_label() -> None:
    """Body members form JSON (timestamps as epoch seconds); a greedy label keeps '/'."""
    request = build_request(
        ENDPOINT,
        PUT_THING,
        {
            "bucket": "b:1",
            "key": "dir/sub dir/file",
            "trace": "t-1",
            "name": "n",
            "startTime": datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
            "tags": [{"key": "k", "value": "v"}],
            "clientRequestToken": "given-token",
        },
    )
    assert request.url == ENDPOINT + "/things/b%3A1/dir/sub%20dir/file?name=n"
    assert request.method == "POST"
    assert request.headers["X-Trace"] == "t-1"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {
        "startTime": 1735787045,
        "tags": [{"key": "k", "value": "v"}],
        "clientRequestToken": "given-token",
    }


def test_idempotency_token_is_generated_when_absent() -> None:
    """A left-out idempotency token is a fresh UUID4 per request (a retried create is one)."""
    params = {"bucket": "b", "key": "k"}
    first = json.loads(build_request(ENDPOINT, PUT_THING, params).body)["clientRequestToken"]
    second = json.loads(build_request(ENDPOINT, PUT_THING, params).body)["clientRequestToken"]
    uuid4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert re.fullmatch(uuid4, first)
    assert first != second


def test_no_body_members_no_body() -> None:
    """An operation without body members sends no body and no Content-Type."""
    request = build_request(ENDPOINT, STOP_THING, {"thingId": "x"})
    assert (request.body, "Content-Type" in request.headers) == (b"", False)


# --- an operation that exists only as data, through both clients ---------------------------


def _client_options(handler: Any) -> dict[str, Any]:
    return client_options(ENDPOINT, max_attempts=2, transport=httpx.MockTransport(handler))


def _call(shell: str, operation: Operation, params: dict[str, Any], handler: Any) -> Any:
    if shell == "sync":
        with Client(**_client_options(handler)) as client:
            return client._call(operation, params)

    async def main() -> Any:
        async with AsyncClient(**_client_options(handler)) as client:
            return await client._call(operation, params)

    return asyncio.run(main())


@pytest.mark.parametrize("shell", ["sync", "async"])
def test_new_operation_needs_no_engine_code(shell: str) -> None:
    """GetThing, described only as data, is signed, sent and decoded by the shared engine."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"thingId": "x", "ok": True})

    assert _call(shell, GET_THING, {"thingId": ARN}, handler) == {"thingId": "x", "ok": True}
    assert seen[0].url.raw_path.startswith(b"/thing/arn%3Aaws%3Abedrock")
    assert seen[0].headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")


@pytest.mark.parametrize("shell", ["sync", "async"])
def test_new_operation_errors_are_its_modelled_classes(shell: str) -> None:
    """The operation's modelled errors become their classes, named after the operation."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"message": "bad id"}, headers={"x-amzn-ErrorType": "ValidationException"}
        )

    with pytest.raises(ValidationException) as caught:
        _call(shell, GET_THING, {"thingId": "x"}, handler)
    assert "when calling the GetThing operation: bad id" in str(caught.value)
    assert caught.value.operation_name == "GetThing"

    def unmodelled(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            409, json={"message": "busy"}, headers={"x-amzn-ErrorType": "ConflictException"}
        )

    with pytest.raises(ServiceError) as other:
        _call(shell, STOP_THING, {"thingId": "x"}, unmodelled)
    assert type(other.value) is ServiceError
    assert other.value.code == "ConflictException"


# --- another paginated operation: no shell code ----------------------------------------------


@attrs.frozen(kw_only=True)
class _Widget:
    name: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name}


@attrs.frozen(kw_only=True)
class _WidgetPage:
    cursor: str | None = attrs.field(default=None, metadata={WIRE: "cursor"})
    widgets: tuple[_Widget, ...] = attrs.field(default=(), metadata={WIRE: "widgets"})


def _widget_page(response: HttpResponse, *, retry_attempts: int = 0) -> _WidgetPage:
    data = decode_json_body(response)
    return _WidgetPage(
        cursor=data.get("cursor"), widgets=tuple(_Widget(name=n) for n in data["widgets"])
    )


LIST_WIDGETS = Operation(
    name="ListWidgets",
    python_name="list_widgets",
    method="GET",
    uri="/widgets",
    members=(Member(name="cursor"), Member(name="limit")),
    validate=_same,
    decode=_widget_page,
    paginator=PaginatorConfig(
        input_token=("cursor",), output_token=("cursor",), limit_key="limit", result_key="widgets"
    ),
)

_WIDGETS = [f"w{i}" for i in range(7)]


def _widget_server(request: httpx.Request) -> httpx.Response:
    start = int(request.url.params.get("cursor", "0"))
    limit = int(request.url.params.get("limit", "3"))
    end = start + limit
    body: dict[str, Any] = {"widgets": _WIDGETS[start:end]}
    if end < len(_WIDGETS):
        body["cursor"] = str(end)
    return httpx.Response(200, json=body)


@pytest.mark.parametrize("shell", ["sync", "async"])
def test_another_paginated_operation_pages_with_its_own_names(shell: str) -> None:
    """Token, limit and result key names come from the operation's paginator config."""
    config: PaginationOptions = {"PageSize": 2, "MaxItems": 5}
    if shell == "sync":
        with Client(**_client_options(_widget_server)) as client:
            pages = Paginator(client, LIST_WIDGETS).paginate(PaginationConfig=config)
            names = [cast("_Widget", w).name for w in pages.jobs()]  # typed for the listing
            token = pages.resume_token
            full = Paginator(client, LIST_WIDGETS).paginate(PaginationConfig=config)
            result = full.build_full_result()
    else:

        async def main() -> tuple[list[str], str | None, dict[str, Any]]:
            async with AsyncClient(**_client_options(_widget_server)) as client:
                pages = AsyncPaginator(client, LIST_WIDGETS).paginate(PaginationConfig=config)
                found = [cast("_Widget", w).name async for w in pages.jobs()]
                full = AsyncPaginator(client, LIST_WIDGETS).paginate(PaginationConfig=config)
                return found, pages.resume_token, await full.build_full_result()

        names, token, result = asyncio.run(main())
    assert names == _WIDGETS[:5]
    assert token is not None
    assert result["widgets"] == [{"name": n} for n in _WIDGETS[:5]]
    assert result["NextToken"] == token
