"""AWS Signature Version 4 (``AWS4-HMAC-SHA256``, header signing): pure functions, no I/O.

This module owns every step of SigV4 for a request that is already on its way to the wire:
canonical URI, canonical query, canonical headers, payload hash, string to sign, signing key,
signature, and the ``Authorization`` header. The canonical request is assembled in one place
(``_assemble``), used by the step function :func:`canonical_request` and by
:func:`sign_request`, so the step tests exercise what signing uses. The reverse check that a
fake server makes lives in ``bedrock_paginate.testing._auth`` (``verify_authorization``), built
from these step functions.

Imports only the standard library, ``_redact`` (header redaction), ``_time`` (``X-Amz-Date``
formatting, the clock) and ``errors``: never httpx; it opens no sockets, does not log, and reads
the clock only when ``now`` is ``None``.

Wire URLs
    ``sign_request`` takes the URL exactly as it goes on the wire (percent-encoded, as httpx sends
    it). The path is normalised and then percent-encoded *once more*, as every non-S3 service
    expects (botocore, requests-aws4auth and aws-c-auth with ``use_double_uri_encode`` do the
    same): the wire path ``/a%20b`` is canonically ``/a%2520b``. Bedrock's path is the constant
    ``/model-invocation-jobs``, which no encoding changes. The AWS test vectors give *raw* paths
    (``/example space/``); passed as they are, they come out encoded exactly once, as expected.

Query strings
    Each key and value is percent-decoded and re-encoded with the RFC 3986 unreserved set
    (``A-Z a-z 0-9 - . _ ~``; everything else, including ``+ / = & %`` and space, becomes ``%XX``),
    then pairs are sorted by key, then value. A bare ``+`` on the wire is read as a *space*
    (``application/x-www-form-urlencoded`` rules), for three reasons: that is what httpx means by
    it (httpx writes a space in ``params`` as ``+`` and a real plus as ``%2B``); AWS's own Rust
    signer (``aws-sigv4``, which parses the query with ``form_urlencoded``) and requests-aws4auth
    read it so; and non-S3 services (OpenSearch, API Gateway) are reported to expect a wire ``+``
    to be signed as ``%20``. botocore never sends a bare ``+`` (it writes ``%20``), so it does
    not decide the question. S3 is reported to read a bare ``+`` literally; pass
    ``plus_is_space=False`` to :func:`canonical_query` for that. Writers that want no ambiguity
    should send ``%20`` and ``%2B``, never a bare ``+``.

Secrets
    The secret key, the derived signing keys and the session token never appear in a repr, an
    exception message or a log line. The signing-key cache is keyed by a salted digest of the
    secret (the salt is random per process), so the cache never holds the secret itself; it holds
    at most ``SIGNING_KEY_CACHE_SIZE`` derived keys, each valid for one day, region and service.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Final
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

from bedrock_paginate._redact import MARKER, redact_headers
from bedrock_paginate._time import format_amz_date as _format_amz_date
from bedrock_paginate._time import utc_now
from bedrock_paginate.errors import ParamValidationError

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "SIGNING_KEY_CACHE_SIZE",
    "SignedHeaders",
    "canonical_headers",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "clear_signing_key_cache",
    "credential_scope",
    "format_amz_date",
    "payload_hash",
    "sign_request",
    "signature",
    "signing_key",
    "string_to_sign",
]

#: The only algorithm this module speaks.
ALGORITHM: Final = "AWS4-HMAC-SHA256"
#: Hex SHA-256 of the empty body.
EMPTY_SHA256: Final = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#: How many derived signing keys are kept (one per secret, day, region and service).
SIGNING_KEY_CACHE_SIZE: Final = 16

HeadersInput = Mapping[str, str] | Iterable[tuple[str, str]]

_SHA256: Final = hashlib.sha256

# A query component that decoding and re-encoding would leave unchanged: unreserved characters,
# and upper-case %XX escapes of bytes that are *not* unreserved (%41 would decode to "A").
_CANONICAL_COMPONENT: Final = re.compile(
    r"(?:[A-Za-z0-9\-._~]"
    r"|%(?:[01][0-9A-F]|2[0-9A-CF]|3[A-F]|40|5[B-E]|60|7[B-DF]|[89A-F][0-9A-F]))*"
)
# A path that percent-encoding leaves unchanged.
_PLAIN_PATH: Final = re.compile(r"[A-Za-z0-9\-._~/]*")


# --------------------------------------------------------------------------------------------
# Values returned to callers
# --------------------------------------------------------------------------------------------


class SignedHeaders(dict[str, str]):
    """The headers to add to a request, as a plain ``dict``, whose repr hides secret values.

    Keys are ``X-Amz-Date``, ``Authorization`` and, when they apply, ``X-Amz-Security-Token``
    and ``X-Amz-Content-SHA256``. ``repr()``/``str()`` show ``[redacted]`` for the
    ``Authorization`` and token values.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"SignedHeaders({redact_headers(self)!r})"

    __str__ = __repr__


# --------------------------------------------------------------------------------------------
# The canonical request, one field at a time
# --------------------------------------------------------------------------------------------


def format_amz_date(now: datetime) -> str:
    """``now`` as an ``X-Amz-Date`` value (``YYYYMMDD'T'HHMMSS'Z'``, UTC).

    Raises:
        ParamValidationError: ``now`` is naive (has no time zone).
    """
    try:
        return _format_amz_date(now)
    except ValueError as exc:
        raise ParamValidationError(str(exc), param="now") from None


def credential_scope(date: str, region: str, service: str) -> str:
    """The credential scope ``YYYYMMDD/region/service/aws4_request``."""
    return f"{date}/{region}/{service}/aws4_request"


def payload_hash(body: bytes | str | None) -> str:
    """Lower-case hex SHA-256 of the body (``str`` is UTF-8 encoded; ``None`` is empty)."""
    if not body:
        return EMPTY_SHA256
    if isinstance(body, str):
        body = body.encode("utf-8")
    return _SHA256(body).hexdigest()


def _normalize_path(path: str) -> str:
    """Remove ``.`` and empty segments, resolve ``..``, keep a trailing ``/``, lead with ``/``."""
    if path[:1] == "/" and "//" not in path and "/." not in path:
        return path
    segments: list[str] = []
    for segment in path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if segments:
                segments.pop()
        else:
            segments.append(segment)
    normalized = "/" + "/".join(segments)
    if segments and path.endswith("/"):
        normalized += "/"
    return normalized


def canonical_uri(path: str, *, normalize: bool = True) -> str:
    """The canonical URI of ``path``: normalised (unless ``normalize`` is false), then encoded.

    Every byte but ``A-Z a-z 0-9 - . _ ~ /`` becomes ``%XX``, including ``%`` itself, so a wire
    path is encoded a second time (``/a%20b`` -> ``/a%2520b``) while a raw path is encoded once.
    """
    if normalize:
        path = _normalize_path(path)
    elif not path:
        path = "/"
    if _PLAIN_PATH.fullmatch(path):
        return path
    return quote(path, safe="/")


def _canonical_component(text: str, plus_is_space: bool) -> str:
    """One query key or value, percent-decoded then re-encoded with the unreserved set."""
    if _CANONICAL_COMPONENT.fullmatch(text):
        return text
    if plus_is_space and "+" in text:
        text = text.replace("+", " ")
    return quote_from_bytes(unquote_to_bytes(text), safe="")


def canonical_query(query: str, *, plus_is_space: bool = True) -> str:
    """The canonical query string of a wire query (the part after ``?``, without ``#``).

    Pairs are split on ``&`` (empty pieces are dropped) and on the first ``=`` (a key without
    ``=`` gets an empty value); each side is decoded and re-encoded, then the pairs are sorted
    by encoded key, then encoded value. ``plus_is_space`` reads a bare ``+`` as a space (form
    encoding, what non-S3 services do); set it to false to read it as a literal plus (S3).
    """
    if not query:
        return ""
    pairs: list[tuple[str, str]] = []
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            pairs.append(
                (
                    _canonical_component(key, plus_is_space),
                    _canonical_component(value, plus_is_space),
                )
            )
    pairs.sort()
    return "&".join([f"{key}={value}" for key, value in pairs])


def _header_items(headers: HeadersInput) -> Iterable[tuple[str, str]]:
    """``(name, value)`` pairs of ``headers``, keeping repeated headers apart where possible."""
    if type(headers) is dict:
        return headers.items()
    multi_items = getattr(headers, "multi_items", None)  # httpx.Headers: one pair per line
    if multi_items is not None:
        pairs: Iterable[tuple[str, str]] = multi_items()
        return pairs
    if isinstance(headers, Mapping):
        return headers.items()
    return headers


def _merge_headers(headers: HeadersInput) -> dict[str, str]:
    """Lower-case names mapped to trimmed, space-folded values; repeats joined with ``,``."""
    merged: dict[str, str] = {}
    for name, value in _header_items(headers):
        lname = name.lower()
        folded = " ".join(value.split())
        previous = merged.get(lname)
        merged[lname] = folded if previous is None else f"{previous},{folded}"
    return merged


def _format_headers(merged: Mapping[str, str]) -> tuple[str, str]:
    """The canonical headers block (each ``name:value\\n``) and the signed-headers list."""
    names = sorted(merged)
    block = "".join([f"{name}:{merged[name]}\n" for name in names])
    return block, ";".join(names)


def canonical_headers(headers: HeadersInput) -> tuple[str, str]:
    """The canonical headers block and the ``;``-joined signed header names of ``headers``.

    Names are lower-cased; values are trimmed and every run of whitespace (including folded
    line breaks) becomes one space; a repeated header's values are joined with ``,`` in the
    order given; headers are sorted by name. Every header given is signed.
    """
    return _format_headers(_merge_headers(headers))


def canonical_request(
    method: str,
    url: str,
    headers: HeadersInput,
    payload_sha256: str,
    *,
    normalize_path: bool = True,
) -> str:
    """The canonical request for ``url`` with exactly ``headers`` signed.

    ``headers`` must already include everything that is signed (``Host``, ``X-Amz-Date``, and
    ``X-Amz-Security-Token`` / ``X-Amz-Content-SHA256`` where they apply); nothing is added.
    """
    _, _, path, query = _split_url(url)
    request, _ = _assemble(
        method, path, query, _merge_headers(headers), payload_sha256, normalize_path
    )
    return request


def _assemble(
    method: str,
    path: str,
    query: str,
    merged: Mapping[str, str],
    payload_sha256: str,
    normalize_path: bool,
) -> tuple[str, str]:
    """The canonical request and the signed-headers list: the one place both are assembled.

    ``merged`` maps lower-case names to folded values (see :func:`_merge_headers`); every one
    of them is signed.
    """
    block, signed = _format_headers(merged)
    request = "\n".join(
        (
            method.upper(),
            canonical_uri(path, normalize=normalize_path),
            canonical_query(query),
            block,
            signed,
            payload_sha256,
        )
    )
    return request, signed


def string_to_sign(amz_date: str, scope: str, canonical_request: str) -> str:
    """The four-line string to sign (no final newline)."""
    digest = _SHA256(canonical_request.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


def signature(key: bytes, string_to_sign: str) -> str:
    """``hex(HMAC-SHA256(key, string_to_sign))``, where ``key`` comes from :func:`signing_key`."""
    return hmac.new(key, string_to_sign.encode("utf-8"), _SHA256).hexdigest()


# --------------------------------------------------------------------------------------------
# URL helpers
# --------------------------------------------------------------------------------------------


def _split_url(url: str) -> tuple[str, str, str, str]:
    """``(scheme, authority, path, query)`` of an absolute URL; the fragment is dropped.

    This is a plain string split, not a parser: the path and query are kept exactly as given
    (raw or percent-encoded, the signer does not care), and an empty path becomes ``/``.
    """
    start = url.find("://")
    if start <= 0:
        raise ParamValidationError(
            "url must be absolute, as in 'https://host/path?query' (no '://' found)",
            param="url",
        )
    scheme = url[:start].lower()
    start += 3
    fragment = url.find("#", start)
    if fragment >= 0:
        url = url[:fragment]
    question = url.find("?", start)
    if question >= 0:
        query = url[question + 1 :]
        url = url[:question]
    else:
        query = ""
    slash = url.find("/", start)
    if slash >= 0:
        return scheme, url[start:slash], url[slash:], query
    return scheme, url[start:], "/", query


def _host_header(scheme: str, authority: str) -> str:
    """The ``Host`` header an HTTP client sends for this authority (default ports dropped)."""
    at = authority.rfind("@")
    if at >= 0:
        authority = authority[at + 1 :]
    host = authority.lower()
    default_port = ":443" if scheme == "https" else ":80" if scheme == "http" else None
    if default_port is not None and host.endswith(default_port):
        host = host[: -len(default_port)]
    return host


# --------------------------------------------------------------------------------------------
# Signing keys (cached)
# --------------------------------------------------------------------------------------------


class _DerivedKey:
    """A signing key plus the two HMAC pad states that make each signature one hash cheaper."""

    __slots__ = ("inner", "key", "outer")

    def __init__(self, key: bytes) -> None:
        block = key.ljust(64, b"\0")  # SHA-256 block size; derived keys are 32 bytes
        self.key = key
        self.inner = _SHA256(bytes(b ^ 0x36 for b in block))
        self.outer = _SHA256(bytes(b ^ 0x5C for b in block))

    def hex_mac(self, message: bytes) -> str:
        """``hex(HMAC-SHA256(self.key, message))`` from the precomputed pad states (RFC 2104)."""
        inner = self.inner.copy()
        inner.update(message)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def __repr__(self) -> str:
        return f"<signing key {MARKER}>"


_CacheKey = tuple[bytes, str, str, str]
_key_cache: dict[_CacheKey, _DerivedKey] = {}
_key_cache_lock: Final = threading.Lock()
_FINGERPRINT_SALT: Final = os.urandom(16)


def _fingerprint(secret_key: str) -> bytes:
    """A salted digest standing in for the secret as a cache key (the secret is not kept)."""
    try:
        secret = secret_key.encode("utf-8")
    except UnicodeEncodeError:
        raise ParamValidationError(
            "secret_key must be text that can be encoded as UTF-8", param="secret_key"
        ) from None
    return _SHA256(_FINGERPRINT_SALT + secret).digest()


def _check_scope_part(name: str, value: str) -> None:
    """Reject a region or service that would make the credential scope ambiguous."""
    if not value or "/" in value or value != value.strip() or " " in value:
        raise ParamValidationError(
            f"{name} must be a non-empty name without '/' or spaces, got {value!r}", param=name
        )


def _derive(secret_key: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")."""
    _check_scope_part("region", region)
    _check_scope_part("service", service)
    key = hmac.digest(b"AWS4" + secret_key.encode("utf-8"), date.encode("ascii"), "sha256")
    key = hmac.digest(key, region.encode("utf-8"), "sha256")
    key = hmac.digest(key, service.encode("utf-8"), "sha256")
    return hmac.digest(key, b"aws4_request", "sha256")


def _derived_key(secret_key: str, date: str, region: str, service: str) -> _DerivedKey:
    """The cached :class:`_DerivedKey` for this scope, deriving it on a miss."""
    cache_key = (_fingerprint(secret_key), date, region, service)
    derived = _key_cache.get(cache_key)
    if derived is not None:
        return derived
    derived = _DerivedKey(_derive(secret_key, date, region, service))
    with _key_cache_lock:
        _key_cache[cache_key] = derived
        while len(_key_cache) > SIGNING_KEY_CACHE_SIZE:
            del _key_cache[next(iter(_key_cache))]  # oldest first
    return derived


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """The SigV4 signing key for ``date`` (``YYYYMMDD``), ``region`` and ``service``.

    Cached: at most :data:`SIGNING_KEY_CACHE_SIZE` keys are kept, keyed by a salted digest of
    the secret, never the secret itself.

    Raises:
        ParamValidationError: ``region`` or ``service`` is empty or contains ``/`` or spaces.
    """
    return _derived_key(secret_key, date, region, service).key


def clear_signing_key_cache() -> None:
    """Forget every cached signing key (for example after the credentials were rotated)."""
    with _key_cache_lock:
        _key_cache.clear()


# --------------------------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------------------------


def sign_request(
    method: str,
    url: str,
    headers: HeadersInput,
    body: bytes | str | None,
    *,
    region: str,
    service: str,
    access_key: str,
    secret_key: str,
    session_token: str | None = None,
    now: datetime | None = None,
    normalize_path: bool = True,
    sign_body_header: bool = False,
    sign_session_token: bool = True,
) -> SignedHeaders:
    """Sign a request with SigV4 and return only the headers to add to it.

    Args:
        method: HTTP method (upper-cased for signing).
        url: the absolute wire URL, percent-encoded as it is sent (see the module docstring).
        headers: headers that will be sent unchanged; *all* of them are signed. Pass pairs
            (or ``httpx.Headers``) to keep repeated headers apart. ``Host`` is derived from
            ``url`` when absent (default ports dropped). A given ``Authorization`` is ignored;
            a given ``X-Amz-Date`` (and ``X-Amz-Security-Token`` when ``session_token`` is
            set) is replaced by the one returned.
        body: the body bytes (``str`` is UTF-8 encoded, ``None`` means empty).
        region, service: the credential scope.
        access_key, secret_key, session_token: the credentials.
        now: signing time (timezone-aware); the clock is read only when this is ``None``.
        normalize_path: normalise ``.``/``..``/``//`` in the path (false for S3-style signing).
        sign_body_header: also send and sign ``X-Amz-Content-SHA256`` (Bedrock does not).
        sign_session_token: sign ``X-Amz-Security-Token`` (false only to reproduce signers
            that add the token after signing).

    Returns:
        ``X-Amz-Date``, ``Authorization``, and ``X-Amz-Security-Token`` (when a token is given)
        and ``X-Amz-Content-SHA256`` (when ``sign_body_header``), in a ``dict`` whose repr
        hides the secret values.

    Raises:
        ParamValidationError: ``url`` is not absolute, ``now`` is naive, or ``region`` /
            ``service`` is malformed.
    """
    amz_date = format_amz_date(utc_now() if now is None else now)
    date = amz_date[:8]
    scheme, authority, path, query = _split_url(url)
    body_sha256 = payload_hash(body)

    merged = _merge_headers(headers)
    merged.pop("authorization", None)
    if "host" not in merged:
        merged["host"] = _host_header(scheme, authority)
    merged["x-amz-date"] = amz_date
    if session_token:
        merged.pop("x-amz-security-token", None)
        if sign_session_token:
            merged["x-amz-security-token"] = " ".join(session_token.split())
    if sign_body_header:
        merged["x-amz-content-sha256"] = body_sha256
    request, signed = _assemble(method, path, query, merged, body_sha256, normalize_path)
    scope = credential_scope(date, region, service)
    to_sign = string_to_sign(amz_date, scope, request)
    mac = _derived_key(secret_key, date, region, service).hex_mac(to_sign.encode("utf-8"))

    added = SignedHeaders()
    added["X-Amz-Date"] = amz_date
    if session_token:
        added["X-Amz-Security-Token"] = session_token
    if sign_body_header:
        added["X-Amz-Content-SHA256"] = body_sha256
    added["Authorization"] = (
        f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed}, Signature={mac}"
    )
    return added
