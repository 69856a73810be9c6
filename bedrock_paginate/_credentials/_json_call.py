"""The rest-json calls of the SSO and login providers, as operation descriptions run by the
project's engine: the SSO portal's ``GetRoleCredentials``, SSO-OIDC's ``CreateToken`` and
Sign-In's ``CreateOAuth2Token`` (the ``aws login`` refresh).

Each is an :class:`~bedrock_paginate._operations.Operation` (unsigned, as botocore's models mark
them: the bearer token and the DPoP proof are header members, the rest query or JSON body
members), run by :func:`call_json` through ``_nested.call_nested``, the engine and sync attempt
loop STS uses too: the client's retry mode and attempts (transport failures, throttling and
5xx retried with backoff, the chain's injectable ``sleep``), TLS / CA bundle, timeouts, the
environment's proxy, no redirects, a 1 MiB body cap (:data:`MAX_ANSWER_BYTES`: these answers
are a few hundred bytes), and the engine's secret scrubbing for the tokens, client secrets and
proofs passed as ``secrets``. Unsigned, they never trigger the engine's credential refresh
(SSO-OIDC's ``ExpiredTokenException`` is about the token sent), and their errors keep the
``error`` / ``error_description`` body members in ``ServiceError.members``.

A 2xx answer comes back as its parsed JSON (``None`` when not JSON: the provider checks the
shape and says what is missing, without a retry). An error answer raises the engine's
``ServiceError`` (the provider words the message: profile, endpoint, ``aws sso login``...);
no answer raises ``CredentialRetrievalError`` naming the service and the endpoint, never a
header or body (they carry tokens). Runs in the calling thread: the async client already
loads credentials in a worker thread.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._operations import Member, Operation
from ..errors import BedrockPaginateError, CredentialRetrievalError, ServiceError

if TYPE_CHECKING:
    from .._http import HttpResponse
    from ..errors import TransportError
    from ._options import ChainOptions

__all__ = [
    "CREATE_OAUTH2_TOKEN",
    "CREATE_TOKEN",
    "GET_ROLE_CREDENTIALS",
    "MAX_ANSWER_BYTES",
    "call_json",
    "refusal",
]

#: Larger answers are refused (a credentials answer is well under 4 KiB).
MAX_ANSWER_BYTES = 1024 * 1024


def _json_or_none(response: HttpResponse, retry_attempts: int = 0) -> Any:
    """The parsed JSON body of a 2xx answer, ``None`` when it is not JSON (never raises)."""
    if not response.body:
        return None
    try:
        return json.loads(response.body)
    except (ValueError, RecursionError):
        return None


def _operation(
    name: str,
    method: str,
    uri: str,
    members: tuple[Member, ...],
    signing_name: str,
    error_members: tuple[str, ...] = (),
) -> Operation:
    return Operation(
        name=name,
        python_name="",
        method=method,
        uri=uri,
        members=members,
        validate=dict,
        decode=_json_or_none,
        signing_name=signing_name,
        signed=False,
        error_members=error_members,
    )


#: botocore's ``sso`` model: ``GET /federation/credentials``, the token in a header.
GET_ROLE_CREDENTIALS = _operation(
    "GetRoleCredentials",
    "GET",
    "/federation/credentials",
    (
        Member(name="roleName", wire_name="role_name"),
        Member(name="accountId", wire_name="account_id"),
        Member(name="accessToken", location="header", wire_name="x-amz-sso_bearer_token"),
    ),
    "awsssoportal",
)
#: botocore's ``sso-oidc`` model (the members a refresh sends, in model order).
CREATE_TOKEN = _operation(
    "CreateToken",
    "POST",
    "/token",
    tuple(
        Member(name=name, location="body")
        for name in ("clientId", "clientSecret", "grantType", "refreshToken")
    ),
    "sso-oauth",
    error_members=("error", "error_description"),
)
#: botocore's ``signin`` model: the refresh grant, with the DPoP proof as a header.
CREATE_OAUTH2_TOKEN = _operation(
    "CreateOAuth2Token",
    "POST",
    "/v1/token",
    (
        *(Member(name=name, location="body") for name in ("clientId", "refreshToken", "grantType")),
        Member(name="dpop", location="header", wire_name="DPoP"),
    ),
    "signin",
    error_members=("error",),
)


def call_json(
    options: ChainOptions,
    operation: Operation,
    params: Mapping[str, str],
    *,
    what: str,
    url: str,
    secrets: tuple[str, ...],
) -> Any:
    """Call ``operation`` with ``params`` at the endpoint ``url``; the 2xx answer's JSON.

    ``what`` names the call in messages (``"SSO GetRoleCredentials"``); ``secrets`` are the
    tokens, client secrets and proofs in ``params``, scrubbed from anything echoed back.

    Raises:
        ServiceError: the service answered with an error (after the retries the client's
            retry mode allows), ``members`` holding the operation's ``error_members``.
        CredentialRetrievalError: no usable answer (unreachable, timed out, too large),
            naming ``what`` and ``url``.
        ConfigError: a CA bundle that cannot be loaded.
    """
    from ..errors import ConfigError, DecodeError, TransportError
    from ._nested import call_nested

    try:
        return call_nested(
            options,
            operation,
            params,
            url=url,
            secrets=secrets,
            max_body_bytes=MAX_ANSWER_BYTES,
        )
    except (ServiceError, ConfigError):
        raise
    except TransportError as exc:
        raise CredentialRetrievalError(f"{what} at {url} failed: {_transport_reason(exc)}") from exc
    except DecodeError as exc:
        raise CredentialRetrievalError(f"{what} at {url} sent an unusable answer: {exc}") from exc
    except BedrockPaginateError as exc:
        raise CredentialRetrievalError(f"{what} at {url} failed: {exc}") from exc


def _transport_reason(exc: TransportError) -> str:
    """``could not connect (ConnectError; retries exhausted after 3 attempts)``: what went
    wrong, httpx's exception class and why retrying stopped (the engine's details)."""
    import httpx

    cause = exc.__cause__
    if isinstance(cause, httpx.TimeoutException):
        reason = "timed out"
    elif isinstance(cause, (httpx.ConnectError, httpx.RemoteProtocolError)):
        reason = "could not connect"
    else:
        reason = "the connection broke"
    shown = [type(cause).__name__] if cause is not None else []
    return f"{reason} ({'; '.join([*shown, *exc.details])})" if shown or exc.details else reason


def refusal(exc: ServiceError) -> str:
    """An error answer for a message: ``HTTP 403: An error occurred (ForbiddenException) when
    calling the GetRoleCredentials operation: No access`` (with the retries made, as a
    listing's error says them)."""
    return f"HTTP {exc.status_code}: {exc.describe()}"
