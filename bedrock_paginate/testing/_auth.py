"""Authentication of requests to the fake: SigV4 (checked with the project's own verifier) and
bearer tokens, failing with the error codes and words AWS uses.

Order of checks, as AWS does them: a missing ``Authorization`` header; a bearer token; then for
SigV4 the ``X-Amz-Date`` freshness (``Signature expired: ... is now earlier than ...``, five
minutes either way), the credential scope's region and service, and finally the signature
itself (:func:`bedrock_paginate._sigv4.verify_authorization`). Messages never contain a
secret, a signature or a token.

Imports only the standard library, attrs and ``bedrock_paginate._sigv4``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from urllib.parse import quote, urlencode

import attrs

from .._sigv4 import verify_authorization
from ._time import format_amz_date, parse_amz_date

__all__ = ["AuthFailure", "AuthPolicy", "skew_message"]

SERVICE = "bedrock"
MAX_SKEW_MICROS = 5 * 60 * 1_000_000
_SCOPE_RE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]*)/([^/,\s]*)/aws4_request")


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
        if service != SERVICE:
            return AuthFailure(
                "InvalidSignatureException",
                f"Credential should be scoped to correct service: '{SERVICE}'. ",
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
