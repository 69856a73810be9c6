"""Writing the CLI's output with exact accounting of what reached it ("nothing lost").

A :class:`Delivery` writes *chunks* (the text of one job, or of a whole document) and counts,
by weight, the chunks that reached the stream completely -- also when a write fails half-way
(``> /dev/full``, a closed pipe) or Ctrl-C lands during it. ``cli.py`` turns that count into the
resume token of the first job that did not reach the output.

On a real file descriptor the text is encoded and written with ``os.write``, whose return value
says how many bytes the kernel took; SIGINT is deferred while a write is in progress (and raised
as soon as it returns), so a partial write is never lost from the count. Each write starts only
once ``select`` says the fd takes a byte, so a write blocked on a full pipe has always written
something and returns that count when Ctrl-C arrives (never "retry and block again"); a second
Ctrl-C stops at once. Other streams (a
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

__all__ = ["Delivery", "GuardedWriter"]


class _OutputError(Exception):
    """Writing to the output failed (``errno`` of the underlying ``OSError``)."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(cause.strerror or str(cause))
        self.errno = cause.errno
        self.broken_pipe = isinstance(cause, BrokenPipeError)


class GuardedWriter:
    """A text stream for output that is not counted job by job (one job's JSON, ``watch``):
    every write is flushed at once, and a failed write or flush (``> /dev/full``, a closed
    pipe) is raised as :class:`_OutputError`, which the CLI reports as an output error."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            written = self._stream.write(text)
            self._stream.flush()
        except OSError as exc:
            raise _OutputError(exc) from exc
        return written

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise _OutputError(exc) from exc

    def isatty(self) -> bool:
        return self._stream.isatty()


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
        if pending[0]:  # a second Ctrl-C: stop now, even inside a stalled write
            raise KeyboardInterrupt
        pending[0] = True

    signal.signal(signal.SIGINT, later)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _writable(fd: int) -> bool:
    """Whether ``fd`` can take a byte now (waits up to 0.1 s; always True off POSIX)."""
    if os.name != "posix":
        return True
    import select

    try:
        return bool(select.select([], [fd], [], 0.1)[1])
    except ValueError:  # fd beyond FD_SETSIZE: just write
        return True


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
                while done < len(data) and not pending[0]:
                    # Wait (interruptibly) until the fd takes at least one byte: a blocked
                    # write that already wrote something returns that count on Ctrl-C, so the
                    # deferred interrupt is honoured at once and the count stays exact.
                    if not _writable(fd):
                        continue
                    try:
                        done += os.write(fd, view[done:])
                    except BlockingIOError:  # non-blocking fd, full after all: wait again
                        continue
                    account()
            except OSError as exc:
                raise _OutputError(exc) from exc
        if pending[0]:
            raise KeyboardInterrupt
