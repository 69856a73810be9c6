"""Arguments of the batch-job operations: validation, idempotency tokens, label encoding,
the CLI's structure values, and the waiter's decisions (all pure)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate._cli_values import parse_structure, parse_structure_list
from bedrock_paginate._client import _job_operation
from bedrock_paginate._job_models import Job
from bedrock_paginate._job_params import validate_create_params, validate_job_identifier_params
from bedrock_paginate._serialize import build_request
from bedrock_paginate._waiter import Waiting
from bedrock_paginate.errors import ParamValidationError, WaiterError
from bedrock_paginate.models import InputDataConfig, S3InputDataConfig


def create_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "jobName": "nightly-1",
        "roleArn": "arn:aws:iam::123456789012:role/BatchRole",
        "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://my-bucket/in/"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://my-bucket/out/"}},
    }
    args.update(overrides)
    return args


def test_missing_client_request_token_is_generated_once_per_request() -> None:
    """Absent: the request carries a UUID4 (as botocore); given: kept as is."""
    create = _job_operation("create_model_invocation_job")
    request = build_request("https://b.test", create, create.validate(create_args()))
    token = json.loads(request.body)["clientRequestToken"]
    assert len(token) == 36
    assert token.count("-") == 4
    kept = build_request(
        "https://b.test", create, create.validate(create_args(clientRequestToken="mine-1"))
    )
    assert json.loads(kept.body)["clientRequestToken"] == "mine-1"


def test_body_in_model_order_with_typed_configs_accepted() -> None:
    """Typed configs become dicts; the body's keys follow the service model's order."""
    typed = InputDataConfig(s3_input_data_config=S3InputDataConfig(s3_uri="s3://my-bucket/in/"))
    create = _job_operation("create_model_invocation_job")
    params = create.validate(
        create_args(inputDataConfig=typed, tags=[{"key": "team", "value": "ml"}])
    )
    request = build_request("https://b.test", create, params)
    assert (request.method, request.url) == ("POST", "https://b.test/model-invocation-job")
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.body)
    assert list(body) == [
        "jobName",
        "roleArn",
        "clientRequestToken",
        "modelId",
        "inputDataConfig",
        "outputDataConfig",
        "tags",
    ]
    assert body["inputDataConfig"] == {"s3InputDataConfig": {"s3Uri": "s3://my-bucket/in/"}}


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"jobName": None}, "input.jobName"),
        ({"jobName": "-starts-with-dash"}, "jobName"),
        ({"jobName": "x" * 64}, "jobName"),
        ({"roleArn": "arn:aws:iam::123:user/x"}, "roleArn"),
        ({"clientRequestToken": "bad token"}, "clientRequestToken"),
        ({"modelId": ""}, "modelId"),
        ({"inputDataConfig": {}}, "inputDataConfig"),
        (
            {"inputDataConfig": {"s3InputDataConfig": {"s3Uri": "http://x"}}},
            "inputDataConfig.s3InputDataConfig.s3Uri",
        ),
        (
            {"outputDataConfig": {"s3OutputDataConfig": {}}},
            "outputDataConfig.s3OutputDataConfig.s3Uri",
        ),
        ({"timeoutDurationInHours": 12}, "timeoutDurationInHours"),
        ({"timeoutDurationInHours": True}, "timeoutDurationInHours"),
        ({"vpcConfig": {"subnetIds": [], "securityGroupIds": ["sg-1"]}}, "vpcConfig.subnetIds"),
        ({"tags": [{"key": "", "value": "x"}]}, "tags[0].key"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_create_arguments_name_the_parameter(overrides: dict[str, Any], param: str) -> None:
    """Each violation fails before any request, naming the parameter's path."""
    with pytest.raises(ParamValidationError) as info:
        validate_create_params(create_args(**overrides))
    assert info.value.param == param


def test_open_enums_are_passed_through() -> None:
    """A modelInvocationType or s3InputFormat this version does not know is sent as is."""
    params = validate_create_params(
        create_args(
            modelInvocationType="SomethingNew",
            inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://b-1/x", "s3InputFormat": "CSV"}},
        )
    )
    assert params["modelInvocationType"] == "SomethingNew"


@pytest.mark.parametrize("value", [None, "", 5, "x" * 1012])
def test_job_identifier_required_and_bounded(value: object) -> None:
    """jobIdentifier: required, a string of 1 to 1011 characters."""
    with pytest.raises(ParamValidationError):
        validate_job_identifier_params({"jobIdentifier": value})


def test_get_and_stop_requests_as_botocore() -> None:
    """The ARN is one path label (':' and '/' encoded, UTF-8 for the rest); no body."""
    arn = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl"
    get = _job_operation("GetModelInvocationJob")
    request = build_request("https://b.test", get, get.validate({"jobIdentifier": arn}))
    assert request.method == "GET"
    assert request.url == (
        "https://b.test/model-invocation-job/"
        "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Amodel-invocation-job%2Fabcdefghijkl"
    )
    assert request.body == b""
    stop = _job_operation("stop_model_invocation_job")
    request = build_request("https://b.test", stop, stop.validate({"jobIdentifier": "a+b.c~d é"}))
    assert (request.method, request.body) == ("POST", b"")
    assert request.url == "https://b.test/model-invocation-job/a%2Bb.c~d%20%C3%A9/stop"
    assert "Content-Type" not in request.headers


# --- CLI structure values -----------------------------------------------------------------


def test_structure_values_json_shorthand_and_file(tmp_path: Path) -> None:
    """JSON, the AWS CLI's shorthand and file:// give the same structure."""
    expected = {"s3InputDataConfig": {"s3Uri": "s3://b-1/in/", "s3InputFormat": "JSONL"}}
    assert parse_structure(json.dumps(expected), "--x") == expected
    shorthand = "s3InputDataConfig={s3Uri=s3://b-1/in/,s3InputFormat=JSONL}"
    assert parse_structure(shorthand, "--x") == expected
    path = tmp_path / "in.json"
    path.write_text(json.dumps(expected))
    assert parse_structure(f"file://{path}", "--x") == expected


def test_shorthand_lists_and_tags() -> None:
    """Bare values extend a list; --tags takes one shorthand item per word, or a JSON list."""
    assert parse_structure("subnetIds=s-1,s-2,securityGroupIds=[g-1]", "--x") == {
        "subnetIds": ["s-1", "s-2"],
        "securityGroupIds": ["g-1"],
    }
    tags = [{"key": "team", "value": "ml"}, {"key": "env", "value": "a b"}]
    assert parse_structure_list(["key=team,value=ml", "key=env,value='a b'"], "--tags") == tags
    assert parse_structure_list([json.dumps(tags)], "--tags") == tags


@pytest.mark.parametrize("text", ["a={b=c", "{not json", "=x", "a=[1,2", "file:///does/not/exist"])
def test_bad_structure_values_are_usage_errors(text: str) -> None:
    """Malformed values are ParamValidationErrors naming the flag."""
    with pytest.raises(ParamValidationError) as info:
        parse_structure(text, "--input-data-config")
    assert info.value.param == "--input-data-config"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    """Whatever the text, the result is a dict or a ParamValidationError, never a crash."""
    try:
        value = parse_structure(text, "--x")
    except ParamValidationError:
        return
    assert isinstance(value, dict)


# --- the waiter's decisions ------------------------------------------------------------------


def a_job(status: str) -> Job:
    from datetime import datetime, timezone

    from bedrock_paginate.models import OutputDataConfig, S3OutputDataConfig

    return Job(
        job_arn="arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl",
        model_id="m",
        role_arn="arn:aws:iam::123456789012:role/r",
        status=status,
        submit_time=datetime(2026, 1, 1, tzinfo=timezone.utc),
        input_data_config=InputDataConfig(
            s3_input_data_config=S3InputDataConfig(s3_uri="s3://b-1/in/")
        ),
        output_data_config=OutputDataConfig(
            s3_output_data_config=S3OutputDataConfig(s3_uri="s3://b-1/out/")
        ),
        total_record_count=10,
        processed_record_count=4,
    )


@pytest.mark.parametrize(
    "status", ["Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"]
)
def test_waiting_ends_at_every_finished_status(status: str) -> None:
    """A finished status: no more polls."""
    waiting = Waiting("j", timeout=10, poll_interval=1, clock=lambda: 0.0)
    assert waiting.next_delay(a_job(status)) is None


def test_waiting_never_sleeps_past_the_deadline_then_times_out() -> None:
    """Delays are capped by the time left; at the deadline, WaiterError with the last job."""
    now = [0.0]
    waiting = Waiting("j", timeout=25, poll_interval=10, clock=lambda: now[0])
    delays = []
    for _ in range(3):
        delay = waiting.next_delay(a_job("InProgress"))
        assert delay is not None
        delays.append(delay)
        now[0] += delay
    assert delays == [10, 10, 5]
    with pytest.raises(WaiterError) as info:
        waiting.next_delay(a_job("InProgress"))
    assert info.value.last_job is not None
    assert info.value.last_job.status == "InProgress"
    assert "4/10 records" in str(info.value)
    assert info.value.last_response is not None
    assert info.value.last_response["status"] == "InProgress"


@pytest.mark.parametrize(
    ("timeout", "interval"), [(-1, 1), (1, 0), (float("nan"), 1), ("10", 1), (1, True)]
)
def test_bad_wait_arguments(timeout: object, interval: object) -> None:
    """Timeouts and intervals must be finite, non-negative (interval positive) numbers."""
    with pytest.raises(ParamValidationError):
        Waiting("j", timeout=timeout, poll_interval=interval, clock=lambda: 0.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    ['{"a":' + "[" * 100_000, "[" * 100_000, "a=" + "{a=" * 5000, "a=" + "[" * 5000],
    ids=["json-object", "json-list", "shorthand-structures", "shorthand-lists"],
)
def test_values_nested_past_the_recursion_limit_are_usage_errors(text: str) -> None:
    """Thousands of nested brackets (JSON or shorthand): a ParamValidationError naming the
    flag, not a RecursionError ('unexpected error' in the CLI)."""
    with pytest.raises(ParamValidationError, match="'--input-data-config': the value is nested"):
        parse_structure(text, "--input-data-config")
    with pytest.raises(ParamValidationError, match="nested too deeply"):
        parse_structure_list([text], "--tags")


def test_file_values_with_a_byte_order_mark(tmp_path: Path) -> None:
    """A JSON file saved with a UTF-8 byte-order mark (Notepad, PowerShell) is read as JSON,
    not refused as shorthand starting with an invisible character."""
    expected = {"s3OutputDataConfig": {"s3Uri": "s3://my-bucket/out/"}}
    path = tmp_path / "out.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(expected).encode())
    assert parse_structure(f"file://{path}", "--output-data-config") == expected
    shorthand = tmp_path / "tags.txt"
    shorthand.write_bytes(b"\xef\xbb\xbfkey=team,value=ml")
    assert parse_structure_list([f"file://{shorthand}"], "--tags") == [
        {"key": "team", "value": "ml"}
    ]
