"""Helpers shared by the client test modules: one listing through either shell
(:func:`listing`), a counting credential_process profile, a fake that refuses revoked
session tokens, and an example Lambda handler imported against a served fake
(:func:`lambda_example`)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import socket
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from bedrock_paginate import AsyncClient, BedrockPaginateError, Client, Page, PaginationOptions
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, FakeResponse

if TYPE_CHECKING:
    from typing_extensions import Unpack

REGION = "us-east-1"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def closed_url() -> str:
    """``http://127.0.0.1:<port>`` of a :func:`closed_port`."""
    return f"http://127.0.0.1:{closed_port()}"


def _no_sleep(seconds: float) -> None:
    """Tests never wait out a backoff."""


def client_options(endpoint_url: str | None, /, **overrides: Any) -> dict[str, Any]:
    """Arguments for a test client: region us-east-1, the example keys, an empty environment
    (no local AWS configuration leaks in), no sleeping; ``overrides`` win."""
    return {
        "region_name": REGION,
        "endpoint_url": endpoint_url,
        "environ": {},
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET_KEY,
        "sleep": _no_sleep,
        **overrides,
    }


#: The two shells, for ``@pytest.mark.parametrize("shell", SHELLS)``.
SHELLS = ("sync", "async")
OP = "list_model_invocation_jobs"


@attrs.define
class Listing:
    """What one listing produced: its pages, then the error that stopped it or, when it ended,
    its resume token."""

    pages: list[Page] = attrs.field(factory=list)
    error: BedrockPaginateError | None = None
    resume_token: str | None = None

    @property
    def arns(self) -> list[str]:
        """The ARNs of every job returned, in order."""
        return [job.job_arn for page in self.pages for job in page]


def list_sync(options: Mapping[str, Any], config: PaginationOptions | None = None) -> Listing:
    """Page through with a fresh :class:`Client` made of ``options``; the library's error is
    kept in the result, never raised."""
    found = Listing()
    with Client(**options) as client:
        pages = client.get_paginator(OP).paginate(PaginationConfig=config)
        try:
            for page in pages:
                found.pages.append(page)
        except BedrockPaginateError as exc:
            found.error = exc
        else:
            found.resume_token = pages.resume_token
    return found


async def list_async(
    options: Mapping[str, Any], config: PaginationOptions | None = None
) -> Listing:
    """:func:`list_sync` with a fresh :class:`AsyncClient`."""
    found = Listing()
    async with AsyncClient(**options) as client:
        pages = client.get_paginator(OP).paginate(PaginationConfig=config)
        try:
            async for page in pages:
                found.pages.append(page)
        except BedrockPaginateError as exc:
            found.error = exc
        else:
            found.resume_token = pages.resume_token
    return found


def listing(shell: str, options: Mapping[str, Any], **config: Unpack[PaginationOptions]) -> Listing:
    """One listing with a fresh client of ``shell`` (``"sync"`` or ``"async"``)."""
    if shell == "sync":
        return list_sync(options, config)
    return asyncio.run(list_async(options, config))


#: A credential_process that counts its runs in the file named by its argument and hands out
#: session token FAKETOKEN<n> on run n (valid for an hour).
CREDENTIAL_SCRIPT = """
import json, sys
from datetime import datetime, timedelta, timezone
counter = sys.argv[1]
try:
    n = int(open(counter).read()) + 1
except FileNotFoundError:
    n = 1
open(counter, "w").write(str(n))
expires = datetime.now(timezone.utc) + timedelta(hours=1)
print(json.dumps({
    "Version": 1,
    "AccessKeyId": "AKIDEXAMPLE",
    "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "SessionToken": f"FAKETOKEN{n}",
    "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
}))
"""


def counting_process_profile(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose profile ``tmp`` runs :data:`CREDENTIAL_SCRIPT`, and its counter."""
    script = tmp_path / "creds.py"
    script.write_text(CREDENTIAL_SCRIPT)
    counter = tmp_path / "runs.txt"
    config = tmp_path / "config"
    config.write_text(
        f'[profile tmp]\ncredential_process = "{sys.executable}" "{script}" "{counter}"\n'
    )
    environ = {
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "HOME": str(tmp_path),
    }
    return environ, counter


def process_runs(counter: Path) -> int:
    """How many times the counting credential_process ran."""
    return int(counter.read_text()) if counter.exists() else 0


@attrs.define(kw_only=True)
class TokenFake(FakeBedrock):
    """A fake that answers 403 ExpiredTokenException to revoked session tokens, and records the
    session token and the status of every answer."""

    revoked: set[str] = attrs.field(factory=set)
    tokens: list[str | None] = attrs.field(factory=list)
    statuses: list[int] = attrs.field(factory=list)

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> FakeResponse:
        token = {k.lower(): v for k, v in headers.items()}.get("x-amz-security-token")
        self.tokens.append(token)
        response = super().handle(method, path, query, headers, body)
        if token in self.revoked:
            response = FakeResponse(
                status=403,
                headers={
                    "x-amzn-ErrorType": "ExpiredTokenException",
                    "x-amzn-RequestId": "expired",
                    "Content-Type": "application/json",
                },
                body=b'{"message":"The security token included in the request is expired"}',
            )
        self.statuses.append(response.status)
        return response


@contextlib.contextmanager
def lambda_example(
    example: Path, fake: FakeBedrock, aws_dir: Path
) -> Iterator[tuple[ModuleType, FakeBedrockServer]]:
    """Serve ``fake`` and import the example handler module at ``example`` with a Lambda-like
    environment pointing at it (the example keys, no profile, token or local AWS files: those
    would be ``aws_dir/missing``); close the module's ``CLIENT`` afterwards."""
    nowhere = str(aws_dir / "missing")
    with FakeBedrockServer(fake) as server, pytest.MonkeyPatch.context() as mp:
        for name, value in {
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_ENDPOINT_URL_BEDROCK": server.url,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": nowhere,
            "AWS_SHARED_CREDENTIALS_FILE": nowhere,
        }.items():
            mp.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK"):
            mp.delenv(name, raising=False)
        spec = importlib.util.spec_from_file_location(example.stem + "_example", example)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        try:
            yield module, server
        finally:
            module.CLIENT.close()


def isolated_aws_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, secret: str, region: str | None
) -> None:
    """The CLI tests' environment: no AWS_* variable from the machine, HOME and the shared
    files in ``tmp_path``, example keys with ``secret``, one attempt per call, no IMDS."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    if region is not None:
        monkeypatch.setenv("AWS_REGION", region)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
