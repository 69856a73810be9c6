"""STS for credential providers: ``AssumeRole`` (SigV4) and ``AssumeRoleWithWebIdentity``
(unsigned), as operation descriptions of the ``query`` protocol run by the project's engine.

:data:`ASSUME_ROLE` and :data:`ASSUME_ROLE_WITH_WEB_IDENTITY` are
:class:`~bedrock_paginate._operations.Operation` descriptions: a form-encoded ``POST /``
(``Action=...&Version=2011-06-15&...``, built by ``_serialize``), signed for ``sts`` (or not),
answered in XML read by :mod:`bedrock_paginate._xml` (1 MiB cap, no DOCTYPE, no entities).
:func:`call_sts` runs one through ``_nested.call_nested`` (an engine of its own and the sync
attempt loop ``_client.call_sync``, shared with the SSO and login calls): the endpoint botocore
would use (:func:`sts_endpoint`), the client's retry mode (plus STS's ``IDPCommunicationError``,
as botocore), TLS, timeouts and proxy, one refresh of the source credentials after
``ExpiredToken``. Errors are
:class:`~bedrock_paginate.errors.StsError` (the service said no) or ``CredentialRetrievalError``
(unreachable, malformed answer), both naming the profile and the endpoint, the engine's error
as ``__cause__``.

Imported only when a profile needs STS. Never logs or raises a secret: the source credentials,
the web identity token and the credentials STS returns are scrubbed from anything echoed back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs

from ..errors import ConfigError, CredentialRetrievalError, DecodeError, StsError
from ._options import ChainOptions, client_view, setting, setting_bool
from ._value import Credentials

if TYPE_CHECKING:
    from .._http import HttpResponse
    from .._operations import Operation
    from ._resolver import CredentialResolver

__all__ = [
    "ASSUME_ROLE",
    "ASSUME_ROLE_WITH_WEB_IDENTITY",
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
    return client_view(options)


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
    fips = options.sts.region_fips or setting_bool(
        view, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"
    )
    dualstack = setting_bool(view, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")
    try:
        url, signing_region = resolve_sts_endpoint(
            region or "aws-global", use_fips=fips, use_dualstack=dualstack, legacy=legacy
        )
    except ParamValidationError as exc:
        raise ConfigError(f"STS endpoint: {exc.message}") from None
    return StsEndpoint(url=url, signing_region=signing_region, origin="generated")


# --------------------------------------------------------------------------- operations


def _decoder(action: str) -> Any:
    """The decoder of ``action``'s answer: ``<action>Response/<action>Result`` as a dict."""

    def decode(response: HttpResponse, retry_attempts: int = 0) -> StsAnswer:
        from .._xml import element_dict, parse_xml

        try:
            root = parse_xml(response.body)
        except DecodeError as exc:
            raise DecodeError(f"invalid STS response: {exc.message}") from None
        result = root.find(f"{action}Result")
        if root.tag != f"{action}Response" or result is None:
            raise DecodeError(f"invalid STS response: no {action}Result in a <{root.tag}>")
        return StsAnswer(
            result=element_dict(result),
            request_id=root.text_of("ResponseMetadata", "RequestId")
            or response.header("x-amzn-requestid"),
            status_code=response.status_code,
            headers=dict(response.headers),
            retry_attempts=retry_attempts,
        )

    return decode


def _operation(action: str, members: tuple[str, ...], *, signed: bool) -> Operation:
    from .._operations import Member, Operation

    return Operation(
        name=action,
        python_name="",
        method="POST",
        uri="/",
        members=tuple(Member(name=name) for name in members),
        validate=dict,
        decode=_decoder(action),
        protocol="query",
        api_version=STS_VERSION,
        signing_name="sts",
        signed=signed,
    )


_ROLE_MEMBERS = ("RoleArn", "RoleSessionName")
#: botocore's ``sts`` model, the members we send, in model order.
ASSUME_ROLE = _operation(
    "AssumeRole",
    (*_ROLE_MEMBERS, "DurationSeconds", "ExternalId", "SerialNumber", "TokenCode"),
    signed=True,
)
#: Unsigned in the model (``authtype: none``): the token is the proof.
ASSUME_ROLE_WITH_WEB_IDENTITY = _operation(
    "AssumeRoleWithWebIdentity",
    (*_ROLE_MEMBERS, "WebIdentityToken", "DurationSeconds"),
    signed=False,
)


# --------------------------------------------------------------------------- one call


def call_sts(
    options: ChainOptions,
    endpoint: StsEndpoint,
    operation: Operation,
    params: Mapping[str, str],
    *,
    source: CredentialResolver | None,
    secrets: tuple[str, ...] = (),
    context: str,
) -> StsAnswer:
    """Call STS ``operation`` with ``params`` through the project's engine; signed with the
    ``source`` credentials (``None`` for an unsigned operation).

    ``secrets`` (a web identity token, say) are scrubbed from any echoed message, as are the
    signing credentials. ``context`` starts every error message (``Profile 'x': assuming
    role ...``).

    Raises:
        StsError: STS answered with an error (after retries where botocore retries).
        CredentialRetrievalError: STS could not be reached, or answered something else than
            the XML of ``<action>Response``.
    """
    from .._xml import MAX_XML_BYTES
    from ..errors import BedrockPaginateError, ServiceError
    from ._nested import call_nested

    where = f"STS at {urlsplit(endpoint.url).netloc} ({endpoint.origin})"
    try:
        answer: StsAnswer = call_nested(
            options,
            operation,
            params,
            url=endpoint.url,
            signing_region=endpoint.signing_region,
            source=source,
            secrets=secrets,
            retryable_codes=_STS_RETRYABLE_CODES,
            max_body_bytes=MAX_XML_BYTES,
        )
    except ServiceError as exc:
        raise StsError(
            f"{context}: {exc.describe()} ({where}"
            + (f", request id {exc.request_id}" if exc.request_id else "")
            + ")",
            code=exc.code,
            status_code=exc.status_code,
            operation=operation.name,
            profile=options.profile_name,
            request_id=exc.request_id,
        ) from exc
    except (StsError, CredentialRetrievalError):
        raise
    except BedrockPaginateError as exc:
        raise CredentialRetrievalError(
            f"{context}: could not get an answer from {where}: {exc}"
        ) from exc
    logger.debug("STS %s answered (request id %s)", operation.name, answer.request_id)
    return answer


# --------------------------------------------------------------------------- answers


def answer_dict(answer: StsAnswer, what: str, now: datetime) -> dict[str, Any]:
    """The answer as botocore caches it: the result's members (``Credentials`` with its
    ``Expiration`` in botocore's cache format and the ``AccountId`` of the assumed role),
    and ``ResponseMetadata``.

    Credentials that expired before ``now`` are refused (botocore's refresh raises then too),
    before anything is cached or signed with them."""
    from .._time import format_cache_expiration
    from ._value import parse_expiration_from

    result = dict(answer.result)
    creds = result.get("Credentials")
    if not isinstance(creds, dict):
        raise CredentialRetrievalError(f"{what}: the STS answer has no Credentials")
    creds = dict(creds)
    expiry = creds.get("Expiration")
    if isinstance(expiry, str):
        expiration = parse_expiration_from(expiry, what)
        if expiration <= now:
            raise CredentialRetrievalError(
                f"{what}: STS returned credentials that expired at {expiration.isoformat()} "
                f"(the time here is {now.isoformat()}; is the clock right?)"
            )
        creds["Expiration"] = format_cache_expiration(expiration)
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
    from .._time import parse_cache_expiration
    from ._value import credentials_from

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
        expiration = parse_cache_expiration(values["Expiration"])
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
