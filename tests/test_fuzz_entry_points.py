"""Fuzzing every entry point: each CLI command's arguments (``list-model-invocation-jobs``, the
batch-job commands, ``serve``, ``build-layer``, and ``watch --until-done`` against a fake on
its own clock, where every job ends within a few polls) and every public constructor's
arguments end in a documented exit code or one of the library's exceptions -- never a
traceback, ``unexpected error``, a bare Python exception or (``watch``) endless polling. No
network: listings go to a closed loopback port, ``serve`` stops at once, ``build-layer`` never
reaches pip.
"""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bedrock_paginate import AsyncClient, BedrockPaginateError, Client, cli
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer
from tests.support import closed_port, isolated_aws_env

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
EXIT_CODES = (0, 252, 253, 254, 255)
NUMBERS = ["0", "-1", "1", "7", "1e10", "1e400", "nan", "inf", "-0", "65536", "9" * 30, "0x10"]
WORDS = [
    *("", " ", "-", "--", "json", "jsonl", "table", "text", "yaml", "us-east-1", "bad!", "é"),
    *("Failed", "failed", "x" * 300, "eyJuZXh0VG9rZW4iOiBudWxsfQ==", "file://nope.json"),
]
COMMANDS: dict[str, list[str]] = {
    "list-model-invocation-jobs": [
        "--region", "--regions", "--profile", "--output", "--query", "--debug", "--no-paginate",
        "--cli-read-timeout", "--cli-connect-timeout", "--no-verify-ssl", "--ca-bundle",
        "--color", "--record", "--replay", "--submit-time-after", "--submit-time-before",
        "--status-equals", "--name-contains", "--sort-by", "--sort-order", "--max-items",
        "--page-size", "--starting-token", "--max-results", "--next-token",
    ],
    "get-model-invocation-job": ["--job-identifier", "--output", "--query", "--region"],
    "stop-model-invocation-job": ["--job-identifier", "--output", "--region", "--debug"],
    "create-model-invocation-job": [
        "--job-name", "--role-arn", "--model-id", "--input-data-config", "--output-data-config",
        "--vpc-config", "--timeout-duration-in-hours", "--tags", "--model-invocation-type",
        "--client-request-token", "--output",
    ],
    "serve": ["--port", "--jobs", "--seed", "--region", "--fixture", "--check-sigv4", "--help"],
    "build-layer": ["--python", "--arch", "-o", "--output", "--compile", "--pip-arg", "--help"],
}  # fmt: skip


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake keys, private files, a closed loopback endpoint, no serving, no pip."""
    from bedrock_paginate import _layer
    from bedrock_paginate.testing import _server

    monkeypatch.chdir(tmp_path)
    isolated_aws_env(monkeypatch, tmp_path, secret="FAKEsecretFUZZcanary", region=None)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setattr(_server, "_wait", lambda stop: None)

    def no_pip(*_: object, **__: object) -> None:
        raise BedrockPaginateError("no build in tests")

    monkeypatch.setattr(_layer, "_project_wheel", no_pip)


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    """A command, then flags of that command with values that are often extreme."""
    command = draw(st.sampled_from(sorted(COMMANDS)))
    token = (
        st.sampled_from(COMMANDS[command]) | st.sampled_from(NUMBERS + WORDS) | st.text(max_size=6)
    )
    return [command, *draw(st.lists(token, max_size=7))]


@FUZZ
@given(argv=command_lines())
def test_every_command_line_gives_a_documented_exit_code(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """Any arguments of any command: a documented exit code, never a traceback."""
    code = cli.main(argv, isatty=lambda: False)
    out, err = capsys.readouterr()
    assert code in EXIT_CODES, (argv, err)
    if "--debug" not in argv:
        assert "Traceback" not in err, (argv, err)
    assert "unexpected error" not in err, (argv, err)
    assert "FAKEsecretFUZZcanary" not in out + err


_VALUES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | st.sampled_from(
        [
            "us-east-1",
            "http://127.0.0.1:1",
            "standard",
            "legacy",
            "adaptive",
            "off",
            "",
            "AKIDEXAMPLE",
            "default",
            "nope.json",
            "x" * 70_000,
            "1e10",
        ]
    )
    | st.lists(st.text(max_size=3), max_size=2)
    | st.binary(max_size=4)
)
_CLIENT_ARGS = [
    "region_name", "endpoint_url", "aws_access_key_id", "aws_secret_access_key",
    "aws_session_token", "profile_name", "bearer_token", "retry_mode", "max_attempts", "verify",
    "connect_timeout", "read_timeout", "record_to", "replay_from", "replay_any_order",
]  # fmt: skip


@FUZZ
@given(kwargs=st.dictionaries(st.sampled_from(_CLIENT_ARGS), _VALUES, max_size=4))
def test_client_constructors_raise_only_library_errors(kwargs: dict[str, Any]) -> None:
    """Client(**kwargs) and AsyncClient(**kwargs): built, or a BedrockPaginateError."""
    try:
        client = Client(**kwargs)
    except BedrockPaginateError:
        pass
    else:
        client.close()
    try:
        aclient = AsyncClient(**kwargs)
    except BedrockPaginateError:
        pass
    else:
        asyncio.run(aclient.close())


_FAKE_ARGS = {
    "jobs": st.lists(
        st.dictionaries(st.sampled_from(["jobArn", "submitTime"]), _VALUES), max_size=2
    )
    | _VALUES,
    "region": _VALUES,
    "default_page_size": _VALUES,
    "seed": _VALUES,
    "error_type_style": _VALUES,
    "empty_last_page": _VALUES,
    "token_secret": _VALUES,
}


@FUZZ
@given(kwargs=st.fixed_dictionaries({}, optional=_FAKE_ARGS))
def test_fake_bedrock_constructor_raises_only_library_errors(kwargs: dict[str, Any]) -> None:
    """FakeBedrock(**kwargs) and FakeBedrockServer(fake, port=...): built, or a library error."""
    try:
        fake = FakeBedrock(**kwargs)
    except BedrockPaginateError:
        return
    for port in (0, -1, 70_000, "80"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                server = FakeBedrockServer(fake, port=port)  # type: ignore[arg-type]
        except BedrockPaginateError:
            continue
        server.close()


# --- watch: its arguments, against a fake on its own clock ----------------------------------

#: watch's flags, each with values that fit (so most command lines run the watch) besides the
#: extreme NUMBERS and WORDS; None marks a flag without value.
WATCH_FLAGS: dict[str, list[str] | None] = {
    "--job-identifier": ["JOB0", "JOB1", "abc123abc123", "arn:aws:bedrock:us-east-1:1:x"],
    "--submit-time-after": ["2026-02-28", "2026-03-01T00:00:00Z", "2030-01-01"],
    "--submit-time-before": ["2026-03-02", "2026-02-01T00:00:00Z", "1970-01-01"],
    "--status-equals": ["Submitted", "InProgress", "Completed", "Failed", "NewStatus"],
    "--name-contains": ["fuzz", "fuzz-1", "none", "%"],
    "--interval": ["1", "0.001", "5", "86400", "86401", "0"],
    "--output": ["json", "jsonl", "text", "table"],
    "--region": ["us-east-1", "eu-west-1"],
    "--query": ["status", "["],
    "--regions": ["us-east-1"],
    "--cli-input-json": ['{"interval": 2}', '{"untilDone": true}', '{"jobIdentifier": 1}'],
    "--generate-cli-skeleton": ["input", "output"],
    "--cli-read-timeout": ["1", "1e10"],
    "--color": ["on", "off"],
    "--debug": None,
    "--no-paginate": None,
    "--until-done": None,
}
WATCH_VALUES = st.sampled_from(NUMBERS + WORDS) | st.text(max_size=6)


@st.composite
def watch_arguments(draw: st.DrawFn) -> list[str]:
    """Up to four of watch's flags, each with a value that fits or an extreme one."""
    argv: list[str] = []
    for flag in draw(st.lists(st.sampled_from(sorted(WATCH_FLAGS)), max_size=4)):
        fits = WATCH_FLAGS[flag]
        argv.append(flag)
        if fits is not None:
            argv.append(draw(st.sampled_from(fits) | WATCH_VALUES))
    return argv


class _Runaway(BaseException):
    """watch --until-done kept polling past any job's end (not caught by the CLI)."""


class _Clock:
    """The fake's clock and watch's: each sleep moves it on by at least ten minutes, so every
    job of the fake (speed 600) ends within a few polls whatever --interval says."""

    def __init__(self) -> None:
        from datetime import datetime, timezone

        self.now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        self.sleeps = 0

    def __call__(self) -> Any:
        return self.now

    def sleep(self, seconds: float) -> None:
        from datetime import timedelta

        self.sleeps += 1
        if self.sleeps > 200:
            raise _Runaway
        self.now += timedelta(seconds=max(seconds, 600.0))


@settings(FUZZ, max_examples=40)
@given(
    tokens=watch_arguments(),
    fates=st.lists(st.sampled_from(["Completed", "PartiallyCompleted", "Failed"]), max_size=2),
)
def test_every_watch_command_line_ends_with_a_documented_exit_code(
    capsys: pytest.CaptureFixture[str], tokens: list[str], fates: list[str]
) -> None:
    """watch --until-done with any arguments, against a fake whose jobs end: exit 0, 3 (a job
    not Completed) or an error code -- never a traceback, ``unexpected error`` or endless
    polling."""
    from bedrock_paginate._cli_input import apply_cli_input
    from bedrock_paginate._cli_jobs import main as jobs_main

    clock = _Clock()
    fake = FakeBedrock(now=clock, speed=600)
    with FakeBedrockServer(fake) as server:
        created: list[str] = []
        with Client(endpoint_url=server.url, region_name="us-east-1") as client:
            for i, fate in enumerate(fates):
                arn = client.create_model_invocation_job(
                    jobName=f"fuzz-{i}",
                    roleArn="arn:aws:iam::123456789012:role/BatchRole",
                    modelId="anthropic.claude-3-haiku-20240307-v1:0",
                    inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://my-bucket/in/"}},
                    outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://my-bucket/out/"}},
                ).job_arn
                fake.set_job_fate(arn, outcome=fate, total=60, rate=60)
                created.append(arn)
        for i, arn in enumerate(created):
            tokens = [arn if t == f"JOB{i}" else t for t in tokens]
        argv = ["watch", "--until-done", "--endpoint-url", server.url, "--region", "us-east-1"]
        argv += tokens
        try:  # as cli.main: --cli-input-json / --generate-cli-skeleton first
            rewritten = apply_cli_input("watch", argv[1:])
            code = (
                rewritten
                if isinstance(rewritten, int)
                else jobs_main(
                    ["watch", *rewritten], "watch", isatty=lambda: False, sleep=clock.sleep,
                    now=clock,
                )
            )  # fmt: skip
        except _Runaway:
            pytest.fail(f"watch kept polling: {argv}")
    out, err = capsys.readouterr()
    event(f"exit {code}")
    assert code in (*EXIT_CODES, 3), (argv, err)
    if "--debug" not in argv:
        assert "Traceback" not in err, (argv, err)
    assert "unexpected error" not in err, (argv, err)
    assert "FAKEsecretFUZZcanary" not in out + err
