"""The command line of the batch-job operations and ``watch``, against a loopback fake."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bedrock_paginate import cli
from bedrock_paginate._cli_jobs import main as jobs_main
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer

ROLE = "arn:aws:iam::123456789012:role/BatchRole"
CREATE = [
    "create-model-invocation-job",
    "--job-name",
    "cli-1",
    "--role-arn",
    ROLE,
    "--model-id",
    "anthropic.claude-3-haiku-20240307-v1:0",
    "--input-data-config",
    "s3InputDataConfig={s3Uri=s3://my-bucket/in/,s3InputFormat=JSONL}",
]


class Clock:
    """The fake's clock, also watch's; watch's sleep advances it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        self.sleeps = 0

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> FakeBedrock:
    return FakeBedrock(now=clock, speed=60)


@pytest.fixture
def endpoint(fake: FakeBedrock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """Environment pointing the CLI at a loopback fake with example keys."""
    with FakeBedrockServer(fake) as server:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "fake",
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": server.url,
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }.items():
            monkeypatch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK"):
            monkeypatch.delenv(name, raising=False)
        yield server.url
        assert server.errors == []


def create(capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    argv = [
        *CREATE,
        "--output-data-config",
        '{"s3OutputDataConfig":{"s3Uri":"s3://my-bucket/out/"}}',
    ]
    assert cli.main([*argv, *extra]) == 0
    arn: str = json.loads(capsys.readouterr().out)["jobArn"]
    return arn


def test_create_get_stop(endpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    """create prints {"jobArn"}, get the AWS CLI's JSON of the job, stop prints nothing."""
    arn = create(capsys, "--tags", "key=team,value=ml", "--timeout-duration-in-hours", "24")
    assert cli.main(["get-model-invocation-job", "--job-identifier", arn]) == 0
    job = json.loads(capsys.readouterr().out)
    assert job["jobArn"] == arn
    assert job["status"] == "Submitted"
    assert job["submitTime"] == "2026-03-01T00:00:00+00:00"
    assert job["inputDataConfig"]["s3InputDataConfig"]["s3InputFormat"] == "JSONL"
    assert "ResponseMetadata" not in job
    assert cli.main(["stop-model-invocation-job", "--job-identifier", arn]) == 0
    assert capsys.readouterr().out == ""


def test_structure_values_from_files(
    endpoint: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """file:// reads a structure value from a file."""
    out = tmp_path / "out.json"
    out.write_text('{"s3OutputDataConfig": {"s3Uri": "s3://my-bucket/out/"}}')
    assert cli.main([*CREATE, "--output-data-config", f"file://{out}"]) == 0
    assert json.loads(capsys.readouterr().out)["jobArn"].startswith("arn:aws:bedrock:")


def test_exit_codes(endpoint: str, capsys: pytest.CaptureFixture[str], clock: Clock) -> None:
    """254 for service errors (AWS CLI wording), 252 for bad or missing flags."""
    assert cli.main(["get-model-invocation-job", "--job-identifier", "abcdefghijkl"]) == 254
    err = capsys.readouterr().err
    assert "An error occurred (ResourceNotFoundException) when calling the " in err
    assert "GetModelInvocationJob operation" in err
    assert cli.main(["get-model-invocation-job"]) == 252
    assert "--job-identifier" in capsys.readouterr().err
    assert cli.main([*CREATE, "--output-data-config", "{bad json"]) == 252
    assert "--output-data-config" in capsys.readouterr().err
    assert cli.main(["watch", "--regions", "us-east-1,us-west-2"]) == 252
    assert "--regions applies to list-model-invocation-jobs only" in capsys.readouterr().err
    assert cli.main(["watch", "--query", "jobs"]) == 252
    assert "--query does not apply to watch" in capsys.readouterr().err
    arn = create(capsys)
    clock.now += timedelta(hours=2)
    assert cli.main(["stop-model-invocation-job", "--job-identifier", arn]) == 254
    assert "ConflictException" in capsys.readouterr().err


def test_get_text_table_and_query(endpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--output text/table and --query work as for the listing."""
    arn = create(capsys)
    argv = ["get-model-invocation-job", "--job-identifier", arn]
    assert cli.main([*argv, "--query", "status", "--output", "text"]) == 0
    assert capsys.readouterr().out == "Submitted\n"
    assert cli.main([*argv, "--output", "table"]) == 0
    table = capsys.readouterr().out
    assert "GetModelInvocationJob" in table
    assert "| status " in table


# --- watch ---------------------------------------------------------------------------------


def watch(
    argv: list[str], clock: Clock, *, tty: bool = False, sleep: Any = None
) -> tuple[int, str]:
    out = io.StringIO()
    code = jobs_main(
        ["watch", *argv],
        "watch",
        isatty=lambda: tty,
        stdout=out,
        sleep=sleep or clock.sleep,
        now=clock,
    )
    return code, out.getvalue()


def test_watch_until_done_one_line_per_change(
    endpoint: str, fake: FakeBedrock, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not a TTY: one line per change, ending Completed; exit 0 when all Completed."""
    arn = create(capsys)
    fake.set_job_fate(arn, outcome="Completed", total=600, rate=60)
    code, out = watch(["--job-identifier", arn, "--until-done", "--interval", "2"], clock)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].endswith("cli-1 seen Submitted")
    assert any("Submitted -> Validating" in line for line in lines)
    assert "InProgress -> Completed records 600/600 (ok 600, failed 0)" in lines[-1]
    assert "all 1 jobs Completed" in capsys.readouterr().err


def test_watch_exits_3_naming_jobs_that_did_not_complete(
    endpoint: str, fake: FakeBedrock, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    """--until-done: a Failed job gives exit 3 and a summary naming it."""
    arn = create(capsys)
    fake.set_job_fate(arn, outcome="Failed", total=600, rate=60)
    code, _ = watch(["--job-identifier", arn, "--until-done", "--interval", "10"], clock)
    assert code == 3
    assert "not Completed: cli-1 (Failed)" in capsys.readouterr().err


def test_watch_jsonl_events(
    endpoint: str, fake: FakeBedrock, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    """--output jsonl: one JSON event per change, old and new status, counts, time."""
    arn = create(capsys)
    fake.set_job_fate(arn, outcome="PartiallyCompleted", total=600, rate=60)
    code, out = watch(
        ["--job-identifier", arn, "--until-done", "--output", "jsonl", "--interval", "1"], clock
    )
    events = [json.loads(line) for line in out.splitlines()]
    assert code == 3
    assert events[0]["oldStatus"] is None
    assert events[0]["newStatus"] == "Submitted"
    assert events[-1]["newStatus"] == "PartiallyCompleted"
    assert events[-1]["finished"] is True
    assert events[-1]["errorRecordCount"] > 0
    moves = [(e["oldStatus"], e["newStatus"]) for e in events if e["oldStatus"] != e["newStatus"]]
    assert moves[1:] == [
        ("Submitted", "Validating"),
        ("Validating", "Scheduled"),
        ("Scheduled", "InProgress"),
        ("InProgress", "PartiallyCompleted"),
    ]


def test_watch_default_shows_unfinished_jobs_and_new_ones_appear(
    endpoint: str, fake: FakeBedrock, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without filters: every unfinished job; a job created while watching appears."""
    first = create(capsys)
    fake.set_job_fate(first, outcome="Completed", total=600, rate=60)

    def sleep_then_submit(seconds: float) -> None:
        if clock.sleeps == 1:
            argv = [
                *CREATE[:2],
                "cli-2",
                *CREATE[3:],
                "--output-data-config",
                "s3OutputDataConfig={s3Uri=s3://my-bucket/out/}",
            ]
            assert cli.main(argv) == 0
            second = json.loads(capsys.readouterr().out)["jobArn"]
            fake.set_job_fate(second, outcome="Completed", total=600, rate=600)
        clock.sleep(seconds)

    code, out = watch(["--until-done", "--interval", "1"], clock, sleep=sleep_then_submit)
    assert code == 0
    assert out.index("cli-1 seen Submitted") < out.index("cli-2 seen Validating")
    assert "cli-2 InProgress -> Completed" in out
    assert "all 2 jobs Completed" in capsys.readouterr().err


def test_watch_tty_redraws_in_place_and_ctrl_c_exits_130(
    endpoint: str, fake: FakeBedrock, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a TTY: the view is redrawn in place (cursor up, clear); Ctrl-C keeps the last view
    on screen, shows the cursor again and exits 130."""
    arn = create(capsys)
    fake.set_job_fate(arn, outcome="Completed", total=6000, rate=60)

    def sleep(seconds: float) -> None:
        if clock.sleeps == 3:
            raise KeyboardInterrupt
        clock.sleep(seconds)

    code, out = watch(["--job-identifier", arn, "--interval", "20"], clock, tty=True, sleep=sleep)
    assert code == 130
    assert out.startswith("\x1b[?25l")  # cursor hidden while drawing
    assert out.count("\x1b[3F\x1b[J") == 3  # three redraws of header, row, footer
    assert out.endswith("\x1b[?25h")
    last_view = out.rsplit("\x1b[J", 1)[1]
    assert "cli-1" in last_view
    assert "InProgress" in last_view
    assert "1 jobs, 0 finished" in last_view


def test_watch_replays_a_recorded_lifecycle_offline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--replay: watch follows fixtures/job-lifecycle.json with no endpoint nor credentials."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "job-lifecycle.json"
    arn = json.loads(fixture.read_text())["interactions"][0]["response"]["body"]["jobArn"]
    argv = ["--replay", str(fixture), "--job-identifier", arn, "--until-done", "--interval", "60"]
    code, out = watch(argv, Clock())
    moves = [line.split(" ", 2)[2] for line in out.splitlines()]
    assert code == 0
    assert moves[0] == "seen Submitted"
    assert moves[-1] == "InProgress -> Completed records 1,200/1,200 (ok 1,200, failed 0)"
    assert "all 1 jobs Completed" in capsys.readouterr().err


def test_watch_rides_out_a_throttled_poll(
    endpoint: str,
    fake: FakeBedrock,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A poll throttled past the client's retries is reported on stderr and retried at the
    next interval; the watch still ends with the job's final state."""
    from bedrock_paginate.testing import Fault

    arn = create(capsys)
    fake.set_job_fate(arn, outcome="Completed", total=600, rate=600)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    fake.inject(Fault.throttle(), times=1)
    code, out = watch(["--job-identifier", arn, "--until-done", "--interval", "30"], clock)
    err = capsys.readouterr().err
    assert code == 0
    assert "poll failed, retrying in 30 s" in err
    assert "ThrottlingException" in err
    assert out.splitlines()[-1].endswith("cli-1 seen Completed records 600/600 (ok 600, failed 0)")


@pytest.mark.parametrize(
    ("extra", "flag", "detail"),
    [
        (["--timeout-duration-in-hours", "0"], "--timeout-duration-in-hours", "24 and 168"),
        (["--tags", "key=a"], "--tags", '"value"'),
        (["--tags", "key=a,value=b", "key=c!,value=d"], "--tags", "tags[1].key"),
        (["--vpc-config", "subnetIds=s-1"], "--vpc-config", "securityGroupIds"),
        (["--client-request-token", "a--"], "--client-request-token", "letters and digits"),
        (["--job-name=-bad"], "--job-name", "letter or digit"),
        (["--role-arn", "role"], "--role-arn", "IAM role ARN"),
        (
            ["--input-data-config", "s3InputDataConfig={s3Uri=http://x}"],
            "--input-data-config",
            "s3Uri",
        ),
    ],
)
def test_a_bad_create_value_is_named_by_its_flag(
    endpoint: str,
    fake: FakeBedrock,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    flag: str,
    detail: str,
) -> None:
    """CLI errors speak in CLI flags: the value refused before sending is named by the flag
    that gave it (and the member path inside it), exit 252, no request, no traceback."""
    argv = [*CREATE, "--output-data-config", "s3OutputDataConfig={s3Uri=s3://my-bucket/out/}"]
    assert cli.main([*argv, *extra]) == 252
    err = capsys.readouterr().err
    assert err.startswith(f"bedrock-paginate: error: argument {flag}: "), err
    assert detail in err
    assert "Traceback" not in err
    assert fake.request_count == 0


def test_a_bad_watch_or_get_value_is_named_by_its_flag(
    endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same for get/stop's --job-identifier and watch's filters."""
    for argv, flag in [
        (["get-model-invocation-job", "--job-identifier", ".."], "--job-identifier"),
        (["stop-model-invocation-job", "--job-identifier", "x" * 1012], "--job-identifier"),
        (["watch", "--job-identifier", ""], "--job-identifier"),
        (["watch", "--name-contains", "a b"], "--name-contains"),
    ]:
        assert cli.main(argv) == 252, argv
        err = capsys.readouterr().err
        assert err.startswith("bedrock-paginate: error: "), err
        assert flag in err.splitlines()[0], err


@pytest.mark.parametrize(
    "fault",
    [
        ("error", "InternalServerException", 500),
        ("html", "", 503),
        ("error", "ServiceUnavailableException", 503),
    ],
    ids=["InternalServerException", "html-503", "ServiceUnavailable"],
)
def test_watch_rides_out_a_server_error(
    endpoint: str,
    fake: FakeBedrock,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fault: tuple[str, str, int],
) -> None:
    """A watch of hours is not ended by one 5xx poll the client gave up on: it is reported
    and polled again at the next interval, as a throttled one."""
    from bedrock_paginate.testing import Fault

    kind, code, status = fault
    arn = create(capsys)
    fake.set_job_fate(arn, outcome="Completed", total=600, rate=600)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    fake.inject(Fault.status(status) if kind == "html" else Fault.error(code, status, "down"))
    exit_code, out = watch(["--job-identifier", arn, "--until-done", "--interval", "30"], clock)
    err = capsys.readouterr().err
    assert exit_code == 0, err
    assert "poll failed, retrying in 30 s" in err
    assert out.splitlines()[-1].endswith("cli-1 seen Completed records 600/600 (ok 600, failed 0)")


def test_watch_still_ends_on_a_client_error(
    endpoint: str, fake: FakeBedrock, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 4xx that retrying cannot mend (a ValidationException) ends the watch with 254."""
    from bedrock_paginate.testing import Fault

    arn = create(capsys)
    fake.inject(Fault.error("ValidationException", 400, "no"))
    exit_code, _ = watch(["--job-identifier", arn, "--until-done", "--interval", "30"], clock)
    assert exit_code == 254
    assert "ValidationException" in capsys.readouterr().err


SECRET_CANARY = "FAKESECRETCANARY/abc+def0123456789xyz"
TOKEN_CANARY = "FAKETOKENCANARY/ghi+jkl=mno0123456789"


@pytest.mark.parametrize("output", ["text", "jsonl"])
def test_no_secret_in_watch_or_job_command_output(
    endpoint: str,
    fake: FakeBedrock,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    output: str,
) -> None:
    """Secret key and session token never reach stdout or stderr of create, get and watch
    (with --debug), even when the service echoes them in an error that watch reports and
    rides out, or that ends a get."""
    from urllib.parse import quote

    from bedrock_paginate.testing import Fault

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_CANARY)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN_CANARY)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    echo = f"bad: {SECRET_CANARY} {TOKEN_CANARY} {quote(TOKEN_CANARY, safe='')}"
    arn = create(capsys, "--debug")
    fake.set_job_fate(arn, outcome="Completed", total=600, rate=600)
    fake.inject(Fault.error("InternalServerException", 500, echo))
    code, out = watch(
        [
            "--job-identifier",
            arn,
            "--until-done",
            "--interval",
            "30",
            "--output",
            output,
            "--debug",
        ],
        clock,
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "poll failed" in err
    assert "[redacted]" in err
    fake.inject(Fault.error("ValidationException", 400, echo))
    assert cli.main(["get-model-invocation-job", "--job-identifier", arn, "--debug"]) == 254
    captured = capsys.readouterr()
    everything = out + err + captured.out + captured.err
    for secret in (SECRET_CANARY, TOKEN_CANARY):
        for form in (secret, quote(secret, safe=""), json.dumps(secret)[1:-1]):
            assert form not in everything


def test_cli_create_retried_after_a_500_and_a_lost_answer_makes_one_job(
    endpoint: str, fake: FakeBedrock, capsys: pytest.CaptureFixture[str]
) -> None:
    """create without --client-request-token: a 500, then an answer cut off after the job was
    made, then success: the three attempts carry one generated token, so exactly one job."""
    from bedrock_paginate.testing import Fault

    fake.inject(Fault.status(500), times=1)
    fake.inject(Fault.cut_body(), times=1)
    arn = create(capsys)
    assert [r.status for r in fake.requests] == [500, 200, 200]
    assert [job["jobArn"] for job in fake.jobs] == [arn]


@pytest.mark.parametrize("command", ["get", "watch"])
def test_a_full_disk_is_a_clear_output_error(
    endpoint: str, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """> /dev/full: exit 255 with "could not write the output", never "unexpected error"."""
    import os
    import subprocess
    import sys

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    arn = create(capsys)
    argv = (
        ["get-model-invocation-job", "--job-identifier", arn]
        if command == "get"
        else ["watch", "--job-identifier", arn, "--interval", "0.01"]
    )
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root))
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "bedrock_paginate", *argv],
            stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 255, done.stderr
    assert "could not write the output: No space left on device" in done.stderr
    assert "unexpected error" not in done.stderr
    assert "Traceback" not in done.stderr
