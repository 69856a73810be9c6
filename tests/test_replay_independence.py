"""Replay depends on nothing local: no sleeping through recorded retries, no AWS config."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bedrock_paginate import AsyncClient, Client

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
THROTTLED = FIXTURES / "error-throttling-then-success.json"


def _no_sleeping(seconds: float) -> None:
    raise AssertionError(f"replay slept {seconds} s")


def test_replaying_recorded_throttles_does_not_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two recorded 429s are retried at once when replayed (time.sleep is never called)."""
    monkeypatch.setattr(time, "sleep", _no_sleeping)
    with Client(replay_from=THROTTLED, environ={}) as client:
        page = client.list_model_invocation_jobs()
    assert page.response_metadata is not None
    assert page.response_metadata.retry_attempts == 2


def test_async_replay_does_not_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """The async client replays the same retries without asyncio.sleep."""

    async def no_sleep(seconds: float) -> None:
        raise AssertionError(f"replay slept {seconds} s")

    monkeypatch.setattr(asyncio, "sleep", no_sleep)

    async def main() -> int:
        async with AsyncClient(replay_from=THROTTLED, environ={}) as client:
            page = await client.list_model_invocation_jobs()
        assert page.response_metadata is not None
        return page.response_metadata.retry_attempts

    assert asyncio.run(main()) == 2


def test_an_injected_sleep_is_still_used_in_replay() -> None:
    """A sleep passed explicitly wins, so tests can observe the backoff a replay would do."""
    slept: list[float] = []
    with Client(replay_from=THROTTLED, environ={}, sleep=slept.append) as client:
        client.list_model_invocation_jobs()
    assert len(slept) == 2


def test_a_malformed_local_config_file_does_not_block_replay(tmp_path: Path) -> None:
    """Replay needs no configuration: a broken ~/.aws/config is ignored, not fatal."""
    broken = tmp_path / "config"
    broken.write_text("[profile broken\nregion = us-east-1\n")
    environ = {
        "AWS_CONFIG_FILE": str(broken),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "missing"),
    }
    fixture = FIXTURES / "list-multi-page.json"
    with Client(replay_from=fixture, environ=environ) as client:
        jobs = list(client.get_paginator("list_model_invocation_jobs").paginate().jobs())
    assert len(jobs) == 10
