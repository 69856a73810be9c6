"""What get/stop/create/watch print, as the AWS CLI: the output format from ``AWS_DEFAULT_OUTPUT``
or the profile's ``output`` and ``--generate-cli-skeleton output`` (the response shape, after
the command's own argument checks, through its ``--output`` and ``--query``)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bedrock_paginate import cli
from bedrock_paginate._cli_jobs import main as jobs_main
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer

ROLE = "arn:aws:iam::123456789012:role/BatchRole"
GET = "get-model-invocation-job"
STOP = "stop-model-invocation-job"
CREATE = [
    "create-model-invocation-job",
    "--job-name",
    "cli-1",
    "--role-arn",
    ROLE,
    "--model-id",
    "anthropic.claude-3-haiku-20240307-v1:0",
    "--input-data-config",
    "s3InputDataConfig={s3Uri=s3://my-bucket/in/,s3InputFormat=JSONL}",
    "--output-data-config",
    "s3OutputDataConfig={s3Uri=s3://my-bucket/out/}",
]


class Clock:
    """The fake's clock, also watch's; watch's sleep advances it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> FakeBedrock:
    return FakeBedrock(now=clock, speed=60)


@pytest.fixture
def config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Example keys, a private (empty) config file, no retries."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    path = tmp_path / "config"
    path.write_text("")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "fake",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(path),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    return path


@pytest.fixture
def endpoint(fake: FakeBedrock, config: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with FakeBedrockServer(fake) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        yield server.url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv), isatty=lambda: False)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert "unexpected error" not in err
    return code, out, err


def created(capsys: pytest.CaptureFixture[str]) -> str:
    code, out, _ = run(capsys, *CREATE, "--output", "json")
    assert code == 0
    arn: str = json.loads(out)["jobArn"]
    return arn


# --- AWS_DEFAULT_OUTPUT and the profile's output -------------------------------------------------


def test_aws_default_output_chooses_the_format_of_get_and_create(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, endpoint: str
) -> None:
    """AWS_DEFAULT_OUTPUT=text: create prints the ARN alone, get the AWS CLI's text lines."""
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "text")
    code, out, _ = run(capsys, *CREATE)
    assert code == 0
    assert out.startswith("arn:aws:bedrock:")
    assert "{" not in out
    arn = out.strip()
    code, out, _ = run(capsys, GET, "--job-identifier", arn)
    assert code == 0
    first, *rest = out.splitlines()
    assert f"\t{arn}\t" in first
    assert rest[0].startswith("S3INPUTDATACONFIG\t")
    # --output on the command line wins
    assert run(capsys, GET, "--job-identifier", arn, "--output", "json")[1].startswith("{\n")


def test_the_profile_output_chooses_the_format_of_get(
    capsys: pytest.CaptureFixture[str], config: Path, endpoint: str
) -> None:
    """The profile's output = table: get draws the GetModelInvocationJob box."""
    arn = created(capsys)
    config.write_text("[default]\noutput = table\n")
    code, out, _ = run(capsys, GET, "--job-identifier", arn)
    assert code == 0
    assert "GetModelInvocationJob" in out.splitlines()[1]


def test_watch_follows_aws_default_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, endpoint: str,
    fake: FakeBedrock, clock: Clock,
) -> None:  # fmt: skip
    """AWS_DEFAULT_OUTPUT=jsonl: watch prints its JSON events, as with --output jsonl."""
    arn = created(capsys)
    fake.set_job_fate(arn, outcome="Failed", total=60, rate=60)
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "jsonl")
    out = io.StringIO()
    code = jobs_main(
        ["watch", "--job-identifier", arn, "--until-done", "--interval", "5"], "watch",
        isatty=lambda: False, stdout=out, sleep=clock.sleep, now=clock,
    )  # fmt: skip
    assert code == 3
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert events[0]["newStatus"] == "Submitted"
    assert events[-1]["newStatus"] == "Failed"


def test_a_bad_aws_default_output_is_a_config_error_for_get(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, endpoint: str,
    fake: FakeBedrock,
) -> None:  # fmt: skip
    """AWS_DEFAULT_OUTPUT=yaml: 253 naming the variable, no request."""
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "yaml")
    code, out, err = run(capsys, GET, "--job-identifier", "abc123abc123")
    assert (code, out) == (253, "")
    assert "AWS_DEFAULT_OUTPUT is 'yaml', not an output format this tool prints" in err
    assert fake.request_count == 0


# --- --generate-cli-skeleton output ------------------------------------------------------------


def test_get_output_skeleton_is_the_job_shape_and_calls_nothing(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    """Member names as strings, 0, the epoch; no credentials needed, nothing sent."""
    code, out, _ = run(
        capsys, GET, "--job-identifier", "j", "--generate-cli-skeleton", "output",
        "--endpoint-url", "http://127.0.0.1:9",
    )  # fmt: skip
    assert code == 0
    job = json.loads(out)
    assert job["jobArn"] == "jobArn"
    assert job["status"] == "status"
    assert job["submitTime"] == "1970-01-01T00:00:00"
    assert job["timeoutDurationInHours"] == 0
    assert job["inputDataConfig"]["s3InputDataConfig"]["s3Uri"] == "s3Uri"
    vpc = {"subnetIds": ["subnetIds"], "securityGroupIds": ["securityGroupIds"]}
    assert job["vpcConfig"] == vpc
    assert "ResponseMetadata" not in job


def test_output_skeleton_checks_the_arguments_first(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    """As the AWS CLI: 'output' validates the command's inputs (required flags stay required)."""
    code, out, err = run(capsys, GET, "--generate-cli-skeleton", "output")
    assert (code, out) == (252, "")
    assert "--job-identifier" in err
    code, out, err = run(capsys, "create-model-invocation-job", "--generate-cli-skeleton=output")
    assert (code, out) == (252, "")
    assert "--job-name" in err


def test_create_and_stop_output_skeletons(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    """create: {"jobArn": "jobArn"}; stop's response is empty, so (as the AWS CLI) nothing."""
    code, out, _ = run(capsys, *CREATE, "--generate-cli-skeleton", "output")
    assert (code, json.loads(out)) == (0, {"jobArn": "jobArn"})
    code, out, _ = run(capsys, STOP, "--job-identifier", "j", "--generate-cli-skeleton", "output")
    assert (code, out) == (0, "")


def test_output_skeleton_goes_through_output_and_query(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    """--output text / table and --query apply to the skeleton as to a response."""
    base = [GET, "--job-identifier", "j", "--generate-cli-skeleton", "output"]
    assert run(capsys, *base, "--query", "jobName", "--output", "text")[1] == "jobName\n"
    table = run(capsys, *base, "--output", "table")[1]
    assert "GetModelInvocationJob" in table
    assert any(line.split() == ["|", "jobArn", "|", "jobArn", "|"] for line in table.splitlines())


def test_output_skeleton_with_cli_input_json(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    """The required flag may come from --cli-input-json, as in the AWS CLI."""
    code, out, _ = run(
        capsys, GET, "--cli-input-json", '{"jobIdentifier": "j"}',
        "--generate-cli-skeleton", "output",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out)["jobArn"] == "jobArn"


def test_watch_has_no_output_skeleton_and_says_why(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    """watch prints events, not a service response: 'output' is refused, pointing at get."""
    code, out, err = run(capsys, "watch", "--generate-cli-skeleton", "output")
    assert (code, out) == (252, "")
    assert "watch prints change events, not a service response" in err
    assert "get-model-invocation-job --generate-cli-skeleton output" in err


@pytest.mark.parametrize(
    "argv",
    [[GET, "--job-identifier", "j"], [STOP, "--job-identifier", "j"], ["watch", "--until-done"]],
)
def test_a_profile_given_with_the_flag_is_not_named_in_code(
    capsys: pytest.CaptureFixture[str], config: Path, argv: list[str]
) -> None:
    """--profile without keys: the error says the profile was named with --profile."""
    config.write_text("[profile empty]\nregion = us-east-1\n")
    code, _, err = run(capsys, *argv, "--profile", "empty", "--endpoint-url", "http://127.0.0.1:9")
    assert code == 253
    assert "environment variables (skipped: a profile was named with --profile)" in err
    assert "in code" not in err


class _FullStream(io.StringIO):
    """Standard output on a full disk (> /dev/full)."""

    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


def test_create_names_the_job_it_created_when_the_output_cannot_be_written(
    capsys: pytest.CaptureFixture[str], endpoint: str, fake: FakeBedrock
) -> None:
    """create on a full disk: the job exists but its ARN never reached stdout, so stderr names
    it besides the output error (255)."""
    code = jobs_main(CREATE, CREATE[0], isatty=lambda: False, stdout=_FullStream())
    err = capsys.readouterr().err
    assert code == 255
    assert "could not write the output" in err
    arns = [job["jobArn"] for job in fake.jobs]
    assert len(arns) == 1
    assert f"the job was created: {arns[0]}" in err


def test_the_listing_output_skeleton_goes_through_output_and_query(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    """list --generate-cli-skeleton output, as the AWS CLI's stubbed call: one page of the
    response shape, printed in --output with --query; argument errors still come first."""
    base = ["list-model-invocation-jobs", "--generate-cli-skeleton", "output"]
    code, out, _ = run(capsys, *base, "--query", "invocationJobSummaries[].jobName")
    assert (code, json.loads(out)) == (0, ["jobName"])
    code, out, _ = run(capsys, *base, "--output", "text", "--query", "nextToken")
    assert (code, out) == (0, "nextToken\n")
    code, out, err = run(capsys, *base, "--max-items", "x")
    assert (code, out) == (252, "")
    assert "--max-items" in err
