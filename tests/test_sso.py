"""IAM Identity Center (SSO) credentials in the default chain (bedrock_paginate._sso), against
FakeSSO on loopback: sso-session and legacy profiles, the token cache, refresh through
SSO-OIDC, the portal's answers, configuration errors, precedence and endpoints."""

from __future__ import annotations

import hashlib
import json
import os
import string
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bedrock_paginate._credentials import CredentialResolver, StsOptions
from bedrock_paginate._credentials._service_endpoints import service_endpoint
from bedrock_paginate.errors import ConfigError, CredentialRetrievalError, NoCredentialsError
from bedrock_paginate.testing import FakeResponse, FakeSSO, LoopbackServer
from tests.sso_support import (
    ACCOUNT,
    LEGACY_CONFIG,
    NOW,
    SESSION_CONFIG,
    START_URL,
    World,
    running_world,
)
from tests.support import closed_url


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with running_world(tmp_path) as running:
        yield running


SESSION_CACHE = hashlib.sha1(b"corp").hexdigest() + ".json"
LEGACY_CACHE = hashlib.sha1(START_URL.encode()).hexdigest() + ".json"


def _cache_dir(world: World) -> Path:
    return world.home / ".aws" / "sso" / "cache"


def _session_login(
    world: World,
    lifetime: timedelta | None = None,
    registration_lifetime: timedelta = timedelta(days=90),
) -> str:
    return world.sso.sso_login(
        str(world.home),
        start_url=START_URL,
        region="us-east-1",
        session_name="corp",
        lifetime=lifetime,
        registration_lifetime=registration_lifetime,
    )


def _legacy_login(world: World) -> str:
    return world.sso.sso_login(
        str(world.home), start_url=START_URL, region="us-east-1", refreshable=False
    )


def _write(world: World, name: str, text: str) -> None:
    _cache_dir(world).mkdir(parents=True, exist_ok=True)
    (_cache_dir(world) / name).write_text(text)


Setup = Callable[[World], object]


@attrs.frozen
class Case:
    """One row: the config, how the cache is prepared, and what must come out."""

    id: str
    config: str
    setup: Setup
    #: Substrings of the error message, or ``()`` for success.
    error: tuple[str, ...] = ()
    role_calls: int = 1
    token_calls: int = 0


def _nothing(world: World) -> None:
    return None


def _expired_session(world: World) -> None:
    _session_login(world, lifetime=timedelta(minutes=-1))


def _expiring_session(world: World) -> None:
    _session_login(world, lifetime=timedelta(minutes=14))


def _expired_without_refresh(world: World) -> None:
    path = _session_login(world, lifetime=timedelta(minutes=-1))
    data = json.loads(Path(path).read_text())
    del data["refreshToken"]
    Path(path).write_text(json.dumps(data))


def _expired_refresh_revoked(world: World) -> None:
    path = _session_login(world, lifetime=timedelta(minutes=-1))
    world.sso.revoke(json.loads(Path(path).read_text())["refreshToken"])


def _expired_registration(world: World) -> None:
    _session_login(world, lifetime=timedelta(minutes=-1), registration_lifetime=timedelta(days=-1))


def _token_revoked_at_server(world: World) -> None:
    path = _session_login(world)
    world.sso.revoke(json.loads(Path(path).read_text())["accessToken"])


def _legacy_expired_with_refresh_keys(world: World) -> None:
    world.sso.sso_login(
        str(world.home), start_url=START_URL, region="us-east-1", lifetime=timedelta(seconds=-5)
    )


CASES = [
    Case("sso-session valid token", SESSION_CONFIG, _session_login),
    Case("legacy valid token", LEGACY_CONFIG, _legacy_login),
    Case("sso-session expired token is refreshed", SESSION_CONFIG, _expired_session, token_calls=1),
    Case(
        "sso-session token inside the 15 min window is refreshed",
        SESSION_CONFIG,
        _expiring_session,
        token_calls=1,
    ),
    Case(
        "sso-session expired token without refresh token",
        SESSION_CONFIG,
        _expired_without_refresh,
        error=("has expired", "aws sso login --profile dev"),
        role_calls=0,
    ),
    Case(
        "sso-session expired token, refresh token refused",
        SESSION_CONFIG,
        _expired_refresh_revoked,
        error=("has expired", "could not be refreshed", "aws sso login --profile dev"),
        role_calls=0,
        token_calls=1,
    ),
    Case(
        "sso-session expired token, client registration expired",
        SESSION_CONFIG,
        _expired_registration,
        error=("aws sso login --profile dev",),
        role_calls=0,
    ),
    Case(
        "legacy expired token is never refreshed",
        LEGACY_CONFIG,
        _legacy_expired_with_refresh_keys,
        error=("legacy", "aws sso login --profile dev"),
        role_calls=0,
    ),
    Case(
        "portal answers 401",
        SESSION_CONFIG,
        _token_revoked_at_server,
        error=("expired or is otherwise invalid", "401", "aws sso login --profile dev"),
    ),
    Case(
        "role not assigned",
        SESSION_CONFIG.replace("sso_role_name = Reader", "sso_role_name = Admin"),
        _session_login,
        error=("refused role 'Admin'", ACCOUNT, "403", "ForbiddenException"),
    ),
    Case(
        "no cache file",
        SESSION_CONFIG,
        _nothing,
        error=("Token for corp does not exist", SESSION_CACHE, "aws sso login --profile dev"),
        role_calls=0,
    ),
    Case(
        "cache file is not JSON",
        SESSION_CONFIG,
        lambda world: _write(world, SESSION_CACHE, "{not json"),
        error=(SESSION_CACHE, "'dev'", "is not valid JSON", "aws sso login --profile dev"),
        role_calls=0,
    ),
    Case(
        "cache file without accessToken",
        LEGACY_CONFIG,
        lambda world: _write(world, LEGACY_CACHE, '{"expiresAt": "2031-01-01T00:00:00Z"}'),
        error=("is invalid", LEGACY_CACHE, "aws sso login --profile dev"),
        role_calls=0,
    ),
    Case(
        "cache file with a bad expiresAt",
        LEGACY_CONFIG,
        lambda world: _write(world, LEGACY_CACHE, '{"accessToken": "x", "expiresAt": "soon"}'),
        error=(LEGACY_CACHE, "expiresAt", "ISO 8601"),
        role_calls=0,
    ),
    Case(
        "legacy profile lacks sso_region",
        LEGACY_CONFIG.replace("sso_region = us-east-1\n", ""),
        _legacy_login,
        error=(
            'profile "dev" is configured to use SSO',
            "missing required configuration: sso_region",
        ),
        role_calls=0,
    ),
    Case(
        "sso_session names a missing section",
        SESSION_CONFIG.replace("[sso-session corp]", "[sso-session other]"),
        _session_login,
        error=('The specified sso-session does not exist: "corp"',),
        role_calls=0,
    ),
    Case(
        "sso-session section lacks sso_start_url",
        SESSION_CONFIG.replace(f"sso_start_url = {START_URL}\n", ""),
        _session_login,
        error=("missing required configuration: sso_start_url",),
        role_calls=0,
    ),
    Case(
        "profile and sso-session disagree on sso_region",
        SESSION_CONFIG.replace(
            "sso_role_name = Reader\n", "sso_role_name = Reader\nsso_region = eu-west-1\n"
        ),
        _session_login,
        error=(
            "sso_region is inconsistent between profile (eu-west-1) and sso-session (us-east-1)",
        ),
        role_calls=0,
    ),
    Case(
        "sso_account_id without sso_role_name",
        SESSION_CONFIG.replace("sso_role_name = Reader\n", ""),
        _session_login,
        error=("missing required configuration: sso_role_name",),
        role_calls=0,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_sso_matrix(world: World, case: Case) -> None:
    """Each SSO situation gives the role credentials or the error botocore would, with the
    expected calls to the portal and to SSO-OIDC."""
    case.setup(world)
    sso = world.sso
    options = world.options(case.config)
    if case.error:
        with pytest.raises(ConfigError) as info:
            world.load(options)
        for part in case.error:
            assert part in str(info.value)
    else:
        creds = world.load(options)
        assert creds.source == "sso"
        assert creds.access_key == sso.access_key
        assert creds.secret_key == sso.secret_key
        assert creds.token == sso.session_tokens[-1]
        assert creds.expiration == NOW + sso.credential_lifetime
    assert sso.call_count("GetRoleCredentials") == case.role_calls
    assert sso.call_count("CreateToken") == case.token_calls


def test_refresh_rewrites_the_cache_atomically_with_botocores_keys(
    world: World,
) -> None:
    """A refreshed token replaces the cache file (via rename, so no partial file) with
    botocore's keys; the next load uses it without another refresh."""
    path = Path(_session_login(world, lifetime=timedelta(minutes=-1)))
    before = json.loads(path.read_text())
    inode_before = path.stat().st_ino
    world.load(world.options(SESSION_CONFIG))
    after = json.loads(path.read_text())
    assert path.stat().st_ino != inode_before  # a new file renamed over the old one
    assert set(after) == {
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    }
    assert after["accessToken"] != before["accessToken"]
    assert after["refreshToken"] != before["refreshToken"]
    assert after["clientSecret"] == before["clientSecret"]
    assert after["expiresAt"] == (NOW + world.sso.token_lifetime).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left
    world.load(world.options(SESSION_CONFIG))
    assert world.sso.call_count("CreateToken") == 1


def test_role_credentials_are_refreshed_before_they_expire(world: World) -> None:
    """Inside the 10-minute window the resolver fetches new role credentials."""
    _session_login(world, lifetime=timedelta(days=1))
    resolver = CredentialResolver.from_chain(world.options(SESSION_CONFIG))
    first = resolver.get()
    world.clock.now = NOW + world.sso.credential_lifetime - timedelta(minutes=5)
    second = resolver.get()
    assert world.sso.call_count("GetRoleCredentials") == 2
    assert second.token != first.token
    assert second.expiration == world.clock.now + world.sso.credential_lifetime


@pytest.mark.parametrize(
    ("credentials", "env", "source"),
    [
        (
            "[dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s3cr3tEXAMPLE\n",
            {},
            "sso",
        ),
        ("", {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3tEXAMPLE"}, "env"),
    ],
    ids=["sso before the shared credentials file", "environment before sso"],
)
def test_sso_precedence(world: World, credentials: str, env: dict[str, str], source: str) -> None:
    """SSO comes after the environment and before the shared credentials file (botocore)."""
    _session_login(world)
    options = world.options(SESSION_CONFIG, credentials=credentials, env=env)
    assert world.load(options).source == source


def test_sso_session_alone_is_not_an_sso_credential_profile(world: World) -> None:
    """sso_session without sso_account_id/sso_role_name is only for tokens: no credentials."""
    options = world.options("[profile dev]\nsso_session = corp\n[sso-session corp]\n")
    with pytest.raises(NoCredentialsError):
        world.load(options)


def test_sso_modules_are_not_imported_for_other_profiles(world: World) -> None:
    """Static keys never import the SSO or login modules."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from bedrock_paginate._credentials import ChainOptions, CredentialResolver\n"
        "from bedrock_paginate._profiles import SharedFiles\n"
        "import os\n"
        "env = dict(os.environ)\n"
        "o = ChainOptions(environ=env, files=SharedFiles.from_environ(env), profile_name='dev')\n"
        "assert CredentialResolver.from_chain(o).get().source == 'config-file'\n"
        "names = ('bedrock_paginate._credentials._sso', 'bedrock_paginate._credentials._login',"
        " 'bedrock_paginate._credentials._json_call', 'cryptography')\n"
        "bad = [m for m in names if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    world.options("[profile dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = x\n")
    env = {**os.environ, **world.environ()}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


# --------------------------------------------------------------------------- endpoints


@pytest.mark.parametrize(
    ("config_extra", "env", "service", "expected"),
    [
        ("", {}, "sso", ("https://portal.sso.us-east-1.amazonaws.com", "generated")),
        ("", {}, "sso-oidc", ("https://oidc.us-east-1.amazonaws.com", "generated")),
        ("", {}, "signin", ("https://us-east-1.signin.aws.amazon.com", "generated")),
        (
            "",
            {"AWS_USE_FIPS_ENDPOINT": "true"},
            "sso",
            ("https://portal.sso-fips.us-east-1.amazonaws.com", "generated"),
        ),
        (
            "use_dualstack_endpoint = true\n",
            {},
            "sso-oidc",
            ("https://oidc.us-east-1.api.aws", "generated"),
        ),
        (
            "",
            {"AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:9/x/", "AWS_ENDPOINT_URL": "http://a:1"},
            "sso",
            ("http://127.0.0.1:9/x", "AWS_ENDPOINT_URL_SSO"),
        ),
        ("", {"AWS_ENDPOINT_URL": "http://a:1"}, "sso-oidc", ("http://a:1", "AWS_ENDPOINT_URL")),
        (
            "services = local\n[services local]\nsso_oidc =\n  endpoint_url = http://oidc.local:8\n",
            {},
            "sso-oidc",
            ("http://oidc.local:8", "endpoint_url under sso_oidc in [services local]"),
        ),
        (
            "services = local\n[services local]\nsso_oidc =\n  endpoint_url = http://oidc.local:8\n",
            {},
            "sso",
            ("https://portal.sso.us-east-1.amazonaws.com", "generated"),
        ),
        (
            "endpoint_url = http://everything:7\n",
            {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
            "sso",
            ("https://portal.sso.us-east-1.amazonaws.com", "generated"),
        ),
    ],
)
def test_service_endpoints(
    world: World, config_extra: str, env: dict[str, str], service: str, expected: tuple[str, str]
) -> None:
    """Endpoints follow botocore: service env var, global env var, [services], profile, then
    the generated host (FIPS / dual-stack aware)."""
    environ = dict.fromkeys(("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC"), "")
    config = "[profile dev]\n" + config_extra
    options = world.options(config, env={**environ, "AWS_ENDPOINT_URL_SIGNIN": "", **env})
    found = service_endpoint(options, service, region="us-east-1", region_origin="sso_region")
    assert (found.url, found.origin) == expected


@pytest.mark.parametrize(
    ("region", "fips", "service", "url"),
    [
        ("cn-north-1", False, "sso", "https://portal.sso.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", True, "sso", "https://portal.sso.us-gov-west-1.amazonaws.com"),
        ("us-gov-west-1", True, "sso-oidc", "https://oidc.us-gov-west-1.amazonaws.com"),
        ("eu-west-1", True, "sso-oidc", "https://oidc-fips.eu-west-1.amazonaws.com"),
        ("cn-north-1", False, "signin", "https://cn-north-1.signin.amazonaws.cn"),
        ("us-gov-east-1", False, "signin", "https://us-gov-east-1.signin.amazonaws-us-gov.com"),
        ("us-gov-west-1", True, "signin", "https://signin-fips.amazonaws-us-gov.com"),
        ("us-gov-east-1", True, "signin", "https://us-gov-east-1.signin-fips.amazonaws-us-gov.com"),
        ("eu-west-1", True, "signin", "https://signin-fips.eu-west-1.amazonaws.com"),
    ],
)
def test_generated_endpoints_are_partition_aware(
    world: World, region: str, fips: bool, service: str, url: str
) -> None:
    """Generated hosts use the region's partition (DNS suffix, GovCloud FIPS hosts)."""
    env = {
        "AWS_ENDPOINT_URL_SSO": "",
        "AWS_ENDPOINT_URL_SSO_OIDC": "",
        "AWS_ENDPOINT_URL_SIGNIN": "",
    }
    if fips:
        env["AWS_USE_FIPS_ENDPOINT"] = "true"
    options = world.options("[profile dev]\n", env=env)
    assert service_endpoint(options, service, region=region, region_origin="r").url == url


def test_bad_endpoint_url_and_region_are_config_errors(world: World) -> None:
    """A malformed configured URL or sso_region is a ConfigError naming where it came from."""
    options = world.options("[profile dev]\n", env={"AWS_ENDPOINT_URL_SSO": "ftp://x"})
    with pytest.raises(ConfigError, match="AWS_ENDPOINT_URL_SSO"):
        service_endpoint(options, "sso", region="us-east-1", region_origin="r")
    with pytest.raises(ConfigError, match="sso_region of 'dev'"):
        service_endpoint(
            world.options("[profile dev]\n", env={"AWS_ENDPOINT_URL_SSO": ""}),
            "sso",
            region="not a region",
            region_origin="sso_region of 'dev'",
        )


def test_unreachable_portal_names_the_endpoint_after_retries(world: World) -> None:
    """Nothing listening: a CredentialRetrievalError naming the endpoint, after 3 attempts."""
    dead = closed_url()
    _session_login(world)
    sleeps: list[float] = []
    options = world.options(SESSION_CONFIG, env={"AWS_ENDPOINT_URL_SSO": dead})
    options = attrs.evolve(options, sleep=sleeps.append)
    with pytest.raises(CredentialRetrievalError) as info:
        world.load(options)
    assert dead in str(info.value)
    assert "could not connect (ConnectError; retries exhausted after 3 attempts)" in str(info.value)
    assert len(sleeps) == 2


def test_a_broken_ca_bundle_is_a_config_error(world: World) -> None:
    """The client's CA bundle (verify= / AWS_CA_BUNDLE / ca_bundle) applies to the SSO calls
    too; an unreadable one is a clear ConfigError."""
    _session_login(world)
    env = {"AWS_ENDPOINT_URL_SSO": "https://127.0.0.1:9"}
    options = world.options(
        SESSION_CONFIG, env=env, sts=StsOptions(verify="/nonexistent/ca.pem", profile="dev")
    )
    with pytest.raises(ConfigError, match=r"CA bundle '/nonexistent/ca.pem'.*cannot be loaded"):
        world.load(options)


@attrs.define(kw_only=True)
class FlakySSO(FakeSSO):
    """Answers 503 to the first ``failures`` requests."""

    failures: int = 2

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> FakeResponse:
        if self.failures > 0:
            self.failures -= 1
            return FakeResponse(status=503, body=b"<html>busy</html>")
        return super().handle(method, path, query, headers, body)


def test_portal_5xx_is_retried_with_backoff(world: World) -> None:
    """Two 503s, then the credentials: the standard retry policy waits twice, then succeeds."""
    flaky = FlakySSO(now=world.clock)
    flaky.add_role(ACCOUNT, "Reader")
    with LoopbackServer(flaky) as server:
        flaky.sso_login(
            str(world.home), start_url=START_URL, region="us-east-1", session_name="corp"
        )
        sleeps: list[float] = []
        options = world.options(SESSION_CONFIG, env={"AWS_ENDPOINT_URL_SSO": server.url})
        creds = world.load(attrs.evolve(options, sleep=sleeps.append))
    assert creds.token == flaky.session_tokens[-1]
    assert len(sleeps) == 2
    assert flaky.call_count("GetRoleCredentials") == 1  # the 503s never reached the portal


_ROLE_CHARS = string.ascii_letters + string.digits + "+=,.@_-"


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    role=st.text(alphabet=_ROLE_CHARS, min_size=1, max_size=64),
    account=st.from_regex(r"[0-9]{12}", fullmatch=True),
)
def test_any_role_name_reaches_the_portal_intact(world: World, role: str, account: str) -> None:
    """Role names with every character IAM allows (+=,.@_-) and any account id are sent so
    that the portal decodes exactly them."""
    world.sso.add_role(account, role)
    _session_login(world)
    config = SESSION_CONFIG.replace("sso_role_name = Reader", f"sso_role_name = {role}")
    config = config.replace(f"sso_account_id = {ACCOUNT}", f"sso_account_id = {account}")
    assert world.load(world.options(config)).source == "sso"


@attrs.define(kw_only=True)
class HugeSSO(FakeSSO):
    """Answers every request with a body over the 1 MiB cap."""

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> FakeResponse:
        return FakeResponse(status=200, body=b" " * (1024 * 1024 + 1))


def test_an_oversized_answer_is_refused(world: World) -> None:
    """A body over the cap is refused with an error naming the endpoint, not read whole."""
    with LoopbackServer(HugeSSO(now=world.clock)) as server:
        _session_login(world)
        options = world.options(SESSION_CONFIG, env={"AWS_ENDPOINT_URL_SSO": server.url})
        with pytest.raises(CredentialRetrievalError, match="larger than 1048576 bytes"):
            world.load(options)


def test_an_indented_sso_value_is_a_clear_error(world: World) -> None:
    """sso_role_name written as an indented block names the key, not a missing setting."""
    config = SESSION_CONFIG.replace("sso_role_name = Reader", "sso_role_name =\n  x = y")
    with pytest.raises(ConfigError, match="sso_role_name in profile 'dev' must be a plain value"):
        world.load(world.options(config))


def test_concurrent_clients_refresh_a_shared_token_once(world: World) -> None:
    """Eight resolvers (as --regions makes) loading one expired sso-session token at once:
    one CreateToken (the refresh token is rotated, a second use would be refused) and, as they
    share the options' credential cache (boto3's clients share a session's), one
    GetRoleCredentials; all succeed with role credentials."""
    from concurrent.futures import ThreadPoolExecutor

    _session_login(world, lifetime=timedelta(minutes=-1))
    options = world.options(SESSION_CONFIG)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda _: CredentialResolver.from_chain(options).get().source, range(8))
        )
    assert results == ["sso"] * 8
    assert world.sso.call_count("CreateToken") == 1
    assert world.sso.call_count("GetRoleCredentials") == 1


def test_endpoints_come_from_the_clients_profile(world: World) -> None:
    """As botocore's nested clients: endpoint settings are the client's profile's, even when
    the SSO profile is a role's source_profile."""
    config = (
        "[profile dev]\nendpoint_url = http://from-client:1\n"
        "[profile src]\nendpoint_url = http://from-source:2\n"
    )
    env = {"AWS_ENDPOINT_URL_SSO": ""}
    options = world.options(config, env=env, profile="src", sts=StsOptions(profile="dev"))
    found = service_endpoint(options, "sso", region="us-east-1", region_origin="r")
    assert found == ("http://from-client:1", "endpoint_url in profile 'dev'")


def test_the_clients_retry_mode_applies(world: World) -> None:
    """retry mode 'off' on the client: one attempt at an unreachable portal, no sleep."""
    dead = closed_url()
    _session_login(world)
    sleeps: list[float] = []
    options = world.options(
        SESSION_CONFIG, env={"AWS_ENDPOINT_URL_SSO": dead}, sts=StsOptions(retry_mode="off")
    )
    with pytest.raises(CredentialRetrievalError, match="retries are off"):
        world.load(attrs.evolve(options, sleep=sleeps.append))
    assert sleeps == []


def test_role_credentials_are_cached_as_botocore_caches_them(world: World) -> None:
    """With the AWS CLI's file cache (what the CLI passes), a second client of the same profile
    takes the role credentials from ~/.aws/cli/cache (botocore's SSO key and answer shape)
    instead of calling the portal; near expiry they are fetched again."""
    from bedrock_paginate._credentials._role_cache import JSONFileCache

    _session_login(world, lifetime=timedelta(days=1))
    cache_dir = world.home / ".aws" / "cli" / "cache"
    first = world.load(world.options(SESSION_CONFIG, role_cache=JSONFileCache(cache_dir)))
    key = hashlib.sha1(
        b'{"accountId":"111122223333","roleName":"Reader","sessionName":"corp"}'
    ).hexdigest()
    entry = json.loads((cache_dir / f"{key}.json").read_text())
    assert entry["ProviderType"] == "sso"
    assert entry["Credentials"]["SessionToken"] == first.token
    assert entry["Credentials"]["AccountId"] == ACCOUNT
    second = world.load(world.options(SESSION_CONFIG, role_cache=JSONFileCache(cache_dir)))
    assert second.token == first.token
    assert world.sso.call_count("GetRoleCredentials") == 1
    world.clock.now = NOW + world.sso.credential_lifetime - timedelta(minutes=10)
    third = world.load(world.options(SESSION_CONFIG, role_cache=JSONFileCache(cache_dir)))
    assert third.token != first.token
    assert world.sso.call_count("GetRoleCredentials") == 2
