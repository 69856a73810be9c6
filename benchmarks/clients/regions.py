"""Benchmark client: list every job of several "regions" concurrently (fresh process).

``regions.py MODE PAGE_SIZE REGION=URL [REGION=URL ...]`` where MODE is ``helper`` (the
library's ``list_jobs_across_regions``), ``gather`` (plain ``AsyncClient`` + ``asyncio.gather``)
or ``sequential`` (one sync ``Client`` after another). Prints JSON with the wall time of the
whole listing (clients included, interpreter start and imports excluded) and the job count.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from bedrock_paginate import AsyncClient, Client

OPERATION = "list_model_invocation_jobs"


async def with_helper(endpoints: dict[str, str], page_size: int) -> int:
    """The library's multi-region helper; one AsyncClient per region."""
    from bedrock_paginate import list_jobs_across_regions

    def factory(region: str, profile: str | None) -> AsyncClient:
        return AsyncClient(region_name=region, endpoint_url=endpoints[region])

    listings = await list_jobs_across_regions(
        list(endpoints), client_factory=factory, PaginationConfig={"PageSize": page_size}
    )
    failed = [listing.region for listing in listings if not listing.ok]
    if failed:
        raise SystemExit(f"regions failed: {failed}")
    return sum(len(listing.jobs) for listing in listings)


async def _one_region(region: str, endpoint: str, page_size: int) -> int:
    async with AsyncClient(region_name=region, endpoint_url=endpoint) as client:
        pages = client.get_paginator(OPERATION).paginate(PaginationConfig={"PageSize": page_size})
        return sum([len(page.invocation_job_summaries) async for page in pages])


async def with_gather(endpoints: dict[str, str], page_size: int) -> int:
    """Plain AsyncClient per region and asyncio.gather."""
    counts = await asyncio.gather(*(_one_region(r, u, page_size) for r, u in endpoints.items()))
    return sum(counts)


def sequential(endpoints: dict[str, str], page_size: int) -> int:
    """One synchronous Client after another (for comparison)."""
    total = 0
    for region, endpoint in endpoints.items():
        with Client(region_name=region, endpoint_url=endpoint) as client:
            pages = client.get_paginator(OPERATION).paginate(
                PaginationConfig={"PageSize": page_size}
            )
            total += sum(len(page.invocation_job_summaries) for page in pages)
    return total


def main(argv: list[str]) -> None:
    """Run the chosen mode and print JSON."""
    mode, page_size = argv[0], int(argv[1])
    endpoints = dict(arg.split("=", 1) for arg in argv[2:])
    start = time.perf_counter()
    if mode == "sequential":
        jobs = sequential(endpoints, page_size)
    else:
        runner = with_helper if mode == "helper" else with_gather
        jobs = asyncio.run(runner(endpoints, page_size))
    wall = time.perf_counter() - start
    print(json.dumps({"jobs": jobs, "wall_s": wall, "regions": len(endpoints)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
