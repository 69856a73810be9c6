"""The async client never blocks its event loop on loading credentials."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bedrock_paginate import AsyncClient
from bedrock_paginate._credentials import CredentialResolver, Credentials
from bedrock_paginate.testing import FakeBedrock, generate_jobs

#: A credential_process that answers only once another task on the event loop has written the
#: file named by its first argument (and fails after 20 s): it can succeed only if loading
#: credentials leaves the loop free.
WAITING_PROCESS = """
import json, os, sys, time
deadline = time.monotonic() + 20
while not os.path.exists(sys.argv[1]):
    if time.monotonic() > deadline:
        sys.exit("the event loop stayed blocked while credential_process ran")
    time.sleep(0.01)
print(json.dumps({"Version": 1, "AccessKeyId": "AKIDEXAMPLE",
                  "SecretAccessKey": "FAKEslowPROCESSsecret", "SessionToken": "FAKEslowTOKEN"}))
"""


def test_needs_io_until_loaded_then_not_for_static_keys() -> None:
    """A resolver needs I/O before its first load; static keys never need it again."""
    creds = Credentials(access_key="AKIDEXAMPLE", secret_key="FAKEstaticSECRET")
    resolver = CredentialResolver.from_credentials(creds)
    assert resolver.needs_io()
    resolver.get()
    assert not resolver.needs_io()


def test_needs_io_again_inside_the_refresh_window() -> None:
    """Refreshable credentials close to expiry need I/O again."""
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    soon = Credentials(
        access_key="AKIDEXAMPLE",
        secret_key="FAKEsoonSECRET",
        token="FAKEsoonTOKEN",
        expiration=now + timedelta(minutes=5),
        source="credential_process",
    )
    from bedrock_paginate._credentials import Found

    resolver = CredentialResolver(
        lambda: Found(credentials=soon, refresh=lambda: soon), now=lambda: now
    )
    resolver.get()
    assert resolver.needs_io()


def test_slow_credential_process_does_not_block_other_tasks(tmp_path: Path) -> None:
    """While credential_process runs, other tasks on the loop keep running: the process waits
    for a file that only another task writes, so it answers only if the loop is free (no
    wall-clock assertion: a blocked loop makes the process fail)."""
    script = tmp_path / "creds.py"
    script.write_text(WAITING_PROCESS)
    flag = tmp_path / "loop-ran"
    config = tmp_path / "config"
    config.write_text(
        f'[profile slow]\ncredential_process = "{sys.executable}" "{script}" "{flag}"\n'
    )
    environ = {
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    fake = FakeBedrock(jobs=generate_jobs(3))

    async def release() -> None:
        await asyncio.sleep(0.05)  # let the client start the process first
        flag.write_text("the loop ran")

    async def main() -> int:
        async with AsyncClient(
            transport=fake.transport(),
            region_name="us-east-1",
            profile_name="slow",
            environ=environ,
        ) as client:
            task = asyncio.create_task(release())
            page = await client.list_model_invocation_jobs()
            await task
        return len(page.invocation_job_summaries)

    assert asyncio.run(main()) == 3


def _counting_resolver() -> tuple[CredentialResolver, list[int]]:
    from bedrock_paginate._credentials import Found

    runs: list[int] = []

    def fresh() -> Credentials:
        runs.append(1)
        return Credentials(
            access_key="AKIDEXAMPLE",
            secret_key=f"FAKErefreshedSECRET{len(runs)}",
            token=f"FAKEtoken{len(runs)}",
            source="credential_process",
        )

    return CredentialResolver(lambda: Found(credentials=fresh(), refresh=fresh)), runs


def test_mark_expired_defers_the_refresh_to_the_next_get() -> None:
    """mark_expired does no I/O; the next get() refreshes, once."""
    resolver, runs = _counting_resolver()
    first = resolver.get()
    resolver.mark_expired(first)
    assert runs == [1]
    assert resolver.needs_io()
    second = resolver.get()
    assert second != first
    assert resolver.get() == second
    assert runs == [1, 1]
    assert not resolver.needs_io()


def test_mark_expired_with_already_replaced_credentials_does_nothing() -> None:
    """A caller reporting credentials another caller already replaced causes no refresh."""
    resolver, runs = _counting_resolver()
    first = resolver.get()
    resolver.mark_expired(first)
    second = resolver.get()
    resolver.mark_expired(first)  # late report about the old credentials
    assert resolver.get() == second
    assert runs == [1, 1]
