"""One ``Client`` shared by threads, one ``AsyncClient`` shared by tasks, over a loopback socket.

Each worker lists the whole dataset with its own page size while the fake throttles or fails
the first attempt of every other page; every worker must still get every job exactly once, in
order. Temporary credentials that expire are refreshed once for all workers together.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bedrock_paginate import AsyncClient, Client
from bedrock_paginate._retry import MAX_BACKOFF
from bedrock_paginate.testing import (
    FakeBedrock,
    FakeBedrockServer,
    Fault,
    ReceivedRequest,
    generate_jobs,
)
from tests.support import TokenFake, client_options, counting_process_profile

OP = "list_model_invocation_jobs"
JOBS = generate_jobs(40, seed=13)
WORKERS = 8
PAGE_SIZES = [1, 2, 3, 4, 5, 7, 9, 40]


class FirstAttemptFaults:
    """Chooses a fault for the first attempt of every other distinct page (page size + token):
    throttling and 503 in turn. Each call is faulted at most once, so it succeeds on its retry
    whatever the interleaving of the workers.
    """

    def __init__(self) -> None:
        self._pages: set[tuple[str | None, str | None]] = set()
        self._kinds: dict[int, str | None] = {}

    def kind(self, request: ReceivedRequest) -> str | None:
        """The fault for this request (computed once per request; runs under the lock)."""
        if request.index not in self._kinds:
            key = (request.param("maxResults"), request.param("nextToken"))
            choice = None
            if key not in self._pages:
                self._pages.add(key)
                choice = (None, "throttle", None, "503")[len(self._pages) % 4]
            self._kinds[request.index] = choice
        return self._kinds[request.index]


def _faulty_fake() -> FakeBedrock:
    fake = FakeBedrock(jobs=JOBS)
    picker = FirstAttemptFaults()
    fake.inject(Fault.throttle(), times=None, when=lambda r: picker.kind(r) == "throttle")
    fake.inject(Fault.status(503), times=None, when=lambda r: picker.kind(r) == "503")
    return fake


@pytest.fixture
def fake() -> FakeBedrock:
    return _faulty_fake()


@pytest.fixture
def server(fake: FakeBedrock) -> Iterator[FakeBedrockServer]:
    with FakeBedrockServer(fake) as running:
        yield running
        assert running.errors == []


class _Sleeps:
    def __init__(self) -> None:
        self.values: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.values.append(seconds)


def _options(url: str, sleeps: _Sleeps, **extra: Any) -> dict[str, Any]:
    return client_options(url, sleep=sleeps, random=lambda: 0.25, **extra)


def _expected(fake: FakeBedrock) -> list[str]:
    return [job["jobArn"] for job in fake.expected()]


def test_one_client_shared_by_eight_threads(fake: FakeBedrock, server: FakeBedrockServer) -> None:
    """Eight threads page through one Client concurrently; each sees every job once, in order."""
    sleeps = _Sleeps()
    start = threading.Barrier(WORKERS)

    def worker(page_size: int) -> list[str]:
        start.wait()
        pages = client.get_paginator(OP).paginate(PaginationConfig={"PageSize": page_size})
        return [job.job_arn for job in pages.jobs()]

    with Client(**_options(server.url, sleeps)) as client, ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(worker, PAGE_SIZES))
    expected = _expected(fake)
    assert all(result == expected for result in results)
    faulted = [r for r in fake.requests if r.fault is not None]
    assert faulted
    assert {r.fault for r in faulted} == {"throttle", "html"}
    assert len(sleeps.values) == len(faulted)
    assert all(0.0 <= s <= MAX_BACKOFF for s in sleeps.values)


def test_one_async_client_shared_by_eight_tasks(
    fake: FakeBedrock, server: FakeBedrockServer
) -> None:
    """Eight tasks page through one AsyncClient via gather; each sees every job once."""
    sleeps = _Sleeps()

    async def worker(client: AsyncClient, page_size: int) -> list[str]:
        pages = client.get_paginator(OP).paginate(PaginationConfig={"PageSize": page_size})
        return [job.job_arn async for job in pages.jobs()]

    async def main() -> list[list[str]]:
        async with AsyncClient(**_options(server.url, sleeps)) as client:
            return list(await asyncio.gather(*(worker(client, size) for size in PAGE_SIZES)))

    results = asyncio.run(main())
    expected = _expected(fake)
    assert all(result == expected for result in results)
    faulted = [r for r in fake.requests if r.fault is not None]
    assert faulted
    assert len(sleeps.values) == len(faulted)


def test_fault_picker_faults_each_page_at_most_once() -> None:
    """The test's fault picker is deterministic per page: a retried attempt is never faulted."""
    picker = FirstAttemptFaults()

    def request(index: int, size: str) -> ReceivedRequest:
        return ReceivedRequest(index=index, method="GET", path="/", query=(("maxResults", size),))

    kinds = [picker.kind(request(i, size)) for i, size in enumerate("12121334")]
    assert kinds == ["throttle", None, None, None, None, "503", None, None]
    assert picker.kind(request(0, "1")) == "throttle"  # asked again for the same request


# --- credentials refreshed once for everyone ----------------------------------------------------


def _profile_options(url: str, environ: dict[str, str]) -> dict[str, Any]:
    options = _options(url, _Sleeps())
    del options["aws_access_key_id"], options["aws_secret_access_key"]
    return {**options, "environ": environ, "profile_name": "tmp"}


def test_expired_credentials_are_refreshed_once_for_all_threads(tmp_path: Path) -> None:
    """Eight threads hit ExpiredToken together; credential_process runs once more, not 8x."""
    environ, counter = counting_process_profile(tmp_path)
    fake = TokenFake(jobs=JOBS, revoked={"FAKETOKEN1"})
    start = threading.Barrier(WORKERS)
    with (
        FakeBedrockServer(fake) as server,
        Client(**_profile_options(server.url, environ)) as client,
    ):
        client.config.credentials.get()  # type: ignore[union-attr]  # load token 1 first

        def worker(page_size: int) -> list[str]:
            start.wait()
            pages = client.get_paginator(OP).paginate(PaginationConfig={"PageSize": page_size})
            return [job.job_arn for job in pages.jobs()]

        with ThreadPoolExecutor(WORKERS) as pool:
            results = list(pool.map(worker, PAGE_SIZES))
    assert all(result == _expected(fake) for result in results)
    assert counter.read_text() == "2"


def test_expired_credentials_are_refreshed_once_for_all_tasks(tmp_path: Path) -> None:
    """Eight tasks hit ExpiredToken together; credential_process runs once more."""
    environ, counter = counting_process_profile(tmp_path)
    fake = TokenFake(jobs=JOBS, revoked={"FAKETOKEN1"})

    async def worker(client: AsyncClient, page_size: int) -> list[str]:
        pages = client.get_paginator(OP).paginate(PaginationConfig={"PageSize": page_size})
        return [job.job_arn async for job in pages.jobs()]

    async def main(url: str) -> list[list[str]]:
        async with AsyncClient(**_profile_options(url, environ)) as client:
            return list(await asyncio.gather(*(worker(client, size) for size in PAGE_SIZES)))

    with FakeBedrockServer(fake) as server:
        results = asyncio.run(main(server.url))
    assert all(result == _expected(fake) for result in results)
    assert counter.read_text() == "2"
