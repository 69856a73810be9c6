"""The public API as a type checker sees it: never run, only checked by ``mypy --strict``.

Every ``assert_type`` pins what a call returns; every ``# type: ignore[code]`` marks a call mypy
must reject (``warn_unused_ignores``, part of ``--strict``, fails the check when a wrong call
is accepted). pytest does not collect this directory (``tests/conftest.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any

from typing_extensions import assert_type

import bedrock_paginate
from bedrock_paginate import (
    AsyncClient,
    AsyncPageIterator,
    AsyncPaginator,
    BedrockPaginateError,
    Client,
    ClientMeta,
    ClientOptions,
    CreateJobResult,
    FixtureWriteError,
    Job,
    JobSummary,
    JSONFileCache,
    Page,
    PageIterator,
    PaginationOptions,
    Paginator,
    RegionListing,
    ResponseMetadata,
    StopJobResult,
    list_jobs_across_regions,
    list_jobs_across_regions_sync,
)


def assume_role_client() -> None:
    def prompt(text: str) -> str:
        return "123456"

    Client(profile_name="role", mfa_prompt=prompt, credential_cache=JSONFileCache("/tmp/cache"))
    Client(credential_cache={})
    Client(mfa_prompt="123456")  # type: ignore[arg-type]


def sync_client() -> None:
    client = Client(region_name="us-east-1", max_attempts=3, verify=False, environ={})
    assert_type(client.meta, ClientMeta)
    assert_type(client.meta.region_name, str)
    assert_type(client.can_paginate("list_model_invocation_jobs"), bool)

    page = client.list_model_invocation_jobs(statusEquals="Completed", maxResults=10)
    assert_type(page, Page)
    assert_type(page.next_token, str | None)
    assert_type(page.invocation_job_summaries, tuple[JobSummary, ...])
    assert_type(page.response_metadata, ResponseMetadata | None)

    paginator = client.get_paginator("list_model_invocation_jobs")
    assert_type(paginator, Paginator)
    pages = paginator.paginate(
        submitTimeAfter=datetime(2025, 1, 1, tzinfo=timezone.utc),
        submitTimeBefore="2025-12-31T00:00:00Z",
        nameContains="nightly",
        sortOrder="Descending",
        PaginationConfig={"MaxItems": 100, "PageSize": 20},
    )
    assert_type(pages, PageIterator)
    assert_type(iter(pages), Iterator[Page])
    assert_type(pages.jobs(), Iterator[JobSummary])
    assert_type(pages.resume_token, str | None)
    assert_type(pages.position_token(), str)
    assert_type(pages.build_full_result(), dict[str, Any])
    client.close()


async def async_client() -> None:
    async with AsyncClient(region_name="us-east-1") as client:
        assert_type(client, AsyncClient)
        assert_type(await client.list_model_invocation_jobs(), Page)
        paginator = client.get_paginator("list_model_invocation_jobs")
        assert_type(paginator, AsyncPaginator)
        pages = paginator.paginate(statusEquals="InProgress")
        assert_type(pages, AsyncPageIterator)
        assert_type(pages.__aiter__(), AsyncIterator[Page])
        assert_type(pages.jobs(), AsyncIterator[JobSummary])
        listings = await list_jobs_across_regions(
            ["us-east-1", "eu-west-1"], max_concurrency=4, statusEquals="Failed"
        )
        assert_type(listings, list[RegionListing])


def shared_options() -> None:
    """Options typed once can be reused for both clients and for every region."""
    options: ClientOptions = {"aws_access_key_id": "AKIDEXAMPLE", "environ": {}}
    Client(**options)
    AsyncClient(**options)
    config: PaginationOptions = {"StartingToken": "abc"}
    listings = list_jobs_across_regions_sync(
        ["us-east-1"], client_kwargs=options, PaginationConfig=config
    )
    assert_type(listings, list[RegionListing])
    assert_type(bedrock_paginate.__version__, str)
    assert issubclass(FixtureWriteError, BedrockPaginateError)


def wrong_calls(client: Client) -> None:
    """Each of these fails at run time; the type checker must catch it first."""
    Client(regoin_name="us-east-1")  # type: ignore[call-arg]
    AsyncClient(max_attempts="3")  # type: ignore[arg-type]
    Client(transport="http://localhost")  # type: ignore[arg-type]
    client.list_model_invocation_jobs(statusEqual="Completed")  # type: ignore[call-arg]
    client.list_model_invocation_jobs(maxResults="10")  # type: ignore[arg-type]
    paginator = client.get_paginator("list_model_invocation_jobs")
    paginator.paginate(maxResults=10)  # type: ignore[call-arg]
    paginator.paginate(PaginationConfig={"MaxItem": 10})  # type: ignore[arg-type]
    paginator.paginate(PaginationConfig={"PageSize": "10"})  # type: ignore[arg-type]
    list_jobs_across_regions_sync(["us-east-1"], max_concurency=2)  # type: ignore[call-arg]
    list_jobs_across_regions_sync(["us-east-1"], client_kwargs={"regoin_name": "x"})  # type: ignore[arg-type]
    bedrock_paginate.Clinet  # type: ignore[attr-defined]  # noqa: B018


def batch_jobs(client: Client) -> None:
    """The batch-job operations and the waiter."""
    created = client.create_model_invocation_job(
        jobName="nightly",
        roleArn="arn:aws:iam::123456789012:role/r",
        modelId="amazon.nova-lite-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://b-1/in/"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://b-1/out/"}},
        timeoutDurationInHours=24,
    )
    assert_type(created, CreateJobResult)
    assert_type(created.job_arn, str)
    job = client.get_model_invocation_job(jobIdentifier=created.job_arn)
    assert_type(job, Job)
    assert_type(job.processed_record_count, int | None)
    assert_type(client.stop_model_invocation_job(jobIdentifier=job.job_arn), StopJobResult)
    final = client.wait_for_model_invocation_job(
        job.job_arn, timeout=60.0, poll_interval=5, on_update=lambda j: print(j.status)
    )
    assert_type(final, Job)
    client.get_model_invocation_job(jobIdentifer="x")  # type: ignore[call-arg]
    client.create_model_invocation_job(jobName="only-a-name")  # type: ignore[call-arg]
    client.wait_for_model_invocation_job(job.job_arn, timeout="60")  # type: ignore[arg-type]


async def async_batch_jobs(client: AsyncClient) -> None:
    job = await client.get_model_invocation_job(jobIdentifier="arn")
    assert_type(job, Job)
    assert_type(await client.wait_for_model_invocation_job("arn", poll_interval=1), Job)
