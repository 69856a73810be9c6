"""The engine's BodyReader: size cap, deadline, and one buffer per body."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bedrock_paginate._http import AttemptResult, BodyReader, read_capped


def _clock(times: list[float]) -> Callable[[], float]:
    """A clock that reads ``times[0]`` (tests move it)."""
    return lambda: times[0]


def test_declared_length_is_filled_in_place() -> None:
    """With a Content-Length the chunks land in one preallocated buffer."""
    reader = BodyReader("6", limit=100, deadline=10, clock=_clock([0.0]))
    assert reader.failure is None
    assert reader.add(b"abc")
    assert reader.add(b"def")
    assert bytes(reader.body()) == b"abcdef"


def test_body_without_length_grows() -> None:
    """Chunked bodies (no Content-Length) are appended."""
    reader = BodyReader(None, limit=100, deadline=10, clock=_clock([0.0]))
    for chunk in (b"ab", b"cd", b"e"):
        assert reader.add(chunk)
    assert bytes(reader.body()) == b"abcde"


def test_more_than_declared_still_collects_everything() -> None:
    """A body longer than it announced is kept whole (the HTTP layer judges the framing)."""
    reader = BodyReader("2", limit=100, deadline=10, clock=_clock([0.0]))
    assert reader.add(b"abc")
    assert reader.add(b"de")
    assert bytes(reader.body()) == b"abcde"


def test_shorter_than_declared_is_trimmed() -> None:
    """If fewer bytes than announced arrive, only those are returned."""
    reader = BodyReader("10", limit=100, deadline=10, clock=_clock([0.0]))
    assert reader.add(b"abc")
    assert bytes(reader.body()) == b"abc"


def test_declared_length_over_the_cap_fails_before_reading() -> None:
    """A Content-Length over the cap is refused without reading a byte."""
    reader = BodyReader("101", limit=100, deadline=10, clock=_clock([0.0]))
    assert reader.failure == AttemptResult(failure="too_large")


def test_growing_past_the_cap_fails() -> None:
    """A body without length that grows past the cap stops the reading."""
    reader = BodyReader(None, limit=4, deadline=10, clock=_clock([0.0]))
    assert reader.add(b"abcd")
    assert not reader.add(b"e")
    assert reader.failure == AttemptResult(failure="too_large")


def test_body_still_arriving_after_the_deadline_fails() -> None:
    """A body still trickling in after the deadline is a timeout."""
    times = [0.0]
    reader = BodyReader(None, limit=100, deadline=5, clock=_clock(times))
    assert reader.add(b"a")
    times[0] = 5.5
    assert not reader.add(b"b")
    assert reader.failure is not None
    assert reader.failure.failure == "timeout"
    assert "still arriving after 5 s" in reader.failure.detail


def test_read_capped_returns_the_whole_body_within_the_cap() -> None:
    """read_capped (for the credential providers' HTTP calls) joins the chunks."""
    assert read_capped(iter([b"ab", b"cd"]), "4", limit=4) == b"abcd"
    assert read_capped(iter([b"ab", b"cd"]), None, limit=4) == b"abcd"


def test_read_capped_refuses_a_body_over_the_cap_without_reading_on() -> None:
    """Over the cap (announced or as it grows): None, and no chunk past the cap is pulled."""
    pulled: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        for chunk in (b"abc", b"def", b"ghi"):
            pulled.append(chunk)
            yield chunk

    assert read_capped(chunks(), None, limit=5) is None
    assert pulled == [b"abc", b"def"]
    assert read_capped(iter([b"x"]), "6", limit=5) is None
