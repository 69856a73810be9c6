"""One argparse flavour for every command (``list-model-invocation-jobs``, ``serve``,
``build-layer``): exit codes as the AWS CLI v2, and usage errors reported as it does.

argparse itself would print the whole usage and ``sys.exit(2)``; here a usage error prints a
short usage, where to find help and the error, and :func:`parse` returns 252, so every command
returns its code instead of exiting. argparse is imported only when a parser is built.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

if TYPE_CHECKING:
    import argparse

__all__ = [
    "EXIT_CONFIG",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OTHER",
    "EXIT_SERVICE",
    "EXIT_USAGE",
    "new_parser",
    "parse",
]

EXIT_OK = 0
EXIT_INTERRUPTED = 130
EXIT_USAGE = 252
EXIT_CONFIG = 253
EXIT_SERVICE = 254
EXIT_OTHER = 255


class _UsageError(Exception):
    """argparse rejected the command line."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


class _ParserExit(Exception):
    """argparse finished early (``--help``, ``--version``)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


_PARSER_CLASS: type[argparse.ArgumentParser] | None = None


def _parser_class() -> type[argparse.ArgumentParser]:
    global _PARSER_CLASS
    if _PARSER_CLASS is not None:
        return _PARSER_CLASS
    import argparse

    class Parser(argparse.ArgumentParser):
        """An ArgumentParser that raises instead of exiting, so commands return codes."""

        def error(self, message: str) -> NoReturn:
            # As the AWS CLI: a one-line usage and where to find help, not every option.
            command = " <command> [parameters]" if self._subparsers is not None else ""
            usage = (
                f"usage: {self.prog} [options]{command}\n"
                f"To see help text, you can run:\n\n  {self.prog} --help\n\n"
            )
            raise _UsageError(message, usage)

        def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
            if message:
                sys.stderr.write(message)
            raise _ParserExit(status)

    _PARSER_CLASS = Parser
    return Parser


def new_parser(**kwargs: Any) -> argparse.ArgumentParser:
    """An ``ArgumentParser`` (same arguments) whose errors :func:`parse` turns into 252."""
    return _parser_class()(**kwargs)


def parse(
    parser: argparse.ArgumentParser, argv: Sequence[str], *, stderr: TextIO | None = None
) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code when parsing ended the run (252, or 0 after
    ``--help``), the usage error already printed on ``stderr``."""
    try:
        return parser.parse_args(list(argv))
    except _UsageError as exc:
        (stderr or sys.stderr).write(f"{exc.usage}{parser.prog}: error: {exc.message}\n")
        return EXIT_USAGE
    except _ParserExit as exc:
        return exc.status
