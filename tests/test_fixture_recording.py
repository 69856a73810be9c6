"""How the recorder writes: it appends each interaction (the file is a complete fixture after
every one, byte-identical to saving the whole fixture at once), rewrites only when interactions
already written must change, and under asyncio writes on a worker thread, in order."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from bedrock_paginate.fixtures import (
    REDACTED,
    FixtureWriteError,
    RecordingTransport,
    ReplayTransport,
    dumps_fixture,
    load_fixture,
    scrub_fixture,
)
from bedrock_paginate.fixtures._format import FixtureFile, render_interaction

URL = "https://x.test/model-invocation-jobs"
LATE = "FAKElateSECRETcanary0123456789"


def _answer(request: httpx.Request) -> httpx.Response:
    number = request.url.params.get("n", "")
    body = {"n": number, "jobArn": f"arn:aws:bedrock:us-east-1:210987654321:job/{number}"}
    return httpx.Response(200, json=body, headers={"content-type": "application/json"})


def test_each_interaction_is_appended_to_the_same_file(tmp_path: Path) -> None:
    """After every interaction the file is a valid fixture holding all of them; it is never
    replaced (same inode), and at the end it reads exactly as saving it whole would."""
    path = tmp_path / "r.json"
    transport = RecordingTransport(httpx.MockTransport(_answer), path)
    inodes = set()
    with httpx.Client(transport=transport) as http:
        for n in range(4):
            http.get(URL, params={"n": str(n)})
            assert len(load_fixture(path).interactions) == n + 1
            inodes.add(path.stat().st_ino)
    assert len(inodes) == 1
    text = path.read_text(encoding="utf-8")
    assert text == dumps_fixture(load_fixture(path))
    assert [i.request.query for i in load_fixture(path).interactions] == [
        (("n", str(n)),) for n in range(4)
    ]


def test_no_interaction_still_writes_an_empty_fixture(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    RecordingTransport(httpx.MockTransport(_answer), path, description="none").close()
    assert path.read_text(encoding="utf-8") == dumps_fixture(load_fixture(path))
    assert load_fixture(path).interactions == ()


def test_fixture_file_appends_match_a_whole_save(tmp_path: Path) -> None:
    """The incremental writer and ``dumps_fixture`` produce the same bytes (one appended
    batch of several, then one more)."""
    source = load_fixture(Path("fixtures/list-multi-page.json"))
    path = tmp_path / "copy.json"
    file = FixtureFile(path, source.description)
    entries = [render_interaction(i) for i in source.interactions]
    file.start()
    file.append(entries[:-1])
    file.append(entries[-1:])
    file.close()
    assert path.read_bytes() == Path("fixtures/list-multi-page.json").read_bytes()


def test_a_secret_learnt_late_is_removed_from_earlier_interactions(tmp_path: Path) -> None:
    """The server echoed a value before the recorder knew it was a secret: closing the
    recorder checks what was written and rewrites the file without it."""
    known: list[str] = []

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"echo": LATE})

    path = tmp_path / "late.json"
    transport = RecordingTransport(httpx.MockTransport(echo), path, secrets=lambda: known)
    with httpx.Client(transport=transport) as http:
        http.get(URL)
        assert LATE in path.read_text(encoding="utf-8")  # not a secret yet
        known.append(LATE)
    text = path.read_text(encoding="utf-8")
    assert LATE not in text
    assert load_fixture(path).interactions[0].response.body == {"echo": REDACTED}  # type: ignore[union-attr]


def test_scrubbed_recording_stays_consistent_when_a_later_interaction_adds_a_value(
    tmp_path: Path,
) -> None:
    """An account first seen bare, then in an ARN: the earlier interaction is rewritten so the
    whole file maps it the same way (what ``scrub_fixture`` gives for the whole recording)."""
    bodies = iter(
        [
            {"owner": "note 210987654321"},
            {"jobArn": "arn:aws:bedrock:us-east-1:210987654321:job/x"},
        ]
    )

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=next(bodies))

    path = tmp_path / "scrub.json"
    transport = RecordingTransport(httpx.MockTransport(answer), path, scrub=True)
    with httpx.Client(transport=transport) as http:
        http.get(URL, params={"n": "1"})
        http.get(URL, params={"n": "2"})
        assert "210987654321" not in path.read_text(encoding="utf-8")
    raw = scrub_fixture(transport.fixture())
    assert path.read_text(encoding="utf-8") == dumps_fixture(raw)
    assert "210987654321" not in path.read_text(encoding="utf-8")


def test_async_recording_writes_on_a_worker_thread_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under asyncio the event loop's thread never writes the file: every write runs on the
    recorder's worker thread, in request order, and closing the client finishes the file."""
    writers: list[int] = []
    original = FixtureFile.append

    def spy(self: FixtureFile, entries: list[str]) -> None:
        writers.append(threading.get_ident())
        original(self, entries)

    monkeypatch.setattr(FixtureFile, "append", spy)
    path = tmp_path / "async.json"

    async def main() -> int:
        transport = RecordingTransport(httpx.MockTransport(_answer), path)
        async with httpx.AsyncClient(transport=transport) as http:
            for n in range(5):
                await http.get(URL, params={"n": str(n)})
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    assert writers
    assert loop_thread not in writers
    recorded = load_fixture(path)
    assert [i.request.query for i in recorded.interactions] == [(("n", str(n)),) for n in range(5)]
    replayed: list[Any] = []
    with httpx.Client(transport=ReplayTransport(path)) as http:
        replayed += [http.get(URL, params={"n": str(n)}).json()["n"] for n in range(5)]
    assert replayed == [str(n) for n in range(5)]


def test_async_write_failure_reaches_the_request(tmp_path: Path) -> None:
    """A write that fails on the worker thread raises FixtureWriteError from the request."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    async def main() -> None:
        transport = RecordingTransport(httpx.MockTransport(_answer), blocker / "r.json")
        http = httpx.AsyncClient(transport=transport)
        with pytest.raises(FixtureWriteError, match="cannot write the recording"):
            await http.get(URL)
        with pytest.raises(FixtureWriteError):
            await http.aclose()

    asyncio.run(main())


def test_old_recordings_still_replay() -> None:
    """A file written whole by an earlier version (the shipped fixtures) replays as before."""
    for path in sorted(Path("fixtures").glob("*.json")):
        fixture = load_fixture(path)
        assert path.read_text(encoding="utf-8") == dumps_fixture(fixture)
        assert json.loads(path.read_text(encoding="utf-8"))["interactions"]


def test_append_after_a_torn_write_leaves_a_valid_file(tmp_path: Path) -> None:
    """Bytes left past the tail by a write that failed half-way are cut by the next append."""
    source = load_fixture(Path("fixtures/list-multi-page.json"))
    entries = [render_interaction(i) for i in source.interactions]
    path = tmp_path / "torn.json"
    file = FixtureFile(path, source.description)
    file.start()
    file.append(entries[:1])
    with path.open("ab") as out:
        out.write(b"x" * 100_000)  # longer than any entry: a torn write's leftovers
    file.append(entries[1:])
    file.close()
    assert path.read_bytes() == Path("fixtures/list-multi-page.json").read_bytes()
