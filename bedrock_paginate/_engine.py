"""The request engine shared by the sync and async clients: everything about one API call that
is not I/O.

For each call, :meth:`Engine.start` gives a :class:`Call`. A shell loops: wait
``call.before_attempt()`` seconds, send ``call.signed_request()``, then hand what came back (a
response, or the kind of transport failure) to :meth:`Call.evaluate`, which answers with a
:class:`Decision`: the decoded page, a retry after a delay, or the error to raise. Retries,
clock-skew correction, credential refresh after ``ExpiredTokenException``, and error decoding
all live here, once. The shells only send and sleep.

Attempts are counted twice. ``Call.attempt`` counts every request sent (logs, the page's
``RetryAttempts``). The retry policy only sees the attempts it decided on: re-signing after a
clock-skew error and retrying after a credential refresh (each at most once per call) are free,
so they neither use up ``max_attempts`` nor take from (or refund to) the retry quota.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, quote_plus, urlsplit

import attrs

from . import __version__ as _version
from ._decode import decode_page, parse_error
from ._http import HttpRequest, HttpResponse
from ._retry import (
    AttemptOutcome,
    FailureKind,
    RetryPolicy,
    clock_skew_offset,
    is_clock_skew_error,
    is_expired_token_error,
)
from ._serialize import build_request
from ._sigv4 import sign_request
from .errors import BedrockPaginateError, DecodeError, ServiceError, TransportError

if TYPE_CHECKING:
    from ._config import ClientConfig
    from ._credentials import Credentials
    from .models import Page

__all__ = [
    "BODY_DEADLINE_READ_TIMEOUTS",
    "MAX_BODY_BYTES",
    "BodyReader",
    "Call",
    "Decision",
    "Engine",
    "Failure",
]

log = logging.getLogger("bedrock_paginate")

#: Responses larger than this are refused (a page of 1000 jobs is about 1.5 MB). Read when an
#: :class:`Engine` is created (tests lower it before creating a client).
MAX_BODY_BYTES = 64 * 1024 * 1024

#: A body must arrive within this many read timeouts in total: the read timeout alone bounds
#: each wait, so a server trickling bytes just fast enough would otherwise never be cut off.
BODY_DEADLINE_READ_TIMEOUTS = 5

#: Why an attempt produced no response: could not connect, timed out, connection cut while
#: reading, body over the size cap, or a body whose Content-Encoding could not be undone.
Failure = Literal["connect", "timeout", "read", "too_large", "bad_encoding"]

_USER_AGENT = f"bedrock-paginate/{_version} Python/{sys.version_info[0]}.{sys.version_info[1]}"
# AWS's skew message ends with the server's time: "... (20250102T030405Z - 5 min.)".
_SERVER_TIME_IN_MESSAGE = re.compile(r"\((\d{8}T\d{6}Z) [+-] \d+ min\.\)")
_SIGNATURE = re.compile(r"Signature=([0-9a-fA-F]+)")
#: Shorter values are not scrubbed from messages (they would mangle ordinary words).
_MIN_SECRET_LENGTH = 8
_REDACTED = "[secure]"


@attrs.frozen
class Decision:
    """What a shell does next: return ``page``, retry after ``delay`` s, or raise ``error``."""

    page: Page | None = None
    delay: float | None = None
    error: BedrockPaginateError | None = None


class Engine:
    """Signs, evaluates and retries calls for one client. Safe to share between threads."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        retry: RetryPolicy,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.retry = retry
        self.clock = clock
        #: Seconds to add to the local clock when signing (learnt from a clock-skew error).
        self.skew = 0.0
        #: Larger response bodies are refused with a DecodeError.
        self.max_body_bytes = MAX_BODY_BYTES

    def start(self, params: Mapping[str, Any]) -> Call:
        """A new call for validated ListModelInvocationJobs ``params``."""
        return Call(self, build_request(self.config.endpoint_url, params))

    def now(self) -> datetime:
        """The signing time: the local clock corrected by the learnt skew."""
        return datetime.fromtimestamp(self.clock() + self.skew, tz=timezone.utc)

    def authorize(self, request: HttpRequest) -> tuple[dict[str, str], Credentials | None]:
        """The auth headers for ``request`` and the credentials they were signed with."""
        config = self.config
        if config.auth_scheme == "bearer":
            return {"Authorization": f"Bearer {config.bearer_token}"}, None
        if config.credentials is None:  # replay mode: nothing is checked, sign nothing real
            return {}, None
        creds = config.credentials.get()
        headers = sign_request(
            request.method,
            request.url,
            request.headers,
            request.body,
            region=config.region,
            service="bedrock",
            access_key=creds.access_key,
            secret_key=creds.secret_key,
            session_token=creds.token,
            now=self.now(),
        )
        return dict(headers), creds


class BodyReader:
    """Collects a response body chunk by chunk for a shell, refusing a body over the size cap
    (by its Content-Length before reading, or as it grows) or one still arriving after the
    deadline. With a Content-Length the bytes go straight into one buffer of that size, so a
    page is never held twice (chunks plus their join)."""

    def __init__(
        self, content_length: str | None, limit: int, deadline: float, clock: Callable[[], float]
    ) -> None:
        self._limit = limit
        self._deadline = deadline
        self._clock = clock
        self._started = clock()
        self._size = 0
        #: Why reading stopped early, as the shell's attempt result; ``None`` while fine.
        self.failure: tuple[None, Failure, str] | None = None
        declared = int(content_length) if content_length and content_length.isdigit() else None
        if declared is not None and declared > limit:
            self.failure = (None, "too_large", "")
        self._buffer = bytearray(declared if declared is not None and declared <= limit else 0)
        self._preallocated = len(self._buffer)

    def add(self, chunk: bytes) -> bool:
        """Take one chunk; ``False`` when reading must stop (see :attr:`failure`)."""
        end = self._size + len(chunk)
        if end > self._limit:
            self.failure = (None, "too_large", "")
            return False
        if self._clock() - self._started > self._deadline:
            detail = f"the response body was still arriving after {self._deadline:g} s"
            self.failure = (None, "timeout", detail)
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


class Call:
    """The attempts of one API call (one page)."""

    def __init__(self, engine: Engine, request: HttpRequest) -> None:
        self.engine = engine
        self.request = request
        #: Requests sent so far, free re-sends included.
        self.attempt = 0
        self._free = 0
        self._skew_fixed = False
        self._refreshed = False
        self._signed_with: Credentials | None = None
        # The secrets of the last attempt (secret key, session or bearer token, signature),
        # scrubbed from anything the service sends back before it reaches an error message.
        self._secrets: tuple[str, ...] = ()
        self._last_failure: AttemptOutcome | None = None

    def body_reader(self, content_length: str | None, clock: Callable[[], float]) -> BodyReader:
        """A reader for the body of this attempt's response (size cap and deadline enforced)."""
        deadline = self.engine.config.read_timeout * BODY_DEADLINE_READ_TIMEOUTS
        return BodyReader(content_length, self.engine.max_body_bytes, deadline, clock)

    @property
    def policy_attempt(self) -> int:
        """Attempts as the retry policy counts them (free re-sends excluded)."""
        return max(self.attempt - self._free, 1)

    def before_attempt(self) -> float:
        """Seconds to wait before the next attempt (adaptive rate limiting), usually 0."""
        return self.engine.retry.before_attempt()

    def signed_request(self) -> HttpRequest:
        """The request with fresh signature headers for the next attempt."""
        self.attempt += 1
        headers = dict(self.request.headers)
        headers["User-Agent"] = _USER_AGENT
        auth, self._signed_with = self.engine.authorize(self.request)
        self._secrets = _secrets_of(auth, self._signed_with, self.engine.config.bearer_token)
        headers.update(auth)
        if log.isEnabledFor(logging.DEBUG):
            split = urlsplit(self.request.url)
            log.debug(
                "request GET %s?%s (attempt %d, auth %s)",
                split.path,
                split.query,
                self.attempt,
                self.engine.config.auth_scheme,
            )
        return attrs.evolve(self.request, headers=headers)

    def evaluate(
        self, response: HttpResponse | None, failure: Failure | None = None, detail: str = ""
    ) -> Decision:
        """Decide what follows an attempt that got ``response`` or failed with ``failure``."""
        if response is None:
            return self._after_failure(failure or "connect", detail)
        log.debug(
            "response %d request-id %s (attempt %d, %d bytes)",
            response.status_code,
            response.header("x-amzn-requestid"),
            self.attempt,
            len(response.body),
        )
        if 200 <= response.status_code < 300:
            return self._after_success(response)
        return self._after_error_response(response)

    # --- the three kinds of outcome ---------------------------------------------------------

    def _after_failure(self, kind: Failure, detail: str) -> Decision:
        if kind == "too_large":
            return Decision(
                error=DecodeError(
                    f"invalid response: body larger than {self.engine.max_body_bytes} bytes; "
                    "refused"
                )
            )
        error: BedrockPaginateError
        outcome_kind: FailureKind
        if kind == "bad_encoding":
            error = DecodeError(
                "invalid response: the body could not be decompressed"
                + (f" ({detail})" if detail else "")
            )
            outcome_kind = "bad_body"
        else:
            error = TransportError(_transport_message(kind, detail), attempts=self.attempt)
            outcome_kind = kind
        return self._retry_or_raise(error, AttemptOutcome(failure=outcome_kind))

    def _after_success(self, response: HttpResponse) -> Decision:
        try:
            page = decode_page(response, retry_attempts=self.attempt - 1)
        except DecodeError as exc:
            error = self._clean_decode_error(response, exc)
            outcome = AttemptOutcome(status_code=response.status_code, failure="bad_body")
            return self._retry_or_raise(error, outcome)
        self.engine.retry.on_success(self.policy_attempt, last_failure=self._last_failure)
        return Decision(page=page)

    def _clean_decode_error(self, response: HttpResponse, error: DecodeError) -> DecodeError:
        """The DecodeError for ``response`` with our secrets scrubbed before any snippet of the
        body is cut from it (so not even a part of a secret can show)."""
        clean = _scrub_response(response, self._secrets)
        if clean is not response:
            try:
                decode_page(clean)
            except DecodeError as again:
                error = again
        error.message = _scrub(error.message, self._secrets)
        error.args = (error.message,)
        error.request_id = clean.header("x-amzn-requestid")
        return error

    def _after_error_response(self, response: HttpResponse) -> Decision:
        # Some services echo the canonical request (with the session token) in the message.
        response = _scrub_response(response, self._secrets)
        error = parse_error(response)
        error.message = _scrub(error.message, self._secrets)  # \u-escaped in the JSON
        if 300 <= response.status_code < 400:
            error.message = _redirect_message(response)
        # Nothing unscrubbed may stay behind in the exception's args or botocore-shaped members.
        error.args = (error.message,)
        error.members = {
            k: _scrub(v, self._secrets) if isinstance(v, str) else v
            for k, v in error.members.items()
        }
        outcome = AttemptOutcome(
            status_code=response.status_code,
            error_code=error.code,
            error_message=error.message,
            retry_after=response.header("x-amz-retry-after"),
            date_header=response.header("date"),
        )
        special = self._fix_clock_skew(outcome) or self._refresh_credentials(outcome)
        if special is not None:
            return special
        self._explain_special(error, outcome)
        return self._retry_or_raise(error, outcome)

    def _retry_or_raise(self, error: BedrockPaginateError, outcome: AttemptOutcome) -> Decision:
        retry = self.engine.retry
        attempt = self.policy_attempt
        delay = retry.delay_before_retry(attempt, outcome)
        if delay is None:
            retried = attempt > 1 or retry.is_retryable(outcome)
            reached = retried and attempt >= retry.max_attempts
            if isinstance(error, ServiceError):
                error.retry_attempts = self.attempt - 1
                error.max_attempts_reached = reached
            if retried and not (reached and isinstance(error, ServiceError)):
                # A service error that hit max_attempts says so as botocore does instead.
                error.add_detail(retry.describe_give_up(attempt, outcome))
            if isinstance(error, TransportError):
                error.attempts = self.attempt
            return Decision(error=error)
        self._last_failure = outcome
        log.debug("retrying in %.3f s after attempt %d", delay, self.attempt)
        return Decision(delay=delay)

    # --- clock skew and expired credentials (each at most once per call, free) --------------

    def _fix_clock_skew(self, outcome: AttemptOutcome) -> Decision | None:
        """Re-sign with the server's time after a clock-skew error; keep the offset."""
        engine = self.engine
        if self._skew_fixed:
            return None
        now = engine.clock()
        if not is_clock_skew_error(outcome, now=now + engine.skew):
            return None
        offset = _server_offset(outcome, now)
        if offset is None:
            return None
        self._skew_fixed = True
        self._free += 1
        engine.skew = offset
        log.debug("clock skew of %.1f s detected; re-signing with corrected time", offset)
        return Decision(delay=0.0)

    def _refresh_credentials(self, outcome: AttemptOutcome) -> Decision | None:
        """Refresh the credentials once after ``ExpiredTokenException``, then retry."""
        creds = self.engine.config.credentials
        if (
            self._refreshed
            or creds is None
            or not creds.can_refresh
            or not is_expired_token_error(outcome)
        ):
            return None
        self._refreshed = True
        self._free += 1
        log.debug("credentials expired; refreshing from %s", creds.source)
        # The refresh itself happens when the retry signs (the async shell runs it in a worker
        # thread). Passing the rejected credentials makes concurrent callers share one refresh.
        creds.mark_expired(self._signed_with)
        return Decision(delay=0.0)

    def _explain_special(self, error: ServiceError, outcome: AttemptOutcome) -> None:
        """Say why a clock-skew or expired-token error was not (or no longer) handled."""
        if is_expired_token_error(outcome):
            creds = self.engine.config.credentials
            if self._refreshed:
                error.add_detail("rejected again after refreshing the credentials")
            elif creds is not None and not creds.can_refresh:
                error.add_detail(
                    f"the credentials from {creds.source} cannot be refreshed "
                    "automatically; renew them and try again"
                )
        elif self._skew_fixed and is_clock_skew_error(outcome):
            error.add_detail(
                f"still refused after correcting the clock by {self.engine.skew:+.0f} s"
            )


def _secrets_of(
    auth: Mapping[str, str], creds: Credentials | None, bearer: str | None
) -> tuple[str, ...]:
    found = [bearer or ""]
    if creds is not None:
        found += [creds.secret_key, creds.token or ""]
    match = _SIGNATURE.search(auth.get("Authorization", ""))
    if match is not None:
        found.append(match.group(1))
    return tuple(value for value in found if len(value) >= _MIN_SECRET_LENGTH)


def _forms(secret: str) -> tuple[str, ...]:
    """How a secret can appear in text: raw, URL-encoded, JSON with escaped slashes."""
    return (secret, quote(secret, safe=""), quote_plus(secret), secret.replace("/", "\\/"))


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every form of every secret replaced by ``[secure]``."""
    for secret in secrets:
        for form in _forms(secret):
            text = text.replace(form, _REDACTED)
    return text


def _scrub_response(response: HttpResponse, secrets: tuple[str, ...]) -> HttpResponse:
    """``response`` with our secrets scrubbed from its body and headers (the same object when
    none occurs)."""
    body = response.body
    for secret in secrets:
        for form in _forms(secret):
            body = body.replace(form.encode(), _REDACTED.encode())
    headers = {name: _scrub(value, secrets) for name, value in response.headers.items()}
    if body == response.body and headers == response.headers:
        return response
    return attrs.evolve(response, body=body, headers=headers)


def _server_offset(outcome: AttemptOutcome, now: float) -> float | None:
    """Server clock minus ``now``: from the ``Date`` header, else from AWS's skew message."""
    if outcome.date_header:
        offset = clock_skew_offset(outcome.date_header, now)
        if offset is not None:
            return offset
    match = _SERVER_TIME_IN_MESSAGE.search(outcome.error_message or "")
    if match is None:
        return None
    try:
        server = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ")
    except ValueError:  # month 13, hour 25 ...
        return None
    return server.replace(tzinfo=timezone.utc).timestamp() - now


def _redirect_message(response: HttpResponse) -> str:
    location = response.header("location")
    where = ""
    if location:
        split = urlsplit(location)
        shown = f"{split.scheme}://{split.netloc}{split.path}" if split.netloc else split.path
        where = f" to {shown}"
    return (
        f"the endpoint answered with a redirect (HTTP {response.status_code}{where}); "
        "redirects are not followed, so that credentials never go to another address: "
        "set endpoint_url to the endpoint itself"
    )


def _transport_message(kind: str, detail: str) -> str:
    what = {
        "connect": "could not connect to the endpoint",
        "timeout": "the request timed out",
        "read": "the connection was closed before the whole response arrived",
    }.get(kind, kind)
    return f"{what}: {detail}" if detail else what
