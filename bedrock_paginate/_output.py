"""Output of the command line tool: the AWS CLI's ``json``, ``text`` and ``table`` formats, plus
``jsonl``.

This module owns how jobs are written, not how they are fetched. A *sink* (one per format) is
fed page after page by ``cli.py`` and finished once; it decides what is buffered and what is
streamed:

* ``json`` buffers the whole result, as the AWS CLI does, and prints
  ``{"invocationJobSummaries": [...], "NextToken": "..."}`` with 4-space indentation, keys in the
  service model's order, timestamps as ``datetime.isoformat()`` (``+00:00``, microseconds only
  when non-zero) and non-ASCII characters as they are (``ensure_ascii=False``). ``--query`` is
  applied to the whole result.
* ``text`` streams one page at a time, as the AWS CLI's text formatter does: each page is
  rendered as ``{"invocationJobSummaries": [...]}`` (``--query`` applied to that page), then a
  final ``NEXTTOKEN<TAB>token`` line when the listing stopped early (with ``--query``, the query
  run on ``{"NextToken": {"NextToken": token}}``, as the AWS CLI: ``--query NextToken`` prints
  the bare token, a query of the jobs ``None``).
* ``table`` buffers, then prints an aligned summary (name, status, model, submitted, ended,
  records processed/total); with ``--query`` it prints a generic table of the query's result.
* ``jsonl`` streams one compact JSON object per job, flushed per page; ``--query`` is applied to
  each job; the resume token goes to stderr (``NextToken: ...``) so stdout holds only jobs.

Timestamps are turned into strings before ``--query`` runs, as in AWS CLI v2, so expressions
compare them as ISO 8601 text.

Imports only the standard library, ``models`` and ``_time``; never httpx or jmespath.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TextIO

from ._time import parse_iso8601
from .models import JOB_TIMESTAMP_MEMBERS

if TYPE_CHECKING:
    from ._stdout import Delivery
    from .models import JobSummary

__all__ = [
    "FORMATS",
    "OutputFormat",
    "Query",
    "Sink",
    "display_width",
    "format_json",
    "format_text",
    "job_record",
    "make_sink",
    "render_single_page",
    "table_lines",
    "text_chunks",
]

OutputFormat = Literal["json", "text", "table", "jsonl"]
#: The values ``--output`` accepts.
FORMATS: tuple[OutputFormat, ...] = ("json", "text", "table", "jsonl")

#: The operation's name, used as the table title (as the AWS CLI does).
TITLE = "ListModelInvocationJobs"
_RESULT_KEY = "invocationJobSummaries"


class Query(Protocol):
    """A compiled JMESPath expression (``jmespath.compile(...)``)."""

    def search(self, value: Any) -> Any:
        """Evaluate the expression against ``value``."""


# --- values --------------------------------------------------------------------------------


def job_record(job: JobSummary) -> dict[str, Any]:
    """One job as the AWS CLI shows it: boto3's dict, model key order, timestamps as text."""
    record = job.to_dict()
    for key in JOB_TIMESTAMP_MEMBERS:
        value = record.get(key)
        if value is not None:
            record[key] = value.isoformat()
    return record


def format_json(value: Any) -> str:
    """The AWS CLI's JSON rendering (``indent=4``, ``ensure_ascii=False``), newline included.

    An empty dict prints nothing, as in the AWS CLI.
    """
    if isinstance(value, dict) and not value:
        return ""
    return json.dumps(value, indent=4, ensure_ascii=False) + "\n"


def _jsonl(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


# --- text (the AWS CLI's format) -----------------------------------------------------------


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _scalar_keys(value: dict[str, Any]) -> list[str]:
    return [key for key, item in value.items() if _is_scalar(item)]


def format_text(value: Any) -> str:
    """The AWS CLI's ``text`` rendering of a JSON value.

    Rules: a dict prints one line of its scalar values (sorted by key, tab-separated, prefixed by
    the upper-cased key it sits under), then each non-scalar member under its own key. A list of
    dicts uses the union of their scalar keys as columns (blank when missing). A list of scalars
    under a key prints one ``KEY<TAB>value`` line per item; a bare list prints one line.
    """
    lines: list[str] = []
    _text_value(value, None, None, lines)
    return "".join(lines)


def _text_value(
    value: Any, identifier: str | None, columns: list[str] | None, lines: list[str]
) -> None:
    if isinstance(value, dict):
        _text_dict(value, identifier, columns, lines)
    elif isinstance(value, list):
        _text_list(value, identifier, lines)
    else:
        lines.append(f"{value}\n")


def _text_list(items: list[Any], identifier: str | None, lines: list[str]) -> None:
    if not items:
        return
    if any(isinstance(item, dict) for item in items):
        columns = sorted(
            {k for item in items if isinstance(item, dict) for k in _scalar_keys(item)}
        )
        for item in items:
            _text_value(item, identifier, columns, lines)
    elif any(isinstance(item, list) for item in items):
        scalars = [item for item in items if _is_scalar(item)]
        if scalars:
            _text_scalars(scalars, identifier, lines)
        for item in items:
            if not _is_scalar(item):
                _text_value(item, identifier, None, lines)
    else:
        _text_scalars(items, identifier, lines)


def _text_scalars(items: list[Any], identifier: str | None, lines: list[str]) -> None:
    if identifier is None:
        lines.append("\t".join(str(item) for item in items) + "\n")
    else:
        lines.extend(f"{identifier.upper()}\t{item}\n" for item in items)


def _text_dict(
    value: dict[str, Any], identifier: str | None, columns: list[str] | None, lines: list[str]
) -> None:
    if columns is None:
        scalars = [str(v) for _, v in sorted(value.items()) if _is_scalar(v)]
        nested = [(k, v) for k, v in sorted(value.items()) if not _is_scalar(v)]
    else:
        scalars = [str(value.get(k, "")) for k in columns]
        nested = [(k, value[k]) for k in sorted(set(value) - set(columns))]
    if scalars:
        prefix = [identifier.upper()] if identifier is not None else []
        lines.append("\t".join(prefix + scalars) + "\n")
    for key, item in nested:
        _text_value(item, key, None, lines)


# --- tables --------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return " ".join(text.split()) if any(c in text for c in "\t\r\n") else text


def _utc(text: Any) -> str:
    """``2025-03-04 05:06:07`` (UTC) for an ISO 8601 string; other values unchanged."""
    if not isinstance(text, str):
        return _cell(text)
    try:
        when = parse_iso8601(text)  # aware UTC; no offset is taken as UTC
    except ValueError:
        return text
    return when.strftime("%Y-%m-%d %H:%M:%S")


def _records(job: Mapping[str, Any]) -> str:
    total = job.get("totalRecordCount")
    if total is None:
        return ""
    return f"{job.get('processedRecordCount') or 0}/{total}"


#: The summary table's columns: header and how to get the cell from a job record.
_JOB_COLUMNS: tuple[tuple[str, Callable[[Mapping[str, Any]], str]], ...] = (
    ("Name", lambda job: _cell(job.get("jobName"))),
    ("Status", lambda job: _cell(job.get("status"))),
    ("Model", lambda job: _cell(job.get("modelId"))),
    ("Submitted (UTC)", lambda job: _utc(job.get("submitTime"))),
    ("Ended (UTC)", lambda job: _utc(job.get("endTime"))),
    ("Records done/total", _records),
)


def display_width(text: str) -> int:
    """Columns of ``text`` as the AWS CLI v2's table measures them (``get_text_length`` in
    ``awscli/table.py``): two for a character whose East Asian width is Wide, Fullwidth or
    Ambiguous (CJK, most emoji, and e.g. ``é ± —`` as a CJK terminal shows them), one for
    every other character (combining marks and zero-width characters included), so a table
    lines up exactly as ``aws --output table`` draws it."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _center(text: str, width: int) -> str:
    room = width - display_width(text)
    left = room // 2 + (room & width & 1)  # as str.center: the odd space goes right, mostly
    return " " * left + text + " " * (room - left)


def _box(title: str, header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> list[str]:
    """An AWS CLI-like box: a title line, an optional header row, aligned ``|`` columns
    (aligned by display width, so wide characters line up)."""
    count = max([len(header or ())] + [len(row) for row in rows] + [1])
    table = [list(row) + [""] * (count - len(row)) for row in rows]
    head = list(header) + [""] * (count - len(header)) if header is not None else None
    widths = [
        max(
            [display_width(r[i]) for r in table]
            + ([display_width(head[i])] if head is not None else [])
            + [1]
        )
        for i in range(count)
    ]
    inner = sum(widths) + 3 * count - 1
    title_width = display_width(title)
    if title_width > inner:
        widths[-1] += title_width - inner
        inner = title_width
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells: Sequence[str]) -> str:
        return "|" + "|".join(f" {_pad(c, w)} " for c, w in zip(cells, widths, strict=True)) + "|"

    out = ["-" * (inner + 2), "|" + _center(title, inner) + "|", rule]
    if head is not None:
        out += [line(head), rule]
    out += [line(row) for row in table]
    if table:
        out.append(rule)
    return out


def table_lines(jobs: Sequence[Mapping[str, Any]]) -> list[str]:
    """The summary table of job records (title with the job count, one row per job)."""
    plural = "job" if len(jobs) == 1 else "jobs"
    title = f"{TITLE} ({len(jobs)} {plural})"
    columns = _JOB_COLUMNS
    if any("region" in job for job in jobs):  # --regions: say where each job lives
        columns = (("Region", lambda job: _cell(job.get("region"))), *columns)
    rows = [[get(job) for _, get in columns] for job in jobs]
    return _box(title, [name for name, _ in columns], rows)


def _generic_table(value: Any) -> list[str]:
    """A table of any JSON value (for ``--query`` results), like the AWS CLI's generic one."""
    if value is None or value == [] or value == {}:
        return []
    items = value if isinstance(value, list) else [value]
    if all(isinstance(item, dict) for item in items):
        keys = sorted({k for item in items for k in item})
        rows = [[_cell(item.get(k)) for k in keys] for item in items]
        return _box(TITLE, keys, rows)
    rows = [[_cell(v) for v in item] if isinstance(item, list) else [_cell(item)] for item in items]
    return _box(TITLE, None, rows)


# --- sinks ---------------------------------------------------------------------------------


class Sink(Protocol):
    """Where the pages of a listing go, in one output format.

    ``delivered`` counts the jobs whose output reached stdout completely (see ``_stdout``);
    a *streaming* sink delivers in :meth:`page`, a buffered one only in :meth:`finish`.
    """

    streams: bool

    @property
    def delivered(self) -> int:
        """Jobs whose output reached stdout completely."""

    def page(self, jobs: list[dict[str, Any]]) -> None:
        """Take the job records of one page (in order)."""

    def finish(self, next_token: str | None, *, complete: bool) -> None:
        """End the output; ``next_token`` continues the listing (``complete=False``: it failed).

        Buffered formats print what they hold, as a valid document whose ``NextToken`` is
        ``next_token``; streaming ones add their trailer.
        """


def _write(stream: TextIO, text: str) -> None:
    if text:
        stream.write(text)
        stream.flush()


class _BaseSink:
    streams = True

    def __init__(self, out: Delivery, query: Query | None) -> None:
        self._out = out
        self._query = query

    @property
    def delivered(self) -> int:
        return self._out.delivered


class _JsonSink(_BaseSink):
    streams = False

    def __init__(self, out: Delivery, query: Query | None) -> None:
        super().__init__(out, query)
        self._jobs: list[dict[str, Any]] = []

    def page(self, jobs: list[dict[str, Any]]) -> None:
        self._jobs.extend(jobs)

    def _result(self, next_token: str | None) -> Any:
        result: dict[str, Any] = {_RESULT_KEY: self._jobs}
        if next_token is not None:
            result["NextToken"] = next_token
        return result if self._query is None else self._query.search(result)

    def _text(self, next_token: str | None) -> str:
        return format_json(self._result(next_token))

    def finish(self, next_token: str | None, *, complete: bool) -> None:
        # One document: it reaches the output whole, or (for resuming) not at all.
        self._out.write([(self._text(next_token), len(self._jobs))])


class _TableSink(_JsonSink):
    def _text(self, next_token: str | None) -> str:
        if self._query is not None:
            lines = _generic_table(self._result(next_token))
        else:
            lines = table_lines(self._jobs)
            if next_token is not None:
                lines.append(f"NextToken: {next_token}")
        return "".join(f"{line}\n" for line in lines)


def text_chunks(jobs: list[dict[str, Any]]) -> list[str]:
    """``format_text({"invocationJobSummaries": jobs})`` cut into one piece per job."""
    columns = sorted({k for job in jobs for k in _scalar_keys(job)})
    chunks = []
    for job in jobs:
        lines: list[str] = []
        _text_dict(job, _RESULT_KEY, columns, lines)
        chunks.append("".join(lines))
    return chunks


class _TextSink(_BaseSink):
    def page(self, jobs: list[dict[str, Any]]) -> None:
        if self._query is None:
            self._out.write([(text, 1) for text in text_chunks(jobs)])
        else:  # the query sees the whole page: its output is all or nothing
            self._out.write([(format_text(self._query.search({_RESULT_KEY: jobs})), len(jobs))])

    def finish(self, next_token: str | None, *, complete: bool) -> None:
        if next_token is not None:  # the query runs on it too, as in the AWS CLI
            value: Any = {"NextToken": {"NextToken": next_token}}
            if self._query is not None:
                value = self._query.search(value)
            self._out.write([(format_text(value), 0)])


class _JsonlSink(_BaseSink):
    def __init__(self, out: Delivery, err: TextIO, query: Query | None) -> None:
        super().__init__(out, query)
        self._err = err
        #: Jobs the query turned into null (not printed); see :attr:`all_dropped`.
        self.dropped = 0
        self.seen = 0

    def _line(self, job: dict[str, Any]) -> str:
        value = job if self._query is None else self._query.search(job)
        if value is None:
            self.dropped += 1
            return ""
        return _jsonl(value)

    def page(self, jobs: list[dict[str, Any]]) -> None:
        self.seen += len(jobs)
        self._out.write([(self._line(job), 1) for job in jobs])

    @property
    def all_dropped(self) -> bool:
        """True when --query turned every job (at least one) into null: nothing printed."""
        return self.seen > 0 and self.dropped == self.seen

    def finish(self, next_token: str | None, *, complete: bool) -> None:
        if complete and next_token is not None:
            _write(self._err, f"NextToken: {next_token}\n")


def make_sink(fmt: OutputFormat, out: Delivery, err: TextIO, query: Query | None) -> Sink:
    """The sink for ``--output fmt`` writing to ``out`` (``err`` for jsonl's token line)."""
    if fmt == "json":
        return _JsonSink(out, query)
    if fmt == "table":
        return _TableSink(out, query)
    if fmt == "text":
        return _TextSink(out, query)
    return _JsonlSink(out, err, query)


def render_single_page(
    fmt: OutputFormat,
    jobs: list[dict[str, Any]],
    next_token: str | None,
    out: Delivery,
    err: TextIO,
    query: Query | None,
) -> None:
    """Print one raw page (``--no-paginate``): the service's shape, ``nextToken`` first."""
    document: dict[str, Any] = {}
    if next_token is not None:
        document["nextToken"] = next_token
    document[_RESULT_KEY] = jobs
    if fmt == "jsonl":
        _JsonlSink(out, err, query).page(jobs)
        if next_token is not None:
            _write(err, f"nextToken: {next_token}\n")
        return
    value: Any = document if query is None else query.search(document)
    if fmt == "json":
        text = format_json(value)
    elif fmt == "text":
        text = format_text(value)
    elif query is not None:
        text = "".join(f"{line}\n" for line in _generic_table(value))
    else:
        lines = table_lines(jobs)
        if next_token is not None:
            lines.append(f"nextToken: {next_token}")
        text = "".join(f"{line}\n" for line in lines)
    out.write([(text, len(jobs))])
