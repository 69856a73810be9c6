"""The ``list-model-invocation-jobs`` command: the client call, the output and "nothing lost".

``run(parsed, isatty)`` runs a parsed command line and returns the exit code. A :class:`_Cursor`
per listing (per region with ``--regions``) turns what ``_stdout.Delivery`` says reached stdout
into the resume token of the first job that did not; see ``cli``'s docstring for the contract.

Imports only the standard library at module level; the client, httpx and jmespath load when the
command runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO, cast

from ._argparse import EXIT_OK
from ._cli_errors import cli_wording, error_message, exit_code, report

if TYPE_CHECKING:
    import argparse
    import logging

    from ._client import Client
    from ._options import ClientOptions, PaginationOptions
    from ._output import OutputFormat, Query, Sink

__all__ = ["run", "stderr_isatty"]

_PAGING_FLAGS = (("max_items", "--max-items"), ("page_size", "--page-size"))


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


def stderr_isatty() -> bool:
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
        if getattr(self.args, "generate_cli_skeleton", None) == "output":
            return self.output_skeleton(query)
        self.warn_if_inverted()
        if self.args.regions is not None:
            return self.regions(query)
        paginate = _should_paginate(self.args)
        with self.client() as client:
            if not paginate:
                return self.single_page(client, query)
            return self.listing(client, query)

    def output_skeleton(self, query: Query | None) -> int:
        """``--generate-cli-skeleton output``: the response shape as one raw page (the AWS
        CLI's stubbed call), in the chosen format with ``--query``; nothing is called."""
        from ._cli_input import OUTPUT_SKELETONS
        from ._output import render_single_page

        shape = OUTPUT_SKELETONS["list-model-invocation-jobs"]()
        jobs, token = shape["invocationJobSummaries"], shape["nextToken"]
        render_single_page(self.fmt, jobs, token, self.out, self.err, query)
        return EXIT_OK

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
                warning = cli_wording(warning, param)
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
        return exit_code(failures[0]) if failures else EXIT_OK

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
        return cli_wording(exc.describe(), param if isinstance(param, str) else None)
    return error_message(exc or Exception()).strip()


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


def run(parsed: argparse.Namespace, isatty: Callable[[], bool]) -> int:
    from ._stdout import _OutputError

    debug = bool(parsed.debug)
    profile_flag = parsed.profile is not None
    logging_state = _start_debug_logging() if debug else None
    run = _Run(parsed, isatty)
    try:
        return run.execute()
    except _OutputError as exc:
        if not exc.broken_pipe:
            return report(exc, run.resume_lines(), debug=debug, profile_flag=profile_flag)
        # The reader went away (| head): no error message, as the AWS CLI; but say where
        # to resume when jobs were not delivered.
        _silence_stdout()
        for line in run.resume_lines():
            sys.stderr.write(line + "\n")
        return EXIT_OK
    except (Exception, KeyboardInterrupt) as exc:
        return report(exc, run.resume_lines(), debug=debug, profile_flag=profile_flag)
    finally:
        if logging_state is not None:
            log, handler, level = logging_state
            log.removeHandler(handler)
            log.setLevel(level)
