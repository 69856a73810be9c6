"""Authentication of requests to the fake: the server side of SigV4 (:func:`verify_authorization`)
and bearer tokens, failing with the error codes and words AWS uses.

Order of checks, as AWS does them: a missing ``Authorization`` header; a bearer token; then for
SigV4 the ``X-Amz-Date`` freshness (``Signature expired: ... is now earlier than ...``, five
minutes either way), the credential scope's region and service, and finally the signature
itself (:func:`verify_authorization`). Messages never contain a secret, a signature or a token.

The verifier lives here, not in the client's ``_sigv4``: only fake servers use it. It rebuilds
the canonical request with the signer's public step functions (``canonical_request``,
``string_to_sign``, ``signature``) and reads headers and URLs with the signer's own helpers,
so a request is read exactly as the signer writes it; the checks around the signature (what
must be signed, the scope, the date, the body hash) are its own.

Imports only the standard library, attrs, ``bedrock_paginate._sigv4`` and ``._time``.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

import attrs

from .._sigv4 import (
    ALGORITHM,
    HeadersInput,
    _header_items,
    _host_header,
    _merge_headers,
    _split_url,
    canonical_request,
    credential_scope,
    payload_hash,
    signature,
    signing_key,
    string_to_sign,
)
from ..errors import ParamValidationError
from ._time import format_amz_date, parse_amz_date, to_datetime

__all__ = ["AuthFailure", "AuthPolicy", "Verification", "skew_message", "verify_authorization"]

SERVICE = "bedrock"
MAX_SKEW_MICROS = 5 * 60 * 1_000_000
_SCOPE_RE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]*)/([^/,\s]*)/aws4_request")


@attrs.frozen(kw_only=True)
class Verification:
    """What :func:`verify_authorization` concluded; true when the signature is valid.

    ``error_code`` is the AWS error code a real endpoint would answer with
    (``MissingAuthenticationTokenException``, ``IncompleteSignatureException``,
    ``UnrecognizedClientException``, ``InvalidSignatureException``), or ``None`` when valid.
    ``message`` never contains a secret, a signature or a canonical request.
    """

    ok: bool
    error_code: str | None = None
    message: str = ""
    access_key: str | None = None

    def __bool__(self) -> bool:
        return self.ok


# --- the SigV4 verifier -----------------------------------------------------------------------


def _refuse(code: str, message: str, access_key: str | None = None) -> Verification:
    return Verification(ok=False, error_code=code, message=message, access_key=access_key)


def _incomplete(message: str) -> Verification:
    return _refuse("IncompleteSignatureException", message)


def _parse_authorization(value: str) -> dict[str, str] | Verification:
    """The ``Credential``, ``SignedHeaders`` and ``Signature`` fields, or why they are missing."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        return _incomplete(f"Authorization header must start with {ALGORITHM!r}")
    fields: dict[str, str] = {}
    for item in rest.split(","):
        name, sep, field_value = item.strip().partition("=")
        if sep:
            fields[name] = field_value
    missing = [n for n in ("Credential", "SignedHeaders", "Signature") if not fields.get(n)]
    if missing:
        return _incomplete(f"Authorization header is missing {', '.join(missing)}")
    return fields


def verify_authorization(
    method: str,
    url: str,
    headers: HeadersInput,
    body: bytes | str | None,
    *,
    secret_key_for: Callable[[str], str | None],
    now: datetime | None = None,
    max_skew: timedelta = timedelta(minutes=5),
    normalize_path: bool = True,
) -> Verification:
    """Check the SigV4 ``Authorization`` header of a received request, as AWS would.

    Meant for fake servers in tests: pass the request exactly as received (wire URL, all
    headers, body). The signature is recomputed from the headers named in ``SignedHeaders``,
    the ``X-Amz-Date`` the request carried and the secret that ``secret_key_for(access_key)``
    returns (``None`` for an unknown key), and compared in constant time.

    Stricter than some AWS endpoints, to catch signer bugs: ``host`` and ``x-amz-date`` must be
    signed, and so must ``x-amz-security-token`` when the request carries one; an
    ``x-amz-content-sha256`` header must match the body. When ``now`` is given, the request
    time must be within ``max_skew`` of it; when ``now`` is ``None`` the time is not checked
    (no clock is read).

    Returns:
        A :class:`Verification` that is true when the signature is valid; otherwise it names
        the AWS error code and why, without any secret.
    """
    if now is not None and now.utcoffset() is None:
        raise ParamValidationError("now must be a timezone-aware datetime", param="now")
    items = list(_header_items(headers))
    merged = _merge_headers(items)
    authorization = merged.get("authorization")
    if authorization is None:
        return _refuse("MissingAuthenticationTokenException", "Missing Authentication Token")
    if sum(1 for name, _ in items if name.lower() == "authorization") > 1:
        return _incomplete("Authorization header must be sent once")
    fields = _parse_authorization(authorization)
    if isinstance(fields, Verification):
        return fields

    scope_parts = fields["Credential"].split("/")
    if len(scope_parts) != 5 or scope_parts[4] != "aws4_request" or not all(scope_parts):
        return _incomplete("Credential must be access_key/YYYYMMDD/region/service/aws4_request")
    access_key, date, region, service, _ = scope_parts

    amz_date = merged.get("x-amz-date", "")
    try:
        request_time = to_datetime(parse_amz_date(amz_date))
    except ValueError:
        return _incomplete("X-Amz-Date header must be present, as YYYYMMDD'T'HHMMSS'Z'")
    if amz_date[:8] != date:
        return _refuse(
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from X-Amz-Date",
            access_key,
        )
    if now is not None and abs(now - request_time) > max_skew:
        return _refuse(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is more than {max_skew} away from the server time",
            access_key,
        )

    signed_names = fields["SignedHeaders"].split(";")
    required = {"host", "x-amz-date"}
    if "x-amz-security-token" in merged:
        required.add("x-amz-security-token")
    unsigned = sorted(required.difference(signed_names))
    if unsigned:
        return _incomplete(f"these headers must be signed: {', '.join(unsigned)}")
    if "host" not in merged:
        scheme, authority, _, _ = _split_url(url)
        merged["host"] = _host_header(scheme, authority)
    absent = [name for name in signed_names if name not in merged]
    if absent:
        return _refuse(
            "InvalidSignatureException",
            f"signed headers are missing from the request: {', '.join(absent)}",
            access_key,
        )

    body_sha256 = payload_hash(body)
    claimed = merged.get("x-amz-content-sha256")
    if claimed is not None and claimed != body_sha256:
        return _refuse(
            "InvalidSignatureException",
            "x-amz-content-sha256 does not match the SHA-256 of the body",
            access_key,
        )

    secret_key = secret_key_for(access_key)
    if secret_key is None:
        return _refuse(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            access_key,
        )
    try:
        key = signing_key(secret_key, date, region, service)
    except ParamValidationError:
        return _incomplete("Credential scope has a malformed region or service")

    request = canonical_request(
        method,
        url,
        {name: merged[name] for name in signed_names},
        body_sha256,
        normalize_path=normalize_path,
    )
    expected = signature(
        key, string_to_sign(amz_date, credential_scope(date, region, service), request)
    )
    provided = fields["Signature"]
    if not hmac.compare_digest(expected.encode("ascii"), provided.encode("utf-8", "replace")):
        return _refuse(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided.",
            access_key,
        )
    return Verification(ok=True, access_key=access_key)


@attrs.frozen
class AuthFailure:
    """Why a request is refused: 403 with this AWS error ``code`` and ``message``."""

    code: str
    message: str
    status: int = 403


def skew_message(amz_date: str, server_micros: int) -> str:
    """AWS's words for a request time more than five minutes from the server's."""
    request_micros = parse_amz_date(amz_date)
    now = format_amz_date(server_micros)
    if request_micros < server_micros:
        limit = format_amz_date(server_micros - MAX_SKEW_MICROS)
        return f"Signature expired: {amz_date} is now earlier than {limit} ({now} - 5 min.)"
    limit = format_amz_date(server_micros + MAX_SKEW_MICROS)
    return f"Signature not yet current: {amz_date} is still later than {limit} ({now} + 5 min.)"


def _wire_url(host: str, path: str, query: Sequence[tuple[str, str]]) -> str:
    """A wire URL whose canonical query equals that of the query the client sent.

    The pairs were decoded with form rules (``+`` is a space); re-encoding them with ``%20`` and
    ``%2B`` gives the verifier the same canonical query as the original bytes.
    """
    encoded = urlencode(list(query), quote_via=quote, safe="")
    return f"http://{host or 'localhost'}{path}" + (f"?{encoded}" if encoded else "")


@attrs.frozen(kw_only=True)
class AuthPolicy:
    """Which credentials the fake accepts. Inactive (everything passes) when it checks nothing."""

    check_sigv4: bool = False
    credentials: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    bearer_tokens: Collection[str] = attrs.field(factory=frozenset, repr=False)
    region: str = "us-east-1"
    #: The service SigV4 scopes must name (``bedrock``, ``sts``).
    service: str = SERVICE

    @property
    def active(self) -> bool:
        """Whether any request can be refused."""
        return self.check_sigv4 or bool(self.bearer_tokens)

    def check(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        *,
        now_micros: int,
    ) -> AuthFailure | None:
        """``None`` when the request may proceed, else why it is refused."""
        if not self.active:
            return None
        lower = {k.lower(): v for k, v in headers.items()}
        authorization = lower.get("authorization")
        if authorization is None:
            return AuthFailure(
                "MissingAuthenticationTokenException", "Missing Authentication Token"
            )
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() == "bearer":
            return self._check_bearer(credentials.strip())
        if not self.check_sigv4:
            return None
        return self._check_sigv4(method, path, query, lower, body, now_micros)

    def _check_bearer(self, token: str) -> AuthFailure | None:
        if token and token in self.bearer_tokens:
            return None
        return AuthFailure(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )

    def _check_scope(self, authorization: str) -> AuthFailure | None:
        match = _SCOPE_RE.search(authorization)
        if match is None:
            return None  # malformed: the verifier names what is missing
        region, service = match.groups()
        if service != self.service:
            return AuthFailure(
                "InvalidSignatureException",
                f"Credential should be scoped to correct service: '{self.service}'. ",
            )
        if region != self.region:
            return AuthFailure(
                "InvalidSignatureException", "Credential should be scoped to a valid region. "
            )
        return None

    def _check_sigv4(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        now_micros: int,
    ) -> AuthFailure | None:
        amz_date = headers.get("x-amz-date", "")
        try:
            request_micros = parse_amz_date(amz_date)
        except ValueError:
            request_micros = None  # the verifier reports the missing or malformed date
        if request_micros is not None and abs(now_micros - request_micros) > MAX_SKEW_MICROS:
            return AuthFailure("InvalidSignatureException", skew_message(amz_date, now_micros))
        failure = self._check_scope(headers["authorization"])
        if failure is not None:
            return failure
        verdict = verify_authorization(
            method,
            _wire_url(headers.get("host", ""), path, query),
            headers,
            body,
            secret_key_for=self.credentials.get,
        )
        if verdict.ok:
            return None
        return AuthFailure(verdict.error_code or "InvalidSignatureException", verdict.message)
