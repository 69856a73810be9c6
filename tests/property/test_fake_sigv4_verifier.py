"""The fake's SigV4 verifier (``bedrock_paginate.testing._auth``): what our signer signs passes,
what was changed after signing is refused with the error code AWS uses.

Also the paths the next operations will send: a job ARN in a path label arrives
percent-encoded (``arn%3Aaws%3Abedrock...%2Fjob``) and must be encoded *again* in the
canonical URI (non-S3 double encoding), by the signer and by the verifier alike.
"""

from __future__ import annotations

import string
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bedrock_paginate._sigv4 import canonical_request, canonical_uri, sign_request
from bedrock_paginate.testing._auth import AuthPolicy, Verification, verify_authorization
from bedrock_paginate.testing._time import from_datetime
from tests.strategies import sigv4_extra_headers as extra_headers
from tests.strategies import sigv4_hosts as hosts
from tests.strategies import sigv4_paths as paths
from tests.strategies import sigv4_query_pairs as query_pairs
from tests.strategies import sigv4_session_tokens as tokens
from tests.strategies import sigv4_times as times

ACCESS_KEY = "AKIDEXAMPLE"
SECRETS = ("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FAKESECRETdoNotUse+/0123456789abcdefghij")


def examples(count: int) -> settings:
    """``count`` examples, no deadline (httpx URL building is slow on a loaded machine)."""
    return settings(max_examples=count, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _url(scheme: str, host: str, port: int | None, path: str) -> httpx.URL:
    return httpx.URL(scheme=scheme, host=host, port=port, path=path)


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
# Path labels that are already percent-encoded (job ARNs, job names, any unicode)
# ------------------------------------------------------------------------------------------

JOB_ARN = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdef012345"
# The label as botocore puts it on the wire: every byte but A-Z a-z 0-9 - . _ ~ escaped.
JOB_ARN_WIRE = (
    "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Amodel-invocation-job%2Fabcdef012345"
)
BEDROCK = "https://bedrock.us-east-1.amazonaws.com"
NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

#: Job names as the service allows them: ``[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}``.
job_names = st.from_regex(r"[a-zA-Z0-9]{1,8}(-*[a-zA-Z0-9+\-.]){0,8}", fullmatch=True)
job_arns = st.from_regex(r"[a-z0-9]{12}", fullmatch=True).map(
    lambda job_id: f"arn:aws:bedrock:eu-west-3:123456789012:model-invocation-job/{job_id}"
)
#: Any label text: unicode, reserved characters, '%' and '/' ("." and ".." are path segments).
labels = st.one_of(
    job_names,
    job_arns,
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12),
    st.text(alphabet=string.punctuation + " é日🙂", min_size=1, max_size=12),
).filter(lambda label: label not in (".", ".."))


def _label_path(label: str) -> str:
    """The wire path of a ``/model-invocation-job/{jobIdentifier}`` request, as botocore
    renders a (non-greedy) URI label: UTF-8, every byte but the unreserved set escaped."""
    return "/model-invocation-job/" + quote(label, safe="-._~")


def test_arn_label_is_encoded_again_in_the_canonical_uri() -> None:
    """``%3A`` and ``%2F`` of a job ARN become ``%253A`` and ``%252F`` (not decoded, not kept)."""
    assert _label_path(JOB_ARN) == f"/model-invocation-job/{JOB_ARN_WIRE}"
    expected = (
        "/model-invocation-job/arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012"
        "%253Amodel-invocation-job%252Fabcdef012345"
    )
    assert expected == canonical_uri(f"/model-invocation-job/{JOB_ARN_WIRE}")
    headers = [("Host", "bedrock.us-east-1.amazonaws.com"), ("X-Amz-Date", "20240102T030405Z")]
    url = f"{BEDROCK}/model-invocation-job/{JOB_ARN_WIRE}"
    assert canonical_request("GET", url, headers, "e3b0").split("\n")[1] == expected


def _signed(path: str, query: str = "") -> tuple[str, dict[str, str]]:
    url = f"{BEDROCK}{path}" + (f"?{query}" if query else "")
    added = sign_request(
        "GET",
        url,
        {},
        None,
        region="us-east-1",
        service="bedrock",
        access_key=ACCESS_KEY,
        secret_key=SECRETS[0],
        now=NOW,
    )
    return url, dict(added)


@examples(150)
@given(label=labels)
def test_encoded_labels_verify_directly_and_through_the_fake(label: str) -> None:
    """A signed request whose path label was percent-encoded passes the verifier and the fake's
    auth policy, given the raw wire path, as the fake's server and transport receive it."""
    path = _label_path(label)
    url, added = _signed(path)
    request = httpx.Request("GET", url, headers=added)
    assert request.url.raw_path.decode("ascii") == path  # httpx sends the path unchanged
    assert _verify(request, now=NOW), label
    policy = AuthPolicy(check_sigv4=True, credentials={ACCESS_KEY: SECRETS[0]})
    headers = {"host": "bedrock.us-east-1.amazonaws.com", **added}
    assert policy.check("GET", path, [], headers, b"", now_micros=from_datetime(NOW)) is None


@examples(100)
@given(label=labels)
def test_label_verified_as_decoded_is_refused(label: str) -> None:
    """The double encoding is real: a server that decoded the wire path before verifying (and
    so encoded the label only once) refuses it, unless the label had nothing to escape."""
    assume("?" not in label and "#" not in label)  # a decoded path could not hold them
    _, added = _signed(_label_path(label))
    decoded = f"{BEDROCK}/model-invocation-job/{label}"
    result = verify_authorization(
        "GET", decoded, added, b"", secret_key_for={ACCESS_KEY: SECRETS[0]}.get
    )
    assert bool(result) == (quote(label, safe="-._~") == label)


@pytest.mark.parametrize("name", ["job-1", "Job+2.v3", "a--b", "ABCdef0123456789+-."])
def test_job_names_in_a_query_verify(name: str) -> None:
    """Every character a job name may hold survives ``nameContains`` signing and verifying."""
    url = httpx.URL(f"{BEDROCK}/model-invocation-jobs", params={"nameContains": name})
    _, added = _signed("/model-invocation-jobs", url.query.decode("ascii"))
    assert _verify(httpx.Request("GET", url, headers=added), now=NOW)
