"""Benchmark client: bedrock-paginate's Python API (run in a fresh process by ``bench.py``).

``ours.py first|all ENDPOINT PAGE_SIZE``: ``first`` prints ``first N`` as soon as the first page
is decoded; ``all`` lists every job and prints JSON with the CPU and wall time of the listing
itself (``time.process_time`` around the loop, so interpreter start and imports are excluded).
Credentials and region come from the environment that ``bench.py`` sets.
"""

from __future__ import annotations

import sys
import time

from bedrock_paginate import Client

OPERATION = "list_model_invocation_jobs"


def first_page(endpoint: str, page_size: int) -> None:
    """Print the size of the first page as soon as it is decoded."""
    client = Client(region_name="us-east-1", endpoint_url=endpoint)
    pages = client.get_paginator(OPERATION).paginate(PaginationConfig={"PageSize": page_size})
    page = next(iter(pages))
    print(f"first {len(page.invocation_job_summaries)}", flush=True)


def list_all(endpoint: str, page_size: int) -> None:
    """List every job and print the listing's own CPU and wall time as JSON."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    client = Client(region_name="us-east-1", endpoint_url=endpoint)
    cpu1, wall1 = time.process_time(), time.perf_counter()
    jobs = 0
    for page in client.get_paginator(OPERATION).paginate(PaginationConfig={"PageSize": page_size}):
        jobs += len(page.invocation_job_summaries)
    cpu2, wall2 = time.process_time(), time.perf_counter()
    client.close()
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
