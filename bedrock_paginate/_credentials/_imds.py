"""EC2 instance metadata (IMDS): IMDSv2 token, then IMDSv1 unless disabled, as botocore.

Provider ``imds`` (see the package docstring). Settings from the environment or the profile
(endpoint, endpoint mode, timeout, attempts, ``ec2_metadata_v1_disabled``); nearly expired
credentials get botocore's static-stability extension.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any, NamedTuple

import attrs

from ..errors import ConfigError, CredentialRetrievalError
from ._options import (
    Attempts,
    ChainOptions,
    env_bool,
    fetch_capped,
    http_client,
    setting,
    setting_bool,
)
from ._resolver import ADVISORY_REFRESH_SECONDS
from ._value import Credentials, Found, credentials_from_json

__all__ = ["from_imds"]

logger = logging.getLogger(__name__)

_IMDS_IPV4 = "http://169.254.169.254/"
_IMDS_IPV6 = "http://[fd00:ec2::254]/"
_IMDS_TOKEN_TTL = "21600"
_IMDS_ROLE_PATH = "latest/meta-data/iam/security-credentials/"


class _ImdsSettings(NamedTuple):
    base_url: str
    timeout: float
    attempts: int
    v1_disabled: bool


class _ImdsGiveUp(Exception):
    """IMDS had no usable answer: the chain moves on (botocore's "retries exceeded").

    Internal control flow only: always caught in ``_imds_fetch``, never seen by callers.
    """


def positive_number(options: ChainOptions, env_name: str, key: str, default: float) -> float:
    found = setting(options, env_name, key)
    if found is None:
        return default
    text, where = found
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{where} must be a positive number of seconds, not {text!r}")
    return value


def positive_int(options: ChainOptions, env_name: str, key: str, default: int) -> int:
    found = setting(options, env_name, key)
    if found is None:
        return default
    text, where = found
    if not re.fullmatch(r"\s*[0-9]+\s*", text) or int(text) < 1:
        raise ConfigError(f"{where} must be a whole number of at least 1, not {text!r}")
    return int(text)


def _imds_settings(options: ChainOptions) -> _ImdsSettings:
    endpoint = setting(
        options, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint"
    )
    mode = setting(
        options, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode"
    )
    if mode is not None and mode[0].strip().lower() not in ("ipv4", "ipv6"):
        raise ConfigError(f"{mode[1]} must be 'IPv4' or 'IPv6', not {mode[0]!r}")
    if endpoint is not None:
        base = endpoint[0]
        if not re.match(r"https?://[^/?#\s]+", base):
            raise ConfigError(f"{endpoint[1]} must be an http:// or https:// URL, not {base!r}")
    elif mode is not None and mode[0].strip().lower() == "ipv6":
        base = _IMDS_IPV6
    else:
        base = _IMDS_IPV4
    v1_disabled = setting_bool(options, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")
    return _ImdsSettings(
        base_url=base if base.endswith("/") else base + "/",
        timeout=positive_number(
            options, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout", 1.0
        ),
        attempts=positive_int(
            options, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts", 1
        ),
        v1_disabled=v1_disabled,
    )


def _imds_token(client: Any, settings: _ImdsSettings) -> str | None:
    """The IMDSv2 session token, or ``None`` to fall back to IMDSv1 (botocore's rules)."""
    import httpx

    url = settings.base_url + "latest/api/token"
    headers = {"x-aws-ec2-metadata-token-ttl-seconds": _IMDS_TOKEN_TTL}
    for _ in range(settings.attempts):
        try:
            status, body = fetch_capped(client, "PUT", url, headers)
        except httpx.ReadTimeout:
            return None
        except httpx.HTTPError:
            continue
        if status == 200:
            if body is None:
                continue
            return body.decode("utf-8", "replace")
        if status in (403, 404, 405):
            return None
        if status == 400:
            raise _ImdsGiveUp("IMDS rejected the token request (HTTP 400)")
    return None


def _imds_get(
    client: Any, settings: _ImdsSettings, path: str, token: str | None, *, want_json: bool
) -> str:
    """GET ``path`` with retries on errors, non-200, empty or (optionally) non-JSON bodies."""
    import httpx

    headers = {} if token is None else {"x-aws-ec2-metadata-token": token}
    for _ in range(settings.attempts):
        try:
            status, body = fetch_capped(client, "GET", settings.base_url + path, headers)
        except httpx.HTTPError:
            continue
        if status != 200 or not body:  # an error, empty, or larger than the cap
            continue
        text = body.decode("utf-8", "replace")
        if want_json:
            try:
                json.loads(text)
            except ValueError:
                continue
        return text
    raise _ImdsGiveUp(
        f"no usable answer from {settings.base_url} after {settings.attempts} attempt(s)"
    )


def _imds_extend(creds: Credentials, options: ChainOptions) -> Credentials:
    """botocore's static stability: push back the expiry of (nearly) expired IMDS credentials."""
    assert creds.expiration is not None
    offset = timedelta(seconds=ADVISORY_REFRESH_SECONDS + options.imds_jitter())
    now = options.now()
    if now < creds.expiration - offset:
        return creds
    logger.info("IMDS returned credentials close to expiry; using them for a little longer")
    return attrs.evolve(creds, expiration=now + offset)


def _imds_fetch(options: ChainOptions, settings: _ImdsSettings) -> Credentials | None:
    with http_client(settings.timeout) as client:
        try:
            token = _imds_token(client, settings)
            if token is None and settings.v1_disabled:
                raise CredentialRetrievalError(
                    "Unable to get an IMDSv2 token and IMDSv1 is disabled "
                    "(AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled)"
                )
            role = _imds_get(client, settings, _IMDS_ROLE_PATH, token, want_json=False)
            body = _imds_get(client, settings, _IMDS_ROLE_PATH + role, token, want_json=True)
        except _ImdsGiveUp as exc:
            logger.debug("IMDS: %s", exc)
            return None
    data = json.loads(body)
    if not isinstance(data, dict) or not all(
        k in data for k in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")
    ):
        logger.debug("IMDS returned a document without credentials (e.g. an error Code)")
        return None
    creds = credentials_from_json(
        data,
        what="IMDS",
        source="imds",
        token_key="Token",
    )
    return _imds_extend(creds, options)


def from_imds(options: ChainOptions, tried: Attempts) -> Found | None:
    if env_bool(options, "AWS_EC2_METADATA_DISABLED"):
        tried.add("EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)")
        return None
    settings = _imds_settings(options)
    found = _imds_fetch(options, settings)
    if found is None:
        tried.add(f"EC2 instance metadata at {settings.base_url} (no credentials)")
        return None

    def fetch() -> Credentials:
        again = _imds_fetch(options, settings)
        if again is None:
            raise CredentialRetrievalError(
                f"EC2 instance metadata at {settings.base_url} no longer returns credentials"
            )
        return again

    return Found(credentials=found, refresh=fetch)
