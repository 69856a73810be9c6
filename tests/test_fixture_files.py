"""The fixture files shipped in ``fixtures/``: each decodes, holds no secret, uses only the fake
account, is exactly what ``fixtures/regenerate.py`` records, and is replayed by a test here that
checks the case it was recorded for (sync and async)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

from bedrock_paginate import (
    AccessDeniedException,
    AsyncClient,
    Client,
    ValidationException,
)
from bedrock_paginate.fixtures import dumps_fixture, load_fixture
from bedrock_paginate.models import JOB_STATUSES, JobSummary, Page

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ACCOUNT = "123456789012"
SHIPPED = sorted(path.name for path in FIXTURES.glob("*.json"))

#: Every shipped file and the test below that replays it.
USED_BY = {
    "list-multi-page.json": "test_multi_page_listing",
    "list-all-statuses.json": "test_all_statuses",
    "list-optional-fields-absent.json": "test_optional_fields_absent",
    "forward-compat.json": "test_forward_compatibility",
    "list-filters.json": "test_filters",
    "error-throttling-then-success.json": "test_throttling_then_success",
    "error-dropped-connection-then-success.json": "test_dropped_connection_then_success",
    "error-access-denied.json": "test_access_denied",
    "error-validation.json": "test_validation_error",
    "job-lifecycle.json": "test_job_lifecycle",
}


def _replay(name: str, **kwargs: Any) -> Client:
    options: dict[str, Any] = {"environ": {}, "sleep": lambda seconds: None, **kwargs}
    return Client(replay_from=FIXTURES / name, **options)


def _jobs(client: Client, **params: Any) -> list[JobSummary]:
    return list(client.get_paginator("list_model_invocation_jobs").paginate(**params).jobs())


def _async_pages(name: str, **params: Any) -> list[Page]:
    async def run() -> list[Page]:
        async with AsyncClient(
            replay_from=FIXTURES / name, environ={}, sleep=lambda s: None
        ) as client:
            pages = client.get_paginator("list_model_invocation_jobs").paginate(**params)
            return [page async for page in pages]

    return asyncio.run(run())


def _regenerate_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_regenerate", FIXTURES / "regenerate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- every file --------------------------------------------------------------------------------


def test_every_shipped_fixture_is_used_by_a_test() -> None:
    """The shipped files and the files replayed here are the same set."""
    assert sorted(USED_BY) == SHIPPED
    assert all(name in globals() for name in USED_BY.values())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_fixture_decodes_and_is_canonical(name: str) -> None:
    """Each file loads, is written in canonical form, and names only the fake account."""
    path = FIXTURES / name
    fixture = load_fixture(path)
    assert fixture.interactions
    assert fixture.description
    assert dumps_fixture(fixture) == path.read_text(encoding="utf-8")
    text = path.read_text()
    accounts = set(re.findall(r"arn:aws:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):", text))
    accounts |= set(re.findall(r'"s3BucketOwner": "([^"]*)"', text))
    assert accounts <= {ACCOUNT}
    assert accounts or name.startswith("error-validation")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_fixture_holds_no_secret(name: str) -> None:
    """No key, signature, token or authorization header was written."""
    text = (FIXTURES / name).read_text()
    regenerate = _regenerate_module()
    for needle in (
        regenerate.SECRET_KEY,
        regenerate.ACCESS_KEY,
        "Signature=",
        "AWS4-HMAC-SHA256",
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "user-agent",
    ):
        assert needle.lower() not in text.lower()


def test_regenerating_gives_the_shipped_bytes() -> None:
    """fixtures/regenerate.py is deterministic: a fresh recording equals every shipped file."""
    assert _regenerate_module().main(["--check"]) == 0


# --- one test per file -------------------------------------------------------------------------


def test_multi_page_listing() -> None:
    """Ten jobs in pages of 4, 4, 2; MaxItems 5 stops mid-page and the token continues exactly."""
    with _replay("list-multi-page.json") as client:
        pages = list(client.get_paginator("list_model_invocation_jobs").paginate())
        assert [len(page) for page in pages] == [4, 4, 2]
    everything = [job.job_arn for page in pages for job in page]
    with _replay("list-multi-page.json") as client:
        first = client.get_paginator("list_model_invocation_jobs").paginate(
            PaginationConfig={"MaxItems": 5}
        )
        head = [job.job_arn for job in first.jobs()]
        token = first.resume_token
    assert token is not None
    with _replay("list-multi-page.json", replay_any_order=True) as client:
        rest = _jobs(client, PaginationConfig={"StartingToken": token})
    assert head + [job.job_arn for job in rest] == everything
    assert _async_pages("list-multi-page.json") == pages


def test_all_statuses() -> None:
    """Every status appears, Failed jobs explain why, and optional members vary."""
    with _replay("list-all-statuses.json") as client:
        jobs = _jobs(client)
    assert {job.status for job in jobs} == set(JOB_STATUSES)
    failed = [job for job in jobs if job.status == "Failed"]
    assert failed
    assert all(job.message for job in failed)
    for attribute in ("end_time", "vpc_config", "client_request_token", "total_record_count"):
        values = [getattr(job, attribute) for job in jobs]
        assert any(v is None for v in values)
        assert any(v is not None for v in values)
    assert [job for page in _async_pages("list-all-statuses.json") for job in page] == jobs


def test_optional_fields_absent() -> None:
    """Jobs with only the required members decode with every optional attribute None."""
    with _replay("list-optional-fields-absent.json") as client:
        jobs = _jobs(client)
    assert len(jobs) == 3
    required = {"job_arn", "job_name", "model_id", "role_arn", "submit_time"}
    required |= {"input_data_config", "output_data_config"}
    for job in jobs:
        for name, value in _fields(job):
            assert (value is not None) == (name in required), name
        s3_in = job.input_data_config.s3_input_data_config
        assert s3_in is not None
        assert (s3_in.s3_input_format, s3_in.s3_bucket_owner) == (None, None)
        assert job.to_dict().keys() == {
            "jobArn",
            "jobName",
            "modelId",
            "roleArn",
            "submitTime",
            "inputDataConfig",
            "outputDataConfig",
        }


def _fields(job: JobSummary) -> list[tuple[str, Any]]:
    return [(field.name, getattr(job, field.name)) for field in attrs.fields(type(job))]


def test_forward_compatibility() -> None:
    """Unknown fields are ignored, an unknown status kept, unknown union members named."""
    with _replay("forward-compat.json") as client:
        jobs = {job.job_name: job for job in _jobs(client)}
    raw = load_fixture(FIXTURES / "forward-compat.json").interactions[0].response
    assert raw is not None
    by_name = {job["jobName"]: job for job in raw.body["invocationJobSummaries"]}
    new_field = next(n for n, j in by_name.items() if "futureTopLevelField" in j)
    archived = next(n for n, j in by_name.items() if j.get("status") == "Archived")
    union = next(n for n, j in by_name.items() if "bigQueryInputDataConfig" in j["inputDataConfig"])
    assert "futureTopLevelField" not in jobs[new_field].to_dict()
    assert jobs[archived].status == "Archived"
    assert jobs[archived].model_invocation_type == "FutureInvocationType"
    assert jobs[union].input_data_config.sdk_unknown_member == "bigQueryInputDataConfig"
    assert jobs[union].output_data_config.sdk_unknown_member == "futureOutputDataConfig"
    assert jobs[union].to_dict()["inputDataConfig"] == {
        "SDK_UNKNOWN_MEMBER": {"name": "bigQueryInputDataConfig"}
    }


def test_filters() -> None:
    """The three filtered listings replay in order, and each honours its filter."""
    after = datetime(2024, 12, 1, tzinfo=timezone.utc)
    before = datetime(2025, 2, 1, tzinfo=timezone.utc)
    with _replay("list-filters.json") as client:
        completed = _jobs(client, statusEquals="Completed")
        batch = _jobs(client, nameContains="batch")
        window = list(
            client.get_paginator("list_model_invocation_jobs").paginate(
                submitTimeAfter=after,
                submitTimeBefore=before,
                sortBy="CreationTime",
                sortOrder="Ascending",
                PaginationConfig={"PageSize": 3},
            )
        )
    assert completed
    assert all(job.status == "Completed" for job in completed)
    assert batch
    assert all("batch" in job.job_name for job in batch)
    times = [job.submit_time for page in window for job in page]
    assert len(window) >= 2
    assert all(len(page) <= 3 for page in window)
    assert all(after <= t < before for t in times)
    assert times == sorted(times)


def test_throttling_then_success() -> None:
    """Two recorded 429s are retried (with the client's sleeps) before the page arrives."""
    sleeps: list[float] = []
    with _replay("error-throttling-then-success.json", sleep=sleeps.append) as client:
        pages = list(client.get_paginator("list_model_invocation_jobs").paginate())
    assert len(pages) == 1
    assert len(sleeps) == 2
    metadata = pages[0].response_metadata
    assert metadata is not None
    assert metadata.retry_attempts == 2
    assert _async_pages("error-throttling-then-success.json") == pages


def test_dropped_connection_then_success() -> None:
    """A recorded dropped connection is raised again on replay, and the retry succeeds."""
    with _replay("error-dropped-connection-then-success.json") as client:
        pages = list(client.get_paginator("list_model_invocation_jobs").paginate())
    assert [len(page) for page in pages] == [3]
    assert _async_pages("error-dropped-connection-then-success.json") == pages


def test_access_denied() -> None:
    """The recorded 403 becomes AccessDeniedException with its request id (no retry)."""
    raw = load_fixture(FIXTURES / "error-access-denied.json").interactions
    assert len(raw) == 1
    with (
        _replay("error-access-denied.json") as client,
        pytest.raises(AccessDeniedException) as caught,
    ):
        _jobs(client)
    assert caught.value.code == "AccessDeniedException"
    assert caught.value.status_code == 403
    assert raw[0].response is not None
    assert caught.value.request_id == raw[0].response.headers["x-amzn-requestid"]
    assert "bedrock:ListModelInvocationJobs" in caught.value.message


def test_validation_error() -> None:
    """A token the service never issued gives ValidationException, not retried."""
    with _replay("error-validation.json") as client, pytest.raises(ValidationException) as caught:
        _jobs(client, PaginationConfig={"StartingToken": "not-a-token"})
    assert caught.value.status_code == 400
    assert "nextToken" in caught.value.message


# --- the README's first command ----------------------------------------------------------------


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    from bedrock_paginate import cli

    code = cli.main(argv, isatty=lambda: False)
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip().startswith("{") else out


def _readme_args(*extra: str) -> list[str]:
    path = str(FIXTURES / "list-multi-page.json")
    return ["list-model-invocation-jobs", "--replay", path, "--max-items", "5", *extra]


def test_readme_first_command_runs_on_the_bundled_fixture(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``--replay fixtures/list-multi-page.json --max-items 5`` lists 5 jobs and a NextToken."""
    _no_aws_config(monkeypatch, tmp_path)
    code, table = _cli(_readme_args("--output", "table"), capsys)
    assert code == 0
    assert "5 jobs" in table
    code, result = _cli(_readme_args("--output", "json"), capsys)
    assert code == 0
    assert len(result["invocationJobSummaries"]) == 5
    assert result["NextToken"]


def test_readme_continuation_with_starting_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The README's second command continues from NextToken with the remaining 5 jobs."""
    _no_aws_config(monkeypatch, tmp_path)
    _, first = _cli(_readme_args("--output", "json"), capsys)
    code, rest = _cli(
        _readme_args("--output", "json", "--starting-token", first["NextToken"]), capsys
    )
    assert code == 0
    names = [job["jobName"] for job in first["invocationJobSummaries"]]
    names += [job["jobName"] for job in rest["invocationJobSummaries"]]
    assert len(names) == len(set(names)) == 10


def _no_aws_config(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))


LIFECYCLE_ORDER = ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]


def test_job_lifecycle() -> None:
    """Create, then the waiter's polls replayed in order: every status, growing counts, the
    final Completed job (sync and async)."""
    statuses: list[str | None] = []
    counts: list[int] = []

    def seen(job: Any) -> None:
        statuses.append(job.status)
        if job.processed_record_count is not None:
            counts.append(job.processed_record_count)

    create_args: dict[str, Any] = {
        "jobName": "nightly-summaries",
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/service-role/BedrockBatch-0",
        "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://bedrock-batch/in/nightly/"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://bedrock-batch/out/nightly/"}},
    }
    with _replay("job-lifecycle.json") as client:
        arn = client.create_model_invocation_job(**create_args).job_arn
        final = client.wait_for_model_invocation_job(arn, poll_interval=60, on_update=seen)
        again = client.get_model_invocation_job(jobIdentifier=arn)
    assert list(dict.fromkeys(statuses)) == LIFECYCLE_ORDER
    assert counts == sorted(counts)
    assert counts[-1] == 1200
    assert final.status == "Completed"
    assert final == again
    assert final.success_record_count == 1200
    assert final.job_expiration_time is not None

    async def run() -> Any:
        async with AsyncClient(
            replay_from=FIXTURES / "job-lifecycle.json", environ={}, sleep=lambda s: None
        ) as client:
            created = await client.create_model_invocation_job(**create_args)
            return await client.wait_for_model_invocation_job(created.job_arn, poll_interval=60)

    assert asyncio.run(run()) == final


@pytest.mark.bedrock_fixture("../fixtures/job-lifecycle.json", strict=True)
def test_job_lifecycle_through_the_pytest_plugin(bedrock_client: Client) -> None:
    """The plugin's bedrock_client replays the batch-job operations like the listing."""
    created = bedrock_client.create_model_invocation_job(
        jobName="nightly-summaries",
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/service-role/BedrockBatch-0",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://bedrock-batch/in/nightly/"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://bedrock-batch/out/nightly/"}},
    )
    job = bedrock_client.wait_for_model_invocation_job(created.job_arn, poll_interval=60)
    assert job.status == "Completed"
    assert bedrock_client.get_model_invocation_job(jobIdentifier=created.job_arn) == job
