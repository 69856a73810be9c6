"""List jobs across many regions (and/or profiles) at once.

One :class:`~bedrock_paginate.AsyncClient` per (region, profile) target, all listed concurrently
(bounded by ``max_concurrency``), so ten regions take about as long as the slowest one. A target
that fails does not lose the others: its :class:`RegionListing` carries the error (and the
``resume_token`` to continue it) while the rest carry their jobs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ._client import AsyncClient
from ._options import (
    CLIENT_OPTIONS,
    ClientOptions,
    ListJobsFilters,
    PaginationOptions,
    check_options,
)
from ._paginator import LIST_MODEL_INVOCATION_JOBS, PaginationState, parse_pagination_config
from ._serialize import validate_list_params, validate_resume_request
from .errors import BedrockPaginateError, ParamValidationError
from .models import JobSummary

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "AcrossRegionsOptions",
    "RegionEvent",
    "RegionListing",
    "iter_region_pages",
    "list_jobs_across_regions",
    "list_jobs_across_regions_sync",
    "tagged_jobs",
]


@attrs.frozen(kw_only=True)
class RegionListing:
    """The outcome for one target: its jobs, or the error that stopped it (and where to resume)."""

    region: str
    profile: str | None = None
    jobs: tuple[JobSummary, ...] = ()
    error: BedrockPaginateError | None = attrs.field(default=None, eq=False)
    resume_token: str | None = None

    @property
    def ok(self) -> bool:
        """True when the listing of this target completed."""
        return self.error is None


ClientFactory = Callable[[str, "str | None"], AsyncClient]


class AcrossRegionsOptions(ListJobsFilters, total=False):
    """The keyword arguments of :func:`list_jobs_across_regions` (and its sync twin): the
    filters of ``paginate()`` plus these."""

    profiles: Sequence[str | None]
    client_factory: ClientFactory | None
    client_kwargs: ClientOptions | None
    max_concurrency: int
    PaginationConfig: PaginationOptions | None


def _targets(
    regions: Iterable[str], profiles: Sequence[str | None]
) -> list[tuple[str, str | None]]:
    for name, value in (("regions", regions), ("profiles", profiles)):
        if isinstance(value, str):
            raise ParamValidationError(
                f"{name} must be a list of names, not the string {value!r} (write [{value!r}])",
                param=name,
            )
    targets: list[tuple[str, str | None]] = []
    for region in regions:
        if not isinstance(region, str) or not region.strip():
            raise ParamValidationError(
                f"regions must be non-empty strings, got {region!r}", param="regions"
            )
        for profile in profiles:
            if (region.strip(), profile) not in targets:
                targets.append((region.strip(), profile))
    if not targets:
        raise ParamValidationError("regions must name at least one region", param="regions")
    return targets


def _prepare(
    regions: Iterable[str], options: AcrossRegionsOptions
) -> tuple[
    list[tuple[str, str | None]], ClientFactory, int, PaginationOptions | None, dict[str, Any]
]:
    """Check every argument before any client exists: (targets, client factory, concurrency,
    PaginationConfig, filters)."""
    profiles = options.pop("profiles", (None,))
    client_factory = options.pop("client_factory", None)
    client_kwargs = options.pop("client_kwargs", None)
    max_concurrency = options.pop("max_concurrency", 16)
    pagination_config = options.pop("PaginationConfig", None)
    filters: dict[str, Any] = dict(options)
    if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
        raise ParamValidationError("max_concurrency must be an int >= 1", param="max_concurrency")
    if max_concurrency < 1:
        raise ParamValidationError("max_concurrency must be an int >= 1", param="max_concurrency")
    targets = _targets(regions, profiles)
    _check_listing_arguments(filters, pagination_config)
    if pagination_config and pagination_config.get("StartingToken") and len(targets) > 1:
        raise ParamValidationError(
            "a StartingToken continues one listing; with several regions or profiles, resume "
            "each one on its own with its RegionListing.resume_token",
            param="StartingToken",
        )
    extra: ClientOptions = {**(client_kwargs or {})}
    check_options("AsyncClient", extra, CLIENT_OPTIONS)
    for name, instead in (("region_name", "regions"), ("profile_name", "profiles")):
        if name in extra:
            raise ParamValidationError(
                f"client_kwargs cannot set {name}: each target sets it; list them in {instead}",
                param="client_kwargs",
            )

    def default_factory(region: str, profile: str | None) -> AsyncClient:
        options = extra.copy()
        options["region_name"] = region
        options["profile_name"] = profile
        return AsyncClient(**options)

    factory = client_factory or default_factory
    return targets, factory, max_concurrency, pagination_config, filters


async def list_jobs_across_regions(
    regions: Iterable[str], **options: Unpack[AcrossRegionsOptions]
) -> list[RegionListing]:
    """List the jobs of every (region, profile) target concurrently; results in target order.

    ``filters`` and ``PaginationConfig`` are those of ``paginate()`` and apply to each target
    (``MaxItems`` is per target). ``client_kwargs`` go to every :class:`AsyncClient`.
    """
    import asyncio

    targets, factory, max_concurrency, PaginationConfig, filters = _prepare(regions, options)  # noqa: N806
    gate = asyncio.Semaphore(max_concurrency)

    async def one(region: str, profile: str | None) -> RegionListing:
        async with gate:
            try:
                client = factory(region, profile)
            except BedrockPaginateError as exc:
                return RegionListing(region=region, profile=profile, error=exc)
            async with client:
                jobs: list[JobSummary] = []
                try:
                    pages = client.get_paginator("list_model_invocation_jobs").paginate(
                        PaginationConfig=PaginationConfig, **filters
                    )
                    async for page in pages:
                        jobs.extend(page.invocation_job_summaries)
                except BedrockPaginateError as exc:
                    return RegionListing(
                        region=region,
                        profile=profile,
                        jobs=tuple(jobs),
                        error=exc,
                        resume_token=exc.resume_token,
                    )
                return RegionListing(
                    region=region,
                    profile=profile,
                    jobs=tuple(jobs),
                    resume_token=pages.resume_token,
                )

    return list(await asyncio.gather(*(one(r, p) for r, p in targets)))


@attrs.frozen(kw_only=True)
class RegionEvent:
    """One step of one target in :func:`iter_region_pages`.

    ``kind`` is ``"start"`` (before its first request), ``"page"`` (``jobs`` of one page),
    ``"end"`` (finished; ``resume_token`` is set when ``MaxItems`` stopped it) or ``"error"``
    (``error`` stopped it; ``resume_token`` continues at the first job not yet in a page event).
    ``position(n)`` is where to continue after the first ``n`` jobs of this page event (``None``:
    after all of them); it is valid until the next event is asked for.
    """

    kind: str
    region: str
    profile: str | None = None
    jobs: tuple[JobSummary, ...] = ()
    error: BedrockPaginateError | None = attrs.field(default=None, eq=False)
    resume_token: str | None = None
    position: Callable[[int | None], str | None] = attrs.field(
        default=lambda _n: None, eq=False, repr=False
    )


async def iter_region_pages(
    regions: Iterable[str], **options: Unpack[AcrossRegionsOptions]
) -> AsyncIterator[RegionEvent]:
    """Every target listed concurrently, its pages yielded as they arrive (memory: one page per
    target). A target does not fetch its next page before its previous event was consumed,
    so ``RegionEvent.position`` stays exact while the consumer handles the event.

    Arguments as :func:`list_jobs_across_regions`; they are checked before the first event.
    """
    import asyncio

    targets, factory, max_concurrency, PaginationConfig, filters = _prepare(regions, options)  # noqa: N806
    gate = asyncio.Semaphore(max_concurrency)
    queue: asyncio.Queue[tuple[RegionEvent | Exception, asyncio.Event]] = asyncio.Queue()

    async def emit(event: RegionEvent) -> None:
        consumed = asyncio.Event()
        await queue.put((event, consumed))
        await consumed.wait()

    async def one(region: str, profile: str | None) -> None:
        async with gate:
            try:
                client = factory(region, profile)
            except BedrockPaginateError as exc:
                await emit(RegionEvent(kind="error", region=region, profile=profile, error=exc))
                return
            async with client:
                pages = client.get_paginator("list_model_invocation_jobs").paginate(
                    PaginationConfig=PaginationConfig, **filters
                )
                await emit(
                    RegionEvent(
                        kind="start",
                        region=region,
                        profile=profile,
                        resume_token=pages.position_token(),
                    )
                )

                def position(returned: int | None) -> str | None:
                    if returned is None:
                        return pages.position_token()
                    return pages.page_position(returned)

                try:
                    async for page in pages:
                        await emit(
                            RegionEvent(
                                kind="page",
                                region=region,
                                profile=profile,
                                jobs=page.invocation_job_summaries,
                                position=position,
                            )
                        )
                except BedrockPaginateError as exc:
                    await emit(
                        RegionEvent(
                            kind="error",
                            region=region,
                            profile=profile,
                            error=exc,
                            resume_token=exc.resume_token,
                        )
                    )
                    return
                await emit(
                    RegionEvent(
                        kind="end", region=region, profile=profile, resume_token=pages.resume_token
                    )
                )

    async def guarded(region: str, profile: str | None) -> None:
        try:
            await one(region, profile)
        except Exception as exc:  # not a listing error (a bug): the consumer re-raises it
            await queue.put((exc, asyncio.Event()))

    tasks = [asyncio.ensure_future(guarded(r, p)) for r, p in targets]
    try:
        remaining = len(tasks)
        while remaining:
            event, consumed = await queue.get()
            if isinstance(event, Exception):
                raise event
            if event.kind in ("end", "error"):
                remaining -= 1
            try:
                yield event
            finally:
                consumed.set()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _check_listing_arguments(
    filters: Mapping[str, Any], pagination_config: Mapping[str, Any] | None
) -> None:
    """Fail before creating any client when the filters or PaginationConfig are invalid."""
    for name, hint in (("maxResults", "PageSize"), ("nextToken", "StartingToken")):
        if name in filters:
            raise ParamValidationError(
                f"{name} cannot be passed here; use PaginationConfig={{'{hint}': ...}}",
                param=name,
            )
    validate_list_params(filters)
    settings = parse_pagination_config(pagination_config, LIST_MODEL_INVOCATION_JOBS)
    # Decodes StartingToken and checks the token it would send.
    validate_resume_request(
        PaginationState[JobSummary](LIST_MODEL_INVOCATION_JOBS, settings).next_request()
    )


def list_jobs_across_regions_sync(
    regions: Iterable[str], **options: Unpack[AcrossRegionsOptions]
) -> list[RegionListing]:
    """:func:`list_jobs_across_regions` for synchronous callers (starts its own event loop).

    Not for use inside a running event loop: there, await the async function.
    """
    import asyncio

    return asyncio.run(list_jobs_across_regions(regions, **options))


def tagged_jobs(listings: Iterable[RegionListing]) -> Iterator[tuple[str, JobSummary]]:
    """Every job of every listing, tagged with its region."""
    for listing in listings:
        for job in listing.jobs:
            yield listing.region, job
