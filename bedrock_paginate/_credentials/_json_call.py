"""One JSON call to an AWS service the SSO and login providers need (SSO portal, SSO-OIDC,
Sign-In).

A small sync shell: httpx with the environment's proxy (``_proxies``), no redirects, and the
client's TLS setting (``verify=`` / ``AWS_CA_BUNDLE`` / ``ca_bundle``), timeouts, retry mode
and attempts (``options.sts``: botocore's nested clients share the session's), through the
project's retry policy (transport failures, throttling and 5xx are retried with backoff) and
the package's capped body reader (``_http.BodyReader``, 1 MiB: these answers are a few hundred
bytes). Sleeping goes through the chain's injectable ``sleep``.

STS runs its operations on the engine (``_client.call_sync``); these three rest-json calls do
not yet: Sign-In's errors carry their kind in a body member (``error``) that the engine's error
decoding does not keep, and SSO-OIDC's ``ExpiredTokenException`` is not the engine's
expired-credentials case. Moving them there is the next step.

What comes back is a :class:`JsonAnswer` (status, parsed JSON body, AWS error code); the caller
decides what a status means. Failures to get an answer raise ``CredentialRetrievalError``
naming the service and the endpoint, never a header or body (they carry tokens). Runs in the
calling thread: the async client already loads credentials in a worker thread.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import CredentialRetrievalError

if TYPE_CHECKING:
    from ._options import ChainOptions

__all__ = ["MAX_ANSWER_BYTES", "JsonAnswer", "call_json"]

logger = logging.getLogger(__name__)

#: Larger answers are refused (a credentials answer is well under 4 KiB).
MAX_ANSWER_BYTES = 1024 * 1024


@attrs.frozen
class JsonAnswer:
    """A service's answer: the status, the JSON body (``None`` if not JSON) and error code."""

    status: int
    body: Any = attrs.field(repr=False)
    error_code: str | None = None
    request_id: str | None = None


def _send_once(
    client: Any,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | None,
    read_timeout: float,
) -> tuple[JsonAnswer | None, str | None]:
    """One attempt: ``(answer, None)``, or ``(None, "kind:cause")`` where ``kind`` is a retry
    policy failure kind (or ``too_large``) and ``cause`` the exception's class name."""
    import httpx

    from .._decode import error_code_from
    from .._engine import BODY_DEADLINE_READ_TIMEOUTS
    from .._http import BodyReader

    try:
        request = client.build_request(method, url, headers=dict(headers), content=body)
        response = client.send(request, stream=True)
        try:
            reader = BodyReader(
                response.headers.get("content-length"),
                MAX_ANSWER_BYTES,
                read_timeout * BODY_DEADLINE_READ_TIMEOUTS,
                time.monotonic,
            )
            if reader.failure is None:
                for chunk in response.iter_bytes():
                    if not reader.add(chunk):
                        break
        finally:
            response.close()
        if reader.failure is not None:
            too_large = reader.failure.failure == "too_large"
            return None, "too_large:" if too_large else "timeout:the body kept arriving too long"
        raw = bytes(reader.body())
        lowered = {k.lower(): v for k, v in response.headers.items()}
    except httpx.TimeoutException as exc:
        return None, f"timeout:{type(exc).__name__}"
    except (httpx.ConnectError, httpx.RemoteProtocolError) as exc:
        return None, f"connect:{type(exc).__name__}"
    except httpx.HTTPError as exc:
        return None, f"read:{type(exc).__name__}"
    parsed: Any = None
    if raw:
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError):
            parsed = None
    code = None if response.status_code < 300 else error_code_from(lowered, parsed)
    return (
        JsonAnswer(
            status=response.status_code,
            body=parsed,
            error_code=code,
            request_id=lowered.get("x-amzn-requestid"),
        ),
        None,
    )


def call_json(
    options: ChainOptions,
    *,
    what: str,
    method: str,
    url: str,
    shown_url: str,
    headers: Mapping[str, str],
    body: bytes | None = None,
) -> JsonAnswer:
    """Send one request (retried as the client's retry mode says) and return the answer.

    ``what`` names the call for errors and logs (``"SSO GetRoleCredentials"``); ``shown_url``
    is the endpoint as it may appear in a message. A non-2xx answer that is not retried, or
    still failing when the retries are used up, is returned, not raised. Raises
    ``CredentialRetrievalError`` when no answer could be had.
    """
    import httpx

    from .._proxies import proxy_for
    from .._retry import AttemptOutcome, RetryPolicy

    settings = options.sts  # the client's settings, which botocore's nested clients share
    policy = RetryPolicy(
        mode=settings.retry_mode,  # type: ignore[arg-type]
        max_attempts=settings.max_attempts,
    )
    verify: Any = settings.verify
    if url.startswith("http://"):
        verify = False  # no TLS: skip loading a CA bundle (the costly part of a new client)
    elif isinstance(verify, str):
        from .._httpx_adapter import ssl_context

        verify = ssl_context(verify)
    transport = httpx.HTTPTransport(retries=0, proxy=proxy_for(url, options.environ), verify=verify)
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    attempt = 0
    with httpx.Client(
        transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
    ) as client:
        while True:
            attempt += 1
            answer, failure = _send_once(client, method, url, headers, body, settings.read_timeout)
            kind, _, cause = (failure or "").partition(":")
            if kind == "too_large":
                raise CredentialRetrievalError(
                    f"{what} at {shown_url} sent an answer larger than {MAX_ANSWER_BYTES} bytes"
                )
            if answer is not None:
                logger.debug("%s answered HTTP %d (attempt %d)", what, answer.status, attempt)
                if answer.status < 300:
                    policy.on_success(attempt)
                    return answer
                outcome = AttemptOutcome(status_code=answer.status, error_code=answer.error_code)
            else:
                logger.debug("%s failed: %s (%s; attempt %d)", what, kind, cause, attempt)
                outcome = AttemptOutcome(failure=kind)  # type: ignore[arg-type]
            delay = policy.delay_before_retry(attempt, outcome)
            if delay is None:
                if answer is not None:
                    return answer
                reason = {"timeout": "timed out", "connect": "could not connect"}.get(
                    kind, "the connection broke"
                )
                raise CredentialRetrievalError(
                    f"{what} at {shown_url} failed: {reason} ({cause}; "
                    f"{policy.describe_give_up(attempt, outcome)})"
                )
            options.sleep(delay)
