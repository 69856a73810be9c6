"""Benchmark client: an even lower floor, ``http.client`` + ``json.loads`` (for reference).

Same protocol as ``ours.py``: ``floor_stdlib.py first|all ENDPOINT PAGE_SIZE``. One keep-alive
connection, no signing, no models.
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

PATH = "/model-invocation-jobs"


def fetch(conn: http.client.HTTPConnection, page_size: int, token: str | None) -> dict[str, Any]:
    """One page as a dict."""
    query: dict[str, str | int] = {"maxResults": page_size}
    if token:
        query["nextToken"] = token
    conn.request("GET", f"{PATH}?{urlencode(query)}")
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"HTTP {response.status}: {body[:200]!r}")
    page: dict[str, Any] = json.loads(body)
    return page


def connect(endpoint: str) -> http.client.HTTPConnection:
    """A connection to the endpoint's host and port."""
    parts = urlsplit(endpoint)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80)


def first_page(endpoint: str, page_size: int) -> None:
    """Print the size of the first page as soon as it is parsed."""
    page = fetch(connect(endpoint), page_size, None)
    print(f"first {len(page['invocationJobSummaries'])}", flush=True)


def list_all(endpoint: str, page_size: int) -> None:
    """List every job and print the listing's own CPU and wall time as JSON."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    conn = connect(endpoint)
    cpu1, wall1 = time.process_time(), time.perf_counter()
    jobs, token = 0, None
    while True:
        page = fetch(conn, page_size, token)
        jobs += len(page["invocationJobSummaries"])
        token = page.get("nextToken")
        if not token:
            break
    cpu2, wall2 = time.process_time(), time.perf_counter()
    conn.close()
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
