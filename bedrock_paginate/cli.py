"""The ``bedrock-paginate`` command line tool (also ``python -m bedrock_paginate``).

This module owns argument parsing and dispatch. The pieces, one job each: ``_cli_errors`` (exit
codes, one-line messages in CLI flags, resume lines; shared by every command), ``_cli_list`` (the
listing: client call, progress line, "nothing lost" cursors), ``_cli_input``
(``--cli-input-json`` / ``--generate-cli-skeleton`` from one table), ``_output`` (formats),
``_stdout`` (exact delivery accounting). A new command is a parser (or an entry in
``_cli_input.COMMAND_INPUTS``) plus a ``run`` function that raises the library's errors.

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
from typing import TYPE_CHECKING, Any

from ._argparse import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OTHER,
    new_parser,
    parse,
)
from ._cli_errors import PROG

if TYPE_CHECKING:
    import argparse
    from datetime import datetime


__all__ = ["main"]

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
    import argparse

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
    # only what _cli_input leaves for the command (see _cli_input.CHECKED_OUTPUT)
    listing.add_argument("--generate-cli-skeleton", choices=["output"], help=argparse.SUPPRESS)
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


def _parse(argv: list[str]) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code when parsing ended the run."""
    return parse(_build_parser(), argv)


def _stdout_isatty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _serve(argv: list[str]) -> int:
    from .testing import serve_main

    return serve_main(argv)


def _build_layer(argv: list[str]) -> int:
    from ._layer import main as layer_main

    return layer_main(argv)


#: The flags that ``_cli_input`` handles (imported only when one is given).
_INPUT_FLAGS = ("--generate-cli-skeleton", "--cli-input-json")


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
        if (
            index is not None
            and argv[index] in (COMMAND, SERVE, BUILD_LAYER, *JOB_COMMANDS)
            and any(a.startswith(_INPUT_FLAGS) for a in argv[index + 1 :])
        ):
            from ._cli_input import apply_cli_input  # its tables load only when asked for

            rewritten = apply_cli_input(argv[index], argv[index + 1 :])
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
        from ._cli_list import run, stderr_isatty

        return run(parsed, isatty or stderr_isatty)
    except KeyboardInterrupt:  # before the listing started: nothing to resume
        sys.stderr.write("\n")
        return EXIT_INTERRUPTED
