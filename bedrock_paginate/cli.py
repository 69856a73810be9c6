"""The ``bedrock-paginate`` command line tool (also ``python -m bedrock_paginate``).

This module owns argument parsing, the mapping of errors to the AWS CLI v2's exit codes, the
progress line, and telling the user how to resume. Output formats live in ``_output``.

Commands::

    bedrock-paginate [global options] list-model-invocation-jobs [options] [global options]
    bedrock-paginate serve [--port 0] [--jobs N | --fixture FILE] ...   (the fake Bedrock)
    bedrock-paginate build-layer --python 3.12 --arch x86_64|arm64 -o layer.zip
    bedrock-paginate get-model-invocation-job | stop-... | create-... | watch   (``_cli_jobs``)
    bedrock-paginate --version

Exit codes (AWS CLI v2): 0 success; 130 Ctrl-C; 252 bad arguments (usage errors, invalid
parameters, a malformed ``--starting-token``); 253 configuration or credentials; 254 the
service answered with an error; 255 anything else (connection, undecodable response, a
pagination cycle, an unexpected error).

Nothing lost: whatever stops a listing (a service error, Ctrl-C, stdout that cannot be written,
at any moment, the final write included), stderr ends with ``resume with --starting-token TOKEN``
where TOKEN continues at the first job whose output did not reach stdout completely
(``_stdout.Delivery`` counts what the OS took; a :class:`_Cursor` per listing turns that count
into a token). No resume line when nothing is missing, or when nothing was printed (the same
command starts over). Streaming formats keep every job printed (``text`` adds its ``NEXTTOKEN``
line); buffered ones (``json``, ``table``) print the jobs fetched so far as a valid result whose
``NextToken`` is the token, then exit non-zero. With ``--regions`` pages are printed as they
arrive and every unfinished region gets its own resume line. A closed pipe (``| head``) ends
with exit 0 and no error message, but still with the resume line.

``--cli-input-json`` / ``--generate-cli-skeleton`` are handled for every command by
``_cli_input`` before the command's parser runs. The output format defaults to
``AWS_DEFAULT_OUTPUT``, then the profile's ``output``, then json. Errors name CLI flags
(``_FLAG_FOR_PARAM``).

``--query`` (JMESPath) follows the AWS CLI: on the whole result for ``json`` and ``table``, on
each page for ``text``; for ``jsonl`` (ours) it runs on each job and null results are skipped.
An expression that does not compile, or fails on the data, exits 252.

``--debug`` attaches a DEBUG handler on stderr to the ``bedrock_paginate`` logger only (not the
root logger: httpx and httpcore stay quiet), logs which auth scheme was chosen and why (and which
credential source: ``assume-role``, ``assume-role-with-web-identity``, ...), and prints the
traceback of an error. No secret is ever logged.

As the AWS CLI, assumed-role credentials are cached in ``~/.aws/cli/cache`` (shared with it),
and an ``mfa_serial`` profile prompts ``Enter MFA code for SERIAL:`` when stdin is a terminal.

Importing this module imports only the standard library: argparse, httpx, the client and
jmespath load when a command needs them, so ``--help`` and ``--version`` stay fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from ._argparse import (
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OTHER,
    EXIT_SERVICE,
    EXIT_USAGE,
    new_parser,
    parse,
)

if TYPE_CHECKING:
    import argparse
    import logging
    from datetime import datetime

    from ._client import Client
    from ._options import ClientOptions, PaginationOptions
    from ._output import OutputFormat, Query, Sink

__all__ = ["main"]

PROG = "bedrock-paginate"
COMMAND = "list-model-invocation-jobs"
SERVE = "serve"
BUILD_LAYER = "build-layer"
#: Commands run by ``_cli_jobs`` (the batch-job operations and ``watch``, loaded on use), with
#: their one-line help.
JOB_COMMANDS: dict[str, str] = {
    "get-model-invocation-job": "show one batch inference job (GetModelInvocationJob)",
    "stop-model-invocation-job": "stop a batch inference job (StopModelInvocationJob)",
    "create-model-invocation-job": "submit a batch inference job (CreateModelInvocationJob)",
    "watch": "follow jobs live until they finish (see 'watch --help')",
}


#: ``--cli-read-timeout 0`` means "never time out" in the AWS CLI; the client needs a finite
#: number, so 0 becomes this many seconds (about 31 years).
_NO_TIMEOUT = 1e9

#: Global options that take a value (used to find the command before argparse runs).
_GLOBAL_VALUE_OPTIONS = frozenset(
    {
        "--region",
        "--endpoint-url",
        "--profile",
        "--output",
        "--query",
        "--ca-bundle",
        "--cli-read-timeout",
        "--cli-connect-timeout",
        "--color",
        "--record",
        "--replay",
        "--regions",
    }
)
_PAGING_FLAGS = (("max_items", "--max-items"), ("page_size", "--page-size"))

#: The flag for each library parameter name, so errors speak in the CLI's terms.
_FLAG_FOR_PARAM = {
    "MaxItems": "--max-items",
    "PageSize": "--page-size",
    "StartingToken": "--starting-token",
    "submitTimeAfter": "--submit-time-after",
    "submitTimeBefore": "--submit-time-before",
    "statusEquals": "--status-equals",
    "nameContains": "--name-contains",
    "sortBy": "--sort-by",
    "sortOrder": "--sort-order",
    "maxResults": "--max-results",
    "nextToken": "--next-token",
    "region_name": "--region",
    "endpoint_url": "--endpoint-url",
    "profile_name": "--profile",
    "connect_timeout": "--cli-connect-timeout",
    "read_timeout": "--cli-read-timeout",
    "verify": "--ca-bundle",
}


# --- argument types --------------------------------------------------------------------------


def _timestamp(text: str) -> datetime:
    """``--submit-time-*``: ISO 8601 (a date alone means midnight UTC) or epoch seconds."""
    import argparse
    import re

    from ._time import from_epoch_seconds, parse_iso8601

    value = text.strip()
    try:
        if re.fullmatch(r"[0-9]+(\.[0-9]+)?", value):
            return from_epoch_seconds(float(value))
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            value += "T00:00:00"  # a date alone: midnight UTC
        return parse_iso8601(value)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(
            f"invalid timestamp {text!r}; use ISO 8601 such as 2025-01-31, "
            "2025-01-31T12:00:00Z or 2025-01-31T12:00:00+02:00 (no offset means UTC), "
            "or seconds since the epoch"
        ) from None


def _whole_number(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    return value


def _seconds(text: str) -> float:
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or value > _NO_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds from 0 to {_NO_TIMEOUT:.0e} (0: no timeout), "
            f"got {text!r}"
        )
    return _NO_TIMEOUT if value == 0 else value


# --- the parser ------------------------------------------------------------------------------


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The AWS CLI's global options; ``suppress`` leaves unset ones out of the namespace.

    They are added to the top-level parser and to each command, so they may come before or
    after the command; the command's copy uses SUPPRESS defaults so it never overwrites a
    value given before the command.
    """
    import argparse

    from ._output import FORMATS

    default: Any = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("global options")

    def add(*flags: str, **kwargs: Any) -> None:
        if suppress:
            kwargs["default"] = argparse.SUPPRESS
        group.add_argument(*flags, **kwargs)

    add("--region", default=default, help="the AWS region (default: AWS_REGION, the profile)")
    add(
        "--regions",
        default=default,
        metavar="R1,R2,...",
        help="list several regions concurrently; each job gets a 'region' key",
    )
    add("--endpoint-url", default=default, metavar="URL", help="send requests to this URL")
    add("--profile", default=default, help="use this profile from the shared config files")
    add(
        "--output",
        default=default,
        choices=FORMATS,
        help="output format: json (default; or AWS_DEFAULT_OUTPUT, the profile's output), text, "
        "table, or jsonl (one job per line, streamed)",
    )
    add(
        "--query",
        default=default,
        metavar="JMESPATH",
        help="JMESPath query on the result (json, table), on each page (text), or on each job "
        "(jsonl: jobs it turns into null are not printed, e.g. --query "
        '"{name: jobName, status: status}" or "status == \'Failed\' && jobName || null")',
    )
    add("--debug", action="store_true", default=default, help="debug logging and tracebacks")
    add(
        "--no-verify-ssl",
        action="store_true",
        default=default,
        help="do not verify TLS certificates",
    )
    add("--ca-bundle", default=default, metavar="FILE", help="CA bundle to verify TLS with")
    add(
        "--cli-read-timeout",
        type=_seconds,
        default=default,
        metavar="SECONDS",
        help="socket read timeout (default 60; 0: none)",
    )
    add(
        "--cli-connect-timeout",
        type=_seconds,
        default=default,
        metavar="SECONDS",
        help="socket connect timeout (default 60; 0: none)",
    )
    add(
        "--no-paginate",
        action="store_true",
        default=default,
        help="send one request and print the raw page (with its nextToken)",
    )
    add(
        "--color",
        choices=("on", "off", "auto"),
        default=default,
        help="accepted for AWS CLI compatibility; output is never colored",
    )
    add("--record", default=default, metavar="FILE", help="record the interactions to FILE")
    add("--replay", default=default, metavar="FILE", help="replay FILE instead of calling AWS")


def _add_list_options(parser: argparse.ArgumentParser) -> None:
    from .models import JOB_STATUSES, SORT_BY_VALUES, SORT_ORDERS

    filters = parser.add_argument_group("filters")
    filters.add_argument(
        "--submit-time-after",
        type=_timestamp,
        metavar="TIME",
        help="jobs submitted at or after TIME (ISO 8601 or epoch seconds)",
    )
    filters.add_argument(
        "--submit-time-before",
        type=_timestamp,
        metavar="TIME",
        help="jobs submitted before TIME (ISO 8601 or epoch seconds)",
    )
    filters.add_argument(
        "--status-equals", metavar="STATUS", help=f"one of: {', '.join(JOB_STATUSES)}"
    )
    filters.add_argument("--name-contains", metavar="TEXT", help="part of the job name")
    filters.add_argument("--sort-by", metavar="FIELD", help=f"one of: {', '.join(SORT_BY_VALUES)}")
    filters.add_argument("--sort-order", metavar="ORDER", help=f"one of: {', '.join(SORT_ORDERS)}")
    paging = parser.add_argument_group("pagination")
    paging.add_argument(
        "--max-items",
        type=_whole_number,
        metavar="N",
        help="stop after N jobs; the output's NextToken continues the listing",
    )
    paging.add_argument(
        "--page-size", type=_whole_number, metavar="N", help="jobs per request (1-1000)"
    )
    paging.add_argument(
        "--starting-token", metavar="TOKEN", help="continue from a previous NextToken"
    )
    paging.add_argument(
        "--max-results",
        type=_whole_number,
        metavar="N",
        help="the API's maxResults; implies --no-paginate (as in the AWS CLI)",
    )
    paging.add_argument(
        "--next-token",
        metavar="TOKEN",
        help="the API's nextToken; implies --no-paginate (as in the AWS CLI)",
    )


def _build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = new_parser(
        prog=PROG,
        description="List Amazon Bedrock batch inference jobs, like "
        "'aws bedrock list-model-invocation-jobs', without boto3.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=_version_line(__version__))
    _add_global_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="command", required=True)
    listing = commands.add_parser(
        COMMAND,
        help="list batch inference jobs (all pages unless --max-items / --no-paginate)",
        description="List Amazon Bedrock batch inference jobs, all pages.",
        epilog="As in the AWS CLI v2, every command also takes --cli-input-json JSON|file://PATH "
        "(flags on the command line win) and --generate-cli-skeleton [input|output].",
        allow_abbrev=False,
    )
    _add_list_options(listing)
    _add_global_options(listing, suppress=True)
    commands.add_parser(
        SERVE,
        help="serve a fake Bedrock endpoint on loopback (see 'serve --help')",
        add_help=False,
    )
    commands.add_parser(
        BUILD_LAYER,
        help="build an AWS Lambda layer zip (see 'build-layer --help')",
        add_help=False,
    )
    for name, text in JOB_COMMANDS.items():
        commands.add_parser(name, help=text, add_help=False)
    return parser


def _version_line(version: str) -> str:
    python = ".".join(str(part) for part in sys.version_info[:3])
    return f"{PROG}/{version} Python/{python} {sys.platform}"


def _command_index(argv: Sequence[str]) -> int | None:
    """Index of the command in ``argv`` (skipping global options and their values)."""
    skip = False
    for index, token in enumerate(argv):
        if skip:
            skip = False
        elif token == "--":
            return index + 1 if index + 1 < len(argv) else None
        elif token.startswith("-"):
            skip = token in _GLOBAL_VALUE_OPTIONS
        else:
            return index
    return None


# --- console ---------------------------------------------------------------------------------


class _Progress:
    """``pages 3, jobs 2,400...`` on stderr, rewritten in place; only on a terminal."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self._stream = stream
        self._enabled = enabled
        self._width = 0

    def update(self, pages: int, jobs: int, *, more: bool) -> None:
        """Show the counts once the listing needs (or needed) more than one page."""
        if not self._enabled or (pages < 2 and not more):
            return
        text = f"pages {pages:,}, jobs {jobs:,}..."
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        """Erase the line, so whatever follows starts on a clean line."""
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


def _stdout_isatty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _stderr_isatty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _compile_query(expression: str | None) -> Query | None:
    if expression is None:
        return None
    from ._jmespath import compile_expression

    return compile_expression(expression, param="--query")


# --- running a command -----------------------------------------------------------------------


class _Cursor:
    """Where one listing stands for "nothing lost": the first job not yet delivered to stdout.

    ``start`` is where the listing began, ``committed`` the first job whose output has not
    reached stdout, ``reached`` the first job not yet fetched. A streaming sink moves
    ``committed`` as each job is written; a buffered one only when its document is written.
    """

    def __init__(self, start: str) -> None:
        self.start = start
        self.committed = start
        self.reached = start
        #: Every job of the listing fetched (or MaxItems reached) and delivered, trailer included.
        self.delivered_all = False
        self.error: BaseException | None = None
        self.continuation: str | None = None  # MaxItems' NextToken

    def wrote(
        self, sink: Sink, before: int, count: int, position: Callable[[int | None], str | None]
    ) -> None:
        """Account a page of ``count`` jobs handed to ``sink`` (delivered before: ``before``)."""
        self.reached = position(None) or self.reached
        if not sink.streams:
            return
        written = sink.delivered - before
        where = position(None) if written >= count else position(written) if written else None
        if where is not None:
            self.committed = where

    def resume(self) -> str | None:
        """The resume token to print, or ``None`` (nothing missing, or nothing printed)."""
        if self.delivered_all or self.committed == self.start:
            return None
        return self.committed


class _Run:
    """One ``list-model-invocation-jobs`` invocation: the client call and the output."""

    def __init__(self, args: argparse.Namespace, isatty: Callable[[], bool]) -> None:
        from ._stdout import Delivery

        self.args = args
        self.out = Delivery(sys.stdout)
        self.err = sys.stderr
        self.isatty = isatty
        self.fmt: OutputFormat = args.output or "json"
        #: One cursor per listing (per region with --regions), for the resume lines.
        self.cursors: dict[str, _Cursor] = {}

    def filters(self) -> dict[str, Any]:
        args = self.args
        return {
            name: value
            for name, value in (
                ("submitTimeAfter", args.submit_time_after),
                ("submitTimeBefore", args.submit_time_before),
                ("statusEquals", args.status_equals),
                ("nameContains", args.name_contains),
                ("sortBy", args.sort_by),
                ("sortOrder", args.sort_order),
            )
            if value is not None
        }

    def pagination_config(self) -> PaginationOptions:
        """``PaginationConfig`` from ``--max-items``, ``--page-size``, ``--starting-token``."""
        settings = (
            ("MaxItems", self.args.max_items),
            ("PageSize", self.args.page_size),
            ("StartingToken", self.args.starting_token),
        )
        return cast("PaginationOptions", {k: v for k, v in settings if v is not None})

    def client_options(self) -> ClientOptions:
        """The Client arguments every listing shares (one region or several)."""
        args = self.args
        return {
            "endpoint_url": args.endpoint_url,
            "profile_name": args.profile,
            "verify": False if args.no_verify_ssl else args.ca_bundle,
            "connect_timeout": args.cli_connect_timeout,
            "read_timeout": args.cli_read_timeout,
            **_credential_kwargs(),
        }

    def client(self) -> Client:
        from ._client import Client

        args = self.args
        options = self.client_options()
        options["region_name"] = args.region
        options["record_to"] = args.record
        options["replay_from"] = args.replay
        # A continuation (--starting-token) starts at a later recorded page.
        options["replay_any_order"] = True
        client = Client(**options)
        _debug_config(client)
        return client

    def execute(self) -> int:
        if self.args.output is None:
            self.fmt = _default_output(self.args.profile)
        if self.args.record is not None and self.args.replay is not None:
            from .errors import ParamValidationError

            raise ParamValidationError(
                "--record and --replay cannot be used together", param="--replay"
            )
        query = _compile_query(self.args.query)
        self.warn_if_inverted()
        if self.args.regions is not None:
            return self.regions(query)
        paginate = _should_paginate(self.args)
        with self.client() as client:
            if not paginate:
                return self.single_page(client, query)
            return self.listing(client, query)

    def single_page(self, client: Client, query: Query | None) -> int:
        from ._output import job_record, render_single_page

        params = self.filters()
        if self.args.max_results is not None:
            params["maxResults"] = self.args.max_results
        if self.args.next_token is not None:
            params["nextToken"] = self.args.next_token
        page = client.list_model_invocation_jobs(**params)
        jobs = [job_record(job) for job in page.invocation_job_summaries]
        render_single_page(self.fmt, jobs, page.next_token, self.out, self.err, query)
        return EXIT_OK

    def listing(self, client: Client, query: Query | None) -> int:
        from ._output import job_record, make_sink
        from ._stdout import _OutputError

        pages = client.get_paginator("list_model_invocation_jobs").paginate(
            **self.filters(), PaginationConfig=self.pagination_config()
        )
        sink = make_sink(self.fmt, self.out, self.err, query)
        progress = _Progress(self.err, self.isatty())
        cursor = self.cursors[""] = _Cursor(pages.position_token())

        def position(returned: int | None) -> str:
            return pages.position_token() if returned is None else pages.page_position(returned)

        try:
            for page in pages:
                records = [job_record(job) for job in page.invocation_job_summaries]
                progress.clear()  # stdout may be the same terminal: never print after it
                before = sink.delivered
                try:
                    sink.page(records)
                finally:
                    cursor.wrote(sink, before, len(records), position)
                # "more": another page will be fetched (not when MaxItems ended the listing).
                more = page.next_token is not None and pages.resume_token is None
                progress.update(pages.pages_fetched, pages.jobs_returned, more=more)
        except BaseException as exc:
            progress.clear()
            cursor.reached = getattr(exc, "resume_token", None) or cursor.reached
            if not isinstance(exc, _OutputError):
                self.finish_partial(sink, cursor)
            raise
        progress.clear()
        sink.finish(pages.resume_token, complete=True)
        cursor.delivered_all = True
        self.warn_if_all_dropped(sink)
        return EXIT_OK

    def finish_partial(self, sink: Sink, cursor: _Cursor) -> None:
        """After a failure: print what a buffered sink holds, or a streaming sink's trailer
        (the NextToken shown is where to resume); a failure here must not hide the original
        error."""
        if cursor.reached == cursor.start:
            return
        token = cursor.committed if sink.streams else cursor.reached
        try:
            sink.finish(token, complete=False)
        except (Exception, KeyboardInterrupt):
            return
        cursor.committed = token

    def warn_if_inverted(self) -> None:
        """An inverted time window is sent (the service decides, as with boto3), with a hint."""
        from ._serialize import inverted_window

        warning = inverted_window(self.filters())
        if warning is not None:
            for param in ("submitTimeAfter", "submitTimeBefore"):
                warning = _cli_wording(warning, param)
            self.err.write(f"warning: {warning}\n")

    def warn_if_all_dropped(self, sink: Sink) -> None:
        if getattr(sink, "all_dropped", False):
            self.err.write(
                f"warning: --query {self.args.query} returned null for every job, so nothing "
                "was printed (with --output jsonl the query runs on each job, not on the "
                "whole result)\n"
            )

    def regions(self, query: Query | None) -> int:
        """``--regions``: every region listed concurrently, streamed as pages arrive; one
        region's failure loses no other."""
        import asyncio

        from ._paginator import LIST_MODEL_INVOCATION_JOBS, PaginationState

        regions = _region_list(self.args)
        start = (
            self.args.starting_token
            or PaginationState[Any](LIST_MODEL_INVOCATION_JOBS).position_token()
        )
        self.cursors = {region: _Cursor(start) for region in regions}
        return asyncio.run(self._regions(regions, query))

    async def _regions(self, regions: list[str], query: Query | None) -> int:
        from ._output import job_record, make_sink
        from ._regions import iter_region_pages
        from ._stdout import _OutputError

        sink = make_sink(self.fmt, self.out, self.err, query)
        held: dict[str, list[dict[str, Any]]] = {region: [] for region in regions}
        options = self.client_options()
        del options["profile_name"]
        events = iter_region_pages(
            regions,
            profiles=(self.args.profile,),
            client_kwargs=options,
            PaginationConfig=self.pagination_config(),
            **self.filters(),
        )
        try:
            async for event in events:
                cursor = self.cursors[event.region]
                if event.kind == "page":
                    records = [{"region": event.region, **job_record(j)} for j in event.jobs]
                    if not sink.streams:
                        held[event.region].extend(records)
                        cursor.reached = event.position(None) or cursor.reached
                        continue
                    before = sink.delivered
                    try:
                        sink.page(records)
                    finally:
                        cursor.wrote(sink, before, len(records), event.position)
                elif event.kind == "error":
                    cursor.error = event.error
                    cursor.reached = event.resume_token or cursor.reached
                    self.err.write(f"region {event.region}: {_region_error(event.error)}\n")
                elif event.kind == "end":
                    cursor.continuation = event.resume_token
                    cursor.reached = event.resume_token or cursor.reached
                    cursor.delivered_all = sink.streams
        except BaseException as exc:
            if not sink.streams and not isinstance(exc, _OutputError):
                self.finish_held(sink, regions, held)
            raise
        failures = [c.error for c in self.cursors.values() if c.error is not None]
        if not sink.streams:
            for region in regions:
                sink.page(held[region])
            sink.finish(None, complete=not failures)
            for cursor in self.cursors.values():
                cursor.committed = cursor.reached
                cursor.delivered_all = cursor.error is None
        self.warn_if_all_dropped(sink)
        for region, cursor in self.cursors.items():
            if cursor.continuation is not None:
                self.err.write(
                    f"continue {region} with --regions {region} "
                    f"--starting-token {cursor.continuation}\n"
                )
        for line in self.resume_lines():
            self.err.write(line + "\n")
        return _exit_code(failures[0]) if failures else EXIT_OK

    def finish_held(
        self, sink: Sink, regions: list[str], held: dict[str, list[dict[str, Any]]]
    ) -> None:
        """After a failure with a buffered format: print the jobs held, in region order."""
        for region in regions:
            sink.page(held[region])
        try:
            sink.finish(None, complete=False)
        except (Exception, KeyboardInterrupt):
            return
        for cursor in self.cursors.values():
            cursor.committed = cursor.reached

    def resume_lines(self) -> list[str]:
        """Where to resume after a failure: one line per listing that has jobs missing."""
        if "" in self.cursors:
            token = self.cursors[""].resume()
            return [] if token is None else [f"resume with --starting-token {token}"]
        return [
            f"resume {region} with --regions {region} --starting-token {cursor.committed}"
            for region, cursor in self.cursors.items()
            if not cursor.delivered_all
        ]


def _region_error(exc: BaseException | None) -> str:
    """One region's error, without the program prefix (the line already names the region)."""
    from .errors import BedrockPaginateError

    if isinstance(exc, BedrockPaginateError):
        param = getattr(exc, "param", None)
        return _cli_wording(exc.describe(), param if isinstance(param, str) else None)
    return _error_message(exc or Exception()).strip()


def _default_output(profile: str | None) -> OutputFormat:
    """As the AWS CLI: ``AWS_DEFAULT_OUTPUT``, then the profile's ``output``, then json."""
    import os

    from ._output import FORMATS
    from ._profiles import SharedFiles
    from .errors import ConfigError, ConfigFileError

    value: str | None = os.environ.get("AWS_DEFAULT_OUTPUT") or None
    origin = "AWS_DEFAULT_OUTPUT"
    if value is None:
        name = profile or os.environ.get("AWS_DEFAULT_PROFILE") or os.environ.get("AWS_PROFILE")
        files = SharedFiles.from_environ(os.environ)
        try:
            found = files.profile(name or "default") or {}
        except ConfigFileError:
            return "json"  # the listing reports the broken file itself
        raw = found.get("output")
        value = raw if isinstance(raw, str) and raw else None
        origin = f"output in profile {name or 'default'!r} ({files.config_path})"
    if value is None:
        return "json"
    for fmt in FORMATS:
        if value.strip() == fmt:
            return fmt
    raise ConfigError(
        f"{origin} is {value!r}, not an output format this tool prints "
        f"({', '.join(FORMATS)}); use --output to override it"
    )


def _region_list(args: argparse.Namespace) -> list[str]:
    """The ``--regions`` list, checked against the options it cannot go with."""
    from .errors import ParamValidationError

    regions = [r.strip() for r in str(args.regions).split(",") if r.strip()]
    if not regions:
        raise ParamValidationError(
            "--regions needs a comma-separated list of regions, e.g. us-east-1,us-west-2",
            param="--regions",
        )
    from ._endpoints import is_valid_region, normalize_fips_region

    bad = [r for r in regions if not is_valid_region(normalize_fips_region(r)[0])]
    if bad:
        raise ParamValidationError(
            f"--regions: invalid region name {bad[0]!r}; a region is a DNS label of letters, "
            "digits and hyphens such as 'us-east-1' (nothing was listed)",
            param="--regions",
        )
    conflicts = [
        flag
        for flag, used in (
            ("--region", args.region is not None),
            ("--no-paginate", bool(args.no_paginate)),
            ("--max-results", args.max_results is not None),
            ("--next-token", args.next_token is not None),
            ("--record", args.record is not None),
            ("--replay", args.replay is not None),
            (
                "--starting-token with more than one region",
                args.starting_token is not None and len(regions) > 1,
            ),
        )
        if used
    ]
    if conflicts:
        raise ParamValidationError(
            f"--regions cannot be used with {', '.join(conflicts)}", param="--regions"
        )
    return regions


def _should_paginate(args: argparse.Namespace) -> bool:
    from .errors import ParamValidationError

    manual = args.max_results is not None or args.next_token is not None
    if not (args.no_paginate or manual):
        return True
    used = [flag for name, flag in _PAGING_FLAGS if getattr(args, name) is not None]
    if args.starting_token is not None:
        used.append("--starting-token")
    if used:
        reason = "--no-paginate" if args.no_paginate else "--max-results/--next-token"
        raise ParamValidationError(
            f"Cannot specify {reason} along with pagination arguments: {', '.join(used)}",
            param=used[0],
        )
    return False


def _mfa_prompt(prompt: str) -> str:
    import getpass

    return getpass.getpass(prompt)


def _credential_kwargs() -> ClientOptions:
    """As the AWS CLI: the assume-role cache in ``~/.aws/cli/cache`` (shared with it), and an
    MFA prompt when stdin is a terminal (without one, an MFA profile fails with a clear error)."""
    import os

    from ._credentials._role_cache import JSONFileCache

    cache_dir = os.path.expanduser(os.path.join("~", ".aws", "cli", "cache"))
    return {
        "credential_cache": JSONFileCache(cache_dir),
        "mfa_prompt": _mfa_prompt if sys.stdin is not None and sys.stdin.isatty() else None,
    }


def _debug_config(client: Client) -> None:
    import logging

    log = logging.getLogger("bedrock_paginate")
    if not log.isEnabledFor(logging.DEBUG):
        return
    config = client.config
    log.debug("auth scheme %s (%s)", config.auth_scheme, config.auth_reason)
    log.debug(
        "region %s (from %s), endpoint %s (from %s)",
        config.region,
        config.region_source,
        config.endpoint_url,
        config.endpoint_source,
    )
    log.debug("retry mode %s, max attempts %d", config.retry_mode, config.max_attempts)
    log.debug(
        "timeouts: connect %gs, read %gs; TLS verify %s",
        config.connect_timeout,
        config.read_timeout,
        config.verify,
    )


# --- errors ----------------------------------------------------------------------------------


def _exit_code(exc: BaseException) -> int:
    from .errors import ConfigError, ParamValidationError, ServiceError

    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, ParamValidationError):
        return EXIT_USAGE
    if isinstance(exc, ConfigError):
        return EXIT_CONFIG
    if isinstance(exc, ServiceError):
        return EXIT_SERVICE
    return EXIT_OTHER


def _error_message(exc: BaseException) -> str:
    """The one-line message for ``exc`` (AWS CLI wording for service errors)."""
    from ._stdout import _OutputError
    from .errors import BedrockPaginateError, ParamValidationError, ServiceError

    if isinstance(exc, KeyboardInterrupt):
        return ""
    if isinstance(exc, _OutputError):
        return f"{PROG}: error: could not write the output: {exc}"
    if isinstance(exc, ServiceError):
        return f"\n{exc.describe()}"  # botocore's ClientError text, as the AWS CLI prints it
    if isinstance(exc, ParamValidationError):
        return f"{PROG}: error: {_cli_wording(exc.describe(), exc.param)}"
    if isinstance(exc, BedrockPaginateError):
        return f"\n{exc.describe()}"
    return f"\n{PROG}: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)"


def _cli_wording(message: str, param: str | None) -> str:
    """``message`` with the library's name for ``param`` replaced by the CLI flag."""
    import re

    flag = _FLAG_FOR_PARAM.get(param or "")
    if flag is None:
        return message
    # "the nextToken the service returned" stays: it names the value, not the flag.
    pattern = rf"(?:PaginationConfig |parameter |(?<!the )){re.escape(param or '')}\b"
    return re.sub(pattern, flag, message)


def _report(
    exc: BaseException, resume: Sequence[str], *, debug: bool, profile_flag: bool = False
) -> int:
    err = sys.stderr
    if debug and not isinstance(exc, KeyboardInterrupt):
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=err)
    message = _error_message(exc)
    if profile_flag:  # the library says "in code"; here the user typed --profile
        message = message.replace(
            "a profile was named in code", "a profile was named with --profile"
        )
    if isinstance(exc, KeyboardInterrupt):
        err.write("\n")
    elif message:
        err.write(message + "\n")
    for line in resume:
        err.write(line + "\n")
    err.flush()
    return _exit_code(exc)


def _start_debug_logging() -> tuple[logging.Logger, logging.Handler, int]:
    import logging

    log = logging.getLogger("bedrock_paginate")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
    previous = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    return log, handler, previous


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the final flush cannot fail."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _cli_input(command: str, args: list[str]) -> list[str] | int:
    """``--generate-cli-skeleton`` (print, exit 0) and ``--cli-input-json`` (rewritten into the
    command's flags) for any command; other arguments unchanged."""
    if not any(a.startswith(("--generate-cli-skeleton", "--cli-input-json")) for a in args):
        return args
    from ._cli_input import expand_cli_input, skeleton
    from .errors import ParamValidationError

    rest: list[str] = []
    which: str | None = None
    inputs: list[str] = []
    items = iter(range(len(args)))
    for i in items:
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name == "--generate-cli-skeleton":
            which = value if eq else "input"
            following = args[i + 1] if i + 1 < len(args) else ""
            if not eq and following in ("input", "output", "yaml-input"):
                which = following
                next(items)
        elif name == "--cli-input-json":
            if not eq:
                if i + 1 >= len(args):
                    sys.stderr.write(
                        f"{PROG}: error: argument --cli-input-json: expected JSON or file://PATH\n"
                    )
                    return EXIT_USAGE
                value = args[i + 1]
                next(items)
            inputs.append(value)
        else:
            rest.append(arg)
    try:
        if which is not None:
            sys.stdout.write(skeleton(command, which))
            return EXIT_OK
        for text in inputs:
            rest = expand_cli_input(command, rest, text)
    except ParamValidationError as exc:
        sys.stderr.write(f"{PROG}: error: {exc.describe()}\n")
        return EXIT_USAGE
    return rest


def _parse(argv: list[str]) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code when parsing ended the run."""
    return parse(_build_parser(), argv)


def _serve(argv: list[str]) -> int:
    from .testing import serve_main

    return serve_main(argv)


def _build_layer(argv: list[str]) -> int:
    from ._layer import main as layer_main

    return layer_main(argv)


def _list(parsed: argparse.Namespace, isatty: Callable[[], bool]) -> int:
    from ._stdout import _OutputError

    debug = bool(parsed.debug)
    profile_flag = parsed.profile is not None
    logging_state = _start_debug_logging() if debug else None
    run = _Run(parsed, isatty)
    try:
        return run.execute()
    except _OutputError as exc:
        if not exc.broken_pipe:
            return _report(exc, run.resume_lines(), debug=debug, profile_flag=profile_flag)
        # The reader went away (| head): no error message, as the AWS CLI; but say where
        # to resume when jobs were not delivered.
        _silence_stdout()
        for line in run.resume_lines():
            sys.stderr.write(line + "\n")
        return EXIT_OK
    except (Exception, KeyboardInterrupt) as exc:
        return _report(exc, run.resume_lines(), debug=debug, profile_flag=profile_flag)
    finally:
        if logging_state is not None:
            log, handler, level = logging_state
            log.removeHandler(handler)
            log.setLevel(level)


def main(argv: list[str] | None = None, *, isatty: Callable[[], bool] | None = None) -> int:
    """Run ``bedrock-paginate`` with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    ``isatty`` says whether stderr is a terminal (progress is shown only then); it defaults to
    ``sys.stderr.isatty``.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None:  # started with stdout closed (>&-): nowhere to print anything
        if sys.stderr is not None:
            sys.stderr.write(
                f"{PROG}: error: standard output is closed; redirect it instead "
                "(> FILE, or > /dev/null)\n"
            )
        return EXIT_OTHER
    try:
        index = _command_index(argv)
        if index is not None and argv[index] in (COMMAND, SERVE, BUILD_LAYER):
            rewritten = _cli_input(argv[index], argv[index + 1 :])
            if isinstance(rewritten, int):
                return rewritten
            argv = [*argv[: index + 1], *rewritten]
        if index is not None and argv[index] == SERVE:
            return _serve(argv[index + 1 :])
        if index is not None and argv[index] == BUILD_LAYER:
            return _build_layer(argv[index + 1 :])
        if index is not None and argv[index] in JOB_COMMANDS:
            from ._cli_jobs import main as jobs_main

            return jobs_main(argv, argv[index], isatty=isatty or _stdout_isatty)
        if index is None and "--version" in argv:  # fast path: no parser, no models
            from . import __version__

            sys.stdout.write(_version_line(__version__) + "\n")
            return EXIT_OK
        parsed = _parse(argv)
        if isinstance(parsed, int):
            return parsed
        return _list(parsed, isatty or _stderr_isatty)
    except KeyboardInterrupt:  # before the listing started: nothing to resume
        sys.stderr.write("\n")
        return EXIT_INTERRUPTED
