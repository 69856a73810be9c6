"""Cross-check IAM Identity Center (SSO) and ``aws login`` resolution against botocore itself.

Run in an environment that has botocore and this library with its ``[login]`` extra (the
benchmark venv plus ``pip install 'botocore[crt]' cryptography``; botocore needs ``awscrt``
for ``aws login``, and those cases are skipped without it)::

    benchmarks/.venv/bin/python benchmarks/crosscheck_sso_login.py

For every case, two identical worlds are built (a private HOME with the same config, a fresh
FakeSSO / FakeSignin with the same cache written by them); botocore resolves one,
bedrock-paginate the other. They agree when both fail, or both succeed with the same method, the
credentials their fake handed out, the same calls to the fakes and the same cache keys
afterwards. botocore is never a dependency of the library: only this script imports it. Prints
one line per case and exits 1 on any disagreement.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bedrock_paginate.testing import FakeSignin, FakeSSO, LoopbackServer

START_URL = "https://corp.awsapps.com/start"
ACCOUNT, ROLE = "111122223333", "Reader"
LOGIN_SESSION = "arn:aws:sts::111122223333:assumed-role/Admin/alice"
SESSION = f"""[profile dev]
sso_session = corp
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
region = us-east-1
[sso-session corp]
sso_start_url = {START_URL}
sso_region = us-east-1
"""
LEGACY = f"""[profile dev]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_account_id = {ACCOUNT}
sso_role_name = {ROLE}
region = us-east-1
"""
LOGIN = f"[profile dev]\nlogin_session = {LOGIN_SESSION}\nregion = us-east-1\n"
KEYS = "[dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s3cr3tEXAMPLE\n"


class World:
    def __init__(self, home: Path, sso: FakeSSO, signin: FakeSignin, urls: dict[str, str]):
        self.home, self.sso, self.signin, self.urls = home, sso, signin, urls

    def environ(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "AWS_CONFIG_FILE": str(self.home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.home / "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_DEFAULT_REGION": "us-east-1",
            **self.urls,
        }

    def sso_login(
        self, *, legacy: bool = False, minutes: int = 60, refreshable: bool = True
    ) -> str:
        return self.sso.sso_login(
            str(self.home),
            start_url=START_URL,
            region="us-east-1",
            session_name=None if legacy else "corp",
            lifetime=timedelta(minutes=minutes),
            refreshable=refreshable,
        )

    def aws_login(self, minutes: int = 15) -> str:
        cache = self.home / ".aws" / "login" / "cache"
        return self.signin.aws_login(
            str(cache), session=LOGIN_SESSION, lifetime=timedelta(minutes=minutes)
        )


def _revoke_refresh(world: World, path: str, fake: Any) -> None:
    fake.revoke(json.loads(Path(path).read_text())["refreshToken"])


CASES: list[tuple[str, str, str, Callable[[World], Any]]] = [
    ("sso-session, valid token", SESSION, "", lambda w: w.sso_login()),
    ("legacy, valid token", LEGACY, "", lambda w: w.sso_login(legacy=True, refreshable=False)),
    ("sso-session, expired token refreshed", SESSION, "", lambda w: w.sso_login(minutes=-1)),
    ("sso-session, token in refresh window", SESSION, "", lambda w: w.sso_login(minutes=10)),
    (
        "sso-session, expired, no refresh token",
        SESSION,
        "",
        lambda w: w.sso_login(minutes=-1, refreshable=False),
    ),
    (
        "sso-session, expired, refresh refused",
        SESSION,
        "",
        lambda w: _revoke_refresh(w, w.sso_login(minutes=-1), w.sso),
    ),
    ("legacy, expired token", LEGACY, "", lambda w: w.sso_login(legacy=True, minutes=-1)),
    (
        "portal 401 (token revoked)",
        SESSION,
        "",
        lambda w: w.sso.revoke(json.loads(Path(w.sso_login()).read_text())["accessToken"]),
    ),
    ("no token cache", SESSION, "", lambda w: None),
    ("missing sso_region", LEGACY.replace("sso_region = us-east-1\n", ""), "", lambda w: None),
    (
        "unknown sso-session",
        SESSION.replace("[sso-session corp]", "[sso-session x]"),
        "",
        lambda w: None,
    ),
    ("sso before credentials file", SESSION, KEYS, lambda w: w.sso_login()),
    ("login, valid", LOGIN, "", lambda w: w.aws_login()),
    ("login, expired, refreshed (DPoP)", LOGIN, "", lambda w: w.aws_login(minutes=-1)),
    (
        "login, expired, TOKEN_EXPIRED",
        LOGIN,
        "",
        lambda w: _revoke_refresh(w, w.aws_login(minutes=-1), w.signin),
    ),
    ("login, no cache", LOGIN, "", lambda w: None),
    ("credentials file before login", LOGIN, KEYS, lambda w: w.aws_login()),
    (
        "login before credential_process",
        LOGIN + "credential_process = /bin/false\n",
        "",
        lambda w: w.aws_login(),
    ),
]


def _cache_keys(home: Path) -> list[list[str]]:
    found = []
    for path in sorted((home / ".aws").rglob("*.json")):
        data = json.loads(path.read_text())
        access = data.get("accessToken")
        found.append(sorted(data) + (sorted(access) if isinstance(access, dict) else []))
    return found


def _summary(
    world: World, creds: Any, method: str | None, error: BaseException | None
) -> dict[str, Any]:
    if error is not None:
        return {"result": "error", "detail": f"{type(error).__name__}: {error}"[:160]}
    issued = world.sso.session_tokens + world.signin.session_tokens
    return {
        "result": "credentials",
        "method": method,
        "access_key_from": "sso"
        if creds[0] == world.sso.access_key
        else ("signin" if creds[0] == world.signin.access_key else creds[0]),
        "token_is_latest_issued": bool(issued) and creds[1] == issued[-1],
        "calls": (
            world.sso.call_count("GetRoleCredentials"),
            world.sso.call_count("CreateToken"),
            world.signin.call_count(),
        ),
        "cache_keys": _cache_keys(world.home),
    }


def _botocore(world: World) -> dict[str, Any]:
    import botocore.session  # type: ignore[import-not-found]

    os.environ.clear()
    os.environ.update(world.environ())
    try:
        session = botocore.session.Session(profile="dev")
        credentials = session.get_credentials()
        if credentials is None:
            raise RuntimeError("no credentials")
        frozen = credentials.get_frozen_credentials()
        return _summary(world, (frozen.access_key, frozen.token), credentials.method, None)
    except Exception as exc:
        return _summary(world, None, None, exc)


def _ours(world: World) -> dict[str, Any]:
    from bedrock_paginate._credentials import ChainOptions, CredentialResolver
    from bedrock_paginate._profiles import SharedFiles

    environ = world.environ()
    options = ChainOptions(
        environ=environ,
        files=SharedFiles.from_environ(environ),
        profile_name="dev",
        profile_from_code=True,
    )
    try:
        creds = CredentialResolver.from_chain(options).get()
        return _summary(world, (creds.access_key, creds.token), creds.source, None)
    except Exception as exc:
        return _summary(world, None, None, exc)


def _world(home: Path, servers: list[LoopbackServer]) -> World:
    now = lambda: datetime.now(timezone.utc)  # noqa: E731 - botocore reads the real clock
    sso, signin = FakeSSO(now=now), FakeSignin(now=now)
    sso.add_role(ACCOUNT, ROLE)
    sso_server, signin_server = LoopbackServer(sso).start(), LoopbackServer(signin).start()
    servers += [sso_server, signin_server]
    urls = {
        "AWS_ENDPOINT_URL_SSO": sso_server.url,
        "AWS_ENDPOINT_URL_SSO_OIDC": sso_server.url,
        "AWS_ENDPOINT_URL_SIGNIN": signin_server.url,
    }
    return World(home, sso, signin, urls)


def _shared_role_cache(botocore_home: Path) -> bool:
    """Role credentials this library cached in ~/.aws/cli/cache (the CLI's cache) are found
    by botocore given the same directory as its SSO provider's cache: same key, same shape."""
    import botocore.session
    import botocore.utils  # type: ignore[import-not-found]

    from bedrock_paginate._credentials import ChainOptions, CredentialResolver
    from bedrock_paginate._credentials._role_cache import JSONFileCache
    from bedrock_paginate._profiles import SharedFiles

    shutil.rmtree(botocore_home, ignore_errors=True)
    botocore_home.mkdir(parents=True)
    (botocore_home / "config").write_text(SESSION)
    (botocore_home / "credentials").write_text("")
    servers: list[LoopbackServer] = []
    try:
        world = _world(botocore_home, servers)
        world.sso_login()
        environ = world.environ()
        cache_dir = botocore_home / ".aws" / "cli" / "cache"
        options = ChainOptions(
            environ=environ,
            files=SharedFiles.from_environ(environ),
            profile_name="dev",
            profile_from_code=True,
            role_cache=JSONFileCache(cache_dir),
        )
        ours = CredentialResolver.from_chain(options).get()
        os.environ.clear()
        os.environ.update(environ)
        session = botocore.session.Session(profile="dev")
        provider = session.get_component("credential_provider").get_provider("sso")
        provider.cache = botocore.utils.JSONFileCache(str(cache_dir))
        theirs = session.get_credentials().get_frozen_credentials()
        calls = world.sso.call_count("GetRoleCredentials")
    finally:
        for server in servers:
            server.close()
    same = theirs.token == ours.token and calls == 1
    print(f"{'agree' if same else 'DIFFER':6}  botocore reads our cached SSO role credentials")
    return same


def main() -> int:
    # botocore fixes its SSO cache directory (~/.aws/sso/cache) when it is imported, so its
    # worlds share one HOME, emptied before each case.
    base = Path(tempfile.mkdtemp(prefix="crosscheck-"))
    botocore_home = base / "botocore-home"
    os.environ["HOME"] = str(botocore_home)
    import botocore

    print(f"botocore {botocore.__version__}")
    try:
        import awscrt  # type: ignore[import-not-found]  # noqa: F401 (botocore's login needs it)

        cases = CASES
    except ImportError:
        cases = [case for case in CASES if "login" not in case[0]]
        print("awscrt is not installed: the aws login cases are skipped")
    disagreements = 0
    for index, (name, config, credentials, setup) in enumerate(cases):
        servers: list[LoopbackServer] = []
        try:
            shutil.rmtree(botocore_home, ignore_errors=True)
            ours_home = base / f"ours-{index}"
            outcomes = []
            for home, resolve in ((botocore_home, _botocore), (ours_home, _ours)):
                home.mkdir(parents=True)
                (home / "config").write_text(config)
                (home / "credentials").write_text(credentials)
                world = _world(home, servers)
                setup(world)
                outcomes.append(resolve(world))
        finally:
            for server in servers:
                server.close()
        theirs, ours = outcomes
        same = {k: v for k, v in theirs.items() if k != "detail"} == {
            k: v for k, v in ours.items() if k != "detail"
        }
        disagreements += not same
        print(f"{'agree' if same else 'DIFFER':6}  {name}")
        if not same or theirs["result"] == "error":
            print(f"        botocore: {theirs}\n        ours:     {ours}")
    disagreements += not _shared_role_cache(botocore_home)
    shutil.rmtree(base, ignore_errors=True)
    total = len(cases) + 1
    print(f"{total - disagreements}/{total} cases agree")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
