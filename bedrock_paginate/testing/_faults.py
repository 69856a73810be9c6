"""Scripted faults: what can go wrong, and which request it happens to.

A :class:`Fault` is a value made by one of its constructors (``Fault.throttle()``,
``Fault.status(503)``, ``Fault.drop()``, ...). A :class:`FaultSchedule` holds the faults
injected into a fake and hands out at most one per request, thread-safely::

    fake.inject(Fault.throttle(), times=2)       # the next two requests
    fake.inject(Fault.status(503), at=5)         # the request with index 5 (0-based)
    fake.inject(Fault.cycle(), when=lambda r: r.param("nextToken") is not None)
    fake.inject(Fault.slow(1.0), times=None)     # every request from now on

For each request the first entry that matches (in injection order) and has uses left wins.
``when`` predicates run under the schedule's lock: keep them quick and side-effect free.

Imports only the standard library and attrs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import attrs

from ..errors import ParamValidationError

if TYPE_CHECKING:
    from ._fake import ReceivedRequest

__all__ = ["Fault", "FaultKind", "FaultSchedule"]

FaultKind = Literal[
    "throttle",
    "error",
    "html",
    "drop",
    "slow",
    "slow_body",
    "cut_body",
    "wrong_types",
    "expired_token",
    "clock_skew",
    "cycle",
    "raw",
]

#: Faults that replace the service's answer; the others alter how the real answer is delivered.
REPLACING: frozenset[str] = frozenset(
    {"throttle", "error", "html", "drop", "wrong_types", "expired_token", "clock_skew", "raw"}
)


def _positive(name: str, value: float) -> float:
    if not value > 0:
        raise ParamValidationError(f"{name} must be > 0 seconds, got {value!r}", param=name)
    return value


@attrs.frozen(kw_only=True)
class Fault:
    """One kind of misbehaviour; build it with a constructor, not directly."""

    kind: FaultKind
    http_status: int = 0
    code: str = ""
    message: str = ""
    retry_after_ms: int | None = None
    seconds: float = 0.0
    chunk_size: int = 16
    keep_bytes: int | None = None
    reset: bool = False
    skew_seconds: int = 900
    body: bytes = b""
    content_type: str = "application/json"

    @classmethod
    def throttle(cls, *, retry_after_ms: int | None = None) -> Fault:
        """429 ``ThrottlingException``; with ``x-amz-retry-after: <ms>`` when given."""
        return cls(
            kind="throttle",
            http_status=429,
            code="ThrottlingException",
            message="Too many requests, please wait before trying again.",
            retry_after_ms=retry_after_ms,
        )

    @classmethod
    def error(cls, code: str, http_status: int, message: str) -> Fault:
        """Any rest-json error (``x-amzn-ErrorType: code``, body ``{"message": ...}``)."""
        if not 400 <= http_status <= 599:
            raise ParamValidationError(
                f"http_status must be 400..599, got {http_status!r}", param="http_status"
            )
        return cls(kind="error", http_status=http_status, code=code, message=message)

    @classmethod
    def internal_error(cls) -> Fault:
        """500 ``InternalServerException`` with a JSON body."""
        return cls.error(
            "InternalServerException", 500, "An internal server error occurred. Retry your request."
        )

    @classmethod
    def access_denied(cls) -> Fault:
        """403 ``AccessDeniedException`` worded like IAM's denial."""
        return cls.error(
            "AccessDeniedException",
            403,
            "User: arn:aws:iam::123456789012:user/test is not authorized to perform: "
            "bedrock:ListModelInvocationJobs because no identity-based policy allows the "
            "bedrock:ListModelInvocationJobs action",
        )

    @classmethod
    def status(cls, http_status: int) -> Fault:
        """An HTML error page with this status (e.g. 500/502/503/504 from a load balancer)."""
        if not 400 <= http_status <= 599:
            raise ParamValidationError(
                f"http_status must be 400..599, got {http_status!r}", param="http_status"
            )
        return cls(kind="html", http_status=http_status)

    @classmethod
    def html(cls) -> Fault:
        """200 with an HTML body instead of JSON (a captive portal or misrouted proxy)."""
        return cls(kind="html", http_status=200)

    @classmethod
    def not_json(cls, body: bytes = b'{"invocationJobSummaries": [') -> Fault:
        """200 ``application/json`` whose body is not valid JSON (truncated by default)."""
        return cls(kind="raw", http_status=200, body=body)

    @classmethod
    def raw(cls, http_status: int, body: bytes, *, content_type: str = "application/json") -> Fault:
        """Any status with exactly this body."""
        return cls(kind="raw", http_status=http_status, body=body, content_type=content_type)

    @classmethod
    def wrong_types(cls) -> Fault:
        """200 with JSON of the right shape but wrong types (numbers for strings, ...)."""
        return cls(kind="wrong_types", http_status=200)

    @classmethod
    def expired_token(cls, *, http_status: int = 403) -> Fault:
        """``ExpiredTokenException``: the session token has expired (403, or 400)."""
        return cls(
            kind="expired_token",
            http_status=http_status,
            code="ExpiredTokenException",
            message="The security token included in the request is expired",
        )

    @classmethod
    def clock_skew(cls, *, skew_seconds: int = 900) -> Fault:
        """403 ``InvalidSignatureException`` "Signature expired", as if the service's clock ran
        ``skew_seconds`` ahead of the request's ``X-Amz-Date``."""
        if skew_seconds <= 300:
            raise ParamValidationError(
                f"skew_seconds must exceed the 300 s the service allows, got {skew_seconds!r}",
                param="skew_seconds",
            )
        return cls(kind="clock_skew", http_status=403, skew_seconds=skew_seconds)

    @classmethod
    def drop(cls, *, reset: bool = False) -> Fault:
        """Close the connection before any response byte (``reset=True``: abort with RST)."""
        return cls(kind="drop", reset=reset)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Wait ``seconds`` before the status line, then answer normally."""
        return cls(kind="slow", seconds=_positive("seconds", seconds))

    @classmethod
    def slow_body(cls, seconds_per_chunk: float, *, chunk_size: int = 16) -> Fault:
        """Send the headers at once, then the body in ``chunk_size`` pieces, waiting between."""
        if chunk_size < 1:
            raise ParamValidationError(
                f"chunk_size must be >= 1, got {chunk_size!r}", param="chunk_size"
            )
        return cls(
            kind="slow_body",
            seconds=_positive("seconds_per_chunk", seconds_per_chunk),
            chunk_size=chunk_size,
        )

    @classmethod
    def cut_body(cls, keep_bytes: int | None = None) -> Fault:
        """Announce the full ``Content-Length``, send ``keep_bytes`` (default: half), close."""
        if keep_bytes is not None and keep_bytes < 0:
            raise ParamValidationError(
                f"keep_bytes must be >= 0, got {keep_bytes!r}", param="keep_bytes"
            )
        return cls(kind="cut_body", keep_bytes=keep_bytes)

    @classmethod
    def cycle(cls) -> Fault:
        """Answer normally but with a ``nextToken`` already returned before.

        The request's own ``nextToken`` is sent back; on a first page (no token) it is a token
        that points back to the start of the listing. A non-200 answer is left as it is.
        """
        return cls(kind="cycle")


@attrs.define
class _Entry:
    fault: Fault
    remaining: int | None
    at: int | None
    when: Callable[[ReceivedRequest], bool] | None

    def matches(self, request: ReceivedRequest) -> bool:
        if self.remaining == 0:
            return False
        if self.at is not None and request.index != self.at:
            return False
        return self.when is None or self.when(request)


@attrs.define
class FaultSchedule:
    """Thread-safe list of injected faults; ``take`` hands out the fault for a request."""

    _entries: list[_Entry] = attrs.field(factory=list)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def add(
        self,
        fault: Fault,
        *,
        times: int | None = 1,
        at: int | None = None,
        when: Callable[[ReceivedRequest], bool] | None = None,
    ) -> None:
        """Apply ``fault`` ``times`` times (``None``: always) to matching requests."""
        if times is not None and times < 1:
            raise ParamValidationError(f"times must be >= 1 or None, got {times!r}", param="times")
        if at is not None and at < 0:
            raise ParamValidationError(f"at must be >= 0, got {at!r}", param="at")
        with self._lock:
            self._entries.append(_Entry(fault, times, at, when))

    def take(self, request: ReceivedRequest) -> Fault | None:
        """The fault for ``request`` (using up one of its uses), or ``None``."""
        with self._lock:
            for entry in self._entries:
                if entry.matches(request):
                    if entry.remaining is not None:
                        entry.remaining -= 1
                    return entry.fault
        return None

    def clear(self) -> None:
        """Forget every fault not yet used."""
        with self._lock:
            self._entries.clear()

    @property
    def pending(self) -> int:
        """How many uses are left (an unlimited entry counts as one)."""
        with self._lock:
            return sum(1 if e.remaining is None else e.remaining for e in self._entries)
