"""Serve a :class:`FakeBedrock` to httpx in-process, as an ``httpx.MockTransport``.

Works for both ``httpx.Client`` and ``httpx.AsyncClient``. It never sleeps. Socket faults
become the exception httpx raises on a real socket (checked against the loopback server):

====================================  =================================================
fault                                 what the client sees
====================================  =================================================
``Fault.drop()``                      ``httpx.RemoteProtocolError`` (disconnected
                                      without sending a response)
``Fault.drop(reset=True)``            ``httpx.ReadError`` (connection reset by peer)
``Fault.slow(s)``                     ``httpx.ReadTimeout`` when ``s`` >= the request's
                                      read timeout, else the normal response at once
``Fault.slow_body(s)``                the first chunk, then ``httpx.ReadTimeout`` when
                                      ``s`` >= the read timeout, else the whole body
``Fault.cut_body(n)``                 ``n`` bytes, then ``httpx.RemoteProtocolError``
                                      (peer closed without sending the complete body)
====================================  =================================================

The errors surface where they would on a socket: ``drop``/``slow`` from ``send``, the body
faults while the body is read (inside ``send`` unless ``stream=True``).

Imports the standard library and httpx.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import httpx

from ._responses import FakeResponse

if TYPE_CHECKING:
    from ._fake import FakeBedrock

__all__ = ["make_transport"]


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return None if value is None else float(value)


def _times_out(seconds: float, request: httpx.Request) -> bool:
    limit = _read_timeout(request)
    return seconds > 0 and limit is not None and seconds >= limit


class _FaultyStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that yields some chunks and then fails, for sync and async clients alike."""

    def __init__(self, chunks: list[bytes], error: Exception | None) -> None:
        self._chunks = chunks
        self._error = error

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks
        if self._error is not None:
            raise self._error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk
        if self._error is not None:
            raise self._error


def _body_stream(response: FakeResponse, request: httpx.Request) -> _FaultyStream | None:
    """The failing body for a trickled or cut response, or ``None`` for a plain one."""
    body = response.body
    if response.body_limit is not None:
        sent = body[: response.body_limit]
        error = httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body "
            f"(received {len(sent)} bytes, expected {len(body)})",
            request=request,
        )
        return _FaultyStream([sent] if sent else [], error)
    if _times_out(response.chunk_delay, request) and len(body) > response.chunk_size:
        return _FaultyStream(
            [body[: response.chunk_size]], httpx.ReadTimeout("timed out", request=request)
        )
    return None


def _to_httpx(response: FakeResponse, request: httpx.Request) -> httpx.Response:
    if response.drop == "close":
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    if response.drop == "reset":
        raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
    if _times_out(response.delay, request):
        raise httpx.ReadTimeout("timed out", request=request)
    stream = _body_stream(response, request)
    if stream is None:
        return httpx.Response(
            response.status, headers=dict(response.headers), content=response.body
        )
    headers = {**response.headers, "Content-Length": str(len(response.body))}
    return httpx.Response(response.status, headers=headers, stream=stream)


def _wire_headers(request: httpx.Request) -> dict[str, str]:
    """Request headers with repeated names joined by ``,`` (what a server sees)."""
    merged: dict[str, str] = {}
    for name, value in request.headers.multi_items():
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    return merged


def make_transport(fake: FakeBedrock) -> httpx.MockTransport:
    """An ``httpx.MockTransport`` that answers every request with ``fake.handle``."""

    def handler(request: httpx.Request) -> httpx.Response:
        query = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
        response = fake.handle(
            request.method,
            request.url.raw_path.split(b"?")[0].decode("ascii"),
            query,
            _wire_headers(request),
            request.content,
        )
        return _to_httpx(response, request)

    return httpx.MockTransport(handler)
