"""Response decoding (bedrock_paginate._decode): timestamps, pages, and error responses.

Expected error shapes and messages were checked by hand against botocore 1.43.11's
``RestJSONParser`` and ``ClientError`` with the bedrock 2023-04-20 model; timestamp renderings
were checked against ``botocore.utils.parse_timestamp`` (20,000 random renderings, all equal).
botocore is not imported here.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate._decode import (
    decode_page,
    parse_timestamp,
)
from bedrock_paginate._failures import parse_error
from bedrock_paginate._http import HttpResponse
from bedrock_paginate._time import _parse_iso_regex
from bedrock_paginate.errors import (
    AccessDeniedException,
    DecodeError,
    ExpiredTokenException,
    InternalServerException,
    ServiceError,
    ThrottlingException,
    ValidationException,
)
from bedrock_paginate.models import (
    InputDataConfig,
    JobSummary,
    OutputDataConfig,
    S3InputDataConfig,
    S3OutputDataConfig,
    VpcConfig,
)
from tests.strategies import job_dicts, json_values, timestamp_renderings

UTC = timezone.utc
INSTANT = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)

MINIMAL_JOB: dict[str, Any] = {
    "jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc",
    "jobName": "job-1",
    "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
    "roleArn": "arn:aws:iam::123456789012:role/BatchRole",
    "submitTime": "2025-03-04T05:06:07Z",
    "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in/"}},
    "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out/"}},
}

FULL_JOB: dict[str, Any] = {
    **MINIMAL_JOB,
    "clientRequestToken": "req-1",
    "status": "Completed",
    "message": "done",
    "lastModifiedTime": "2025-03-04T10:36:07+05:30",
    "endTime": "2025-03-04T06:00:00.5Z",
    "inputDataConfig": {
        "s3InputDataConfig": {
            "s3InputFormat": "JSONL",
            "s3Uri": "s3://in/",
            "s3BucketOwner": "123456789012",
        }
    },
    "outputDataConfig": {
        "s3OutputDataConfig": {
            "s3Uri": "s3://out/",
            "s3EncryptionKeyId": "key-1",
            "s3BucketOwner": "123456789012",
        }
    },
    "vpcConfig": {"subnetIds": ["subnet-1", "subnet-2"], "securityGroupIds": ["sg-1"]},
    "timeoutDurationInHours": 24,
    "jobExpirationTime": "2025-03-05T05:06:07.123456Z",
    "modelInvocationType": "Converse",
    "totalRecordCount": 100,
    "processedRecordCount": 99,
    "successRecordCount": 98,
    "errorRecordCount": 1,
}


def response(body: object, status: int = 200, **headers: str) -> HttpResponse:
    """An HttpResponse with a JSON body (bytes and str bodies are sent as they are)."""
    if isinstance(body, bytes):
        raw = body
    elif isinstance(body, str):
        raw = body.encode()
    else:
        raw = json.dumps(body).encode()
    lower = {k.replace("_", "-").lower(): v for k, v in headers.items()}
    return HttpResponse(status_code=status, headers=lower, body=raw)


def page_of(*jobs: dict[str, Any], **extra: Any) -> HttpResponse:
    """A 200 response carrying ``jobs``."""
    return response({"invocationJobSummaries": list(jobs), **extra})


def decode_error(body: object) -> DecodeError:
    """The DecodeError that decoding ``body`` raises."""
    with pytest.raises(DecodeError) as info:
        decode_page(response(body))
    return info.value


# --- timestamps --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-04T05:06:07Z", INSTANT),
        ("2025-03-04T05:06:07.123Z", INSTANT.replace(microsecond=123000)),
        ("2025-03-04T05:06:07.123456Z", INSTANT.replace(microsecond=123456)),
        ("2025-03-04T05:06:07.1Z", INSTANT.replace(microsecond=100000)),
        ("2025-03-04T05:06:07.1234567Z", INSTANT.replace(microsecond=123456)),
        ("2025-03-04T05:06:07+00:00", INSTANT),
        ("2025-03-04T05:06:07+0000", INSTANT),
        ("2025-03-04T10:36:07+05:30", INSTANT),
        ("2025-03-04T10:36:07+0530", INSTANT),
        ("2025-03-04T00:06:07-05:00", INSTANT),
        ("2025-03-04T05:06:07z", INSTANT),
        ("2025-03-04t05:06:07Z", INSTANT),
        ("2025-03-04 05:06:07Z", INSTANT),
        ("2025-03-04T05:06:07", INSTANT),
        ("2025-03-04T05:06Z", INSTANT.replace(second=0)),
        ("2025-03-04T05:06:07.123456789+01:00", INSTANT.replace(hour=4, microsecond=123456)),
    ],
)
def test_parse_timestamp_renderings(text: str, expected: datetime) -> None:
    """Each ISO 8601 rendering AWS uses parses to the same UTC instant as botocore's."""
    parsed = parse_timestamp(text)
    assert expected == parsed
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1741064767, INSTANT),
        (1741064767.5, INSTANT.replace(microsecond=500000)),
        (1741064767.123, INSTANT.replace(microsecond=123000)),
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (-1, datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_parse_timestamp_epoch(value: float, expected: datetime) -> None:
    """Epoch seconds (int or float) parse as botocore does, to aware UTC."""
    parsed = parse_timestamp(value)
    assert expected == parsed
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    ["yesterday", "", "2025-13-01T00:00:00Z", "2025-03-04T05:06:07+24:00", True, None, [], 1e300],
)
def test_parse_timestamp_refuses_garbage(value: object) -> None:
    """Not-a-timestamp values raise ValueError (which decoding turns into DecodeError)."""
    with pytest.raises(ValueError):  # noqa: PT011 - the contract is a plain ValueError
        parse_timestamp(value)


@given(timestamp_renderings())
def test_parse_timestamp_any_rendering(case: tuple[str, datetime]) -> None:
    """Any rendering (fraction length, Z/z/offset/none) parses to its instant, in UTC."""
    text, expected = case
    parsed = parse_timestamp(text)
    assert expected == parsed
    assert parsed.utcoffset() == timedelta(0)


@given(timestamp_renderings())
def test_slow_path_any_rendering(case: tuple[str, datetime]) -> None:
    """The parser used where datetime.fromisoformat is weaker (Python 3.10) agrees too."""
    text, expected = case
    parsed = _parse_iso_regex(text)
    assert expected == parsed
    assert parsed.tzinfo is not None


# --- pages: happy path -------------------------------------------------------------------------


def test_decode_full_job() -> None:
    """Every field of the model is decoded into its snake_case attribute."""
    page = decode_page(page_of(FULL_JOB, nextToken="tok+/="))
    expected = JobSummary(
        job_arn=FULL_JOB["jobArn"],
        job_name="job-1",
        model_id=FULL_JOB["modelId"],
        role_arn=FULL_JOB["roleArn"],
        submit_time=INSTANT,
        input_data_config=InputDataConfig(
            s3_input_data_config=S3InputDataConfig(
                s3_uri="s3://in/", s3_input_format="JSONL", s3_bucket_owner="123456789012"
            )
        ),
        output_data_config=OutputDataConfig(
            s3_output_data_config=S3OutputDataConfig(
                s3_uri="s3://out/", s3_encryption_key_id="key-1", s3_bucket_owner="123456789012"
            )
        ),
        client_request_token="req-1",
        status="Completed",
        message="done",
        last_modified_time=INSTANT,
        end_time=datetime(2025, 3, 4, 6, 0, 0, 500000, tzinfo=UTC),
        vpc_config=VpcConfig(subnet_ids=("subnet-1", "subnet-2"), security_group_ids=("sg-1",)),
        timeout_duration_in_hours=24,
        job_expiration_time=datetime(2025, 3, 5, 5, 6, 7, 123456, tzinfo=UTC),
        model_invocation_type="Converse",
        total_record_count=100,
        processed_record_count=99,
        success_record_count=98,
        error_record_count=1,
    )
    assert (expected,) == page.invocation_job_summaries
    assert page.next_token == "tok+/="


def test_decoded_timestamps_are_utc() -> None:
    """A timestamp sent with an offset is converted to UTC (tzinfo is timezone.utc)."""
    job = decode_page(page_of(FULL_JOB)).invocation_job_summaries[0]
    assert job.last_modified_time is not None
    assert (job.last_modified_time.hour, job.last_modified_time.tzinfo) == (5, UTC)


def test_optional_fields_absent_are_none() -> None:
    """Optional members the service leaves out are None."""
    job = decode_page(page_of(MINIMAL_JOB)).invocation_job_summaries[0]
    absent = (
        job.client_request_token,
        job.status,
        job.message,
        job.last_modified_time,
        job.end_time,
        job.vpc_config,
        job.timeout_duration_in_hours,
        job.job_expiration_time,
        job.model_invocation_type,
        job.total_record_count,
        job.processed_record_count,
        job.success_record_count,
        job.error_record_count,
    )
    assert all(value is None for value in absent)
    expected = InputDataConfig(s3_input_data_config=S3InputDataConfig(s3_uri="s3://in/"))
    assert job.input_data_config == expected  # s3InputFormat / s3BucketOwner absent: None


def test_optional_fields_null_are_none() -> None:
    """Optional members sent as JSON null are None (as botocore drops them)."""
    job = decode_page(
        page_of({**MINIMAL_JOB, "status": None, "vpcConfig": None})
    ).invocation_job_summaries[0]
    assert (job.status, job.vpc_config) == (None, None)


def test_unknown_fields_are_ignored() -> None:
    """Fields the model does not know (the service adds some) are ignored, at every level."""
    job = {
        **MINIMAL_JOB,
        "someFutureField": {"x": [1, 2]},
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in/", "newThing": 1}},
    }
    page = decode_page(page_of(job, someTopLevelField=True))
    expected = InputDataConfig(s3_input_data_config=S3InputDataConfig(s3_uri="s3://in/"))
    assert page.invocation_job_summaries[0].input_data_config == expected


def test_unknown_status_is_kept() -> None:
    """A status value this library does not know is kept as its string."""
    page = decode_page(page_of({**MINIMAL_JOB, "status": "Hibernating"}))
    assert page.invocation_job_summaries[0].status == "Hibernating"


def test_unknown_union_member_is_kept_by_name() -> None:
    """An unknown tagged-union member becomes SDK_UNKNOWN_MEMBER with its name, as botocore."""
    job = {**MINIMAL_JOB, "inputDataConfig": {"bigQueryInputDataConfig": {"table": "t"}}}
    decoded = decode_page(page_of(job)).invocation_job_summaries[0]
    assert (
        InputDataConfig(sdk_unknown_member="bigQueryInputDataConfig") == decoded.input_data_config
    )
    assert decoded.input_data_config.to_dict() == {
        "SDK_UNKNOWN_MEMBER": {"name": "bigQueryInputDataConfig"}
    }


def test_union_ignores_type_marker_and_null_members() -> None:
    """'__type' and null members do not count as the union's member (botocore's rule)."""
    job = {
        **MINIMAL_JOB,
        "outputDataConfig": {
            "__type": "x",
            "s3OutputDataConfig": {"s3Uri": "s3://o/"},
            "other": None,
        },
    }
    decoded = decode_page(page_of(job)).invocation_job_summaries[0]
    assert S3OutputDataConfig(s3_uri="s3://o/") == decoded.output_data_config.s3_output_data_config


def test_null_next_token_is_last_page() -> None:
    """nextToken null is the same as absent."""
    assert decode_page(page_of(MINIMAL_JOB, nextToken=None)).next_token is None


@pytest.mark.parametrize(
    "body", [{}, {"invocationJobSummaries": None}, {"invocationJobSummaries": []}]
)
def test_no_jobs_is_an_empty_page(body: dict[str, Any]) -> None:
    """A page without jobs (absent, null or empty list) decodes to an empty page."""
    page = decode_page(response(body))
    assert (len(page), page.invocation_job_summaries, page.next_token) == (0, (), None)


def test_response_metadata() -> None:
    """The page carries request id, status, headers and retry attempts."""
    resp = response({"invocationJobSummaries": []}, x_amzn_requestid="rid-1")
    metadata = decode_page(resp, retry_attempts=2).response_metadata
    assert metadata is not None
    assert (
        metadata.request_id,
        metadata.http_status_code,
        metadata.retry_attempts,
    ) == ("rid-1", 200, 2)
    assert metadata.http_headers == {"x-amzn-requestid": "rid-1"}


def test_large_integers_are_kept() -> None:
    """Record counts are longs: big values are kept exactly."""
    job = decode_page(page_of({**MINIMAL_JOB, "totalRecordCount": 2**62})).invocation_job_summaries[
        0
    ]
    assert job.total_record_count == 2**62


# --- pages: what the API does not promise ------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("jobName", 5, "jobName"),
        ("modelId", {"a": 1}, "modelId"),
        ("status", 3, "status"),
        ("message", ["x"], "message"),
        ("totalRecordCount", "5", "totalRecordCount"),
        ("totalRecordCount", True, "totalRecordCount"),
        ("timeoutDurationInHours", 1.5, "timeoutDurationInHours"),
        ("submitTime", "yesterday", "submitTime"),
        ("submitTime", True, "submitTime"),
        ("endTime", [], "endTime"),
        ("endTime", "2025-13-01T00:00:00Z", "endTime"),
        ("vpcConfig", [], "vpcConfig"),
        ("vpcConfig", {"subnetIds": "subnet-1", "securityGroupIds": []}, "vpcConfig.subnetIds"),
        ("vpcConfig", {"subnetIds": [1], "securityGroupIds": []}, "vpcConfig.subnetIds"),
        ("inputDataConfig", [], "inputDataConfig"),
        ("inputDataConfig", {"s3InputDataConfig": 5}, "inputDataConfig.s3InputDataConfig"),
        (
            "inputDataConfig",
            {"s3InputDataConfig": {"s3Uri": 5}},
            "inputDataConfig.s3InputDataConfig.s3Uri",
        ),
        (
            "outputDataConfig",
            {"s3OutputDataConfig": {"s3Uri": "s3://o/", "s3BucketOwner": 7}},
            "outputDataConfig.s3OutputDataConfig.s3BucketOwner",
        ),
    ],
)
def test_wrong_json_type_names_the_wire_path(field: str, value: object, path: str) -> None:
    """A value of the wrong JSON type is a DecodeError whose path names the wire field."""
    error = decode_error({"invocationJobSummaries": [MINIMAL_JOB, {**MINIMAL_JOB, field: value}]})
    assert f"invocationJobSummaries[1].{path}" == error.path
    assert f"invocationJobSummaries[1].{path}" in str(error)


@pytest.mark.parametrize(
    "field",
    [
        "jobArn",
        "jobName",
        "modelId",
        "roleArn",
        "submitTime",
        "inputDataConfig",
        "outputDataConfig",
    ],
)
def test_missing_required_field(field: str) -> None:
    """A required member absent is a DecodeError naming it."""
    job = {k: v for k, v in MINIMAL_JOB.items() if k != field}
    error = decode_error({"invocationJobSummaries": [job]})
    assert f"invocationJobSummaries[0].{field}" == error.path
    assert "missing" in str(error)


@pytest.mark.parametrize(
    ("nested", "path"),
    [
        ({"vpcConfig": {"subnetIds": []}}, "vpcConfig.securityGroupIds"),
        ({"inputDataConfig": {"s3InputDataConfig": {}}}, "inputDataConfig.s3InputDataConfig.s3Uri"),
    ],
)
def test_missing_nested_required_field(nested: dict[str, Any], path: str) -> None:
    """A required member of a nested structure absent is named with its full path."""
    error = decode_error({"invocationJobSummaries": [{**MINIMAL_JOB, **nested}]})
    assert f"invocationJobSummaries[0].{path}" == error.path


@pytest.mark.parametrize(
    "union",
    [{}, {"s3InputDataConfig": None}, {"s3InputDataConfig": {"s3Uri": "a"}, "other": {}}],
)
def test_union_without_exactly_one_member(union: dict[str, Any]) -> None:
    """A union with no member or two members set is a DecodeError (as botocore)."""
    error = decode_error({"invocationJobSummaries": [{**MINIMAL_JOB, "inputDataConfig": union}]})
    assert error.path == "invocationJobSummaries[0].inputDataConfig"


@pytest.mark.parametrize("item", [3, "job", None, [MINIMAL_JOB], True])
def test_non_object_item(item: object) -> None:
    """A list item that is not an object is a DecodeError with its index."""
    error = decode_error({"invocationJobSummaries": [MINIMAL_JOB, item]})
    assert error.path == "invocationJobSummaries[1]"
    assert "expected an object" in str(error)


@pytest.mark.parametrize("jobs", [{"a": MINIMAL_JOB}, "x", 5, True])
def test_jobs_not_a_list(jobs: object) -> None:
    """invocationJobSummaries that is not an array is a DecodeError."""
    error = decode_error({"invocationJobSummaries": jobs})
    assert error.path == "invocationJobSummaries"


@pytest.mark.parametrize("token", [5, 1.5, True, ["t"], {"t": 1}])
def test_next_token_not_a_string(token: object) -> None:
    """A nextToken that is not a string (or null) is a DecodeError, never str()-ed."""
    error = decode_error({"invocationJobSummaries": [], "nextToken": token})
    assert error.path == "nextToken"


@pytest.mark.parametrize("body", [[], "text", 5, None, True])
def test_top_level_not_an_object(body: object) -> None:
    """A JSON body that is not an object is a DecodeError."""
    assert "expected a JSON object" in str(decode_error(json.dumps(body)))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        b'{"invocationJobSummaries": [',
        b"\xff\xfe\x00garbage",
    ],
)
def test_non_json_body(body: bytes) -> None:
    """A body that is not JSON (HTML, cut off, empty, binary) is a DecodeError, never '{}'."""
    resp = HttpResponse(status_code=200, headers={"content-type": "text/html"}, body=body)
    with pytest.raises(DecodeError, match="not JSON") as info:
        decode_page(resp)
    assert "text/html" in str(info.value)


def test_deeply_nested_body_is_a_decode_error() -> None:
    """Hostile nesting that overflows the JSON parser's recursion is a DecodeError."""
    with pytest.raises(DecodeError, match="not JSON"):
        decode_page(response(b"[" * 100_000))


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_body_decodes_or_raises_decode_error(body: object) -> None:
    """Arbitrary JSON as the body never raises anything but DecodeError."""
    with contextlib.suppress(DecodeError):
        decode_page(response(json.dumps(body)))


@settings(max_examples=300, deadline=None)
@given(job=job_dicts(), field=st.sampled_from(sorted(FULL_JOB)), value=json_values)
def test_any_field_value_decodes_or_raises_decode_error(
    job: dict[str, Any], field: str, value: object
) -> None:
    """A valid job with any one field replaced by any JSON value: a page or a DecodeError."""
    error: DecodeError | None = None
    try:
        decode_page(page_of(job, {**job, field: value}))
    except DecodeError as exc:
        error = exc
    if error is not None:
        assert error.path is not None
        assert error.path.startswith("invocationJobSummaries[1]")


@given(st.binary(max_size=64))
def test_any_bytes_decode_or_raise_decode_error(body: bytes) -> None:
    """Arbitrary bytes as the body never raise anything but DecodeError."""
    with contextlib.suppress(DecodeError):
        decode_page(HttpResponse(status_code=200, body=body))


@settings(max_examples=100, deadline=None)
@given(st.lists(job_dicts(), max_size=5))
def test_valid_jobs_always_decode(jobs: list[dict[str, Any]]) -> None:
    """Every valid page decodes, with the jobs in order."""
    page = decode_page(page_of(*jobs))
    assert [job["jobArn"] for job in jobs] == [job.job_arn for job in page]


# --- error responses ---------------------------------------------------------------------------


def test_error_code_from_header_with_suffix() -> None:
    """x-amzn-ErrorType's ':http://...' suffix is cut off."""
    error = parse_error(
        response(
            {"message": "Too many requests"},
            429,
            x_amzn_errortype="ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        )
    )
    assert (error.code, error.message) == ("ThrottlingException", "Too many requests")


def test_error_code_from_header_without_suffix() -> None:
    """x-amzn-ErrorType without suffix is the code."""
    error = parse_error(response({"message": "m"}, 400, x_amzn_errortype="ValidationException"))
    assert error.code == "ValidationException"


def test_error_code_from_hash_prefixed_type() -> None:
    """A body '__type' with a namespace ('ns#Code') gives the part after '#'."""
    error = parse_error(response({"__type": "com.amazonaws.bedrock#ValidationException"}, 400))
    assert error.code == "ValidationException"


def test_error_code_from_body_code() -> None:
    """Without the header, the body's 'code' gives the code."""
    error = parse_error(response({"code": "AccessDeniedException", "message": "no"}, 403))
    assert (error.code, error.message) == ("AccessDeniedException", "no")


def test_header_code_wins_over_body() -> None:
    """x-amzn-ErrorType wins over the body's code and __type (botocore's order)."""
    body = {"code": "A", "__type": "B", "message": "m"}
    assert (
        parse_error(response(body, 400, x_amzn_errortype="ThrottlingException")).code
        == "ThrottlingException"
    )
    assert parse_error(response(body, 400)).code == "A"


def test_capitalised_message_key() -> None:
    """'Message' is read when 'message' is absent."""
    error = parse_error(response({"__type": "ValidationException", "Message": "bad"}, 400))
    assert error.message == "bad"


def test_request_id_is_kept() -> None:
    """x-amzn-RequestId becomes request_id."""
    error = parse_error(
        response(
            {"message": "m"},
            500,
            x_amzn_errortype="InternalServerException",
            x_amzn_requestid="rid-9",
        )
    )
    assert error.request_id == "rid-9"


def test_html_503_without_code() -> None:
    """An HTML 503 has code '503' and the status reason as message (as botocore)."""
    error = parse_error(
        response(b"<html><body>Service Unavailable</body></html>", 503, x_amzn_requestid="rid-3")
    )
    assert type(error) is ServiceError
    assert (error.code, error.message, error.status_code) == ("503", "Service Unavailable", 503)
    assert {k: v for k, v in error.response.items() if k != "message"} == {
        "Error": {"Code": "503", "Message": "Service Unavailable"},
        "ResponseMetadata": {
            "RequestId": "rid-3",
            "HTTPStatusCode": 503,
            "HTTPHeaders": {"x-amzn-requestid": "rid-3"},
            "RetryAttempts": 0,
        },
    }


@pytest.mark.parametrize(
    ("code", "cls", "status"),
    [
        ("AccessDeniedException", AccessDeniedException, 403),
        ("ValidationException", ValidationException, 400),
        ("ThrottlingException", ThrottlingException, 429),
        ("InternalServerException", InternalServerException, 500),
        ("ExpiredTokenException", ExpiredTokenException, 403),
    ],
)
def test_modelled_code_gives_its_class(code: str, cls: type[ServiceError], status: int) -> None:
    """Each modelled error code becomes its own exception class."""
    error = parse_error(response({"message": "m"}, status, x_amzn_errortype=code))
    assert type(error) is cls
    assert (code, status) == (error.code, error.status_code)


def test_unknown_code_is_plain_service_error() -> None:
    """An unmodelled code is a plain ServiceError that keeps the code."""
    error = parse_error(response({"message": "m"}, 409, x_amzn_errortype="ConflictException"))
    assert type(error) is ServiceError
    assert error.code == "ConflictException"


def test_response_dict_is_botocore_shaped() -> None:
    """.response equals botocore's ClientError.response for the same throttling answer."""
    headers = {
        "x-amzn-requestid": "rid-1",
        "x-amzn-errortype": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        "content-type": "application/json",
    }
    resp = HttpResponse(status_code=429, headers=headers, body=b'{"message":"Too many requests"}')
    assert {
        "Error": {"Code": "ThrottlingException", "Message": "Too many requests"},
        "ResponseMetadata": {
            "RequestId": "rid-1",
            "HTTPStatusCode": 429,
            "HTTPHeaders": headers,
            "RetryAttempts": 0,
        },
        "message": "Too many requests",
    } == parse_error(resp).response


def test_str_is_botocores_message() -> None:
    """str(error) is botocore's ClientError message."""
    error = parse_error(response({"code": "AccessDeniedException", "message": "no"}, 403))
    assert str(error) == (
        "An error occurred (AccessDeniedException) when calling the ListModelInvocationJobs "
        "operation: no"
    )


def test_str_with_request_id_starts_with_botocores_message() -> None:
    """With a request id, str(error) is botocore's message followed by the id."""
    error = parse_error(
        response(
            {"message": "bad"},
            400,
            x_amzn_errortype="ValidationException",
            x_amzn_requestid="rid-2",
        )
    )
    text = str(error)
    assert text.startswith(
        "An error occurred (ValidationException) when calling the ListModelInvocationJobs "
        "operation: bad"
    )
    assert "rid-2" in text


def test_parse_error_on_nested_garbage() -> None:
    """A hostile error body does not make parse_error raise."""
    error = parse_error(response(b"[" * 100_000, 500))
    assert (error.code, error.message) == ("500", "Internal Server Error")


@settings(max_examples=200, deadline=None)
@given(
    body=json_values.map(json.dumps).map(str.encode) | st.binary(max_size=40),
    status=st.integers(min_value=300, max_value=599),
    error_type=st.none() | st.text(max_size=30),
)
def test_parse_error_never_raises(body: bytes, status: int, error_type: str | None) -> None:
    """Any body, status and ErrorType header give a ServiceError with a non-empty code."""
    headers = {} if error_type is None else {"x-amzn-errortype": error_type}
    error = parse_error(HttpResponse(status_code=status, headers=headers, body=body))
    assert isinstance(error, ServiceError)
    assert error.code
    assert status == error.status_code


_ERROR_HEADER_VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["ThrottlingException", "ValidationException:http://x/", "#A#B", ":", ""]),
)


@settings(max_examples=300, deadline=None)
@given(
    status=st.integers(min_value=300, max_value=599),
    body=st.one_of(
        st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode("utf-8"))
    ),
    error_type=st.none() | _ERROR_HEADER_VALUES,
    request_id=st.none() | st.text(max_size=40),
)
def test_parse_error_never_raises_and_always_has_a_code(
    status: int, body: bytes, error_type: str | None, request_id: str | None
) -> None:
    """Any error response (bytes, JSON, headers) becomes a ServiceError with a code; nothing
    else escapes."""
    headers = {}
    if error_type is not None:
        headers["x-amzn-errortype"] = error_type
    if request_id is not None:
        headers["x-amzn-requestid"] = request_id
    error = parse_error(HttpResponse(status_code=status, headers=headers, body=body))
    assert isinstance(error, ServiceError)
    assert error.code
    assert error.status_code == status
    assert isinstance(error.message, str)
    assert error.response["Error"]["Code"] == error.code
