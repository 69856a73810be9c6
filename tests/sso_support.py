"""Shared set-up for the SSO and ``aws login`` tests: a private home, a config file, the fakes on
loopback and chain options whose clock is the fakes' clock."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bedrock_paginate._credentials import ChainOptions, CredentialResolver, Credentials
from bedrock_paginate._profiles import SharedFiles
from bedrock_paginate.testing import FakeSignin, FakeSSO, LoopbackServer

NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
START_URL = "https://corp.awsapps.com/start"
ACCOUNT = "111122223333"
ROLE = "Reader"
LOGIN_SESSION = "arn:aws:sts::111122223333:assumed-role/Admin/alice"

SESSION_CONFIG = f"""[profile dev]
sso_session = corp
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
region = us-east-1

[sso-session corp]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""

LEGACY_CONFIG = f"""[profile dev]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
"""

LOGIN_CONFIG = f"""[profile dev]
login_session = {LOGIN_SESSION}
region = us-east-1
"""


class Clock:
    """A settable clock shared by the fakes and the chain."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class World:
    """A private home with ``config`` and cache directories, FakeSSO and FakeSignin on loopback."""

    def __init__(
        self,
        home: Path,
        sso: FakeSSO,
        signin: FakeSignin,
        sso_url: str,
        signin_url: str,
        clock: Clock,
    ) -> None:
        self.home = home
        self.sso = sso
        self.signin = signin
        self.clock = clock
        self.sso_url = sso_url
        self.signin_url = signin_url
        self.login_cache = home / ".aws" / "login" / "cache"

    def environ(self, **extra: str) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "AWS_CONFIG_FILE": str(self.home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.home / "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_SSO": self.sso_url,
            "AWS_ENDPOINT_URL_SSO_OIDC": self.sso_url,
            "AWS_ENDPOINT_URL_SIGNIN": self.signin_url,
            **extra,
        }

    def options(
        self,
        config: str,
        *,
        credentials: str = "",
        profile: str = "dev",
        env: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> ChainOptions:
        (self.home / "config").write_text(config, encoding="utf-8")
        (self.home / "credentials").write_text(credentials, encoding="utf-8")
        environ = self.environ(**(env or {}))
        files = SharedFiles.from_environ(environ)
        return ChainOptions(
            environ=environ,
            files=files,
            profile_name=profile,
            now=self.clock,
            sleep=lambda seconds: None,
            **kwargs,
        )

    def load(self, options: ChainOptions) -> Credentials:
        return CredentialResolver.from_chain(options).get()


@contextlib.contextmanager
def running_world(home: Path) -> Iterator[World]:
    """A :class:`World` in ``home`` with FakeSSO (role ACCOUNT/ROLE) and FakeSignin serving."""
    clock = Clock()
    sso = FakeSSO(now=clock)
    sso.add_role(ACCOUNT, ROLE)
    signin = FakeSignin(now=clock)
    with LoopbackServer(sso) as sso_server, LoopbackServer(signin) as signin_server:
        yield World(home, sso, signin, sso_server.url, signin_server.url, clock)
        assert sso_server.errors == []
        assert signin_server.errors == []
