"""``watch``'s pure core: what changed between two polls, rates and ETAs, and the rendering.

:class:`WatchState` is fed the jobs seen at each poll (``Job`` or ``JobSummary``, anything with
their attributes) with the poll's time, and answers with the :class:`Change` events of that
poll: a job seen for the first time, a new status, new record counts. It keeps, per job, the
samples it needs for a rate (records per minute over the last few minutes of polls) and an ETA.

Everything shown is a pure function of that state and the time: :func:`render_view` (the live
terminal view, one row per job), :func:`change_line` (one line per change, for pipes and logs)
and :func:`change_event` (``--output jsonl``). Tests check them without a terminal.

Imports only the standard library and the job model's status set; no I/O.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, Protocol

import attrs

from ._job_models import FINISHED_JOB_STATUSES

__all__ = [
    "Change",
    "JobLike",
    "JobView",
    "WatchState",
    "change_event",
    "change_line",
    "render_view",
    "until_done_verdict",
]

#: Seconds of samples a rate is computed over.
RATE_WINDOW = 300.0
#: Widest and narrowest progress bar (it shrinks first when the terminal is narrow).
_BAR = 20
_MIN_BAR = 5
_RESET = "\x1b[0m"
_COLORS = {
    "Completed": "\x1b[32m",
    "PartiallyCompleted": "\x1b[33m",
    "Stopped": "\x1b[33m",
    "Stopping": "\x1b[33m",
    "Expired": "\x1b[31m",
    "Failed": "\x1b[31m",
    "InProgress": "\x1b[36m",
}


class JobLike(Protocol):
    """What ``watch`` reads of a job (both :class:`Job` and :class:`JobSummary` have it)."""

    @property
    def job_arn(self) -> str: ...
    @property
    def job_name(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def total_record_count(self) -> int | None: ...
    @property
    def processed_record_count(self) -> int | None: ...
    @property
    def success_record_count(self) -> int | None: ...
    @property
    def error_record_count(self) -> int | None: ...


@attrs.frozen(kw_only=True)
class JobView:
    """One job as ``watch`` shows it, at one poll."""

    arn: str
    name: str
    status: str
    total: int | None = None
    processed: int | None = None
    succeeded: int | None = None
    failed: int | None = None
    #: Records per minute over the last polls (``None`` until two samples differ in time).
    rate: float | None = None

    @property
    def finished(self) -> bool:
        """Whether the status is one the job never leaves."""
        return self.status in FINISHED_JOB_STATUSES

    def eta_seconds(self) -> float | None:
        """Seconds until every record is processed at the current rate, if known."""
        if self.finished or not self.rate or self.total is None or self.processed is None:
            return None
        return max(0, self.total - self.processed) / self.rate * 60.0


@attrs.frozen(kw_only=True)
class Change:
    """One change seen at a poll: a job appeared (``old_status`` ``None``), changed status, or
    processed more records."""

    time: datetime
    job: JobView
    old_status: str | None


def _view_of(job: JobLike) -> JobView:
    arn = job.job_arn
    return JobView(
        arn=arn,
        name=job.job_name or arn.rsplit("/", 1)[-1],
        status=job.status or "Unknown",
        total=job.total_record_count,
        processed=job.processed_record_count,
        succeeded=job.success_record_count,
        failed=job.error_record_count,
    )


class WatchState:
    """The jobs watched so far, in the order they appeared, and their recent samples."""

    def __init__(self, rate_window: float = RATE_WINDOW) -> None:
        self._views: dict[str, JobView] = {}
        self._samples: dict[str, deque[tuple[float, int]]] = {}
        self._window = rate_window

    @property
    def views(self) -> list[JobView]:
        """Every job seen, in order of appearance, as of the last poll."""
        return list(self._views.values())

    def unfinished(self) -> list[str]:
        """ARNs of the jobs seen whose last status is not finished."""
        return [arn for arn, view in self._views.items() if not view.finished]

    def observe(self, jobs: Iterable[JobLike], now: datetime) -> list[Change]:
        """Take the jobs of one poll (taken at ``now``); the changes, in input order."""
        changes: list[Change] = []
        stamp = now.timestamp()
        for job in jobs:
            view = _view_of(job)
            old = self._views.get(view.arn)
            samples = self._samples.setdefault(view.arn, deque())
            if view.processed is not None:
                samples.append((stamp, view.processed))
                while len(samples) > 2 and stamp - samples[0][0] > self._window:
                    samples.popleft()
            view = attrs.evolve(view, rate=_rate(samples))
            self._views[view.arn] = view
            if old is None or old.status != view.status or _counts(old) != _counts(view):
                changes.append(
                    Change(time=now, job=view, old_status=None if old is None else old.status)
                )
        return changes


def _counts(view: JobView) -> tuple[int | None, ...]:
    return view.total, view.processed, view.succeeded, view.failed


def _rate(samples: deque[tuple[float, int]]) -> float | None:
    if len(samples) < 2:
        return None
    (t0, n0), (t1, n1) = samples[0], samples[-1]
    if t1 <= t0:
        return None
    return max(0, n1 - n0) / (t1 - t0) * 60.0


def until_done_verdict(views: Sequence[JobView]) -> tuple[bool, str]:
    """``(all Completed, one-line summary)`` once every job is finished."""
    by_status: dict[str, int] = {}
    for view in views:
        by_status[view.status] = by_status.get(view.status, 0) + 1
    counts = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
    others = [view for view in views if view.status != "Completed"]
    if not others:
        return True, f"all {len(views)} jobs Completed"
    named = ", ".join(f"{view.name} ({view.status})" for view in others[:10])
    more = f" and {len(others) - 10} more" if len(others) > 10 else ""
    return False, f"{len(views)} jobs: {counts}; not Completed: {named}{more}"


# --- rendering -----------------------------------------------------------------------------


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def _bar(view: JobView, size: int) -> str:
    if view.total is None or view.processed is None or view.total <= 0:
        return "[" + " " * size + "]     "
    fraction = min(1.0, view.processed / view.total)
    filled = int(fraction * size)
    return "[" + "#" * filled + "." * (size - filled) + f"] {fraction * 100:3.0f}%"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "~"


#: Columns given up, in this order, when the terminal is too narrow for all of them (after the
#: bar has shrunk): the succeeded count (processed minus failed), the rate (the ETA says the
#: pace), the failed count. Name, status, bar, records and ETA stay.
_OPTIONAL_COLUMNS = ("ok", "rate", "failed")
_MIN_NAME = 8


def _layout(name_width: int, status_width: int, width: int) -> tuple[int, frozenset[str], int]:
    """``(name width, columns dropped, bar size)`` for a terminal ``width`` columns wide."""
    optional = {"ok": 2 + 8, "failed": 2 + 6, "rate": 2 + 7}
    core = 2 + 2 + status_width + 2 + 7 + 2 + 13 + 2 + 6  # mark, gaps, bar's ends, records, ETA
    dropped: set[str] = set()
    for column in (None, *_OPTIONAL_COLUMNS):
        if column is not None:
            dropped.add(column)
        fixed = core + name_width + sum(w for c, w in optional.items() if c not in dropped)
        if fixed + _MIN_BAR <= width:
            return name_width, frozenset(dropped), min(_BAR, width - fixed)
    # Still too narrow: the name gives way too (and the lines are cut as a last resort).
    shorter = max(_MIN_NAME, min(name_width, width - core - _MIN_BAR))
    return shorter, frozenset(dropped), _MIN_BAR


def render_view(
    views: Sequence[JobView],
    now: datetime,
    *,
    width: int = 120,
    color: bool = False,
    max_rows: int | None = None,
) -> list[str]:
    """The live view: a header, one row per job (finished ones marked and kept), a footer.

    Each line is at most ``width`` characters (so the terminal never wraps and the in-place
    redraw stays aligned). A narrow terminal shrinks the progress bar first, then gives up the
    OK, REC/MIN and FAILED columns (in that order), then shortens names: the status, the bar,
    the record counts and the ETA stay visible down to about 70 columns. ``color`` adds ANSI
    colours to the status column. With more jobs than ``max_rows``, unfinished jobs are shown
    first and a line says how many are not shown.
    """
    all_views = views
    hidden = 0
    if max_rows is not None and len(views) > max_rows:
        keep = max(1, max_rows - 1)
        chosen = {id(v) for v in [*(v for v in views if not v.finished), *views][:keep]}
        views = [v for v in views if id(v) in chosen]
        hidden = len(all_views) - len(views)
    natural_name = max([_MIN_NAME, *(min(24, len(v.name)) for v in views)])
    status_width = max([len("STATUS"), *(len(v.status) for v in views)])
    name_width, dropped, size = _layout(natural_name, status_width, width)
    bar_width = size + 7

    def columns(ok: str, failed: str, rate: str) -> str:
        parts = [f"  {ok:>8}" if "ok" not in dropped else ""]
        parts.append(f"  {failed:>6}" if "failed" not in dropped else "")
        parts.append(f"  {rate:>7}" if "rate" not in dropped else "")
        return "".join(parts)

    header = (
        f"  {'JOB':<{name_width}}  {'STATUS':<{status_width}}  {'PROGRESS':<{bar_width}}  "
        f"{'RECORDS':>13}{columns('OK', 'FAILED', 'REC/MIN')}  ETA"
    )
    lines = [_cut(header, width)]
    for view in views:
        mark = "*" if view.finished else " "
        records = f"{_n(view.processed)}/{_n(view.total)}"
        rate = "-" if view.rate is None or view.finished else f"{view.rate:,.0f}"
        eta = "done" if view.finished else _duration(view.eta_seconds())
        status = f"{view.status:<{status_width}}"
        row = (
            f"{mark} {_cut(view.name, name_width):<{name_width}}  {status}  "
            f"{_bar(view, size):<{bar_width}}  {records:>13}"
            f"{columns(_n(view.succeeded), _n(view.failed), rate)}  {eta}"
        )
        row = _cut(row, width)
        code = _COLORS.get(view.status) if color else None
        start = 2 + name_width + 2  # the status column (a job may be named like a status)
        if code is not None and row[start : start + len(status)] == status:
            row = f"{row[:start]}{code}{status}{_RESET}{row[start + len(status) :]}"
        lines.append(row)
    if hidden:
        lines.append(_cut(f"  ... and {hidden} more jobs (a taller terminal shows them)", width))
    done = sum(view.finished for view in all_views)
    footer = (
        f"{len(all_views)} jobs, {done} finished (*) - {now.astimezone(timezone.utc):%H:%M:%S} UTC"
        " - Ctrl-C to stop"
    )
    lines.append(_cut(footer, width))
    return lines


def _iso(moment: datetime) -> str:
    whole = moment.astimezone(timezone.utc).replace(microsecond=0)
    return whole.isoformat().replace("+00:00", "Z")


def change_line(change: Change) -> str:
    """One line for a change (pipes and logs): time, job, status move, counts."""
    view = change.job
    move = (
        view.status
        if change.old_status in (None, view.status)
        else (f"{change.old_status} -> {view.status}")
    )
    if change.old_status is None:
        move = f"seen {view.status}"
    counts = ""
    if view.total is not None or view.processed is not None:
        counts = (
            f" records {_n(view.processed)}/{_n(view.total)} "
            f"(ok {_n(view.succeeded)}, failed {_n(view.failed)})"
        )
    return f"{_iso(change.time)} {view.name} {move}{counts}"


def change_event(change: Change) -> dict[str, Any]:
    """The ``--output jsonl`` event of a change (one JSON object per line)."""
    view = change.job
    return {
        "time": _iso(change.time),
        "jobArn": view.arn,
        "jobName": view.name,
        "oldStatus": change.old_status,
        "newStatus": view.status,
        "totalRecordCount": view.total,
        "processedRecordCount": view.processed,
        "successRecordCount": view.succeeded,
        "errorRecordCount": view.failed,
        "finished": view.finished,
    }
