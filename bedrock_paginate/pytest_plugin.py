"""The pytest plugin of bedrock-paginate: tests that replay (or record) fixture files.

Registered through the ``pytest11`` entry point, so it is active wherever the package is
installed. A test names its fixture file with a marker and asks for a client::

    @pytest.mark.bedrock_fixture("list-jobs.json")
    def test_counts_failed_jobs(bedrock_client):
        pages = bedrock_client.get_paginator("list_model_invocation_jobs").paginate()
        ...

The name is relative to the test file's directory, or to ``--bedrock-fixtures-dir`` / the ini
option ``bedrock_fixtures_dir``. ``bedrock_client`` is a :class:`~bedrock_paginate.Client` and
``bedrock_async_client`` an :class:`~bedrock_paginate.AsyncClient`; both replay the file (no
socket, no credentials) unless the record mode says to record it against the real endpoint with
the normal configuration chain:

* ``--bedrock-record-mode=none`` (default; ini ``bedrock_record_mode``): replay only;
* ``once``: record files that do not exist yet, replay the others;
* ``all`` (also ``--bedrock-record``): record every file again.

``--bedrock-strict`` (ini ``bedrock_strict``, or the marker's ``strict=True``) makes a passing
test fail at teardown when interactions of its fixture were never requested. The marker's
``any_order=True`` replays in any order. Override the ``bedrock_client_kwargs`` fixture to pass
more client arguments (``region_name``, ``endpoint_url``, ...).

This module imports only pytest and attrs at load time; the client is imported when a fixture
is used.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs
import pytest

if TYPE_CHECKING:
    from ._client import AsyncClient, Client
    from .fixtures import ReplayTransport

__all__ = ["RECORD_MODES", "BedrockFixture"]

#: The values of ``--bedrock-record-mode``.
RECORD_MODES = ("none", "once", "all")
_MARKER = "bedrock_fixture"
_PASSED = pytest.StashKey[bool]()


@attrs.frozen(kw_only=True)
class BedrockFixture:
    """The fixture file of one test and what to do with it.

    ``mode`` is ``"replay"`` or ``"record"`` (decided from the record mode and whether the
    file exists); ``strict`` fails the test when interactions go unused.
    """

    path: Path
    mode: Literal["replay", "record"]
    any_order: bool = False
    strict: bool = False


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the command line and ini options."""
    group = parser.getgroup("bedrock-paginate", "bedrock-paginate record/replay fixtures")
    group.addoption(
        "--bedrock-record-mode",
        dest="bedrock_record_mode",
        choices=RECORD_MODES,
        default=None,
        help="none: replay only (default); once: record missing fixture files; "
        "all: record every fixture file again, against the real endpoint.",
    )
    group.addoption(
        "--bedrock-record",
        dest="bedrock_record_mode",
        action="store_const",
        const="all",
        help="Same as --bedrock-record-mode=all.",
    )
    group.addoption(
        "--bedrock-fixtures-dir",
        dest="bedrock_fixtures_dir",
        default=None,
        help="Directory of fixture files named by @pytest.mark.bedrock_fixture "
        "(default: each test file's directory).",
    )
    group.addoption(
        "--bedrock-strict",
        dest="bedrock_strict",
        action="store_true",
        default=None,
        help="Fail a test whose fixture has interactions it never requested.",
    )
    parser.addini("bedrock_record_mode", "Default of --bedrock-record-mode.", default="none")
    parser.addini(
        "bedrock_fixtures_dir",
        "Directory of fixture files, relative to the ini file.",
        default="",
    )
    parser.addini("bedrock_strict", "Default of --bedrock-strict.", type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(name, *, any_order=False, strict=None): the bedrock-paginate fixture file "
        "that bedrock_client / bedrock_async_client replay or record.",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body passed, for the unused-interactions check."""
    report = yield
    if report.when == "call":
        item.stash[_PASSED] = report.passed
    return report


def _record_mode(config: pytest.Config) -> str:
    mode = config.getoption("bedrock_record_mode") or config.getini("bedrock_record_mode")
    if mode not in RECORD_MODES:
        raise pytest.UsageError(
            f"bedrock_record_mode must be one of {', '.join(RECORD_MODES)}, got {mode!r}"
        )
    return str(mode)


def _fixtures_dir(config: pytest.Config, test_path: Path) -> Path:
    option = config.getoption("bedrock_fixtures_dir")
    if option:
        return Path(config.invocation_params.dir, option)
    ini = config.getini("bedrock_fixtures_dir")
    if ini:
        base = config.inipath.parent if config.inipath is not None else config.rootpath
        return Path(base, ini)
    return test_path.parent


def _strict(config: pytest.Config, marker: pytest.Mark) -> bool:
    value = marker.kwargs.get("strict")
    if value is not None:
        return bool(value)
    if config.getoption("bedrock_strict"):
        return True
    return bool(config.getini("bedrock_strict"))


@pytest.fixture
def bedrock_fixture_info(request: pytest.FixtureRequest) -> BedrockFixture:
    """Where this test's fixture file is and whether it is replayed or recorded."""
    marker = request.node.get_closest_marker(_MARKER)
    if marker is None or len(marker.args) != 1 or not isinstance(marker.args[0], str):
        pytest.fail(
            "bedrock_client and bedrock_async_client need the fixture file named by a marker "
            f'on the test (or its class or module), e.g. @pytest.mark.{_MARKER}("list-jobs.json")',
            pytrace=False,
        )
    unknown = set(marker.kwargs) - {"any_order", "strict"}
    if unknown:
        pytest.fail(
            f"@pytest.mark.{_MARKER} takes any_order= and strict=, not {sorted(unknown)}",
            pytrace=False,
        )
    config = request.config
    path = _fixtures_dir(config, Path(request.node.path)) / marker.args[0]
    mode = _record_mode(config)
    if mode == "none" and not path.is_file():
        pytest.fail(
            f"bedrock fixture file {str(path)!r} does not exist; record it with "
            "--bedrock-record-mode=once (against the real endpoint, using your AWS "
            "configuration)",
            pytrace=False,
        )
    record = mode == "all" or (mode == "once" and not path.exists())
    return BedrockFixture(
        path=path,
        mode="record" if record else "replay",
        any_order=bool(marker.kwargs.get("any_order", False)),
        strict=_strict(config, marker),
    )


@pytest.fixture
def bedrock_client_kwargs() -> dict[str, Any]:
    """Extra keyword arguments for the clients (override this fixture to set them)."""
    return {}


def _client_kwargs(info: BedrockFixture, extra: dict[str, Any]) -> dict[str, Any]:
    if info.mode == "record":
        return {**extra, "record_to": info.path}
    return {**extra, "replay_from": info.path, "replay_any_order": info.any_order}


def _replay_transport(client: Client | AsyncClient) -> ReplayTransport | None:
    from .fixtures import ReplayTransport

    transport = client._transport
    return transport if isinstance(transport, ReplayTransport) else None


def _check_unused(request: pytest.FixtureRequest, info: BedrockFixture, client: Any) -> None:
    if info.mode != "replay" or not info.strict:
        return
    if not request.node.stash.get(_PASSED, False):
        return  # the test already failed; its own error says more
    transport = _replay_transport(client)
    if transport is not None:
        transport.assert_all_used()


@pytest.fixture
def bedrock_client(
    request: pytest.FixtureRequest,
    bedrock_fixture_info: BedrockFixture,
    bedrock_client_kwargs: dict[str, Any],
) -> Iterator[Client]:
    """A :class:`~bedrock_paginate.Client` replaying (or recording) the marked fixture file."""
    from ._client import Client

    client = Client(**_client_kwargs(bedrock_fixture_info, bedrock_client_kwargs))
    yield client
    client.close()
    _check_unused(request, bedrock_fixture_info, client)


@pytest.fixture
def bedrock_async_client(
    request: pytest.FixtureRequest,
    bedrock_fixture_info: BedrockFixture,
    bedrock_client_kwargs: dict[str, Any],
) -> Iterator[AsyncClient]:
    """An :class:`~bedrock_paginate.AsyncClient` replaying (or recording) the marked file.

    A plain (sync) fixture, so it works with any async test runner (anyio, pytest-asyncio).
    Replaying holds no connection, so nothing needs closing. When recording, close it in the
    test (``async with bedrock_async_client as client:``) so its connections close on the
    test's event loop; the file is written after every interaction either way.
    """
    from ._client import AsyncClient

    client = AsyncClient(**_client_kwargs(bedrock_fixture_info, bedrock_client_kwargs))
    yield client
    _check_unused(request, bedrock_fixture_info, client)
