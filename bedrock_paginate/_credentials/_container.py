"""Container credentials (ECS, EKS Pod Identity): ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` /
``_FULL_URI`` with ``AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]``.

Provider ``container`` (see the package docstring): three attempts one second apart, as
botocore; a full URI must be https or an http URL on a loopback or the container hosts.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import ConfigError, CredentialRetrievalError
from ._options import (
    MAX_CREDENTIALS_BODY,
    Attempts,
    ChainOptions,
    fetch_capped,
    http_client,
)
from ._value import Credentials, Found, check_not_expired, credentials_from_json

__all__ = ["check_container_url", "from_container"]

_CONTAINER_ALLOWED_HOSTS = ("169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost")
_CONTAINER_RETRY_DELAY = 1.0


def _container_url(options: ChainOptions) -> str | None:
    relative = options.environ.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    if relative is not None:
        return options.container_host.rstrip("/") + relative
    full = options.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if full is None:
        return None
    check_container_url(full)
    return full


def check_container_url(url: str) -> None:
    import ipaddress
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    if parts is not None and parts.scheme == "https" and host:
        return
    if parts is not None and parts.scheme == "http" and host:
        if host in _CONTAINER_ALLOWED_HOSTS:
            return
        try:
            if ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            pass
    raise ConfigError(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI must be an https:// URL, or an http:// URL on a "
        f"loopback address or one of: {', '.join(_CONTAINER_ALLOWED_HOSTS)}"
    )


def _container_headers(options: ChainOptions) -> dict[str, str]:
    headers = {"Accept": "application/json"}
    token_file = options.environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if token_file is not None:
        try:
            with open(token_file, encoding="utf-8") as handle:
                token: str | None = handle.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise CredentialRetrievalError(
                f"Unable to read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {token_file}: {reason}"
            ) from None
    else:
        token = options.environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    if token is not None:
        if any(c in token for c in "\r\n\0"):
            raise CredentialRetrievalError(
                "The container authorization token contains a line break and cannot be sent"
            )
        headers["Authorization"] = token
    return headers


def _container_fetch_once(client: Any, url: str, headers: dict[str, str]) -> Any:
    """One GET; returns parsed JSON or raises ``CredentialRetrievalError`` (retryable)."""
    import httpx

    try:
        status, body = fetch_capped(client, "GET", url, headers)
    except httpx.HTTPError as exc:
        raise CredentialRetrievalError(
            f"container credentials request failed: {type(exc).__name__}"
        ) from None
    if status != 200:
        raise CredentialRetrievalError(f"container credentials endpoint answered HTTP {status}")
    if body is None:
        raise CredentialRetrievalError(
            "container credentials endpoint answered with a body larger than "
            f"{MAX_CREDENTIALS_BODY} bytes"
        )
    try:
        return json.loads(body)
    except ValueError:
        raise CredentialRetrievalError(
            "container credentials endpoint did not return JSON"
        ) from None


def _container_fetch(options: ChainOptions, url: str) -> Credentials:
    last: CredentialRetrievalError | None = None
    with http_client(options.container_timeout) as client:
        for attempt in range(options.container_attempts):
            if attempt:
                options.sleep(_CONTAINER_RETRY_DELAY)
            headers = _container_headers(options)
            try:
                data = _container_fetch_once(client, url, headers)
            except CredentialRetrievalError as exc:
                last = exc
                continue
            creds = credentials_from_json(
                data,
                what="container credentials endpoint",
                source="container",
                token_key="Token",
            )
            check_not_expired(creds, options.now(), "container credentials endpoint")
            return creds
    assert last is not None
    raise CredentialRetrievalError(f"{last.message} (after {options.container_attempts} attempts)")


def from_container(options: ChainOptions, tried: Attempts) -> Found | None:
    url = _container_url(options)
    if url is None:
        tried.add("container credentials (AWS_CONTAINER_CREDENTIALS_* not set)")
        return None

    def fetch() -> Credentials:
        return _container_fetch(options, url)

    return Found(credentials=fetch(), refresh=fetch)
