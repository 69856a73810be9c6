"""Assume-role and web identity profiles list jobs end to end: shared files in a temporary
directory, STS and Bedrock on loopback fakes, the Python API (sync and async) and the CLI.

The fake Bedrock accepts only the credentials the fake STS issued, so a listing that succeeds
was signed with the assumed role's credentials. Canary secrets (source keys, assumed keys and
session tokens, the web identity token, the MFA code) never appear in logs, errors or output.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import stat
import traceback
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import attrs
import pytest

from bedrock_paginate import AsyncClient, Client, StsError, cli
from bedrock_paginate._redact import MARKER
from bedrock_paginate.testing import (
    FakeBedrock,
    FakeBedrockServer,
    FakeSts,
    FakeStsServer,
    generate_jobs,
)

BASE_KEY = "AKIDEXAMPLEBASE00001"
BASE_SECRET = "FAKEBASESECRET/+canary0123456789abc"
WEB_TOKEN = "eyJFAKEWEBIDENTITYTOKEN.canary/+payload.sig0123456789"
MFA_CODE = "987123"
SERIAL = "arn:aws:iam::123456789012:mfa/alice"
ROLE = "arn:aws:iam::123456789012:role/"
CMD = "list-model-invocation-jobs"
OP = "list_model_invocation_jobs"

CONFIG = f"""[profile base]
region = us-east-1
[profile mid]
role_arn = {ROLE}mid
source_profile = base
[profile dev]
role_arn = {ROLE}dev
source_profile = mid
role_session_name = e2e
[profile mfa]
role_arn = {ROLE}mfa
source_profile = base
mfa_serial = {SERIAL}
[profile pod]
role_arn = {ROLE}pod
web_identity_token_file = TOKEN_FILE
"""


@attrs.define
class Stack:
    """The fakes, their servers' URLs and the environment pointing at them."""

    bedrock: FakeBedrock
    sts: FakeSts
    env: dict[str, str]
    home: Path

    def secrets(self) -> list[str]:
        """Every secret that must never show: source and issued ones, token, MFA code."""
        return [BASE_SECRET, WEB_TOKEN, MFA_CODE, *self.sts.issued.values()]


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    bedrock = FakeBedrock(jobs=generate_jobs(7, seed=3), check_sigv4=True)
    sts = FakeSts(
        credentials={BASE_KEY: BASE_SECRET},
        web_identity_tokens={WEB_TOKEN},
        mfa_codes={SERIAL: MFA_CODE},
        on_issue=bedrock.add_credentials,
    )
    token = tmp_path / "token"
    token.write_text(WEB_TOKEN)
    (tmp_path / "config").write_text(CONFIG.replace("TOKEN_FILE", str(token)))
    (tmp_path / "credentials").write_text(
        f"[base]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n"
    )
    with FakeBedrockServer(bedrock) as b, FakeStsServer(sts) as s:
        env = {
            "HOME": str(tmp_path),
            "AWS_CONFIG_FILE": str(tmp_path / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
            "AWS_ENDPOINT_URL_BEDROCK": b.url,
            "AWS_ENDPOINT_URL_STS": s.url,
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        for name in list(os.environ):
            if name.startswith("AWS_"):
                monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield Stack(bedrock=bedrock, sts=sts, env=env, home=tmp_path)
        assert b.errors == []
        assert s.errors == []


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}


def assert_clean(texts: list[str], secrets: list[str]) -> None:
    for secret in secrets:
        for form in _forms(secret):
            for text in texts:
                assert form not in text, f"a canary leaked: {text[:200]!r}"


def test_role_chain_lists_through_the_api_signed_with_the_assumed_role(stack: Stack) -> None:
    """A two-role chain: every job, and Bedrock only accepts the assumed credentials."""
    with Client(profile_name="dev", environ=stack.env) as client:
        jobs = list(client.get_paginator(OP).paginate().jobs())
        assert client.config.credentials is not None
        assert client.config.credentials.source == "assume-role"
    assert len(jobs) == 7
    mid, dev = stack.sts.calls
    assert (mid.role_arn, dev.role_arn, dev.session_name) == (ROLE + "mid", ROLE + "dev", "e2e")
    assert (mid.session_name or "").startswith("botocore-session-")
    assert BASE_KEY not in stack.bedrock.credentials  # only STS knows the source key
    assert all(r.status == 200 for r in stack.bedrock.requests)


def test_web_identity_lists_through_the_async_client(stack: Stack) -> None:
    """AsyncClient: the chain (and its STS call) runs in a worker thread."""

    async def main() -> int:
        async with AsyncClient(profile_name="pod", environ=stack.env) as client:
            return len([job async for job in client.get_paginator(OP).paginate().jobs()])

    assert asyncio.run(main()) == 7
    (call,) = stack.sts.calls
    assert (call.action, call.signed_by) == ("AssumeRoleWithWebIdentity", None)


def test_mfa_profile_through_the_api_with_a_prompt(stack: Stack) -> None:
    """Client(mfa_prompt=...) answers botocore's prompt; Bedrock accepts the role."""
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return MFA_CODE

    with Client(profile_name="mfa", environ=stack.env, mfa_prompt=prompt) as client:
        assert len(list(client.get_paginator(OP).paginate().jobs())) == 7
    assert asked == [f"Enter MFA code for {SERIAL}: "]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv), isatty=lambda: False)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_lists_with_a_role_chain_and_shares_the_aws_cli_cache(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI writes ~/.aws/cli/cache (0600) and a second run reuses it: no STS call."""
    code, out, _ = run_cli(capsys, CMD, "--profile", "dev")
    assert code == 0
    assert len(json.loads(out)["invocationJobSummaries"]) == 7
    cache = stack.home / ".aws" / "cli" / "cache"
    files = sorted(cache.iterdir())
    assert len(files) == 2  # one per role of the chain
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stack.sts.call_count() == 2
    code, out, _ = run_cli(capsys, CMD, "--profile", "dev")
    assert code == 0
    assert stack.sts.call_count() == 2


def test_cli_mfa_needs_a_terminal(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    """Without a terminal an MFA profile exits 253 before any STS call, saying why."""
    code, out, err = run_cli(capsys, CMD, "--profile", "mfa")
    assert code == 253
    assert out == ""
    assert f"'mfa' needs an MFA code (mfa_serial = {SERIAL})" in err
    assert stack.sts.calls == []


def test_cli_mfa_prompts_on_a_terminal(
    stack: Stack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal the CLI asks (getpass, as the AWS CLI) and lists."""
    import getpass

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    asked: list[str] = []

    def fake_getpass(prompt: str = "Password: ", stream: object = None) -> str:
        asked.append(prompt)
        return MFA_CODE

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    code, out, err = run_cli(capsys, CMD, "--profile", "mfa", "--output", "text")
    assert code == 0
    assert asked == [f"Enter MFA code for {SERIAL}: "]
    assert_clean([out, err], stack.secrets())


def test_cli_debug_names_the_source_and_no_secret(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    """--debug says assume-role / assume-role-with-web-identity; no canary anywhere."""
    for profile, method in (("dev", "assume-role"), ("pod", "assume-role-with-web-identity")):
        code, out, err = run_cli(capsys, "--debug", CMD, "--profile", profile)
        assert code == 0
        assert f"Credentials found: {method} (profile '{profile}')" in err
        assert_clean([out, err], stack.secrets())


def test_sts_errors_never_echo_secrets(
    stack: Stack, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """An STS error whose message echoes the web identity token (raw or URL-encoded) is
    scrubbed in the exception (str, repr, args, traceback), the logs and the CLI's stderr."""
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    stack.sts.fail("InvalidIdentityToken", f"token {WEB_TOKEN} rejected", status=400)
    with pytest.raises(StsError) as info:
        Client(profile_name="pod", environ=stack.env).config.credentials.get()  # type: ignore[union-attr]
    stack.sts.fail("AccessDenied", f"not for {quote(WEB_TOKEN, safe='')}")
    code, out, err = cli.main([CMD, "--profile", "pod"], isatty=lambda: False), *capsys.readouterr()
    assert code == 253
    error = info.value
    assert MARKER in error.message
    texts += [str(error), repr(error), repr(error.args), repr(vars(error))]
    texts += ["".join(traceback.format_exception(error)), out, err]
    formatter = logging.Formatter("%(name)s %(message)s")
    texts += [formatter.format(record) for record in caplog.records]
    assert_clean(texts, stack.secrets())


def test_reprs_of_assumed_credentials_hide_secrets(stack: Stack) -> None:
    """The client, its config, the resolver and the credentials show no secret."""
    client = Client(profile_name="dev", environ=stack.env)
    resolver = client.config.credentials
    assert resolver is not None
    creds = resolver.get()
    texts = [repr(client), repr(client.config), repr(resolver), repr(creds), str(creds)]
    assert_clean(texts, stack.secrets())
    assert "assume-role" in repr(resolver)
    client.close()


def test_cli_regions_assume_the_role_once(
    stack: Stack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--regions: the clients resolve concurrently, one assumes each role of the chain, the
    others take it from the shared cache."""
    stack.sts.check_sigv4 = False  # one fake answers for every region's STS endpoint
    anywhere = FakeBedrock(jobs=generate_jobs(4, seed=5))  # no SigV4 check: any region
    with FakeBedrockServer(anywhere) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", server.url)
        code, out, err = run_cli(
            capsys, CMD, "--profile", "dev", "--regions", "us-east-1,us-west-2,eu-west-1"
        )
    assert code == 0, err
    assert len(json.loads(out)["invocationJobSummaries"]) == 12
    assert stack.sts.call_count() == 2


def test_chain_options_repr_hides_the_environment(stack: Stack) -> None:
    """ChainOptions (which a traceback may show) never prints the environment's secrets."""
    from bedrock_paginate._credentials import ChainOptions
    from bedrock_paginate._profiles import SharedFiles

    options = ChainOptions(
        environ={"AWS_SECRET_ACCESS_KEY": BASE_SECRET, "AWS_WEB_IDENTITY_TOKEN_FILE": "/t"},
        files=SharedFiles.from_environ(stack.env),
        role_cache={"k": {"Credentials": {"SecretAccessKey": BASE_SECRET}}},
    )
    assert_clean([repr(options)], [BASE_SECRET])
