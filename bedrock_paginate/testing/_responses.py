"""The fake's response value and the builders for the bodies the real service (and its load
balancers) send: JSON pages, rest-json errors, and HTML error pages.

``FakeResponse`` also describes socket-level misbehaviour (drop the connection, wait before the
status line, trickle or cut the body). The loopback server acts it out on a real socket; the
in-process transport maps it to the exception httpx would raise.

Imports only the standard library and attrs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

import attrs

__all__ = ["ERROR_TYPE_SUFFIX", "FakeResponse", "html_error", "json_error", "json_ok"]

#: The namespace Coral appends to ``x-amzn-ErrorType`` (``Code:namespace``) in many responses.
ERROR_TYPE_SUFFIX = "http://internal.amazon.com/coral/com.amazon.bedrock/"

_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


@attrs.frozen(kw_only=True)
class FakeResponse:
    """What the fake answers to one request.

    ``status``, ``headers`` and ``body`` are the HTTP response. The other fields say how to
    deliver it:

    - ``drop``: ``"close"`` closes the connection before any byte of the response,
      ``"reset"`` aborts it (TCP RST); ``None`` sends the response.
    - ``delay``: seconds to wait before the status line.
    - ``chunk_delay`` / ``chunk_size``: trickle the body, waiting between chunks.
    - ``body_limit``: send only this many body bytes (``Content-Length`` still announces the
      whole body), then close the connection.
    """

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes = attrs.field(default=b"", repr=lambda b: f"<{len(b)} bytes>")
    drop: Literal["close", "reset"] | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0
    chunk_size: int = 16
    body_limit: int | None = None

    def json(self) -> Any:
        """The body parsed as JSON (for assertions)."""
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive), or ``None``."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


def json_ok(payload: Any, request_id: str) -> FakeResponse:
    """A 200 ``application/json`` response."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return FakeResponse(
        status=200,
        headers={"Content-Type": "application/json", "x-amzn-RequestId": request_id},
        body=body,
    )


def json_error(
    status: int,
    code: str,
    message: str,
    request_id: str,
    *,
    suffixed: bool,
    extra_headers: Mapping[str, str] | None = None,
) -> FakeResponse:
    """A rest-json error: ``x-amzn-ErrorType`` (plain or ``Code:namespace``) and ``{"message"}``."""
    error_type = f"{code}:{ERROR_TYPE_SUFFIX}" if suffixed else code
    headers = {
        "Content-Type": "application/json",
        "x-amzn-RequestId": request_id,
        "x-amzn-ErrorType": error_type,
    }
    headers.update(extra_headers or {})
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return FakeResponse(status=status, headers=headers, body=body)


def html_error(status: int) -> FakeResponse:
    """An HTML error page such as a load balancer sends: no request id, no JSON."""
    title = f"{status} {_REASONS.get(status, 'Error')}"
    body = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    ).encode()
    return FakeResponse(
        status=status,
        headers={"Content-Type": "text/html", "Server": "awselb/2.0"},
        body=body,
    )
