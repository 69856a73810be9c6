"""Writing the CLI's output with exact accounting of what reached it ("nothing lost").

A :class:`Delivery` writes *chunks* (the text of one job, or of a whole document) and counts,
by weight, the chunks that reached the stream completely -- also when a write fails half-way
(``> /dev/full``, a closed pipe) or Ctrl-C lands during it. ``cli.py`` turns that count into the
resume token of the first job that did not reach the output.

On a real file descriptor the text is encoded and written with ``os.write``, whose return value
says how many bytes the kernel took; SIGINT is deferred while a write is in progress (and raised
as soon as it returns), so a partial write is never lost from the count. Other streams (a
``StringIO``, pytest's capture) get one ``write`` + ``flush`` per chunk.

A write error is raised as :class:`_OutputError` (its ``__cause__`` is the ``OSError``).

Imports only the standard library.
"""

from __future__ import annotations

import contextlib
import os
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

__all__ = ["Delivery"]


class _OutputError(Exception):
    """Writing to the output failed (``errno`` of the underlying ``OSError``)."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(cause.strerror or str(cause))
        self.errno = cause.errno
        self.broken_pipe = isinstance(cause, BrokenPipeError)


def _fileno(stream: TextIO) -> int | None:
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    return fd if isinstance(fd, int) and fd >= 0 else None


@contextlib.contextmanager
def _deferred_sigint(pending: list[bool]) -> Iterator[None]:
    """While inside, SIGINT only sets ``pending[0]`` (main thread only; else a no-op)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        previous = signal.getsignal(signal.SIGINT)
    except (ValueError, OSError):  # pragma: no cover - no signal support
        yield
        return
    if previous is not signal.default_int_handler:  # someone else handles SIGINT: leave it
        yield
        return

    def later(signum: int, frame: Any) -> None:
        pending[0] = True

    signal.signal(signal.SIGINT, later)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Delivery:
    """Writes weighted chunks to ``stream``; ``delivered`` is the weight that reached it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._fd = _fileno(stream)
        self.delivered = 0

    def write(self, chunks: Sequence[tuple[str, int]]) -> None:
        """Write every chunk in order, adding each chunk's weight once it is fully written."""
        if self._fd is None:
            self._write_stream(chunks)
        else:
            self._write_fd(self._fd, chunks)

    def _write_stream(self, chunks: Sequence[tuple[str, int]]) -> None:
        try:
            for text, weight in chunks:
                if text:
                    self._stream.write(text)
                    self._stream.flush()
                self.delivered += weight
        except OSError as exc:
            raise _OutputError(exc) from exc

    def _write_fd(self, fd: int, chunks: Sequence[tuple[str, int]]) -> None:
        encoding = getattr(self._stream, "encoding", None) or "utf-8"
        errors = getattr(self._stream, "errors", None) or "strict"
        ends: list[int] = []
        parts: list[bytes] = []
        size = 0
        for text, _ in chunks:
            data = text.encode(encoding, errors)
            parts.append(data)
            size += len(data)
            ends.append(size)
        data = b"".join(parts)
        view = memoryview(data)
        weights = [weight for _, weight in chunks]
        counted = 0  # chunks already added to ``delivered``
        done = 0  # bytes written
        pending = [False]

        def account() -> None:
            nonlocal counted
            complete = bisect_right(ends, done)
            self.delivered += sum(weights[counted:complete])
            counted = complete

        try:
            self._stream.flush()  # anything written through the stream object goes first
        except OSError as exc:
            raise _OutputError(exc) from exc
        with _deferred_sigint(pending):
            try:
                account()  # empty chunks at the start
                while done < len(data):
                    try:
                        done += os.write(fd, view[done:])
                    except BlockingIOError:  # a non-blocking terminal: wait until writable
                        import select

                        select.select([], [fd], [])
                    account()
                    if pending[0]:
                        break
            except OSError as exc:
                raise _OutputError(exc) from exc
        if pending[0]:
            raise KeyboardInterrupt
