"""Get/Stop/CreateModelInvocationJob and the waiter through the real clients, against the fake
(over loopback with SigV4 checked, or in-process on a settable clock)."""

from __future__ import annotations

import asyncio
import json
import pickle
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bedrock_paginate import AsyncClient, Client
from bedrock_paginate._decode import parse_timestamp
from bedrock_paginate._job_models import Job
from bedrock_paginate.errors import (
    ConflictException,
    ParamValidationError,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
    WaiterError,
)
from bedrock_paginate.models import JOB_TIMESTAMP_MEMBERS
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, Fault, generate_jobs

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ROLE = "arn:aws:iam::123456789012:role/BatchRole"


def create_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "jobName": "nightly-1",
        "roleArn": ROLE,
        "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://my-bucket/in/"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://my-bucket/out/"}},
    }
    args.update(overrides)
    return args


def boto3_shape(wire: dict[str, Any]) -> dict[str, Any]:
    """What boto3 makes of a wire job: the same dict with timestamps as aware datetimes."""
    return {
        key: parse_timestamp(value) if key in JOB_TIMESTAMP_MEMBERS else value
        for key, value in wire.items()
    }


class Clock:
    """One settable clock for the fake and the client: sleeping advances it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        self.slept: list[float] = []

    def fake_now(self) -> datetime:
        return self.now

    def time(self) -> float:
        return self.now.timestamp()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def signed() -> Iterator[tuple[FakeBedrock, Client]]:
    """A loopback fake checking every signature, and a client for it."""
    fake = FakeBedrock(
        jobs=generate_jobs(20, seed=3), check_sigv4=True, credentials={ACCESS_KEY: SECRET_KEY}
    )
    with FakeBedrockServer(fake) as server:
        client = Client(
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            environ={},
        )
        with client:
            yield fake, client
        assert server.errors == []


def test_get_by_arn_is_signed_and_equals_boto3s_dict(signed: tuple[FakeBedrock, Client]) -> None:
    """An ARN identifier (':' and '/' encoded twice in the canonical URI) is accepted, and the
    typed job's to_dict() is boto3's response."""
    fake, client = signed
    for wire in fake.jobs[:5]:
        job = client.get_model_invocation_job(jobIdentifier=wire["jobArn"])
        assert isinstance(job, Job)
        result = job.to_dict()
        metadata = result.pop("ResponseMetadata")
        assert result == boto3_shape(wire)
        assert metadata["HTTPStatusCode"] == 200
        assert metadata["RequestId"]


@pytest.mark.parametrize(
    "identifier",
    [
        "Aa0+-.x--y",  # every character a job name may hold
        "job" + "-" * 40 + "+.9",
        "na\u00efve-\u00e9t\u00e9-\u4f5c\u696d",  # unicode: not a name the service allows
        "a b/c?d#e%f&g=h",  # reserved characters of URLs
    ],
)
def test_any_identifier_is_signed_correctly(
    signed: tuple[FakeBedrock, Client], identifier: str
) -> None:
    """Whatever the characters, the fake accepts the signature: it answers 400 (not the
    service's identifier pattern, as Bedrock), never 403 InvalidSignatureException."""
    _, client = signed
    with pytest.raises(ValidationException) as info:
        client.get_model_invocation_job(jobIdentifier=identifier)
    assert info.value.status_code == 400
    assert "at 'jobIdentifier' failed to satisfy constraint" in str(info.value)
    assert "when calling the GetModelInvocationJob operation" in str(info.value)


@pytest.mark.parametrize(
    "identifier",
    ["abcdefghijkl", "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl"],
)
def test_a_well_formed_identifier_of_no_job_is_not_found(
    signed: tuple[FakeBedrock, Client], identifier: str
) -> None:
    """A job id or ARN (':' and '/' percent-encoded, signed) of no job: 404."""
    _, client = signed
    with pytest.raises(ResourceNotFoundException) as info:
        client.get_model_invocation_job(jobIdentifier=identifier)
    assert info.value.status_code == 404
    assert isinstance(info.value, client.exceptions.ResourceNotFoundException)


def test_a_job_name_is_not_an_identifier(signed: tuple[FakeBedrock, Client]) -> None:
    """As for the service, a job's name does not find it (the fake used to allow it, so code
    tried against the fake failed against Bedrock): ValidationException naming the pattern."""
    _, client = signed
    client.create_model_invocation_job(**create_args(jobName="named-1"))
    with pytest.raises(ValidationException) as info:
        client.get_model_invocation_job(jobIdentifier="named-1")
    assert "Value 'named-1' at 'jobIdentifier'" in str(info.value)
    assert "model-invocation-job/)?[a-z0-9]{12})" in str(info.value)
    with pytest.raises(ValidationException):
        client.stop_model_invocation_job(jobIdentifier="named-1")


def test_create_stop_and_conflict_signed(signed: tuple[FakeBedrock, Client]) -> None:
    """Create (JSON body, signed), Get by id, Stop: the job is Stopping."""
    _fake, client = signed
    created = client.create_model_invocation_job(**create_args(jobName="signed-1"))
    assert created.job_arn.startswith("arn:aws:bedrock:us-east-1:123456789012:")
    job_id = created.job_arn.rsplit("/", 1)[1]
    assert client.get_model_invocation_job(jobIdentifier=job_id).job_arn == created.job_arn
    stopped = client.stop_model_invocation_job(jobIdentifier=created.job_arn)
    assert stopped.to_dict()["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(stopped.to_dict()) == {"ResponseMetadata"}
    job = client.get_model_invocation_job(jobIdentifier=created.job_arn)
    assert job.status == "Stopping"


def test_create_is_validated_before_sending(signed: tuple[FakeBedrock, Client]) -> None:
    """A bad argument: ParamValidationError, no request."""
    fake, client = signed
    before = fake.request_count
    with pytest.raises(ParamValidationError):
        client.create_model_invocation_job(**create_args(timeoutDurationInHours=200))
    with pytest.raises(ParamValidationError):
        client.get_model_invocation_job(jobIdentifer="typo")  # type: ignore[call-arg]
    assert fake.request_count == before


# --- in-process, on a settable clock ----------------------------------------------------------


def clocked(fake_kwargs: dict[str, Any] | None = None) -> tuple[FakeBedrock, Client, Clock]:
    clock = Clock()
    fake = FakeBedrock(now=clock.fake_now, speed=60, **(fake_kwargs or {}))
    client = Client(
        transport=fake.transport(),
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        environ={},
        clock=clock.time,
        sleep=clock.sleep,
        random=lambda: 0.5,
    )
    return fake, client, clock


def test_a_retried_create_makes_one_job() -> None:
    """The service creates the job but the answer is cut off: the retry carries the same
    generated clientRequestToken and gets the same job back."""
    fake, client, _ = clocked()
    fake.inject(Fault.cut_body(), times=1)
    created = client.create_model_invocation_job(**create_args())
    assert len(fake.jobs) == 1
    assert created.job_arn == fake.jobs[0]["jobArn"]
    assert [r.status for r in fake.requests] == [200, 200]
    assert created.response_metadata is not None
    assert created.response_metadata.retry_attempts == 1


def test_quota_is_a_typed_error() -> None:
    """Too many running jobs: ServiceQuotaExceededException (not retried)."""
    fake, client, _ = clocked({"max_active_jobs": 1})
    client.create_model_invocation_job(**create_args(jobName="a"))
    with pytest.raises(ServiceQuotaExceededException):
        client.create_model_invocation_job(**create_args(jobName="b"))
    assert len(fake.requests) == 2


def test_stop_a_finished_job_is_a_conflict() -> None:
    """ConflictException, as the service answers, once the job is finished."""
    _fake, client, clock = clocked()
    arn = client.create_model_invocation_job(**create_args()).job_arn
    clock.sleep(3600)
    with pytest.raises(ConflictException):
        client.stop_model_invocation_job(jobIdentifier=arn)


def test_wait_returns_the_finished_job_and_reports_every_poll() -> None:
    """The waiter polls until a finished status; on_update sees each poll, in order."""
    _fake, client, clock = clocked()
    arn = client.create_model_invocation_job(**create_args()).job_arn
    seen: list[str | None] = []
    job = client.wait_for_model_invocation_job(
        arn, poll_interval=10, on_update=lambda j: seen.append(j.status)
    )
    assert job.is_finished
    assert job.end_time is not None
    assert seen[0] == "Submitted"
    assert seen[-1] == job.status
    order = ["Submitted", "Validating", "Scheduled", "InProgress", job.status]
    assert [s for s in order if s in seen] == list(dict.fromkeys(seen))
    assert set(clock.slept) == {10}


def test_wait_honours_throttling_between_polls() -> None:
    """A throttled poll is retried by the engine (its backoff slept), then waiting goes on."""
    fake, client, clock = clocked()
    arn = client.create_model_invocation_job(**create_args()).job_arn
    fake.inject(Fault.throttle(), times=2)
    job = client.wait_for_model_invocation_job(arn, poll_interval=30)
    assert job.is_finished
    assert [r.status for r in fake.requests[1:3]] == [429, 429]
    assert any(delay != 30 for delay in clock.slept)  # the retries' backoff


def test_wait_timeout_raises_with_the_last_state() -> None:
    """Past the timeout: WaiterError holding the last job seen; never sleeps past it."""
    _fake, client, clock = clocked()
    arn = client.create_model_invocation_job(**create_args()).job_arn
    with pytest.raises(WaiterError) as info:
        client.wait_for_model_invocation_job(arn, timeout=5, poll_interval=2)
    assert clock.slept == [2, 2, 1]
    last = info.value.last_job
    assert last is not None
    assert last.job_arn == arn
    assert not last.is_finished
    assert isinstance(info.value.last_response, dict)
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.last_job == last
    assert str(copy) == str(info.value)


def test_async_twin_gets_and_waits() -> None:
    """AsyncClient: the same operations and waiter; an async on_update is awaited."""
    clock = Clock()
    fake = FakeBedrock(now=clock.fake_now, speed=60)
    seen: list[str | None] = []

    async def on_update(job: Job) -> None:
        seen.append(job.status)

    async def run() -> Job:
        async with AsyncClient(
            transport=fake.transport(),
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            environ={},
            clock=clock.time,
            sleep=clock.sleep,
        ) as client:
            arn = (await client.create_model_invocation_job(**create_args())).job_arn
            first = await client.get_model_invocation_job(jobIdentifier=arn)
            assert first.status == "Submitted"
            job = await client.wait_for_model_invocation_job(
                arn, poll_interval=15, on_update=on_update
            )
            with pytest.raises(ConflictException):
                await client.stop_model_invocation_job(jobIdentifier=arn)
            return job

    job = asyncio.run(run())
    assert job.is_finished
    assert seen[-1] == job.status
    assert json.loads(json.dumps(job.to_dict(), default=str))["jobArn"] == job.job_arn


@settings(max_examples=60, deadline=None)
@given(identifier=st.text(min_size=1, max_size=40))
@example(identifier=".")
@example(identifier="..")
@example(identifier="a/../b")
def test_any_identifier_is_refused_locally_or_signed_for_the_right_path(identifier: str) -> None:
    """Any text: a ParamValidationError before sending ('.' and '..', which URL normalisation
    would send elsewhere), or a request for that very job, correctly signed (404, or 400 for
    what the service's pattern refuses; never 403)."""
    fake = FakeBedrock(check_sigv4=True, credentials={ACCESS_KEY: SECRET_KEY})
    client = Client(
        transport=fake.transport(),
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        environ={},
    )
    try:
        client.get_model_invocation_job(jobIdentifier=identifier)
    except ParamValidationError:
        assert identifier in (".", "..")
        assert fake.request_count == 0
        return
    except (ResourceNotFoundException, ValidationException):
        (request,) = fake.requests
        assert unquote(request.path) == "/model-invocation-job/" + identifier
        return
    raise AssertionError("an empty fake found a job")


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("poll_interval", 1e308),  # time.sleep: OverflowError; asyncio.sleep: forever
        ("poll_interval", 10**400),  # float(): OverflowError
        ("poll_interval", 86400.5),
        ("timeout", 10**400),
    ],
    ids=["interval-1e308", "interval-10**400", "interval-over-a-day", "timeout-10**400"],
)
def test_wait_refuses_extreme_numbers_before_any_request(param: str, value: float) -> None:
    """A poll interval beyond a day, or a number no float holds: ParamValidationError naming
    the parameter and what is allowed, before the first poll (sync and async)."""
    fake, client, _ = clocked()
    arn = client.create_model_invocation_job(**create_args()).job_arn
    before = fake.request_count
    kwargs: dict[str, Any] = {param: value}
    with pytest.raises(ParamValidationError) as info:
        client.wait_for_model_invocation_job(arn, **kwargs)
    assert info.value.param == param
    assert f"parameter {param}" in str(info.value)
    assert "finite number" in str(info.value)

    async def run() -> None:
        async with AsyncClient(
            transport=fake.transport(),
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            environ={},
        ) as aclient:
            with pytest.raises(ParamValidationError) as ainfo:
                await aclient.wait_for_model_invocation_job(arn, **kwargs)
            assert ainfo.value.param == param

    asyncio.run(run())
    assert fake.request_count == before
