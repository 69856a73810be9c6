"""A real HTTP/1.1 server on loopback serving a fake (:class:`FakeBedrock`, ``FakeSts``), and
``serve_main`` (the ``bedrock-paginate serve`` command; ``--speed F`` runs the unfinished jobs F
times faster than real time, ``--max-active-jobs N`` sets the create quota).

The server acts out socket faults for real: ``drop`` closes the connection without a byte
(``reset=True`` aborts it with a TCP RST), ``slow`` waits before the status line,
``slow_body`` trickles the body, ``cut_body`` announces the full ``Content-Length``, sends less
and closes. Waits are capped by ``max_delay`` and end at once when the server closes.

``close()`` stops accepting, wakes every handler blocked on an idle keep-alive connection, and
joins all threads, so tests leave no threads or sockets behind.

Imports only the standard library and the rest of ``bedrock_paginate.testing``.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import signal
import socket
import struct
import sys
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any, Generic, Protocol, TextIO, TypeVar
from urllib.parse import parse_qsl

from .._argparse import EXIT_OTHER, EXIT_USAGE, new_parser, parse
from ..errors import BedrockPaginateError, ParamValidationError
from ._dataset import generate_jobs, jobs_from_fixture
from ._fake import FakeBedrock
from ._responses import FakeResponse

__all__ = ["FakeBedrockServer", "FakeService", "LoopbackServer", "serve_main"]

#: Credentials ``serve --check-sigv4`` accepts when the environment names none (AWS's examples).
EXAMPLE_ACCESS_KEY = "AKIDEXAMPLE"
EXAMPLE_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class FakeService(Protocol):
    """What the loopback server serves: a request -> response function with a clock."""

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: dict[str, str],
        body: bytes = b"",
    ) -> FakeResponse: ...

    def now(self) -> Any: ...


_Server = TypeVar("_Server", bound="LoopbackServer[Any]")
_Service = TypeVar("_Service", bound="FakeService")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shut(connection: socket.socket) -> None:
    """Wake a handler blocked reading ``connection`` (already closed is fine)."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


class _HTTPServer(ThreadingHTTPServer):
    """Knows its fake, and the connections and threads it must end when closing.

    Handler threads are daemons (a forgotten server never blocks interpreter exit), so the
    stdlib does not join them; this class tracks and joins them itself.
    """

    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: FakeService, max_delay: float) -> None:
        self.fake = fake
        self.max_delay = max_delay
        self.stopping = threading.Event()
        self.errors: list[BaseException] = []
        self._open: dict[socket.socket, threading.Thread] = {}
        self._done: list[threading.Thread] = []
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` (capped); true when the server is closing meanwhile."""
        return self.stopping.wait(min(seconds, self.max_delay))

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="FakeBedrockServer-connection",
            daemon=True,
        )
        with self._open_lock:
            self._open[request] = thread
            self._done = [t for t in self._done if t.is_alive()]
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            thread = self._open.pop(request, None)
            if thread is not None:
                self._done.append(thread)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.errors.append(sys.exc_info()[1] or RuntimeError("unknown handler error"))

    def server_close(self) -> None:
        self.stopping.set()
        super().server_close()
        with self._open_lock:
            open_now = list(self._open.items())
        for connection, _ in open_now:
            _shut(connection)
        for _, thread in open_now:
            thread.join()
        with self._open_lock:
            done, self._done = self._done, []
        for thread in done:
            thread.join()


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    """Hands each request to the fake and delivers its answer, faults included."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # head and body go out as separate writes
    server: _HTTPServer

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests assert on ``fake.requests`` instead."""

    def _headers(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            merged[key] = f"{merged[key]},{value}" if key in merged else value
        return merged

    def _handle(self) -> None:
        path, _, raw_query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        query = parse_qsl(raw_query, keep_blank_values=True)
        try:
            response = self.server.fake.handle(self.command, path, query, self._headers(), body)
        except Exception as exc:  # a bug in the fake: answer, and keep it for the test
            self.server.errors.append(exc)
            response = FakeResponse(status=500, body=b"fake failed; see server.errors")
        try:
            self._deliver(response)
        except OSError:
            self.close_connection = True  # the client went away (e.g. after its timeout)

    def _drop(self, how: str) -> None:
        self.close_connection = True
        if how == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()  # closes for real once the handler's files are closed

    def _send_head(self, response: FakeResponse) -> None:
        self.send_response_only(response.status)
        names = {name.lower() for name in response.headers}
        for name, value in response.headers.items():
            self.send_header(name, value)
        if "date" not in names:  # the fake's clock, so a skewed fake says so in Date too
            when = self.server.fake.now().timestamp()
            self.send_header("Date", self.date_time_string(when))
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()

    def _deliver(self, response: FakeResponse) -> None:
        if response.drop is not None:
            self._drop(response.drop)
            return
        if response.delay and self.server.wait(response.delay):
            self.close_connection = True
            return
        self._send_head(response)
        body = response.body
        if response.body_limit is not None:
            self.wfile.write(body[: response.body_limit])
            self.close_connection = True
        elif response.chunk_delay:
            self._trickle(body, response.chunk_size, response.chunk_delay)
        else:
            self.wfile.write(body)

    def _trickle(self, body: bytes, size: int, delay: float) -> None:
        for start in range(0, len(body), size):
            if start and self.server.wait(delay):
                self.close_connection = True
                return
            self.wfile.write(body[start : start + size])
            self.wfile.flush()


class LoopbackServer(Generic[_Service]):
    """A loopback HTTP server for a fake service, in a daemon thread.

    Use it as a context manager (or call :meth:`start` and :meth:`close`)::

        with FakeBedrockServer(fake) as server:
            httpx.get(server.url + "/model-invocation-jobs")

    Args:
        service: the fake to serve (also :attr:`fake`, typed as passed).
        host: address to bind; must be loopback unless ``allow_remote`` is true.
        port: port to bind; 0 picks a free one.
        allow_remote: allow a non-loopback ``host`` (the fake has no real security).
        max_delay: cap in seconds on any single fault wait.

    Raises:
        ParamValidationError: ``host`` is not loopback and ``allow_remote`` is false.
    """

    def __init__(
        self,
        service: _Service,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        allow_remote: bool = False,
        max_delay: float = 30.0,
    ) -> None:
        if not allow_remote and not is_loopback(host):
            raise ParamValidationError(
                f"refusing to serve the fake on non-loopback host {host!r}; use 127.0.0.1 or "
                "::1, or pass allow_remote=True (--host on the command line)",
                param="host",
            )
        self._service = service
        #: The fake being served.
        self.fake = service
        self._address = (host, port)
        self._max_delay = max_delay
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` of the running server (no trailing slash)."""
        server = self._running()
        host, port = server.socket.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised inside request handlers (a test should expect none)."""
        return list(self._running().errors)

    def _running(self) -> _HTTPServer:
        if self._server is None:
            raise ParamValidationError("the server is not running; call start() first")
        return self._server

    def start(self: _Server) -> _Server:
        """Bind and start serving in a daemon thread; returns ``self``."""
        if self._server is not None:
            return self
        host = self._address[0]
        cls = _HTTPServer6 if ":" in host else _HTTPServer
        server = cls(self._address, self._service, self._max_delay)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="FakeBedrockServer",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def close(self) -> None:
        """Stop serving, end open connections and join every thread. Idempotent."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        thread.join()

    def __enter__(self: _Server) -> _Server:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class FakeBedrockServer(LoopbackServer[FakeBedrock]):
    """A loopback HTTP server for a :class:`FakeBedrock` (see :class:`LoopbackServer`)."""


# --- the `serve` command ---------------------------------------------------------------------


#: The most jobs ``serve --jobs`` generates (they are held in memory).
MAX_JOBS = 1_000_000


def _bounded_int(text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {what} from {low} to {high:,}, got {text!r}")
    return value


def _port(text: str) -> int:
    return _bounded_int(text, 0, 65535, "a port")


def _job_count(text: str) -> int:
    return _bounded_int(text, 0, MAX_JOBS, "a number of jobs")


def _parser() -> argparse.ArgumentParser:
    parser = new_parser(
        prog="bedrock-paginate serve",
        description="Serve a fake Amazon Bedrock batch-job API (List/Get/Stop/"
        "CreateModelInvocationJob) until "
        "Ctrl-C or SIGTERM. The first line on stdout is 'listening on URL'.",
    )
    parser.add_argument(
        "--host",
        help="address to bind (default 127.0.0.1; a non-loopback "
        "address is allowed only when given here)",
    )
    parser.add_argument(
        "--port", type=_port, default=0, help="port 0-65535 (default 0: a free one)"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--fixture", metavar="FILE", help="serve the jobs of a recorded fixture")
    source.add_argument(
        "--jobs",
        type=_job_count,
        default=100,
        metavar="N",
        help=f"serve N generated jobs, 0 to {MAX_JOBS:,} (default 100)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for generated jobs")
    parser.add_argument(
        "--speed",
        type=_speed,
        default=None,
        metavar="FACTOR",
        help="run jobs FACTOR times faster than real time; the jobs not finished move on "
        "through their statuses (e.g. --speed 600: an hour-long job in 6 s)",
    )
    parser.add_argument(
        "--max-active-jobs",
        type=int,
        default=20,
        metavar="N",
        help="quota of running jobs for CreateModelInvocationJob (default 20)",
    )
    parser.add_argument("--region", default="us-east-1", help="region (default us-east-1)")
    parser.add_argument(
        "--check-sigv4",
        action="store_true",
        help="verify SigV4 signatures against AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the "
        f"environment (default: AWS's example pair, {EXAMPLE_ACCESS_KEY})",
    )
    return parser


def _fake_from_args(args: argparse.Namespace) -> FakeBedrock:
    if args.fixture is not None:
        jobs = jobs_from_fixture(args.fixture)
    else:
        jobs = generate_jobs(args.jobs, seed=args.seed, region=args.region)
    credentials: dict[str, str] = {}
    if args.check_sigv4:
        access = os.environ.get("AWS_ACCESS_KEY_ID") or EXAMPLE_ACCESS_KEY
        secret = os.environ.get("AWS_SECRET_ACCESS_KEY") or EXAMPLE_SECRET_KEY
        credentials[access] = secret
    return FakeBedrock(
        jobs=jobs,
        region=args.region,
        check_sigv4=args.check_sigv4,
        credentials=credentials,
        speed=args.speed or 1.0,
        live_jobs=args.speed is not None,
        max_active_jobs=args.max_active_jobs,
    )


def _speed(text: str) -> float:
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a factor > 0 such as 600, got {text!r}")
    return value


@contextlib.contextmanager
def _sigterm_sets(stop: threading.Event) -> Iterator[None]:
    """While active, SIGTERM sets ``stop`` (only possible in the main thread)."""

    def on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _wait(stop: threading.Event) -> None:
    """Block until ``stop`` is set or Ctrl-C."""
    with contextlib.suppress(KeyboardInterrupt):
        while not stop.wait(0.2):
            pass


def _serve_args(argv: Sequence[str]) -> list[str]:
    """The arguments after ``serve`` (a leading ``serve`` is tolerated)."""
    args = list(argv)
    return args[1:] if args[:1] == ["serve"] else args


#: serve's flag for a FakeBedrock/FakeBedrockServer parameter, so its errors name the flag.
_FLAG_FOR_PARAM = {"region": "--region", "seed": "--seed", "host": "--host", "port": "--port"}


def serve_main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """``bedrock-paginate serve [--host H] [--port P] [--fixture FILE | --jobs N] [--seed S]
    [--check-sigv4] [--region R]``; ``argv`` holds the arguments after ``serve``.

    Prints ``listening on http://HOST:PORT`` as the first line of stdout, serves until
    SIGTERM or Ctrl-C, and returns 0. Returns 252 for bad arguments, 255 when the jobs cannot
    be loaded or the address cannot be bound.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = parse(_parser(), _serve_args(sys.argv[1:] if argv is None else argv), stderr=err)
    if isinstance(args, int):
        return args
    host = args.host or "127.0.0.1"
    try:
        fake = _fake_from_args(args)
        server = FakeBedrockServer(
            fake, host=host, port=args.port, allow_remote=args.host is not None
        )
        server.start()
    except ParamValidationError as exc:
        flag = _FLAG_FOR_PARAM.get(str(exc.param))
        print(
            f"bedrock-paginate serve: error: {f'argument {flag}: ' if flag else ''}{exc.message}",
            file=err,
        )
        return EXIT_USAGE
    except OSError as exc:  # the address: in use, not local, not resolvable
        reason = exc.strerror or str(exc)
        print(
            f"bedrock-paginate serve: error: cannot listen on {host}:{args.port} (--host/--port): "
            f"{reason[:1].lower()}{reason[1:]}",
            file=err,
        )
        return EXIT_OTHER
    except BedrockPaginateError as exc:
        print(f"bedrock-paginate serve: error: {exc}", file=err)
        return EXIT_OTHER
    stop = threading.Event()
    try:
        with _sigterm_sets(stop):
            print(f"listening on {server.url}", file=out, flush=True)
            running = f", unfinished ones running at {fake.speed:g}x" if fake.live_jobs else ""
            print(
                f"serving {len(fake.jobs)} jobs{running}; stop with Ctrl-C or SIGTERM",
                file=err,
                flush=True,
            )
            _wait(stop)
    finally:
        server.close()
    return 0
