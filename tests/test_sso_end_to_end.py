"""End to end: with AWS_CONFIG_FILE, HOME (the SSO cache) and AWS_LOGIN_CACHE_DIRECTORY in a
temporary directory and every endpoint at a loopback fake, an SSO profile and an ``aws login``
profile list jobs through the sync client, the async client and the CLI, signed with the
credentials the fakes handed out (the fake Bedrock checks each SigV4 signature)."""

from __future__ import annotations

import asyncio
import io
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest

from bedrock_paginate import AsyncClient, Client, cli
from bedrock_paginate.testing import (
    FakeBedrockServer,
    FakeResponse,
    FakeSSO,
    LoopbackServer,
    generate_jobs,
)
from tests.sso_support import LOGIN_CONFIG, LOGIN_SESSION, SESSION_CONFIG, START_URL, World
from tests.sso_support import running_world as _running_world
from tests.support import TokenFake

OP = "list_model_invocation_jobs"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with _running_world(tmp_path) as running:
        running.clock.now = datetime.now(timezone.utc)  # the clients use the real clock
        yield running


def _bedrock(world: World) -> TokenFake:
    """A fake Bedrock checking SigV4 with the keys the fakes hand out, recording session tokens."""
    return TokenFake(
        jobs=generate_jobs(9, seed=3),
        default_page_size=4,
        check_sigv4=True,
        credentials={
            world.sso.access_key: world.sso.secret_key,
            world.signin.access_key: world.signin.secret_key,
        },
    )


def _sso_login(world: World, lifetime: timedelta | None = None) -> None:
    world.sso.sso_login(
        str(world.home),
        start_url=START_URL,
        region="us-east-1",
        session_name="corp",
        lifetime=lifetime,
    )


def _environ(world: World, bedrock_url: str) -> dict[str, str]:
    (world.home / "credentials").write_text("")
    return world.environ(AWS_ENDPOINT_URL_BEDROCK=bedrock_url, AWS_PROFILE="dev")


def _session_tokens(fake: TokenFake) -> set[str | None]:
    return set(fake.tokens)


@pytest.mark.parametrize("shell", ["sync", "async"])
@pytest.mark.parametrize("kind", ["sso", "login"])
def test_profiles_list_jobs_through_the_api(world: World, shell: str, kind: str) -> None:
    """The SSO / login profile's credentials sign every page; the fake verifies them."""
    if kind == "sso":
        (world.home / "config").write_text(SESSION_CONFIG)
        _sso_login(world, lifetime=timedelta(minutes=-1))  # needs a refresh first
    else:
        (world.home / "config").write_text(LOGIN_CONFIG)
        world.signin.aws_login(
            str(world.login_cache), session=LOGIN_SESSION, lifetime=timedelta(minutes=-1)
        )
    fake = _bedrock(world)
    with FakeBedrockServer(fake) as server:
        environ = _environ(world, server.url)
        if shell == "sync":
            with Client(environ=environ, region_name="us-east-1") as client:
                arns = [j.job_arn for j in client.get_paginator(OP).paginate().jobs()]
                source = client.config.credentials.source if client.config.credentials else None
        else:

            async def main() -> tuple[list[str], str | None]:
                async with AsyncClient(environ=environ, region_name="us-east-1") as client:
                    pages = client.get_paginator(OP).paginate()
                    found = [j.job_arn async for j in pages.jobs()]
                    creds = client.config.credentials
                    return found, creds.source if creds else None

            arns, source = asyncio.run(main())
    assert arns == [job["jobArn"] for job in fake.expected()]
    assert source == kind
    assert {r.status for r in fake.requests} == {200}
    issued = world.sso.session_tokens if kind == "sso" else world.signin.session_tokens
    assert _session_tokens(fake) == {issued[-1]}
    if kind == "sso":
        assert world.sso.call_count("CreateToken") == 1
        assert world.sso.call_count("GetRoleCredentials") == 1
    else:
        assert world.signin.call_count() == 1


def _run_cli(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], *argv: str
) -> tuple[int, str, str]:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = cli.main(["list-model-invocation-jobs", *argv])
    return code, out.getvalue(), err.getvalue()


def test_sso_profile_lists_jobs_through_the_cli(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``bedrock-paginate list-model-invocation-jobs --profile dev`` with an SSO profile."""
    (world.home / "config").write_text(SESSION_CONFIG)
    _sso_login(world)
    fake = _bedrock(world)
    with FakeBedrockServer(fake) as server:
        environ = _environ(world, server.url)
        del environ["AWS_PROFILE"]
        code, out, err = _run_cli(monkeypatch, environ, "--profile", "dev", "--output", "jsonl")
    assert (code, err) == (0, "")
    assert out.count('"jobArn"') == 9
    assert _session_tokens(fake) == {world.sso.session_tokens[-1]}


def test_cli_exits_253_telling_to_run_aws_sso_login(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An expired SSO session that cannot be refreshed: exit 253, the hint, no traceback."""
    (world.home / "config").write_text(SESSION_CONFIG)
    path = world.sso.sso_login(
        str(world.home),
        start_url=START_URL,
        region="us-east-1",
        session_name="corp",
        lifetime=timedelta(minutes=-1),
        refreshable=False,
    )
    fake = _bedrock(world)
    with FakeBedrockServer(fake) as server:
        code, out, err = _run_cli(monkeypatch, _environ(world, server.url))
    assert code == 253
    assert out == ""
    assert "aws sso login --profile dev" in err
    assert path in err
    assert "Traceback" not in err
    assert fake.requests == []


@attrs.define(kw_only=True)
class WaitingSSO(FakeSSO):
    """Answers GetRoleCredentials only once ``loop_ran`` is set (by a task on the client's
    event loop); after 10 s without it, answers 500 (the loop was blocked)."""

    loop_ran: threading.Event = attrs.field(factory=threading.Event)

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> FakeResponse:
        if path == "/federation/credentials" and not self.loop_ran.wait(10):
            return FakeResponse(status=500, body=b"the event loop never ran")
        return super().handle(method, path, query, headers, body)


def test_sso_loading_does_not_block_the_event_loop(world: World) -> None:
    """While the async client fetches SSO credentials, other tasks run: the portal answers
    only after one of them did (no wall-clock assertion: a blocked loop fails the call)."""
    waiting = WaitingSSO(now=world.clock)
    waiting.add_role("111122223333", "Reader")
    (world.home / "config").write_text(SESSION_CONFIG)
    waiting.sso_login(str(world.home), start_url=START_URL, region="us-east-1", session_name="corp")
    fake = TokenFake(
        jobs=generate_jobs(3, seed=1),
        check_sigv4=True,
        credentials={waiting.access_key: waiting.secret_key},
    )
    with LoopbackServer(waiting) as sso_server, FakeBedrockServer(fake) as server:
        environ = _environ(world, server.url)
        environ["AWS_ENDPOINT_URL_SSO"] = sso_server.url
        environ["AWS_MAX_ATTEMPTS"] = "1"

        async def main() -> list[str]:
            async def ticker() -> None:
                await asyncio.sleep(0)
                waiting.loop_ran.set()

            async with AsyncClient(environ=environ, region_name="us-east-1") as client:
                tick = asyncio.ensure_future(ticker())
                found = [j.job_arn async for j in client.get_paginator(OP).paginate().jobs()]
                await tick
                return found

        arns = asyncio.run(main())
    assert len(arns) == 3
    assert fake.tokens == [waiting.session_tokens[-1]]


def test_a_role_assumed_with_sso_credentials_lists_jobs(world: World) -> None:
    """role_arn + source_profile = an SSO profile: the SSO role credentials sign AssumeRole
    (FakeSts checks the signature), the assumed role signs the listing."""
    from bedrock_paginate.testing import FakeSts, FakeStsServer

    (world.home / "config").write_text(
        SESSION_CONFIG.replace("[profile dev]", "[profile sso]")
        + "\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Lister\n"
        "source_profile = sso\nregion = us-east-1\n"
    )
    _sso_login(world)
    bedrock = TokenFake(jobs=generate_jobs(4, seed=2), check_sigv4=True)
    sts = FakeSts(
        credentials={world.sso.access_key: world.sso.secret_key},
        on_issue=bedrock.add_credentials,
    )
    with FakeStsServer(sts) as sts_server, FakeBedrockServer(bedrock) as server:
        environ = _environ(world, server.url)
        environ["AWS_ENDPOINT_URL_STS"] = sts_server.url
        with Client(environ=environ, region_name="us-east-1") as client:
            arns = [j.job_arn for j in client.get_paginator(OP).paginate().jobs()]
            source = client.config.credentials.source if client.config.credentials else None
    assert len(arns) == 4
    assert source == "assume-role"
    assert [(c.action, c.signed_by, c.status) for c in sts.calls] == [
        ("AssumeRole", world.sso.access_key, 200)
    ]
    assert world.sso.call_count("GetRoleCredentials") == 1
    assert {r.status for r in bedrock.requests} == {200}


def test_a_second_cli_run_reuses_the_cached_role_credentials(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI keeps SSO role credentials in ~/.aws/cli/cache, as the AWS CLI does for roles:
    the next run lists without calling the portal."""
    (world.home / "config").write_text(SESSION_CONFIG)
    _sso_login(world)
    fake = _bedrock(world)
    with FakeBedrockServer(fake) as server:
        environ = _environ(world, server.url)
        first = _run_cli(monkeypatch, environ, "--output", "jsonl")
        second = _run_cli(monkeypatch, environ, "--output", "jsonl")
    assert (first[0], second[0]) == (0, 0)
    assert first[1] == second[1]
    assert world.sso.call_count("GetRoleCredentials") == 1
    assert any((world.home / ".aws" / "cli" / "cache").glob("*.json"))
