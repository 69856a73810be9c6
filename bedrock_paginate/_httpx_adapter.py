"""The httpx side of the wire, for the shells: requests, responses and errors converted
between httpx and the engine's plain values (``_http``), and the TLS and timeout settings of a
configuration. Imports httpx, ``_http``, ``_redact`` and ``errors``.

Used by ``_client``'s shells and by the STS calls (``_credentials._sts``), so both build their
httpx clients and read httpx's failures the same way. An httpx exception never leaves here
as it is: :func:`failed` keeps a copy without the signed request (see :func:`_sanitised`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import httpx

from ._http import AttemptResult, HttpRequest, HttpResponse
from .errors import ConfigError

if TYPE_CHECKING:
    import ssl

    from ._config import ClientConfig
    from ._retry import FailureKind

__all__ = ["failed", "http_timeout", "http_verify", "response_result", "ssl_context", "to_httpx"]

_TIMEOUTS_WRITE_POOL = 60.0


def to_httpx(request: HttpRequest) -> httpx.Request:
    return httpx.Request(request.method, request.url, headers=request.headers, content=request.body)


def response_result(resp: httpx.Response, body: bytes) -> AttemptResult:
    return AttemptResult(
        response=HttpResponse(
            status_code=resp.status_code,
            headers={k.lower(): v for k, v in resp.headers.items()},
            body=body,
        )
    )


def failed(exc: httpx.RequestError) -> AttemptResult:
    """The attempt result for an httpx error: its kind, a short secret-free detail, and the
    exception itself (the ``__cause__`` of the error raised in the end)."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    kind: FailureKind = "read"
    if isinstance(exc, httpx.DecodingError):
        kind = "bad_encoding"
    elif isinstance(exc, httpx.TimeoutException):
        kind = "timeout"
    elif isinstance(exc, httpx.ConnectError):
        kind = "connect"
    return AttemptResult(failure=kind, detail=detail, exception=_sanitised(exc))


def _sanitised(exc: httpx.RequestError) -> httpx.RequestError:
    """A copy of ``exc`` (same httpx type and message) whose ``request`` has the secret
    headers redacted, chained to what ``exc`` was raised from (the OS, TLS or proxy error).

    httpx's own exception holds the signed request (``Authorization`` with its signature,
    ``X-Amz-Security-Token``): it is dropped, so no secret is reachable from the error a caller
    gets, while the reason and its type stay for debugging."""
    from ._redact import redact_headers

    try:
        sent = exc.request
    except RuntimeError:  # raised without a request (a transport used directly)
        sent = None
    try:
        copy = type(exc)(str(exc))
    except TypeError:  # a subclass with another constructor: the nearest httpx type
        copy = httpx.TransportError(str(exc))
    if sent is not None:
        copy.request = httpx.Request(
            sent.method, sent.url, headers=redact_headers(dict(sent.headers.items()))
        )
    below = exc.__cause__ or exc.__context__
    copy.__cause__ = below
    copy.__suppress_context__ = True
    return copy


def ssl_context(bundle: str) -> ssl.SSLContext:
    """A verifying TLS context trusting only the CA bundle at ``bundle`` (file or directory)."""
    import ssl

    try:
        if os.path.isdir(bundle):
            return ssl.create_default_context(capath=bundle)
        return ssl.create_default_context(cafile=bundle)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"the CA bundle {bundle!r} (verify= / AWS_CA_BUNDLE / ca_bundle) cannot be loaded: "
            f"{getattr(exc, 'strerror', None) or type(exc).__name__}; it must be a readable "
            "PEM file or directory of certificates"
        ) from None


def http_timeout(config: ClientConfig) -> httpx.Timeout:
    """The httpx timeouts for ``config`` (Bedrock's clients and the STS calls alike)."""
    return httpx.Timeout(
        connect=config.connect_timeout,
        read=config.read_timeout,
        write=_TIMEOUTS_WRITE_POOL,
        pool=_TIMEOUTS_WRITE_POOL,
    )


def http_verify(config: ClientConfig) -> bool | ssl.SSLContext:
    """httpx's ``verify`` for ``config``: a plain-http endpoint never uses TLS (redirects are
    not followed), so the CA bundle is not loaded, the most expensive part of creating an
    httpx client; a CA bundle path becomes an SSL context (httpx deprecates ``verify=<path>``)."""
    if config.endpoint_url.startswith("http://"):
        return False
    verify = config.verify
    return ssl_context(verify) if isinstance(verify, str) else verify
