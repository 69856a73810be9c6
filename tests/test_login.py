"""``aws login`` credentials in the default chain (bedrock_paginate._login), against FakeSignin on
loopback: the cache directory and file name, cached and expired credentials with and without
the ``[login]`` extra, refresh with a DPoP proof, Sign-In's errors and precedence."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate._credentials._login import build_dpop_proof, login_cache_path
from bedrock_paginate.errors import ConfigError
from tests.sso_support import LOGIN_CONFIG, LOGIN_SESSION, NOW, World, running_world


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with running_world(tmp_path) as running:
        yield running


@pytest.fixture
def no_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import cryptography...`` fail, as when the [login] extra is not installed."""
    names = [n for n in sys.modules if n == "cryptography" or n.startswith("cryptography.")]
    for name in {*names, "cryptography", "cryptography.exceptions"}:
        monkeypatch.setitem(sys.modules, name, None)


def _login(world: World, lifetime: timedelta = timedelta(minutes=15)) -> Path:
    return Path(
        world.signin.aws_login(str(world.login_cache), session=LOGIN_SESSION, lifetime=lifetime)
    )


def _edit(path: Path, change: Callable[[dict[str, object]], object]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_cache_file_name_is_the_sha256_of_the_session(world: World) -> None:
    """The file name botocore's test data gives for this session (an independent oracle)."""
    options = world.options(LOGIN_CONFIG)
    session = "arn:aws:sts::012345678910:assumed-role/Admin/admin"
    assert Path(login_cache_path(options, session)).name == (
        "4b0ba8f99f075c0633e122fd73346ce203a3faf18ea0310eb2d29df1bab2e255.json"
    )
    assert Path(login_cache_path(options, session)).parent == world.login_cache


def test_cache_directory_from_the_environment_expands_variables(world: World) -> None:
    """AWS_LOGIN_CACHE_DIRECTORY ($VAR and ~ expanded) moves the cache."""
    elsewhere = world.home / "elsewhere"
    world.signin.aws_login(str(elsewhere), session=LOGIN_SESSION)
    env = {"LOGIN_ROOT": str(world.home), "AWS_LOGIN_CACHE_DIRECTORY": "$LOGIN_ROOT/elsewhere"}
    options = world.options(LOGIN_CONFIG, env=env)
    assert world.load(options).source == "login"


@attrs.frozen
class Case:
    id: str
    #: (world) -> None, prepares the cache and the fake.
    setup: Callable[[World], object]
    extra_installed: bool = True
    error: tuple[str, ...] = ()
    refreshes: int = 0
    #: Index into FakeSignin.session_tokens of the expected session token (success only).
    token_index: int = 0


def _expired(world: World) -> None:
    _login(world, timedelta(minutes=-1))


def _revoked(world: World) -> None:
    path = _login(world, timedelta(minutes=-1))
    world.signin.revoke(json.loads(path.read_text())["refreshToken"])


def _without(key: str) -> Callable[[World], None]:
    def setup(world: World) -> None:
        _edit(_login(world), lambda data: data.pop(key))

    return setup


def _not_json(world: World) -> None:
    _login(world).write_text("{{{")


CASES = [
    Case("cached and valid", _login),
    Case("cached and valid, no extra needed", _login, extra_installed=False),
    Case("expired, refreshed with DPoP", _expired, refreshes=1, token_index=1),
    Case(
        "expiring in 3 minutes, refreshed",
        lambda world: _login(world, timedelta(minutes=3)),
        refreshes=1,
        token_index=1,
    ),
    Case(
        "expired without the extra",
        _expired,
        extra_installed=False,
        error=("pip install 'bedrock-paginate[login]'", "aws login --profile dev"),
    ),
    Case(
        "expired, Sign-In says TOKEN_EXPIRED",
        _revoked,
        error=("Your session has expired", "aws login"),
        refreshes=1,
    ),
    Case(
        "no cache file",
        lambda world: None,
        error=("Unable to load an existing login session", "'dev'", "aws login"),
    ),
    Case("cache without dpopKey", _without("dpopKey"), error=("missing required fields: dpopKey",)),
    Case(
        "cache without refreshToken",
        _without("refreshToken"),
        error=("missing required fields: refreshToken",),
    ),
    Case(
        "cache without accessToken",
        _without("accessToken"),
        error=("missing required fields: accessToken",),
    ),
    Case("cache not JSON", _not_json, error=("is not valid JSON", "'dev'", ".json")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_login_matrix(world: World, case: Case, request: pytest.FixtureRequest) -> None:
    """Each aws login situation gives the credentials or the error expected, with the
    expected number of CreateOAuth2Token calls."""
    case.setup(world)
    if not case.extra_installed:
        request.getfixturevalue("no_cryptography")
    options = world.options(LOGIN_CONFIG)
    if case.error:
        with pytest.raises(ConfigError) as info:
            world.load(options)
        for part in case.error:
            assert part in str(info.value)
    else:
        creds = world.load(options)
        assert creds.source == "login"
        assert (creds.access_key, creds.secret_key) == (
            world.signin.access_key,
            world.signin.secret_key,
        )
        assert creds.token == world.signin.session_tokens[case.token_index]
    assert world.signin.call_count() == case.refreshes
    assert world.signin.last_rejection is None


def test_refresh_rewrites_the_cache_keeping_other_keys(world: World) -> None:
    """After a refresh the file holds the new credentials and refresh token, the same
    accountId, dpopKey and idToken, and expiresAt = now + expiresIn."""
    path = _login(world, timedelta(minutes=-1))
    before = json.loads(path.read_text())
    world.load(world.options(LOGIN_CONFIG))
    after = json.loads(path.read_text())
    assert after["refreshToken"] != before["refreshToken"]
    assert after["accessToken"]["sessionToken"] == world.signin.session_tokens[1]
    assert after["accessToken"]["accountId"] == before["accessToken"]["accountId"]
    assert after["accessToken"]["expiresAt"] == "2030-01-01T12:15:00Z"
    for key in ("dpopKey", "idToken", "clientId", "tokenType"):
        assert after[key] == before[key]
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    world.load(world.options(LOGIN_CONFIG))  # the rewritten file is used as is
    assert world.signin.call_count() == 1


def test_refreshed_by_another_process_meanwhile(world: World) -> None:
    """When the resolver refreshes but the file already holds renewed credentials (more than 5
    minutes left), they are used without calling Sign-In."""
    from bedrock_paginate._credentials import CredentialResolver

    path = _login(world, timedelta(minutes=20))
    resolver = CredentialResolver.from_chain(world.options(LOGIN_CONFIG))
    resolver.get()
    world.clock.now = NOW + timedelta(minutes=12)  # inside the 10-minute window

    def renew(data: dict[str, object]) -> None:
        access = data["accessToken"]
        assert isinstance(access, dict)
        access["expiresAt"] = "2030-01-01T13:00:00Z"
        access["sessionToken"] = "FAKERENEWEDELSEWHERE"

    _edit(path, renew)
    assert resolver.get().token == "FAKERENEWEDELSEWHERE"
    assert world.signin.call_count() == 0


def test_login_needs_a_region_to_refresh(world: World) -> None:
    """No region anywhere: the refresh error says how to set one."""
    _login(world, timedelta(minutes=-1))
    with pytest.raises(ConfigError, match="needs a region"):
        world.load(world.options(LOGIN_CONFIG.replace("region = us-east-1\n", "")))


@pytest.mark.parametrize(
    ("config", "credentials", "source"),
    [
        (
            LOGIN_CONFIG + "credential_process = /bin/false\n",
            "",
            "login",
        ),
        (
            LOGIN_CONFIG,
            "[dev]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s3cr3tEXAMPLE\n",
            "shared-credentials-file",
        ),
    ],
    ids=["login before credential_process", "shared credentials file before login"],
)
def test_login_precedence(world: World, config: str, credentials: str, source: str) -> None:
    """login comes after the shared credentials file and before credential_process."""
    _login(world)
    assert world.load(world.options(config, credentials=credentials)).source == source


def test_dpop_proof_is_verifiable_and_bound_to_the_request(world: World) -> None:
    """The proof carries typ/alg/jwk and htm/htu/iat/jti, and its signature verifies; a
    tampered proof is refused by the fake."""
    import base64

    from cryptography.hazmat.primitives.asymmetric import ec

    from bedrock_paginate.testing._signin import _BadProof, _verify_proof

    key = ec.generate_private_key(ec.SECP256R1())
    proof = build_dpop_proof(key, "https://x/v1/token", issued_at=int(NOW.timestamp()), jti="j1")
    head, claims_part, _ = proof.split(".")
    header = json.loads(base64.urlsafe_b64decode(head + "=="))
    claims = json.loads(base64.urlsafe_b64decode(claims_part + "=="))
    assert (header["typ"], header["alg"], header["jwk"]["crv"]) == ("dpop+jwt", "ES256", "P-256")
    assert claims == {"htm": "POST", "htu": "https://x/v1/token", "iat": 1893499200, "jti": "j1"}
    _verify_proof(proof, NOW)
    tampered = proof[:-4] + ("AAAA" if not proof.endswith("AAAA") else "BBBB")
    with pytest.raises(_BadProof):
        _verify_proof(tampered, NOW)
    with pytest.raises(_BadProof, match="iat"):
        _verify_proof(proof, NOW + timedelta(minutes=6))


@settings(max_examples=15, deadline=None)
@given(
    url=st.from_regex(r"https://[a-z0-9.-]{1,30}(:[0-9]{1,5})?/v1/token", fullmatch=True),
    issued_at=st.integers(min_value=0, max_value=253402300799),  # up to 9999-12-31
)
def test_any_dpop_proof_verifies_independently(url: str, issued_at: int) -> None:
    """For any URL and time, the proof's ES256 signature verifies with the public key it
    carries (checked by cryptography's verifier in the fake, not by the signing code)."""
    from datetime import datetime, timezone

    from cryptography.hazmat.primitives.asymmetric import ec

    from bedrock_paginate.testing._signin import _verify_proof

    key = ec.generate_private_key(ec.SECP256R1())
    proof = build_dpop_proof(key, url, issued_at=issued_at)
    thumbprint, claims = _verify_proof(proof, datetime.fromtimestamp(issued_at, timezone.utc))
    assert (claims["htu"], claims["iat"], claims["htm"]) == (url, issued_at, "POST")
    assert len(thumbprint) == 64


def test_concurrent_clients_refresh_a_shared_login_once(world: World) -> None:
    """Eight resolvers loading one expired aws login session at once: one CreateOAuth2Token,
    the others read the renewed file; all get the same new session token."""
    from concurrent.futures import ThreadPoolExecutor

    from bedrock_paginate._credentials import CredentialResolver

    _login(world, timedelta(minutes=-1))
    options = world.options(LOGIN_CONFIG)
    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = set(
            pool.map(lambda _: CredentialResolver.from_chain(options).get().token, range(8))
        )
    assert world.signin.call_count() == 1
    assert tokens == {world.signin.session_tokens[-1]}


@pytest.mark.parametrize(
    ("env", "region"),
    [
        ({}, "us-east-1"),
        ({"AWS_DEFAULT_REGION": "eu-west-1"}, "eu-west-1"),
        ({"AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "eu-west-1"}, "ap-south-1"),
    ],
)
def test_sign_in_region_comes_from_the_environment_then_the_profile(
    world: World, env: dict[str, str], region: str
) -> None:
    """The refresh goes to Sign-In in AWS_REGION, else AWS_DEFAULT_REGION, else the profile's
    region (seen in the endpoint botocore would generate)."""
    from bedrock_paginate._credentials._login import _region, load_login_profile

    options = world.options(LOGIN_CONFIG, env=env)
    login = load_login_profile(options)
    assert login is not None
    assert _region(options, login)[0] == region
