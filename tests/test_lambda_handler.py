"""examples/lambda_handler.py against the fake Bedrock on a loopback socket (SigV4 checked).

The handler module creates its client at import (as Lambda's init phase would), from the
environment; the fixture sets that environment, imports the example from its file, and closes
the client afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate import AccessDeniedException
from bedrock_paginate.testing import FakeBedrock, Fault, generate_jobs
from tests.support import ACCESS_KEY, SECRET_KEY, lambda_example

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "lambda_handler.py"
JOBS = 250


@pytest.fixture(scope="module")
def fake() -> FakeBedrock:
    """A fake with 250 jobs that verifies every SigV4 signature."""
    return FakeBedrock(
        jobs=generate_jobs(JOBS, seed=7), check_sigv4=True, credentials={ACCESS_KEY: SECRET_KEY}
    )


@pytest.fixture(scope="module")
def lam(fake: FakeBedrock, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The example module, imported with Lambda-like environment pointing at the fake."""
    with lambda_example(EXAMPLE, fake, tmp_path_factory.mktemp("aws")) as (module, _server):
        yield module


@pytest.fixture(autouse=True)
def _no_faults(fake: FakeBedrock) -> Iterator[None]:
    yield
    fake.clear_faults()


def _arns(result: dict[str, Any]) -> list[str]:
    return [job["jobArn"] for job in result["jobs"]]


class _Context:
    """A Lambda context whose remaining time shrinks by ``step_ms`` at every call."""

    def __init__(self, start_ms: int, step_ms: int) -> None:
        self.left = start_ms
        self.step = step_ms

    def get_remaining_time_in_millis(self) -> int:
        self.left -= self.step
        return self.left


def test_default_event_returns_100_newest_jobs_as_json(lam: ModuleType, fake: FakeBedrock) -> None:
    """An empty event lists the first 100 jobs (newest first), JSON-serialisable, with a token."""
    result = lam.handler({}, None)
    expected = [job["jobArn"] for job in fake.expected()[:100]]
    assert (expected, 100) == (_arns(result), result["count"])
    assert isinstance(result["nextToken"], str)
    assert json.loads(json.dumps(result)) == result
    shown = result["jobs"][0]["submitTime"]
    wire = fake.expected()[0]["submitTime"].replace("Z", "+00:00")
    assert shown.endswith("+00:00")
    assert datetime.fromisoformat(wire) == datetime.fromisoformat(shown)


def test_following_next_token_visits_every_job_once(lam: ModuleType, fake: FakeBedrock) -> None:
    """Invocations chained by nextToken return every job exactly once, in order."""
    seen: list[str] = []
    token: str | None = None
    for _ in range(10):
        result = lam.handler({"maxItems": 70, "pageSize": 30, "startingToken": token}, None)
        seen += _arns(result)
        token = result["nextToken"]
        if token is None:
            break
    assert [job["jobArn"] for job in fake.expected()] == seen


@pytest.mark.parametrize(
    "filters",
    [
        {"statusEquals": "Failed"},
        {"nameContains": "retry"},
        {"submitTimeAfter": "2025-01-01T00:00:00Z", "sortOrder": "Ascending"},
        {"statusEquals": "Completed", "submitTimeBefore": "2025-02-01T00:00:00Z"},
    ],
)
def test_filters_from_the_event(
    lam: ModuleType, fake: FakeBedrock, filters: dict[str, str]
) -> None:
    """The event's filters reach the service; the jobs are exactly the matching ones."""
    result = lam.handler({**filters, "maxItems": 1000}, None)
    expected = [job["jobArn"] for job in fake.expected(**filters)]
    assert 0 < len(expected) < JOBS  # the filter selects something, not everything
    assert expected == _arns(result)
    assert result["nextToken"] is None


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=1, max_value=JOBS + 50))
def test_max_items_bounds_the_answer(lam: ModuleType, max_items: int) -> None:
    """maxItems jobs at most; a nextToken exactly when jobs remain."""
    result = lam.handler({"maxItems": max_items}, None)
    assert min(max_items, JOBS) == result["count"]
    assert (max_items < JOBS) == (result["nextToken"] is not None)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"maxItems": 0}, "maxItems must be an integer from 1 to 1000"),
        ({"maxItems": 1001}, "maxItems must be an integer from 1 to 1000"),
        ({"pageSize": "ten"}, "pageSize must be an integer"),
        ({"maxItems": True}, "maxItems must be an integer"),
        ({"status": "Failed"}, "unknown event keys ['status']; allowed: statusEquals"),
        ({"statusEquals": "failed"}, "statusEquals"),
        (["not", "an", "object"], "the event must be a JSON object"),
    ],
)
def test_bad_events_return_an_error_without_calling_the_service(
    lam: ModuleType, fake: FakeBedrock, event: object, message: str
) -> None:
    """An invalid event is answered with an error object, and no request is sent."""
    before = fake.request_count
    result = lam.handler(event, None)
    assert result["error"]["type"] == "ParamValidationError"
    assert message in result["error"]["message"]
    assert before == fake.request_count


def test_stops_early_when_time_runs_out_and_the_token_continues(
    lam: ModuleType, fake: FakeBedrock
) -> None:
    """Close to the timeout it returns after a page, with a token to the next job exactly."""
    first = lam.handler({"maxItems": 200, "pageSize": 50}, _Context(start_ms=4000, step_ms=800))
    assert first["count"] == 100  # 4000-800 >= 3000 after page 1; 2400 < 3000 after page 2
    rest = lam.handler({"maxItems": 1000, "startingToken": first["nextToken"]}, None)
    assert [job["jobArn"] for job in fake.expected()] == _arns(first) + _arns(rest)


def test_no_token_when_the_last_page_arrives_late(lam: ModuleType) -> None:
    """Running out of time on the last page still reports the listing as complete."""
    result = lam.handler({"maxItems": 1000}, _Context(start_ms=100, step_ms=1))
    assert (result["count"], result["nextToken"]) == (JOBS, None)


def test_uses_the_module_level_client(lam: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Invocations reuse the client built at import; they never construct another."""

    def no_new_clients(*args: object, **kwargs: object) -> None:
        raise AssertionError("a Client was created during an invocation")

    monkeypatch.setattr(lam, "Client", no_new_clients)
    assert lam.handler({"maxItems": 5}, None)["count"] == 5


def test_service_errors_are_raised_for_lambda_to_report(lam: ModuleType, fake: FakeBedrock) -> None:
    """AccessDenied is raised (the invocation fails) rather than returned as data."""
    fake.inject(Fault.access_denied())
    with pytest.raises(AccessDeniedException):
        lam.handler({"maxItems": 5}, None)
