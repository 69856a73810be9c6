"""Benchmark client: boto3 (run in a fresh process by ``bench.py``); same protocol as ``ours.py``.

``boto3_client.py first|all ENDPOINT PAGE_SIZE``. Only the benchmark's own environment has
boto3; the library never depends on it.
"""

from __future__ import annotations

import sys
import time

import boto3  # type: ignore[import-not-found,import-untyped,unused-ignore]

OPERATION = "list_model_invocation_jobs"


def first_page(endpoint: str, page_size: int) -> None:
    """Print the size of the first page as soon as it is parsed."""
    client = boto3.client("bedrock", endpoint_url=endpoint, region_name="us-east-1")
    pages = client.get_paginator(OPERATION).paginate(PaginationConfig={"PageSize": page_size})
    page = next(iter(pages))
    print(f"first {len(page['invocationJobSummaries'])}", flush=True)


def list_all(endpoint: str, page_size: int) -> None:
    """List every job and print the listing's own CPU and wall time as JSON."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    client = boto3.client("bedrock", endpoint_url=endpoint, region_name="us-east-1")
    cpu1, wall1 = time.process_time(), time.perf_counter()
    jobs = 0
    for page in client.get_paginator(OPERATION).paginate(PaginationConfig={"PageSize": page_size}):
        jobs += len(page["invocationJobSummaries"])
    cpu2, wall2 = time.process_time(), time.perf_counter()
    import json

    result = {
        "jobs": jobs,
        "setup_cpu_s": cpu1 - cpu0,
        "listing_cpu_s": cpu2 - cpu1,
        "listing_wall_s": wall2 - wall1,
        "setup_wall_s": wall1 - wall0,
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    mode, url, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    (first_page if mode == "first" else list_all)(url, size)
