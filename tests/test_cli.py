"""The ``bedrock-paginate`` command line tool, end to end against the loopback fake Bedrock.

Every test runs with a controlled environment: no real ``~/.aws`` (config files point to
``tmp_path``), obviously fake credentials whose secret and session token are canaries that must
never appear in any output, and ``AWS_MAX_ATTEMPTS=1`` so that no test waits for a retry.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bedrock_paginate import cli
from bedrock_paginate._output import format_json, format_text
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, Fault, generate_jobs

ROOT = Path(__file__).resolve().parent.parent
SECRET = "FAKEsecretCANARYwJalrXUtnFEMIK7MDENGbPxRfiCY"
SESSION_TOKEN = "FAKEsessionTOKENcanary0123456789"
BEARER = "FAKEbearerCANARYtoken987"
CANARIES = (SECRET, SESSION_TOKEN, BEARER)
CMD = "list-model-invocation-jobs"
ISO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00")
FAST = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A clean AWS environment: fake keys with canary secrets, private config files."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    config = tmp_path / "aws-config"
    config.write_text("[profile other]\nregion = eu-west-1\n")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text("")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.fixture
def fake() -> FakeBedrock:
    """Twelve generated jobs; pages of 1000 unless the request says otherwise."""
    return FakeBedrock(jobs=generate_jobs(12, seed=7))


@pytest.fixture
def url(fake: FakeBedrock) -> Iterator[str]:
    """The loopback URL of a server for ``fake``."""
    with FakeBedrockServer(fake) as server:
        yield server.url


def run(capsys: pytest.CaptureFixture[str], *argv: str, tty: bool = False) -> tuple[int, str, str]:
    """``main(argv)`` in-process: (exit code, stdout, stderr); checks no canary leaked."""
    code = cli.main(list(argv), isatty=lambda: tty)
    out, err = capsys.readouterr()
    for canary in CANARIES:
        assert canary not in out
        assert canary not in err
    return code, out, err


def listing(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> tuple[int, str, str]:
    """``bedrock-paginate list-model-invocation-jobs --endpoint-url URL ...``."""
    return run(capsys, CMD, "--endpoint-url", url, *argv)


def arns(fake: FakeBedrock) -> list[str]:
    """The ARNs of a full default listing, in the fake's order."""
    return [job["jobArn"] for job in fake.expected()]


def jsonl_arns(out: str) -> list[str]:
    """ARNs of jsonl output (every line must be a JSON object)."""
    return [json.loads(line)["jobArn"] for line in out.splitlines()]


def resume_token(err: str) -> str:
    """The token of the ``resume with --starting-token`` line."""
    match = re.search(r"^resume with --starting-token (\S+)$", err, re.MULTILINE)
    assert match is not None, err
    return match.group(1)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _subprocess_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        PYTHONPATH=str(ROOT),
        HOME=str(tmp_path),
        AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_MAX_ATTEMPTS="1",
    )
    return env


# --- json -------------------------------------------------------------------------------------


def test_json_lists_every_job_in_aws_cli_shape(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--output json prints {"invocationJobSummaries": [...]} with 4-space indent, no token."""
    code, out, err = listing(capsys, url, "--page-size", "5")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["invocationJobSummaries"]
    assert [job["jobArn"] for job in data["invocationJobSummaries"]] == arns(fake)
    assert out.startswith('{\n    "invocationJobSummaries": [\n        {\n            "jobArn": ')
    assert out.endswith("}\n")


def test_json_keys_follow_the_service_model_order(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """Job keys come in the model's member order, as boto3 and the AWS CLI give them."""
    model_order = [
        "jobArn", "jobName", "modelId", "clientRequestToken", "roleArn", "status", "message",
        "submitTime", "lastModifiedTime", "endTime", "inputDataConfig", "outputDataConfig",
        "vpcConfig", "timeoutDurationInHours", "jobExpirationTime", "modelInvocationType",
        "totalRecordCount", "processedRecordCount", "successRecordCount", "errorRecordCount",
    ]  # fmt: skip
    code, out, _ = listing(capsys, url)
    assert code == 0
    for job in json.loads(out)["invocationJobSummaries"]:
        keys = list(job)
        assert keys == sorted(keys, key=model_order.index)
        s3_in = list(job["inputDataConfig"]["s3InputDataConfig"])
        assert s3_in == [k for k in ("s3InputFormat", "s3Uri", "s3BucketOwner") if k in s3_in]


def test_json_timestamps_are_isoformat_with_offset(capsys: pytest.CaptureFixture[str]) -> None:
    """Timestamps print as isoformat(): '+00:00', microseconds only when non-zero."""
    jobs = generate_jobs(2, seed=1)
    jobs[0]["submitTime"] = "2025-03-04T05:06:07.123Z"
    jobs[1]["submitTime"] = "2025-03-04T05:06:08Z"
    jobs[1]["message"] = "Échec: données illisibles ✓"
    with FakeBedrockServer(FakeBedrock(jobs=jobs)) as server:
        code, out, _ = listing(capsys, server.url, "--sort-order", "Ascending")
    assert code == 0
    listed = json.loads(out)["invocationJobSummaries"]
    assert [job["submitTime"] for job in listed] == [
        "2025-03-04T05:06:07.123000+00:00",
        "2025-03-04T05:06:08+00:00",
    ]
    assert "Échec: données illisibles ✓" in out  # ensure_ascii=False, as the AWS CLI
    for job in listed:
        for key in ("lastModifiedTime", "endTime", "jobExpirationTime"):
            if key in job:
                assert ISO_OFFSET.fullmatch(job[key])


def test_max_items_then_starting_token_lists_every_job_once(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--max-items prints NextToken; --starting-token with it lists the rest, nothing twice."""
    code, out, _ = listing(capsys, url, "--max-items", "7", "--page-size", "5")
    first = json.loads(out)
    assert code == 0
    assert list(first) == ["invocationJobSummaries", "NextToken"]
    code, out, _ = listing(capsys, url, "--starting-token", first["NextToken"], "--page-size", "5")
    second = json.loads(out)
    assert code == 0
    assert "NextToken" not in second
    listed = first["invocationJobSummaries"] + second["invocationJobSummaries"]
    assert [job["jobArn"] for job in listed] == arns(fake)


@FAST
@given(n=st.integers(0, 30), page_size=st.integers(1, 12), max_items=st.integers(1, 12))
def test_continuing_with_next_token_visits_every_job_once(
    capsys: pytest.CaptureFixture[str], n: int, page_size: int, max_items: int
) -> None:
    """For any sizes, following NextToken across invocations lists each job once, in order."""
    fake = FakeBedrock(jobs=generate_jobs(n, seed=n))
    seen: list[str] = []
    token: list[str] = []
    with FakeBedrockServer(fake) as server:
        for _ in range(n + 2):
            code, out, err = listing(
                capsys, server.url, "--page-size", str(page_size),
                "--max-items", str(max_items), "--output", "jsonl", *token,
            )  # fmt: skip
            assert code == 0
            seen += jsonl_arns(out)
            found = re.fullmatch(r"NextToken: (\S+)\n", err)
            if found is None:
                assert err == ""
                break
            token = ["--starting-token", found.group(1)]
    assert seen == arns(fake)


# --- jsonl ------------------------------------------------------------------------------------


class _PageRecorder(io.StringIO):
    """A stdout that counts the lines written so far (read from the server thread)."""

    def lines(self) -> int:
        return self.getvalue().count("\n")


def test_jsonl_prints_one_object_per_job_streamed_page_by_page(
    monkeypatch: pytest.MonkeyPatch, fake: FakeBedrock, url: str
) -> None:
    """Each page's jobs are on stdout (flushed) before the next page is requested."""
    stdout = _PageRecorder()
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    printed_before: list[int] = []

    def note(_: Any) -> bool:
        printed_before.append(stdout.lines())
        return False

    fake.inject(Fault.throttle(), times=None, when=note)
    code = cli.main([CMD, "--endpoint-url", url, "--output", "jsonl", "--page-size", "5"])
    assert code == 0
    assert printed_before == [0, 5, 10]
    assert jsonl_arns(stdout.getvalue()) == arns(fake)
    assert all(line.startswith('{"jobArn":') for line in stdout.getvalue().splitlines())


def test_jsonl_puts_the_next_token_on_stderr(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """With --max-items, jsonl stdout holds only jobs; 'NextToken: T' goes to stderr."""
    code, out, err = listing(capsys, url, "--output", "jsonl", "--max-items", "4")
    assert code == 0
    assert jsonl_arns(out) == arns(fake)[:4]
    assert re.fullmatch(r"NextToken: \S+\n", err)


# --- table and text ---------------------------------------------------------------------------


def test_table_shows_the_important_columns_aligned(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--output table: a title with the count, the summary columns, one aligned row per job."""
    code, out, _ = listing(capsys, url, "--output", "table")
    assert code == 0
    lines = out.splitlines()
    assert "ListModelInvocationJobs (12 jobs)" in lines[1]
    header = [cell.strip() for cell in lines[3].strip("|").split("|")]
    assert header == [
        "Name", "Status", "Model", "Submitted (UTC)", "Ended (UTC)", "Records done/total",
    ]  # fmt: skip
    assert len({len(line) for line in lines}) == 1  # every line of the box is aligned
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[5:-1]]
    jobs = fake.expected()
    assert [row[0] for row in rows] == [job["jobName"] for job in jobs]
    for row, job in zip(rows, jobs, strict=True):
        assert row[1] == job["status"]
        assert row[3] == job["submitTime"][:19].replace("T", " ")
        total = job.get("totalRecordCount")
        expected = "" if total is None else f"{job.get('processedRecordCount', 0)}/{total}"
        assert row[5] == expected


def test_table_with_max_items_prints_the_next_token(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """The table's NextToken follows the box, so the listing can be continued."""
    code, out, _ = listing(capsys, url, "--output", "table", "--max-items", "2")
    assert code == 0
    assert "(2 jobs)" in out.splitlines()[1]
    assert re.search(r"^NextToken: \S+$", out, re.MULTILINE)


def test_text_output_follows_the_aws_cli_text_rules(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--output text: one INVOCATIONJOBSUMMARIES line per job, sorted scalar columns."""
    code, out, _ = listing(capsys, url, "--output", "text", "--max-items", "5", "--page-size", "2")
    assert code == 0
    lines = out.splitlines()
    summaries = [line.split("\t") for line in lines if line.startswith("INVOCATIONJOBSUMMARIES")]
    jobs = fake.expected()[:5]
    assert len(summaries) == 5
    for fields, job in zip(summaries, jobs, strict=True):
        assert job["jobArn"] in fields
        assert job["jobName"] in fields
    assert any(line.startswith("S3INPUTDATACONFIG\t") for line in lines)
    assert lines[-1].startswith("NEXTTOKEN\t")


def test_format_text_matches_the_aws_cli_algorithm() -> None:
    """A hand-checked value: dict scalars sorted, lists of dicts share columns, nesting."""
    value = {
        "items": [
            {"b": 2, "a": "x", "tags": ["t1", "t2"], "conf": {"z": 1, "y": True}},
            {"a": "y", "c": None},
        ],
        "Next": "tok",
    }
    assert format_text(value) == (
        "tok\nITEMS\tx\t2\t\nCONF\tTrue\t1\nTAGS\tt1\nTAGS\tt2\nITEMS\ty\t\tNone\n"
    )
    assert format_text(["a", 1]) == "a\t1\n"
    assert format_text(None) == "None\n"


def test_format_json_prints_nothing_for_an_empty_dict() -> None:
    """As the AWS CLI: {} prints nothing, null and [] print themselves."""
    assert format_json({}) == ""
    assert format_json(None) == "null\n"
    assert format_json([]) == "[]\n"


# --- --no-paginate ----------------------------------------------------------------------------


def test_no_paginate_sends_one_request_and_prints_the_raw_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--no-paginate: one request, the service's shape with nextToken first."""
    fake = FakeBedrock(jobs=generate_jobs(12, seed=7), default_page_size=5)
    with FakeBedrockServer(fake) as server:
        code, out, _ = listing(capsys, server.url, "--no-paginate")
    data = json.loads(out)
    assert code == 0
    assert fake.request_count == 1
    assert list(data) == ["nextToken", "invocationJobSummaries"]
    assert [job["jobArn"] for job in data["invocationJobSummaries"]] == arns(fake)[:5]


def test_max_results_implies_no_paginate_and_next_token_continues(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--max-results/--next-token are the API's own parameters and turn pagination off."""
    code, out, _ = listing(capsys, url, "--max-results", "5")
    first = json.loads(out)
    code2, out2, _ = listing(capsys, url, "--max-results", "7", "--next-token", first["nextToken"])
    second = json.loads(out2)
    assert (code, code2) == (0, 0)
    assert fake.request_count == 2
    assert "nextToken" not in second
    listed = first["invocationJobSummaries"] + second["invocationJobSummaries"]
    assert [job["jobArn"] for job in listed] == arns(fake)


def test_no_paginate_refuses_pagination_arguments(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """As the AWS CLI: --no-paginate with --max-items/--page-size/--starting-token is 252."""
    code, out, err = listing(capsys, url, "--no-paginate", "--page-size", "3")
    assert (code, out) == (252, "")
    assert "Cannot specify --no-paginate along with pagination arguments: --page-size" in err
    assert fake.request_count == 0


def test_no_paginate_jsonl_and_table(capsys: pytest.CaptureFixture[str], url: str) -> None:
    """One raw page in jsonl (nextToken on stderr) and as a table."""
    code, out, err = listing(capsys, url, "--max-results", "3", "--output", "jsonl")
    assert code == 0
    assert len(out.splitlines()) == 3
    assert err.startswith("nextToken: ")
    code, out, _ = listing(capsys, url, "--max-results", "3", "--output", "table")
    assert code == 0
    assert "(3 jobs)" in out
    assert "nextToken: " in out


# --- --query ----------------------------------------------------------------------------------


def test_query_applies_to_the_full_result_in_json(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--query with json sees the whole listing, timestamps as strings (AWS CLI v2)."""
    code, out, _ = listing(
        capsys, url, "--page-size", "5", "--query", "invocationJobSummaries[].jobArn"
    )
    assert code == 0
    assert json.loads(out) == arns(fake)
    code, out, _ = listing(
        capsys, url, "--query", "length(invocationJobSummaries[?submitTime > '2000'])"
    )
    assert json.loads(out) == 12


def test_query_applies_per_job_in_jsonl(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--query with jsonl runs on each job; null results are skipped."""
    code, out, _ = listing(capsys, url, "--output", "jsonl", "--query", "message")
    failed = [job["message"] for job in fake.expected() if "message" in job]
    assert code == 0
    assert failed
    assert [json.loads(line) for line in out.splitlines()] == failed


def test_query_applies_per_page_in_text(capsys: pytest.CaptureFixture[str], url: str) -> None:
    """As the AWS CLI's text format, --query runs on each page: one line per page here."""
    code, out, _ = listing(
        capsys, url, "--output", "text", "--page-size", "5",
        "--query", "invocationJobSummaries[].jobName",
    )  # fmt: skip
    assert code == 0
    assert [len(line.split("\t")) for line in out.splitlines()] == [5, 5, 2]


def test_query_in_table_prints_a_generic_table(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--query with table: the query's result as a table with its keys as columns."""
    code, out, _ = listing(
        capsys, url, "--output", "table",
        "--query", "invocationJobSummaries[].{name: jobName, state: status}",
    )  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    assert [c.strip() for c in lines[3].strip("|").split("|")] == ["name", "state"]
    assert len(lines) == 12 + 6


def test_bad_query_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """An invalid JMESPath expression exits 252 before any request."""
    code, out, err = listing(capsys, url, "--query", "invocationJobSummaries[")
    assert (code, out) == (252, "")
    assert "Bad value for --query" in err
    assert fake.request_count == 0


def test_query_without_jmespath_says_what_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """When jmespath is missing, --query exits 252 naming the extra to install."""
    monkeypatch.setitem(sys.modules, "jmespath", None)
    code, _, err = listing(capsys, url, "--query", "invocationJobSummaries")
    assert code == 252
    assert "pip install 'bedrock-paginate[jmespath]'" in err


# --- exit codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
        (["--page-size", "0"], "--page-size must be from 1 to 1000"),
        (["--page-size", "1001"], "--page-size must be from 1 to 1000"),
        (["--page-size", "ten"], "argument --page-size: expected a whole number"),
        (["--max-items", "-1"], "--max-items"),
        (["--status-equals", "completed"], "--status-equals: 'completed'; did you mean"),
        (["--submit-time-after", "yesterday"], "argument --submit-time-after: invalid timestamp"),
        (["--output", "yaml"], "argument --output: invalid choice: 'yaml'"),
        (["--cli-read-timeout", "-1"], "argument --cli-read-timeout"),
    ],
)
def test_bad_parameters_exit_252(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str, argv: list[str], message: str
) -> None:
    """Bad flags and values exit 252 with a one-line error and no request sent."""
    code, out, err = listing(capsys, url, *argv)
    assert (code, out) == (252, "")
    assert message in err
    assert "bedrock-paginate: error: " in err
    assert "Traceback" not in err
    assert fake.request_count == 0


def test_malformed_starting_token_exits_252(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """A token in botocore's format with a negative truncate amount is rejected up front."""
    bad = base64.b64encode(b'{"nextToken": "abc", "boto_truncate_amount": -1}').decode()
    code, out, err = listing(capsys, url, "--starting-token", bad)
    assert (code, out) == (252, "")
    assert "bedrock-paginate: error: " in err
    assert fake.request_count == 0


def test_no_command_prints_usage_and_exits_252(capsys: pytest.CaptureFixture[str]) -> None:
    """'bedrock-paginate' alone prints the usage and exits 252, as 'aws' does."""
    code, out, err = run(capsys)
    assert (code, out) == (252, "")
    assert err.startswith("usage: bedrock-paginate")
    assert "bedrock-paginate: error: the following arguments are required: command" in err


def test_no_region_exits_253(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """No region anywhere is a configuration error: 253."""
    monkeypatch.delenv("AWS_REGION")
    code, out, err = listing(capsys, url)
    assert (code, out) == (253, "")
    assert "You must specify a region" in err


def test_no_credentials_exits_253(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fake: FakeBedrock, url: str
) -> None:
    """No credentials in the chain: 253, and nothing is sent."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    code, out, err = listing(capsys, url)
    assert (code, out) == (253, "")
    assert "Unable to locate credentials" in err
    assert "resume with" not in err
    assert fake.request_count == 0


def test_unknown_profile_exits_253(capsys: pytest.CaptureFixture[str], url: str) -> None:
    """--profile naming a profile that is in no file: 253."""
    code, out, err = listing(capsys, url, "--profile", "nope")
    assert (code, out) == (253, "")
    assert "The config profile (nope) could not be found" in err


def test_access_denied_exits_254_with_the_aws_cli_message(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """A service error: 254 and the AWS CLI's 'An error occurred (...)' line, no traceback."""
    fake.inject(Fault.access_denied())
    code, out, err = listing(capsys, url)
    assert (code, out) == (254, "")
    assert err.startswith(
        "\nAn error occurred (AccessDeniedException) when calling the "
        "ListModelInvocationJobs operation: User: arn:aws:iam::123456789012:user/test"
    )
    assert "Traceback" not in err
    assert "resume with" not in err  # nothing was fetched: the same command starts over


def test_throttling_after_retries_exits_254(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """Throttled until the attempts are spent: 254 ThrottlingException."""
    fake.inject(Fault.throttle(), times=None)
    code, _, err = listing(capsys, url)
    assert code == 254
    assert "An error occurred (ThrottlingException)" in err


def test_connection_refused_exits_255(capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing listening on the endpoint: a transport error, 255."""
    code, out, err = listing(capsys, f"http://127.0.0.1:{closed_port()}")
    assert (code, out) == (255, "")
    assert err.startswith("\n")
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_malformed_response_exits_255(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """A 200 whose body is not the API's shape: DecodeError, 255."""
    fake.inject(Fault.wrong_types())
    code, out, _ = listing(capsys, url)
    assert (code, out) == (255, "")


def test_unexpected_error_exits_255_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """A bug (any other exception) is reported in one line with exit 255."""

    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("kaboom")

    monkeypatch.setattr("bedrock_paginate._client.Client._call", boom)
    code, _, err = listing(capsys, url)
    assert code == 255
    assert "unexpected error: RuntimeError: kaboom" in err
    assert "Traceback" not in err


# --- nothing lost -----------------------------------------------------------------------------


def test_failure_mid_listing_keeps_jsonl_lines_and_says_how_to_resume(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """Page 2 fails: page 1 stays printed, and the resume token lists exactly the rest."""
    fake.inject(Fault.access_denied(), at=1)
    code, out, err = listing(capsys, url, "--output", "jsonl", "--page-size", "5")
    assert code == 254
    first = jsonl_arns(out)
    assert first == arns(fake)[:5]
    assert err.rstrip("\n").endswith(resume_token(err))
    code, out, _ = listing(
        capsys, url, "--output", "jsonl", "--page-size", "5", "--starting-token", resume_token(err)
    )
    assert code == 0
    assert first + jsonl_arns(out) == arns(fake)


def test_failure_mid_listing_prints_the_partial_json_result(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """json: the jobs fetched so far are printed, with NextToken equal to the resume token."""
    fake.inject(Fault.access_denied(), at=2)
    code, out, err = listing(capsys, url, "--page-size", "4")
    data = json.loads(out)
    assert code == 254
    assert [job["jobArn"] for job in data["invocationJobSummaries"]] == arns(fake)[:8]
    assert data["NextToken"] == resume_token(err)


def test_transport_failure_mid_listing_exits_255_with_resume_line(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """A dropped connection on page 2 (retries spent): 255 and a working resume token."""
    fake.inject(Fault.drop(), at=1)
    code, out, err = listing(capsys, url, "--output", "text", "--page-size", "6")
    assert code == 255
    assert out.splitlines()[-1] == f"NEXTTOKEN\t{resume_token(err)}"


def test_ctrl_c_exits_130_and_says_how_to_resume(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fake: FakeBedrock, url: str
) -> None:
    """KeyboardInterrupt during page 2: 130, page 1 kept, the token resumes exactly."""
    from bedrock_paginate._client import Client

    real_call = Client._call
    calls: list[int] = []

    def interrupted(self: Client, operation: Any, params: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_call(self, operation, params)

    monkeypatch.setattr(Client, "_call", interrupted)
    code, out, err = listing(capsys, url, "--output", "jsonl", "--page-size", "5")
    assert code == 130
    first = jsonl_arns(out)
    assert first == arns(fake)[:5]
    monkeypatch.setattr(Client, "_call", real_call)
    code, out, _ = listing(capsys, url, "--output", "jsonl", "--starting-token", resume_token(err))
    assert code == 0
    assert first + jsonl_arns(out) == arns(fake)


def test_ctrl_c_while_printing_a_page_refetches_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fake: FakeBedrock, url: str
) -> None:
    """An interrupt after a page arrived but before it was printed resumes at that page."""
    from bedrock_paginate import _output

    real = _output._JsonlSink.page
    pages: list[int] = []

    def page(self: Any, jobs: list[dict[str, Any]]) -> None:
        pages.append(1)
        if len(pages) == 2:
            raise KeyboardInterrupt
        real(self, jobs)

    monkeypatch.setattr(_output._JsonlSink, "page", page)
    code, out, err = listing(capsys, url, "--output", "jsonl", "--page-size", "5")
    assert code == 130
    monkeypatch.setattr(_output._JsonlSink, "page", real)
    code, rest, _ = listing(capsys, url, "--output", "jsonl", "--starting-token", resume_token(err))
    assert jsonl_arns(out) + jsonl_arns(rest) == arns(fake)


# --- debug and secrets ------------------------------------------------------------------------


def test_debug_names_the_auth_scheme_and_never_the_secret(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """--debug logs the chosen auth scheme and why; the canary secrets never appear."""
    code, out, err = listing(capsys, url, "--debug", "--page-size", "5")
    assert code == 0
    assert "auth scheme sigv4 (sigv4: no bearer token; credentials from the default chain" in err
    assert "bedrock_paginate - DEBUG - " in err
    assert json.loads(out)["invocationJobSummaries"]


def test_debug_shows_a_traceback_on_failure_without_secrets(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--debug adds the traceback to errors; still no secret anywhere (run() checks)."""
    fake.inject(Fault.access_denied(), at=1)
    code, _, err = listing(capsys, url, "--debug", "--page-size", "5", "--output", "jsonl")
    assert code == 254
    assert "Traceback (most recent call last)" in err
    assert "AccessDeniedException" in err


def test_debug_with_a_bearer_token_never_shows_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """With AWS_BEARER_TOKEN_BEDROCK, --debug says bearer and hides the token."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", BEARER)
    code, _, err = listing(capsys, url, "--debug")
    assert code == 0
    assert "auth scheme bearer (bearer: AWS_BEARER_TOKEN_BEDROCK is set)" in err


def test_debug_reports_timeouts_and_tls_settings(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """--cli-*-timeout and --no-verify-ssl reach the client (0 means no timeout)."""
    code, _, err = listing(
        capsys, url, "--debug", "--cli-connect-timeout", "2.5", "--cli-read-timeout", "0",
        "--no-verify-ssl",
    )  # fmt: skip
    assert code == 0
    assert "timeouts: connect 2.5s, read 1e+09s; TLS verify False" in err


def test_without_debug_logging_is_silent(capsys: pytest.CaptureFixture[str], url: str) -> None:
    """No --debug: stderr stays empty on success, and --debug leaves no handler behind."""
    listing(capsys, url, "--debug")
    code, _, err = listing(capsys, url)
    assert (code, err) == (0, "")


# --- global options, progress, version, serve -------------------------------------------------


def test_global_options_may_come_before_the_command(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """'--output jsonl --endpoint-url URL list-model-invocation-jobs' works as in the AWS CLI."""
    code, out, _ = run(
        capsys, "--output", "jsonl", "--endpoint-url", url, "--region", "us-west-2", CMD
    )
    assert code == 0
    assert jsonl_arns(out) == arns(fake)


def test_global_options_may_come_after_the_command(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """Global options after the command are honoured too, and win over earlier ones."""
    code, out, _ = run(capsys, "--output", "table", CMD, "--endpoint-url", url, "--output", "jsonl")
    assert code == 0
    assert jsonl_arns(out) == arns(fake)


def test_progress_on_a_terminal_is_shown_and_cleared(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """On a TTY, a multi-page listing shows 'pages N, jobs M...' and erases it at the end."""
    code, out, err = run(capsys, CMD, "--endpoint-url", url, "--page-size", "5", tty=True)
    assert code == 0
    assert "\rpages 1, jobs 5..." in err
    assert "\rpages 3, jobs 12..." in err
    assert err.endswith("\r" + " " * len("pages 3, jobs 12...") + "\r")
    assert json.loads(out)


def test_no_progress_when_not_a_terminal_or_single_page(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """No progress line when stderr is not a TTY, nor for a one-page listing on a TTY."""
    assert run(capsys, CMD, "--endpoint-url", url, "--page-size", "5")[2] == ""
    assert run(capsys, CMD, "--endpoint-url", url, tty=True)[2] == ""


def test_version_and_help_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints 'bedrock-paginate/X Python/Y'; --help prints the usage."""
    from bedrock_paginate import __version__

    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith(f"bedrock-paginate/{__version__} Python/")
    code, out, _ = run(capsys, CMD, "--help")
    assert code == 0
    assert "--starting-token" in out
    assert "--submit-time-after" in out


def test_serve_dispatches_to_the_fake_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """'serve ...' hands the rest of the line to bedrock_paginate.testing.serve_main."""
    import bedrock_paginate.testing

    seen: list[list[str]] = []

    def serve_main(argv: list[str]) -> int:
        seen.append(argv)
        return 7

    monkeypatch.setattr(bedrock_paginate.testing, "serve_main", serve_main)
    assert cli.main(["serve", "--port", "0", "--jobs", "3"]) == 7
    assert cli.main(["--region", "serve", "serve", "--help"]) == 7
    assert seen == [["--port", "0", "--jobs", "3"], ["--help"]]


def test_record_and_replay_together_exit_252(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--record and --replay exclude each other."""
    code, _, err = run(
        capsys, CMD, "--record", str(tmp_path / "a.json"), "--replay", str(tmp_path / "b.json")
    )
    assert code == 252
    assert "bedrock-paginate: error: --record and --replay cannot be used together" in err


# --- timestamps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("2025-01-01", "2025-01-01T00:00:00Z"),
        ("2025-01-01T12:30:00Z", "2025-01-01T12:30:00Z"),
        ("2025-01-01T12:30:00+02:00", "2025-01-01T10:30:00Z"),
        ("2025-01-01T12:30:00", "2025-01-01T12:30:00Z"),
        ("2025-01-01T12:30:00.250Z", "2025-01-01T12:30:00.250000Z"),
        ("1735734600", "2025-01-01T12:30:00Z"),
    ],
)
def test_submit_time_flags_accept_what_the_aws_cli_accepts(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str, given: str, sent: str
) -> None:
    """ISO 8601 (date alone, Z, offsets, none = UTC) and epoch seconds, sent in UTC."""
    code, _, _ = listing(capsys, url, "--submit-time-after", given, "--submit-time-before", given)
    assert code == 0
    assert fake.requests[0].param("submitTimeAfter") == sent
    assert fake.requests[0].param("submitTimeBefore") == sent


@FAST
@given(
    when=st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.one_of(st.none(), st.timezones()),
    )
)
def test_any_isoformat_timestamp_is_accepted(when: datetime) -> None:
    """Every datetime.isoformat() rendering parses to the same instant (naive = UTC)."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)
    assert cli._timestamp(when.isoformat()) == aware.astimezone(timezone.utc)


# --- fuzzing ----------------------------------------------------------------------------------

_FLAGS = [
    CMD, "--region", "--profile", "--output", "--query", "--debug", "--no-paginate",
    "--max-items", "--page-size", "--starting-token", "--status-equals", "--sort-order",
    "--submit-time-after", "--name-contains", "--max-results", "--next-token", "--color",
    "--cli-read-timeout", "--version", "json", "jsonl", "table", "text", "0", "-1", "5",
    "us-east-1", "Completed", "2025-01-01", "eyJuZXh0VG9rZW4iOiBudWxsfQ==", "--", "-",
]  # fmt: skip


@FAST
@given(argv=st.lists(st.sampled_from(_FLAGS) | st.text(max_size=8), max_size=8))
def test_any_command_line_gives_an_exit_code_and_no_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """Whatever the arguments, main returns a documented exit code and never raises."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port()}")
    if "serve" in argv:
        argv = [a for a in argv if a != "serve"]
    code = cli.main(argv, isatty=lambda: False)
    _, err = capsys.readouterr()
    assert code in (0, 252, 253, 254, 255)
    if code and "--debug" not in argv:
        assert "Traceback" not in err


# --- the entry point --------------------------------------------------------------------------


def test_python_dash_m_lists_jobs(tmp_path: Path, fake: FakeBedrock, url: str) -> None:
    """'python -m bedrock_paginate list-model-invocation-jobs' works in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-m", "bedrock_paginate", CMD, "--endpoint-url", url, "--output", "jsonl"],
        cwd=ROOT, env=_subprocess_env(tmp_path), capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert jsonl_arns(done.stdout) == arns(fake)
    assert SECRET not in done.stdout


def test_python_dash_m_exit_codes(tmp_path: Path) -> None:
    """The process exit status is main()'s code: 252 for no command, 0 for --version."""
    env = _subprocess_env(tmp_path)
    for argv, expected in (([], 252), (["--version"], 0)):
        done = subprocess.run(
            [sys.executable, "-m", "bedrock_paginate", *argv],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == expected, done.stderr


def test_importing_the_cli_and_version_do_not_load_httpx(tmp_path: Path) -> None:
    """'import bedrock_paginate.cli' and '--version' stay light: no httpx, client or models."""
    code = (
        "import sys, bedrock_paginate.cli as c\n"
        "assert 'httpx' not in sys.modules, 'import'\n"
        "assert c.main(['--version']) == 0\n"
        "assert 'httpx' not in sys.modules, 'version'\n"
        "assert 'bedrock_paginate._client' not in sys.modules\n"
        "assert 'bedrock_paginate.models' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_subprocess_env(tmp_path),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_record_then_replay_prints_the_same_listing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str
) -> None:
    """--record writes a fixture; --replay of it, with no credentials, prints the same output."""
    fixture = tmp_path / "listing.json"
    code, recorded, _ = listing(capsys, url, "--page-size", "5", "--record", str(fixture))
    assert code == 0
    assert SECRET not in fixture.read_text()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name)
    code, replayed, _ = run(capsys, CMD, "--page-size", "5", "--replay", str(fixture))
    assert code == 0
    assert replayed == recorded


def test_query_that_fails_on_the_data_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """A type error while evaluating --query (abs() of a string) exits 252, no traceback."""
    code, out, err = listing(capsys, url, "--output", "jsonl", "--query", "abs(jobName)")
    assert (code, out) == (252, "")
    assert "--query abs(jobName) failed: In function abs(), invalid type" in err


def test_broken_pipe_ends_quietly(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """When the reader of stdout goes away (| head), the tool stops with 0 and no traceback."""

    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stdout", Closed())
    monkeypatch.setattr(sys, "stderr", stderr)
    assert cli.main([CMD, "--endpoint-url", url, "--output", "jsonl"]) == 0
    assert stderr.getvalue() == ""
