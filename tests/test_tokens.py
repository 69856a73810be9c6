"""The resume-token codec (bedrock_paginate._tokens): byte-identical with botocore, strict on ours.

The expected base64 strings below were produced by hand with botocore 1.43.11 (an independent
implementation): ``botocore.paginate.TokenEncoder().encode({...})`` for the plain vectors, and
``PageIterator.resume_token`` with a stubbed operation for the ones named after a listing.
botocore is not imported here.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bedrock_paginate._tokens import TRUNCATE_KEY, StartPosition, decode_token, encode_token
from bedrock_paginate.errors import InvalidStartingTokenError, ParamValidationError
from tests.strategies import resume_contents, service_token, service_tokens

KEYS = ("nextToken",)

# (nextToken, boto_truncate_amount or None, botocore 1.43.11's token)
BOTOCORE_VECTORS = [
    pytest.param("abc123", None, "eyJuZXh0VG9rZW4iOiAiYWJjMTIzIn0=", id="plain-next-token"),
    pytest.param(
        "abc123",
        2,
        "eyJuZXh0VG9rZW4iOiAiYWJjMTIzIiwgImJvdG9fdHJ1bmNhdGVfYW1vdW50IjogMn0=",
        id="truncated-mid-page",
    ),
    pytest.param(
        None,
        3,
        "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAzfQ==",
        id="first-page-truncation",
    ),
    pytest.param(
        None,
        0,
        "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAwfQ==",
        id="max-items-zero",
    ),
    pytest.param(
        "a+b/c=",
        1,
        "eyJuZXh0VG9rZW4iOiAiYStiL2M9IiwgImJvdG9fdHJ1bmNhdGVfYW1vdW50IjogMX0=",
        id="plus-slash-equals",
    ),
    pytest.param("a+b/c==", None, "eyJuZXh0VG9rZW4iOiAiYStiL2M9PSJ9", id="padding"),
    pytest.param(
        "jöb-ñame-日本-🙂",
        None,
        "eyJuZXh0VG9rZW4iOiAialx1MDBmNmItXHUwMGYxYW1lLVx1NjVlNVx1NjcyYy1cdWQ4M2RcdWRlNDIifQ==",
        id="unicode",
    ),
    pytest.param(
        "jöb-ñame-日本-🙂",
        7,
        "eyJuZXh0VG9rZW4iOiAialx1MDBmNmItXHUwMGYxYW1lLVx1NjVlNVx1NjcyYy1cdWQ4M2RcdWRlNDIiLCAiYm"
        "90b190cnVuY2F0ZV9hbW91bnQiOiA3fQ==",
        id="unicode-truncated",
    ),
    pytest.param('x"y\\z', None, "eyJuZXh0VG9rZW4iOiAieFwieVxceiJ9", id="json-escapes"),
    pytest.param(
        "~~~?>>>",
        5,
        "eyJuZXh0VG9rZW4iOiAifn5+Pz4+PiIsICJib3RvX3RydW5jYXRlX2Ftb3VudCI6IDV9",
        id="plus-in-resume-token",
    ),
    pytest.param(
        "???",
        5,
        "eyJuZXh0VG9rZW4iOiAiPz8/IiwgImJvdG9fdHJ1bmNhdGVfYW1vdW50IjogNX0=",
        id="slash-in-resume-token",
    ),
    # PageIterator(n=10, PageSize=4, MaxItems=6): page 2 cut after 2 of its items.
    pytest.param(
        "+/+/NA==",
        2,
        "eyJuZXh0VG9rZW4iOiAiKy8rL05BPT0iLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==",
        id="listing-truncated-mid-page",
    ),
    # PageIterator(n=10, PageSize=4, MaxItems=8): stopped on a page boundary.
    pytest.param("+/+/OA==", None, "eyJuZXh0VG9rZW4iOiAiKy8rL09BPT0ifQ==", id="listing-boundary"),
    # PageIterator(StartingToken={null, 1}, PageSize=4, MaxItems=2): truncated again, 1 + 2.
    pytest.param(
        None,
        3,
        "eyJuZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAzfQ==",
        id="starting-truncation-then-truncation",
    ),
]


def raw(token: Any) -> StartPosition:
    """decode_token with a value of any type (the runtime check is what is tested)."""
    result: StartPosition = decode_token(token, KEYS)
    return result


def b64json(value: object) -> str:
    """A token in botocore's wrapping around an arbitrary JSON value."""
    return base64.b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(("token", "amount", "expected"), BOTOCORE_VECTORS)
def test_encode_matches_botocore_bytes(
    token: str | None, amount: int | None, expected: str
) -> None:
    """encode_token produces exactly botocore's token for the same position."""
    assert expected == encode_token({"nextToken": token}, amount)


@pytest.mark.parametrize(("token", "amount", "expected"), BOTOCORE_VECTORS)
def test_decode_botocore_token(token: str | None, amount: int | None, expected: str) -> None:
    """A token minted by boto3 decodes to its service token and skip count."""
    assert StartPosition({"nextToken": token}, amount or 0) == decode_token(expected, KEYS)


def test_truncate_key_name_is_botocores() -> None:
    """The truncate amount travels under botocore's key name."""
    assert TRUNCATE_KEY == "boto_truncate_amount"


def test_no_truncate_key_when_amount_is_none() -> None:
    """A page-boundary token carries only the service token (no truncate key)."""
    payload = json.loads(base64.b64decode(encode_token({"nextToken": "t"})))
    assert payload == {"nextToken": "t"}


def test_zero_truncate_amount_is_kept() -> None:
    """An amount of 0 is written (botocore writes it for MaxItems=0), not dropped."""
    payload = json.loads(base64.b64decode(encode_token({"nextToken": None}, 0)))
    assert payload == {"nextToken": None, TRUNCATE_KEY: 0}


@pytest.mark.parametrize(
    "token",
    [
        "+/+/NA==",  # base64, but of bytes that are not UTF-8
        "abc",  # not valid base64 (bad padding)
        "MTIz",  # base64 of the JSON number 123
        "W10=",  # base64 of the JSON array []
        "InN0ciI=",  # base64 of the JSON string "str"
        "AAAA+///==",
        "x y z",
    ],
)
def test_raw_service_token_passes_through(token: str) -> None:
    """A token that is not base64 of a JSON object is the service's own nextToken, unchanged."""
    assert StartPosition({"nextToken": token}, 0) == decode_token(token, KEYS)


def test_fake_service_tokens_pass_through() -> None:
    """Opaque base64 service tokens with '+', '/' and '=' are sent back as given."""
    for offset in (0, 4, 10, 123456):
        token = service_token(offset)
        assert StartPosition({"nextToken": token}, 0) == decode_token(token, KEYS)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("+/+/NA==___2", StartPosition({"nextToken": "+/+/NA=="}, 2)),
        ("abc___0", StartPosition({"nextToken": "abc"}, 0)),
        ("None___3", StartPosition({"nextToken": None}, 3)),
        ("None", StartPosition({"nextToken": None}, 0)),
        ("abc___def", StartPosition({"nextToken": "abc___def"}, 0)),
    ],
)
def test_legacy_token(token: str, expected: StartPosition) -> None:
    """botocore's legacy '<token>___<N>' form (and a non-numeric tail: a raw token)."""
    assert expected == decode_token(token, KEYS)


@pytest.mark.parametrize("token", ["a___b___c", "a___b___2"])
def test_legacy_token_with_too_many_parts_is_refused(token: str) -> None:
    """More '___' parts than input tokens is an error, as in botocore ('Bad starting token')."""
    with pytest.raises(InvalidStartingTokenError, match="too many"):
        decode_token(token, KEYS)


def test_legacy_token_with_negative_count_is_refused() -> None:
    """A negative item count in a legacy token is an error, not a slice from the end."""
    with pytest.raises(InvalidStartingTokenError, match="negative"):
        decode_token("abc___-1", KEYS)


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        pytest.param({"nextToken": "t", "statusEquals": "Failed"}, "statusEquals", id="injected"),
        pytest.param({"nextToken": "t", "boto_encoded_keys": []}, "boto_encoded_keys", id="bytes"),
        pytest.param({"boto_truncate_amount": 1}, "lacks", id="missing-next-token"),
        pytest.param({}, "lacks", id="empty-object"),
        pytest.param({"nextToken": "t", TRUNCATE_KEY: -1}, "non-negative", id="negative"),
        pytest.param({"nextToken": "t", TRUNCATE_KEY: 1.0}, "non-negative", id="float"),
        pytest.param({"nextToken": "t", TRUNCATE_KEY: True}, "non-negative", id="bool"),
        pytest.param({"nextToken": "t", TRUNCATE_KEY: "2"}, "non-negative", id="string"),
        pytest.param({"nextToken": "t", TRUNCATE_KEY: None}, "non-negative", id="null"),
        pytest.param({"nextToken": 5}, "string or null", id="number-token"),
        pytest.param({"nextToken": ["t"]}, "string or null", id="list-token"),
        pytest.param({"nextToken": {"a": 1}}, "string or null", id="object-token"),
        pytest.param({"nextToken": True}, "string or null", id="bool-token"),
    ],
)
def test_malformed_token_of_ours_is_refused(payload: dict[str, Any], fragment: str) -> None:
    """A base64 JSON object that is not a valid resume token is an InvalidStartingTokenError."""
    with pytest.raises(InvalidStartingTokenError, match=fragment) as info:
        decode_token(b64json(payload), KEYS)
    assert info.value.param == "StartingToken"


def test_invalid_starting_token_is_a_param_validation_error() -> None:
    """InvalidStartingTokenError is a ParamValidationError (and a ValueError), as documented."""
    with pytest.raises(ParamValidationError):
        decode_token(b64json({"nextToken": "t", "x": 1}), KEYS)
    with pytest.raises(ValueError):  # noqa: PT011 - the ValueError base is the behaviour tested
        decode_token(b64json({"nextToken": "t", "x": 1}), KEYS)


@pytest.mark.parametrize("token", [None, 5, b"abc", ["t"]])
def test_non_string_token_is_refused(token: object) -> None:
    """A StartingToken that is not a str is refused with its type named."""
    with pytest.raises(InvalidStartingTokenError, match=type(token).__name__):
        raw(token)


def test_empty_token_is_refused() -> None:
    """An empty StartingToken is refused (it names no position)."""
    with pytest.raises(InvalidStartingTokenError, match="empty"):
        decode_token("", KEYS)


@given(resume_contents)
def test_round_trip(contents: tuple[str | None, int | None]) -> None:
    """decode(encode(position)) is the same position, for any token text and amount."""
    token, amount = contents
    encoded = encode_token({"nextToken": token}, amount)
    assert StartPosition({"nextToken": token}, amount or 0) == decode_token(encoded, KEYS)


@given(resume_contents)
def test_encoding_is_base64_of_default_json_dumps(contents: tuple[str | None, int | None]) -> None:
    """The token is base64 of json.dumps with default separators and nextToken first."""
    token, amount = contents
    payload: dict[str, object] = {"nextToken": token}
    if amount is not None:
        payload[TRUNCATE_KEY] = amount
    expected = base64.b64encode(json.dumps(payload).encode()).decode()
    assert expected == encode_token({"nextToken": token}, amount)


@given(st.text(max_size=80) | service_tokens)
def test_decode_never_raises_other_errors(token: str) -> None:
    """Any text decodes to a position or raises InvalidStartingTokenError, nothing else."""
    try:
        position = decode_token(token, KEYS)
    except InvalidStartingTokenError:
        return
    assert position.skip >= 0
    assert set(position.tokens) == {"nextToken"}


def test_deeply_nested_token_is_taken_as_a_raw_service_token() -> None:
    """A base64 token whose JSON nests too deep is not ours: passed through, no RecursionError."""
    hostile = base64.b64encode(b"[" * 100_000).decode()
    position = decode_token(hostile, ("nextToken",))
    assert position.tokens == {"nextToken": hostile}
