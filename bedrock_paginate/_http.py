"""The core's wire values: a request to send and a response received.

These are plain frozen values so the pure core (serialise, sign, decode, paginate) never imports
httpx. The I/O shells in ``_client.py`` convert them to and from ``httpx.Request``/``Response``.
A request's repr masks its secret headers (``_redact.redact_headers``, re-exported here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._redact import SECRET_HEADERS, redact_headers

__all__ = ["SECRET_HEADERS", "HttpRequest", "HttpResponse", "redact_headers"]


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
