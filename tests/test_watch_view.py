"""``watch``'s pure core: changes between polls, rates, ETAs, and the rendering (no terminal)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs

from bedrock_paginate._watch import (
    WatchState,
    change_event,
    change_line,
    render_view,
    until_done_verdict,
)

T0 = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
ARN = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/"


@attrs.frozen(kw_only=True)
class FakeJob:
    job_arn: str
    job_name: str | None = None
    status: str | None = None
    total_record_count: int | None = None
    processed_record_count: int | None = None
    success_record_count: int | None = None
    error_record_count: int | None = None


def job(
    suffix: str,
    status: str,
    processed: int | None = None,
    total: int | None = 1000,
    failed: int = 0,
) -> FakeJob:
    return FakeJob(
        job_arn=ARN + suffix * 12,
        job_name=f"job-{suffix}",
        status=status,
        total_record_count=None if processed is None else total,
        processed_record_count=processed,
        success_record_count=None if processed is None else processed - failed,
        error_record_count=None if processed is None else failed,
    )


def test_first_sight_status_change_and_count_change_are_changes() -> None:
    """A new job, a new status and new counts each give one change; nothing new gives none."""
    state = WatchState()
    first = state.observe([job("a", "Submitted")], T0)
    assert [(c.old_status, c.job.status) for c in first] == [(None, "Submitted")]
    assert state.observe([job("a", "Submitted")], T0 + timedelta(seconds=5)) == []
    moved = state.observe([job("a", "InProgress", 0)], T0 + timedelta(seconds=10))
    assert [(c.old_status, c.job.status) for c in moved] == [("Submitted", "InProgress")]
    counted = state.observe([job("a", "InProgress", 100)], T0 + timedelta(seconds=20))
    assert [(c.old_status, c.job.processed) for c in counted] == [("InProgress", 100)]


def test_rate_and_eta_from_samples() -> None:
    """100 records in 10 s is 600/min; 900 left is an ETA of 90 s."""
    state = WatchState()
    state.observe([job("a", "InProgress", 0)], T0)
    state.observe([job("a", "InProgress", 100)], T0 + timedelta(seconds=10))
    (view,) = state.views
    assert view.rate == 600.0
    assert view.eta_seconds() == 90.0


def test_rate_window_forgets_old_samples() -> None:
    """Only the samples of the last window count: a job that sped up shows its new rate."""
    state = WatchState(rate_window=60)
    state.observe([job("a", "InProgress", 0)], T0)
    state.observe([job("a", "InProgress", 10)], T0 + timedelta(seconds=600))
    state.observe([job("a", "InProgress", 610)], T0 + timedelta(seconds=660))
    assert state.views[0].rate == 600.0


def test_render_one_row_per_job_finished_marked_and_kept() -> None:
    """Rows in order of appearance; finished jobs keep their row, marked with '*'."""
    state = WatchState()
    state.observe([job("a", "InProgress", 0), job("b", "Submitted")], T0)
    state.observe(
        [job("a", "InProgress", 500), job("b", "Failed", 10, failed=10)],
        T0 + timedelta(seconds=30),
    )
    lines = render_view(state.views, T0 + timedelta(seconds=30), width=140)
    assert len(lines) == 4  # header, 2 rows, footer
    row_a, row_b = lines[1], lines[2]
    assert row_a.startswith("  job-a")
    assert "[##########..........]  50%" in row_a
    assert "500/1,000" in row_a
    assert "1,000" in row_a  # 500 records in 30 s
    assert "30s" in row_a  # ETA: 500 left at 1,000/min
    assert row_b.startswith("* job-b")
    assert "Failed" in row_b
    assert row_b.rstrip().endswith("done")
    assert "2 jobs, 1 finished" in lines[3]


def test_render_never_exceeds_the_width_and_colours_only_when_asked() -> None:
    """Lines are cut to the width (no wrapping breaks the redraw); ANSI only with color=True."""
    state = WatchState()
    state.observe([job("a", "Completed", 1000)], T0)
    plain = render_view(state.views, T0, width=40)
    assert all(len(line) <= 40 for line in plain)
    assert not any("\x1b[" in line for line in plain)
    coloured = render_view(state.views, T0, width=200, color=True)
    assert "\x1b[32mCompleted" in coloured[1]


def test_change_line_and_event() -> None:
    """A change renders as one log line and as one JSON event with old and new status."""
    state = WatchState()
    state.observe([job("a", "InProgress", 10)], T0)
    (change,) = state.observe([job("a", "Completed", 1000)], T0 + timedelta(seconds=1))
    assert change_line(change) == (
        "2026-03-01T12:00:01Z job-a InProgress -> Completed records 1,000/1,000 "
        "(ok 1,000, failed 0)"
    )
    event = change_event(change)
    assert event["oldStatus"] == "InProgress"
    assert event["newStatus"] == "Completed"
    assert event["processedRecordCount"] == 1000
    assert event["finished"] is True
    assert event["jobArn"] == ARN + "a" * 12


def test_until_done_verdict_names_the_jobs_not_completed() -> None:
    """All Completed: True; otherwise False and the summary names each other job."""
    state = WatchState()
    state.observe([job("a", "Completed", 1000)], T0)
    assert until_done_verdict(state.views) == (True, "all 1 jobs Completed")
    state.observe([job("b", "Stopped", 3)], T0)
    ok, summary = until_done_verdict(state.views)
    assert not ok
    assert "job-b (Stopped)" in summary
    assert "job-a" not in summary.split("not Completed:")[1]


def test_an_80_column_terminal_keeps_status_progress_records_and_eta() -> None:
    """A narrow terminal gives up the OK, REC/MIN and FAILED columns (in that order) before
    the ETA is cut off: the default 80 columns (79 usable) still show every job's ETA."""
    state = WatchState()
    long_names = [
        FakeJob(
            job_arn=ARN + suffix * 12,
            job_name=f"job6-Summarize-v2.{n}",
            status="InProgress",
            total_record_count=25_274,
            processed_record_count=processed,
            success_record_count=processed - 30,
            error_record_count=30,
        )
        for n, (suffix, processed) in enumerate([("a", 10_000), ("b", 20_000)])
    ]
    state.observe(long_names, T0)
    state.observe(
        [
            attrs.evolve(j, processed_record_count=(j.processed_record_count or 0) + 600)
            for j in long_names
        ],
        T0 + timedelta(seconds=60),
    )
    for width, shown, gone in [
        (119, ["OK", "FAILED", "REC/MIN"], []),
        (90, ["FAILED", "REC/MIN"], ["OK"]),
        (79, ["FAILED"], ["OK", "REC/MIN"]),
        (70, [], ["OK", "REC/MIN", "FAILED"]),
    ]:
        lines = render_view(state.views, T0 + timedelta(seconds=60), width=width)
        assert all(len(line) <= width for line in lines), width
        header = lines[0].split()
        assert header[:4] == ["JOB", "STATUS", "PROGRESS", "RECORDS"], width
        assert header[-1] == "ETA", width
        assert [c for c in ["OK", "FAILED", "REC/MIN"] if c in header] == shown, width
        assert not set(gone) & set(header), width
        first = lines[1]
        assert first.startswith("  job6-Summarize-v2.0  InProgress"), width
        assert "10,600/25,274" in first, width
        assert first.endswith("24m27s"), width  # 14,674 left at 600/min
        assert "~" not in first, width


def test_the_screen_redraws_in_place_and_from_the_top_after_narrowing() -> None:
    """Each view replaces the last one (cursor up over its lines); once the terminal got
    narrower the old lines may have rewrapped into more rows, so the screen is cleared and the
    view drawn from the top instead of creeping down."""
    import io

    from bedrock_paginate._cli_watch import _Screen

    out = io.StringIO()
    screen = _Screen(out)
    screen.draw(["a", "b", "c"], 100)
    assert out.getvalue() == "\x1b[?25l\x1b[Ja\nb\nc\n"
    out.seek(0)
    out.truncate()
    screen.draw(["d", "e"], 120)  # wider: the old lines did not wrap
    assert out.getvalue() == "\x1b[3F\x1b[Jd\ne\n"
    out.seek(0)
    out.truncate()
    screen.draw(["f"], 60)  # narrower
    assert out.getvalue() == "\x1b[H\x1b[2J\x1b[Jf\n"
    out.seek(0)
    out.truncate()
    screen.draw(["g"], 60)
    assert out.getvalue() == "\x1b[1F\x1b[Jg\n"


def test_colour_goes_to_the_status_column_even_for_a_job_named_like_a_status() -> None:
    """The colour marks the status column, not the first text equal to the status."""
    state = WatchState()
    named = FakeJob(job_arn=ARN + "a" * 12, job_name="Completed", status="Completed")
    state.observe([named], T0)
    row = render_view(state.views, T0, color=True)[1]
    assert row.startswith("* Completed  \x1b[32mCompleted")
