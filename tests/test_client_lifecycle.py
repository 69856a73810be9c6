"""Client lifecycle: use after close, and an async client reused across event loops."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from bedrock_paginate import AsyncClient, Client, ClientClosedError
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, generate_jobs

KEYS: dict[str, Any] = {
    "region_name": "us-east-1",
    "aws_access_key_id": "AKIDEXAMPLE",
    "aws_secret_access_key": "FAKElifecycleSECRET",
    "environ": {},
}


@pytest.fixture
def server() -> Iterator[FakeBedrockServer]:
    """A loopback fake with five jobs."""
    with FakeBedrockServer(FakeBedrock(jobs=generate_jobs(5))) as running:
        yield running


def test_sync_client_used_after_close_says_so(server: FakeBedrockServer) -> None:
    """A closed Client raises ClientClosedError (a library error), not httpx's RuntimeError."""
    with Client(endpoint_url=server.url, **KEYS) as client:
        assert len(client.list_model_invocation_jobs()) == 5
    with pytest.raises(ClientClosedError, match="was closed"):
        client.list_model_invocation_jobs()
    with pytest.raises(ClientClosedError):
        list(client.get_paginator("list_model_invocation_jobs").paginate())


def test_async_client_used_after_close_says_so(server: FakeBedrockServer) -> None:
    """A closed AsyncClient raises ClientClosedError too."""

    async def main() -> None:
        async with AsyncClient(endpoint_url=server.url, **KEYS) as client:
            assert len(await client.list_model_invocation_jobs()) == 5
        with pytest.raises(ClientClosedError, match="AsyncClient was closed"):
            await client.list_model_invocation_jobs()

    asyncio.run(main())


def test_async_client_in_another_event_loop_says_what_to_do(server: FakeBedrockServer) -> None:
    """An AsyncClient whose connections live in one event loop, used from a second one, raises
    a ClientClosedError explaining the fix (not httpx's "Event loop is closed")."""
    client = AsyncClient(endpoint_url=server.url, **KEYS)

    async def invocation() -> int:
        return len(await client.list_model_invocation_jobs())

    async def close() -> None:
        await client.close()

    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(invocation()) == 5
        with pytest.raises(ClientClosedError, match="create the AsyncClient inside the loop"):
            asyncio.run(invocation())
    finally:
        loop.run_until_complete(close())
        loop.close()


def test_async_client_with_its_own_transport_may_change_loops() -> None:
    """With a transport that holds no connections (the in-process fake), loops may change."""
    fake = FakeBedrock(jobs=generate_jobs(4))
    client = AsyncClient(transport=fake.transport(), **KEYS)

    async def invocation() -> int:
        return len(await client.list_model_invocation_jobs())

    assert [asyncio.run(invocation()) for _ in range(2)] == [4, 4]
