"""examples/batch_job_handler.py against the fake with SigV4 checking on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from bedrock_paginate import ResourceNotFoundException
from bedrock_paginate.testing import FakeBedrock, generate_jobs
from tests.support import ACCESS_KEY, SECRET_KEY, lambda_example

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "batch_job_handler.py"
JOB = {
    "jobName": "from-lambda",
    "roleArn": "arn:aws:iam::123456789012:role/BatchRole",
    "modelId": "amazon.nova-lite-v1:0",
    "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://my-bucket/in/"}},
    "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://my-bucket/out/"}},
}


@pytest.fixture(scope="module")
def fake() -> FakeBedrock:
    """Generated jobs (some unfinished, running live) behind SigV4 checking."""
    return FakeBedrock(
        jobs=generate_jobs(30, seed=11),
        check_sigv4=True,
        credentials={ACCESS_KEY: SECRET_KEY},
        live_jobs=True,
    )


@pytest.fixture(scope="module")
def lam(fake: FakeBedrock, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The example, imported with a Lambda-like environment pointing at the fake."""
    with lambda_example(EXAMPLE, fake, tmp_path_factory.mktemp("aws")) as (module, server):
        yield module
        assert server.errors == []


def context(request_id: str) -> Any:
    return SimpleNamespace(aws_request_id=request_id)


def test_submit_then_progress_of_that_job(lam: ModuleType, fake: FakeBedrock) -> None:
    """submit returns the ARN; progress with it reports the job (signed requests accepted)."""
    result = lam.handler({"action": "submit", "job": JOB}, context("c0ffee00-1111"))
    arn = result["jobArn"]
    report = lam.handler({"action": "progress", "jobIdentifier": arn}, None)
    (row,) = report["jobs"]
    assert row["jobArn"] == arn
    assert row["jobName"] == "from-lambda"
    assert row["status"] == "Submitted"
    assert report["allFinished"] is False


def test_a_retried_invocation_submits_once(lam: ModuleType, fake: FakeBedrock) -> None:
    """The same request id twice (Lambda's retry): one job, the same ARN."""
    event = {"action": "submit", "job": {**JOB, "jobName": "retried"}}
    first = lam.handler(event, context("5f2b-retry-4e1a"))
    second = lam.handler(event, context("5f2b-retry-4e1a"))
    assert first == second
    assert sum(job["jobName"] == "retried" for job in fake.jobs) == 1


def test_progress_of_every_running_job(lam: ModuleType, fake: FakeBedrock) -> None:
    """Without an identifier: each unfinished job with its counts and percentage."""
    report = lam.handler({"action": "progress"}, None)
    assert report["jobs"]
    assert all(row["status"] in lam.UNFINISHED for row in report["jobs"])
    for row in report["jobs"]:
        if row["total"] and row["processed"] is not None:
            assert row["percent"] == round(100 * row["processed"] / row["total"], 1)


@pytest.mark.parametrize(
    "event",
    [
        [],
        {"action": "delete"},
        {"action": "submit"},
        {"action": "submit", "job": {**JOB, "timeoutDurationInHours": 1}},
    ],
)
def test_bad_events_are_reported_without_a_request(
    lam: ModuleType, fake: FakeBedrock, event: Any
) -> None:
    """An invalid event: an error result, nothing sent."""
    before = fake.request_count
    result = lam.handler(event, context("x"))
    assert result["error"]["type"] == "ParamValidationError"
    assert fake.request_count == before


def test_unknown_job_raises_for_lambda(lam: ModuleType) -> None:
    """A missing job is raised (the invocation fails) as the typed service error."""
    with pytest.raises(ResourceNotFoundException):
        lam.handler({"action": "progress", "jobIdentifier": "abcdefghijkl"}, None)
