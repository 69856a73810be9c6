"""The SigV4 signer, step by step against the AWS test vectors, then what they do not cover.

The vectors are an unmodified copy of aws-c-auth's suite in ``tests/data/sigv4-test-suite``
(Apache-2.0; its README, LICENSE and NOTICE are beside it); ``../shared/sigv4-test-suite`` is
used if the copy is absent, and ``SIGV4_TEST_SUITE`` points elsewhere. A missing suite fails the
run: a skip would hide a broken setup.

Every case is checked in four separate steps (canonical request, string to sign, signature,
headers of the signed request) so a failure names the step that broke. Expected files are
compared byte for byte. The ``query-*`` files (presigned URLs) are not used: this library only
signs with the ``Authorization`` header.

``request.txt`` targets are raw (unencoded); they are passed to the signer as they are, so the
path is percent-encoded exactly once, as the vectors expect (see the ``_sigv4`` docstring).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bedrock_paginate import _sigv4
from bedrock_paginate._sigv4 import (
    EMPTY_SHA256,
    SignedHeaders,
    canonical_query,
    canonical_request,
    canonical_uri,
    credential_scope,
    format_amz_date,
    payload_hash,
    sign_request,
    signature,
    signing_key,
    string_to_sign,
)
from bedrock_paginate.errors import ParamValidationError
from bedrock_paginate.testing._auth import verify_authorization

#: The 28 cases a standard (non-S3) header signer must reproduce with default options.
STANDARD_CASES = (
    "get-vanilla",
    "get-vanilla-query",
    "get-vanilla-empty-query-key",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-order-encoded",
    "get-vanilla-query-unreserved",
    "get-vanilla-utf8-query",
    "get-unreserved",
    "get-utf8",
    "get-space-normalized",
    "get-slash-normalized",
    "get-slashes-normalized",
    "get-slash-dot-slash-normalized",
    "get-slash-pointless-dot-normalized",
    "get-relative-normalized",
    "get-relative-relative-normalized",
    "get-header-key-duplicate",
    "get-header-value-order",
    "get-header-value-trim",
    "get-header-value-multiline",
    "get-vanilla-with-session-token",
    "post-vanilla",
    "post-vanilla-query",
    "post-vanilla-empty-query-value",
    "post-header-key-case",
    "post-header-key-sort",
    "post-header-value-case",
    "post-sts-header-before",
)
#: S3-style cases: the path is not normalised (``normalize_path=False``).
UNNORMALIZED_CASES = (
    "get-relative-unnormalized",
    "get-relative-relative-unnormalized",
    "get-slash-unnormalized",
    "get-slashes-unnormalized",
    "get-slash-dot-slash-unnormalized",
    "get-slash-pointless-dot-unnormalized",
    "get-space-unnormalized",
)
#: The session token is added after signing (``sign_session_token=False``).
UNSIGNED_TOKEN_CASES = ("post-sts-header-after",)
#: The body hash is sent as a signed ``x-amz-content-sha256`` (``sign_body_header=True``).
SIGN_BODY_CASES = ("post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters")
ALL_CASES = STANDARD_CASES + UNNORMALIZED_CASES + UNSIGNED_TOKEN_CASES + SIGN_BODY_CASES

#: Headers the signer adds, compared by value in the signed request.
ADDED_HEADERS = ("x-amz-date", "authorization", "x-amz-security-token", "x-amz-content-sha256")


def _suite_root() -> Path | None:
    """The ``v4`` folder of the test suite, or ``None`` when it cannot be found.

    ``SIGV4_TEST_SUITE`` if set, else the copy in ``tests/data`` (unmodified, with its Apache-2.0
    LICENSE and NOTICE), else ``../shared/sigv4-test-suite`` beside the repository.
    """
    override = os.environ.get("SIGV4_TEST_SUITE")
    here = Path(__file__).resolve().parent
    bases = (
        [Path(override)]
        if override
        else [
            here / "data" / "sigv4-test-suite",
            here.parent.parent / "shared" / "sigv4-test-suite",
        ]
    )
    for base in bases:
        for candidate in (base / "v4", base):
            if (candidate / "get-vanilla" / "request.txt").is_file():
                return candidate
    return None


@pytest.fixture(scope="module")
def suite() -> Path:
    """The vectors folder; fails (never skips) when it is missing."""
    root = _suite_root()
    if root is None:
        pytest.fail(
            "SigV4 test suite not found: expected tests/data/sigv4-test-suite/v4 (or "
            "../shared/sigv4-test-suite/v4 beside the repository), or set SIGV4_TEST_SUITE"
        )
    return root


@dataclass(frozen=True)
class Request:
    """A parsed ``request.txt`` (or ``header-signed-request.txt``)."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes


def parse_request(raw: bytes) -> Request:
    """Parse a request file the way the aws-c-auth harness does.

    Line 1 is ``METHOD SP target SP HTTP/1.1`` (the target may contain spaces); each header is
    ``Name:value`` with the value taken untrimmed after the first ``:``; a line starting with
    whitespace continues the previous value; the first empty line ends the headers and the rest
    of the file, byte for byte, is the body. (Unlike the signed-request files, most
    ``request.txt`` files end right after the last header line, with no empty line.)
    """
    head, blank_line, body = raw.partition(b"\n\n")
    if not blank_line:
        head = raw.removesuffix(b"\n")
    lines = head.decode("utf-8").split("\n")
    method, _, rest = lines[0].partition(" ")
    target, _, version = rest.rpartition(" ")
    assert version == "HTTP/1.1", lines[0]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t"):
            name, value = headers[-1]
            headers[-1] = (name, f"{value}\n{line}")
        else:
            name, sep, value = line.partition(":")
            assert sep, line
            headers.append((name, value))
    return Request(method=method, target=target, headers=headers, body=body)


@dataclass(frozen=True)
class Case:
    """One vector folder, read."""

    name: str
    folder: Path
    context: dict[str, Any]
    request: Request

    @property
    def now(self) -> datetime:
        """The signing time."""
        return datetime.fromisoformat(self.context["timestamp"].replace("Z", "+00:00"))

    @property
    def token(self) -> str | None:
        """The session token, if any."""
        token: str | None = self.context["credentials"].get("token")
        return token

    @property
    def url(self) -> str:
        """An absolute URL for the raw target (the Host header is what gets signed)."""
        return f"https://example.amazonaws.com{self.request.target}"

    def expected(self, name: str) -> bytes:
        """The bytes of an expected-output file."""
        return (self.folder / name).read_bytes()

    def options(self) -> dict[str, bool]:
        """``sign_request`` options that reproduce this case's signing mode."""
        return {
            "normalize_path": bool(self.context["normalize"]),
            "sign_body_header": bool(self.context["sign_body"]),
            "sign_session_token": not self.context.get("omit_session_token", False),
        }

    def headers_to_sign(self) -> list[tuple[str, str]]:
        """The request headers plus what the signer adds before signing."""
        headers = [*self.request.headers, ("X-Amz-Date", format_amz_date(self.now))]
        options = self.options()
        if self.token is not None and options["sign_session_token"]:
            headers.append(("X-Amz-Security-Token", self.token))
        if options["sign_body_header"]:
            headers.append(("x-amz-content-sha256", payload_hash(self.request.body)))
        return headers

    def sign(self) -> dict[str, str]:
        """Sign the request with ``sign_request`` as a client would."""
        credentials = self.context["credentials"]
        return sign_request(
            self.request.method,
            self.url,
            self.request.headers,
            self.request.body,
            region=self.context["region"],
            service=self.context["service"],
            access_key=credentials["access_key_id"],
            secret_key=credentials["secret_access_key"],
            session_token=self.token,
            now=self.now,
            **self.options(),
        )


def load(suite: Path, name: str) -> Case:
    """Read one case folder."""
    folder = suite / name
    return Case(
        name=name,
        folder=folder,
        context=json.loads((folder / "context.json").read_bytes()),
        request=parse_request((folder / "request.txt").read_bytes()),
    )


def _canonical(case: Case) -> str:
    return canonical_request(
        case.request.method,
        case.url,
        case.headers_to_sign(),
        payload_hash(case.request.body),
        normalize_path=case.options()["normalize_path"],
    )


def _string_to_sign(case: Case) -> str:
    amz_date = format_amz_date(case.now)
    scope = credential_scope(amz_date[:8], case.context["region"], case.context["service"])
    return string_to_sign(amz_date, scope, _canonical(case))


def _key(case: Case) -> bytes:
    return signing_key(
        case.context["credentials"]["secret_access_key"],
        format_amz_date(case.now)[:8],
        case.context["region"],
        case.context["service"],
    )


def _added_headers(case: Case) -> dict[str, str]:
    """Headers present in ``header-signed-request.txt`` but not in ``request.txt``."""
    signed = parse_request(case.expected("header-signed-request.txt"))
    original = {name.lower() for name, _ in case.request.headers}
    return {name.lower(): value for name, value in signed.headers if name.lower() not in original}


params = pytest.mark.parametrize("name", ALL_CASES)


@params
def test_canonical_request(suite: Path, name: str) -> None:
    """Step 1: the canonical request matches the vector byte for byte."""
    case = load(suite, name)
    assert case.expected("header-canonical-request.txt") == _canonical(case).encode("utf-8")


@params
def test_string_to_sign(suite: Path, name: str) -> None:
    """Step 2: the string to sign matches the vector byte for byte."""
    case = load(suite, name)
    assert case.expected("header-string-to-sign.txt") == _string_to_sign(case).encode("utf-8")


@params
def test_signature(suite: Path, name: str) -> None:
    """Step 3: the signature matches the vector."""
    case = load(suite, name)
    actual = signature(_key(case), _string_to_sign(case))
    assert case.expected("header-signature.txt") == actual.encode("ascii")


@params
def test_signed_request_headers(suite: Path, name: str) -> None:
    """Step 4: sign_request returns exactly the headers the signed request gained."""
    case = load(suite, name)
    added = _added_headers(case)
    assert set(added) <= set(ADDED_HEADERS)
    assert added == {k.lower(): v for k, v in case.sign().items()}


def test_every_case_is_classified(suite: Path) -> None:
    """All 38 vector folders are covered; none is silently ignored."""
    on_disk = sorted(p.name for p in suite.iterdir() if p.is_dir())
    assert sorted(ALL_CASES) == on_disk
    assert len(STANDARD_CASES) == 28


def _cases(suite: Path, names: tuple[str, ...]) -> Iterator[Case]:
    return (load(suite, name) for name in names)


def test_standard_cases_use_default_options(suite: Path) -> None:
    """The 28 standard cases need no option: normalised path, unsigned body, signed token."""
    defaults = {"normalize_path": True, "sign_body_header": False, "sign_session_token": True}
    for case in _cases(suite, STANDARD_CASES):
        assert case.options() == defaults, case.name


def test_other_modes_are_what_their_lists_say(suite: Path) -> None:
    """Each non-standard case differs from the defaults in exactly its one option."""
    for case in _cases(suite, UNNORMALIZED_CASES):
        assert not case.options()["normalize_path"], case.name
    for case in _cases(suite, UNSIGNED_TOKEN_CASES):
        assert not case.options()["sign_session_token"], case.name
        assert case.token is not None
    for case in _cases(suite, SIGN_BODY_CASES):
        assert case.options()["sign_body_header"], case.name
        assert case.request.body == b"Param1=value1"


def test_suite_files_are_unmodified(suite: Path) -> None:
    """The vector files still match the suite's SHA256SUMS (nothing edited them)."""
    sums = suite.parent / "SHA256SUMS"
    if not sums.is_file():
        pytest.fail(f"{sums} is missing")
    checked = 0
    for line in sums.read_text().splitlines():
        digest, _, relative = line.partition("  ")
        path = suite.parent / relative.lstrip("*")
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, relative
            checked += 1
    assert checked >= 380


def test_request_parser_keeps_values_untrimmed(suite: Path) -> None:
    """The parser keeps leading spaces and folded lines, as the README requires."""
    trim = load(suite, "get-header-value-trim").request
    assert ("My-Header2", ' "a   b   c"') in trim.headers
    multiline = load(suite, "get-header-value-multiline").request
    assert multiline.headers[-1] == ("My-Header1", "value1\n  value2\n     value3")
    form = load(suite, "post-x-www-form-urlencoded").request
    assert form.body == b"Param1=value1"


def test_signature_helper_is_plain_hmac(suite: Path) -> None:
    """signature() is HMAC-SHA256 of the string to sign under the derived key."""
    case = load(suite, "get-vanilla")
    sts = _string_to_sign(case)
    expected = hmac.new(_key(case), sts.encode(), hashlib.sha256).hexdigest()
    assert expected == signature(_key(case), sts)


@params
def test_verifier_accepts_the_vector_signed_request(suite: Path, name: str) -> None:
    """verify_authorization accepts each signed request of the suite (token-after is refused)."""
    case = load(suite, name)
    signed = parse_request(case.expected("header-signed-request.txt"))
    result = verify_authorization(
        signed.method,
        f"https://example.amazonaws.com{signed.target}",
        signed.headers,
        signed.body,
        secret_key_for={"AKIDEXAMPLE": case.context["credentials"]["secret_access_key"]}.get,
        now=case.now,
        normalize_path=case.options()["normalize_path"],
    )
    if name in UNSIGNED_TOKEN_CASES:
        assert (result.ok, result.error_code) == (False, "IncompleteSignatureException")
    else:
        assert result.ok, result.message


# ------------------------------------------------------------------------------------------
# Behaviour the vectors do not cover
# ------------------------------------------------------------------------------------------

NOW = datetime(2015, 8, 30, 12, 36, tzinfo=timezone.utc)
CREDENTIALS: dict[str, Any] = {
    "region": "us-east-1",
    "service": "bedrock",
    "access_key": "AKIDEXAMPLE",
    "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
}
BEDROCK = "https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs"


def _signed_headers(authorization: str) -> str:
    return authorization.split("SignedHeaders=")[1].split(",")[0]


def _sign(url: str, headers: Any = (), **options: Any) -> dict[str, str]:
    return sign_request("GET", url, headers, None, now=NOW, **CREDENTIALS, **options)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://bedrock.us-east-1.amazonaws.com/x", "bedrock.us-east-1.amazonaws.com"),
        ("https://Bedrock.US-East-1.amazonaws.com:443/x", "bedrock.us-east-1.amazonaws.com"),
        ("http://127.0.0.1:8080/x", "127.0.0.1:8080"),
        ("http://127.0.0.1:80/x", "127.0.0.1"),
        ("http://localhost:443/x", "localhost:443"),
        ("https://user:pw@[::1]:8443/x", "[::1]:8443"),
        ("https://example.com", "example.com"),
    ],
)
def test_host_is_derived_from_the_url(url: str, host: str) -> None:
    """Without a Host header the URL's host is signed, default ports and userinfo dropped."""
    expected = _sign(url, {"Host": host})
    assert expected == _sign(url)


def test_given_host_header_wins() -> None:
    """A Host header given by the caller is what gets signed."""
    assert _sign(BEDROCK, {"host": "other.example"}) != _sign(BEDROCK)
    assert _sign(BEDROCK, {"host": "other.example"}) == _sign(
        "https://other.example/model-invocation-jobs"
    )


def test_bedrock_wire_url_canonical_request() -> None:
    """The Bedrock list URL's canonical request is what botocore signs for the same params."""
    url = f"{BEDROCK}?nextToken=abc%2B%2F%3D&maxResults=10"
    headers = [("Host", "bedrock.us-east-1.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]
    assert canonical_request("GET", url, headers, EMPTY_SHA256) == (
        "GET\n/model-invocation-jobs\nmaxResults=10&nextToken=abc%2B%2F%3D\n"
        "host:bedrock.us-east-1.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
        f"host;x-amz-date\n{EMPTY_SHA256}"
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/model-invocation-jobs", "/model-invocation-jobs"),
        ("/a%20b", "/a%2520b"),
        ("/a b/%E1%88%B4", "/a%20b/%25E1%2588%25B4"),
        ("/a/./b/../c//", "/a/c/"),
        ("/x;p=1:@", "/x%3Bp%3D1%3A%40"),
        ("", "/"),
    ],
)
def test_wire_paths_are_encoded_again(path: str, expected: str) -> None:
    """A wire path is normalised and then encoded once more (non-S3 double encoding)."""
    assert expected == canonical_uri(path)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("b=2&a=1&a=0", "a=0&a=1&b=2"),
        ("k", "k="),
        ("k=&=v&&", "=v&k="),
        ("k=a+b", "k=a%20b"),
        ("k=a%2Bb%2b", "k=a%2Bb%2B"),
        ("k=%7e%41~", "k=~A~"),
        ("k=a/b:c!", "k=a%2Fb%3Ac%21"),
        ("k=%FF%zz", "k=%FF%25zz"),
        ("k=%E1%88%B4&K=1", "K=1&k=%E1%88%B4"),
    ],
)
def test_canonical_query_reencodes_wire_queries(query: str, expected: str) -> None:
    """Keys and values are decoded and re-encoded (bare '+' is a space), then sorted."""
    assert expected == canonical_query(query)


def test_plus_can_be_read_literally() -> None:
    """plus_is_space=False reads a bare '+' as a plus (S3's reading)."""
    assert canonical_query("k=a+b", plus_is_space=False) == "k=a%2Bb"


def test_repeated_headers_from_httpx_stay_apart() -> None:
    """httpx.Headers with a repeated name is signed as 'a,b', as AWS joins the two lines."""
    import httpx

    headers = httpx.Headers([("My-Header", "a"), ("My-Header", "b")])
    assert _sign(BEDROCK, headers) == _sign(BEDROCK, [("my-header", "a"), ("MY-HEADER", " b ")])
    assert _sign(BEDROCK, headers) != _sign(BEDROCK, {"my-header": "a, b"})


def test_stale_auth_headers_given_by_the_caller_are_replaced() -> None:
    """A previous attempt's Authorization, X-Amz-Date and token do not leak into the signature."""
    stale = {
        "Authorization": "AWS4-HMAC-SHA256 old",
        "X-Amz-Date": "20000101T000000Z",
        "X-Amz-Security-Token": "FAKEOLDTOKEN",
    }
    assert _sign(BEDROCK, stale, session_token="FAKETOKEN") == _sign(
        BEDROCK, session_token="FAKETOKEN"
    )


def test_token_and_body_header_are_returned_and_signed() -> None:
    """The token and the optional body hash come back as headers, and are signed."""
    added = _sign(BEDROCK, session_token="FAKETOKEN", sign_body_header=True)
    assert added["X-Amz-Security-Token"] == "FAKETOKEN"
    assert added["X-Amz-Content-SHA256"] == EMPTY_SHA256
    assert _signed_headers(added["Authorization"]) == (
        "host;x-amz-content-sha256;x-amz-date;x-amz-security-token"
    )
    assert set(_sign(BEDROCK)) == {"X-Amz-Date", "Authorization"}


def test_string_and_bytes_bodies_hash_alike() -> None:
    """A str body is signed as its UTF-8 bytes; None as the empty body."""
    assert payload_hash("é") == hashlib.sha256("é".encode()).hexdigest()
    assert payload_hash(None) == payload_hash(b"") == EMPTY_SHA256


def test_now_none_reads_the_clock() -> None:
    """Without now, the signing time is the current UTC time."""
    before = datetime.now(timezone.utc).replace(microsecond=0)
    added = sign_request("GET", BEDROCK, {}, None, **CREDENTIALS)
    after = datetime.now(timezone.utc)
    signed_at = datetime.strptime(added["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
        tzinfo=timezone.utc
    )
    assert before <= signed_at <= after


def test_now_in_another_zone_is_converted() -> None:
    """An aware now in another time zone is signed as the same instant in UTC."""
    paris = NOW.astimezone(timezone(timedelta(hours=2)))
    assert _sign(BEDROCK) == sign_request("GET", BEDROCK, (), None, now=paris, **CREDENTIALS)


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"now": datetime(2015, 8, 30)}, "now"),
        ({"url": "/model-invocation-jobs"}, "url"),
        ({"region": "us-east-1/x"}, "region"),
        ({"service": ""}, "service"),
    ],
)
def test_bad_arguments_raise_param_validation_error(change: dict[str, Any], param: str) -> None:
    """Naive times, relative URLs and malformed scopes are refused, naming the argument."""
    arguments: dict[str, Any] = {"now": NOW, "url": BEDROCK, **CREDENTIALS, **change}
    url = arguments.pop("url")
    with pytest.raises(ParamValidationError) as info:
        sign_request("GET", url, {}, None, **arguments)
    assert info.value.param == param
    assert CREDENTIALS["secret_key"] not in str(info.value)


def test_returned_headers_hide_secrets_when_shown() -> None:
    """The returned dict is a plain dict of strings whose repr and str mask secret values."""
    added = _sign(BEDROCK, session_token="FAKETOKEN")
    assert type(added) is SignedHeaders
    assert isinstance(added, dict)
    for shown in (repr(added), str(added), f"{added}"):
        assert "FAKETOKEN" not in shown
        assert "Signature=" not in shown
        assert "20150830T123600Z" in shown


def test_fast_hmac_matches_hmac_module() -> None:
    """The precomputed-pad HMAC used on the hot path equals hmac.new."""
    key = signing_key(CREDENTIALS["secret_key"], "20150830", "us-east-1", "bedrock")
    for message in (b"", b"x" * 200, "é".encode()):
        expected = hmac.new(key, message, hashlib.sha256).hexdigest()
        derived = _sigv4._derived_key(CREDENTIALS["secret_key"], "20150830", "us-east-1", "bedrock")
        assert expected == derived.hex_mac(message)
