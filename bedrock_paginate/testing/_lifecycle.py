"""How a batch job moves through its statuses on the fake's clock: a pure function of time.

A :class:`LiveJob` holds what does not change (the job's wire fields, its record count, its
fate, how fast it runs) and when it started and was asked to stop. :meth:`LiveJob.state` gives
the job's wire dict at any instant, so a Get, a listing and a test all see the same job without
any background thread::

    Submitted -> Validating -> Scheduled -> InProgress (counts grow) -> Completed
                                                                      | PartiallyCompleted
                                                                      | Failed
    (any status not finished) --stop--> Stopping -> Stopped

Durations are in *job seconds* (at ``speed`` 1: 1 min submitted, 3 min validating, 5 min
scheduled, then ``total / rate`` minutes in progress, 90 s stopping). ``speed`` divides them: at
600 a two-hour job runs in 12 real seconds. Timestamps (``lastModifiedTime``, ``endTime``) are
real instants (when the transition happened on the fake's clock), so they stay comparable with
``submitTime`` and the listing's time filters.

Imports only the standard library and attrs.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

import attrs

from ._time import MICROS_PER_SECOND, format_timestamp

__all__ = ["FINISHED", "PHASE_SECONDS", "LiveJob", "new_live_job"]

#: Statuses a job never leaves.
FINISHED = frozenset({"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"})
#: Job seconds spent in each timed phase (InProgress lasts ``total / rate`` minutes).
PHASE_SECONDS: Mapping[str, float] = {
    "Submitted": 60.0,
    "Validating": 180.0,
    "Scheduled": 300.0,
    "Stopping": 90.0,
}
_ORDER = ("Submitted", "Validating", "Scheduled", "InProgress")
_FAILED_MESSAGE = "Internal error while processing records. Retry the job."
_STOPPED_MESSAGE = "Job stopped by user request."
_HOUR_US = 3600 * MICROS_PER_SECOND


@attrs.frozen(kw_only=True)
class LiveJob:
    """A job whose status follows the fake's clock. Frozen: a stop makes a new value."""

    base: Mapping[str, Any]
    started_us: int
    speed: float = 1.0
    start_status: str = "Submitted"
    start_processed: int = 0
    total: int = 1000
    #: Records per job minute while InProgress.
    rate: float = 50.0
    #: ``Completed``, ``PartiallyCompleted`` or ``Failed``.
    outcome: str = "Completed"
    #: Every n-th processed record fails (0: none).
    error_every: int = 0
    #: For ``Failed``: the job fails once this many records were processed.
    fail_after: int = 0
    stop_us: int | None = None

    @property
    def arn(self) -> str:
        """The job's ARN."""
        return str(self.base["jobArn"])

    def _job_seconds(self, now_us: int) -> float:
        return max(0, now_us - self.started_us) / MICROS_PER_SECOND * self.speed

    def _real_us(self, job_seconds: float) -> int:
        return self.started_us + int(job_seconds / self.speed * MICROS_PER_SECOND)

    def _run_length(self) -> float:
        """Job seconds spent InProgress until the job ends by itself."""
        last = self.fail_after if self.outcome == "Failed" else self.total
        remaining = max(0, last - self.start_processed)
        return remaining / self.rate * 60.0

    def _timeline(self) -> list[tuple[str, float]]:
        """``(status, job second it starts at)`` from the start status to the natural end."""
        if self.start_status == "Stopping":
            return [("Stopping", 0.0), ("Stopped", PHASE_SECONDS["Stopping"])]
        timeline: list[tuple[str, float]] = []
        at = 0.0
        for status in _ORDER[_ORDER.index(self.start_status) :]:
            timeline.append((status, at))
            at += self._run_length() if status == "InProgress" else PHASE_SECONDS[status]
        timeline.append((self.outcome, at))
        return timeline

    def _processed_at(self, job_seconds: float, timeline: list[tuple[str, float]]) -> int:
        start = next((at for status, at in timeline if status == "InProgress"), None)
        if start is None or job_seconds <= start:
            return self.start_processed
        last = self.fail_after if self.outcome == "Failed" else self.total
        done = self.start_processed + math.floor((job_seconds - start) / 60.0 * self.rate)
        return min(done, last)

    def state(self, now_us: int) -> dict[str, Any]:
        """The job's wire dict (``GetModelInvocationJob``'s body) at ``now_us``."""
        timeline = self._timeline()
        stop_at = None if self.stop_us is None else self._job_seconds(self.stop_us)
        if stop_at is not None and _status_at(timeline, stop_at) not in FINISHED:
            kept = [(s, at) for s, at in timeline if at <= stop_at]
            frozen = self._processed_at(stop_at, timeline)
            end = stop_at + PHASE_SECONDS["Stopping"]
            timeline = [*kept, ("Stopping", stop_at), ("Stopped", end)]
        else:
            frozen = None
        seconds = self._job_seconds(now_us)
        status = _status_at(timeline, seconds)
        since = max(at for s, at in timeline if at <= seconds)
        job = dict(self.base)
        job["status"] = status
        job["lastModifiedTime"] = format_timestamp(_ms(self._real_us(since)))
        if status in FINISHED:
            job["endTime"] = job["lastModifiedTime"]
        if status == "Failed":
            job["message"] = _FAILED_MESSAGE
        elif status in ("Stopping", "Stopped"):
            job["message"] = _STOPPED_MESSAGE
        known = any(s in ("Scheduled", "InProgress") for s, at in timeline if at <= seconds)
        if known or self.start_status == "Stopping":
            stopped = frozen is not None and stop_at is not None and seconds >= stop_at
            processed = frozen if stopped else self._processed_at(seconds, timeline)
            assert processed is not None
            if status == "InProgress":
                job["lastModifiedTime"] = format_timestamp(_ms(now_us))
            errors = processed // self.error_every if self.error_every else 0
            if status == "PartiallyCompleted":
                errors = max(errors, 1)
            job.update(
                totalRecordCount=self.total,
                processedRecordCount=processed,
                successRecordCount=processed - errors,
                errorRecordCount=errors,
            )
            hours = self.base.get("timeoutDurationInHours")
            if isinstance(hours, int):
                submitted = _submit_us(self.base, self.started_us)
                job["jobExpirationTime"] = format_timestamp(submitted + hours * _HOUR_US)
        return job

    def stopped(self, now_us: int) -> LiveJob:
        """This job after a stop request at ``now_us`` (the first request wins)."""
        if self.stop_us is not None:
            return self
        return attrs.evolve(self, stop_us=now_us)


def _status_at(timeline: list[tuple[str, float]], seconds: float) -> str:
    status = timeline[0][0]
    for name, at in timeline:
        if at <= seconds:
            status = name
    return status


def _ms(micros: int) -> int:
    """Millisecond precision, as the service renders timestamps."""
    return micros // 1000 * 1000


def _submit_us(base: Mapping[str, Any], default: int) -> int:
    from ._time import parse_timestamp

    value = base.get("submitTime")
    try:
        return parse_timestamp(value) if isinstance(value, str) else default
    except ValueError:
        return default


def new_live_job(
    base: Mapping[str, Any],
    *,
    started_us: int,
    speed: float,
    rng: random.Random,
    start_status: str = "Submitted",
) -> LiveJob:
    """A live job with a random but seeded fate: mostly Completed, some PartiallyCompleted,
    a few Failed; 100 to 5,000 records at 20 to 200 records per job minute.

    An existing job's counts (``totalRecordCount``/``processedRecordCount`` in ``base``) are
    continued from, so an activated InProgress job goes on where it was.
    """
    total = base.get("totalRecordCount")
    if not isinstance(total, int) or total <= 0:
        total = rng.randint(100, 5000)
    processed = base.get("processedRecordCount")
    processed = processed if isinstance(processed, int) and 0 <= processed <= total else 0
    if start_status != "InProgress":
        processed = 0 if start_status != "Stopping" else processed
    roll = rng.random()
    outcome = "Completed" if roll < 0.7 else "PartiallyCompleted" if roll < 0.9 else "Failed"
    errors = base.get("errorRecordCount")
    error_every = rng.randint(20, 200)
    if isinstance(errors, int) and errors > 0 and processed > 0:
        # Records already failed: the job cannot complete cleanly; keep its error ratio.
        outcome = "Failed" if outcome == "Failed" else "PartiallyCompleted"
        error_every = max(1, processed // errors)
    fixed = {k: v for k, v in base.items() if k not in _CHANGING}
    return LiveJob(
        base=fixed,
        started_us=started_us,
        speed=speed,
        start_status=start_status,
        start_processed=processed,
        total=total,
        rate=total / rng.uniform(30.0, 120.0),
        outcome=outcome,
        error_every=0 if outcome == "Completed" else error_every,
        fail_after=max(processed + 1, int(total * rng.uniform(0.2, 0.8))),
    )


#: Members that follow the status (recomputed by :meth:`LiveJob.state`).
_CHANGING = frozenset(
    {
        "status",
        "message",
        "lastModifiedTime",
        "endTime",
        "jobExpirationTime",
        "totalRecordCount",
        "processedRecordCount",
        "successRecordCount",
        "errorRecordCount",
    }
)
