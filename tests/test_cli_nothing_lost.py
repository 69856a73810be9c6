""" "Nothing lost": whatever stops the CLI (a broken output, Ctrl-C, a service error), what was
printed plus what the resume lines return is exactly the listing -- every format, one region or
several, against the loopback fake Bedrock.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bedrock_paginate import cli
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, Fault, generate_jobs
from tests.support import isolated_aws_env

ROOT = Path(__file__).resolve().parent.parent
CMD = "list-model-invocation-jobs"
JOBS = 13
REGIONS = ("us-east-1", "us-west-2")
FORMATS = ("json", "text", "table", "jsonl")
_ARN = re.compile(r"arn:aws:bedrock:[^\t\n|]*:model-invocation-job/[^\t\n| ]+")


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake keys, private config files, no retries, no IMDS."""
    isolated_aws_env(
        monkeypatch, tmp_path, secret="FAKEsecretNOTHINGLOSTcanary", region="us-east-1"
    )


class BreakingStdout(io.TextIOBase):
    """A stdout that takes ``budget`` characters, then fails with ``how`` (after writing a
    strict prefix of the failing write). ``complete`` holds the writes it took whole."""

    def __init__(self, budget: int, how: str) -> None:
        super().__init__()
        self.budget = budget
        self.how = how
        self.complete: list[str] = []
        self.broke = False

    def write(self, text: str) -> int:
        if self.broke and self.how == "epipe":
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")
        if len(text) <= self.budget:
            self.budget -= len(text)
            self.complete.append(text)
            return len(text)
        self.broke = True
        self.budget = 0
        if self.how == "ctrl-c":
            raise KeyboardInterrupt
        if self.how == "epipe":
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None:
        if self.broke and self.how == "epipe":
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def printed(fmt: str, text: str) -> list[tuple[str, str]]:
    """(region or '', ARN or job name) of every job in ``text``, in order."""
    if not text:
        return []
    if fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
        return [(row.get("region", ""), row["jobArn"]) for row in rows]
    if fmt == "json":
        rows = json.loads(text)["invocationJobSummaries"]
        return [(row.get("region", ""), row["jobArn"]) for row in rows]
    if fmt == "text":
        found = []
        for line in text.splitlines():
            arn = _ARN.search(line)
            if line.startswith("INVOCATIONJOBSUMMARIES") and arn is not None:
                region = next((r for r in REGIONS if f"\t{r}\t" in line + "\t"), "")
                found.append((region, arn.group(0)))
        return found
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.count("|") > 2]
    header = [cell.strip() for cell in rows[0]]
    cells = [[cell.strip() for cell in row] for row in rows[1:]]
    name_at = header.index("Name")
    region_at = header.index("Region") if "Region" in header else None
    return [("" if region_at is None else row[region_at], row[name_at]) for row in cells]


def run(argv: list[str], stdout: Any) -> tuple[int, str]:
    """main(argv) with ``stdout``; returns (exit code, stderr)."""
    err = io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, err
    try:
        code = cli.main(argv, isatty=lambda: False)
    finally:
        sys.stdout, sys.stderr = old
    return code, err.getvalue()


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeBedrock, str]]:
    """One fake for the module (faults are injected per example, then cleared)."""
    fake = FakeBedrock(jobs=generate_jobs(JOBS, seed=11))
    with FakeBedrockServer(fake) as running:
        yield fake, running.url


def _key(fmt: str, job: dict[str, Any]) -> str:
    return str(job["jobName"] if fmt == "table" else job["jobArn"])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    fmt=st.sampled_from(FORMATS),
    regions=st.sampled_from([None, REGIONS]),
    page_size=st.integers(2, 6),
    budget=st.integers(0, 9_000),
    how=st.sampled_from(["enospc", "epipe", "ctrl-c"]),
    fault_at=st.none() | st.integers(0, 6),
)
def test_printed_plus_resumed_is_exactly_the_listing(
    server: tuple[FakeBedrock, str],
    fmt: str,
    regions: tuple[str, ...] | None,
    page_size: int,
    budget: int,
    how: str,
    fault_at: int | None,
) -> None:
    """Break stdout after a random number of characters (and maybe fail a request): the jobs
    printed whole, plus those the resume lines (or a rerun, when there is none) list, are the
    listing, each once and in order."""
    fake, url = server
    fake.clear_faults()
    if fault_at is not None:
        fake.inject(Fault.access_denied(), at=fake.request_count + fault_at)
    base = [CMD, "--endpoint-url", url, "--output", fmt, "--page-size", str(page_size)]
    where = [("", r) for r in ([""] if regions is None else regions)]
    argv = base + ([] if regions is None else ["--regions", ",".join(regions)])
    stdout = BreakingStdout(budget, how)
    code, err = run(argv, stdout)
    fake.clear_faults()
    got = printed(fmt, "".join(stdout.complete))
    expected = [(region, _key(fmt, job)) for _, region in where for job in fake.expected()]
    if code == 0 and not stdout.broke:
        assert sorted(got) == sorted(expected)
        return
    assert code in (0, 130, 254, 255), err
    assert "Traceback" not in err
    assert "unexpected error" not in err
    if regions is None:
        tokens = re.findall(r"^resume with --starting-token (\S+)$", err, re.M)
        assert len(tokens) <= 1, err
        again = base + (["--starting-token", tokens[0]] if tokens else [])
        code, _ = run(again, out := io.StringIO())
        assert code == 0
        assert got + printed(fmt, out.getvalue()) == expected
        return
    lines = dict(re.findall(r"^resume (\S+) with --regions \S+ --starting-token (\S+)$", err, re.M))
    for region in regions:
        mine = [job for job in got if job[0] == region]
        rest: list[tuple[str, str]] = []
        if region in lines:
            again = [*base, "--regions", region, "--starting-token", lines[region]]
            code, _ = run(again, out := io.StringIO())
            assert code == 0
            rest = printed(fmt, out.getvalue())
        assert mine + rest == [job for job in expected if job[0] == region], (region, err)


def _jsonl_arns(text: str) -> list[str]:
    return [json.loads(line)["jobArn"] for line in text.splitlines()]


@pytest.mark.parametrize("fmt", FORMATS)
def test_dev_full_prints_no_resume_line_past_the_end(
    server: tuple[FakeBedrock, str], tmp_path: Path, fmt: str
) -> None:
    """> /dev/full (a real file descriptor): exit 255, "could not write the output", and no
    resume line pointing past jobs that never reached the output."""
    _, url = server
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "bedrock_paginate", CMD, "--endpoint-url", url,
             "--output", fmt, "--page-size", "5"],
            stdout=full, stderr=subprocess.PIPE, text=True, env=env, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 255, done.stderr
    assert "could not write the output: No space left on device" in done.stderr
    assert "Traceback" not in done.stderr
    assert "resume with" not in done.stderr  # nothing reached the output: rerun the command


def test_closed_pipe_mid_listing_says_where_to_resume() -> None:
    """| head -n 3 (a real pipe, a listing larger than the pipe holds): exit 0 without an error
    message, and a resume line that continues where the writes into the pipe stopped."""
    fake = FakeBedrock(jobs=generate_jobs(400, seed=5))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with FakeBedrockServer(fake) as server:
        argv = [CMD, "--endpoint-url", server.url, "--output", "jsonl", "--page-size", "50"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "bedrock_paginate", *argv],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        assert proc.stdout is not None
        assert proc.stderr is not None
        head = [proc.stdout.readline() for _ in range(3)]
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
        assert proc.wait(timeout=60) == 0
        assert "Traceback" not in err
        assert "error" not in err
        token = re.findall(r"^resume with --starting-token (\S+)$", err, re.M)
        assert len(token) == 1, err
        rest = io.StringIO()
        assert run([*argv, "--starting-token", token[0]], rest)[0] == 0
    arns = [job["jobArn"] for job in fake.expected()]
    resumed = _jsonl_arns(rest.getvalue())
    assert _jsonl_arns("".join(head)) == arns[:3]
    # What the pipe held but the reader never read is gone with the reader; the rest resumes.
    assert 0 < len(resumed) < len(arns) - 3
    assert resumed == arns[len(arns) - len(resumed) :]


def test_ctrl_c_during_the_final_json_write_resumes_at_the_start(
    server: tuple[FakeBedrock, str],
) -> None:
    """Ctrl-C while the buffered json document is written: no resume line past the end."""
    _, url = server
    stdout = BreakingStdout(10, "ctrl-c")
    code, err = run([CMD, "--endpoint-url", url, "--page-size", "4"], stdout)
    assert code == 130
    assert "resume with" not in err


@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process")
def test_ctrl_c_while_a_write_is_blocked_on_a_full_pipe_loses_nothing() -> None:
    """A real pipe that nobody reads fills up and blocks the write; Ctrl-C then ends the run
    at once (exit 130), and what the pipe got plus what the resume line lists is the listing."""
    import signal
    import threading
    import time

    fake = FakeBedrock(jobs=generate_jobs(600, seed=9))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with FakeBedrockServer(fake) as server:
        argv = [CMD, "--endpoint-url", server.url, "--output", "jsonl", "--page-size", "300"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "bedrock_paginate", *argv],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        assert proc.stdout is not None
        assert proc.stderr is not None
        time.sleep(3)  # the first page fills the pipe: the write blocks
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        chunks: list[bytes] = []
        reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read()))  # type: ignore[union-attr]
        code = proc.wait(timeout=30)  # ends without anyone reading the pipe
        reader.start()
        reader.join(timeout=30)
        err = proc.stderr.read().decode()
        proc.stdout.close()
        proc.stderr.close()
        assert code == 130, err
        token = re.findall(r"^resume with --starting-token (\S+)$", err, re.M)
        assert len(token) == 1, err
        rest = io.StringIO()
        assert run([*argv, "--starting-token", token[0]], rest)[0] == 0
    text = b"".join(chunks).decode()
    complete = text[: text.rfind("\n") + 1]  # a job cut by the pipe is not printed
    arns = [job["jobArn"] for job in fake.expected()]
    assert _jsonl_arns(complete) + _jsonl_arns(rest.getvalue()) == arns
