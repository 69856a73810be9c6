"""The fake's batch-job lifecycle (pure) and its Get/Stop/Create answers over HTTP."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate.testing import FakeBedrock, generate_jobs
from bedrock_paginate.testing._lifecycle import FINISHED, LiveJob, new_live_job

ROLE = "arn:aws:iam::123456789012:role/BatchRole"
BASE = {"jobArn": "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl"}
SECOND = 1_000_000


def create_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "jobName": "nightly-1",
        "roleArn": ROLE,
        "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://my-bucket/in/"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://my-bucket/out/"}},
    }
    body.update(overrides)
    return body


class Clock:
    """A settable clock for the fake."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def statuses(job: LiveJob, until_s: float, step_s: float = 0.5) -> list[str]:
    """The distinct statuses ``job`` goes through, in order, sampled every ``step_s``."""
    seen: list[str] = []
    t = 0.0
    while t <= until_s:
        status = job.state(int(t * SECOND))["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        t += step_s
    return seen


def test_a_created_job_goes_through_every_status_to_its_outcome() -> None:
    """Submitted -> Validating -> Scheduled -> InProgress -> outcome, in this order."""
    job = LiveJob(base=BASE, started_us=0, speed=60, total=600, rate=60, outcome="Completed")
    # 1 + 3 + 5 job minutes before running, 10 job minutes running: 19 s at speed 60.
    assert statuses(job, 25) == ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]
    end = job.state(25 * SECOND)
    assert end["processedRecordCount"] == end["successRecordCount"] == 600
    assert end["endTime"] == end["lastModifiedTime"] == "1970-01-01T00:00:19.000Z"


def test_counts_are_absent_before_scheduling_and_grow_while_in_progress() -> None:
    """No counts while Submitted/Validating; processed grows monotonically up to total."""
    job = LiveJob(
        base=BASE,
        started_us=0,
        speed=60,
        total=600,
        rate=60,
        outcome="PartiallyCompleted",
        error_every=7,
    )
    assert "totalRecordCount" not in job.state(2 * SECOND)
    previous = -1
    for tenth in range(90, 200):
        state = job.state(tenth * SECOND // 10)
        processed = state["processedRecordCount"]
        assert previous <= processed <= 600
        assert state["successRecordCount"] + state["errorRecordCount"] == processed
        previous = processed
    assert job.state(20 * SECOND)["status"] == "PartiallyCompleted"
    assert job.state(20 * SECOND)["errorRecordCount"] == 600 // 7


def test_a_failing_job_stops_counting_where_it_failed() -> None:
    """A Failed job ends at fail_after records with a message."""
    job = LiveJob(
        base=BASE, started_us=0, speed=60, total=600, rate=60, outcome="Failed", fail_after=120
    )
    state = job.state(60 * SECOND)
    assert state["status"] == "Failed"
    assert state["processedRecordCount"] == 120
    assert state["message"]


def test_stop_freezes_counts_then_stopping_then_stopped() -> None:
    """A stop while InProgress: Stopping for 90 job seconds, then Stopped; counts frozen."""
    job = LiveJob(base=BASE, started_us=0, speed=60, total=6000, rate=60, outcome="Completed")
    before = job.state(12 * SECOND)
    stopped = job.stopped(12 * SECOND)
    assert stopped.state(12 * SECOND)["status"] == "Stopping"
    assert stopped.state(13 * SECOND)["processedRecordCount"] == before["processedRecordCount"]
    assert stopped.state(14 * SECOND)["status"] == "Stopped"
    assert job.state(11 * SECOND) == stopped.state(11 * SECOND)  # the past does not change


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), speed=st.sampled_from([1.0, 60.0, 600.0]))
def test_any_live_job_reaches_a_finished_status_with_consistent_counts(
    seed: int, speed: float
) -> None:
    """Whatever its fate and start, a job ends finished; counts never go down;
    success + error == processed <= total."""
    rng = random.Random(seed)
    base: dict[str, Any] = dict(BASE)
    start = rng.choice(["Submitted", "Validating", "Scheduled", "InProgress", "Stopping"])
    if start in ("InProgress", "Stopping"):  # an existing job, part-way through
        total = rng.randint(100, 5000)
        processed = rng.randint(0, total)
        errors = rng.randint(0, processed // 10)
        base.update(totalRecordCount=total, processedRecordCount=processed, errorRecordCount=errors)
    job = new_live_job(base, started_us=0, speed=speed, rng=rng, start_status=start)
    previous = (0, 0)
    for step in range(200):
        state = job.state(int(step * 3600 / speed * SECOND))
        counts = (state.get("processedRecordCount", 0), state.get("errorRecordCount", 0))
        assert counts[0] >= previous[0]
        assert counts[1] >= previous[1]
        previous = counts
    end = job.state(int(200 * 3600 / speed * SECOND))
    assert end["status"] in FINISHED
    assert end["successRecordCount"] + end["errorRecordCount"] == end["processedRecordCount"]
    assert end["processedRecordCount"] <= end["totalRecordCount"]
    if start == "Stopping":
        assert end["status"] == "Stopped"
        return
    assert (end["status"] == "Completed") == (
        end["errorRecordCount"] == 0 and end["processedRecordCount"] == end["totalRecordCount"]
    )


# --- over HTTP ---------------------------------------------------------------------------------


def http_for(fake: FakeBedrock) -> httpx.Client:
    return httpx.Client(transport=fake.transport(), base_url="https://bedrock.test")


def job_path(identifier: str) -> str:
    return "/model-invocation-job/" + quote(identifier, safe="")


def test_create_then_get_by_arn_or_id_and_listing_agree() -> None:
    """The created job is found by ARN and id (not by name: the service's pattern refuses it),
    and listed with the same live status."""
    clock = Clock()
    fake = FakeBedrock(jobs=generate_jobs(5), now=clock, speed=60)
    with http_for(fake) as http:
        arn = http.post("/model-invocation-job", json=create_body()).json()["jobArn"]
        clock.advance(seconds=2)  # 120 job seconds: validating
        by_arn = http.get(job_path(arn)).json()
        assert by_arn["status"] == "Validating"
        assert http.get(job_path(arn.rsplit("/", 1)[1])).json() == by_arn
        by_name = http.get(job_path("nightly-1"))
        assert by_name.status_code == 400
        assert by_name.headers["x-amzn-errortype"].startswith("ValidationException")
        listed = http.get("/model-invocation-jobs", params={"nameContains": "nightly"}).json()
        assert listed["invocationJobSummaries"] == [by_arn]


def test_unknown_job_is_resource_not_found() -> None:
    """An identifier matching nothing: 404 ResourceNotFoundException."""
    with http_for(FakeBedrock()) as http:
        response = http.get(job_path("abcdefghijkl"))
    assert response.status_code == 404
    assert response.headers["x-amzn-errortype"].startswith("ResourceNotFoundException")


def test_creates_are_idempotent_by_client_request_token() -> None:
    """Same token and body: same job; same token, another body: ConflictException."""
    fake = FakeBedrock(now=Clock())
    with http_for(fake) as http:
        first = http.post("/model-invocation-job", json=create_body(clientRequestToken="t-1"))
        again = http.post("/model-invocation-job", json=create_body(clientRequestToken="t-1"))
        other = http.post(
            "/model-invocation-job", json=create_body(clientRequestToken="t-1", jobName="x")
        )
    assert first.json() == again.json()
    assert len(fake.jobs) == 1
    assert other.status_code == 400
    assert other.headers["x-amzn-errortype"].startswith("ConflictException")


def test_quota_of_running_jobs() -> None:
    """Beyond max_active_jobs running jobs: ServiceQuotaExceededException; room again later."""
    clock = Clock()
    fake = FakeBedrock(now=clock, max_active_jobs=2, speed=600)
    with http_for(fake) as http:
        for name in ("a1", "a2"):
            assert http.post("/model-invocation-job", json=create_body(jobName=name)).is_success
        refused = http.post("/model-invocation-job", json=create_body(jobName="a3"))
        assert refused.status_code == 400
        assert refused.headers["x-amzn-errortype"].startswith("ServiceQuotaExceededException")
        clock.advance(hours=1)  # 600 hours of job time: both finished
        assert http.post("/model-invocation-job", json=create_body(jobName="a3")).is_success


def test_stop_a_running_job_and_conflict_on_a_finished_one() -> None:
    """Stop: Stopping then Stopped; stopping it again once Stopped is a ConflictException."""
    clock = Clock()
    fake = FakeBedrock(now=clock, speed=60)
    with http_for(fake) as http:
        arn = http.post("/model-invocation-job", json=create_body()).json()["jobArn"]
        clock.advance(seconds=12)
        stop = http.post(job_path(arn) + "/stop")
        assert (stop.status_code, stop.json()) == (200, {})
        assert http.get(job_path(arn)).json()["status"] == "Stopping"
        clock.advance(seconds=2)
        assert http.get(job_path(arn)).json()["status"] == "Stopped"
        again = http.post(job_path(arn) + "/stop")
    assert again.status_code == 400
    assert again.headers["x-amzn-errortype"].startswith("ConflictException")


def test_create_is_validated_as_the_service_does() -> None:
    """Every violated constraint is listed in one ValidationException."""
    body = create_body(jobName="-bad", timeoutDurationInHours=12)
    del body["roleArn"]
    with http_for(FakeBedrock()) as http:
        response = http.post("/model-invocation-job", content=json.dumps(body))
    message = response.json()["message"]
    assert response.status_code == 400
    assert message.startswith("3 validation errors detected")
    for member in ("'roleArn'", "'jobName'", "'timeoutDurationInHours'"):
        assert member in message


def test_live_jobs_move_on_from_their_generated_status() -> None:
    """live_jobs=True: the generated unfinished jobs all finish on the fake's clock."""
    clock = Clock()
    fake = FakeBedrock(jobs=generate_jobs(30), now=clock, speed=600, live_jobs=True)
    with http_for(fake) as http:

        def unfinished() -> int:
            jobs = http.get("/model-invocation-jobs").json()["invocationJobSummaries"]
            return sum(job["status"] not in FINISHED for job in jobs)

        assert unfinished() > 0
        clock.advance(hours=1)
        assert unfinished() == 0


def test_create_checks_tags_vpc_and_enums_as_the_service_does() -> None:
    """Tags, vpcConfig and the enums are checked too (the client passes unknown enum values
    through, the service of this model version refuses them): Coral's member paths."""
    body = create_body(
        tags=[{"key": "team", "value": "ml"}, {"key": "bad!", "value": "x"}, {"key": "k"}],
        vpcConfig={"subnetIds": [], "securityGroupIds": ["sg-1"] * 6},
        modelInvocationType="Streaming",
        inputDataConfig={
            "s3InputDataConfig": {"s3Uri": "s3://my-bucket/in/", "s3InputFormat": "CSV"}
        },
    )
    with http_for(FakeBedrock()) as http:
        response = http.post("/model-invocation-job", content=json.dumps(body))
        ok = http.post(
            "/model-invocation-job",
            json=create_body(
                tags=[{"key": "team", "value": ""}],
                vpcConfig={"subnetIds": ["subnet-1"], "securityGroupIds": ["sg-1"]},
                modelInvocationType="Converse",
            ),
        )
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("6 validation errors detected"), message
    for where in (
        "'tags.2.member.key'",
        "'tags.3.member.value' failed to satisfy constraint: Member must not be null",
        "'vpcConfig.subnetIds' failed to satisfy constraint: Member must have length greater",
        "'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must have length less",
        "'modelInvocationType' failed to satisfy constraint: Member must satisfy enum value set",
        "'inputDataConfig.s3InputDataConfig.s3InputFormat'",
    ):
        assert where in message
    assert ok.status_code == 200, ok.text
