"""The pytest plugin (``bedrock_paginate.pytest_plugin``), run inside pytester: the marker, the
``bedrock_client`` / ``bedrock_async_client`` fixtures, fixture directories, strict mode and the
record modes (recording against a loopback fake Bedrock configured through the environment)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, generate_jobs

pytest_plugins = ["pytester"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SECRET = "FAKEpluginSECRETcanary/0123456789abcdefgh"
# Once the package is installed, the pytest11 entry point loads the plugin by itself.
_INSTALLED = any(
    ep.value == "bedrock_paginate.pytest_plugin" for ep in entry_points(group="pytest11")
)
PLUGIN = [] if _INSTALLED else ["-p", "bedrock_paginate.pytest_plugin"]
# The hypothesis plugin costs most of a second per in-process run and is not needed inside.
STRICT = ["--strict-markers", "-W", "error", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"]

LIST_TEST = """
import asyncio
import pytest

@pytest.mark.bedrock_fixture("list.json")
def test_sync(bedrock_client):
    jobs = list(bedrock_client.get_paginator("list_model_invocation_jobs").paginate().jobs())
    assert len(jobs) == 10

@pytest.mark.bedrock_fixture("list.json")
def test_async(bedrock_async_client):
    async def main():
        pages = bedrock_async_client.get_paginator("list_model_invocation_jobs").paginate()
        return [job async for job in pages.jobs()]
    assert len(asyncio.run(main())) == 10
"""


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*PLUGIN, *STRICT, *args)


@pytest.fixture
def listing(pytester: pytest.Pytester) -> Path:
    """The shipped three-page fixture, copied next to the test files as list.json."""
    target = pytester.path / "list.json"
    shutil.copy(FIXTURES / "list-multi-page.json", target)
    return target


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS configuration from the machine running the tests."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))


def test_marker_and_fixtures_replay(
    pytester: pytest.Pytester, listing: Path, clean_env: None
) -> None:
    """bedrock_client and bedrock_async_client replay the marked file, with no credentials."""
    pytester.makepyfile(test_list=LIST_TEST)
    _run(pytester).assert_outcomes(passed=2)


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    """``pytest --markers`` lists bedrock_fixture, so --strict-markers accepts it."""
    result = _run(pytester, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.bedrock_fixture(name, *, any_order=False*"])


def test_missing_marker_is_a_clear_error(pytester: pytest.Pytester) -> None:
    """Using bedrock_client without the marker errors with an example of the marker."""
    pytester.makepyfile(test_x="def test_x(bedrock_client):\n    pass\n")
    result = _run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ['*bedrock_client and bedrock_async_client need*bedrock_fixture("list-jobs.json")*']
    )


def test_unknown_marker_argument_is_an_error(pytester: pytest.Pytester, listing: Path) -> None:
    """A misspelt marker keyword is reported instead of ignored."""
    pytester.makepyfile(
        test_x="""
import pytest
@pytest.mark.bedrock_fixture("list.json", anyorder=True)
def test_x(bedrock_client):
    pass
"""
    )
    result = _run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*takes any_order= and strict=, not *anyorder*"])


def test_missing_file_in_replay_mode_says_how_to_record(pytester: pytest.Pytester) -> None:
    """With record mode none, a missing file fails and names --bedrock-record-mode=once."""
    pytester.makepyfile(test_list=LIST_TEST)
    result = _run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        ["*list.json* does not exist; record it with --bedrock-record-mode=once*"]
    )


def test_fixtures_dir_option_and_ini(pytester: pytest.Pytester, clean_env: None) -> None:
    """--bedrock-fixtures-dir, then ini bedrock_fixtures_dir, locate the files."""
    data = pytester.mkdir("data")
    shutil.copy(FIXTURES / "list-multi-page.json", data / "list.json")
    pytester.makepyfile(test_list=LIST_TEST)
    _run(pytester).assert_outcomes(errors=2)
    _run(pytester, "--bedrock-fixtures-dir", "data").assert_outcomes(passed=2)
    pytester.makeini("[pytest]\nbedrock_fixtures_dir = data\n")
    _run(pytester).assert_outcomes(passed=2)


STRICT_TEST = """
import pytest

@pytest.mark.bedrock_fixture("list.json"{extra})
def test_first_page_only(bedrock_client):
    page = bedrock_client.list_model_invocation_jobs()
    assert len(page.invocation_job_summaries) == 4
"""


@pytest.mark.parametrize(
    ("extra", "args", "ini"),
    [
        (", strict=True", (), ""),
        ("", ("--bedrock-strict",), ""),
        ("", (), "[pytest]\nbedrock_strict = true\n"),
    ],
)
def test_strict_mode_fails_on_unused_interactions(
    pytester: pytest.Pytester,
    listing: Path,
    clean_env: None,
    extra: str,
    args: tuple[str, ...],
    ini: str,
) -> None:
    """Marker strict=True, --bedrock-strict or ini bedrock_strict: unused interactions error."""
    if ini:
        pytester.makeini(ini)
    pytester.makepyfile(test_strict=STRICT_TEST.format(extra=extra))
    result = _run(pytester, *args)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*FixtureMismatchError: 2 of 3 recorded interactions*"])


def test_strict_mode_is_off_by_default_and_per_marker(
    pytester: pytest.Pytester, listing: Path, clean_env: None
) -> None:
    """Without strictness unused interactions pass; strict=False on the marker wins."""
    pytester.makepyfile(test_strict=STRICT_TEST.format(extra=""))
    _run(pytester).assert_outcomes(passed=1)
    pytester.makepyfile(test_strict=STRICT_TEST.format(extra=", strict=False"))
    _run(pytester, "--bedrock-strict").assert_outcomes(passed=1)


def test_strict_check_skipped_when_the_test_failed(
    pytester: pytest.Pytester, listing: Path, clean_env: None
) -> None:
    """A failing test reports its own failure, not also the unused interactions."""
    pytester.makepyfile(
        test_fail="""
import pytest
@pytest.mark.bedrock_fixture("list.json", strict=True)
def test_fails(bedrock_client):
    bedrock_client.list_model_invocation_jobs()
    assert False, "own failure"
"""
    )
    _run(pytester).assert_outcomes(failed=1)


def test_any_order_marker(pytester: pytest.Pytester, listing: Path, clean_env: None) -> None:
    """any_order=True lets a test start from the second page; in order it fails clearly."""
    token = json.loads(listing.read_text())["interactions"][1]["request"]["query"][0][1]
    body = f"""
import pytest
from bedrock_paginate.fixtures import FixtureMismatchError

@pytest.mark.bedrock_fixture("list.json", any_order=True)
def test_any(bedrock_client):
    assert len(bedrock_client.list_model_invocation_jobs(nextToken={token!r})) == 4

@pytest.mark.bedrock_fixture("list.json")
def test_in_order(bedrock_client):
    with pytest.raises(FixtureMismatchError, match="expected next: #0"):
        bedrock_client.list_model_invocation_jobs(nextToken={token!r})
"""
    pytester.makepyfile(test_order=body)
    _run(pytester).assert_outcomes(passed=2)


# --- record modes ------------------------------------------------------------------------------


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> Iterator[FakeBedrock]:
    """A fake Bedrock on loopback, configured through the standard AWS environment variables."""
    fake = FakeBedrock(
        jobs=generate_jobs(10, seed=1),
        default_page_size=4,
        check_sigv4=True,
        credentials={"AKIDEXAMPLE": SECRET},
    )
    with FakeBedrockServer(fake) as server:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", server.url)
        yield fake


RECORD_TEST = """
import asyncio
import pytest

@pytest.mark.bedrock_fixture("recorded/sync.json")
def test_sync(bedrock_client):
    jobs = list(bedrock_client.get_paginator("list_model_invocation_jobs").paginate().jobs())
    assert len(jobs) == 10

@pytest.mark.bedrock_fixture("recorded/async.json")
def test_async(bedrock_async_client):
    async def main():
        async with bedrock_async_client as client:
            pages = client.get_paginator("list_model_invocation_jobs").paginate(
                PaginationConfig={"MaxItems": 5}
            )
            return [job async for job in pages.jobs()]
    assert len(asyncio.run(main())) == 5
"""


def test_record_mode_once_records_missing_files_then_replays(
    pytester: pytest.Pytester, aws_env: FakeBedrock
) -> None:
    """once: files are recorded from the real config chain, and replayed on the next run."""
    pytester.makepyfile(test_rec=RECORD_TEST)
    _run(pytester, "--bedrock-record-mode=once").assert_outcomes(passed=2)
    sync_file = pytester.path / "recorded" / "sync.json"
    async_file = pytester.path / "recorded" / "async.json"
    assert len(json.loads(sync_file.read_text())["interactions"]) == 3
    assert len(json.loads(async_file.read_text())["interactions"]) == 2
    for path in (sync_file, async_file):
        text = path.read_text()
        assert SECRET not in text
        assert "Signature=" not in text
    requests = aws_env.request_count
    _run(pytester, "--bedrock-record-mode=once").assert_outcomes(passed=2)
    _run(pytester).assert_outcomes(passed=2)
    assert aws_env.request_count == requests  # replayed: the server saw nothing new


@pytest.mark.parametrize("flag", ["--bedrock-record-mode=all", "--bedrock-record"])
def test_record_mode_all_records_again(
    pytester: pytest.Pytester, aws_env: FakeBedrock, flag: str
) -> None:
    """all (or --bedrock-record) overwrites existing files with a fresh recording."""
    pytester.makepyfile(test_rec=RECORD_TEST)
    stale = pytester.path / "recorded" / "sync.json"
    stale.parent.mkdir()
    shutil.copy(FIXTURES / "error-access-denied.json", stale)
    shutil.copy(FIXTURES / "error-access-denied.json", stale.with_name("async.json"))
    _run(pytester, flag).assert_outcomes(passed=2)
    assert aws_env.request_count == 5
    assert "AccessDenied" not in stale.read_text()


def test_record_mode_ini_and_bad_value(pytester: pytest.Pytester, aws_env: FakeBedrock) -> None:
    """ini bedrock_record_mode sets the default; an unknown value is a usage error."""
    pytester.makepyfile(test_rec=RECORD_TEST)
    pytester.makeini("[pytest]\nbedrock_record_mode = once\n")
    _run(pytester).assert_outcomes(passed=2)
    pytester.makeini("[pytest]\nbedrock_record_mode = sometimes\n")
    result = _run(pytester)
    result.stdout.fnmatch_lines(["*bedrock_record_mode must be one of none, once, all*"])
    assert _run(pytester, "--bedrock-record-mode=never").ret == pytest.ExitCode.USAGE_ERROR


def test_client_kwargs_fixture_is_passed_to_the_client(
    pytester: pytest.Pytester, listing: Path, clean_env: None
) -> None:
    """Overriding bedrock_client_kwargs configures the client (here: its region)."""
    pytester.makeconftest(
        """
import pytest

@pytest.fixture
def bedrock_client_kwargs():
    return {"region_name": "eu-west-3"}
"""
    )
    pytester.makepyfile(
        test_kw="""
import pytest
@pytest.mark.bedrock_fixture("list.json")
def test_region(bedrock_client):
    assert bedrock_client.meta.region_name == "eu-west-3"
"""
    )
    _run(pytester).assert_outcomes(passed=1)
