"""Assume-role and web identity credentials against a loopback FakeSts: a table of profiles
(chains, cycles, each credential_source, web identity from env and profile, MFA, precedence
between neighbours, STS errors, unreachable STS) with the expected source, key and STS calls;
then refresh, caching, endpoints and the XML reader."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest

from bedrock_paginate import JSONFileCache, StsError
from bedrock_paginate._credentials import ChainOptions, CredentialResolver, Credentials
from bedrock_paginate._credentials._options import StsOptions
from bedrock_paginate._credentials._role_cache import cache_key
from bedrock_paginate._credentials._sts import sts_endpoint
from bedrock_paginate._profiles import SharedFiles
from bedrock_paginate._xml import parse_xml
from bedrock_paginate.errors import (
    ConfigError,
    CredentialRetrievalError,
    DecodeError,
    NoCredentialsError,
)
from bedrock_paginate.testing import FakeResponse, FakeSts, FakeStsServer
from bedrock_paginate.testing._server import LoopbackServer
from tests.support import closed_port

BASE_KEY = "AKIDEXAMPLEBASE00001"
BASE_SECRET = "FAKEBASESECRET/+canary0123456789abc"
ENV_KEY = "AKIDEXAMPLEENV000001"
ENV_SECRET = "FAKEENVSECRET/+canary0123456789abcd"
SIDE_KEY = "AKIDEXAMPLESIDE00001"  # container / IMDS credentials
SIDE_SECRET = "FAKESIDESECRET/+canary0123456789abc"
SIDE_TOKEN = "FAKESIDETOKEN/+canary0123456789abcde"
WEB_TOKEN = "eyJFAKEWEBIDENTITYTOKEN.canary/+payload.sig0123456789"
ROLE = "arn:aws:iam::123456789012:role/"
SERIAL = "arn:aws:iam::123456789012:mfa/alice"
NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


class Clock:
    """A settable clock shared by the chain and the fakes."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@attrs.define
class World:
    """Temporary shared files, a FakeSts on loopback, and the environment pointing at both."""

    tmp: Path
    sts: FakeSts
    url: str
    clock: Clock

    def options(
        self,
        *,
        config: str = "",
        credentials: str = "",
        env: Mapping[str, str] | None = None,
        profile: str = "default",
        from_code: bool = False,
        **kwargs: Any,
    ) -> ChainOptions:
        (self.tmp / "config").write_text(config, encoding="utf-8")
        (self.tmp / "credentials").write_text(credentials, encoding="utf-8")
        environ = {
            "HOME": str(self.tmp),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL_STS": self.url,
            **(env or {}),
        }
        files = SharedFiles(
            config_path=str(self.tmp / "config"), credentials_path=str(self.tmp / "credentials")
        )
        kwargs.setdefault("sleep", lambda seconds: None)
        kwargs.setdefault("sts", StsOptions(region="us-east-1"))
        return ChainOptions(
            environ=environ,
            files=files,
            profile_name=profile,
            profile_from_code=from_code,
            now=self.clock,
            **kwargs,
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    clock = Clock()
    sts = FakeSts(
        credentials={BASE_KEY: BASE_SECRET, ENV_KEY: ENV_SECRET, SIDE_KEY: SIDE_SECRET},
        web_identity_tokens={WEB_TOKEN},
        mfa_codes={SERIAL: "123456"},
        external_ids={ROLE + "partner": "ext-42"},
        now=clock,
    )
    with FakeStsServer(sts) as server:
        yield World(tmp=tmp_path, sts=sts, url=server.url, clock=clock)
        assert server.errors == []


def load(options: ChainOptions) -> Credentials:
    return CredentialResolver.from_chain(options).get()


def calls(sts: FakeSts) -> list[tuple[str, str | None, str | None]]:
    """(action, role name, first 12 characters of the signing key) of every STS call."""
    return [
        (c.action, (c.role_arn or "").rsplit("/", 1)[-1], c.signed_by and c.signed_by[:12])
        for c in sts.calls
    ]


BASE_CREDS = f"[base]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n"
DEV_CREDS = BASE_CREDS.replace("[base]", "[dev]")
ENV_CREDS = {"AWS_ACCESS_KEY_ID": ENV_KEY, "AWS_SECRET_ACCESS_KEY": ENV_SECRET}


# --------------------------------------------------------------------------- the table


@attrs.frozen(kw_only=True)
class Case:
    name: str
    config: str = ""
    credentials: str = BASE_CREDS
    env: Mapping[str, str] = attrs.field(factory=dict)
    profile: str = "dev"
    from_code: bool = True
    #: Expected Credentials.source, or None when an error is expected.
    source: str | None = None
    #: (action, role name, signer access key prefix) of every STS call, in order.
    sts_calls: Sequence[tuple[str, str | None, str | None]] = ()
    error: type[Exception] | None = None
    #: Substrings the error message must contain.
    message: Sequence[str] = ()
    token_file: bool = False
    mfa: Callable[[str], str] | None = None


def role(name: str, body: str, *, profile: str = "dev") -> str:
    return f"[profile {profile}]\nrole_arn = {ROLE}{name}\n{body}"


CASES = [
    Case(
        name="source_profile with keys in the credentials file",
        config=role("r1", "source_profile = base\n"),
        source="assume-role",
        sts_calls=[("AssumeRole", "r1", "AKIDEXAMPLEB")],
    ),
    Case(
        name="source_profile with keys in the config file",
        config=role("r1", "source_profile = base\n")
        + f"[profile base]\naws_access_key_id = {BASE_KEY}\n"
        f"aws_secret_access_key = {BASE_SECRET}\n",
        credentials="",
        source="assume-role",
        sts_calls=[("AssumeRole", "r1", "AKIDEXAMPLEB")],
    ),
    Case(
        name="a chain of three roles",
        config=role("top", "source_profile = mid\n")
        + role("mid", "source_profile = low\n", profile="mid")
        + role("low", "source_profile = base\n", profile="low"),
        source="assume-role",
        sts_calls=[
            ("AssumeRole", "low", "AKIDEXAMPLEB"),
            ("AssumeRole", "mid", "ASIAFAKESTS0"),
            ("AssumeRole", "top", "ASIAFAKESTS0"),
        ],
    ),
    Case(
        name="source_profile is a web identity profile",
        config=role("r1", "source_profile = wi\n")
        + role("web", "web_identity_token_file = TOKEN_FILE\n", profile="wi"),
        token_file=True,
        source="assume-role",
        sts_calls=[
            ("AssumeRoleWithWebIdentity", "web", None),
            ("AssumeRole", "r1", "ASIAFAKESTS0"),
        ],
    ),
    Case(
        name="source_profile uses credential_process",
        config=role("r1", "source_profile = proc\n")
        + "[profile proc]\ncredential_process = PROCESS\n",
        source="assume-role",
        sts_calls=[("AssumeRole", "r1", "AKIDEXAMPLEB")],
    ),
    Case(
        name="credential_source Environment (even with the profile named in code)",
        config=role("r1", "credential_source = Environment\n"),
        env=ENV_CREDS,
        source="assume-role",
        sts_calls=[("AssumeRole", "r1", "AKIDEXAMPLEE")],
    ),
    Case(
        name="credential_source Environment without environment keys",
        config=role("r1", "credential_source = environment\n"),
        error=CredentialRetrievalError,
        message=["No credentials found in credential_source Environment", "'dev'"],
    ),
    Case(
        name="credential_source EcsContainer",
        config=role("r1", "credential_source = EcsContainer\n"),
        env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": "CONTAINER_URL"},
        source="assume-role",
        sts_calls=[("AssumeRole", "r1", "AKIDEXAMPLES")],
    ),
    Case(
        name="credential_source Ec2InstanceMetadata",
        config=role("r1", "credential_source = Ec2InstanceMetadata\n"),
        env={"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "IMDS"},
        source="assume-role",
        sts_calls=[("AssumeRole", "r1", "AKIDEXAMPLES")],
    ),
    Case(
        name="an unknown credential_source",
        config=role("r1", "credential_source = Laptop\n"),
        error=ConfigError,
        message=['credential source "Laptop"', 'profile "dev" is not valid', "EcsContainer"],
    ),
    Case(
        name="both source_profile and credential_source",
        config=role("r1", "source_profile = base\ncredential_source = Environment\n"),
        error=ConfigError,
        message=['The profile "dev" contains both source_profile and credential_source'],
    ),
    Case(
        name="neither source_profile nor credential_source",
        config=role("r1", "external_id = x\n"),
        error=ConfigError,
        message=['"dev" sets role_arn but neither source_profile nor credential_source'],
    ),
    Case(
        name="a source_profile that does not exist",
        config=role("r1", "source_profile = nowhere\n"),
        error=ConfigError,
        message=['source_profile "nowhere" referenced in the profile "dev" does not exist'],
    ),
    Case(
        name="a cycle of two profiles",
        config=role("a", "source_profile = other\n")
        + role("b", "source_profile = dev\n", profile="other"),
        error=ConfigError,
        message=["Infinite loop", "dev -> other -> dev"],
    ),
    Case(
        name="a cycle of three profiles",
        config=role("a", "source_profile = p2\n")
        + role("b", "source_profile = p3\n", profile="p2")
        + role("c", "source_profile = p2\n", profile="p3"),
        error=ConfigError,
        message=["Infinite loop", "dev -> p2 -> p3 -> p2"],
    ),
    Case(
        name="a profile naming itself with static keys uses them",
        config=role("self", "source_profile = dev\n"),
        credentials=DEV_CREDS,
        source="assume-role",
        sts_calls=[("AssumeRole", "self", "AKIDEXAMPLEB")],
    ),
    Case(
        name="a profile naming itself without keys is a cycle",
        config=role("self", "source_profile = dev\n"),
        error=ConfigError,
        message=["Infinite loop", "dev -> dev"],
    ),
    Case(
        name="a source profile without credentials",
        config=role("r1", "source_profile = empty\n") + "[profile empty]\nregion = us-east-1\n",
        error=ConfigError,
        message=['The source profile "empty" of profile "dev" must have credentials'],
    ),
    Case(
        name="web identity from the environment",
        env={
            "AWS_WEB_IDENTITY_TOKEN_FILE": "TOKEN_FILE",
            "AWS_ROLE_ARN": ROLE + "irsa",
            "AWS_ROLE_SESSION_NAME": "pod-1",
        },
        profile="default",
        from_code=False,
        credentials="",
        token_file=True,
        source="assume-role-with-web-identity",
        sts_calls=[("AssumeRoleWithWebIdentity", "irsa", None)],
    ),
    Case(
        name="web identity from the profile",
        config=role("wi", "web_identity_token_file = TOKEN_FILE\nrole_session_name = s\n"),
        token_file=True,
        source="assume-role-with-web-identity",
        sts_calls=[("AssumeRoleWithWebIdentity", "wi", None)],
    ),
    Case(
        name="web identity token file from the environment, role from the profile",
        config="[default]\nrole_arn = " + ROLE + "mixed\n" + "web_identity_token_file = /x\n",
        env={"AWS_WEB_IDENTITY_TOKEN_FILE": "TOKEN_FILE"},
        profile="default",
        from_code=False,
        token_file=True,
        source="assume-role-with-web-identity",
        sts_calls=[("AssumeRoleWithWebIdentity", "mixed", None)],
    ),
    Case(
        name="web identity without a role ARN",
        env={"AWS_WEB_IDENTITY_TOKEN_FILE": "TOKEN_FILE"},
        profile="default",
        from_code=False,
        credentials="",
        token_file=True,
        error=ConfigError,
        message=["no role ARN", "AWS_ROLE_ARN"],
    ),
    Case(
        name="web identity with a missing token file",
        config=role("wi", "web_identity_token_file = /nonexistent/token\n"),
        error=CredentialRetrievalError,
        message=["web identity token file /nonexistent/token", "'dev'"],
    ),
    Case(
        name="web identity with a token STS refuses",
        config=role("wi", "web_identity_token_file = BAD_TOKEN_FILE\n"),
        token_file=True,
        error=StsError,
        message=["InvalidIdentityToken", "AssumeRoleWithWebIdentity", "'dev'"],
    ),
    Case(
        name="MFA with a prompt",
        config=role("mfa", f"source_profile = base\nmfa_serial = {SERIAL}\n"),
        mfa=lambda prompt: "123456",
        source="assume-role",
        sts_calls=[("AssumeRole", "mfa", "AKIDEXAMPLEB")],
    ),
    Case(
        name="MFA without a prompt fails before any STS call",
        config=role("mfa", f"source_profile = base\nmfa_serial = {SERIAL}\n"),
        error=ConfigError,
        message=["'dev' needs an MFA code", SERIAL, "mfa_prompt="],
    ),
    Case(
        name="MFA with a wrong code",
        config=role("mfa", f"source_profile = base\nmfa_serial = {SERIAL}\n"),
        mfa=lambda prompt: "000000",
        error=StsError,
        message=["AccessDenied", "MultiFactorAuthentication failed", "'dev'"],
    ),
    Case(
        name="external_id is sent",
        config=role("partner", "source_profile = base\nexternal_id = ext-42\n"),
        source="assume-role",
        sts_calls=[("AssumeRole", "partner", "AKIDEXAMPLEB")],
    ),
    Case(
        name="a wrong external_id is STS's AccessDenied",
        config=role("partner", "source_profile = base\nexternal_id = nope\n"),
        error=StsError,
        message=["(AccessDenied) when calling the AssumeRole operation", "request id"],
    ),
    Case(
        name="precedence: environment keys before an assume-role profile",
        config="[default]\nrole_arn = " + ROLE + "r1\nsource_profile = base\n",
        env=ENV_CREDS,
        profile="default",
        from_code=False,
        source="env",
    ),
    Case(
        name="precedence: assume-role before web identity from the environment",
        config=role("r1", "source_profile = base\n", profile="default").replace(
            "[profile default]", "[default]"
        ),
        env={"AWS_WEB_IDENTITY_TOKEN_FILE": "TOKEN_FILE", "AWS_ROLE_ARN": ROLE + "irsa"},
        profile="default",
        from_code=False,
        token_file=True,
        source="assume-role",
        sts_calls=[("AssumeRole", "r1", "AKIDEXAMPLEB")],
    ),
    Case(
        name="precedence: role_arn with web_identity_token_file is web identity, not assume-role",
        config=role("wi", "web_identity_token_file = TOKEN_FILE\nsource_profile = base\n"),
        token_file=True,
        source="assume-role-with-web-identity",
        sts_calls=[("AssumeRoleWithWebIdentity", "wi", None)],
    ),
    Case(
        name="precedence: web identity before the shared credentials file",
        config="[profile dev]\nrole_arn = " + ROLE + "wi\nweb_identity_token_file = TOKEN_FILE\n",
        credentials=DEV_CREDS,
        token_file=True,
        source="assume-role-with-web-identity",
        sts_calls=[("AssumeRoleWithWebIdentity", "wi", None)],
    ),
    Case(
        name="precedence: assume-role before the profile's own shared credentials",
        config=role("r1", "source_profile = base\n"),
        credentials=BASE_CREDS
        + f"[dev]\naws_access_key_id = {ENV_KEY}\naws_secret_access_key = {ENV_SECRET}\n",
        source="assume-role",
        sts_calls=[("AssumeRole", "r1", "AKIDEXAMPLEB")],
    ),
    Case(
        name="precedence: a source profile's shared credentials before its credential_process",
        config=role("r1", "source_profile = base\n")
        + "[profile base]\ncredential_process = /nonexistent/never-run\n",
        source="assume-role",
        sts_calls=[("AssumeRole", "r1", "AKIDEXAMPLEB")],
    ),
    Case(
        name="precedence: web identity env is skipped for a profile named in code",
        env={"AWS_WEB_IDENTITY_TOKEN_FILE": "TOKEN_FILE", "AWS_ROLE_ARN": ROLE + "irsa"},
        credentials=DEV_CREDS,
        token_file=True,
        source="shared-credentials-file",
    ),
]


class _ContainerAndImds:
    """Container credentials and IMDSv2 on loopback, handing out SIDE_KEY."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock()

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> FakeResponse:
        expires = (self.clock() + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
        document = json.dumps(
            {
                "Code": "Success",
                "AccessKeyId": SIDE_KEY,
                "SecretAccessKey": SIDE_SECRET,
                "Token": SIDE_TOKEN,
                "Expiration": expires,
            }
        ).encode()
        if method == "PUT" and path == "/latest/api/token":
            return FakeResponse(status=200, body=b"imds-session-token")
        if path == "/latest/meta-data/iam/security-credentials/":
            return FakeResponse(status=200, body=b"side-role")
        if path in ("/latest/meta-data/iam/security-credentials/side-role", "/creds"):
            return FakeResponse(status=200, body=document)
        return FakeResponse(status=404)


def _materialise(case: Case, world: World) -> tuple[str, dict[str, str]]:
    """The case's config and environment with placeholders replaced by real paths/URLs."""
    token = world.tmp / "token"
    token.write_text(WEB_TOKEN, encoding="utf-8")
    bad_token = world.tmp / "bad-token"
    bad_token.write_text("not-a-token", encoding="utf-8")
    script = world.tmp / "proc.py"
    script.write_text(
        "import json\nprint(json.dumps({'Version': 1, "
        f"'AccessKeyId': '{BASE_KEY}', 'SecretAccessKey': '{BASE_SECRET}'}}))\n"
    )
    replacements = {
        "BAD_TOKEN_FILE": str(bad_token),
        "TOKEN_FILE": str(token),
        "PROCESS": f'"{sys.executable}" "{script}"',
    }
    config = case.config
    env = dict(case.env)
    for placeholder, value in replacements.items():
        config = config.replace(placeholder, value)
        env = {k: v.replace(placeholder, value) for k, v in env.items()}
    return config, env


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_profile_matrix(world: World, case: Case) -> None:
    """Each profile kind resolves to the expected source through the expected STS calls, or
    fails with a clear error naming the profile."""
    config, env = _materialise(case, world)
    with LoopbackServer(_ContainerAndImds(world.clock)) as side:
        env = {
            k: v.replace("CONTAINER_URL", side.url + "/creds").replace("IMDS", side.url)
            for k, v in env.items()
        }
        options = world.options(
            config=config,
            credentials=case.credentials,
            env=env,
            profile=case.profile,
            from_code=case.from_code,
            mfa_prompt=case.mfa,
        )
        if case.error is not None:
            with pytest.raises(case.error) as info:
                load(options)
            for text in case.message:
                assert text in str(info.value)
            if case.mfa is None and "MFA" in case.name:
                assert world.sts.calls == []
            return
        creds = load(options)
    assert creds.source == case.source
    assert calls(world.sts) == list(case.sts_calls)
    if case.sts_calls:
        assert creds.access_key in world.sts.issued  # the last role's credentials
        assert creds.expiration == NOW + timedelta(hours=1)
    else:
        assert world.sts.calls == []


# --------------------------------------------------------------------------- details of a call


def test_assume_role_sends_every_profile_setting(world: World) -> None:
    """external_id, role_session_name, duration_seconds, mfa_serial and the prompt's code
    reach AssumeRole; the prompt is botocore's text."""
    prompts: list[str] = []

    def prompt(text: str) -> str:
        prompts.append(text)
        return " 123456 "

    config = role(
        "partner",
        "source_profile = base\nexternal_id = ext-42\nrole_session_name = me\n"
        f"duration_seconds = 1800\nmfa_serial = {SERIAL}\n",
    )
    creds = load(
        world.options(config=config, credentials=BASE_CREDS, profile="dev", mfa_prompt=prompt)
    )
    (call,) = world.sts.calls
    assert (call.external_id, call.session_name, call.duration_seconds, call.serial_number) == (
        "ext-42",
        "me",
        "1800",
        SERIAL,
    )
    assert prompts == [f"Enter MFA code for {SERIAL}: "]
    assert creds.expiration == NOW + timedelta(seconds=1800)


def test_default_session_name_and_unusable_duration_as_botocore(world: World) -> None:
    """Without role_session_name the session is botocore-session-<epoch>; a duration_seconds
    that is not a whole number is not sent."""
    config = role("r1", "source_profile = base\nduration_seconds = an hour\n")
    load(world.options(config=config, credentials=BASE_CREDS, profile="dev"))
    (call,) = world.sts.calls
    assert call.session_name == f"botocore-session-{int(NOW.timestamp())}"
    assert call.duration_seconds is None


def test_sts_errors_are_typed_and_not_retried_when_final(world: World) -> None:
    """An STS AccessDenied is an StsError with code, status, operation, profile, request id."""
    world.sts.fail("AccessDenied", "User is not authorized to perform sts:AssumeRole")
    config = role("r1", "source_profile = base\n")
    with pytest.raises(StsError) as info:
        load(world.options(config=config, credentials=BASE_CREDS, profile="dev"))
    error = info.value
    assert (error.code, error.status_code, error.operation, error.profile) == (
        "AccessDenied",
        403,
        "AssumeRole",
        "dev",
    )
    assert error.request_id == "fake-sts-error"
    assert world.sts.call_count() == 1
    assert ROLE + "r1" in str(error)


def test_throttling_and_idp_errors_are_retried(world: World) -> None:
    """Throttling (standard mode) and IDPCommunicationError (STS's special case) are retried
    with the retry policy's sleeps."""
    sleeps: list[float] = []
    world.sts.fail("Throttling", "Rate exceeded", status=400)
    world.sts.fail("IDPCommunicationError", "IdP unreachable", status=400)
    config = role("wi", "web_identity_token_file = " + str(world.tmp / "token") + "\n")
    (world.tmp / "token").write_text(WEB_TOKEN)
    creds = load(world.options(config=config, profile="dev", sleep=sleeps.append))
    assert creds.source == "assume-role-with-web-identity"
    assert [c.status for c in world.sts.calls] == [400, 400, 200]
    assert len(sleeps) == 2


def test_unreachable_sts_is_a_clear_error_after_retries(world: World, tmp_path: Path) -> None:
    """A closed port: CredentialRetrievalError naming the profile and the endpoint."""
    port = closed_port()
    sleeps: list[float] = []
    options = world.options(
        config=role("r1", "source_profile = base\n"),
        credentials=BASE_CREDS,
        profile="dev",
        env={"AWS_ENDPOINT_URL_STS": f"http://127.0.0.1:{port}"},
        sleep=sleeps.append,
    )
    with pytest.raises(CredentialRetrievalError) as info:
        load(options)
    text = str(info.value)
    for part in ("Profile 'dev'", f"127.0.0.1:{port}", "AWS_ENDPOINT_URL_STS"):
        assert part in text
    assert "retries exhausted after 3 attempts" in text
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><AssumeRoleResponse/>',
        "<?xml version='1.0' encoding='utf-16'?><!DOCTYPE x><x/>".encode("utf-16"),
        b"<AssumeRoleResponse><AssumeRoleResult>",
        b"<Other/>",
    ],
    ids=["entity", "utf16-doctype", "truncated", "wrong-root"],
)
def test_malformed_sts_answers_are_refused(world: World, body: bytes) -> None:
    """A DOCTYPE (in any encoding), a truncated document or another document: a clear error
    after the retries, no entity ever expanded."""

    @attrs.define
    class Hostile(FakeSts):
        def handle(self, *args: Any, **kwargs: Any) -> FakeResponse:
            super().handle(*args, **kwargs)
            return FakeResponse(status=200, headers={"Content-Type": "text/xml"}, body=body)

    hostile = Hostile(credentials={BASE_KEY: BASE_SECRET}, now=world.clock)
    with FakeStsServer(hostile) as server:
        options = world.options(
            config=role("r1", "source_profile = base\n"),
            credentials=BASE_CREDS,
            profile="dev",
            env={"AWS_ENDPOINT_URL_STS": server.url},
        )
        with pytest.raises(CredentialRetrievalError, match=r"Profile 'dev'.*STS at 127\.0\.0\.1"):
            load(options)
    assert hostile.call_count() == 3


def test_xml_reader_refuses_doctype_and_reads_namespaced_answers() -> None:
    """parse_xml drops namespaces, refuses DOCTYPE/entities, caps size and depth."""
    root = parse_xml(
        b'<A xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><B><C> x &amp; y </C></B></A>'
    )
    assert root.text_of("B", "C") == "x & y"
    for bad in (
        b'<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>',
        b"<a>" * 40 + b"</a>" * 40,
        b"<a>" + b"x" * (1024 * 1024) + b"</a>",
        b"",
    ):
        with pytest.raises(DecodeError):
            parse_xml(bad)


# --------------------------------------------------------------------------- refresh and cache


def test_assumed_credentials_refresh_on_the_fake_clock(world: World) -> None:
    """Within 15 minutes of expiry the role is assumed again; a chain refreshes its source."""
    config = role("top", "source_profile = mid\n") + role(
        "mid", "source_profile = base\n", profile="mid"
    )
    resolver = CredentialResolver.from_chain(
        world.options(config=config, credentials=BASE_CREDS, profile="dev")
    )
    first = resolver.get()
    assert world.sts.call_count() == 2
    world.clock.now = NOW + timedelta(minutes=30)
    assert resolver.get() == first  # not yet
    world.clock.now = NOW + timedelta(minutes=51)
    second = resolver.get()
    assert second.access_key != first.access_key
    assert second.expiration == world.clock.now + timedelta(hours=1)
    # The middle role expired too, so it was assumed again before the top one.
    assert [c.role_arn for c in world.sts.calls][2:] == [ROLE + "mid", ROLE + "top"]


def test_web_identity_reads_the_token_file_at_every_refresh(world: World) -> None:
    """EKS rotates the token file: a refresh sends the new token."""
    token = world.tmp / "token"
    token.write_text(WEB_TOKEN)
    world.sts.web_identity_tokens = {WEB_TOKEN, "ROTATED" + WEB_TOKEN}
    config = role("wi", f"web_identity_token_file = {token}\n")
    resolver = CredentialResolver.from_chain(world.options(config=config, profile="dev"))
    resolver.get()
    token.write_text("ROTATED" + WEB_TOKEN)
    world.sts.web_identity_tokens = {"ROTATED" + WEB_TOKEN}  # the old one no longer works
    world.clock.now = NOW + timedelta(minutes=55)
    resolver.get()
    assert [c.status for c in world.sts.calls] == [200, 200]


def test_mfa_credentials_are_not_refreshed_without_a_new_code(world: World) -> None:
    """As botocore: a role assumed with MFA cannot be refreshed silently."""
    codes = iter(["123456"])
    config = role("mfa", f"source_profile = base\nmfa_serial = {SERIAL}\n")
    resolver = CredentialResolver.from_chain(
        world.options(
            config=config, credentials=BASE_CREDS, profile="dev", mfa_prompt=lambda _: next(codes)
        )
    )
    resolver.get()
    world.clock.now = NOW + timedelta(minutes=55)
    with pytest.raises(CredentialRetrievalError, match="MFA code and cannot be refreshed"):
        resolver.get()
    assert world.sts.call_count() == 1


def test_in_memory_cache_is_shared_by_resolvers_given_the_same_dict(world: World) -> None:
    """Two clients with one cache dict assume the role once; separate dicts twice (boto3)."""
    config = role("r1", "source_profile = base\n")
    shared: dict[str, Any] = {}
    for _ in range(2):
        load(world.options(config=config, credentials=BASE_CREDS, profile="dev", role_cache=shared))
    assert world.sts.call_count() == 1
    load(world.options(config=config, credentials=BASE_CREDS, profile="dev"))
    assert world.sts.call_count() == 2


def test_file_cache_is_written_as_the_aws_cli_writes_it(world: World) -> None:
    """~/.aws/cli/cache/<sha1 of the sorted arguments>.json, 0600, botocore's JSON shape."""
    cache_dir = world.tmp / "cli-cache"
    config = role("r1", "source_profile = base\nrole_session_name = me\n")
    creds = load(
        world.options(
            config=config,
            credentials=BASE_CREDS,
            profile="dev",
            role_cache=JSONFileCache(cache_dir),
        )
    )
    # The key botocore 1.44.18's AssumeRoleCredentialFetcher computes for these arguments.
    (path,) = cache_dir.iterdir()
    assert path.name == "58f670eeca9c69848e53a17352c4eebfe1d3a907.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(path.read_text())
    assert document["Credentials"]["AccessKeyId"] == creds.access_key
    assert document["Credentials"]["Expiration"] == "2030-01-01T13:00:00UTC"
    assert document["Credentials"]["AccountId"] == "123456789012"
    assert document["AssumedRoleUser"]["Arn"].startswith("arn:aws:sts::123456789012:")
    assert document["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_file_cache_written_by_the_aws_cli_is_used(world: World) -> None:
    """A valid entry (botocore's UTC format) means no STS call, no MFA prompt; one expiring
    within 15 minutes is replaced."""
    cache_dir = world.tmp / "cli-cache"
    cache_dir.mkdir()
    config = role("mfa", f"source_profile = base\nmfa_serial = {SERIAL}\n")
    key = "ccaefcf950c6cca360d13611757379ef04dcd045"  # botocore 1.44.18's key for this role

    def entry(expires: datetime) -> str:
        return json.dumps(
            {
                "Credentials": {
                    "AccessKeyId": "ASIACACHEDBYAWSCLI01",
                    "SecretAccessKey": "cached/+secret",
                    "SessionToken": "cached-token",
                    "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SUTC"),
                },
                "AssumedRoleUser": {"Arn": "arn:aws:sts::123456789012:assumed-role/mfa/x"},
            }
        )

    (cache_dir / f"{key}.json").write_text(entry(NOW + timedelta(minutes=40)))
    options = world.options(
        config=config, credentials=BASE_CREDS, profile="dev", role_cache=JSONFileCache(cache_dir)
    )
    assert load(options).access_key == "ASIACACHEDBYAWSCLI01"
    assert world.sts.calls == []
    (cache_dir / f"{key}.json").write_text(entry(NOW + timedelta(minutes=10)))
    with pytest.raises(ConfigError, match="needs an MFA code"):
        load(options)
    (cache_dir / f"{key}.json").write_text("{not json")
    fresh = load(attrs.evolve(options, mfa_prompt=lambda _: "123456"))
    assert fresh.access_key in world.sts.issued
    assert json.loads((cache_dir / f"{key}.json").read_text())["Credentials"]["AccessKeyId"] == (
        fresh.access_key
    )


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            {"RoleArn": ROLE + "r1", "RoleSessionName": "me"},
            "58f670eeca9c69848e53a17352c4eebfe1d3a907",
        ),
        (
            {"RoleArn": ROLE + "mfa", "SerialNumber": SERIAL},
            "ccaefcf950c6cca360d13611757379ef04dcd045",
        ),
        (
            {
                "RoleArn": ROLE + "partner",
                "ExternalId": "ext-42",
                "DurationSeconds": 1800,
                "RoleSessionName": "s",
            },
            "2d6f8c3b5cc498f2f314612b5939d766c17a096c",
        ),
        ({"RoleArn": ROLE + "irsa"}, "f0ae307bd4b481f06befb98d400655f3b5e37a8a"),
    ],
)
def test_cache_key_equals_botocores(arguments: dict[str, Any], expected: str) -> None:
    """The keys botocore 1.44.18's fetchers computed for the same arguments (obtained by
    running botocore once in a separate environment)."""
    assert cache_key(arguments) == expected


# --------------------------------------------------------------------------- endpoints


@pytest.mark.parametrize(
    ("region", "env", "expected"),
    [
        ("eu-west-1", {}, ("https://sts.eu-west-1.amazonaws.com", "eu-west-1")),
        (None, {}, ("https://sts.amazonaws.com", "us-east-1")),
        (
            "eu-west-1",
            {"AWS_STS_REGIONAL_ENDPOINTS": "legacy"},
            ("https://sts.amazonaws.com", "us-east-1"),
        ),
        (
            "eu-south-1",
            {"AWS_STS_REGIONAL_ENDPOINTS": "legacy"},
            ("https://sts.eu-south-1.amazonaws.com", "eu-south-1"),
        ),
        (
            "us-east-1",
            {"AWS_STS_REGIONAL_ENDPOINTS": "legacy", "AWS_USE_FIPS_ENDPOINT": "true"},
            ("https://sts-fips.us-east-1.amazonaws.com", "us-east-1"),
        ),
        (
            "us-gov-west-1",
            {"AWS_USE_FIPS_ENDPOINT": "true"},
            ("https://sts.us-gov-west-1.amazonaws.com", "us-gov-west-1"),
        ),
        (
            "us-west-2",
            {"AWS_USE_DUALSTACK_ENDPOINT": "true"},
            ("https://sts.us-west-2.api.aws", "us-west-2"),
        ),
        (
            "cn-north-1",
            {},
            ("https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ),
        (
            "us-east-1",
            {"AWS_ENDPOINT_URL": "https://everything.example"},
            ("https://everything.example", "us-east-1"),
        ),
    ],
)
def test_sts_endpoint_as_botocore(
    tmp_path: Path, region: str | None, env: dict[str, str], expected: tuple[str, str]
) -> None:
    """Regional by default (botocore 1.43+), legacy global for its sixteen regions, FIPS,
    dual-stack, configured endpoints."""
    options = ChainOptions(
        environ=env,
        files=SharedFiles(
            config_path=str(tmp_path / "none"), credentials_path=str(tmp_path / "none")
        ),
        sts=StsOptions(region=region),
    )
    endpoint = sts_endpoint(options)
    assert (endpoint.url, endpoint.signing_region) == expected


def test_sts_endpoint_from_the_client_profile_services_section(tmp_path: Path) -> None:
    """[services] sts endpoint_url and sts_regional_endpoints come from the client's profile,
    even while resolving a source profile."""
    (tmp_path / "config").write_text(
        "[profile dev]\nservices = mine\nsts_regional_endpoints = bogus\n"
        "[services mine]\nsts =\n  endpoint_url = http://127.0.0.1:9\n"
    )
    files = SharedFiles(
        config_path=str(tmp_path / "config"), credentials_path=str(tmp_path / "none")
    )
    options = ChainOptions(environ={}, files=files, profile_name="dev")
    source = options.for_source_profile("base")
    endpoint = sts_endpoint(source)
    assert (endpoint.url, endpoint.origin) == (
        "http://127.0.0.1:9",
        "endpoint_url under sts in [services mine]",
    )
    bare = ChainOptions(
        environ={"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, files=files, profile_name="dev"
    )
    with pytest.raises(ConfigError, match="sts_regional_endpoints in profile 'dev' must be"):
        sts_endpoint(bare)


def test_no_role_arn_no_sts_import(world: World) -> None:
    """A profile without role_arn never imports the STS modules (cold start unchanged)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from bedrock_paginate import Client\n"
        "c = Client(region_name='us-east-1')\n"
        "c.config.credentials.get()\n"
        "mods = [m for m in sys.modules if m.endswith(('_sts', '_assume_role', '_web_identity',"
        " '_role_cache', '_xml'))]\n"
        "assert not mods, mods\n"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(world.tmp),
        "AWS_ACCESS_KEY_ID": ENV_KEY,
        "AWS_SECRET_ACCESS_KEY": ENV_SECRET,
        "AWS_CONFIG_FILE": str(world.tmp / "none"),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_no_credentials_error_lists_the_new_sources(world: World) -> None:
    """An empty chain names assume-role and web identity among what it tried."""
    with pytest.raises(NoCredentialsError) as info:
        load(world.options(profile="default"))
    assert "assume-role (no role_arn" in str(info.value)
    assert "web identity (no AWS_WEB_IDENTITY_TOKEN_FILE" in str(info.value)


def test_expired_source_credentials_are_refreshed_once_by_the_engine(world: World) -> None:
    """STS answering ExpiredToken to a refreshable source (credential_process) makes the engine
    refresh the source once and retry: the process runs twice, the role is assumed."""
    counter = world.tmp / "runs"
    script = world.tmp / "proc.py"
    script.write_text(
        "import json, pathlib, sys\n"
        "p = pathlib.Path(sys.argv[1]); n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        "print(json.dumps({'Version': 1, 'AccessKeyId': '" + BASE_KEY + "', "
        "'SecretAccessKey': '" + BASE_SECRET + "', 'SessionToken': f'tok{n}0123456789', "
        "'Expiration': '2030-01-01T18:00:00Z'}))\n"
    )
    config = role("r1", "source_profile = proc\n") + (
        f'[profile proc]\ncredential_process = "{sys.executable}" "{script}" "{counter}"\n'
    )
    world.sts.fail(
        "ExpiredToken", "The security token included in the request is expired", status=400
    )
    creds = load(world.options(config=config, profile="dev"))
    assert creds.source == "assume-role"
    assert counter.read_text() == "2"
    assert [c.status for c in world.sts.calls] == [400, 200]


def test_fake_sts_refuses_a_wrong_signature(world: World) -> None:
    """The fake checks SigV4: a source secret it does not know is SignatureDoesNotMatch."""
    wrong = BASE_CREDS.replace(BASE_SECRET, "FAKEwrongSECRET0123456789abcdefgh")
    with pytest.raises(StsError) as info:
        load(
            world.options(
                config=role("r1", "source_profile = base\n"), credentials=wrong, profile="dev"
            )
        )
    assert info.value.code == "SignatureDoesNotMatch"
    assert info.value.status_code == 403


@pytest.mark.parametrize("shape", ["assume-role", "web-identity"])
def test_credentials_already_expired_when_sts_answers_are_refused(world: World, shape: str) -> None:
    """STS answering with credentials that expired before they arrive (a clock far off, a
    broken proxy cache): a clear error on the first load, as botocore's mandatory refresh,
    instead of signing with them; the answer is not cached."""
    expired = (NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    @attrs.define
    class Stale(FakeSts):
        def handle(self, *args: Any, **kwargs: Any) -> FakeResponse:
            answer = super().handle(*args, **kwargs)
            body = answer.body if isinstance(answer.body, bytes) else str(answer.body).encode()
            body = re.sub(
                rb"<Expiration>[^<]*</Expiration>",
                f"<Expiration>{expired}</Expiration>".encode(),
                body,
            )
            return FakeResponse(status=answer.status, headers=dict(answer.headers), body=body)

    stale = Stale(
        credentials={BASE_KEY: BASE_SECRET}, web_identity_tokens={WEB_TOKEN}, now=world.clock
    )
    token_file = world.tmp / "token"
    token_file.write_text(WEB_TOKEN, encoding="utf-8")
    if shape == "assume-role":
        config = role("r1", "source_profile = base\n")
    else:
        config = role("r1", f"web_identity_token_file = {token_file}\n")
    cache: dict[str, Any] = {}
    with FakeStsServer(stale) as server:
        options = world.options(
            config=config,
            credentials=BASE_CREDS,
            profile="dev",
            env={"AWS_ENDPOINT_URL_STS": server.url},
            role_cache=cache,
        )
        with pytest.raises(CredentialRetrievalError) as info:
            load(options)
    text = str(info.value)
    assert "Profile 'dev'" in text
    assert f"{ROLE}r1" in text
    assert "expired at 2030-01-01T11:00:00" in text
    assert stale.call_count() == 1
    assert cache == {}
