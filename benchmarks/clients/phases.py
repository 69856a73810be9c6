"""Benchmark client: where the cold start goes, phase by phase (run in a fresh process).

``phases.py ours|boto3 ENDPOINT``: times, inside the process, the import of the client library,
the creation of the client, and the first page (PageSize 100), and prints them as JSON
(milliseconds). Interpreter start-up is what remains of the cold start measured from outside.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def ours(endpoint: str) -> dict[str, float]:
    """Phases of bedrock-paginate's Python API."""
    t0 = time.perf_counter()
    from bedrock_paginate import Client

    t1 = time.perf_counter()
    client = Client(region_name="us-east-1", endpoint_url=endpoint)
    t2 = time.perf_counter()
    pages = client.get_paginator("list_model_invocation_jobs")
    next(iter(pages.paginate(PaginationConfig={"PageSize": 100})))
    t3 = time.perf_counter()
    return {
        "import_ms": (t1 - t0) * 1e3,
        "client_ms": (t2 - t1) * 1e3,
        "first_page_ms": (t3 - t2) * 1e3,
    }


def boto(endpoint: str) -> dict[str, float]:
    """Phases of boto3."""
    t0 = time.perf_counter()
    import boto3  # type: ignore[import-not-found,import-untyped,unused-ignore]

    t1 = time.perf_counter()
    client: Any = boto3.client("bedrock", endpoint_url=endpoint, region_name="us-east-1")
    t2 = time.perf_counter()
    pages = client.get_paginator("list_model_invocation_jobs")
    next(iter(pages.paginate(PaginationConfig={"PageSize": 100})))
    t3 = time.perf_counter()
    return {
        "import_ms": (t1 - t0) * 1e3,
        "client_ms": (t2 - t1) * 1e3,
        "first_page_ms": (t3 - t2) * 1e3,
    }


if __name__ == "__main__":
    which, url = sys.argv[1], sys.argv[2]
    print(json.dumps((ours if which == "ours" else boto)(url)), flush=True)
