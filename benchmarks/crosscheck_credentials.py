"""Cross-check assume-role and web identity resolution against botocore itself.

Run in an environment that has botocore and this library (the benchmark venv does)::

    benchmarks/.venv/bin/python benchmarks/crosscheck_credentials.py

For each profile setup below, botocore and bedrock-paginate resolve the same temporary
``config``/``credentials`` files against a fresh loopback ``FakeSts`` each, and must agree on the
chosen source (botocore's method name), on the sequence of STS calls (action, role, which key
signed it), or on both failing. botocore is never a dependency of the library: this script only
imports it here. Prints one line per case and exits 1 on any disagreement.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import botocore.session  # type: ignore[import-not-found,import-untyped,unused-ignore]

from bedrock_paginate import Client
from bedrock_paginate.testing import FakeSts, FakeStsServer

BASE_KEY = "AKIDEXAMPLEBASE00001"
BASE_SECRET = "FAKEBASESECRET/+canary0123456789abc"
ENV_KEY = "AKIDEXAMPLEENV000001"
ENV_SECRET = "FAKEENVSECRET/+canary0123456789abcd"
TOKEN = "eyJFAKEWEBIDENTITYTOKEN.canary/+payload.sig0123456789"
ROLE = "arn:aws:iam::123456789012:role/"
BASE = f"[base]\naws_access_key_id = {BASE_KEY}\naws_secret_access_key = {BASE_SECRET}\n"
#: Our source names that botocore spells differently.
_METHODS = {"credential_process": "custom-process", "container": "container-role"}


def role(name: str, body: str, profile: str = "dev") -> str:
    header = "[default]" if profile == "default" else f"[profile {profile}]"
    return f"{header}\nrole_arn = {ROLE}{name}\n{body}"


# (name, config, credentials, extra environment, profile named in code or None)
CASES: list[tuple[str, str, str, dict[str, str], str | None]] = [
    ("source_profile static", role("r1", "source_profile = base\n"), BASE, {}, "dev"),
    (
        "chain of three",
        role("top", "source_profile = mid\n")
        + role("mid", "source_profile = low\n", "mid")
        + role("low", "source_profile = base\n", "low"),
        BASE,
        {},
        "dev",
    ),
    (
        "source is web identity",
        role("r1", "source_profile = wi\n")
        + role("web", "web_identity_token_file = TOKEN\n", "wi"),
        "",
        {},
        "dev",
    ),
    (
        "credential_source Environment",
        role("r1", "credential_source = Environment\n"),
        "",
        {"AWS_ACCESS_KEY_ID": ENV_KEY, "AWS_SECRET_ACCESS_KEY": ENV_SECRET},
        "dev",
    ),
    ("credential_source unknown", role("r1", "credential_source = Laptop\n"), "", {}, "dev"),
    (
        "both sources",
        role("r1", "source_profile = base\ncredential_source = Environment\n"),
        BASE,
        {},
        "dev",
    ),
    ("neither source", role("r1", "external_id = x\n"), BASE, {}, "dev"),
    ("missing source_profile", role("r1", "source_profile = nope\n"), BASE, {}, "dev"),
    (
        "cycle",
        role("a", "source_profile = other\n") + role("b", "source_profile = dev\n", "other"),
        BASE,
        {},
        "dev",
    ),
    (
        "self reference with keys",
        role("self", "source_profile = dev\n"),
        BASE.replace("[base]", "[dev]"),
        {},
        "dev",
    ),
    ("self reference without keys", role("self", "source_profile = dev\n"), "", {}, "dev"),
    (
        "web identity from env",
        "",
        "",
        {
            "AWS_WEB_IDENTITY_TOKEN_FILE": "TOKEN",
            "AWS_ROLE_ARN": ROLE + "irsa",
            "AWS_ROLE_SESSION_NAME": "pod",
        },
        None,
    ),
    (
        "web identity from profile",
        role("wi", "web_identity_token_file = TOKEN\nrole_session_name = s1\n"),
        "",
        {},
        "dev",
    ),
    (
        "env keys before assume-role",
        role("r1", "source_profile = base\n", "default"),
        BASE,
        {"AWS_ACCESS_KEY_ID": ENV_KEY, "AWS_SECRET_ACCESS_KEY": ENV_SECRET},
        None,
    ),
    (
        "assume-role before env web identity",
        role("r1", "source_profile = base\n", "default"),
        BASE,
        {"AWS_WEB_IDENTITY_TOKEN_FILE": "TOKEN", "AWS_ROLE_ARN": ROLE + "irsa"},
        None,
    ),
    (
        "role_arn with token file is web identity",
        role("wi", "web_identity_token_file = TOKEN\nsource_profile = base\n"),
        BASE,
        {},
        "dev",
    ),
    (
        "web identity before shared credentials",
        role("wi", "web_identity_token_file = TOKEN\n"),
        BASE.replace("[base]", "[dev]"),
        {},
        "dev",
    ),
    (
        "env web identity skipped for a named profile",
        "",
        BASE.replace("[base]", "[dev]"),
        {"AWS_WEB_IDENTITY_TOKEN_FILE": "TOKEN", "AWS_ROLE_ARN": ROLE + "irsa"},
        "dev",
    ),
    (
        "assume-role before the profile's own keys",
        role("r1", "source_profile = base\n"),
        BASE + f"[dev]\naws_access_key_id = {ENV_KEY}\naws_secret_access_key = {ENV_SECRET}\n",
        {},
        "dev",
    ),
]

Outcome = tuple[str, list[tuple[str, str, str]]]


def _calls(sts: FakeSts) -> list[tuple[str, str, str]]:
    return [
        (c.action, (c.role_arn or "").rsplit("/", 1)[-1], (c.signed_by or "unsigned")[:12])
        for c in sts.calls
    ]


def _run(resolve: Callable[[str | None], str]) -> Callable[[str | None, FakeSts], Outcome]:
    def outcome(profile: str | None, sts: FakeSts) -> Outcome:
        try:
            method = resolve(profile)
        except Exception:  # both sides failing is agreement
            return "error", _calls(sts)
        return method, _calls(sts)

    return outcome


def _botocore(profile: str | None) -> str:
    session = botocore.session.Session(profile=profile)
    creds = session.get_credentials()
    if creds is None:
        raise RuntimeError("no credentials")
    creds.get_frozen_credentials()  # deferred assume-role calls STS here
    return str(creds.method)


def _ours(profile: str | None) -> str:
    with Client(profile_name=profile, region_name="us-east-1") as client:
        assert client.config.credentials is not None
        source = client.config.credentials.get().source
    return _METHODS.get(source, source)


def _case(
    tmp: Path, config: str, credentials: str, env: dict[str, str], profile: str | None
) -> tuple[Outcome, Outcome]:
    token = tmp / "token"
    token.write_text(TOKEN)
    (tmp / "config").write_text(config.replace("TOKEN", str(token)))
    (tmp / "credentials").write_text(credentials)
    results: list[Outcome] = []
    for resolve in (_botocore, _ours):
        sts = FakeSts(
            credentials={BASE_KEY: BASE_SECRET, ENV_KEY: ENV_SECRET},
            web_identity_tokens={TOKEN},
        )
        with FakeStsServer(sts) as server:
            saved = dict(os.environ)
            try:
                for name in [n for n in os.environ if n.startswith("AWS_")]:
                    del os.environ[name]
                os.environ.update(
                    {
                        "HOME": str(tmp),
                        "AWS_CONFIG_FILE": str(tmp / "config"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "credentials"),
                        "AWS_ENDPOINT_URL_STS": server.url,
                        "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_EC2_METADATA_DISABLED": "true",
                        **{k: v.replace("TOKEN", str(token)) for k, v in env.items()},
                    }
                )
                results.append(_run(resolve)(profile, sts))
            finally:
                os.environ.clear()
                os.environ.update(saved)
    return results[0], results[1]


def main() -> int:
    failures = 0
    print(f"botocore {botocore.__version__}")
    for name, config, credentials, env, profile in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            theirs, ours = _case(Path(tmp), config, credentials, env, profile)
        agree = theirs == ours
        failures += not agree
        print(
            f"{'ok  ' if agree else 'DIFF'} {name}: botocore {theirs}"
            + ("" if agree else f" / ours {ours}")
        )
    print(f"{len(CASES) - failures}/{len(CASES)} cases agree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
