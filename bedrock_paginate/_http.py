"""The core's wire values: a request to send, a response received, what one attempt got
(:class:`AttemptResult`, the shells' answer to the engine), and the package's one capped body
reader (:class:`BodyReader`, also for the credential providers' HTTP calls: :func:`read_capped`).

These are plain values so the pure core (serialise, sign, decode, paginate) never imports httpx.
The I/O shells in ``_client.py`` convert them to and from ``httpx.Request``/``Response``.
A request's repr masks its secret headers (``_redact.redact_headers``, re-exported here).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._redact import SECRET_HEADERS, redact_headers

if TYPE_CHECKING:
    from ._retry import FailureKind

__all__ = [
    "MAX_BODY_BYTES",
    "SECRET_HEADERS",
    "AttemptResult",
    "BodyReader",
    "HttpRequest",
    "HttpResponse",
    "read_capped",
    "redact_headers",
]

#: Default cap on a response body (a page of 1000 jobs is about 1.5 MB); larger bodies are
#: refused. Per client: ``Client(max_body_bytes=...)``.
MAX_BODY_BYTES = 64 * 1024 * 1024


def _headers_repr(headers: Any) -> str:
    return repr(redact_headers(headers))


@attrs.frozen(kw_only=True)
class HttpRequest:
    """A request ready to sign and send.

    ``url`` is absolute and already carries the encoded query string. ``headers`` keeps the
    order and case given; it never holds secrets until the signer's output is merged in.
    """

    method: str
    url: str
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=_headers_repr)
    body: bytes = b""


@attrs.frozen(kw_only=True)
class HttpResponse:
    """A response as received: status, headers with lower-case names, raw body bytes."""

    status_code: int
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes = attrs.field(default=b"", repr=lambda b: f"<{len(b)} bytes>")

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive), or ``None``."""
        return self.headers.get(name.lower())


@attrs.frozen(kw_only=True)
class AttemptResult:
    """What one attempt got: a ``response``, or a ``failure`` kind with a secret-free
    ``detail`` and the transport's ``exception`` (kept as the raised error's ``__cause__``; the
    shells put a copy there that holds no secret, see ``_httpx_adapter.failed``)."""

    response: HttpResponse | None = None
    failure: FailureKind | None = None
    detail: str = ""
    exception: BaseException | None = attrs.field(default=None, eq=False, repr=False)


class BodyReader:
    """Collects a response body chunk by chunk, refusing a body over the size cap (by its
    Content-Length before reading, or as it grows) or one still arriving after the deadline.
    With a Content-Length the bytes go straight into one buffer of that size, so a page is
    never held twice (chunks plus their join). The one capped reader of the package: the
    credential providers' HTTP calls use it too (with ``deadline=None``)."""

    def __init__(
        self,
        content_length: str | None,
        limit: int,
        deadline: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit = limit
        self._deadline = deadline
        self._clock = clock
        self._started = clock()
        self._size = 0
        #: Why reading stopped early, as the shell's attempt result; ``None`` while fine.
        self.failure: AttemptResult | None = None
        declared = int(content_length) if content_length and content_length.isdigit() else None
        if declared is not None and declared > limit:
            self.failure = AttemptResult(failure="too_large")
        self._buffer = bytearray(declared if declared is not None and declared <= limit else 0)
        self._preallocated = len(self._buffer)

    def add(self, chunk: bytes) -> bool:
        """Take one chunk; ``False`` when reading must stop (see :attr:`failure`)."""
        end = self._size + len(chunk)
        if end > self._limit:
            self.failure = AttemptResult(failure="too_large")
            return False
        if self._deadline is not None and self._clock() - self._started > self._deadline:
            detail = f"the response body was still arriving after {self._deadline:g} s"
            self.failure = AttemptResult(failure="timeout", detail=detail)
            return False
        if end <= self._preallocated:
            self._buffer[self._size : end] = chunk
        else:
            del self._buffer[self._size :]
            self._buffer += chunk
            self._preallocated = 0
        self._size = end
        return True

    def body(self) -> bytes:
        """The bytes read (a bytearray: json.loads and the decoders accept it as is)."""
        if self._size < len(self._buffer):
            del self._buffer[self._size :]
        return self._buffer  # type: ignore[return-value]


def read_capped(
    chunks: Iterable[bytes], content_length: str | None, limit: int = MAX_BODY_BYTES
) -> bytes | None:
    """The whole body from ``chunks`` (e.g. ``response.iter_bytes()``), or ``None`` when it
    is (or announces to be) larger than ``limit`` bytes; reading stops there."""
    reader = BodyReader(content_length, limit)
    if reader.failure is not None:
        return None
    for chunk in chunks:
        if not reader.add(chunk):
            return None
    return bytes(reader.body())
