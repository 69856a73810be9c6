"""``--cli-input-json`` and ``--generate-cli-skeleton`` for every command, as the AWS CLI v2.

One table, :data:`COMMAND_INPUTS`, says for each command which JSON keys it takes and the flag
each becomes. ``--cli-input-json JSON`` (or ``file://PATH``) is rewritten into those flags before
the command's own parser runs, so validation and messages are the command's; a flag also given
on the command line wins over the JSON (as in the AWS CLI). ``--generate-cli-skeleton`` prints
the JSON skeleton (``input``, the default; or ``output`` for a command whose output is a service
response) and exits 0 without calling anything. As the AWS CLI's stubbed call, ``output`` for
the listing and get/stop/create (:data:`CHECKED_OUTPUT`) is left to the command, which parses
its arguments first (required flags stay required) and prints the skeleton through its
``--output`` and ``--query`` (the listing as one raw page; stop's empty response prints
nothing). ``watch`` prints events, not a response: like
the AWS CLI's customised commands it has no output skeleton, and says so.

A new command is one more entry in :data:`COMMAND_INPUTS` (and :data:`OUTPUT_SKELETONS` when it
prints JSON). Imports only the standard library (``models`` only for the output skeleton).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .errors import ParamValidationError

__all__ = [
    "CHECKED_OUTPUT",
    "COMMAND_INPUTS",
    "OUTPUT_SKELETONS",
    "InputKey",
    "apply_cli_input",
    "expand_cli_input",
    "skeleton",
]


class InputKey(NamedTuple):
    """One JSON key: the flag it becomes, how (``value``; ``switch``, a flag without value;
    ``repeat``, the flag once per item; ``json``, a structure passed as JSON text), and the
    skeleton's placeholder."""

    flag: str
    kind: str
    placeholder: Any


def _v(flag: str, placeholder: Any) -> InputKey:
    return InputKey(flag, "value", placeholder)


#: Each command's JSON input: key (the API member name where there is one) -> InputKey. The
#: list command's keys and placeholders are the AWS CLI v2's skeleton of ListModelInvocationJobs.
COMMAND_INPUTS: dict[str, dict[str, InputKey]] = {
    "list-model-invocation-jobs": {
        "submitTimeAfter": _v("--submit-time-after", "1970-01-01T00:00:00"),
        "submitTimeBefore": _v("--submit-time-before", "1970-01-01T00:00:00"),
        "statusEquals": _v("--status-equals", "Submitted"),
        "nameContains": _v("--name-contains", ""),
        "maxResults": _v("--max-results", 0),
        "nextToken": _v("--next-token", ""),
        "sortBy": _v("--sort-by", "CreationTime"),
        "sortOrder": _v("--sort-order", "Ascending"),
    },
    "get-model-invocation-job": {"jobIdentifier": _v("--job-identifier", "")},
    "stop-model-invocation-job": {"jobIdentifier": _v("--job-identifier", "")},
    "create-model-invocation-job": {
        "jobName": _v("--job-name", ""),
        "roleArn": _v("--role-arn", ""),
        "clientRequestToken": _v("--client-request-token", ""),
        "modelId": _v("--model-id", ""),
        "inputDataConfig": InputKey(
            "--input-data-config",
            "json",
            {"s3InputDataConfig": {"s3InputFormat": "JSONL", "s3Uri": "", "s3BucketOwner": ""}},
        ),
        "outputDataConfig": InputKey(
            "--output-data-config",
            "json",
            {"s3OutputDataConfig": {"s3Uri": "", "s3EncryptionKeyId": "", "s3BucketOwner": ""}},
        ),
        "vpcConfig": InputKey(
            "--vpc-config", "json", {"subnetIds": [""], "securityGroupIds": [""]}
        ),
        "timeoutDurationInHours": _v("--timeout-duration-in-hours", 0),
        "tags": InputKey("--tags", "json", [{"key": "", "value": ""}]),
        "modelInvocationType": _v("--model-invocation-type", "InvokeModel"),
    },
    "watch": {
        "jobIdentifier": InputKey("--job-identifier", "repeat", [""]),
        "submitTimeAfter": _v("--submit-time-after", "1970-01-01T00:00:00"),
        "submitTimeBefore": _v("--submit-time-before", "1970-01-01T00:00:00"),
        "statusEquals": _v("--status-equals", "Submitted"),
        "nameContains": _v("--name-contains", ""),
        "interval": _v("--interval", 5),
        "untilDone": InputKey("--until-done", "switch", False),
    },
    "serve": {
        "host": _v("--host", "127.0.0.1"),
        "port": _v("--port", 0),
        "fixture": _v("--fixture", ""),
        "jobs": _v("--jobs", 100),
        "seed": _v("--seed", 0),
        "region": _v("--region", "us-east-1"),
        "checkSigv4": InputKey("--check-sigv4", "switch", False),
    },
    "build-layer": {
        "python": _v("--python", "3.12"),
        "arch": _v("--arch", "x86_64"),
        "output": _v("--output", "layer.zip"),
        "compile": InputKey("--compile", "switch", False),
        "pipArgs": InputKey("--pip-arg", "repeat", []),
    },
}


def _list_output() -> Any:
    from .models import JobSummary

    return {"nextToken": "nextToken", "invocationJobSummaries": [_shape(JobSummary)]}


def _model_output(name: str) -> Callable[[], Any]:
    def build() -> Any:
        from . import _job_models

        return _shape(getattr(_job_models, name))

    return build


#: Commands whose output is a service response: a function building the output skeleton.
OUTPUT_SKELETONS: dict[str, Callable[[], Any]] = {
    "list-model-invocation-jobs": _list_output,
    "get-model-invocation-job": _model_output("Job"),
    "stop-model-invocation-job": _model_output("StopJobResult"),
    "create-model-invocation-job": _model_output("CreateJobResult"),
}
#: Commands whose ``--generate-cli-skeleton output`` the command itself prints, as the AWS CLI's
#: stubbed call: after its own argument checks, through its ``--output`` and ``--query``.
CHECKED_OUTPUT = frozenset(
    {
        "list-model-invocation-jobs",
        "get-model-invocation-job",
        "stop-model-invocation-job",
        "create-model-invocation-job",
    }
)
#: Why a command has no output skeleton (the default: it prints no service response).
_NO_OUTPUT = {
    "watch": "watch prints change events, not a service response, so it has no output "
    "skeleton (as the AWS CLI's customised commands); for a job's shape see "
    "get-model-invocation-job --generate-cli-skeleton output",
}


def _shape(cls: type) -> dict[str, Any]:
    """The AWS CLI's output skeleton of an attrs model: member names as string values, 0 for
    numbers, True for booleans, the epoch for timestamps, one element for lists."""
    import typing
    from datetime import datetime

    import attrs

    from .models import WIRE

    hints = typing.get_type_hints(cls)
    out: dict[str, Any] = {}
    for field in attrs.fields(cls):
        name = field.metadata.get(WIRE)
        if name is not None:  # a wire member (not the library's own bookkeeping)
            out[name] = _placeholder(hints[field.name], name, datetime)
    return out


def _placeholder(hint: Any, name: str, datetime_type: type) -> Any:
    import typing

    import attrs

    origin = typing.get_origin(hint)
    args = [a for a in typing.get_args(hint) if a is not type(None) and a is not Ellipsis]
    if origin in (tuple, list):
        return [_placeholder(args[0], name, datetime_type)]
    if args:  # X | None
        return _placeholder(args[0], name, datetime_type)
    if isinstance(hint, type) and attrs.has(hint):
        return _shape(hint)
    if hint is bool:
        return True
    if hint in (int, float):
        return hint()
    if hint is datetime_type:
        return "1970-01-01T00:00:00"
    return name


def skeleton(command: str, which: str) -> str:
    """The JSON skeleton ``--generate-cli-skeleton which`` prints for ``command``."""
    if which == "input":
        value: Any = {key: spec.placeholder for key, spec in COMMAND_INPUTS[command].items()}
    elif which == "output" and command in OUTPUT_SKELETONS:
        value = OUTPUT_SKELETONS[command]()
    elif which == "output" and command in _NO_OUTPUT:
        raise ParamValidationError(
            f"--generate-cli-skeleton output: {_NO_OUTPUT[command]}",
            param="--generate-cli-skeleton",
        )
    else:
        choices = "input, output" if command in OUTPUT_SKELETONS else "input"
        raise ParamValidationError(
            f"--generate-cli-skeleton: {which!r} is not available for {command}; choose {choices}",
            param="--generate-cli-skeleton",
        )
    return json.dumps(value, indent=4, ensure_ascii=False) + "\n"


def _load(text: str) -> dict[str, Any]:
    if text.startswith("file://"):
        path = text[len("file://") :]
        try:
            with open(path, encoding="utf-8") as file:
                text = file.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ParamValidationError(
                f"--cli-input-json: cannot read {path!r}: {exc}", param="--cli-input-json"
            ) from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ParamValidationError(
            f"--cli-input-json: invalid JSON: {' '.join(str(exc).split())}",
            param="--cli-input-json",
        ) from None
    if not isinstance(data, dict):
        raise ParamValidationError(
            "--cli-input-json must be a JSON object such as --generate-cli-skeleton prints",
            param="--cli-input-json",
        )
    return data


def _scalar(key: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ParamValidationError(
            f"--cli-input-json: invalid type for parameter {key}, value: {value!r}, type: "
            f"{type(value).__name__}, valid types: string, number",
            param="--cli-input-json",
        )
    return str(value)


def expand_cli_input(command: str, argv: Sequence[str], text: str) -> list[str]:
    """``argv`` (the command's arguments, without ``--cli-input-json``) plus the flags of the
    JSON ``text``; keys whose flag ``argv`` already has are left out (the command line wins)."""
    table = COMMAND_INPUTS[command]
    data = _load(text)
    given = {arg.split("=", 1)[0] for arg in argv if arg.startswith("-")}
    extra: list[str] = []
    for key, value in data.items():
        spec = table.get(key)
        if spec is None:
            raise ParamValidationError(
                f"--cli-input-json: unknown parameter {key!r}; valid parameters: "
                f"{', '.join(table)}",
                param="--cli-input-json",
            )
        if spec.flag in given or value is None:
            continue
        if spec.kind == "switch":
            if not isinstance(value, bool):
                raise ParamValidationError(
                    f"--cli-input-json: {key} must be true or false, got {value!r}",
                    param="--cli-input-json",
                )
            extra += [spec.flag] if value else []
        elif spec.kind == "json":  # a structure, given to the flag as JSON text
            extra.append(f"{spec.flag}={json.dumps(value)}")
        elif spec.kind == "repeat":
            items = value if isinstance(value, list) else [value]
            extra += [f"{spec.flag}={_scalar(key, item)}" for item in items]
        else:
            extra.append(f"{spec.flag}={_scalar(key, value)}")
    return [*argv, *extra]


def apply_cli_input(command: str, args: list[str]) -> list[str] | int:
    """``--generate-cli-skeleton`` (print, exit 0) and ``--cli-input-json`` (rewritten into the
    command's flags) for any command; other arguments unchanged."""
    if not any(a.startswith(("--generate-cli-skeleton", "--cli-input-json")) for a in args):
        return args
    from ._argparse import EXIT_OK, EXIT_USAGE
    from ._cli_errors import PROG

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
        if which is not None and not (which == "output" and command in CHECKED_OUTPUT):
            sys.stdout.write(skeleton(command, which))
            return EXIT_OK
        for text in inputs:
            rest = expand_cli_input(command, rest, text)
        if which is not None:  # the command checks its arguments, then prints the skeleton
            rest.append("--generate-cli-skeleton=output")
    except ParamValidationError as exc:
        sys.stderr.write(f"{PROG}: error: {exc.describe()}\n")
        return EXIT_USAGE
    return rest
