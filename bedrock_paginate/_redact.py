"""Redaction: every form a secret can take, and the one marker that replaces it.

The only place that knows how a secret (secret access key, session token, bearer token, request
signature) can show up in text, bytes, headers or a JSON value. The engine scrubs error
responses and messages with it, ``_http`` and ``_sigv4`` mask header reprs with it, and the
fixture recorder redacts every interaction with it before writing.

A known secret is found in each of its :func:`forms`: raw; URL-encoded with nothing kept
(``quote(s, safe='')``), with ``/`` kept (``quote(s)``) and as a form value
(``quote_plus``); JSON-escaped (``json.dumps(s)[1:-1]``, non-ASCII as ``\\u`` escapes or as
is, and ``/`` as ``\\/`` or as is); and UTF-8 bytes read as Latin-1. Without knowing the
secret, :data:`SECRET_PATTERNS` catch ``Signature=<hex>``, ``X-Amz-Signature=...``,
``X-Amz-Security-Token=...`` and ``Bearer <token>``; the values of :data:`SECRET_HEADERS` and
of JSON members named like secrets (:data:`SECRET_KEYS`) are replaced whole.

Secrets shorter than :data:`MIN_SECRET_LENGTH` are ignored everywhere: replacing them would
mangle ordinary words, and no real AWS secret key, session token or Bedrock API key is that
short. Everything is replaced by :data:`MARKER`.

Pure: imports only the standard library.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = [
    "MARKER",
    "MIN_SECRET_LENGTH",
    "SECRET_HEADERS",
    "SECRET_KEYS",
    "SECRET_PATTERNS",
    "Redactor",
    "forms",
    "redact",
    "redact_headers",
    "request_secrets",
]

#: What replaces a secret wherever one is found.
MARKER = "[redacted]"
#: Shorter secrets are ignored (they would mangle unrelated text; no real secret is that short).
MIN_SECRET_LENGTH = 8
#: Header names (lower case) whose values are secrets and are never logged, stored or shown.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "x-amz-security-token",
        "proxy-authorization",
        "x-amz-sso_bearer_token",  # the SSO portal's bearer token (GetRoleCredentials)
        "dpop",  # Sign-In's DPoP proof
    }
)
#: JSON member names whose values are secrets wherever they appear (compared lower-cased,
#: without ``-`` and ``_``).
SECRET_KEYS = frozenset(
    {
        "authorization",
        "proxyauthorization",
        "xamzsecuritytoken",
        "secretaccesskey",
        "awssecretaccesskey",
        "sessiontoken",
        "awssessiontoken",
        "securitytoken",
        "bearertoken",
        "password",
    }
)
#: Secret-looking text found without knowing the secret (regular expressions; group 1 is
#: kept, the rest replaced): signatures (``Signature=`` in an Authorization header,
#: ``X-Amz-Signature=`` in a presigned URL), tokens in query strings, and bearer tokens
#: (RFC 6750 token characters).
SECRET_PATTERNS = (
    r"(?i)(signature=)[0-9a-f]{16,}",
    r"(?i)(x-amz-security-token=)[^&\s\"',;]+",
    r"(?i)(x-amz-signature=)[^&\s\"',;]+",
    r"(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]{16,}=*",
)
# A replacement next to the remaining text can form a secret again: repeat this many times,
# then give up on the whole string.
_PASSES = 4


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[bytes], ...]]:
    """:data:`SECRET_PATTERNS` compiled for text and for bytes (on first use: not at import,
    which the client's cold start pays for)."""
    text = tuple(re.compile(p) for p in SECRET_PATTERNS)
    data = tuple(re.compile(p.encode()) for p in SECRET_PATTERNS)
    return text, data


def forms(secret: str) -> frozenset[str]:
    """Every form ``secret`` can take in text (see the module docstring)."""
    escaped = {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    escaped |= {form.replace("/", "\\/") for form in escaped}
    return frozenset(
        {
            secret,
            quote(secret, safe=""),
            quote(secret),
            quote_plus(secret),
            secret.encode("utf-8").decode("latin-1"),
            *escaped,
        }
    )


def request_secrets(headers: Mapping[str, str]) -> list[str]:
    """Secrets visible in request headers: the session token, bearer token and signature."""
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    found = []
    token = lower.get("x-amz-security-token")
    if token:
        found.append(token)
    authorization = lower.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        found.append(credentials.strip())
    match = re.search(r"Signature=([0-9a-fA-F]+)", authorization)
    if match:
        found.append(match.group(1))
    return found


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with the value of every :data:`SECRET_HEADERS` one replaced."""
    return {k: (MARKER if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


class Redactor:
    """Replaces every form of each of ``secrets`` and every secret-looking pattern.

    Build one per set of secrets (the patterns are compiled once); ``None``, non-strings and
    secrets shorter than :data:`MIN_SECRET_LENGTH` are ignored.
    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        found: set[str] = set()
        for secret in secrets:
            if isinstance(secret, str) and len(secret) >= MIN_SECRET_LENGTH:
                found |= forms(secret)
        ordered = sorted(found, key=len, reverse=True)
        self._known = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        encoded = sorted({f.encode("utf-8") for f in found}, key=len, reverse=True)
        self._known_bytes = re.compile(b"|".join(map(re.escape, encoded))) if encoded else None

    def text(self, text: str) -> str:
        """``text`` with every secret replaced by :data:`MARKER`."""
        known = self._known
        if known is not None:
            for _ in range(_PASSES):
                if known.search(text) is None:
                    break
                text = known.sub(MARKER, text)
            else:
                if known.search(text) is not None:
                    return MARKER
        for pattern in _patterns()[0]:
            text = pattern.sub(lambda m: m.group(1) + MARKER, text)
        return text

    def bytes(self, data: bytes) -> bytes:
        """``data`` (any encoding) with every secret's UTF-8 bytes replaced by :data:`MARKER`."""
        marker = MARKER.encode()
        known = self._known_bytes
        if known is not None:
            for _ in range(_PASSES):
                if known.search(data) is None:
                    break
                data = known.sub(marker, data)
            else:
                if known.search(data) is not None:
                    return marker
        for pattern in _patterns()[1]:
            data = pattern.sub(lambda m: m.group(1) + marker, data)
        return data

    def value(self, value: Any) -> Any:
        """A JSON value with every string (keys too) redacted, and the whole value of each
        member named like a secret (:data:`SECRET_KEYS`) replaced."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self._member(str(k), v) for k, v in value.items()}
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """``headers`` with secret headers replaced whole and every value redacted."""
        return {k: self.text(v) for k, v in redact_headers(headers).items()}

    def _member(self, key: str, value: Any) -> Any:
        if key.lower().replace("-", "").replace("_", "") in SECRET_KEYS and value:
            return MARKER
        return self.value(value)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with each of ``secrets`` (in every form) and every secret-looking pattern
    replaced by :data:`MARKER`."""
    return Redactor(secrets).text(text)
