"""Benchmark helper: serve several "regions", each a fake Bedrock answering with a fixed latency.

``fake_regions.py COUNT JOBS LATENCY_S``: starts COUNT ``FakeBedrockServer`` instances on
loopback, each with JOBS generated jobs of its own region and a ``Fault.slow(LATENCY_S)``
injected on every request (the wait happens before the status line, so it is a real
response latency). Prints one line, ``REGION=URL ...``, then serves until stdin closes.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack

from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, Fault, generate_jobs

REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "ap-northeast-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "sa-east-1",
    "ap-south-1",
)


def main(argv: list[str]) -> None:
    """Start the servers, print their URLs, and serve until stdin is closed."""
    count, jobs, latency = int(argv[0]), int(argv[1]), float(argv[2])
    with ExitStack() as stack:
        urls = []
        for region in REGIONS[:count]:
            fake = FakeBedrock(jobs=generate_jobs(jobs, region=region), region=region)
            fake.inject(Fault.slow(latency), times=None)
            server = stack.enter_context(FakeBedrockServer(fake))
            urls.append(f"{region}={server.url}")
        print(" ".join(urls), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main(sys.argv[1:])
