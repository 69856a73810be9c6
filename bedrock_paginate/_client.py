"""``Client`` and ``AsyncClient``: thin I/O shells over the pure core.

Everything that is not sending bytes or sleeping lives elsewhere: what each API operation is in
``_operations`` (an :class:`~bedrock_paginate._operations.Operation` description), requests in
``_serialize``, signing in ``_sigv4``, retry/skew/refresh decisions in ``_engine``, the final
error in ``_failures``, decoding in ``_decode``, pagination in ``_paginator``. Each shell has the
same short loops, one after the other in this file so they can be compared line by line:

* the *attempt loop* (generic over the operation): wait, load the credentials (inline in
  ``Client``, in a worker thread in ``AsyncClient`` when that may block), sign, send, hand the
  :class:`~bedrock_paginate._http.AttemptResult` to the engine, sleep, repeat. The sync one
  is :func:`call_sync` (``Client._call`` and the credential providers' STS, SSO and Sign-In
  calls use it), the async one ``AsyncClient._call``;
* the *page loop* (``__iter__`` / ``__aiter__``) lives with the paginators in
  ``_pagination_shell``, over each client's ``_call``.

Converting between httpx and the engine's values (and httpx's TLS and timeout settings) is
``_httpx_adapter``'s job.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from . import errors
from ._config import ClientConfig, resolve_config
from ._engine import Call, Engine
from ._http import MAX_BODY_BYTES, AttemptResult
from ._httpx_adapter import failed, http_timeout, http_verify, response_result, to_httpx
from ._operations import LIST_MODEL_INVOCATION_JOBS, OPERATIONS, Operation
from ._options import (
    CLIENT_OPTIONS,
    ClientOptions,
    ListJobsParams,
    check_options,
    config_options,
)
from ._pagination_shell import AsyncPaginator, Paginator
from ._proxies import proxy_for
from ._retry import RetryPolicy
from .errors import ClientClosedError, ParamValidationError
from .models import Page

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Unpack

    from ._job_models import CreateJobResult, Job, StopJobResult
    from ._job_options import CreateJobParams, JobIdentifierParams
    from ._waiter import Waiting

__all__ = [
    "AsyncClient",
    "Client",
    "ClientMeta",
    "call_sync",
]


def _refuse_transport_with_replay(transport: object, kwargs: Mapping[str, Any]) -> None:
    if transport is not None and kwargs.get("replay_from") is not None:
        raise ParamValidationError(
            "transport and replay_from cannot be used together: replay answers from the file "
            "and would never use the transport",
            param="transport",
        )


def _body_cap(value: object) -> int:
    """The validated ``max_body_bytes`` (the default when ``None``)."""
    if value is None:
        return MAX_BODY_BYTES
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParamValidationError(
            f"max_body_bytes must be a whole number of bytes of at least 1, not {value!r}",
            param="max_body_bytes",
        )
    return value


def _job_operation(name: str) -> Operation:
    """A batch-job operation, loading its description on first use (never for the listing)."""
    from . import _job_operations  # noqa: F401 - registers Get/Stop/CreateModelInvocationJob

    return OPERATIONS[name]


def _job_request(name: str, params: Mapping[str, Any]) -> tuple[Operation, Mapping[str, Any]]:
    """A batch-job operation and its validated ``params``: the arguments of ``_call``."""
    operation = _job_operation(name)
    return operation, operation.validate(params)


def _no_sleep(seconds: float) -> None:
    """The sleep of a replaying client."""


class _Exceptions:
    """boto3's ``client.exceptions`` namespace (``client.exceptions.ThrottlingException``)."""

    ClientError = errors.ServiceError
    AccessDeniedException = errors.AccessDeniedException
    ValidationException = errors.ValidationException
    ThrottlingException = errors.ThrottlingException
    InternalServerException = errors.InternalServerException
    ExpiredTokenException = errors.ExpiredTokenException
    ResourceNotFoundException = errors.ResourceNotFoundException
    ConflictException = errors.ConflictException
    ServiceQuotaExceededException = errors.ServiceQuotaExceededException


def call_sync(
    engine: Engine,
    http: httpx.Client,
    operation: Operation,
    params: Mapping[str, Any],
    sleep: Callable[[float], Any],
    clock: Callable[[], float],
    *,
    secrets: tuple[str, ...] = (),
) -> Any:
    """The sync attempt loop: call ``operation`` through ``engine`` over ``http``; the decoded
    model, or raise. ``Client`` runs every call here; so do the credential providers' STS, SSO
    and Sign-In calls (``_credentials._nested``, with an engine of their own): one loop."""
    call = engine.start(operation, params, secrets=secrets)
    while True:
        wait = call.before_attempt()
        if wait > 0:
            sleep(wait)
        call.load_credentials()
        decision = call.evaluate(_attempt_sync(http, call, clock))
        if decision.error is not None:
            raise decision.error
        if decision.delay is None:
            return decision.result
        if decision.delay:
            sleep(decision.delay)


def _attempt_sync(http: httpx.Client, call: Call, clock: Callable[[], float]) -> AttemptResult:
    request = to_httpx(call.signed_request())
    try:
        resp = http.send(request, stream=True)
        try:
            reader = call.body_reader(resp.headers.get("content-length"), clock)
            if reader.failure is not None:
                return reader.failure
            for chunk in resp.iter_bytes():
                if not reader.add(chunk):
                    return reader.failure or AttemptResult(failure="read")
        finally:
            resp.close()
    except httpx.RequestError as exc:
        return failed(exc)
    return response_result(resp, reader.body())


class _ClientBase:
    """Configuration, validation and the engine; sends nothing (the shells below do)."""

    exceptions = _Exceptions

    def __init__(self, **options: Unpack[ClientOptions]) -> None:
        check_options(type(self).__name__, options, CLIENT_OPTIONS)
        record_to = options.get("record_to")
        replay_from = options.get("replay_from")
        environ = options.get("environ")
        clock = options.get("clock")
        sleep = options.get("sleep")
        random = options.get("random")
        max_body_bytes = options.get("max_body_bytes")
        if record_to is not None and replay_from is not None:
            raise ParamValidationError(
                "record_to and replay_from cannot be used together", param="replay_from"
            )
        for name, path in (("record_to", record_to), ("replay_from", replay_from)):
            if path is not None and (not isinstance(path, (str, os.PathLike)) or not str(path)):
                raise ParamValidationError(
                    f"{name} must be a file path (str or os.PathLike), got {path!r}", param=name
                )
        replay_any_order = options.get("replay_any_order", False)
        if not isinstance(replay_any_order, bool):
            raise ParamValidationError(
                f"replay_any_order must be True or False, got {replay_any_order!r}",
                param="replay_any_order",
            )
        self.config: ClientConfig = resolve_config(
            require_credentials=replay_from is None, **config_options(options)
        )
        policy_kwargs: dict[str, Any] = {}
        if random is not None:
            policy_kwargs["random"] = random
        if clock is not None:
            policy_kwargs["clock"] = clock
        retry = RetryPolicy(
            mode=self.config.retry_mode,
            max_attempts=self.config.max_attempts,
            **policy_kwargs,
        )
        self._engine = Engine(
            self.config,
            retry=retry,
            clock=clock or time.time,
            max_body_bytes=_body_cap(max_body_bytes),
        )
        self._record_to = record_to
        self._replay_from = replay_from
        self._replay_any_order = replay_any_order
        # Replaying answers instantly: waiting out a recorded throttle's backoff proves nothing.
        self._sleep_fn: Callable[[float], Any] | None = (
            sleep if sleep is not None or replay_from is None else _no_sleep
        )
        #: Measures how long a body takes to arrive (monotonic unless a clock is injected).
        self._elapsed_clock: Callable[[], float] = clock or time.monotonic
        self._closed = False
        #: The proxy for the endpoint (HTTPS_PROXY / HTTP_PROXY / NO_PROXY), as botocore does.
        self._proxy = proxy_for(
            self.config.endpoint_url, os.environ if environ is None else environ
        )

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError(
                f"this {type(self).__name__} was closed (close() or the end of its 'with' "
                "block); create a new one to send more requests"
            )

    @property
    def meta(self) -> ClientMeta:
        """boto3-like ``client.meta``: ``region_name`` and ``endpoint_url``."""
        return ClientMeta(region_name=self.config.region, endpoint_url=self.config.endpoint_url)

    def _live_secrets(self) -> list[str]:
        """The secrets in use now (for the recorder to redact); never loads credentials."""
        found = [self.config.bearer_token or ""]
        creds = self.config.credentials
        current = creds.current if creds is not None else None
        if current is not None:
            found += [current.secret_key, current.token or ""]
        return [secret for secret in found if secret]

    def _wrap_transport(self, transport: Any) -> Any:
        if self._replay_from is not None:
            from .fixtures import ReplayTransport

            return ReplayTransport(
                self._replay_from, any_order=self._replay_any_order, clock=self._engine.clock
            )
        if self._record_to is not None:
            from .fixtures import RecordingTransport

            return RecordingTransport(
                transport, self._record_to, secrets=self._live_secrets, clock=self._engine.clock
            )
        return transport

    def _waiting(
        self,
        job_identifier: str,
        timeout: float | None,
        poll_interval: float,
        on_update: Callable[[Job], Any] | None,
    ) -> Waiting:
        """The deadline and decisions of one wait (the client's clock; its sleep waits)."""
        from ._waiter import Waiting

        return Waiting(
            job_identifier,
            timeout=timeout,
            poll_interval=poll_interval,
            clock=self._elapsed_clock,
            on_update=on_update,
        )

    def can_paginate(self, operation_name: str) -> bool:
        """True for a paginated operation (``list_model_invocation_jobs``), as boto3."""
        operation = OPERATIONS.get(operation_name)
        return operation is not None and operation.paginator is not None

    def _paginated(self, operation_name: str) -> Operation:
        operation = OPERATIONS.get(operation_name)
        if operation is None or operation.paginator is None:
            pageable = sorted(
                {op.python_name for op in OPERATIONS.values() if op.paginator is not None}
            )
            raise ParamValidationError(
                f"Operation cannot be paginated: {operation_name!r}; this client pages "
                f"{', '.join(repr(name) for name in pageable)}",
                param="operation_name",
            )
        return operation


@attrs.frozen
class ClientMeta:
    """boto3's ``client.meta``: the region and endpoint a client talks to."""

    region_name: str
    endpoint_url: str


class Client(_ClientBase):
    """A synchronous ListModelInvocationJobs client; one instance is safe to share by threads.

    Configuration is resolved like the AWS SDKs (see the README). ``transport`` replaces the
    httpx transport (tests); ``record_to``/``replay_from`` record or replay a fixture file;
    ``max_body_bytes`` caps one response body (64 MiB by default; larger ones are a DecodeError).
    ``mfa_prompt`` (called with ``"Enter MFA code for SERIAL: "``, returning the code) serves
    assume-role profiles with ``mfa_serial``; ``credential_cache`` keeps assumed-role answers
    (a new dict per client by default, as boto3 per session; share one between clients, or pass
    ``bedrock_paginate.JSONFileCache(os.path.expanduser("~/.aws/cli/cache"))`` to share the AWS
    CLI's).
    """

    def __init__(
        self, *, transport: httpx.BaseTransport | None = None, **options: Unpack[ClientOptions]
    ) -> None:
        _refuse_transport_with_replay(transport, options)
        super().__init__(**options)
        self._sleep: Callable[[float], Any] = self._sleep_fn or time.sleep
        inner = transport
        if inner is None and self._replay_from is None:
            inner = httpx.HTTPTransport(
                verify=http_verify(self.config), retries=0, proxy=self._proxy
            )
        self._transport = self._wrap_transport(inner)
        self._http = httpx.Client(
            transport=self._transport,
            timeout=http_timeout(self.config),
            follow_redirects=False,
        )

    def close(self) -> None:
        """Close connections (and write a recording, if any)."""
        self._closed = True
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def list_model_invocation_jobs(self, **params: Unpack[ListJobsParams]) -> Page:
        """One page of ListModelInvocationJobs (boto3's parameter names)."""
        operation = LIST_MODEL_INVOCATION_JOBS
        page: Page = self._call(operation, operation.validate(params))
        return page

    # --- the batch-job operations (described in _job_operations, loaded on first use) -----

    def get_model_invocation_job(self, **params: Unpack[JobIdentifierParams]) -> Job:
        """GetModelInvocationJob (``jobIdentifier=``: the job's ARN or id): the typed job."""
        job: Job = self._call(*_job_request("get_model_invocation_job", params))
        return job

    def stop_model_invocation_job(self, **params: Unpack[JobIdentifierParams]) -> StopJobResult:
        """StopModelInvocationJob (``jobIdentifier=``); ``ConflictException`` once finished."""
        result: StopJobResult = self._call(*_job_request("stop_model_invocation_job", params))
        return result

    def create_model_invocation_job(self, **params: Unpack[CreateJobParams]) -> CreateJobResult:
        """CreateModelInvocationJob with boto3's parameter names (``jobName``, ``roleArn``,
        ``modelId``, ``inputDataConfig``, ``outputDataConfig``, ...); the new job's ARN.

        Without ``clientRequestToken`` one is generated for the call, so retries never start
        a second job."""
        result: CreateJobResult = self._call(*_job_request("create_model_invocation_job", params))
        return result

    def wait_for_model_invocation_job(
        self,
        jobIdentifier: str,  # noqa: N803 - boto3's parameter name
        *,
        timeout: float | None = None,
        poll_interval: float = 30.0,
        on_update: Callable[[Job], Any] | None = None,
    ) -> Job:
        """Poll GetModelInvocationJob every ``poll_interval`` s (> 0, at most a day) until the job
        is finished (Completed, PartiallyCompleted, Failed, Stopped or Expired) and return it;
        ``on_update(job)`` sees every poll. Raises ``WaiterError`` (with ``last_job``) when
        ``timeout`` seconds pass first (``None``: no limit)."""
        waiting = self._waiting(jobIdentifier, timeout, poll_interval, on_update)
        while True:
            job = self.get_model_invocation_job(jobIdentifier=jobIdentifier)
            if on_update is not None:
                on_update(job)
            delay = waiting.next_delay(job)
            if delay is None:
                return job
            self._sleep(delay)

    def get_paginator(self, operation_name: str) -> Paginator:
        """boto3's ``get_paginator("list_model_invocation_jobs")``."""
        return Paginator(self, self._paginated(operation_name))

    def _call(self, operation: Operation, params: Mapping[str, Any]) -> Any:
        """Call ``operation`` with validated ``params``; its decoded model, or raise."""
        self._check_open()
        return call_sync(
            self._engine, self._http, operation, params, self._sleep, self._elapsed_clock
        )


class AsyncClient(_ClientBase):
    """The asyncio twin of :class:`Client` (same arguments); safe to share between tasks."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        _refuse_transport_with_replay(transport, options)
        super().__init__(**options)
        inner = transport
        # Our own connection pool (not a user's transport or a replay) belongs to the first
        # event loop that uses it; see _check_loop.
        self._loop_bound = inner is None and self._replay_from is None
        if inner is None and self._replay_from is None:
            inner = httpx.AsyncHTTPTransport(
                verify=http_verify(self.config), retries=0, proxy=self._proxy
            )
        self._transport = self._wrap_transport(inner)
        self._http = httpx.AsyncClient(
            transport=self._transport, timeout=http_timeout(self.config), follow_redirects=False
        )
        self._loop: object | None = None

    def _check_loop(self) -> None:
        """Connections belong to one event loop: refuse another one with a clear message
        instead of httpx's "Event loop is closed" from deep inside."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._loop is None or not self._loop_bound:
            self._loop = loop
        elif self._loop is not loop:
            raise ClientClosedError(
                "this AsyncClient was first used in another event loop and its connections "
                "cannot move to this one; create the AsyncClient inside the loop that uses it "
                "(e.g. once per asyncio.run), or use the synchronous Client (as in Lambda)"
            )

    async def _sleep(self, seconds: float) -> None:
        if self._sleep_fn is not None:
            result = self._sleep_fn(seconds)
            if hasattr(result, "__await__"):
                await result
            return
        import asyncio

        await asyncio.sleep(seconds)

    async def close(self) -> None:
        """Close connections (and write a recording, if any); also from another event loop
        than the one that used the client, where its connections can only be dropped."""
        import asyncio

        self._closed = True
        if self._loop is None or self._loop is asyncio.get_running_loop():
            await self._http.aclose()
            return
        # The connections belong to a loop that has ended (asyncio.run returned): they cannot
        # be closed from this one; close what can be (a recording is still written).
        with contextlib.suppress(RuntimeError):
            await self._http.aclose()

    async def aclose(self) -> None:
        """:meth:`close` under httpx's name (``contextlib.aclosing`` works too)."""
        await self.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def list_model_invocation_jobs(self, **params: Unpack[ListJobsParams]) -> Page:
        """One page of ListModelInvocationJobs (boto3's parameter names)."""
        operation = LIST_MODEL_INVOCATION_JOBS
        page: Page = await self._call(operation, operation.validate(params))
        return page

    # --- the batch-job operations (described in _job_operations, loaded on first use) -----

    async def get_model_invocation_job(self, **params: Unpack[JobIdentifierParams]) -> Job:
        """GetModelInvocationJob (``jobIdentifier=``: the job's ARN or id): the typed job."""
        job: Job = await self._call(*_job_request("get_model_invocation_job", params))
        return job

    async def stop_model_invocation_job(
        self, **params: Unpack[JobIdentifierParams]
    ) -> StopJobResult:
        """StopModelInvocationJob (``jobIdentifier=``); ``ConflictException`` once finished."""
        result: StopJobResult = await self._call(*_job_request("stop_model_invocation_job", params))
        return result

    async def create_model_invocation_job(
        self, **params: Unpack[CreateJobParams]
    ) -> CreateJobResult:
        """CreateModelInvocationJob, as :meth:`Client.create_model_invocation_job`."""
        result: CreateJobResult = await self._call(
            *_job_request("create_model_invocation_job", params)
        )
        return result

    async def wait_for_model_invocation_job(
        self,
        jobIdentifier: str,  # noqa: N803 - boto3's parameter name
        *,
        timeout: float | None = None,
        poll_interval: float = 30.0,
        on_update: Callable[[Job], Any] | None = None,
    ) -> Job:
        """As :meth:`Client.wait_for_model_invocation_job`; ``on_update`` may be async."""
        waiting = self._waiting(jobIdentifier, timeout, poll_interval, on_update)
        while True:
            job = await self.get_model_invocation_job(jobIdentifier=jobIdentifier)
            if on_update is not None:
                result = on_update(job)
                if hasattr(result, "__await__"):
                    await result
            delay = waiting.next_delay(job)
            if delay is None:
                return job
            await self._sleep(delay)

    def get_paginator(self, operation_name: str) -> AsyncPaginator:
        """The async paginator for ``list_model_invocation_jobs``."""
        return AsyncPaginator(self, self._paginated(operation_name))

    async def _call(self, operation: Operation, params: Mapping[str, Any]) -> Any:
        """Call ``operation`` with validated ``params``; its decoded model, or raise."""
        self._check_open()
        self._check_loop()
        call = self._engine.start(operation, params)
        while True:
            wait = call.before_attempt()
            if wait > 0:
                await self._sleep(wait)
            await _load_credentials(call)
            decision = call.evaluate(await self._attempt(call))
            if decision.error is not None:
                raise decision.error
            if decision.delay is None:
                return decision.result
            if decision.delay:
                await self._sleep(decision.delay)

    async def _attempt(self, call: Call) -> AttemptResult:
        request = to_httpx(call.signed_request())
        try:
            resp = await self._http.send(request, stream=True)
            try:
                reader = call.body_reader(resp.headers.get("content-length"), self._elapsed_clock)
                if reader.failure is not None:
                    return reader.failure
                async for chunk in resp.aiter_bytes():
                    if not reader.add(chunk):
                        return reader.failure or AttemptResult(failure="read")
            finally:
                await resp.aclose()
        except httpx.RequestError as exc:
            return failed(exc)
        return response_result(resp, reader.body())


async def _load_credentials(call: Call) -> None:
    """The async shell's credential step: loading or refreshing may run credential_process
    or call IMDS, so it runs in a worker thread then, never on the event loop."""
    if call.credentials_need_io():
        import asyncio

        await asyncio.to_thread(call.load_credentials)
    else:
        call.load_credentials()
