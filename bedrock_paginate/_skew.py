"""Clock skew: recognising a request refused because the local clock is off, and learning how
far off it is, so the engine can re-sign once with the server's time (``Engine.skew``).

botocore has no clock-skew correction at all (it only uses the ``Date`` header for the
``amz-sdk-request`` TTL), so :func:`is_clock_skew_error` follows the AWS SDK for Java v2 and for
JavaScript v3: see its docstring. The server's time comes from the response's ``Date`` header
(any RFC 7231 form), else from AWS's skew message (``... (20250102T030405Z - 5 min.)``).

Pure: imports neither httpx nor configuration; the engine applies the offset.
"""

from __future__ import annotations

import re
from typing import Final

from ._retry import AttemptOutcome
from ._time import parse_amz_date, parse_http_date

__all__ = [
    "CLOCK_SKEW_ERROR_CODES",
    "CLOCK_SKEW_THRESHOLD",
    "POSSIBLE_CLOCK_SKEW_ERROR_CODES",
    "clock_skew_offset",
    "is_clock_skew_error",
    "server_offset",
]

#: Codes that always mean the request's timestamp was refused (Java v2 "definite" list).
CLOCK_SKEW_ERROR_CODES: Final = frozenset(
    {"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"}
)
#: Codes that mean clock skew only with a time-related message or a skewed ``Date`` header.
POSSIBLE_CLOCK_SKEW_ERROR_CODES: Final = frozenset(
    {"InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure"}
)
_POSSIBLE_CLOCK_SKEW_STATUS_CODES: Final = frozenset({401, 403})
_CLOCK_SKEW_MESSAGES: Final = ("signature expired", "signature not yet current")
#: Server and local clocks this far apart (seconds) make a 401/403 a clock-skew error (Java v2).
CLOCK_SKEW_THRESHOLD: Final = 240.0
# AWS's skew message ends with the server's time: "... (20250102T030405Z - 5 min.)".
_SERVER_TIME_IN_MESSAGE: Final = re.compile(r"\((\d{8}T\d{6}Z) [+-] \d+ min\.\)")


def is_clock_skew_error(outcome: AttemptOutcome, *, now: float | None = None) -> bool:
    """Whether the service refused the request because our clock is off.

    True for the codes in :data:`CLOCK_SKEW_ERROR_CODES` (``RequestTimeTooSkewed``,
    ``RequestExpired``, ``RequestInTheFuture``). For a possible one (a code in
    :data:`POSSIBLE_CLOCK_SKEW_ERROR_CODES`, or HTTP 401/403), true when the message says
    "Signature expired" or "Signature not yet current" (what SigV4 services answer), or when
    ``now`` (epoch seconds at receipt) is given and the ``Date`` header is at least
    :data:`CLOCK_SKEW_THRESHOLD` seconds away from it. A ``SignatureDoesNotMatch`` caused by a
    wrong secret key is therefore not clock skew. Same code lists as the AWS SDKs for Java v2
    and JavaScript v3; botocore has no skew handling.
    """
    if outcome.error_code in CLOCK_SKEW_ERROR_CODES:
        return True
    possible = (
        outcome.error_code in POSSIBLE_CLOCK_SKEW_ERROR_CODES
        or outcome.status_code in _POSSIBLE_CLOCK_SKEW_STATUS_CODES
    )
    if not possible:
        return False
    message = (outcome.error_message or "").lower()
    if any(phrase in message for phrase in _CLOCK_SKEW_MESSAGES):
        return True
    if now is None or outcome.date_header is None:
        return False
    offset = clock_skew_offset(outcome.date_header, now)
    return offset is not None and abs(offset) >= CLOCK_SKEW_THRESHOLD


def server_offset(outcome: AttemptOutcome, now: float) -> float | None:
    """Server clock minus ``now``: from the ``Date`` header, else from AWS's skew message."""
    if outcome.date_header:
        offset = clock_skew_offset(outcome.date_header, now)
        if offset is not None:
            return offset
    match = _SERVER_TIME_IN_MESSAGE.search(outcome.error_message or "")
    if match is None:
        return None
    server = parse_amz_date(match.group(1))  # None for month 13, hour 25 ...
    return None if server is None else server.timestamp() - now


def clock_skew_offset(date_header: str, now: float) -> float | None:
    """Seconds the server's clock is ahead of ours (negative: behind), or ``None``.

    ``date_header`` is the response's ``Date`` (any RFC 7231 form, read by
    ``_time.parse_http_date``); ``now`` is the local time in epoch seconds when the response
    arrived. Add the result to the local clock when re-signing. ``None`` when the header is not
    a valid HTTP date.
    """
    server = parse_http_date(date_header)
    if server is None:
        return None
    return server.timestamp() - now
