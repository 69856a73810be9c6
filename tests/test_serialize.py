"""Request serialisation and validation (bedrock_paginate._serialize).

The expected URLs were produced by hand with botocore 1.43.11 (an independent implementation):
``create_serializer('rest-json').serialize_to_request(params, operation_model)`` for bedrock's
ListModelInvocationJobs, then ``prepare_request_dict`` / ``create_request_object(...).prepare()``
against ``https://bedrock.us-east-1.amazonaws.com``. botocore orders the query as the caller's
kwargs; this library uses the model's order, so queries are compared as ordered pairs only where
the kwargs were given in model order. botocore is not imported here.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate._decode import format_timestamp, parse_timestamp
from bedrock_paginate._http import HttpRequest
from bedrock_paginate._operations import LIST_MODEL_INVOCATION_JOBS as LIST_OP
from bedrock_paginate._serialize import (
    LIST_JOBS_PARAMS,
    encode_query,
    inverted_window,
    validate_list_params,
)
from bedrock_paginate._serialize import build_request as build_any_request
from bedrock_paginate.errors import ParamValidationError
from bedrock_paginate.models import JOB_STATUSES

OPERATION_PATH = "/model-invocation-jobs"


def build_request(endpoint: str, params: dict[str, Any]) -> HttpRequest:
    """The listing's request (the generic builder with the listing's description)."""
    return build_any_request(endpoint, LIST_OP, params)


UTC = timezone.utc
IST = timezone(timedelta(hours=5, minutes=30))
ENDPOINT = "https://bedrock.us-east-1.amazonaws.com"
BASE = ENDPOINT + "/model-invocation-jobs"
#: The service model's nameContains pattern, verbatim.
MODEL_NAME_PATTERN = re.compile(r"[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}")


def url_for(**params: Any) -> str:
    """The request URL for ``params`` (validated first)."""
    return build_request(ENDPOINT, validate_list_params(params)).url


def refused(**params: Any) -> ParamValidationError:
    """The ParamValidationError that validating ``params`` raises."""
    with pytest.raises(ParamValidationError) as info:
        validate_list_params(params)
    return info.value


def query_pairs(url: str) -> list[str]:
    """The sorted ``name=value`` pairs of a URL's query (values still encoded)."""
    return sorted(url.partition("?")[2].split("&"))


# --- URLs identical to botocore's -------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(
            {
                "submitTimeAfter": datetime(2025, 3, 4, 5, 6, 7),
                "submitTimeBefore": datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=UTC),
            },
            BASE + "?submitTimeAfter=2025-03-04T05%3A06%3A07Z"
            "&submitTimeBefore=2025-03-04T05%3A06%3A07.123456Z",
            id="naive-is-utc-and-microseconds",
        ),
        pytest.param(
            {"submitTimeAfter": datetime(2025, 3, 4, 10, 36, 7, tzinfo=IST)},
            BASE + "?submitTimeAfter=2025-03-04T05%3A06%3A07Z",
            id="aware-converted-to-utc",
        ),
        pytest.param(
            {"submitTimeAfter": datetime(2025, 3, 4, 5, 6, 7, 500)},
            BASE + "?submitTimeAfter=2025-03-04T05%3A06%3A07.000500Z",
            id="six-digit-fraction",
        ),
        pytest.param(
            {"submitTimeAfter": "2025-03-04T10:36:07+05:30"},
            BASE + "?submitTimeAfter=2025-03-04T05%3A06%3A07Z",
            id="iso-string-with-offset",
        ),
        pytest.param(
            {"submitTimeAfter": "2025-03-04T05:06:07.5Z"},
            BASE + "?submitTimeAfter=2025-03-04T05%3A06%3A07.500000Z",
            id="iso-string-with-fraction",
        ),
        pytest.param(
            {"nextToken": "jöb日本"},
            BASE + "?nextToken=j%C3%B6b%E6%97%A5%E6%9C%AC",
            id="unicode-utf8",
        ),
    ],
)
def test_url_matches_botocore(params: dict[str, Any], expected: str) -> None:
    """The request URL is byte-identical to botocore's for the same arguments."""
    assert expected == url_for(**params)


def test_all_params_match_botocore_pairs() -> None:
    """Every parameter at once: the same encoded pairs as botocore (order is the model's)."""
    url = url_for(
        statusEquals="Completed",
        nameContains="job-1.x+y",
        maxResults=50,
        nextToken="+/+/NA==",
        sortBy="CreationTime",
        sortOrder="Descending",
    )
    # botocore 1.43.11, same values: nameContains=job-1.x%2By, nextToken=%2B%2F%2B%2FNA%3D%3D
    assert query_pairs(url) == [
        "maxResults=50",
        "nameContains=job-1.x%2By",
        "nextToken=%2B%2F%2B%2FNA%3D%3D",
        "sortBy=CreationTime",
        "sortOrder=Descending",
        "statusEquals=Completed",
    ]
    assert [name for name in LIST_JOBS_PARAMS if name + "=" in url] == [
        pair.partition("=")[0] for pair in url.partition("?")[2].split("&")
    ]


def test_query_encoding_of_reserved_characters() -> None:
    """Space is %20; '+', '/', '=', '%' are encoded; '-_.~' are not (botocore's output)."""
    assert (
        encode_query({"nextToken": "a+b/c= d~e_f.g-h%"}) == "nextToken=a%2Bb%2Fc%3D%20d~e_f.g-h%25"
    )


@settings(max_examples=200)
@given(st.text(min_size=1, max_size=40))
def test_query_encoding_round_trips(value: str) -> None:
    """Any value is encoded with only unreserved characters left bare, and decodes back."""
    query = encode_query({"nextToken": value})
    encoded = query.removeprefix("nextToken=")
    assert re.fullmatch(r"(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*", encoded)
    assert value == unquote(encoded, errors="strict")


def test_no_params_no_query() -> None:
    """Without parameters the URL has no '?'."""
    request = build_request(ENDPOINT, {})
    assert (request.url, request.method, request.body) == (BASE, "GET", b"")


def test_request_asks_for_json() -> None:
    """The request is a GET with Accept: application/json."""
    assert build_request(ENDPOINT, {}).headers["Accept"] == "application/json"


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("https://bedrock.us-east-1.amazonaws.com/", BASE),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080" + OPERATION_PATH),
        ("http://127.0.0.1:8080/prefix/", "http://127.0.0.1:8080/prefix" + OPERATION_PATH),
    ],
)
def test_endpoint_joining(endpoint: str, expected: str) -> None:
    """The operation path is appended to the endpoint once, whatever its trailing slash."""
    assert expected == build_request(endpoint, {}).url


# --- timestamps --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2025, 3, 4, 5, 6, 7), "2025-03-04T05:06:07Z"),
        (datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC), "2025-03-04T05:06:07Z"),
        (datetime(2025, 3, 4, 10, 36, 7, tzinfo=IST), "2025-03-04T05:06:07Z"),
        (
            datetime(2025, 3, 4, 0, 6, 7, 1, tzinfo=timezone(-timedelta(hours=5))),
            "2025-03-04T05:06:07.000001Z",
        ),
        (datetime(2025, 3, 4, 5, 6, 7, 123000), "2025-03-04T05:06:07.123000Z"),
    ],
)
def test_format_timestamp(value: datetime, expected: str) -> None:
    """botocore's query rendering: UTC, 'Z', and .%f (6 digits) only with microseconds."""
    assert expected == format_timestamp(value)


FIXED_OFFSETS = st.timedeltas(
    min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23, minutes=59)
).map(lambda delta: timezone(timedelta(minutes=delta // timedelta(minutes=1))))


@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1),
        max_value=datetime(2999, 1, 1),
        timezones=st.one_of(st.none(), FIXED_OFFSETS),
    )
)
def test_format_then_parse_is_the_same_instant(value: datetime) -> None:
    """A rendered timestamp parses back to the same instant (naive taken as UTC)."""
    instant = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    assert instant == parse_timestamp(format_timestamp(value))


def test_naive_datetime_is_normalised_to_utc() -> None:
    """A naive datetime argument is taken as UTC (made aware)."""
    out = validate_list_params({"submitTimeAfter": datetime(2025, 3, 4, 5, 6, 7)})
    assert datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC) == out["submitTimeAfter"]
    assert out["submitTimeAfter"].tzinfo is not None


def test_iso_string_is_normalised_to_datetime() -> None:
    """An ISO 8601 string argument becomes an aware datetime."""
    out = validate_list_params({"submitTimeBefore": "2025-03-04T10:36:07+05:30"})
    assert datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC) == out["submitTimeBefore"]


@pytest.mark.parametrize("value", ["yesterday", "2025-02-30T00:00:00Z", ""])
def test_bad_timestamp_string(value: str) -> None:
    """A string that is not ISO 8601 is refused with an example of what is accepted."""
    error = refused(submitTimeAfter=value)
    assert error.param == "submitTimeAfter"
    assert "ISO 8601" in str(error)


@pytest.mark.parametrize(
    ("value", "rendered"),
    # Expected values from botocore 1.43.11's rest-json serializer, run by hand.
    [(1741064767, "2025-03-04T05%3A06%3A07Z"), (17.5, "1970-01-01T00%3A00%3A17.500000Z")],
)
def test_epoch_seconds_are_accepted_as_botocore_does(value: float, rendered: str) -> None:
    """int/float epoch seconds serialise as botocore renders them."""
    assert f"submitTimeAfter={rendered}" in url_for(submitTimeAfter=value)


def test_timestamp_out_of_range_in_utc_is_refused() -> None:
    """A datetime that cannot be expressed in UTC is refused before any request."""
    plus_one = timezone(timedelta(hours=1))
    error = refused(submitTimeAfter=datetime(1, 1, 1, tzinfo=plus_one))
    assert error.param == "submitTimeAfter"
    assert "years 1 to 9999" in str(error)


@pytest.mark.parametrize("value", [True, [2025], b"2025-01-01"])
def test_bad_timestamp_type(value: object) -> None:
    """A timestamp of another type is refused, naming the accepted types."""
    error = refused(submitTimeBefore=value)
    assert error.param == "submitTimeBefore"
    assert "datetime" in str(error)


def test_after_later_than_before_is_sent_as_boto3_sends_it() -> None:
    """An inverted window is not refused (the service decides); inverted_window words a hint."""
    params = {
        "submitTimeAfter": datetime(2025, 3, 5, tzinfo=UTC),
        "submitTimeBefore": "2025-03-04T00:00:00Z",
    }
    out = validate_list_params(params)
    assert "submitTimeAfter=2025-03-05T00%3A00%3A00Z" in build_request("https://h", out).url
    warning = inverted_window(out)
    assert warning is not None
    assert "2025-03-05T00:00:00Z" in warning
    assert "2025-03-04T00:00:00Z" in warning
    assert (
        inverted_window(validate_list_params({"submitTimeAfter": "2025-03-04T00:00:00Z"})) is None
    )


def test_after_equal_to_before_is_allowed() -> None:
    """submitTimeAfter equal to submitTimeBefore is allowed (compared across offsets)."""
    out = validate_list_params(
        {
            "submitTimeAfter": datetime(2025, 3, 4, 10, 36, 7, tzinfo=IST),
            "submitTimeBefore": "2025-03-04T05:06:07Z",
        }
    )
    assert out["submitTimeAfter"] == out["submitTimeBefore"]


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "known"),
    [
        ("statusEquals", "failed", "Failed"),
        ("statusEquals", "IN_PROGRESS", "InProgress"),
        ("statusEquals", "in progress", "InProgress"),
        ("sortBy", "creationtime", "CreationTime"),
        ("sortOrder", "DESCENDING", "Descending"),
    ],
)
def test_enum_near_miss_is_refused_with_a_suggestion(name: str, value: str, known: str) -> None:
    """A known value in the wrong case or spacing can never be right: "did you mean ...?"."""
    error = refused(**{name: value})
    assert name == error.param
    assert f"did you mean {known!r}?" in str(error)


@pytest.mark.parametrize(
    ("name", "value"),
    [("statusEquals", "PartiallyCompleted"), ("sortBy", "Name"), ("sortOrder", "Random")],
)
def test_unknown_well_formed_enum_value_is_sent(name: str, value: str) -> None:
    """Enums are open (a status Bedrock adds later works without an upgrade): sent as given."""
    out = validate_list_params({name: value})
    assert out == {name: value}
    assert f"{name}={value}" in build_request("https://h", out).url


@pytest.mark.parametrize("value", ["", " ", "Failed!", "1Failed", "x" * 129])
def test_malformed_enum_value_is_refused(value: str) -> None:
    """Empty or malformed enum values are refused, naming the known values."""
    error = refused(statusEquals=value)
    assert error.param == "statusEquals"
    assert "Completed" in str(error)


@given(st.text(max_size=20))
def test_any_enum_string_is_sent_or_refused_cleanly(value: str) -> None:
    """Any string is either sent unchanged or refused with ParamValidationError."""
    try:
        out = validate_list_params({"sortOrder": value})
    except ParamValidationError as exc:
        param = exc.param
    else:
        param = None
        assert out == {"sortOrder": value}
    assert param in (None, "sortOrder")


@pytest.mark.parametrize("name", ["statusEquals", "sortBy", "sortOrder"])
def test_enum_wrong_type(name: str) -> None:
    """A non-string enum value is refused with its type."""
    error = refused(**{name: 1})
    assert name == error.param
    assert "type: int" in str(error)


@pytest.mark.parametrize("value", sorted(JOB_STATUSES))
def test_every_known_status_is_accepted(value: str) -> None:
    """Each status of the model is accepted as statusEquals."""
    assert {"statusEquals": value} == validate_list_params({"statusEquals": value})


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (0, "between 1 and 1000"),
        (1001, "between 1 and 1000"),
        (True, "type: bool"),
        ("5", "type: str"),
        (5.0, "type: float"),
    ],
)
def test_max_results_refused(value: object, fragment: str) -> None:
    """maxResults outside 1..1000 or not an int is refused."""
    error = refused(maxResults=value)
    assert error.param == "maxResults"
    assert fragment in str(error)


@pytest.mark.parametrize("value", [1, 1000])
def test_max_results_bounds_accepted(value: int) -> None:
    """maxResults 1 and 1000 are accepted."""
    assert {"maxResults": value} == validate_list_params({"maxResults": value})


@pytest.mark.parametrize("value", ["", "a" * 64, "-job", "job_1", "job 1", "+x", "jöb"])
def test_name_contains_refused(value: str) -> None:
    """nameContains outside the model's length and pattern is refused, with the rule stated."""
    error = refused(nameContains=value)
    assert error.param == "nameContains"
    assert "1 to 63 characters" in str(error)


@pytest.mark.parametrize("value", ["a", "a" * 63, "job-1.x+y", "A--b", "9...", "x-"])
def test_name_contains_accepted(value: str) -> None:
    """nameContains that matches the model's pattern is accepted."""
    assert {"nameContains": value} == validate_list_params({"nameContains": value})


def test_name_contains_type() -> None:
    """A non-string nameContains is refused."""
    assert refused(nameContains=5).param == "nameContains"


def test_name_contains_pattern_does_not_backtrack_on_adversarial_input() -> None:
    """A long run of '-' before a bad character is refused at once (no regex backtracking).

    The model's pattern, used verbatim, doubles its time per '-': about 20 s for 28 of them,
    centuries for the 61 here. The check runs in a subprocess (a regex holds the GIL) that is
    killed after a minute, a margin no loaded machine comes near for a linear pattern.
    """
    code = (
        "from bedrock_paginate._serialize import validate_list_params\n"
        "from bedrock_paginate.errors import ParamValidationError\n"
        "try:\n"
        "    validate_list_params({'nameContains': 'a' + '-' * 61 + '!'})\n"
        "except ParamValidationError:\n"
        "    print('refused')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "refused\n"


@settings(max_examples=300)
@given(st.text(alphabet="aZ9-+._ !é", min_size=1, max_size=12))
def test_name_contains_same_language_as_model(value: str) -> None:
    """On short strings, acceptance is exactly the model's pattern (full match)."""
    model_ok = MODEL_NAME_PATTERN.fullmatch(value) is not None
    try:
        validate_list_params({"nameContains": value})
    except ParamValidationError:
        assert not model_ok
    else:
        assert model_ok


@pytest.mark.parametrize("value", ["", "a b", "tab\there", "x" * 2049])
def test_next_token_refused(value: str) -> None:
    """nextToken empty, with whitespace, or over 2048 characters is refused."""
    assert refused(nextToken=value).param == "nextToken"


def test_next_token_type() -> None:
    """A non-string nextToken is refused."""
    assert refused(nextToken=5).param == "nextToken"


def test_next_token_limits_accepted() -> None:
    """A 2048-character base64 token is accepted as is."""
    token = ("+/=A" * 512)[:2048]
    assert {"nextToken": token} == validate_list_params({"nextToken": token})


def test_unknown_param_refused() -> None:
    """An unknown parameter is refused, naming it and listing the valid ones."""
    error = refused(statusEqual="Failed")
    assert error.param == "statusEqual"
    assert ", ".join(LIST_JOBS_PARAMS) in str(error)


def test_none_values_are_absent() -> None:
    """Parameters passed as None are left out."""
    assert validate_list_params(dict.fromkeys(LIST_JOBS_PARAMS)) == {}


def test_param_validation_error_is_value_error() -> None:
    """Validation errors are also ValueErrors (as the error tree documents)."""
    with pytest.raises(ValueError, match="maxResults"):
        validate_list_params({"maxResults": 0})
