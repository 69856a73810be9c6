"""``--regions``: several regions listed concurrently from the command line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bedrock_paginate import cli
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, Fault, generate_jobs
from tests.support import isolated_aws_env

SECRET = "FAKEsecretREGIONScanary0123456789"
CMD = "list-model-invocation-jobs"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake keys, private config files, no retries, no IMDS."""
    isolated_aws_env(monkeypatch, tmp_path, secret=SECRET, region=None)


@pytest.fixture
def fake() -> FakeBedrock:
    """Seven generated jobs."""
    return FakeBedrock(jobs=generate_jobs(7, seed=3))


@pytest.fixture
def url(fake: FakeBedrock) -> Iterator[str]:
    """A loopback server for ``fake`` (every region points at it)."""
    with FakeBedrockServer(fake) as server:
        yield server.url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``main(argv)``: (exit code, stdout, stderr); the secret never shows."""
    code = cli.main(list(argv), isatty=lambda: False)
    out, err = capsys.readouterr()
    assert SECRET not in out
    assert SECRET not in err
    return code, out, err


def test_jsonl_tags_every_job_with_its_region(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """Each region's full listing is printed, every line tagged with its region."""
    code, out, _ = run(
        capsys, CMD, "--endpoint-url", url, "--regions", "us-east-1,us-west-2", "--output", "jsonl"
    )
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    expected = [job["jobArn"] for job in fake.expected()]
    for region in ("us-east-1", "us-west-2"):
        assert [x["jobArn"] for x in lines if x["region"] == region] == expected
    assert len(lines) == 2 * len(expected)


def test_table_has_a_region_column(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """The table output gains a Region column with --regions."""
    code, out, _ = run(
        capsys, CMD, "--endpoint-url", url, "--regions", "eu-west-1,us-east-1", "--output", "table"
    )
    assert code == 0
    assert "| Region" in out
    first_cells = [line.split("|")[1].strip() for line in out.splitlines() if line.startswith("| ")]
    assert first_cells.count("eu-west-1") == len(fake.jobs)
    assert first_cells.count("us-east-1") == len(fake.jobs)


def test_one_failing_region_keeps_the_others_and_says_how_to_resume(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """A region that fails is reported with a resume line; the other region's jobs all print."""
    fake.inject(Fault.access_denied(), at=0)
    code, out, err = run(
        capsys,
        CMD,
        "--endpoint-url",
        url,
        "--regions",
        "us-east-1,us-west-2",
        "--output",
        "jsonl",
        "--page-size",
        "3",
    )
    assert code == 254
    failed = re.findall(r"^region (\S+): An error occurred \(AccessDeniedException\)", err, re.M)
    assert len(failed) == 1
    ok_region = ({"us-east-1", "us-west-2"} - set(failed)).pop()
    lines = [json.loads(line) for line in out.splitlines()]
    expected = [job["jobArn"] for job in fake.expected()]
    assert [x["jobArn"] for x in lines if x["region"] == ok_region] == expected
    assert not [x for x in lines if x["region"] == failed[0]]
    token = re.search(
        rf"^resume {failed[0]} with --regions {failed[0]} --starting-token (\S+)$", err, re.M
    )
    assert token is not None
    code, out, _ = run(
        capsys,
        CMD,
        "--endpoint-url",
        url,
        "--regions",
        failed[0],
        "--starting-token",
        token.group(1),
        "--output",
        "jsonl",
        "--page-size",
        "3",
    )
    assert code == 0
    assert [json.loads(line)["jobArn"] for line in out.splitlines()] == expected


def test_max_items_applies_per_region_and_prints_continuations(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--max-items stops each region early and prints how to continue each one."""
    code, out, err = run(
        capsys,
        CMD,
        "--endpoint-url",
        url,
        "--regions",
        "us-east-1,us-west-2",
        "--max-items",
        "2",
        "--output",
        "jsonl",
    )
    assert code == 0
    assert len(out.splitlines()) == 4
    assert (
        len(re.findall(r"^continue \S+ with --regions \S+ --starting-token \S+$", err, re.M)) == 2
    )


@pytest.mark.parametrize(
    ("extra", "conflict"),
    [
        (["--region", "us-east-1"], "--region"),
        (["--no-paginate"], "--no-paginate"),
        (["--starting-token", "abc"], "--starting-token with more than one region"),
    ],
)
def test_conflicting_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], url: str, extra: list[str], conflict: str
) -> None:
    """--regions with an option it cannot go with exits 252 naming the option."""
    code, out, err = run(
        capsys, CMD, "--endpoint-url", url, "--regions", "us-east-1,us-west-2", *extra
    )
    assert code == 252
    assert out == ""
    assert conflict in err


def test_empty_region_list_is_a_usage_error(capsys: pytest.CaptureFixture[str], url: str) -> None:
    """--regions with nothing in it exits 252."""
    code, _, err = run(capsys, CMD, "--endpoint-url", url, "--regions", " , ")
    assert code == 252
    assert "comma-separated list of regions" in err
