"""Waiting for a batch job to finish: the pure part of ``wait_for_model_invocation_job``.

boto3 has no waiter for model invocation jobs. This one polls ``GetModelInvocationJob`` until
the job's status is one it never leaves (``Completed``, ``PartiallyCompleted``, ``Failed``,
``Stopped``, ``Expired``) and returns that final job, whatever the outcome: the caller looks at
``job.status``. Each poll is an ordinary call, so throttling and transient errors are retried by
the engine as for any call; an error the engine gives up on ends the wait.

:class:`Waiting` holds the deadline and decides, after each poll, whether the job is done, how
long to sleep before the next poll (never past the deadline: the last poll happens at it), or
that time is up (:class:`~bedrock_paginate.errors.WaiterError` holding the last job seen). The
client shells do the polling and sleeping with their own ``sleep`` and clock, so tests never
wait.

Pure: imports nothing but the errors and the job model's status set.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ._job_models import FINISHED_JOB_STATUSES, Job
from .errors import ParamValidationError, WaiterError

__all__ = ["DEFAULT_POLL_INTERVAL", "MAX_POLL_INTERVAL", "Waiting"]

#: Seconds between polls unless told otherwise (jobs take minutes to hours).
DEFAULT_POLL_INTERVAL = 30.0
#: The longest poll interval, a day (as ``watch --interval``): beyond it ``time.sleep`` fails
#: with ``OverflowError`` (about 9.2e9 s) and ``asyncio.sleep`` waits forever.
MAX_POLL_INTERVAL = 86400.0


def _seconds(name: str, value: object, *, allow_none: bool) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        allowed = "a number of seconds" + (" or None (no limit)" if allow_none else "")
        raise ParamValidationError(
            f"Invalid type for parameter {name}, value: {value!r}, type: "
            f"{type(value).__name__}, valid types: {allowed}",
            param=name,
        )
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        number = math.inf
    interval = name == "poll_interval"
    if (
        not math.isfinite(number)
        or number < 0
        or (interval and not 0 < number <= MAX_POLL_INTERVAL)
    ):
        bound = f"> 0 and at most {MAX_POLL_INTERVAL:g}" if interval else ">= 0"
        raise ParamValidationError(
            f"Invalid value for parameter {name}: {value!r}; it must be a finite number {bound}",
            param=name,
        )
    return number


def describe_job(job: Job) -> str:
    """``InProgress, 120/1,000 records`` -- a short state for messages."""
    text = str(job.status)
    if job.total_record_count is not None:
        done = job.processed_record_count or 0
        text += f", {done:,}/{job.total_record_count:,} records"
    return text


class Waiting:
    """The deadline of one wait and the decision after each poll."""

    def __init__(
        self,
        job_identifier: str,
        *,
        timeout: float | None,
        poll_interval: float,
        clock: Callable[[], float],
        on_update: Callable[[Job], Any] | None = None,
    ) -> None:
        self.job_identifier = job_identifier
        self.timeout = _seconds("timeout", timeout, allow_none=True)
        interval = _seconds("poll_interval", poll_interval, allow_none=False)
        assert interval is not None
        self.poll_interval = interval
        if on_update is not None and not callable(on_update):
            raise ParamValidationError(
                f"on_update must be a callable taking the job, got {type(on_update).__name__}",
                param="on_update",
            )
        self.on_update = on_update
        self._clock = clock
        self._deadline = None if self.timeout is None else clock() + self.timeout
        #: The last job seen, kept for the timeout error.
        self.last: Job | None = None

    def next_delay(self, job: Job) -> float | None:
        """After a poll that returned ``job``: ``None`` when it is finished, else the seconds
        to sleep before the next poll.

        Raises:
            WaiterError: the deadline has passed and the job is not finished.
        """
        self.last = job
        if job.status in FINISHED_JOB_STATUSES:
            return None
        if self._deadline is None:
            return self.poll_interval
        left = self._deadline - self._clock()
        if left <= 0:
            raise WaiterError(
                f"Waiter for model invocation job {self.job_identifier} timed out after "
                f"{self.timeout:g} s; last state: {describe_job(job)}",
                job_identifier=self.job_identifier,
                last_job=job,
            )
        return min(self.poll_interval, left)
