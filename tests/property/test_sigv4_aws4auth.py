"""Property tests: our SigV4 signer against requests-aws4auth, and against its own verifier.

requests-aws4auth is an independent implementation (h11 checks itself against the stdlib the
same way). Both sign the *same* wire URL: the one httpx builds from ``params``, or a raw query
string with hand-picked escapes. The whole ``Authorization`` value must be identical.

requests-aws4auth quirks, found by reading ``requests_aws4auth/aws4auth.py`` 1.4.0, and how
they are handled here (each difference was checked by hand against botocore 1.43):

* It always adds ``x-amz-content-sha256`` and signs every ``x-amz-*`` header by default. We
  pass ``include_hdrs`` naming exactly the headers we sign, and add the body-hash header only
  when ``sign_body_header=True`` is drawn.
* It reads the query with ``parse_qs`` (a bare ``+`` is a space), which is also our choice (see
  the ``_sigv4`` docstring); httpx writes a space as ``+``, so this matters for every space.
* It parses the path with ``urlparse``, which cuts ``;params`` off the last segment: for
  ``/x;p=1`` it signs ``/x``. botocore, aws-c-auth and we sign the whole path
  (``/x%3Bp%3D1``), as AWS receives it. Generated paths therefore contain no ``;``.
* It folds header whitespace with ``shlex.split``, which keeps runs of spaces inside quotes
  (``"a   b"``), while SigV4 (the ``get-header-value-trim`` vector, botocore) folds them
  everywhere. Generated header values therefore contain no ``'`` or ``"``.
* It decodes query escapes as UTF-8 with replacement, so an escape of invalid UTF-8 (``%FF``)
  is signed as ``%EF%BF%BD``; AWS and we keep the byte (``%FF``). httpx never writes such an
  escape from text, and hand-made raw queries here only escape ASCII bytes.
"""

from __future__ import annotations

import base64
import string
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict
from requests_aws4auth import AWS4Auth

from bedrock_paginate import _sigv4
from bedrock_paginate._sigv4 import (
    SIGNING_KEY_CACHE_SIZE,
    Verification,
    format_amz_date,
    sign_request,
    signing_key,
    verify_authorization,
)

ACCESS_KEY = "AKIDEXAMPLE"
SECRETS = ("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FAKESECRETdoNotUse+/0123456789abcdefghij")

# ------------------------------------------------------------------------------------------
# Strategies (inline on purpose; shared ones belong in tests/strategies.py)
# ------------------------------------------------------------------------------------------

RESERVED = "+/=&%~ ?#;:@!$'()*,[]"
base64_tokens = st.binary(min_size=0, max_size=300).map(lambda b: base64.b64encode(b).decode())
query_text = st.one_of(
    st.text(max_size=20),  # any unicode (no surrogates)
    st.text(alphabet=RESERVED + "aZ09-._", max_size=12),
    base64_tokens,
    st.just(""),
)
query_keys = st.one_of(
    st.sampled_from(["maxResults", "nextToken", "nameContains", "statusEquals", "sortBy"]),
    query_text,
)
query_pairs = st.lists(st.tuples(query_keys, query_text), max_size=6).flatmap(
    # repeat some pairs' keys with other values so repeated keys are common
    lambda pairs: (
        st.lists(st.sampled_from(pairs), max_size=3).map(
            lambda extra: pairs + [(k, v + "x") for k, v in extra]
        )
        if pairs
        else st.just(pairs)
    )
)
hosts = st.sampled_from(
    [
        ("https", "bedrock.us-east-1.amazonaws.com", None),
        ("https", "bedrock.eu-west-3.amazonaws.com", 443),
        ("http", "127.0.0.1", 8080),
        ("http", "localhost", 80),
        ("https", "localhost", 8443),
    ]
)
# Path segments: any text but ';' (requests-aws4auth cuts ';params', see the docstring); httpx
# rejects '?', '#' and control characters in a path.
segments = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc"), exclude_characters=";?#"),
    max_size=8,
)
paths = st.one_of(
    st.just("/model-invocation-jobs"),
    st.lists(segments, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts)),
)
header_names = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True).filter(
    lambda n: n not in {"host", "authorization"} and not n.startswith("x-amz-")
)
# Printable ASCII without quotes (requests-aws4auth's shlex keeps spaces inside quotes).
header_values = st.text(
    alphabet=st.sampled_from([c for c in string.printable if c not in "'\"\r\n\x0b\x0c"]),
    max_size=30,
)
extra_headers = st.dictionaries(header_names, header_values, max_size=3)
times = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.just(timezone.utc),
)
tokens = st.one_of(st.none(), base64_tokens.filter(bool))
scopes = st.sampled_from([("us-east-1", "bedrock"), ("eu-west-3", "bedrock"), ("us-west-2", "s3x")])

# A raw wire query built by hand: ASCII text with '+' and escapes of ASCII bytes, some
# lower-case, some of unreserved characters (%7E, %41), some not (%2B, %20, %2F).
raw_atoms = st.one_of(
    st.sampled_from(list(string.ascii_letters + string.digits + "-._~+!*'(),:@$/")),
    st.sampled_from(["%2B", "%2b", "%20", "%7E", "%7e", "%41", "%2F", "%3D", "%26", "%25", "%00"]),
    st.integers(0, 127).map(lambda b: f"%{b:02X}"),
)
raw_components = st.lists(raw_atoms, max_size=8).map("".join)
raw_queries = st.lists(
    st.tuples(raw_components, st.one_of(st.none(), raw_components)), max_size=5
).map(lambda pairs: "&".join(k if v is None else f"{k}={v}" for k, v in pairs))


def _url(scheme: str, host: str, port: int | None, path: str) -> httpx.URL:
    return httpx.URL(scheme=scheme, host=host, port=port, path=path)


def _wire(url: httpx.URL) -> str:
    """The URL as sent: scheme, netloc and the request-line target (``str(url)`` drops a
    bare ``/`` path, which requests-aws4auth would then sign as ``.``)."""
    return f"{url.scheme}://{url.netloc.decode('ascii')}{url.raw_path.decode('ascii')}"


# ------------------------------------------------------------------------------------------
# The oracle
# ------------------------------------------------------------------------------------------


def aws4auth_authorization(
    method: str,
    wire_url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    now: datetime,
    secret: str,
    region: str,
    service: str,
    token: str | None,
    sign_body_header: bool,
) -> str:
    """The Authorization header requests-aws4auth computes for the same wire request."""
    amz_date = format_amz_date(now)
    prepared = requests.PreparedRequest()
    prepared.method = method
    prepared.url = wire_url  # set directly: prepare_url() would re-quote the URL
    prepared.headers = CaseInsensitiveDict({**headers, "x-amz-date": amz_date})
    prepared.body = body or None
    include = {name.lower() for name in headers} | {"host", "x-amz-date"}
    if token:
        include.add("x-amz-security-token")
    if sign_body_header:
        include.add("x-amz-content-sha256")
    auth = AWS4Auth(
        ACCESS_KEY,
        secret,
        region,
        service,
        amz_date[:8],
        session_token=token,
        include_hdrs=include,
    )
    signed: Any = auth(prepared)
    authorization: str = signed.headers["Authorization"]
    return authorization


def ours(
    method: str,
    wire_url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    now: datetime,
    secret: str,
    region: str,
    service: str,
    token: str | None,
    sign_body_header: bool,
) -> dict[str, str]:
    """Our signer on the same inputs."""
    return sign_request(
        method,
        wire_url,
        headers,
        body,
        region=region,
        service=service,
        access_key=ACCESS_KEY,
        secret_key=secret,
        session_token=token,
        now=now,
        sign_body_header=sign_body_header,
    )


def examples(count: int) -> settings:
    """Hypothesis settings for these tests: ``count`` examples, no deadline (oracle is slow)."""
    return settings(max_examples=count, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------------
# Cross-check with requests-aws4auth
# ------------------------------------------------------------------------------------------


@examples(900)
@given(
    host=hosts,
    path=paths,
    pairs=query_pairs,
    now=times,
    secret=st.sampled_from(SECRETS),
    scope=scopes,
    token=tokens,
    give_host=st.booleans(),
)
def test_httpx_params_match_aws4auth(
    host: tuple[str, str, int | None],
    path: str,
    pairs: list[tuple[str, str]],
    now: datetime,
    secret: str,
    scope: tuple[str, str],
    token: str | None,
    give_host: bool,
) -> None:
    """A GET whose query httpx encoded from params signs exactly as requests-aws4auth signs it."""
    url = _url(*host, path).copy_with(params=httpx.QueryParams(tuple(pairs)))
    wire = _wire(url)
    headers = {"Host": url.netloc.decode("ascii")} if give_host else {}
    kwargs: dict[str, Any] = {
        "now": now,
        "secret": secret,
        "region": scope[0],
        "service": scope[1],
        "token": token,
        "sign_body_header": False,
    }
    expected = aws4auth_authorization("GET", wire, headers, b"", **kwargs)
    assert expected == ours("GET", wire, headers, b"", **kwargs)["Authorization"]


@examples(500)
@given(query=raw_queries, now=times, token=tokens)
def test_raw_wire_queries_match_aws4auth(query: str, now: datetime, token: str | None) -> None:
    """Hand-made wire queries (bare '+', lower-case and needless escapes) sign the same."""
    wire = f"https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs?{query}"
    kwargs: dict[str, Any] = {
        "now": now,
        "secret": SECRETS[0],
        "region": "us-east-1",
        "service": "bedrock",
        "token": token,
        "sign_body_header": False,
    }
    expected = aws4auth_authorization("GET", wire, {}, b"", **kwargs)
    assert expected == ours("GET", wire, {}, b"", **kwargs)["Authorization"]


@examples(400)
@given(
    host=hosts,
    path=paths,
    pairs=query_pairs,
    headers=extra_headers,
    method=st.sampled_from(["GET", "POST", "get"]),
    body=st.one_of(st.just(b""), st.binary(max_size=64)),
    now=times,
    token=tokens,
    sign_body_header=st.booleans(),
)
def test_headers_and_bodies_match_aws4auth(
    host: tuple[str, str, int | None],
    path: str,
    pairs: list[tuple[str, str]],
    headers: dict[str, str],
    method: str,
    body: bytes,
    now: datetime,
    token: str | None,
    sign_body_header: bool,
) -> None:
    """Extra headers (messy whitespace), bodies and the body-hash header sign the same."""
    url = _url(*host, path).copy_with(params=httpx.QueryParams(tuple(pairs)))
    kwargs: dict[str, Any] = {
        "now": now,
        "secret": SECRETS[1],
        "region": "eu-west-3",
        "service": "bedrock",
        "token": token,
        "sign_body_header": sign_body_header,
    }
    wire = _wire(url)
    expected = aws4auth_authorization(method.upper(), wire, headers, body, **kwargs)
    assert expected == ours(method, wire, headers, body, **kwargs)["Authorization"]


def test_plus_and_space_choice_is_exercised() -> None:
    """The '+' decision above is real: a bare '+' and '%2B' sign differently, '+' like '%20'."""
    base = "https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs?nameContains="
    kwargs: dict[str, Any] = {
        "now": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        "secret": SECRETS[0],
        "region": "us-east-1",
        "service": "bedrock",
        "token": None,
        "sign_body_header": False,
    }
    plus, space, literal = (
        ours("GET", base + v, {}, b"", **kwargs) for v in ("a+b", "a%20b", "a%2Bb")
    )
    assert plus == space
    assert plus != literal
    assert aws4auth_authorization("GET", base + "a+b", {}, b"", **kwargs) == plus["Authorization"]


# ------------------------------------------------------------------------------------------
# Sign, then verify (the fake-server helper)
# ------------------------------------------------------------------------------------------


def _secret_for(access_key: str) -> str | None:
    return SECRETS[0] if access_key == ACCESS_KEY else None


def _sign_and_send(
    url: httpx.URL, headers: dict[str, str], body: bytes, now: datetime, token: str | None
) -> httpx.Request:
    """An httpx request carrying our signature, as a client would send it."""
    added = sign_request(
        "GET",
        str(url),
        headers,
        body,
        region="us-east-1",
        service="bedrock",
        access_key=ACCESS_KEY,
        secret_key=SECRETS[0],
        session_token=token,
        now=now,
    )
    return httpx.Request("GET", url, headers={**headers, **added}, content=body)


def _verify(request: httpx.Request, now: datetime | None = None) -> Verification:
    return verify_authorization(
        request.method,
        str(request.url),
        request.headers,
        request.content,
        secret_key_for=_secret_for,
        now=now,
    )


@examples(150)
@given(
    host=hosts,
    path=paths,
    pairs=query_pairs,
    headers=extra_headers,
    now=times,
    token=tokens,
)
def test_signed_httpx_requests_verify(
    host: tuple[str, str, int | None],
    path: str,
    pairs: list[tuple[str, str]],
    headers: dict[str, str],
    now: datetime,
    token: str | None,
) -> None:
    """Every request we sign, once turned into an httpx.Request, passes verification."""
    url = _url(*host, path).copy_with(params=httpx.QueryParams(tuple(pairs)))
    request = _sign_and_send(url, headers, b"", now, token)
    result = _verify(request, now=now + timedelta(seconds=30))
    assert result.ok, result.message
    assert result.access_key == ACCESS_KEY


@examples(100)
@given(pairs=query_pairs, now=times, extra=st.text(min_size=1, max_size=5))
def test_changed_query_fails_verification(
    pairs: list[tuple[str, str]], now: datetime, extra: str
) -> None:
    """Adding a query parameter after signing makes verification fail."""
    url = httpx.URL("https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs")
    request = _sign_and_send(
        url.copy_with(params=httpx.QueryParams(tuple(pairs))), {}, b"", now, None
    )
    tampered = httpx.Request(
        "GET", request.url.copy_add_param("zz" + extra, extra), headers=request.headers
    )
    result = _verify(tampered)
    assert not result
    assert result.error_code == "InvalidSignatureException"


def _base_request(token: str | None = None) -> httpx.Request:
    url = httpx.URL("https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs?maxResults=5")
    return _sign_and_send(url, {}, b"", datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), token)


def _with_headers(request: httpx.Request, **changes: str | None) -> httpx.Request:
    headers = dict(request.headers)
    for name, value in changes.items():
        headers.pop(name.replace("_", "-"), None)
        if value is not None:
            headers[name.replace("_", "-")] = value
    return httpx.Request(request.method, request.url, headers=headers)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"authorization": None}, "MissingAuthenticationTokenException"),
        ({"authorization": "AWS4-HMAC-SHA1 Credential=x"}, "IncompleteSignatureException"),
        ({"x_amz_date": None}, "IncompleteSignatureException"),
        ({"x_amz_date": "20240102T030406Z"}, "InvalidSignatureException"),
        ({"x_amz_date": "20240103T030405Z"}, "InvalidSignatureException"),
        ({"host": "evil.example.com"}, "InvalidSignatureException"),
    ],
)
def test_tampered_requests_are_refused(changes: dict[str, str | None], code: str) -> None:
    """Missing, malformed or changed signed parts are refused with AWS's error code."""
    result = _verify(_with_headers(_base_request(), **changes))
    assert not result
    assert result.error_code == code


def test_unknown_access_key_is_refused() -> None:
    """A key the server does not know gives UnrecognizedClientException."""
    request = _base_request()
    auth = request.headers["authorization"].replace(ACCESS_KEY, "AKIDUNKNOWN")
    result = _verify(_with_headers(request, authorization=auth))
    assert (result.ok, result.error_code) == (False, "UnrecognizedClientException")


def test_unsigned_session_token_is_refused() -> None:
    """A session token that is sent but not signed is refused (our signer always signs it)."""
    request = _base_request(token="FAKETOKEN+/=")
    auth = request.headers["authorization"].replace(";x-amz-security-token", "")
    result = _verify(_with_headers(request, authorization=auth))
    assert (result.ok, result.error_code) == (False, "IncompleteSignatureException")


def test_stale_request_is_refused_only_when_now_is_given() -> None:
    """With now, a request older than max_skew is refused; without now, time is not checked."""
    request = _base_request()
    signed_at = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert _verify(request)
    assert _verify(request, now=signed_at + timedelta(minutes=4))
    late = _verify(request, now=signed_at + timedelta(minutes=6))
    assert (late.ok, late.error_code) == (False, "InvalidSignatureException")


def test_wrong_secret_is_refused() -> None:
    """The same request verified with another secret does not match."""
    request = _base_request()
    result = verify_authorization(
        "GET",
        str(request.url),
        request.headers,
        b"",
        secret_key_for=lambda _: SECRETS[1],
    )
    assert (result.ok, result.error_code) == (False, "InvalidSignatureException")


# ------------------------------------------------------------------------------------------
# Secrets: never shown, never cached in the clear; the cache stays small
# ------------------------------------------------------------------------------------------


@examples(50)
@given(
    secret=st.text(alphabet=string.ascii_letters + string.digits + "+/", min_size=40, max_size=40),
    token=base64_tokens.filter(lambda t: len(t) >= 16),
)
def test_nothing_shown_contains_a_secret(secret: str, token: str) -> None:
    """repr/str of what sign_request returns, and of the key cache, hide secret and token."""
    secret = "FAKE" + secret
    added = sign_request(
        "GET",
        "https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs",
        {},
        None,
        region="us-east-1",
        service="bedrock",
        access_key=ACCESS_KEY,
        secret_key=secret,
        session_token=token,
        now=datetime(2024, 1, 2, tzinfo=timezone.utc),
    )
    signature = added["Authorization"].rpartition("Signature=")[2]
    shown = [repr(added), str(added), repr(_sigv4._key_cache), str(list(_sigv4._key_cache))]
    for text in shown:
        assert secret not in text
        assert token not in text
        assert signature not in text
    for cache_key in _sigv4._key_cache:
        assert secret.encode() not in cache_key[0]
        assert secret not in cache_key


def test_signing_key_cache_is_bounded() -> None:
    """Deriving keys for many secrets keeps at most SIGNING_KEY_CACHE_SIZE of them, newest kept."""
    _sigv4.clear_signing_key_cache()
    secrets = [f"FAKESECRET{i:04d}" for i in range(SIGNING_KEY_CACHE_SIZE * 3)]
    keys = [signing_key(s, "20240102", "us-east-1", "bedrock") for s in secrets]
    assert len(_sigv4._key_cache) == SIGNING_KEY_CACHE_SIZE
    assert len(set(keys)) == len(keys)
    newest = _sigv4._key_cache[next(reversed(_sigv4._key_cache))]
    assert newest.key == keys[-1]
    _sigv4.clear_signing_key_cache()
    assert not _sigv4._key_cache


def test_cached_key_equals_fresh_derivation() -> None:
    """A cache hit returns the same key as a fresh derivation (the cache changes nothing)."""
    _sigv4.clear_signing_key_cache()
    first = signing_key(SECRETS[0], "20150830", "us-east-1", "service")
    assert first == signing_key(SECRETS[0], "20150830", "us-east-1", "service")
    assert len(_sigv4._key_cache) == 1
    _sigv4.clear_signing_key_cache()
    assert first == signing_key(SECRETS[0], "20150830", "us-east-1", "service")
