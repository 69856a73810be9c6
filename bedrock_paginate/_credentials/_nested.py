"""The nested clients of the credential providers: one operation of an AWS service (STS, the SSO
portal, SSO-OIDC, Sign-In) run on the project's engine, as botocore's providers run theirs on a
nested client.

:func:`call_nested` builds an :class:`~bedrock_paginate._engine.Engine` for the endpoint with
the *client's* settings (``options.sts``, which botocore's nested clients share with the
session: retry mode and attempts, TLS / ``AWS_CA_BUNDLE``, timeouts), an httpx client with the
environment's proxy for the endpoint and no redirects, and runs the call through the shared
sync attempt loop (``_client.call_sync``): the same retries, backoff, body cap, secret
scrubbing and error building as a Bedrock call. What it raises is the engine's
(``ServiceError``, ``TransportError``, ``DecodeError``); each provider turns that into its own
message naming the profile and the endpoint.

Runs in the calling thread (the async client loads credentials in a worker thread). Imported
only when a profile needs STS, SSO or ``aws login``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._config import ClientConfig
    from .._operations import Operation
    from ._options import ChainOptions
    from ._resolver import CredentialResolver

__all__ = ["call_nested"]

logger = logging.getLogger(__name__)


def _http_client(config: ClientConfig, environ: Mapping[str, str]) -> Any:
    """An httpx client for ``config``: TLS and timeouts as Bedrock's clients (one definition
    in ``_httpx_adapter``), the environment's proxy for the endpoint, no redirects."""
    import httpx

    from .._httpx_adapter import http_timeout, http_verify
    from .._proxies import proxy_for

    transport = httpx.HTTPTransport(
        verify=http_verify(config), retries=0, proxy=proxy_for(config.endpoint_url, environ)
    )
    return httpx.Client(
        transport=transport, timeout=http_timeout(config), follow_redirects=False, trust_env=False
    )


def call_nested(
    options: ChainOptions,
    operation: Operation,
    params: Mapping[str, Any],
    *,
    url: str,
    signing_region: str = "us-east-1",
    source: CredentialResolver | None = None,
    secrets: tuple[str, ...] = (),
    retryable_codes: frozenset[str] = frozenset(),
    max_body_bytes: int,
) -> Any:
    """Call ``operation`` with ``params`` at ``url``; the operation's decoded answer.

    ``source`` signs a signed operation (refreshed once after ``ExpiredToken``, as for
    Bedrock); an unsigned one needs none. ``secrets`` (tokens, client secrets, proofs sent in
    ``params``) are scrubbed, like signing secrets, from anything echoed back.
    ``retryable_codes`` are error codes retried in every mode besides the policy's own.

    Raises the engine's errors: ``ServiceError`` (the service said no, after retries where
    the policy retries), ``TransportError``, ``DecodeError`` (too large, or undecodable).
    """
    import time

    from .._client import call_sync
    from .._config import ClientConfig
    from .._engine import Engine
    from .._retry import RetryPolicy

    retry = RetryPolicy(
        mode=options.sts.retry_mode,  # type: ignore[arg-type]
        max_attempts=options.sts.max_attempts,
        retryable_codes=retryable_codes,
    )
    config = ClientConfig(
        region=signing_region,
        endpoint_url=url.rstrip("/"),
        credentials=source,
        bearer_token=None,
        auth_scheme="sigv4",
        auth_reason=operation.signing_name,
        profile=None,
        retry_mode=retry.mode,
        max_attempts=retry.max_attempts,
        verify=options.sts.verify,
        connect_timeout=options.sts.connect_timeout,
        read_timeout=options.sts.read_timeout,
    )
    engine = Engine(
        config,
        retry=retry,
        clock=lambda: options.now().timestamp(),
        max_body_bytes=max_body_bytes,
    )
    logger.debug("%s at %s", operation.name, config.endpoint_url)
    with _http_client(config, options.environ) as http:
        return call_sync(
            engine,
            http,
            operation,
            params,
            options.sleep,
            time.monotonic,
            secrets=tuple(secret for secret in secrets if secret),
        )
