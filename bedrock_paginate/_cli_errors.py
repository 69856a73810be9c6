"""How the command line tool reports an error: the AWS CLI v2's exit codes, one-line messages
in the CLI's own terms (flags such as ``--page-size``, not ``PaginationConfig PageSize``), and the
resume lines. Shared by every command (``list-model-invocation-jobs`` today, more later).

Imports only the standard library and the package's errors, lazily.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ._argparse import EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_OTHER, EXIT_SERVICE, EXIT_USAGE

__all__ = [
    "FLAG_FOR_PARAM",
    "PROG",
    "cli_wording",
    "error_message",
    "exit_code",
    "profile_flag_wording",
    "report",
]

PROG = "bedrock-paginate"

#: The flag for each library parameter name, so errors speak in the CLI's terms.
FLAG_FOR_PARAM = {
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


def exit_code(exc: BaseException) -> int:
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


def error_message(exc: BaseException) -> str:
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
        return f"{PROG}: error: {cli_wording(exc.describe(), exc.param)}"
    if isinstance(exc, BedrockPaginateError):
        return f"\n{exc.describe()}"
    return f"\n{PROG}: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)"


def cli_wording(message: str, param: str | None) -> str:
    """``message`` with the library's name for ``param`` replaced by the CLI flag."""
    import re

    flag = FLAG_FOR_PARAM.get(param or "")
    if flag is None:
        return message
    # "the nextToken the service returned" stays: it names the value, not the flag.
    pattern = rf"(?:PaginationConfig |parameter |(?<!the )){re.escape(param or '')}\b"
    return re.sub(pattern, flag, message)


def profile_flag_wording(message: str) -> str:
    """``message`` for a profile the user typed with ``--profile`` (the library says "in code")."""
    return message.replace("a profile was named in code", "a profile was named with --profile")


def report(
    exc: BaseException, resume: Sequence[str], *, debug: bool, profile_flag: bool = False
) -> int:
    err = sys.stderr
    if debug and not isinstance(exc, KeyboardInterrupt):
        import traceback

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=err)
    message = error_message(exc)
    if profile_flag:
        message = profile_flag_wording(message)
    if isinstance(exc, KeyboardInterrupt):
        err.write("\n")
    elif message:
        err.write(message + "\n")
    for line in resume:
        err.write(line + "\n")
    err.flush()
    return exit_code(exc)
