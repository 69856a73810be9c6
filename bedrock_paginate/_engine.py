"""The request engine shared by the sync and async clients: everything about one API call that
is not I/O.

For each call, :meth:`Engine.start` (an :class:`~bedrock_paginate._operations.Operation` and its
validated arguments) gives a :class:`Call`. A shell loops: wait ``call.before_attempt()``
seconds, load the credentials (``call.load_credentials()``: inline in the sync client, in a
worker thread when ``call.credentials_need_io()`` in the async one), send
``call.signed_request()``, then hand what came back, an
:class:`~bedrock_paginate._http.AttemptResult`, to :meth:`Call.evaluate`, which answers with
a :class:`Decision`: the decoded model, a retry after a delay, or the error to raise (built once
by ``_failures.build_error``). Retries, clock-skew correction, credential refresh after
``ExpiredTokenException`` and decoding live here, once, generic over the operation (what counts
as clock skew, and the server's time, come from ``_skew``; retry policy from ``_retry``). The
shells only send and sleep.

Attempts are counted twice. ``Call.attempt`` counts every request sent (logs, the page's
``RetryAttempts``). The retry policy only sees the attempts it decided on: re-signing after a
clock-skew error and retrying after a credential refresh (each at most once per call) are free,
so they neither use up ``max_attempts`` nor take from (or refund to) the retry quota.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs

from . import __version__ as _version
from ._decode import ErrorFields
from ._failures import (
    AttemptRecord,
    build_error,
    scrub,
    scrub_response,
    scrubbed_fields,
)
from ._http import MAX_BODY_BYTES, AttemptResult, BodyReader, HttpRequest, HttpResponse
from ._redact import request_secrets
from ._retry import AttemptOutcome, RetryPolicy, is_expired_token_error
from ._serialize import build_request
from ._sigv4 import sign_request
from ._skew import is_clock_skew_error, server_offset
from .errors import BedrockPaginateError, DecodeError, ServiceError

if TYPE_CHECKING:
    from ._config import ClientConfig
    from ._credentials import Credentials
    from ._operations import Operation

__all__ = [
    "BODY_DEADLINE_READ_TIMEOUTS",
    "Call",
    "Decision",
    "Engine",
]

log = logging.getLogger("bedrock_paginate")

#: A body must arrive within this many read timeouts in total: the read timeout alone bounds
#: each wait, so a server trickling bytes just fast enough would otherwise never be cut off.
BODY_DEADLINE_READ_TIMEOUTS = 5

_USER_AGENT = f"bedrock-paginate/{_version} Python/{sys.version_info[0]}.{sys.version_info[1]}"


@attrs.frozen
class Decision:
    """What a shell does next: raise ``error``; else retry after ``delay`` s (0: at once);
    else (``delay`` is ``None``) return ``result``, the operation's decoded model."""

    result: Any = None
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
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.config = config
        self.retry = retry
        self.clock = clock
        #: Seconds to add to the local clock when signing (learnt from a clock-skew error).
        self.skew = 0.0
        #: Larger response bodies are refused with a DecodeError.
        self.max_body_bytes = max_body_bytes

    def start(
        self, operation: Operation, params: Mapping[str, Any], *, secrets: tuple[str, ...] = ()
    ) -> Call:
        """A new call of ``operation`` with validated ``params`` (``operation.validate``).

        ``secrets`` are values in ``params`` (a web identity token) to scrub, like the signing
        secrets, from anything the service echoes back.
        """
        request = build_request(self.config.endpoint_url, operation, params)
        return Call(self, operation, request, secrets=secrets)

    def now(self) -> datetime:
        """The signing time: the local clock corrected by the learnt skew."""
        return datetime.fromtimestamp(self.clock() + self.skew, tz=timezone.utc)

    def authorize(
        self, request: HttpRequest, creds: Credentials | None, operation: Operation
    ) -> dict[str, str]:
        """The auth headers for ``request``, signed with ``creds`` (loaded by the shell) for
        ``operation``'s signing name; none for an unsigned operation."""
        config = self.config
        if not operation.signed:
            return {}
        if config.auth_scheme == "bearer":
            return {"Authorization": f"Bearer {config.bearer_token}"}
        if creds is None:  # replay mode: nothing is checked, sign nothing real
            return {}
        headers = sign_request(
            request.method,
            request.url,
            request.headers,
            request.body,
            region=config.region,
            service=operation.signing_name,
            access_key=creds.access_key,
            secret_key=creds.secret_key,
            session_token=creds.token,
            now=self.now(),
        )
        return dict(headers)


class Call:
    """The attempts of one API call (one page)."""

    def __init__(
        self,
        engine: Engine,
        operation: Operation,
        request: HttpRequest,
        *,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.engine = engine
        self.operation = operation
        self.request = request
        #: Requests sent so far, free re-sends included.
        self.attempt = 0
        self._free = 0
        self._skew_fixed = False
        self._refreshed = False
        self._creds: Credentials | None = None
        self._signed_with: Credentials | None = None
        # The secrets of the last attempt (secret key, session or bearer token, signature),
        # scrubbed from anything the service sends back before it reaches an error message.
        self._secrets: tuple[str, ...] = secrets
        self._request_secrets = secrets
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

    def credentials_need_io(self) -> bool:
        """Whether :meth:`load_credentials` may block (load or refresh): the async shell then
        runs it in a worker thread."""
        config = self.engine.config
        creds = config.credentials
        return config.auth_scheme != "bearer" and creds is not None and creds.needs_io()

    def load_credentials(self) -> None:
        """Load (or refresh) the credentials the next attempt is signed with; may do I/O."""
        config = self.engine.config
        if config.auth_scheme == "bearer" or config.credentials is None:
            self._creds = None
        else:
            self._creds = config.credentials.get()

    def signed_request(self) -> HttpRequest:
        """The request with fresh signature headers for the next attempt (after
        :meth:`load_credentials`)."""
        self.attempt += 1
        headers = dict(self.request.headers)
        headers["User-Agent"] = _USER_AGENT
        self._signed_with = self._creds
        auth = self.engine.authorize(self.request, self._creds, self.operation)
        self._secrets = (
            *_secrets_of(auth, self._creds, self.engine.config.bearer_token),
            *self._request_secrets,
        )
        headers.update(auth)
        if log.isEnabledFor(logging.DEBUG):
            split = urlsplit(self.request.url)
            log.debug(
                "request %s %s?%s (attempt %d, auth %s)",
                self.request.method,
                split.path,
                split.query,
                self.attempt,
                self.engine.config.auth_scheme if self.operation.signed else "none",
            )
        return attrs.evolve(self.request, headers=headers)

    def evaluate(self, result: AttemptResult) -> Decision:
        """Decide what follows an attempt that got ``result``."""
        response = result.response
        if response is None:
            return self._after_failure(result)
        if log.isEnabledFor(logging.DEBUG):  # the request id is the service's text: scrubbed
            log.debug(
                "response %d request-id %s (attempt %d, %d bytes)",
                response.status_code,
                scrub(str(response.header("x-amzn-requestid")), self._secrets),
                self.attempt,
                len(response.body),
            )
        if 200 <= response.status_code < 300:
            return self._after_success(result, response)
        return self._after_error_response(result, response)

    # --- the three kinds of outcome ---------------------------------------------------------

    def _after_failure(self, result: AttemptResult) -> Decision:
        if result.failure == "too_large":
            return Decision(error=self._error(result))
        kind = result.failure or "connect"
        outcome = AttemptOutcome(failure="bad_body" if kind == "bad_encoding" else kind)
        return self._retry_or_raise(result, outcome)

    def _after_success(self, result: AttemptResult, response: HttpResponse) -> Decision:
        try:
            model = self.operation.decode(response, retry_attempts=self.attempt - 1)
        except DecodeError as exc:
            outcome = AttemptOutcome(status_code=response.status_code, failure="bad_body")
            return self._retry_or_raise(result, outcome, decode_error=exc)
        self.engine.retry.on_success(self.policy_attempt, last_failure=self._last_failure)
        return Decision(result=model)

    def _after_error_response(self, result: AttemptResult, response: HttpResponse) -> Decision:
        fields = scrubbed_fields(
            scrub_response(response, self._secrets), self._secrets, self.operation
        )
        outcome = AttemptOutcome(
            status_code=response.status_code,
            error_code=fields.code,
            error_message=fields.message,
            retry_after=response.header("x-amz-retry-after"),
            date_header=response.header("date"),
            modeled_error=fields.code is not None
            and self.operation.error_class(fields.code) is not ServiceError,
        )
        special = self._fix_clock_skew(outcome) or self._refresh_credentials(outcome)
        if special is not None:
            return special
        return self._retry_or_raise(result, outcome, fields=fields)

    def _retry_or_raise(
        self,
        result: AttemptResult,
        outcome: AttemptOutcome,
        *,
        decode_error: DecodeError | None = None,
        fields: ErrorFields | None = None,
    ) -> Decision:
        retry = self.engine.retry
        attempt = self.policy_attempt
        delay = retry.delay_before_retry(attempt, outcome)
        if delay is not None:
            self._last_failure = outcome
            log.debug("retrying in %.3f s after attempt %d", delay, self.attempt)
            return Decision(delay=delay)
        retried = attempt > 1 or retry.is_retryable(outcome)
        reached = retried and attempt >= retry.max_attempts
        details = list(self._special_details(outcome)) if fields is not None else []
        # A service error that hit max_attempts says so as botocore does instead.
        if retried and not (reached and fields is not None):
            details.append(retry.describe_give_up(attempt, outcome))
        error = self._error(
            result,
            max_attempts_reached=reached,
            details=tuple(details),
            decode_error=decode_error,
            fields=fields,
        )
        return Decision(error=error)

    def _error(
        self,
        result: AttemptResult,
        *,
        max_attempts_reached: bool = False,
        details: tuple[str, ...] = (),
        decode_error: DecodeError | None = None,
        fields: ErrorFields | None = None,
    ) -> BedrockPaginateError:
        return build_error(
            AttemptRecord(
                operation=self.operation,
                result=result,
                attempts=self.attempt,
                max_attempts_reached=max_attempts_reached,
                details=details,
                secrets=self._secrets,
                max_body_bytes=self.engine.max_body_bytes,
                decode_error=decode_error,
                fields=fields,
            )
        )

    # --- clock skew and expired credentials (each at most once per call, free) --------------

    def _fix_clock_skew(self, outcome: AttemptOutcome) -> Decision | None:
        """Re-sign with the server's time after a clock-skew error; keep the offset."""
        engine = self.engine
        if self._skew_fixed:
            return None
        now = engine.clock()
        if not is_clock_skew_error(outcome, now=now + engine.skew):
            return None
        offset = server_offset(outcome, now)
        if offset is None:
            return None
        self._skew_fixed = True
        self._free += 1
        engine.skew = offset
        log.debug("clock skew of %.1f s detected; re-signing with corrected time", offset)
        return Decision(delay=0.0)

    def _refresh_credentials(self, outcome: AttemptOutcome) -> Decision | None:
        """Refresh the credentials once after ``ExpiredTokenException``, then retry (signed
        operations only: SSO-OIDC's ``ExpiredTokenException`` is about the token it was given)."""
        creds = self.engine.config.credentials
        if (
            self._refreshed
            or not self.operation.signed  # an unsigned call's expired token is its input
            or creds is None
            or not creds.can_refresh
            or not is_expired_token_error(outcome)
        ):
            return None
        self._refreshed = True
        self._free += 1
        log.debug("credentials expired; refreshing from %s", creds.source)
        # The refresh itself happens when the shell loads the credentials for the retry (the
        # async shell in a worker thread). Passing the rejected credentials makes concurrent
        # callers share one refresh.
        creds.mark_expired(self._signed_with)
        return Decision(delay=0.0)

    def _special_details(self, outcome: AttemptOutcome) -> tuple[str, ...]:
        """Why a clock-skew or expired-token error was not (or no longer) handled."""
        if is_expired_token_error(outcome):
            creds = self.engine.config.credentials
            if self._refreshed:
                return ("rejected again after refreshing the credentials",)
            if creds is not None and not creds.can_refresh:
                return (
                    f"the credentials from {creds.source} cannot be refreshed "
                    "automatically; renew them and try again",
                )
        elif self._skew_fixed and is_clock_skew_error(outcome):
            return (f"still refused after correcting the clock by {self.engine.skew:+.0f} s",)
        return ()


def _secrets_of(
    auth: Mapping[str, str], creds: Credentials | None, bearer: str | None
) -> tuple[str, ...]:
    found = [bearer, *request_secrets(auth)]
    if creds is not None:
        found += [creds.secret_key, creds.token]
    return tuple(value for value in found if value)
