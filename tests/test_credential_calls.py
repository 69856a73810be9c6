"""The SSO portal, SSO-OIDC and Sign-In calls run on the project's engine (``_json_call``):
what they now share with a listing (retry reporting, error members, no credential refresh for
unsigned operations, secret headers redacted from the transport's exception)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import attrs
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate._config import ClientConfig
from bedrock_paginate._credentials import CredentialResolver, Credentials, Found
from bedrock_paginate._credentials._json_call import (
    CREATE_OAUTH2_TOKEN,
    CREATE_TOKEN,
    GET_ROLE_CREDENTIALS,
)
from bedrock_paginate._engine import Engine
from bedrock_paginate._failures import parse_error
from bedrock_paginate._http import AttemptResult, HttpResponse
from bedrock_paginate._operations import LIST_MODEL_INVOCATION_JOBS
from bedrock_paginate._redact import MARKER
from bedrock_paginate._retry import RetryPolicy
from bedrock_paginate.errors import CredentialRetrievalError, ServiceError
from bedrock_paginate.testing import FakeResponse, FakeSSO, LoopbackServer
from tests.sso_support import (
    ACCOUNT,
    LOGIN_CONFIG,
    LOGIN_SESSION,
    SESSION_CONFIG,
    START_URL,
    World,
    running_world,
)
from tests.support import closed_url


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with running_world(tmp_path) as running:
        yield running


def _json_error(status: int, code: str, body: Mapping[str, object]) -> HttpResponse:
    return HttpResponse(
        status_code=status,
        headers={"content-type": "application/json", "x-amzn-errortype": code},
        body=json.dumps(body).encode(),
    )


# --------------------------------------------------------------------------- error members


def test_sign_in_error_member_is_kept_in_members_and_response() -> None:
    """Sign-In's ``error`` member reaches ``members`` and the top of ``.response`` (as botocore
    keeps modelled error members); a member the operation does not model does not."""
    response = _json_error(
        401,
        "AccessDeniedException",
        {"error": "TOKEN_EXPIRED", "message": "session expired", "other": "x"},
    )
    error = parse_error(response, CREATE_OAUTH2_TOKEN)
    assert error.code == "AccessDeniedException"
    assert error.members["error"] == "TOKEN_EXPIRED"
    assert error.response["error"] == "TOKEN_EXPIRED"
    assert "other" not in error.members


def test_a_listing_error_keeps_no_extra_members() -> None:
    """Bedrock's operations model no such member: its errors' ``response`` is unchanged."""
    response = _json_error(403, "AccessDeniedException", {"error": "X", "message": "no"})
    assert parse_error(response, LIST_MODEL_INVOCATION_JOBS).members == {"message": "no"}


@settings(max_examples=25, deadline=None)
@given(secret=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=12))
def test_a_secret_echoed_in_an_error_member_is_scrubbed(secret: str) -> None:
    """A refresh token or client secret echoed by SSO-OIDC in ``error_description`` is scrubbed
    from the members and ``.response`` like from the message."""
    engine = Engine(_config(None), retry=RetryPolicy(mode="off", max_attempts=1))
    call = engine.start(CREATE_TOKEN, {"refreshToken": secret}, secrets=(secret,))
    call.load_credentials()
    call.signed_request()
    response = _json_error(
        400,
        "InvalidGrantException",
        {"error": "invalid_grant", "error_description": f"bad token {secret}"},
    )
    error = call.evaluate(AttemptResult(response=response)).error
    assert isinstance(error, ServiceError)
    assert error.members["error"] == "invalid_grant"
    assert error.members["error_description"] == f"bad token {MARKER}"
    assert secret not in json.dumps(error.response)


# --------------------------------------------------------------------------- no refresh


def _config(credentials: CredentialResolver | None) -> ClientConfig:
    return ClientConfig(
        region="us-east-1",
        endpoint_url="http://127.0.0.1:1",
        credentials=credentials,
        bearer_token=None,
        auth_scheme="sigv4",
        auth_reason="test",
        profile=None,
        retry_mode="standard",
        max_attempts=3,
        verify=True,
    )


def _refreshable() -> tuple[CredentialResolver, list[int]]:
    loads: list[int] = []

    def fresh() -> Credentials:
        loads.append(1)
        return Credentials(
            access_key="AKIDEXAMPLE",
            secret_key=f"FAKErefreshedSECRET{len(loads)}",
            token=f"FAKEtoken{len(loads)}",
            source="credential_process",
        )

    return CredentialResolver(lambda: Found(credentials=fresh(), refresh=fresh)), loads


@pytest.mark.parametrize(("signed", "refreshes"), [(True, 1), (False, 0)])
def test_expired_token_refreshes_credentials_only_for_signed_operations(
    signed: bool, refreshes: int
) -> None:
    """``ExpiredTokenException`` makes the engine refresh the signing credentials and re-send;
    for an unsigned operation (SSO-OIDC's refers to the token it was given) it is the
    service's answer: an error, no refresh, no re-send."""
    resolver, loads = _refreshable()
    engine = Engine(_config(resolver), retry=RetryPolicy(mode="standard", max_attempts=3))
    operation = attrs.evolve(CREATE_TOKEN, signed=signed)
    call = engine.start(operation, {"refreshToken": "FAKErefresh123"})
    call.load_credentials()
    call.signed_request()
    response = _json_error(400, "ExpiredTokenException", {"error": "expired_token"})
    decision = call.evaluate(AttemptResult(response=response))
    call.load_credentials()
    assert len(loads) - 1 == refreshes
    if signed:
        assert (decision.error, decision.delay) == (None, 0.0)
    else:
        assert isinstance(decision.error, ServiceError)
        assert decision.error.code == "ExpiredTokenException"
        assert decision.error.members == {"error": "expired_token"}


# --------------------------------------------------------------------------- retries


@attrs.define(kw_only=True)
class BusySSO(FakeSSO):
    """Answers every request 503."""

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> FakeResponse:
        return FakeResponse(status=503, body=b"<html>busy</html>")


def test_a_portal_5xx_reports_its_retries_as_a_listing_does(world: World) -> None:
    """A portal answering 503 every time: the client's retry policy is followed (two sleeps in
    standard mode) and the error says ``reached max retries`` as a listing's does, with the
    engine's ServiceError as its cause."""
    busy = BusySSO(now=world.clock)
    with LoopbackServer(busy) as server:
        busy.sso_login(
            str(world.home), start_url=START_URL, region="us-east-1", session_name="corp"
        )
        sleeps: list[float] = []
        options = world.options(SESSION_CONFIG, env={"AWS_ENDPOINT_URL_SSO": server.url})
        with pytest.raises(CredentialRetrievalError) as info:
            world.load(attrs.evolve(options, sleep=sleeps.append))
    message = str(info.value)
    assert "HTTP 503" in message
    assert "when calling the GetRoleCredentials operation (reached max retries: 2)" in message
    assert f"refused role 'Reader' in account {ACCOUNT}" in message
    assert len(sleeps) == 2
    cause = info.value.__cause__
    assert isinstance(cause, ServiceError)
    assert (cause.retry_attempts, cause.max_attempts_reached) == (2, True)


# --------------------------------------------------------------------------- secret headers


def _httpx_request_of(error: BaseException) -> httpx.Request:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, httpx.RequestError):
            return seen.request
        seen = seen.__cause__
    raise AssertionError("no httpx exception in the cause chain")


def test_the_sso_bearer_token_is_redacted_from_the_transport_error(world: World) -> None:
    """Unreachable portal: the httpx request kept (for debugging) in the error's cause chain
    shows ``x-amz-sso_bearer_token`` redacted."""
    path = world.sso.sso_login(
        str(world.home), start_url=START_URL, region="us-east-1", session_name="corp"
    )
    token = json.loads(Path(path).read_text())["accessToken"]
    options = world.options(SESSION_CONFIG, env={"AWS_ENDPOINT_URL_SSO": closed_url()})
    with pytest.raises(CredentialRetrievalError) as info:
        world.load(options)
    request = _httpx_request_of(info.value)
    assert request.headers["x-amz-sso_bearer_token"] == MARKER
    assert token not in repr(request.headers.raw)
    assert request.url.path == GET_ROLE_CREDENTIALS.uri


def test_the_dpop_proof_is_redacted_from_the_transport_error(world: World) -> None:
    """Unreachable Sign-In: the DPoP proof is redacted from the request in the cause chain."""
    pytest.importorskip("cryptography")
    world.signin.aws_login(
        str(world.login_cache), session=LOGIN_SESSION, lifetime=timedelta(minutes=-1)
    )
    options = world.options(LOGIN_CONFIG, env={"AWS_ENDPOINT_URL_SIGNIN": closed_url()})
    with pytest.raises(CredentialRetrievalError, match="could not connect") as info:
        world.load(options)
    request = _httpx_request_of(info.value)
    assert request.headers["dpop"] == MARKER
    assert request.url.path == CREATE_OAUTH2_TOKEN.uri
