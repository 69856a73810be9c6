"""The request engine shared by the sync and async clients: everything about one API call that
is not I/O.

For each call, :meth:`Engine.start` gives a :class:`Call`. A shell loops: wait
``call.before_attempt()`` seconds, send ``call.signed_request()``, then hand what came back (a
response, or the kind of transport failure) to :meth:`Call.evaluate`, which answers with a
:class:`Decision`: the decoded page, a retry after a delay, or the error to raise. Retries,
clock-skew correction, credential refresh after ``ExpiredTokenException``, and error decoding
all live here, once. The shells only send and sleep.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import attrs

from . import __version__ as _version
from ._decode import decode_page, parse_error
from ._http import HttpRequest, HttpResponse
from ._retry import (
    AttemptOutcome,
    RetryPolicy,
    clock_skew_offset,
    is_clock_skew_error,
    is_expired_token_error,
)
from ._serialize import build_request
from ._sigv4 import sign_request
from .errors import BedrockPaginateError, DecodeError, ServiceError, TransportError
from .models import Page

if TYPE_CHECKING:
    from ._config import ClientConfig

__all__ = ["MAX_BODY_BYTES", "Call", "Decision", "Engine", "Failure"]

log = logging.getLogger("bedrock_paginate")

#: Responses larger than this are refused (a page of 1000 jobs is about 1.5 MB).
MAX_BODY_BYTES = 64 * 1024 * 1024

Failure = Literal["connect", "timeout", "read", "too_large"]

_USER_AGENT = f"bedrock-paginate/{_version} Python/{sys.version_info[0]}.{sys.version_info[1]}"


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
        split = urlsplit(config.endpoint_url)
        self.base_path = split.path.rstrip("/")

    def start(self, params: Mapping[str, Any]) -> Call:
        """A new call for validated ListModelInvocationJobs ``params``."""
        return Call(self, build_request(self.config.endpoint_url, params))

    def now(self) -> datetime:
        """The signing time: the local clock corrected by the learnt skew."""
        return datetime.fromtimestamp(self.clock() + self.skew, tz=timezone.utc)

    def auth_headers(self, request: HttpRequest) -> dict[str, str]:
        """The Authorization (and date/token) headers for ``request``."""
        config = self.config
        if config.auth_scheme == "bearer":
            return {"Authorization": f"Bearer {config.bearer_token}"}
        if config.credentials is None:  # replay mode: nothing is checked, sign nothing real
            return {}
        creds = config.credentials.get()
        return sign_request(
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


class Call:
    """The attempts of one API call (one page)."""

    def __init__(self, engine: Engine, request: HttpRequest) -> None:
        self.engine = engine
        self.request = request
        self.attempt = 0
        self._skew_fixed = False
        self._refreshed = False
        self._last_failure: AttemptOutcome | None = None

    def before_attempt(self) -> float:
        """Seconds to wait before the next attempt (adaptive rate limiting), usually 0."""
        return self.engine.retry.before_attempt()

    def signed_request(self) -> HttpRequest:
        """The request with fresh signature headers for the next attempt."""
        self.attempt += 1
        headers = dict(self.request.headers)
        headers["User-Agent"] = _USER_AGENT
        headers.update(self.engine.auth_headers(self.request))
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
        retry = self.engine.retry
        if response is not None:
            request_id = response.header("x-amzn-requestid")
            log.debug(
                "response %d request-id %s (attempt %d, %d bytes)",
                response.status_code,
                request_id,
                self.attempt,
                len(response.body),
            )
            if 200 <= response.status_code < 300:
                try:
                    page = decode_page(response, retry_attempts=self.attempt - 1)
                except DecodeError as exc:
                    exc.request_id = request_id
                    error: BedrockPaginateError = exc
                    outcome = AttemptOutcome(status_code=response.status_code, failure="bad_body")
                else:
                    retry.on_success(self.attempt, last_failure=self._last_failure)
                    return Decision(page=page)
            else:
                service_error = parse_error(response)
                outcome = AttemptOutcome(
                    status_code=response.status_code,
                    error_code=service_error.code,
                    error_message=service_error.message,
                    retry_after=response.header("x-amz-retry-after"),
                    date_header=response.header("date"),
                )
                special = self._special_retry(outcome, service_error)
                if special is not None:
                    return special
                error = service_error
        else:
            kind = failure or "connect"
            if kind == "too_large":
                return Decision(
                    error=DecodeError(
                        f"invalid response: body larger than {MAX_BODY_BYTES} bytes; refused"
                    )
                )
            error = TransportError(_transport_message(kind, detail), attempts=self.attempt)
            outcome = AttemptOutcome(failure=kind)
        self._last_failure = outcome
        delay = retry.delay_before_retry(self.attempt, outcome)
        if delay is None:
            if self.attempt > 1 or retry.is_retryable(outcome):
                error.message += f" ({retry.describe_give_up(self.attempt, outcome)})"
            if isinstance(error, TransportError):
                error.attempts = self.attempt
            return Decision(error=error)
        log.debug("retrying in %.3f s after attempt %d", delay, self.attempt)
        return Decision(delay=delay)

    def _special_retry(self, outcome: AttemptOutcome, error: ServiceError) -> Decision | None:
        """Clock skew: re-sign with the server's time. Expired token: refresh credentials once."""
        engine = self.engine
        now = engine.clock()
        if (
            not self._skew_fixed
            and outcome.date_header
            and is_clock_skew_error(outcome, now=now + engine.skew)
        ):
            offset = clock_skew_offset(outcome.date_header, now)
            if offset is not None:
                self._skew_fixed = True
                engine.skew = offset
                log.debug("clock skew of %.1f s detected; re-signing with corrected time", offset)
                return Decision(delay=0.0)
        creds = engine.config.credentials
        if (
            not self._refreshed
            and creds is not None
            and creds.can_refresh
            and is_expired_token_error(outcome)
        ):
            self._refreshed = True
            log.debug("credentials expired; refreshing from %s", creds.source)
            try:
                creds.force_refresh()
            except BedrockPaginateError as exc:
                return Decision(error=exc)
            return Decision(delay=0.0)
        return None


def _transport_message(kind: str, detail: str) -> str:
    what = {
        "connect": "could not connect to the endpoint",
        "timeout": "the request timed out",
        "read": "the connection was closed before the whole response arrived",
    }.get(kind, kind)
    return f"{what}: {detail}" if detail else what
