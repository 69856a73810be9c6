"""The per-page GC pause of ``decode_page`` never undoes the caller's garbage-collector settings,
whatever thread changes them and whenever."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator

import pytest

import bedrock_paginate._decode as decode_module
from bedrock_paginate._decode import decode_page
from bedrock_paginate._http import HttpResponse
from bedrock_paginate.models import Page

_PAGE = HttpResponse(status_code=200, body=b'{"invocationJobSummaries": [], "nextToken": "t"}')


@pytest.fixture(autouse=True)
def _restore_gc() -> Iterator[None]:
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    (gc.enable if enabled else gc.disable)()


def _decode_blocked_in(
    monkeypatch: pytest.MonkeyPatch, threads: int
) -> tuple[threading.Barrier, threading.Event, Callable[[], list[threading.Thread]]]:
    """Decodes in ``threads`` threads that all wait inside the pause: ``inside`` is passed once
    every one is in, and they finish when ``leave`` is set."""
    inside = threading.Barrier(threads + 1, timeout=30)
    leave = threading.Event()
    real = decode_module._decode_page

    def blocking(response: HttpResponse, retry_attempts: int) -> Page:
        inside.wait()
        assert leave.wait(timeout=30)
        return real(response, retry_attempts)

    monkeypatch.setattr(decode_module, "_decode_page", blocking)

    def start() -> list[threading.Thread]:
        started = [threading.Thread(target=decode_page, args=(_PAGE,)) for _ in range(threads)]
        for thread in started:
            thread.start()
        return started

    return inside, leave, start


def test_gc_disabled_by_another_thread_during_a_decode_stays_disabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gc.disable() called while another thread decodes a page is still in force afterwards."""
    gc.enable()
    inside, leave, start = _decode_blocked_in(monkeypatch, 1)
    threads = start()
    try:
        inside.wait()
        gc.disable()
    finally:
        leave.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not gc.isenabled()


def test_gc_disabled_by_the_caller_stays_disabled() -> None:
    """A page decoded while the caller has the GC off leaves it off, thresholds untouched."""
    gc.disable()
    thresholds = gc.get_threshold()
    assert decode_page(_PAGE).next_token == "t"
    assert (gc.isenabled(), gc.get_threshold()) == (False, thresholds)


def test_overlapping_decodes_share_one_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two threads decoding at once: paused while either is in, restored when both are out."""
    gc.enable()
    thresholds = gc.get_threshold()
    inside, leave, start = _decode_blocked_in(monkeypatch, 2)
    threads = start()
    try:
        inside.wait()
        assert gc.get_threshold()[0] > thresholds[0]
        assert gc.isenabled()
    finally:
        leave.set()
        for thread in threads:
            thread.join(timeout=30)
    assert (gc.isenabled(), gc.get_threshold()) == (True, thresholds)


def test_threshold_set_during_a_decode_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """gc.set_threshold() called by another thread during the pause is not overwritten."""
    gc.enable()
    inside, leave, start = _decode_blocked_in(monkeypatch, 1)
    threads = start()
    try:
        inside.wait()
        gc.set_threshold(1234, 11, 12)
    finally:
        leave.set()
        for thread in threads:
            thread.join(timeout=30)
    assert gc.get_threshold() == (1234, 11, 12)
