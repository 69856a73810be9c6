"""Property tests: our SigV4 signer against requests-aws4auth.

The fake's verifier is tested in ``test_fake_sigv4_verifier.py``.

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

import string
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import httpx
import requests
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict
from requests_aws4auth import AWS4Auth

from bedrock_paginate import _sigv4
from bedrock_paginate._sigv4 import (
    SIGNING_KEY_CACHE_SIZE,
    format_amz_date,
    sign_request,
    signing_key,
)
from tests.strategies import sigv4_base64_tokens as base64_tokens
from tests.strategies import sigv4_extra_headers as extra_headers
from tests.strategies import sigv4_hosts as hosts
from tests.strategies import sigv4_paths as paths
from tests.strategies import sigv4_query_pairs as query_pairs
from tests.strategies import sigv4_session_tokens as tokens
from tests.strategies import sigv4_times as times

ACCESS_KEY = "AKIDEXAMPLE"
SECRETS = ("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FAKESECRETdoNotUse+/0123456789abcdefghij")

# ------------------------------------------------------------------------------------------
# Strategies (inline on purpose; shared ones belong in tests/strategies.py)
# ------------------------------------------------------------------------------------------

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


# A URI label as botocore renders it (job ARN, job name, any unicode): every byte but the
# unreserved set escaped, so the wire path already holds escapes such as %3A and %2F.
encoded_labels = st.one_of(
    st.from_regex(r"[a-z0-9]{12}", fullmatch=True).map(
        lambda job_id: f"arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/{job_id}"
    ),
    st.from_regex(r"[a-zA-Z0-9]{1,8}(-*[a-zA-Z0-9+\-.]){0,8}", fullmatch=True),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12),
).map(lambda label: quote(label, safe="-._~"))


@examples(200)
@given(label=encoded_labels, now=times, token=tokens)
def test_percent_encoded_path_labels_match_aws4auth(
    label: str, now: datetime, token: str | None
) -> None:
    """A wire path holding escapes (``arn%3Aaws...%2Fjob``) is encoded again by both signers."""
    assume(label not in (".", ".."))
    wire = f"https://bedrock.us-east-1.amazonaws.com/model-invocation-job/{label}"
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
