"""The command line of the batch-job operations: ``get-model-invocation-job``,
``stop-model-invocation-job``, ``create-model-invocation-job`` and ``watch``.

``cli.main`` hands these commands over (with the whole command line, global options before or
after the command) and this module does the rest, with ``cli``'s global options, client
construction, ``--query`` and error reporting, so exit codes and messages are the listing's:
0 success, 130 Ctrl-C, 252 bad arguments, 253 configuration, 254 a service error, 255 other.

The three operations take the AWS CLI's flags (structure values as JSON, ``file://PATH`` or
shorthand; see ``_cli_values``) and print what the AWS CLI prints: the response without
``ResponseMetadata``, in ``json`` (4-space indent, ISO 8601 timestamps with offset), ``text`` or
``table`` (``--output``, else ``AWS_DEFAULT_OUTPUT``, else the profile's ``output``); an empty
response (stop) prints nothing. ``--generate-cli-skeleton output`` prints the response shape the
same way after the usual argument checks, without a call. An output that cannot be written is
reported as such (255; create also names the job it created). ``watch`` lives in ``_cli_watch``.

Loaded only when one of these commands runs; the listing never imports it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO, cast

from ._argparse import EXIT_OK, new_parser, parse

if TYPE_CHECKING:
    import argparse

    from ._client import Client

__all__ = ["main"]

GET = "get-model-invocation-job"
STOP = "stop-model-invocation-job"
CREATE = "create-model-invocation-job"
WATCH = "watch"
_DESCRIPTIONS = {
    GET: "Show one Amazon Bedrock batch inference job, like 'aws bedrock "
    "get-model-invocation-job'.",
    STOP: "Stop a batch inference job, like 'aws bedrock stop-model-invocation-job'. Prints "
    "nothing on success; a job already finished is a ConflictException (exit 254).",
    CREATE: "Submit a batch inference job, like 'aws bedrock create-model-invocation-job'. "
    "Without --client-request-token a token is generated once, so retries never submit twice.",
    WATCH: "Follow batch inference jobs until they finish: a live view on a terminal, one line "
    "(or with --output jsonl one JSON event) per change otherwise. Without filters nor "
    "--job-identifier: every job not finished. --until-done exits 0 when all jobs Completed, "
    "3 when any ended otherwise.",
}
#: Global options that mean nothing for these commands (refused rather than ignored).
_LISTING_ONLY = (("regions", "--regions"), ("no_paginate", "--no-paginate"))
_TITLES = {GET: "GetModelInvocationJob", CREATE: "CreateModelInvocationJob"}


def _hours(text: str) -> int:
    import argparse

    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of hours, got {text!r}"
        ) from None


def _interval(text: str) -> float:
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > 86400:
        raise argparse.ArgumentTypeError(f"expected seconds > 0 (at most 86400), got {text!r}")
    return value


def _add_command_options(name: str, parser: argparse.ArgumentParser) -> None:
    from .cli import _timestamp

    if name in (GET, STOP):
        parser.add_argument(
            "--job-identifier", required=True, metavar="ID", help="the job's ARN (or id)"
        )
        return
    if name == CREATE:
        req = parser.add_argument_group("required")
        req.add_argument("--job-name", required=True, metavar="NAME")
        req.add_argument("--role-arn", required=True, metavar="ARN")
        req.add_argument("--model-id", required=True, metavar="MODEL")
        structure = "JSON, file://PATH or shorthand"
        req.add_argument(
            "--input-data-config",
            required=True,
            metavar="VALUE",
            help=f"{structure}, e.g. s3InputDataConfig={{s3Uri=s3://bucket/in/}}",
        )
        req.add_argument(
            "--output-data-config",
            required=True,
            metavar="VALUE",
            help=f"{structure}, e.g. s3OutputDataConfig={{s3Uri=s3://bucket/out/}}",
        )
        opt = parser.add_argument_group("optional")
        opt.add_argument(
            "--vpc-config",
            metavar="VALUE",
            help=f"{structure}, e.g. subnetIds=subnet-1,securityGroupIds=sg-1",
        )
        opt.add_argument("--timeout-duration-in-hours", type=_hours, metavar="HOURS")
        opt.add_argument(
            "--tags", nargs="+", metavar="TAG", help="key=K,value=V ... or a JSON list"
        )
        opt.add_argument("--model-invocation-type", metavar="TYPE", help="InvokeModel, Converse")
        opt.add_argument(
            "--client-request-token",
            metavar="TOKEN",
            help="idempotency token (default: a new UUID, reused by every retry)",
        )
        return
    from .models import JOB_STATUSES

    filters = parser.add_argument_group("filters (as list-model-invocation-jobs)")
    filters.add_argument("--submit-time-after", type=_timestamp, metavar="TIME")
    filters.add_argument("--submit-time-before", type=_timestamp, metavar="TIME")
    filters.add_argument(
        "--status-equals",
        metavar="STATUS",
        help=f"one of: {', '.join(JOB_STATUSES)} (default: every status not finished)",
    )
    filters.add_argument("--name-contains", metavar="TEXT", help="part of the job name")
    parser.add_argument(
        "--job-identifier",
        action="append",
        metavar="ID",
        help="watch this job (ARN or id; repeatable); with filters, both are watched",
    )
    parser.add_argument(
        "--interval", type=_interval, default=5.0, metavar="SECONDS", help="poll every SECONDS"
    )
    parser.add_argument(
        "--until-done",
        action="store_true",
        help="exit once every watched job is finished: 0 when all Completed, 3 otherwise",
    )


def build_parser(command: str) -> argparse.ArgumentParser:
    """The parser of ``bedrock-paginate [global options] COMMAND [options]``."""
    from ._cli_errors import PROG
    from .cli import JOB_COMMANDS, _add_global_options

    parser = new_parser(prog=PROG, allow_abbrev=False)
    _add_global_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="command", required=True)
    sub = commands.add_parser(
        command,
        help=JOB_COMMANDS[command],
        description=_DESCRIPTIONS[command],
        allow_abbrev=False,
    )
    _add_command_options(command, sub)
    if command != WATCH:  # only what _cli_input leaves for the command (see CHECKED_OUTPUT)
        import argparse

        sub.add_argument("--generate-cli-skeleton", choices=["output"], help=argparse.SUPPRESS)
    _add_global_options(sub, suppress=True)
    return parser


def make_client(args: argparse.Namespace, isatty: Callable[[], bool]) -> Client:
    """The client for ``args``'s global options, as the listing builds it."""
    from ._cli_list import _Run

    return _Run(args, isatty).client()


def record_of(result: Any) -> dict[str, Any]:
    """What the AWS CLI prints for a result: boto3's dict without ``ResponseMetadata``,
    timestamps as ISO 8601 text."""
    record: dict[str, Any] = dict(result.to_dict())
    record.pop("ResponseMetadata", None)
    for key, value in list(record.items()):
        if isinstance(value, datetime):
            record[key] = value.isoformat()
    return record


def print_result(
    record: dict[str, Any], fmt: str, title: str, out: TextIO, query: Any = None
) -> None:
    """``record`` in the AWS CLI's ``json``/``text``/``table`` (``jsonl``: one line)."""
    import json

    from ._output import _box, _cell, format_json, format_text

    value: Any = record if query is None else query.search(record)
    if fmt == "text":
        out.write(format_text(value))
    elif fmt == "jsonl":
        if value not in (None, {}):
            out.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n")
    elif fmt == "table":
        if isinstance(value, dict) and value:
            rows = [[key, _cell(item)] for key, item in value.items()]
            out.write("\n".join(_box(title, None, rows)) + "\n")
        elif value not in (None, [], {}):
            out.write(format_json(value))
    elif value is not None:
        out.write(format_json(value))
    out.flush()


def _vpc(value: dict[str, Any]) -> dict[str, Any]:
    """Shorthand gives a lone id as a string where the model wants a list."""
    return {k: [v] if isinstance(v, str) else v for k, v in value.items()}


def create_params(args: argparse.Namespace) -> dict[str, Any]:
    """CreateModelInvocationJob's arguments from the flags."""
    from ._cli_values import parse_structure, parse_structure_list

    params: dict[str, Any] = {
        "jobName": args.job_name,
        "roleArn": args.role_arn,
        "modelId": args.model_id,
        "inputDataConfig": parse_structure(args.input_data_config, "--input-data-config"),
        "outputDataConfig": parse_structure(args.output_data_config, "--output-data-config"),
        "clientRequestToken": args.client_request_token,
        "timeoutDurationInHours": args.timeout_duration_in_hours,
        "modelInvocationType": args.model_invocation_type,
    }
    if args.vpc_config is not None:
        params["vpcConfig"] = _vpc(parse_structure(args.vpc_config, "--vpc-config"))
    if args.tags is not None:
        params["tags"] = parse_structure_list(args.tags, "--tags")
    return {k: v for k, v in params.items() if v is not None}


def _refuse_listing_only(args: argparse.Namespace) -> None:
    from .errors import ParamValidationError

    for attribute, flag in _LISTING_ONLY:
        if getattr(args, attribute, None):
            raise ParamValidationError(
                f"{flag} applies to list-model-invocation-jobs only, not {args.command}",
                param=flag,
            )
    if args.command == WATCH and args.query is not None:
        raise ParamValidationError(
            "--query does not apply to watch; use --output jsonl and filter the events",
            param="--query",
        )


def output_format(args: argparse.Namespace) -> str:
    """``--output``, else ``AWS_DEFAULT_OUTPUT``, else the profile's ``output``, else json (as
    the listing and the AWS CLI)."""
    from ._cli_list import _default_output

    return str(args.output or _default_output(args.profile))


def _run(args: argparse.Namespace, isatty: Callable[[], bool], out: TextIO) -> int:
    from ._cli_list import _compile_query

    query = _compile_query(args.query)
    fmt = output_format(args)
    title = _TITLES.get(args.command, "")
    if getattr(args, "generate_cli_skeleton", None) == "output":  # the AWS CLI's stubbed call
        from ._cli_input import OUTPUT_SKELETONS

        if args.command == CREATE:
            create_params(args)  # the structures are checked, as the stubbed call validates
        print_result(OUTPUT_SKELETONS[args.command](), fmt, title, out, query)
        return EXIT_OK
    with make_client(args, isatty) as client:
        if args.command == GET:
            result: Any = client.get_model_invocation_job(jobIdentifier=args.job_identifier)
        elif args.command == STOP:
            result = client.stop_model_invocation_job(jobIdentifier=args.job_identifier)
        else:
            result = client.create_model_invocation_job(**create_params(args))
    try:
        print_result(record_of(result), fmt, title, out, query)
    except (Exception, KeyboardInterrupt):
        if args.command == CREATE:  # the job exists: say which, as stdout never got its ARN
            from ._cli_errors import PROG

            sys.stderr.write(f"{PROG}: the job was created: {result.job_arn}\n")
        raise
    return EXIT_OK


def _flag_of(exc: BaseException, args: argparse.Namespace | None) -> str | None:
    """The command-line flag behind a bad parameter (``timeoutDurationInHours`` or
    ``tags[0].key`` -> ``--timeout-duration-in-hours``, ``--tags``), if it is one of ours."""
    import re

    from .errors import ParamValidationError

    param = exc.param if isinstance(exc, ParamValidationError) else None
    if args is None or not param or param.startswith("-"):
        return None
    root = re.split(r"[.\[]", param, maxsplit=1)[0]
    attribute = re.sub(r"(?<!^)(?=[A-Z])", "_", root).lower()
    if attribute not in vars(args):
        return None
    return "--" + attribute.replace("_", "-")


def _fail(exc: BaseException, *, debug: bool, args: argparse.Namespace | None = None) -> int:
    """Report ``exc`` as the listing does (its message and exit code; these commands have
    nothing to resume) and return the exit code. A bad parameter is named by its flag, as
    argparse names the flags it refuses (``argument --tags: ...``)."""
    from ._cli_errors import PROG, profile_flag_wording
    from ._cli_errors import error_message as _error_message
    from ._cli_errors import exit_code as _exit_code

    if debug and not isinstance(exc, KeyboardInterrupt):
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    message = _error_message(exc)
    if args is not None and args.profile is not None:
        message = profile_flag_wording(message)
    flag = _flag_of(exc, args)
    prefix = f"{PROG}: error: "
    if flag is not None and message.startswith(prefix) and flag not in message:
        message = f"{prefix}argument {flag}: {message[len(prefix) :]}"
    sys.stderr.write("\n" if isinstance(exc, KeyboardInterrupt) else f"{message}\n")
    sys.stderr.flush()
    return _exit_code(exc)


def main(
    argv: Sequence[str],
    command: str,
    *,
    isatty: Callable[[], bool],
    stdout: TextIO | None = None,
    sleep: Callable[[float], Any] | None = None,
    now: Callable[[], datetime] | None = None,
) -> int:
    """Run ``command`` (one of ``cli.JOB_COMMANDS``) with the whole command line ``argv``.

    ``isatty`` says whether stdout is a terminal (``watch`` draws its live view only then);
    ``sleep`` and ``now`` replace ``watch``'s waiting and clock (tests).
    """
    from ._cli_list import _silence_stdout, _start_debug_logging

    parsed = parse(build_parser(command), argv)
    if isinstance(parsed, int):
        return parsed
    from ._stdout import GuardedWriter, _OutputError

    out = cast(TextIO, GuardedWriter(stdout or sys.stdout))
    logging_state = _start_debug_logging() if parsed.debug else None
    try:
        _refuse_listing_only(parsed)
        if command == WATCH:
            from ._cli_watch import run_watch

            return run_watch(parsed, isatty, out, sleep=sleep, now=now)
        return _run(parsed, isatty, out)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except _OutputError as exc:
        _silence_stdout()  # the interpreter's final flush must not fail again
        if exc.broken_pipe:
            return EXIT_OK  # a closed pipe (| head) is not an error, as for the listing
        return _fail(exc, debug=bool(parsed.debug), args=parsed)
    except (Exception, KeyboardInterrupt) as exc:
        return _fail(exc, debug=bool(parsed.debug), args=parsed)
    finally:
        if logging_state is not None:
            log, handler, level = logging_state
            log.removeHandler(handler)
            log.setLevel(level)
