"""STS for credential providers: ``AssumeRole`` (SigV4) and ``AssumeRoleWithWebIdentity``
(unsigned), over the query protocol.

A call is a form-encoded ``POST /`` (``Action=...&Version=2011-06-15&...``) to the STS endpoint
botocore would use (:func:`sts_endpoint`), signed by the project's signer, retried by the
project's :class:`~bedrock_paginate._retry.RetryPolicy` in the client's retry mode (plus STS's
``IDPCommunicationError``, as botocore), and answered in XML read by :mod:`bedrock_paginate._xml`
(size cap, no DOCTYPE, no entities). Errors are :class:`~bedrock_paginate.errors.StsError`
(the service said no) or ``CredentialRetrievalError`` (unreachable, malformed answer), both
naming the profile and the endpoint.

This module is self-contained (its own small send loop with httpx) until the engine takes
operations as data; then an STS operation becomes a description and this loop goes away.

Imported only when a profile needs STS. Never logs or raises a secret: the source credentials,
the web identity token and the credentials STS returns are scrubbed from anything echoed back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import attrs

from ..errors import ConfigError, CredentialRetrievalError, StsError
from ._options import ChainOptions, setting
from ._value import Credentials

__all__ = [
    "STS_VERSION",
    "StsAnswer",
    "StsEndpoint",
    "answer_dict",
    "call_sts",
    "credentials_from_answer",
    "sts_endpoint",
]

logger = logging.getLogger(__name__)

STS_VERSION = "2011-06-15"
#: botocore retries this STS code in every mode (``retries/special.py``, ``_retry.json``).
_STS_RETRYABLE_CODES = frozenset({"IDPCommunicationError"})
_BODY_DEADLINE_READ_TIMEOUTS = 5


@attrs.frozen(kw_only=True)
class StsEndpoint:
    """Where STS calls go: URL, SigV4 signing region, and where the URL came from."""

    url: str
    signing_region: str
    origin: str


@attrs.frozen(kw_only=True)
class StsAnswer:
    """A successful answer: the ``<Action>Result`` element as a dict, and its metadata."""

    result: dict[str, Any] = attrs.field(repr=False)
    request_id: str | None
    status_code: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    retry_attempts: int


def _sts_view(options: ChainOptions) -> ChainOptions:
    """``options`` reading the client's profile, whose settings configure STS."""
    profile = options.sts.profile
    if profile is None or profile == options.profile_name:
        return options
    return attrs.evolve(options, profile_name=profile)


def _bool_setting(view: ChainOptions, env_name: str, key: str) -> bool:
    found = setting(view, env_name, key)
    if found is None:
        return False
    text, where = found
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise ConfigError(f"{where} must be 'true' or 'false', not {text!r}")
    return lowered == "true"


def sts_endpoint(options: ChainOptions) -> StsEndpoint:
    """The STS endpoint for these options, as botocore 1.43+ resolves it.

    A configured endpoint (``AWS_ENDPOINT_URL_STS``, ``AWS_ENDPOINT_URL``, ``[services]`` ``sts``,
    the profile's ``endpoint_url``) wins; else the regional endpoint of the client's region
    (``sts_regional_endpoints`` / ``AWS_STS_REGIONAL_ENDPOINTS``: ``regional``, the default, or
    ``legacy``), with FIPS and dual-stack from the environment or the profile.
    """
    from .._config import configured_service_endpoint
    from .._endpoints import resolve_sts_endpoint
    from ..errors import ParamValidationError

    view = _sts_view(options)
    region = options.sts.region
    configured = configured_service_endpoint(view.environ, view.files, view.profile_name, "sts")
    if configured is not None:
        url, origin = configured
        return StsEndpoint(url=url, signing_region=region or "us-east-1", origin=origin)
    mode = setting(view, "AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints")
    legacy = False
    if mode is not None:
        value = mode[0].strip().lower()
        if value not in ("regional", "legacy"):
            raise ConfigError(f"{mode[1]} must be 'regional' or 'legacy', not {mode[0]!r}")
        legacy = value == "legacy"
    fips = options.sts.region_fips or _bool_setting(
        view, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"
    )
    dualstack = _bool_setting(view, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")
    try:
        url, signing_region = resolve_sts_endpoint(
            region or "aws-global", use_fips=fips, use_dualstack=dualstack, legacy=legacy
        )
    except ParamValidationError as exc:
        raise ConfigError(f"STS endpoint: {exc.message}") from None
    return StsEndpoint(url=url, signing_region=signing_region, origin="generated")


# --------------------------------------------------------------------------- one call


def _http_client(options: ChainOptions, endpoint: StsEndpoint) -> Any:
    import httpx

    from .._client import _ssl_context
    from .._proxies import proxy_for

    verify: Any = options.sts.verify
    if endpoint.url.startswith("http://"):
        verify = False
    elif isinstance(verify, str):
        verify = _ssl_context(verify)
    transport = httpx.HTTPTransport(
        verify=verify, retries=0, proxy=proxy_for(endpoint.url, options.environ)
    )
    timeout = httpx.Timeout(
        connect=options.sts.connect_timeout, read=options.sts.read_timeout, write=60.0, pool=60.0
    )
    return httpx.Client(
        transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
    )


def _request(
    endpoint: StsEndpoint,
    action: str,
    params: Mapping[str, str],
    credentials: Credentials | None,
    options: ChainOptions,
) -> tuple[dict[str, str], bytes]:
    from .._engine import _USER_AGENT
    from .._sigv4 import sign_request

    body = urlencode([("Action", action), ("Version", STS_VERSION), *params.items()]).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "User-Agent": _USER_AGENT,
    }
    if credentials is not None:
        headers.update(
            sign_request(
                "POST",
                endpoint.url + "/",
                headers,
                body,
                region=endpoint.signing_region,
                service="sts",
                access_key=credentials.access_key,
                secret_key=credentials.secret_key,
                session_token=credentials.token,
                now=options.now(),
            )
        )
    return headers, body


def _send(client: Any, url: str, headers: dict[str, str], body: bytes, deadline: float) -> Any:
    """One POST: ``(status, headers, body)`` or ``(None, failure kind, detail)``."""
    import time

    import httpx

    from .._client import _classify
    from .._engine import BodyReader
    from .._xml import MAX_XML_BYTES

    try:
        with client.stream("POST", url, headers=headers, content=body) as response:
            reader = BodyReader(
                response.headers.get("content-length"), MAX_XML_BYTES, deadline, time.monotonic
            )
            if reader.failure is None:
                for chunk in response.iter_bytes():
                    if not reader.add(chunk):
                        break
            if reader.failure is not None:
                return None, reader.failure[1], reader.failure[2]
            lowered = {k.lower(): v for k, v in response.headers.items()}
            return response.status_code, lowered, bytes(reader.body())
    except httpx.RequestError as exc:
        return (None, *_classify(exc))


def _error_from(
    status: int, body: bytes, headers: Mapping[str, str]
) -> tuple[str, str, str | None]:
    """``(code, message, request id)`` of an STS error answer (XML, or anything else)."""
    from .._xml import XmlError, parse_xml

    request_id = headers.get("x-amzn-requestid")
    try:
        root = parse_xml(body)
    except XmlError:
        return str(status), f"HTTP {status} without an STS error document", request_id
    code = root.text_of("Error", "Code") or str(status)
    message = root.text_of("Error", "Message") or ""
    return code, message, root.text_of("RequestId") or request_id


def call_sts(
    options: ChainOptions,
    endpoint: StsEndpoint,
    action: str,
    params: Mapping[str, str],
    *,
    credentials: Credentials | None,
    secrets: tuple[str, ...] = (),
    context: str,
) -> StsAnswer:
    """Call STS ``action`` with ``params``; signed with ``credentials`` (``None``: unsigned).

    ``secrets`` (a web identity token, say) are scrubbed from any echoed message, as are the
    signing credentials. ``context`` starts every error message (``Profile 'x': assuming
    role ...``).

    Raises:
        StsError: STS answered with an error (after retries where botocore retries).
        CredentialRetrievalError: STS could not be reached, or answered something else than
            the XML of ``<action>Response``.
    """
    from .._engine import _scrub
    from .._retry import AttemptOutcome, RetryPolicy
    from .._xml import XmlError, parse_xml

    policy = RetryPolicy(
        mode=options.sts.retry_mode,  # type: ignore[arg-type]
        max_attempts=options.sts.max_attempts,
        retryable_codes=_STS_RETRYABLE_CODES,
    )
    signing = () if credentials is None else (credentials.secret_key, credentials.token or "")
    hidden = tuple(secret for secret in (*secrets, *signing) if len(secret) >= 8)
    deadline = options.sts.read_timeout * _BODY_DEADLINE_READ_TIMEOUTS
    where = f"STS at {urlsplit(endpoint.url).netloc} ({endpoint.origin})"
    attempt = 0
    with _http_client(options, endpoint) as client:
        while True:
            attempt += 1
            headers, body = _request(endpoint, action, params, credentials, options)
            logger.debug("STS %s to %s (attempt %d)", action, endpoint.url, attempt)
            status, got, raw = _send(client, endpoint.url + "/", headers, body, deadline)
            if status is None:
                outcome = AttemptOutcome(failure=got)
                problem = f"could not get an answer from {where}: {_scrub(raw or got, hidden)}"
            elif status == 200:
                try:
                    root = parse_xml(raw)
                except XmlError as exc:
                    outcome = AttemptOutcome(status_code=status, failure="bad_body")
                    problem = f"{where} answered {action} with a malformed document: {exc}"
                else:
                    result = root.find(f"{action}Result")
                    if root.tag != f"{action}Response" or result is None:
                        outcome = AttemptOutcome(status_code=status, failure="bad_body")
                        problem = f"{where} answered {action} without an {action}Result"
                    else:
                        from .._xml import element_dict

                        logger.debug("STS %s answered 200 (attempt %d)", action, attempt)
                        return StsAnswer(
                            result=element_dict(result),
                            request_id=root.text_of("ResponseMetadata", "RequestId")
                            or got.get("x-amzn-requestid"),
                            status_code=status,
                            headers=got,
                            retry_attempts=attempt - 1,
                        )
            else:
                code, message, request_id = _error_from(status, raw, got)
                message = _scrub(message, hidden)
                logger.debug("STS %s answered %d %s (attempt %d)", action, status, code, attempt)
                outcome = AttemptOutcome(
                    status_code=status,
                    error_code=code,
                    error_message=message,
                    retry_after=got.get("x-amz-retry-after"),
                )
                delay = policy.delay_before_retry(attempt, outcome)
                if delay is None:
                    raise StsError(
                        f"{context}: An error occurred ({code}) when calling the {action} "
                        f"operation: {message} ({where}"
                        + (f", request id {request_id}" if request_id else "")
                        + f", {attempt} attempt{'s' if attempt > 1 else ''})",
                        code=code,
                        status_code=status,
                        operation=action,
                        profile=options.profile_name,
                        request_id=request_id,
                    )
                options.sleep(delay)
                continue
            delay = policy.delay_before_retry(attempt, outcome)
            if delay is None:
                raise CredentialRetrievalError(
                    f"{context}: {problem} ({policy.describe_give_up(attempt, outcome)})"
                )
            options.sleep(delay)


# --------------------------------------------------------------------------- answers


def answer_dict(answer: StsAnswer, what: str) -> dict[str, Any]:
    """The answer as botocore caches it: the result's members (``Credentials`` with its
    ``Expiration`` in botocore's cache format and the ``AccountId`` of the assumed role),
    and ``ResponseMetadata``."""
    from ._value import format_cached_expiration, parse_expiration_from

    result = dict(answer.result)
    creds = result.get("Credentials")
    if not isinstance(creds, dict):
        raise CredentialRetrievalError(f"{what}: the STS answer has no Credentials")
    creds = dict(creds)
    expiry = creds.get("Expiration")
    if isinstance(expiry, str):
        creds["Expiration"] = format_cached_expiration(parse_expiration_from(expiry, what))
    user = result.get("AssumedRoleUser")
    arn = user.get("Arn") if isinstance(user, dict) else None
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) >= 6 and parts[0] == "arn" and parts[4]:
        creds["AccountId"] = parts[4]
    result["Credentials"] = creds
    if isinstance(result.get("PackedPolicySize"), str) and result["PackedPolicySize"].isdigit():
        result["PackedPolicySize"] = int(result["PackedPolicySize"])
    result["ResponseMetadata"] = {
        "RequestId": answer.request_id,
        "HTTPStatusCode": answer.status_code,
        "HTTPHeaders": {
            k: v
            for k, v in answer.headers.items()
            if k in ("x-amzn-requestid", "content-type", "content-length", "date")
        },
        "RetryAttempts": answer.retry_attempts,
    }
    return result


def credentials_from_answer(answer: Mapping[str, Any], *, source: str, what: str) -> Credentials:
    """The credentials of a (possibly cached) STS answer; every field is required."""
    from ._value import credentials_from, parse_cached_expiration

    creds = answer.get("Credentials")
    if not isinstance(creds, dict):
        raise CredentialRetrievalError(f"{what}: the answer has no Credentials")
    values = {}
    for key in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"):
        value = creds.get(key)
        if not isinstance(value, str) or not value:
            raise CredentialRetrievalError(f"{what}: the answer lacks a non-empty string {key}")
        values[key] = value
    try:
        expiration = parse_cached_expiration(values["Expiration"])
    except ValueError:
        raise CredentialRetrievalError(
            f"{what}: the answer's Expiration is not an ISO 8601 timestamp"
        ) from None
    return credentials_from(
        what,
        CredentialRetrievalError,
        access_key=values["AccessKeyId"],
        secret_key=values["SecretAccessKey"],
        token=values["SessionToken"],
        expiration=expiration,
        source=source,
    )
