"""``list_jobs_across_regions``: every region listed concurrently; one region's failure loses
no other region's jobs, and carries the token to resume that region exactly."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bedrock_paginate import (
    AccessDeniedException,
    AsyncClient,
    NoCredentialsError,
    ParamValidationError,
    RegionListing,
    list_jobs_across_regions,
    list_jobs_across_regions_sync,
)
from bedrock_paginate._regions import tagged_jobs
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, Fault, generate_jobs

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def _fakes() -> dict[str, FakeBedrock]:
    return {
        region: FakeBedrock(
            jobs=generate_jobs(12 + i, seed=i, region=region),
            region=region,
            default_page_size=4,
            check_sigv4=True,
            credentials={ACCESS_KEY: SECRET_KEY},
        )
        for i, region in enumerate(REGIONS)
    }


@pytest.fixture
def fakes() -> dict[str, FakeBedrock]:
    return _fakes()


@pytest.fixture
def urls(fakes: dict[str, FakeBedrock]) -> Iterator[dict[str, str]]:
    servers = {region: FakeBedrockServer(fake).start() for region, fake in fakes.items()}
    yield {region: server.url for region, server in servers.items()}
    for server in servers.values():
        server.close()


def _factory(urls: dict[str, str], calls: list[tuple[str, str | None]] | None = None) -> Any:
    def make(region: str, profile: str | None) -> AsyncClient:
        if calls is not None:
            calls.append((region, profile))
        return AsyncClient(
            region_name=region,
            endpoint_url=urls[region],
            environ={},
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            sleep=lambda seconds: None,
        )

    return make


def _arns(jobs: Any) -> list[str]:
    return [job.job_arn if hasattr(job, "job_arn") else job["jobArn"] for job in jobs]


def test_every_region_is_listed_and_each_job_is_tagged_with_its_region(
    fakes: dict[str, FakeBedrock], urls: dict[str, str]
) -> None:
    """Each region's listing is complete, in target order, and tagged with its region."""
    listings = asyncio.run(list_jobs_across_regions(REGIONS, client_factory=_factory(urls)))
    assert [listing.region for listing in listings] == list(REGIONS)
    for listing in listings:
        assert listing.ok
        assert listing.resume_token is None
        assert _arns(listing.jobs) == _arns(fakes[listing.region].expected())
    tagged = list(tagged_jobs(listings))
    assert len(tagged) == sum(len(fake.jobs) for fake in fakes.values())
    assert all(f":{region}:" in job.job_arn for region, job in tagged)


def test_access_denied_in_one_region_keeps_the_others(
    fakes: dict[str, FakeBedrock], urls: dict[str, str]
) -> None:
    """A region answering AccessDenied reports its error and resume token; others are whole."""
    fakes["eu-west-1"].inject(Fault.access_denied(), times=None)
    listings = asyncio.run(list_jobs_across_regions(REGIONS, client_factory=_factory(urls)))
    by_region = {listing.region: listing for listing in listings}
    failed = by_region["eu-west-1"]
    assert isinstance(failed.error, AccessDeniedException)
    assert failed.jobs == ()
    assert failed.resume_token is not None
    assert failed.resume_token == failed.error.resume_token
    assert not failed.ok
    for region in ("us-east-1", "ap-southeast-2"):
        assert by_region[region].ok
        assert _arns(by_region[region].jobs) == _arns(fakes[region].expected())


def test_a_region_failing_mid_listing_resumes_exactly(
    fakes: dict[str, FakeBedrock], urls: dict[str, str]
) -> None:
    """Jobs before the failure are kept; the region's resume token lists exactly the rest."""
    fake = fakes["ap-southeast-2"]
    fake.inject(Fault.access_denied(), times=None, when=lambda request: request.index >= 2)
    listings = asyncio.run(
        list_jobs_across_regions(
            REGIONS, client_factory=_factory(urls), PaginationConfig={"PageSize": 3}
        )
    )
    failed = listings[2]
    assert isinstance(failed.error, AccessDeniedException)
    assert len(failed.jobs) == 6
    fake.clear_faults()
    rest = asyncio.run(
        list_jobs_across_regions(
            ["ap-southeast-2"],
            client_factory=_factory(urls),
            PaginationConfig={"StartingToken": failed.resume_token},
        )
    )
    assert _arns(failed.jobs) + _arns(rest[0].jobs) == _arns(fake.expected())
    assert listings[0].ok
    assert listings[1].ok


def test_max_items_applies_per_region_with_its_own_resume_token(
    fakes: dict[str, FakeBedrock], urls: dict[str, str]
) -> None:
    """MaxItems is per target; each target's resume token continues that target."""
    listings = list_jobs_across_regions_sync(
        REGIONS, client_factory=_factory(urls), PaginationConfig={"MaxItems": 5}
    )
    for listing in listings:
        assert len(listing.jobs) == 5
        assert listing.resume_token is not None
        rest = list_jobs_across_regions_sync(
            [listing.region],
            client_factory=_factory(urls),
            PaginationConfig={"StartingToken": listing.resume_token},
        )
        expected = _arns(fakes[listing.region].expected())
        assert _arns(listing.jobs) + _arns(rest[0].jobs) == expected


def test_filters_reach_every_region(fakes: dict[str, FakeBedrock], urls: dict[str, str]) -> None:
    """Filters are applied in every region."""
    listings = list_jobs_across_regions_sync(
        REGIONS, client_factory=_factory(urls), statusEquals="Completed", sortOrder="Ascending"
    )
    for listing in listings:
        expected = fakes[listing.region].expected(statusEquals="Completed", sortOrder="Ascending")
        assert _arns(listing.jobs) == _arns(expected)


def test_a_client_that_cannot_be_created_is_that_region_s_error(urls: dict[str, str]) -> None:
    """A factory error (no credentials for one target) is reported for that target only."""
    make = _factory(urls)

    def factory(region: str, profile: str | None) -> AsyncClient:
        if region == "us-east-1":
            raise NoCredentialsError("no credentials for this test")
        return make(region, profile)  # type: ignore[no-any-return]

    listings = list_jobs_across_regions_sync(REGIONS, client_factory=factory)
    assert isinstance(listings[0].error, NoCredentialsError)
    assert listings[0].resume_token is None
    assert listings[1].ok
    assert listings[2].ok


def test_targets_are_region_by_profile_without_duplicates(urls: dict[str, str]) -> None:
    """Every (region, profile) pair is listed once, in order; duplicates are dropped."""
    calls: list[tuple[str, str | None]] = []
    listings = list_jobs_across_regions_sync(
        ["us-east-1", "eu-west-1", " us-east-1"],
        profiles=["a", "b"],
        client_factory=_factory(urls, calls),
    )
    expected = [("us-east-1", "a"), ("us-east-1", "b"), ("eu-west-1", "a"), ("eu-west-1", "b")]
    assert [(listing.region, listing.profile) for listing in listings] == expected
    assert sorted(calls) == sorted(expected)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ("us-east-1", {}),  # a string, not a list
        ([], {}),
        ([""], {}),
        ([None], {}),
        (REGIONS, {"profiles": "dev"}),
        (REGIONS, {"max_concurrency": 0}),
        (REGIONS, {"max_concurrency": True}),
        (REGIONS, {"statusEquals": "completed"}),
        (REGIONS, {"maxResults": 5}),
        (REGIONS, {"PaginationConfig": {"PageSize": 5000}}),
        (
            REGIONS,
            {"PaginationConfig": {"StartingToken": "eyJib3RvX3RydW5jYXRlX2Ftb3VudCI6IC0xfQ=="}},
        ),
    ],
    ids=str,
)
def test_invalid_arguments_fail_before_any_client_is_made(
    args: Any, kwargs: dict[str, Any]
) -> None:
    """Bad regions, profiles, filters or PaginationConfig raise at once; no client is created."""
    calls: list[tuple[str, str | None]] = []
    with pytest.raises(ParamValidationError):
        list_jobs_across_regions_sync(args, client_factory=_factory({}, calls), **kwargs)
    assert calls == []


class _Rendezvous(httpx.AsyncBaseTransport):
    """Answers a page once ``expected`` requests are in flight at the same time, or after
    ``patience`` seconds (a bound, never asserted on: under load the other clients may still be
    loading credentials in worker threads, so a fixed number of event-loop ticks is not enough)."""

    def __init__(self, fake: FakeBedrock, expected: int, patience: float) -> None:
        self.inner = fake.transport()
        self.expected = expected
        self.patience = patience
        self.in_flight = 0
        self.peak = 0
        self._reached: asyncio.Event | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._reached is None:
            self._reached = asyncio.Event()
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        if self.peak >= self.expected:
            self._reached.set()
        try:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._reached.wait(), self.patience)
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1


@pytest.mark.parametrize(("limit", "peak", "patience"), [(16, 3, 60.0), (1, 1, 0.2)])
def test_regions_are_listed_concurrently_up_to_max_concurrency(
    limit: int, peak: int, patience: float
) -> None:
    """All targets are in flight together, unless max_concurrency says fewer."""
    fake = FakeBedrock(jobs=generate_jobs(3))
    transport = _Rendezvous(fake, expected=3, patience=patience)

    def factory(region: str, profile: str | None) -> AsyncClient:
        return AsyncClient(
            region_name=region,
            endpoint_url="https://bedrock.test",
            environ={},
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            transport=transport,
        )

    listings = list_jobs_across_regions_sync(REGIONS, client_factory=factory, max_concurrency=limit)
    assert all(isinstance(listing, RegionListing) and listing.ok for listing in listings)
    assert transport.peak == peak


def test_one_starting_token_for_several_regions_is_refused() -> None:
    """A StartingToken belongs to one listing: several regions with one token is an error."""
    token = base64.b64encode(json.dumps({"nextToken": None}).encode()).decode()
    with pytest.raises(ParamValidationError, match="StartingToken continues one listing"):
        asyncio.run(
            list_jobs_across_regions(
                ["us-east-1", "us-west-2"], PaginationConfig={"StartingToken": token}
            )
        )
