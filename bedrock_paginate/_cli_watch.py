"""``bedrock-paginate watch``: follow batch jobs until they finish.

Each ``--interval`` the jobs are polled: every ``--job-identifier`` with GetModelInvocationJob,
the listing's filters with ListModelInvocationJobs (without any filter nor identifier: every job
not finished, one listing per such status), and every job seen before that is not finished yet
but was not listed any more (so its final state is seen). Jobs that start matching the filters
while watching appear.

On a terminal (stdout a TTY, ``--output`` not ``jsonl``) the view is redrawn in place with
plain ANSI escapes: one row per job with name, status, progress bar, record counts, records per
minute and ETA; finished jobs are marked ``*`` and kept. Ctrl-C leaves the last view on screen
and exits 130. Elsewhere each change is one line (``_watch.change_line``), or with
``--output jsonl`` one JSON event (``_watch.change_event``).

``--until-done`` exits once every watched job is finished: 0 when all are ``Completed``, else
3 with a line on stderr naming the jobs that ended otherwise (:data:`EXIT_NOT_ALL_COMPLETED`).
A poll that is throttled, fails on the server's side (5xx) or cannot connect (after the
client's own retries) is reported on stderr and retried at the next interval; any other error
(access denied, an unknown job, ...) ends the watch with the listing's exit codes.

Loaded only by the ``watch`` command.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, TextIO

from ._argparse import EXIT_INTERRUPTED, EXIT_OK
from ._cli_jobs import make_client
from ._watch import WatchState, change_event, change_line, render_view, until_done_verdict

if TYPE_CHECKING:
    import argparse

    from ._client import Client
    from ._watch import JobLike

__all__ = ["EXIT_NOT_ALL_COMPLETED", "run_watch"]

#: ``watch --until-done``: every job finished, and at least one not ``Completed``.
EXIT_NOT_ALL_COMPLETED = 3
#: What "not finished" lists when no filter is given.
_UNFINISHED = ("Submitted", "Validating", "Scheduled", "InProgress", "Stopping")
_HIDE_CURSOR, _SHOW_CURSOR = "\x1b[?25l", "\x1b[?25h"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class _Screen:
    """Redraws a block of lines in place (cursor up, clear to the end of the screen).

    When the terminal was narrowed since the last view, the lines of that view may have been
    rewrapped into more rows (or not: terminals differ), so moving up by its line count would
    leave part of it behind and the views would creep down the screen: the screen is cleared
    and the view drawn from the top instead.
    """

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._drawn = 0
        self._columns: int | None = None

    def draw(self, lines: list[str], columns: int | None = None) -> None:
        if not self._drawn:
            start = _HIDE_CURSOR
        elif columns is not None and self._columns is not None and columns < self._columns:
            start = "\x1b[H\x1b[2J"
        else:
            start = f"\x1b[{self._drawn}F"
        self._out.write(start + "\x1b[J" + "".join(line + "\n" for line in lines))
        self._out.flush()
        self._drawn = len(lines)
        self._columns = columns

    def close(self) -> None:
        if self._drawn:
            self._out.write(_SHOW_CURSOR)
            self._out.flush()


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    pairs = (
        ("submitTimeAfter", args.submit_time_after),
        ("submitTimeBefore", args.submit_time_before),
        ("nameContains", args.name_contains),
    )
    return {name: value for name, value in pairs if value is not None}


class _Poller:
    """One poll: the jobs to show, fetched with Get and the listing."""

    def __init__(self, client: Client, args: argparse.Namespace, state: WatchState) -> None:
        self._client = client
        self._ids: list[str] = list(args.job_identifier or [])
        self._filters = _filters(args)
        has_filter = bool(self._filters) or args.status_equals is not None
        self._list = has_filter or not self._ids
        self._statuses: tuple[str | None, ...] = (
            (args.status_equals,) if args.status_equals is not None else _UNFINISHED
        )
        self._state = state

    def poll(self) -> list[JobLike]:
        found: dict[str, JobLike] = {}
        for identifier in self._ids:
            job = self._client.get_model_invocation_job(jobIdentifier=identifier)
            found[job.job_arn] = job
        if self._list:
            paginator = self._client.get_paginator("list_model_invocation_jobs")
            for status in self._statuses:
                params = dict(self._filters, statusEquals=status)
                for summary in paginator.paginate(**params).jobs():
                    found.setdefault(summary.job_arn, summary)
        for arn in self._state.unfinished():
            if arn not in found:  # left the listing: see how it ended
                found[arn] = self._client.get_model_invocation_job(jobIdentifier=arn)
        known = [view.arn for view in self._state.views if view.arn in found]
        seen = set(known)
        fresh = [arn for arn in found if arn not in seen]
        return [found[arn] for arn in known + fresh]


def _transient(exc: BaseException) -> bool:
    """Whether a failed poll is worth trying again at the next interval (the client has
    already retried it): throttled (any 429), a server-side failure (5xx: an
    ``InternalServerException``, a load balancer's 503), or no connection."""
    from .errors import ServiceError, ThrottlingException, TransportError

    if isinstance(exc, (ThrottlingException, TransportError)):
        return True
    return isinstance(exc, ServiceError) and (exc.status_code == 429 or exc.status_code >= 500)


def run_watch(
    args: argparse.Namespace,
    isatty: Callable[[], bool],
    out: TextIO,
    *,
    sleep: Callable[[float], Any] | None = None,
    now: Callable[[], datetime] | None = None,
) -> int:
    """Run ``watch``; the exit code (see the module docstring)."""
    wait = sleep or time.sleep
    clock = now or _utc_now
    from ._cli_jobs import output_format

    fmt = output_format(args)
    live = fmt != "jsonl" and isatty()
    state = WatchState()
    screen = _Screen(out) if live else None
    err = sys.stderr
    with make_client(args, isatty) as client:
        poller = _Poller(client, args, state)
        try:
            while True:
                try:
                    jobs = poller.poll()
                except Exception as exc:
                    if not _transient(exc):
                        raise
                    err.write(f"poll failed, retrying in {args.interval:g} s: {exc}\n")
                    err.flush()
                    wait(args.interval)
                    continue
                moment = clock()
                changes = state.observe(jobs, moment)
                if screen is not None:
                    size = shutil.get_terminal_size((120, 40))
                    screen.draw(
                        render_view(
                            state.views,
                            moment,
                            width=size.columns - 1,
                            color=True,
                            max_rows=max(3, size.lines - 3),
                        ),
                        size.columns,
                    )
                else:
                    for change in changes:
                        if fmt == "jsonl":
                            line = json.dumps(change_event(change), separators=(",", ":"))
                        else:
                            line = change_line(change)
                        out.write(line + "\n")
                    out.flush()
                if args.until_done and not state.unfinished():
                    break
                wait(args.interval)
        except KeyboardInterrupt:
            if screen is not None:
                screen.close()
            return EXIT_INTERRUPTED
        if screen is not None:
            screen.close()
    if not state.views:
        err.write("no jobs matched; nothing to wait for\n")
        return EXIT_OK
    ok, summary = until_done_verdict(state.views)
    err.write(summary + "\n")
    return EXIT_OK if ok else EXIT_NOT_ALL_COMPLETED
