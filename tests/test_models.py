"""Models (bedrock_paginate.models): ``to_dict()`` gives what boto3 returns for the same response.

``BOTO3_PARSED`` was computed by hand with botocore 1.43.11: ``RestJSONParser().parse(...)`` on
``RESPONSE_BODY`` with the bedrock 2023-04-20 model's ListModelInvocationJobs output shape
(loaded through ``botocore.session.get_session().get_service_model('bedrock')``). botocore's
datetimes carry ``tzlocal()`` / ``tzoffset``; they are written here as the same instants in UTC
(aware datetimes compare by instant). botocore is not imported here.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bedrock_paginate._decode import decode_page, parse_timestamp
from bedrock_paginate._http import HttpResponse
from bedrock_paginate.models import (
    InputDataConfig,
    JobSummary,
    OutputDataConfig,
    Page,
    ResponseMetadata,
    S3InputDataConfig,
    S3OutputDataConfig,
)
from tests.strategies import job_dicts

UTC = timezone.utc
ROLE = "arn:aws:iam::123456789012:role/BatchRole"
JOB_ARN = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/"
TIMESTAMP_KEYS = ("submitTime", "lastModifiedTime", "endTime", "jobExpirationTime")

RESPONSE_BODY: dict[str, Any] = {
    "invocationJobSummaries": [
        {
            "jobArn": JOB_ARN + "abc123",
            "jobName": "nightly-batch-1",
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "clientRequestToken": "req-1",
            "roleArn": ROLE,
            "status": "Completed",
            "message": "done",
            "submitTime": "2025-03-04T05:06:07.123Z",
            "lastModifiedTime": "2025-03-04T10:36:07+05:30",
            "endTime": "2025-03-04T06:00:00Z",
            "inputDataConfig": {
                "s3InputDataConfig": {
                    "s3InputFormat": "JSONL",
                    "s3Uri": "s3://in-bucket/in/",
                    "s3BucketOwner": "123456789012",
                }
            },
            "outputDataConfig": {
                "s3OutputDataConfig": {
                    "s3Uri": "s3://out-bucket/out/",
                    "s3EncryptionKeyId": "arn:aws:kms:us-east-1:123456789012:key/k1",
                    "s3BucketOwner": "123456789012",
                }
            },
            "vpcConfig": {"subnetIds": ["subnet-1", "subnet-2"], "securityGroupIds": ["sg-1"]},
            "timeoutDurationInHours": 24,
            "jobExpirationTime": "2025-03-05T05:06:07.123456Z",
            "modelInvocationType": "InvokeModel",
            "totalRecordCount": 100,
            "processedRecordCount": 100,
            "successRecordCount": 98,
            "errorRecordCount": 2,
        },
        {
            "jobArn": JOB_ARN + "def456",
            "jobName": "minimal",
            "modelId": "m",
            "roleArn": ROLE,
            "submitTime": "2025-03-04T05:06:07Z",
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x"}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/y"}},
            "status": "SomeFutureStatus",
            "futureField": {"x": 1},
        },
        {
            "jobArn": JOB_ARN + "ghi789",
            "jobName": "future-union",
            "modelId": "m",
            "roleArn": ROLE,
            "submitTime": "2025-03-04T05:06:07Z",
            "inputDataConfig": {"bigQueryInputDataConfig": {"table": "t"}},
            "outputDataConfig": {
                "__type": "x",
                "s3OutputDataConfig": {"s3Uri": "s3://out-bucket/z"},
                "other": None,
            },
        },
    ],
    "nextToken": "+/+/NA==",
}

# botocore 1.43.11's parsed output for RESPONSE_BODY (without ResponseMetadata).
BOTO3_PARSED: dict[str, Any] = {
    "invocationJobSummaries": [
        {
            "clientRequestToken": "req-1",
            "endTime": datetime(2025, 3, 4, 6, 0, tzinfo=UTC),
            "errorRecordCount": 2,
            "inputDataConfig": {
                "s3InputDataConfig": {
                    "s3BucketOwner": "123456789012",
                    "s3InputFormat": "JSONL",
                    "s3Uri": "s3://in-bucket/in/",
                }
            },
            "jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abc123",
            "jobExpirationTime": datetime(2025, 3, 5, 5, 6, 7, 123456, tzinfo=UTC),
            "jobName": "nightly-batch-1",
            "lastModifiedTime": datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC),
            "message": "done",
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "modelInvocationType": "InvokeModel",
            "outputDataConfig": {
                "s3OutputDataConfig": {
                    "s3BucketOwner": "123456789012",
                    "s3EncryptionKeyId": "arn:aws:kms:us-east-1:123456789012:key/k1",
                    "s3Uri": "s3://out-bucket/out/",
                }
            },
            "processedRecordCount": 100,
            "roleArn": "arn:aws:iam::123456789012:role/BatchRole",
            "status": "Completed",
            "submitTime": datetime(2025, 3, 4, 5, 6, 7, 123000, tzinfo=UTC),
            "successRecordCount": 98,
            "timeoutDurationInHours": 24,
            "totalRecordCount": 100,
            "vpcConfig": {"securityGroupIds": ["sg-1"], "subnetIds": ["subnet-1", "subnet-2"]},
        },
        {
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x"}},
            "jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/def456",
            "jobName": "minimal",
            "modelId": "m",
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/y"}},
            "roleArn": "arn:aws:iam::123456789012:role/BatchRole",
            "status": "SomeFutureStatus",
            "submitTime": datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC),
        },
        {
            "inputDataConfig": {"SDK_UNKNOWN_MEMBER": {"name": "bigQueryInputDataConfig"}},
            "jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/ghi789",
            "jobName": "future-union",
            "modelId": "m",
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/z"}},
            "roleArn": "arn:aws:iam::123456789012:role/BatchRole",
            "submitTime": datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC),
        },
    ],
    "nextToken": "+/+/NA==",
}

HEADERS = {"content-type": "application/json", "x-amzn-requestid": "req-id-1"}


def decoded_page() -> Page:
    """RESPONSE_BODY decoded as the client would."""
    body = json.dumps(RESPONSE_BODY).encode()
    return decode_page(HttpResponse(status_code=200, headers=HEADERS, body=body))


def test_page_to_dict_equals_boto3() -> None:
    """Page.to_dict() (metadata aside) equals boto3's parsed response for the same body."""
    out = decoded_page().to_dict()
    del out["ResponseMetadata"]
    assert out == BOTO3_PARSED


def test_page_to_dict_response_metadata_equals_boto3() -> None:
    """ResponseMetadata is boto3's: RequestId, HTTPStatusCode, HTTPHeaders, RetryAttempts."""
    assert decoded_page().to_dict()["ResponseMetadata"] == {
        "RequestId": "req-id-1",
        "HTTPStatusCode": 200,
        "HTTPHeaders": HEADERS,
        "RetryAttempts": 0,
    }


def test_to_dict_datetimes_are_utc_datetimes() -> None:
    """Timestamps in to_dict() are aware UTC datetimes, not strings."""
    job = decoded_page().to_dict()["invocationJobSummaries"][0]
    assert all(job[key].tzinfo is UTC for key in TIMESTAMP_KEYS)


def test_to_dict_lists_are_lists() -> None:
    """Sequences come back as lists, as boto3 gives them (not tuples)."""
    vpc = decoded_page().to_dict()["invocationJobSummaries"][0]["vpcConfig"]
    assert (list, list) == (type(vpc["subnetIds"]), type(vpc["securityGroupIds"]))


def test_to_dict_leaves_out_absent_members() -> None:
    """Members that are None do not appear in to_dict() (boto3 leaves them out)."""
    job = JobSummary(
        job_arn="a",
        job_name="n",
        model_id="m",
        role_arn="r",
        submit_time=datetime(2025, 1, 1, tzinfo=UTC),
        input_data_config=InputDataConfig(s3_input_data_config=S3InputDataConfig(s3_uri="i")),
        output_data_config=OutputDataConfig(s3_output_data_config=S3OutputDataConfig(s3_uri="o")),
    )
    assert {
        "jobArn": "a",
        "jobName": "n",
        "modelId": "m",
        "roleArn": "r",
        "submitTime": datetime(2025, 1, 1, tzinfo=UTC),
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "i"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "o"}},
    } == job.to_dict()


def test_unknown_union_member_to_dict() -> None:
    """An unknown union member gives botocore's {"SDK_UNKNOWN_MEMBER": {"name": ...}}."""
    assert OutputDataConfig(sdk_unknown_member="x").to_dict() == {
        "SDK_UNKNOWN_MEMBER": {"name": "x"}
    }


def test_empty_page_to_dict() -> None:
    """A page with no jobs gives an empty list and no nextToken, as boto3."""
    assert Page().to_dict() == {"invocationJobSummaries": []}


def test_page_without_metadata_has_no_metadata_key() -> None:
    """A Page built without response metadata has no ResponseMetadata in to_dict()."""
    assert "ResponseMetadata" not in Page(next_token="t").to_dict()


def test_response_metadata_not_in_equality_or_repr() -> None:
    """Pages are equal whatever their metadata; header values stay out of the repr."""
    meta = ResponseMetadata(
        request_id="r", http_status_code=200, http_headers={"x-h": "header-value"}
    )
    assert Page(response_metadata=meta) == Page()
    assert "header-value" not in repr(meta)


def test_page_iterates_its_jobs() -> None:
    """Iterating a page iterates its jobs; len() counts them."""
    page = decoded_page()
    assert len(page) == 3
    assert [job.job_name for job in page] == ["nightly-batch-1", "minimal", "future-union"]


def _boto3_shape(job: dict[str, Any]) -> dict[str, Any]:
    """What botocore makes of a valid wire job: known members only, timestamps parsed."""
    known = set(BOTO3_PARSED["invocationJobSummaries"][0])
    return {
        key: parse_timestamp(value) if key in TIMESTAMP_KEYS else value
        for key, value in job.items()
        if key in known
    }


@given(st.lists(job_dicts(), max_size=4), st.none() | st.text(min_size=1, max_size=10))
def test_to_dict_round_trips_valid_jobs(jobs: list[dict[str, Any]], token: str | None) -> None:
    """For any valid page, to_dict() is the wire body with known members and parsed times."""
    body: dict[str, Any] = {"invocationJobSummaries": jobs}
    if token is not None:
        body["nextToken"] = token
    page = decode_page(HttpResponse(status_code=200, body=json.dumps(body).encode()))
    out = page.to_dict()
    del out["ResponseMetadata"]
    expected: dict[str, Any] = {"invocationJobSummaries": [_boto3_shape(job) for job in jobs]}
    if token is not None:
        expected["nextToken"] = token
    assert expected == out
