"""``FakeBedrock``: the batch-job API of Bedrock as a pure request -> response function.

The fake holds a list of job summaries and answers ``GET /model-invocation-jobs`` the way the
service does: it validates the query (Coral's messages), authenticates (optional SigV4 or bearer),
filters, sorts, pages with opaque ``nextToken`` values, and applies scripted faults. It does no
I/O: ``transport()`` serves it to httpx in-process, ``FakeBedrockServer`` over a real socket.

Semantics chosen where the service's documentation is silent (and tested):

- ``statusEquals`` matches exactly; ``nameContains`` is a case-sensitive substring match.
- ``submitTimeAfter`` is inclusive and ``submitTimeBefore`` exclusive: a job is listed when
  ``after <= submitTime < before``, so adjacent windows never overlap or leave gaps.
- Jobs are sorted by ``(submitTime, jobArn)``; ``Descending`` (the default) is the exact reverse
  of ``Ascending``, so jobs with equal submit times keep a stable order.
- Without ``maxResults`` a page holds ``default_page_size`` jobs (1000, the model's maximum).
- A ``nextToken`` is a cursor after the last job of its page, bound to the filters and sort
  order (see ``_pagetoken``); it survives jobs being added or removed in between.

GetModelInvocationJob, StopModelInvocationJob and CreateModelInvocationJob are answered by
``_jobops`` over the same jobs; jobs created (or made live with ``live_jobs``) move through their
statuses on the fake's clock (``_lifecycle``), and the listing shows them as they are now.

Imports only the standard library, attrs and the library's ``errors``/``_http``/``_sigv4``.
"""

from __future__ import annotations

import bisect
import json
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .._http import redact_headers
from ..errors import ParamValidationError
from ._auth import AuthPolicy, skew_message
from ._faults import REPLACING, Fault, FaultSchedule
from ._jobops import ApiError, JobsApi, job_route
from ._lifecycle import FINISHED
from ._pagetoken import BadToken, Cursor, decode_token, encode_token
from ._responses import FakeResponse, html_error, json_error, json_ok
from ._time import format_amz_date, from_datetime, parse_amz_date, parse_timestamp
from ._validate import ListQuery, QueryError, parse_query

if TYPE_CHECKING:
    import httpx

__all__ = ["OPERATION_PATH", "FakeBedrock", "ReceivedRequest"]

OPERATION_PATH = "/model-invocation-jobs"
_DEFAULT_TOKEN_SECRET = b"bedrock-paginate fake nextToken key"
_BAD_TOKEN_MESSAGE = (
    "Invalid nextToken: pass the nextToken of the previous response unchanged, with the same "
    "filters and sort order."
)
_WRONG_TYPES_BODY = {
    "invocationJobSummaries": [
        {
            "jobArn": 123456789012,
            "jobName": ["not", "a", "string"],
            "modelId": None,
            "roleArn": True,
            "submitTime": {"seconds": 1700000000},
            "inputDataConfig": "s3://bucket/input.jsonl",
            "outputDataConfig": 7,
            "totalRecordCount": "12",
        }
    ],
    "nextToken": 42,
}

Key = tuple[int, str]
#: Statuses a live job can start from (others start as if just submitted).
_STARTABLE = frozenset({"Submitted", "Validating", "Scheduled", "InProgress", "Stopping"})


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@attrs.frozen(kw_only=True)
class ReceivedRequest:
    """A request as the fake received it (secret headers redacted) and what it answered.

    ``status`` and ``fault`` are ``None`` while the request is being handled (for example when
    a ``when=`` predicate of :meth:`FakeBedrock.inject` looks at it).
    """

    index: int
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str] = attrs.field(factory=dict)
    status: int | None = None
    fault: str | None = None

    def param(self, name: str) -> str | None:
        """The first value of query parameter ``name``, or ``None``."""
        return next((v for k, v in self.query if k == name), None)

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive; secrets read ``[redacted]``)."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


def _job_key(job: Mapping[str, Any]) -> Key:
    """The sort key of a job: ``(submitTime in microseconds, jobArn)``."""
    arn, submit = job.get("jobArn"), job.get("submitTime")
    if not isinstance(arn, str) or not isinstance(submit, str):
        raise ParamValidationError(
            f"every job needs a string jobArn and submitTime, got {arn!r} / {submit!r}",
            param="jobs",
        )
    try:
        return parse_timestamp(submit), arn
    except ValueError:
        raise ParamValidationError(
            f"job {arn!r} has submitTime {submit!r}; expected ISO 8601 such as "
            "2025-03-04T05:06:07.123Z",
            param="jobs",
        ) from None


def _build_index(jobs: list[dict[str, Any]]) -> list[tuple[Key, dict[str, Any]]]:
    """``(key, job)`` pairs in ascending key order.

    Raises:
        ParamValidationError: a job lacks a valid jobArn/submitTime, or an ARN repeats.
    """
    index = sorted(((_job_key(job), job) for job in jobs), key=lambda item: item[0])
    counts = Counter(arn for (_, arn), _ in index)
    repeated = sorted(arn for arn, count in counts.items() if count > 1)
    if repeated:
        raise ParamValidationError(
            f"job ARNs must be unique; repeated: {', '.join(repeated[:3])}", param="jobs"
        )
    return index


def _copy_jobs(jobs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Shallow copies, so the caller's list and dicts can change without affecting the fake."""
    if isinstance(jobs, (str, bytes, Mapping)) or not isinstance(jobs, Iterable):
        raise ParamValidationError(
            f"jobs must be an iterable of job dicts, got {type(jobs).__name__}", param="jobs"
        )
    copies = []
    for job in jobs:
        if not isinstance(job, Mapping):
            raise ParamValidationError(
                f"each job must be a dict, got {type(job).__name__}", param="jobs"
            )
        copies.append(dict(job))
    return copies


#: The plain-typed FakeBedrock arguments and the types each accepts.
_ARGUMENT_TYPES: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("region", str),
    ("check_sigv4", bool),
    ("token_secret", bytes),
    ("empty_last_page", bool),
    ("seed", int),
    ("credentials", Mapping),
)


def _fault_tuple(faults: Iterable[Fault]) -> tuple[Fault, ...]:
    return tuple(faults)


def _matches(job: Mapping[str, Any], key: Key, query: ListQuery) -> bool:
    if query.status_equals is not None and job.get("status") != query.status_equals:
        return False
    if query.name_contains is not None and query.name_contains not in str(job.get("jobName", "")):
        return False
    if query.submit_time_after is not None and key[0] < query.submit_time_after:
        return False
    return query.submit_time_before is None or key[0] < query.submit_time_before


@attrs.define(kw_only=True)
class FakeBedrock:
    """A fake ListModelInvocationJobs endpoint. Thread-safe.

    Args:
        jobs: job summaries as wire dicts (see :func:`generate_jobs`); copied. Change them
            later with :meth:`add_jobs`/:meth:`remove_jobs`, not by editing ``fake.jobs``.
        region: the region SigV4 scopes must name.
        default_page_size: page size when the request has no ``maxResults``.
        check_sigv4: verify every ``AWS4-HMAC-SHA256`` signature against ``credentials``
            (access key id -> secret key).
        bearer_tokens: accept ``Authorization: Bearer <token>`` for these tokens.
        now: the fake's clock (aware datetime), for SigV4 freshness.
        token_secret: key of the ``nextToken`` MAC; fakes with other keys reject each
            other's tokens.
        error_type_style: ``x-amzn-ErrorType`` as ``Code:namespace`` (``"suffixed"``), as
            ``Code`` (``"plain"``), or alternating by request index (``"alternate"``, even
            indexes suffixed).
        empty_last_page: when a page ends exactly at the last job, still return a
            ``nextToken`` whose page is empty (some AWS APIs do this).
        seed: seeds the request ids, so a run's ``x-amzn-RequestId`` values repeat.
        faults: faults applied to the first requests, one each, in order.
        speed: how many times faster than real time jobs run (``serve --speed 600``).
        live_jobs: jobs given in ``jobs`` that are not finished move on from their status on
            the fake's clock (created jobs always do).
        max_active_jobs: the quota of jobs created or made live that may be running at once
            (``ServiceQuotaExceededException`` beyond it); ``None``: no quota.
    """

    jobs: list[dict[str, Any]] = attrs.field(
        factory=list, converter=_copy_jobs, on_setattr=attrs.setters.NO_OP
    )
    region: str = "us-east-1"
    default_page_size: int = attrs.field(default=1000)
    check_sigv4: bool = False
    credentials: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    bearer_tokens: Collection[str] = attrs.field(factory=frozenset, repr=False)
    now: Callable[[], datetime] = _utc_now
    token_secret: bytes = attrs.field(default=_DEFAULT_TOKEN_SECRET, repr=False)
    error_type_style: Literal["alternate", "suffixed", "plain"] = "alternate"
    empty_last_page: bool = False
    seed: int = 0
    faults: tuple[Fault, ...] = attrs.field(default=(), converter=_fault_tuple)
    speed: float = attrs.field(default=1.0)
    live_jobs: bool = False
    max_active_jobs: int | None = attrs.field(default=20)

    _lock: threading.Lock = attrs.field(init=False, factory=threading.Lock)
    _index: list[tuple[Key, dict[str, Any]]] = attrs.field(init=False, factory=list)
    _log: list[ReceivedRequest | None] = attrs.field(init=False, factory=list)
    _schedule: FaultSchedule = attrs.field(init=False, factory=FaultSchedule)
    _rng: random.Random = attrs.field(init=False, factory=random.Random)
    _auth: AuthPolicy = attrs.field(init=False, factory=AuthPolicy)
    _jobs_api: JobsApi = attrs.field(init=False)

    @speed.validator
    def _check_speed(self, _: object, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ParamValidationError(f"speed must be > 0, got {value!r}", param="speed")

    @max_active_jobs.validator
    def _check_quota(self, _: object, value: int | None) -> None:
        bad = isinstance(value, bool) or not isinstance(value, int) or value < 0
        if value is not None and bad:
            raise ParamValidationError(
                f"max_active_jobs must be None or >= 0, got {value!r}", param="max_active_jobs"
            )

    @default_page_size.validator
    def _check_page_size(self, _: object, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
            raise ParamValidationError(
                f"default_page_size must be 1..1000, got {value!r}", param="default_page_size"
            )

    def __attrs_post_init__(self) -> None:
        for name, types in _ARGUMENT_TYPES:
            value = getattr(self, name)
            if not isinstance(value, types) or (types is int and isinstance(value, bool)):
                raise ParamValidationError(
                    f"{name} has the wrong type {type(value).__name__}", param=name
                )
        if self.error_type_style not in ("alternate", "suffixed", "plain"):
            raise ParamValidationError(
                f"error_type_style must be 'alternate', 'suffixed' or 'plain', got "
                f"{self.error_type_style!r}",
                param="error_type_style",
            )
        self._index = _build_index(self.jobs)
        self._rng.seed(self.seed)
        self._auth = AuthPolicy(
            check_sigv4=self.check_sigv4,
            credentials=dict(self.credentials),
            bearer_tokens=frozenset(self.bearer_tokens),
            region=self.region,
        )
        for fault in self.faults:
            self._schedule.add(fault)
        self._jobs_api = JobsApi(
            jobs=lambda: self.jobs,
            add_job=lambda job: self.add_jobs([job]),
            now_us=lambda: from_datetime(self.now()),
            region=self.region,
            speed=float(self.speed),
            max_active_jobs=self.max_active_jobs,
            rng=random.Random(self.seed),
        )
        if self.live_jobs:
            for job in self.jobs:
                status = job.get("status")
                if isinstance(status, str) and status not in FINISHED:
                    known = status if status in _STARTABLE else "Submitted"
                    self._jobs_api.activate(job, start_status=known)

    # --- data ----------------------------------------------------------------------------

    def _replace_jobs(self, jobs: list[dict[str, Any]]) -> None:
        """Swap in a new job list and its index (both or neither). Call with the lock held."""
        index = _build_index(jobs)
        self.jobs, self._index = jobs, index

    def add_jobs(self, jobs: Iterable[Mapping[str, Any]]) -> None:
        """Add jobs (as if submitted meanwhile); existing tokens keep their position.

        Raises:
            ParamValidationError: a job lacks a valid jobArn/submitTime or repeats an ARN.
        """
        with self._lock:
            self._replace_jobs([*self.jobs, *_copy_jobs(jobs)])

    def remove_jobs(self, arns: Collection[str]) -> None:
        """Remove the jobs with these ARNs; existing tokens keep their position."""
        with self._lock:
            self._replace_jobs([job for job in self.jobs if job.get("jobArn") not in arns])

    def set_job_fate(
        self,
        arn: str,
        *,
        outcome: str | None = None,
        total: int | None = None,
        rate: float | None = None,
    ) -> None:
        """Script a created (or live) job: how it ends (``"Completed"``,
        ``"PartiallyCompleted"`` or ``"Failed"``), how many records it has, and how many it
        processes per job minute. Without it, each job's fate is drawn from ``seed``.

        Raises:
            ParamValidationError: no created or live job has this ARN, or a bad outcome.
        """
        if outcome not in (None, "Completed", "PartiallyCompleted", "Failed"):
            raise ParamValidationError(
                f"outcome must be Completed, PartiallyCompleted or Failed, got {outcome!r}",
                param="outcome",
            )
        try:
            self._jobs_api.set_fate(arn, outcome=outcome, total=total, rate=rate)
        except KeyError:
            raise ParamValidationError(
                f"no created or live job has the ARN {arn!r}", param="arn"
            ) from None

    def expected(self, **filters: str) -> list[dict[str, Any]]:
        """The jobs a full listing returns for these query parameters, in order (for tests).

        Raises:
            ParamValidationError: the parameters fail the service's validation.
        """
        try:
            query = parse_query(list(filters.items()))
        except QueryError as exc:
            raise ParamValidationError(str(exc)) from None
        ordered = self._select(query)
        return [job for _, job in (reversed(ordered) if _descending(query) else ordered)]

    def add_credentials(self, access_key: str, secret_key: str) -> None:
        """Accept one more key pair for SigV4 (e.g. ``FakeSts(on_issue=fake.add_credentials)``)."""
        with self._lock:
            known = {**self._auth.credentials, access_key: secret_key}
            self._auth = attrs.evolve(self._auth, credentials=known)

    # --- faults and log ------------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        *,
        times: int | None = 1,
        at: int | None = None,
        when: Callable[[ReceivedRequest], bool] | None = None,
    ) -> None:
        """Apply ``fault`` to the next ``times`` matching requests (``None``: all of them).

        ``at`` restricts it to the request with that index (0-based, counting every request
        this fake received); ``when`` to requests for which the predicate is true. For each
        request the first injected fault that matches is used.
        """
        self._schedule.add(fault, times=times, at=at, when=when)

    def clear_faults(self) -> None:
        """Forget every fault not yet applied."""
        self._schedule.clear()

    @property
    def pending_faults(self) -> int:
        """How many fault applications are still scheduled (unlimited ones count once)."""
        return self._schedule.pending

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Every request received so far, in arrival order, with the status answered."""
        with self._lock:
            return [r for r in self._log if r is not None]

    @property
    def request_count(self) -> int:
        """How many requests were received (including ones still being answered)."""
        with self._lock:
            return len(self._log)

    def transport(self) -> httpx.MockTransport:
        """An ``httpx.MockTransport`` serving this fake (for ``Client`` and ``AsyncClient``).

        Socket faults become the exceptions httpx raises on a real socket; see
        :func:`bedrock_paginate.testing.make_transport`.
        """
        from ._transport import make_transport

        return make_transport(self)

    # --- handling ------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> FakeResponse:
        """Answer one request. ``query`` holds decoded pairs in wire order (a ``+`` in the
        raw query string must already have been decoded to a space); ``path`` is the wire path.
        """
        request, request_id = self._receive(method, path, query, headers)
        fault = self._schedule.take(request)
        if fault is not None and fault.kind in REPLACING:
            response = self._fault_response(fault, request, request_id)
        else:
            response = self._serve(request, headers, body, request_id)
            if fault is not None:
                response = self._alter(response, fault, request)
        self._finish(request, response, fault)
        return response

    def _receive(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
    ) -> tuple[ReceivedRequest, str]:
        with self._lock:
            request = ReceivedRequest(
                index=len(self._log),
                method=method.upper(),
                path=path,
                query=tuple((str(k), str(v)) for k, v in query),
                headers=redact_headers(headers),
            )
            self._log.append(None)
            request_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        return request, request_id

    def _finish(
        self, request: ReceivedRequest, response: FakeResponse, fault: Fault | None
    ) -> None:
        done = attrs.evolve(
            request,
            status=None if response.drop else response.status,
            fault=None if fault is None else fault.kind,
        )
        with self._lock:
            self._log[request.index] = done

    def _error(
        self, request: ReceivedRequest, request_id: str, status: int, code: str, message: str
    ) -> FakeResponse:
        style = self.error_type_style
        suffixed = style == "suffixed" or (style == "alternate" and request.index % 2 == 0)
        return json_error(status, code, message, request_id, suffixed=suffixed)

    def _serve(
        self, request: ReceivedRequest, headers: Mapping[str, str], body: bytes, request_id: str
    ) -> FakeResponse:
        try:
            route = job_route(request.method, request.path)
        except UnicodeDecodeError:
            route = None
        listing = request.method == "GET" and request.path == OPERATION_PATH
        if route is None and not listing:
            return self._error(request, request_id, 404, "UnknownOperationException", "")
        failure = self._auth.check(
            request.method,
            request.path,
            request.query,
            headers,
            body,
            now_micros=from_datetime(self.now()),
        )
        if failure is not None:
            return self._error(request, request_id, failure.status, failure.code, failure.message)
        if route is not None:
            try:
                return json_ok(self._jobs_api.answer(*route, body), request_id)
            except ApiError as exc:
                return self._error(request, request_id, exc.status, exc.code, exc.message)
        try:
            query = parse_query(request.query)
            payload = self._page(query)
        except QueryError as exc:
            return self._error(request, request_id, 400, "ValidationException", str(exc))
        except BadToken:
            return self._error(request, request_id, 400, "ValidationException", _BAD_TOKEN_MESSAGE)
        return json_ok(payload, request_id)

    # --- paging --------------------------------------------------------------------------

    def _select(self, query: ListQuery) -> list[tuple[Key, dict[str, Any]]]:
        """The matching jobs in ascending key order."""
        with self._lock:
            index = self._index
        api = self._jobs_api
        if api.live:  # live jobs are listed as they are now
            now = from_datetime(self.now())
            index = [(key, api.current(job, now)) for key, job in index]
        return [(key, job) for key, job in index if _matches(job, key, query)]

    def _page(self, query: ListQuery) -> dict[str, Any]:
        """The response body for a validated query.

        Raises:
            BadToken: the ``nextToken`` is not one this fake issued for these parameters.
        """
        binding = query.binding()
        cursor = None
        if query.next_token is not None:
            cursor = decode_token(query.next_token, binding=binding, secret=self.token_secret)
        items = self._select(query)
        size = query.max_results or self.default_page_size
        page, more = _slice(items, cursor, size, descending=_descending(query))
        more = more or (self.empty_last_page and len(page) == size)
        payload: dict[str, Any] = {"invocationJobSummaries": [job for _, job in page]}
        if more:
            submit_us, arn = page[-1][0]  # a page with more after it is never empty
            payload["nextToken"] = encode_token(
                Cursor(submit_us, arn), binding=binding, secret=self.token_secret
            )
        return payload

    # --- faults --------------------------------------------------------------------------

    def _fault_response(
        self, fault: Fault, request: ReceivedRequest, request_id: str
    ) -> FakeResponse:
        kind = fault.kind
        if kind == "drop":
            return FakeResponse(status=0, drop="reset" if fault.reset else "close")
        if kind == "html":
            return html_error(fault.http_status) if fault.http_status != 200 else _html_ok()
        if kind == "raw":
            return FakeResponse(
                status=fault.http_status,
                headers={"Content-Type": fault.content_type, "x-amzn-RequestId": request_id},
                body=fault.body,
            )
        if kind == "wrong_types":
            return json_ok(_WRONG_TYPES_BODY, request_id)
        if kind == "clock_skew":
            return self._error(
                request,
                request_id,
                403,
                "InvalidSignatureException",
                self._skew_text(request, fault),
            )
        response = self._error(request, request_id, fault.http_status, fault.code, fault.message)
        if fault.retry_after_ms is not None:
            headers = {**response.headers, "x-amz-retry-after": str(fault.retry_after_ms)}
            response = attrs.evolve(response, headers=headers)
        return response

    def _skew_text(self, request: ReceivedRequest, fault: Fault) -> str:
        amz_date = request.header("x-amz-date") or ""
        try:
            sent = parse_amz_date(amz_date)
        except ValueError:
            sent = from_datetime(self.now())
            amz_date = format_amz_date(sent)
        return skew_message(amz_date, sent + fault.skew_seconds * 1_000_000)

    def _alter(
        self, response: FakeResponse, fault: Fault, request: ReceivedRequest
    ) -> FakeResponse:
        kind = fault.kind
        if kind == "slow":
            return attrs.evolve(response, delay=fault.seconds)
        if kind == "slow_body":
            return attrs.evolve(response, chunk_delay=fault.seconds, chunk_size=fault.chunk_size)
        if kind == "cut_body":
            keep = len(response.body) // 2 if fault.keep_bytes is None else fault.keep_bytes
            return attrs.evolve(response, body_limit=min(keep, max(len(response.body) - 1, 0)))
        return self._cycle(response, request)

    def _cycle(self, response: FakeResponse, request: ReceivedRequest) -> FakeResponse:
        """Send back a ``nextToken`` that was already returned (see :meth:`Fault.cycle`)."""
        if response.status != 200:
            return response
        token = request.param("nextToken")
        if token is None:
            binding = parse_query(request.query).binding()
            token = encode_token(Cursor(at_start=True), binding=binding, secret=self.token_secret)
        payload = response.json()
        payload["nextToken"] = token
        return attrs.evolve(response, body=json.dumps(payload, separators=(",", ":")).encode())


def _slice(
    items: list[tuple[Key, dict[str, Any]]], cursor: Cursor | None, size: int, *, descending: bool
) -> tuple[list[tuple[Key, dict[str, Any]]], bool]:
    """The page after ``cursor`` in ascending ``items``, and whether more follow it."""
    keys = [key for key, _ in items]
    fresh = cursor is None or cursor.at_start
    after: Key = (0, "") if cursor is None else (cursor.submit_us, cursor.arn)
    if descending:
        end = len(items) if fresh else bisect.bisect_left(keys, after)
        return items[max(0, end - size) : end][::-1], end > size
    start = 0 if fresh else bisect.bisect_right(keys, after)
    return items[start : start + size], start + size < len(items)


def _descending(query: ListQuery) -> bool:
    return query.sort_order == "Descending"


def _html_ok() -> FakeResponse:
    body = (
        b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
        b"<body>Please sign in.</body></html>"
    )
    return FakeResponse(status=200, headers={"Content-Type": "text/html; charset=utf-8"}, body=body)
