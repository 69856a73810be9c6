"""Benchmark: SigV4 signing cost per request, bedrock-paginate vs botocore, in one process.

Signs the same GET (a second-page URL with a long ``nextToken``) with
``bedrock_paginate.sign_request`` and with botocore's ``SigV4Auth.add_auth`` (on a request made
once, and on a fresh ``AWSRequest`` per call), using ``timeit``; prints JSON of the median
microseconds per request over ``REPEATS`` timings of each.
"""

from __future__ import annotations

import json
import statistics
import timeit
from collections.abc import Callable

from botocore.auth import SigV4Auth  # type: ignore[import-not-found,import-untyped,unused-ignore]
from botocore.awsrequest import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
    AWSRequest,
)
from botocore.credentials import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
    Credentials,
)

from bedrock_paginate import sign_request

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "eyJzIjoiQ3JlYXRpb25UaW1lIiwibyI6IkRlc2NlbmRpbmciLCJrIjpbMTcyOTc1OTYwMDAwMDAwMCwiYXJuOmF3czpiZWRyb2NrIl19%2B%2F%3D"  # noqa: E501
URL = f"https://bedrock.us-east-1.amazonaws.com/model-invocation-jobs?maxResults=100&nextToken={TOKEN}"
HEADERS = {"Accept": "application/json"}
REPEATS = 9


def ours() -> None:
    """One signature by this library (the clock is read, the signing key comes from cache)."""
    sign_request(
        "GET",
        URL,
        HEADERS,
        b"",
        region="us-east-1",
        service="bedrock",
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
    )


_AUTH = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "bedrock", "us-east-1")
_REQUEST = AWSRequest(method="GET", url=URL, headers=dict(HEADERS))


def botocore_add_auth() -> None:
    """botocore's ``add_auth`` on one request reused (it replaces its own headers each time)."""
    _AUTH.add_auth(_REQUEST)


def botocore_fresh_request() -> None:
    """botocore's ``add_auth`` on a fresh ``AWSRequest`` each time, as a client does."""
    _AUTH.add_auth(AWSRequest(method="GET", url=URL, headers=dict(HEADERS)))


def per_call_us(fn: Callable[[], None]) -> list[float]:
    """Microseconds per call, for each of ``REPEATS`` timings."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return [t / number * 1e6 for t in timer.repeat(REPEATS, number)]


def main() -> None:
    """Time the three variants, interleaved, and print JSON."""
    variants = {
        "ours": ours,
        "botocore": botocore_add_auth,
        "botocore_fresh_request": botocore_fresh_request,
    }
    runs: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(2):  # two interleaved rounds, so drift affects all variants alike
        for name, fn in variants.items():
            runs[name].extend(per_call_us(fn))
    print(
        json.dumps({name: {"median": statistics.median(v), "runs": v} for name, v in runs.items()})
    )


if __name__ == "__main__":
    main()
