"""Profile one full listing with cProfile and print where the time goes.

``profile_listing.py ours|boto3|floor ENDPOINT PAGE_SIZE [TOP]`` lists every job once under
``cProfile`` (the listing loop only: imports and client creation are outside) and prints JSON:
the profiled CPU total (the profiler's clock is ``time.process_time``, so time spent waiting
for the server is not counted) and the TOP functions by own time (``tottime``) and by
cumulative time, each as ``file:line:function`` with its share of the total. ``bench.py``
runs it against its fake server and saves the result in ``results/``.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

OPERATION = "list_model_invocation_jobs"


def _ours(endpoint: str, page_size: int) -> Callable[[], int]:
    from bedrock_paginate import Client

    client = Client(region_name="us-east-1", endpoint_url=endpoint)

    def run() -> int:
        pages = client.get_paginator(OPERATION).paginate(PaginationConfig={"PageSize": page_size})
        return sum(len(page.invocation_job_summaries) for page in pages)

    return run


def _boto3(endpoint: str, page_size: int) -> Callable[[], int]:
    import boto3  # type: ignore[import-not-found,import-untyped,unused-ignore]

    client = boto3.client("bedrock", endpoint_url=endpoint, region_name="us-east-1")

    def run() -> int:
        pages = client.get_paginator(OPERATION).paginate(PaginationConfig={"PageSize": page_size})
        return sum(len(page["invocationJobSummaries"]) for page in pages)

    return run


def _floor(endpoint: str, page_size: int) -> Callable[[], int]:
    import httpx

    http = httpx.Client()

    def run() -> int:
        jobs, token = 0, None
        while True:
            params: dict[str, str | int] = {"maxResults": page_size}
            if token:
                params["nextToken"] = token
            page = json.loads(http.get(endpoint + "/model-invocation-jobs", params=params).content)
            jobs += len(page["invocationJobSummaries"])
            token = page.get("nextToken")
            if not token:
                return jobs

    return run


CLIENTS: dict[str, Callable[[str, int], Callable[[], int]]] = {
    "ours": _ours,
    "boto3": _boto3,
    "floor": _floor,
}


def _where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    path = Path(filename)
    parts = path.parts
    for anchor in ("site-packages", "lib"):
        if anchor in parts:
            idx = len(parts) - 1 - parts[::-1].index(anchor)
            filename = "/".join(parts[idx + 1 :])
            break
    return f"{filename}:{line}:{name}" if line else name


def _rows(stats: Any, key: str, top: int, total: float) -> list[dict[str, Any]]:
    entries = stats.stats.items()
    index = 2 if key == "tottime" else 3
    ranked = sorted(entries, key=lambda item: item[1][index], reverse=True)[:top]
    return [
        {
            "function": _where(func),
            "calls": data[1],
            "tottime_s": round(data[2], 4),
            "cumtime_s": round(data[3], 4),
            "share": round(data[index] / total, 4) if total else 0.0,
        }
        for func, data in ranked
    ]


def main(argv: list[str]) -> None:
    """Profile the chosen client's listing and print JSON."""
    name, endpoint, page_size = argv[0], argv[1], int(argv[2])
    top = int(argv[3]) if len(argv) > 3 else 25
    run = CLIENTS[name](endpoint, page_size)
    run()  # warm: connections, lazy imports, caches
    profiler = cProfile.Profile(time.process_time)  # CPU time: waits on the server don't count
    jobs = profiler.runcall(run)
    stats = pstats.Stats(profiler)
    total = float(stats.total_tt)  # type: ignore[attr-defined]
    result = {
        "client": name,
        "page_size": page_size,
        "jobs": jobs,
        "profiled_total_s": round(total, 4),
        "by_own_time": _rows(stats, "tottime", top, total),
        "by_cumulative_time": _rows(stats, "cumtime", top, total),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
