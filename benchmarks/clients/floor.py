"""Benchmark client: the floor, a minimal raw client (run in a fresh process by ``bench.py``).

An ``httpx.Client`` GET of each page plus ``json.loads``: no signing, no retries, no models.
Same protocol as ``ours.py``: ``floor.py first|all ENDPOINT PAGE_SIZE``.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import httpx

PATH = "/model-invocation-jobs"


def fetch(http: httpx.Client, url: str, page_size: int, token: str | None) -> dict[str, Any]:
    """One page as a dict."""
    params: dict[str, str | int] = {"maxResults": page_size}
    if token:
        params["nextToken"] = token
    response = http.get(url, params=params)
    response.raise_for_status()
    page: dict[str, Any] = json.loads(response.content)
    return page


def first_page(endpoint: str, page_size: int) -> None:
    """Print the size of the first page as soon as it is parsed."""
    with httpx.Client() as http:
        page = fetch(http, endpoint + PATH, page_size, None)
        print(f"first {len(page['invocationJobSummaries'])}", flush=True)


def list_all(endpoint: str, page_size: int) -> None:
    """List every job and print the listing's own CPU and wall time as JSON."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    http = httpx.Client()
    cpu1, wall1 = time.process_time(), time.perf_counter()
    jobs, token = 0, None
    while True:
        page = fetch(http, endpoint + PATH, page_size, token)
        jobs += len(page["invocationJobSummaries"])
        token = page.get("nextToken")
        if not token:
            break
    cpu2, wall2 = time.process_time(), time.perf_counter()
    http.close()
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
