"""Validate the arguments of GetModelInvocationJob, StopModelInvocationJob and
CreateModelInvocationJob (their serialisation is the generic ``_serialize.build_request``).

Pure. The constraints are the service model's (bedrock 2023-04-20): required
members, types, lengths, ranges and the patterns the service states for names, ARNs, S3 URIs,
tokens and tags. Never stricter than the service: enums (``modelInvocationType``,
``s3InputFormat``) are open, and ``modelId`` is checked for its length only (its pattern is a
moving list of model-ARN shapes). A bad argument raises :class:`ParamValidationError` naming the
parameter (with its path, ``inputDataConfig.s3InputDataConfig.s3Uri``) and what is allowed.

Where the members go is in ``_job_operations``: ``jobIdentifier`` is a URI label (an ARN's
``:`` and ``/`` percent-encoded), Create's members a JSON body in model order, and an absent
``clientRequestToken`` is generated once per call by the request builder, so every retry of a
create carries the same token and the service never starts two jobs for one call.

Imports nothing heavy; loaded only when one of these operations is used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ._serialize import _NAME_RE
from .errors import ParamValidationError

__all__ = [
    "CREATE_JOB_PARAMS",
    "JOB_IDENTIFIER_PARAMS",
    "validate_create_params",
    "validate_job_identifier_params",
]

#: Members of Get/Stop's input (both are ``{jobIdentifier}`` in the path).
JOB_IDENTIFIER_PARAMS: tuple[str, ...] = ("jobIdentifier",)
#: Members of CreateModelInvocationJob's input, in service-model order (the body's key order).
CREATE_JOB_PARAMS: tuple[str, ...] = (
    "jobName",
    "roleArn",
    "clientRequestToken",
    "modelId",
    "inputDataConfig",
    "outputDataConfig",
    "vpcConfig",
    "timeoutDurationInHours",
    "tags",
    "modelInvocationType",
)
_CREATE_REQUIRED = ("jobName", "roleArn", "modelId", "inputDataConfig", "outputDataConfig")

_ROLE_ARN_RE = re.compile(r"arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+", re.DOTALL)
# [a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}, without the model form's backtracking.
_TOKEN_RE = re.compile(r"[a-zA-Z0-9]+(?:-+[a-zA-Z0-9]+)*")
_S3_URI_RE = re.compile(
    r"s3://[a-z0-9][-.a-z0-9]{1,61}[a-z0-9](?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?"
)
_ACCOUNT_RE = re.compile(r"[0-9]{12}")
_KMS_RE = re.compile(
    r"(arn:aws(-[^:]+)?:kms:[a-zA-Z0-9-]*:[0-9]{12}:((key/[a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)))"
    r"|([a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)"
)
_VPC_ID_RE = re.compile(r"[-0-9a-zA-Z]+")
_TAG_RE = re.compile(r"[a-zA-Z0-9\s._:/=+@-]*")


def _type_error(name: str, value: object, valid: str) -> ParamValidationError:
    return ParamValidationError(
        f"Invalid type for parameter {name}, value: {value!r}, type: {type(value).__name__}, "
        f"valid types: {valid}",
        param=name,
    )


def _string(
    name: str,
    value: object,
    *,
    low: int = 0,
    high: int | None = None,
    pattern: re.Pattern[str] | None = None,
    what: str = "",
) -> str:
    if not isinstance(value, str):
        raise _type_error(name, value, "str")
    if len(value) < low or (high is not None and len(value) > high):
        bounds = f"{low} to {high}" if high is not None else f"at least {low}"
        raise ParamValidationError(
            f"Invalid length for parameter {name}: {len(value)} characters; it must be "
            f"{bounds} characters",
            param=name,
        )
    if pattern is not None and pattern.fullmatch(value) is None:
        raise ParamValidationError(
            f"Invalid value for parameter {name}: {value!r}; {what}", param=name
        )
    return value


def _integer(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error(name, value, f"int ({low} to {high})")
    if not low <= value <= high:
        raise ParamValidationError(
            f"Invalid value for parameter {name}: {value}; it must be between {low} and {high}",
            param=name,
        )
    return value


def _structure(name: str, value: object, members: tuple[str, ...]) -> dict[str, Any]:
    """A structure argument as a plain dict (a typed model's ``to_dict()`` is accepted)."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and not isinstance(value, Mapping):
        value = to_dict()
    if not isinstance(value, Mapping):
        raise _type_error(name, value, "dict")
    unknown = [key for key in value if key not in members]
    if unknown:
        raise ParamValidationError(
            f"Unknown parameter in {name}: {unknown[0]!r}, must be one of: {', '.join(members)}",
            param=f"{name}.{unknown[0]}",
        )
    return {key: value[key] for key in members if value.get(key) is not None}


def _required(name: str, present: Mapping[str, Any], members: tuple[str, ...]) -> None:
    for member in members:
        if member not in present:
            raise ParamValidationError(
                f'Missing required parameter in {name}: "{member}"', param=f"{name}.{member}"
            )


def _union(
    name: str, value: object, member: str, check: Callable[[str, object], dict[str, Any]]
) -> dict[str, Any]:
    """A tagged union with one known member (``s3InputDataConfig``/``s3OutputDataConfig``)."""
    present = _structure(name, value, (member,))
    if not present:
        raise ParamValidationError(
            f"Invalid value for parameter {name}: exactly one member must be set; "
            f"valid members: {member}",
            param=name,
        )
    return {member: check(f"{name}.{member}", present[member])}


def _s3_uri(name: str, value: object) -> str:
    return _string(
        name,
        value,
        low=1,
        high=1024,
        pattern=_S3_URI_RE,
        what="it must be an S3 URI such as s3://my-bucket/prefix/ (lowercase bucket name; "
        "key characters: letters, digits and -!_*'().)",
    )


def _bucket_owner(name: str, value: object) -> str:
    return _string(name, value, pattern=_ACCOUNT_RE, what="it must be a 12-digit account id")


def _s3_input(name: str, value: object) -> dict[str, Any]:
    members = ("s3InputFormat", "s3Uri", "s3BucketOwner")
    out = _structure(name, value, members)
    _required(name, out, ("s3Uri",))
    if "s3InputFormat" in out:
        out["s3InputFormat"] = _string(f"{name}.s3InputFormat", out["s3InputFormat"], low=1)
    out["s3Uri"] = _s3_uri(f"{name}.s3Uri", out["s3Uri"])
    if "s3BucketOwner" in out:
        out["s3BucketOwner"] = _bucket_owner(f"{name}.s3BucketOwner", out["s3BucketOwner"])
    return out


def _s3_output(name: str, value: object) -> dict[str, Any]:
    members = ("s3Uri", "s3EncryptionKeyId", "s3BucketOwner")
    out = _structure(name, value, members)
    _required(name, out, ("s3Uri",))
    out["s3Uri"] = _s3_uri(f"{name}.s3Uri", out["s3Uri"])
    if "s3EncryptionKeyId" in out:
        out["s3EncryptionKeyId"] = _string(
            f"{name}.s3EncryptionKeyId",
            out["s3EncryptionKeyId"],
            low=1,
            high=2048,
            pattern=_KMS_RE,
            what="it must be a KMS key id, key ARN, alias (alias/NAME) or alias ARN",
        )
    if "s3BucketOwner" in out:
        out["s3BucketOwner"] = _bucket_owner(f"{name}.s3BucketOwner", out["s3BucketOwner"])
    return out


def _id_list(name: str, value: object, high: int) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise _type_error(name, value, "list or tuple of str")
    if not 1 <= len(value) <= high:
        raise ParamValidationError(
            f"Invalid length for parameter {name}: {len(value)} items; it must have 1 to "
            f"{high} items",
            param=name,
        )
    what = "it must be 1 to 32 letters, digits or '-'"
    return [
        _string(f"{name}[{i}]", v, high=32, pattern=_VPC_ID_RE, what=what)
        for i, v in enumerate(value)
    ]


def _vpc_config(name: str, value: object) -> dict[str, Any]:
    out = _structure(name, value, ("subnetIds", "securityGroupIds"))
    _required(name, out, ("subnetIds", "securityGroupIds"))
    return {
        "subnetIds": _id_list(f"{name}.subnetIds", out["subnetIds"], 16),
        "securityGroupIds": _id_list(f"{name}.securityGroupIds", out["securityGroupIds"], 5),
    }


def _tags(name: str, value: object) -> list[dict[str, str]]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise _type_error(name, value, "list of {'key': str, 'value': str}")
    if len(value) > 200:
        raise ParamValidationError(
            f"Invalid length for parameter {name}: {len(value)} tags; at most 200 are allowed",
            param=name,
        )
    what = "allowed characters: letters, digits, whitespace and ._:/=+@-"
    tags = []
    for i, tag in enumerate(value):
        where = f"{name}[{i}]"
        out = _structure(where, tag, ("key", "value"))
        _required(where, out, ("key", "value"))
        key = _string(f"{where}.key", out["key"], low=1, high=128, pattern=_TAG_RE, what=what)
        text = _string(f"{where}.value", out["value"], high=256, pattern=_TAG_RE, what=what)
        tags.append({"key": key, "value": text})
    return tags


def _unknown(params: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = [key for key in params if key not in allowed]
    if unknown:
        raise ParamValidationError(
            f"Unknown parameter {unknown[0]!r}; valid parameters: {', '.join(allowed)}",
            param=unknown[0],
        )


def validate_job_identifier_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Get/Stop's arguments: ``jobIdentifier``, a job ARN (or the job's id), 1 to 1011
    characters. ``None`` is absent, as for the listing.

    The service model allows an empty identifier, but an empty URI label (like ``.`` and
    ``..``, which URL normalisation removes) names another resource path; refusing those
    three is the only case where we check more than botocore.
    """
    _unknown(params, JOB_IDENTIFIER_PARAMS)
    value = params.get("jobIdentifier")
    if value is None:
        raise ParamValidationError(
            'Missing required parameter in input: "jobIdentifier"', param="jobIdentifier"
        )
    identifier = _string("jobIdentifier", value, low=1, high=1011)
    if identifier in (".", ".."):
        # A dot segment: URL normalisation removes it, and the request would reach another
        # resource (/model-invocation-job or /) instead of naming a job.
        raise ParamValidationError(
            f"Invalid value for parameter jobIdentifier: {identifier!r}; a job identifier is "
            "the job's ARN or id, and '.' or '..' cannot be sent as one",
            param="jobIdentifier",
        )
    return {"jobIdentifier": identifier}


def validate_create_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """CreateModelInvocationJob's arguments, checked and normalised (plain dicts and lists in
    model order; typed configs accepted). An absent ``clientRequestToken`` stays absent: the
    request builder fills it, once per call."""
    _unknown(params, CREATE_JOB_PARAMS)
    present = {k: params[k] for k in CREATE_JOB_PARAMS if params.get(k) is not None}
    _required("input", present, _CREATE_REQUIRED)
    out: dict[str, Any] = {}
    out["jobName"] = _string(
        "jobName",
        present["jobName"],
        low=1,
        high=63,
        pattern=_NAME_RE,
        what="it must start with a letter or digit, then letters, digits, '+', '-' or '.'",
    )
    out["roleArn"] = _string(
        "roleArn",
        present["roleArn"],
        high=2048,
        pattern=_ROLE_ARN_RE,
        what="it must be an IAM role ARN such as arn:aws:iam::123456789012:role/MyBatchRole",
    )
    if "clientRequestToken" in present:
        out["clientRequestToken"] = _string(
            "clientRequestToken",
            present["clientRequestToken"],
            low=1,
            high=256,
            pattern=_TOKEN_RE,
            what="letters and digits, with single or repeated '-' between them",
        )
    out["modelId"] = _string("modelId", present["modelId"], low=1, high=2048)
    out["inputDataConfig"] = _union(
        "inputDataConfig", present["inputDataConfig"], "s3InputDataConfig", _s3_input
    )
    out["outputDataConfig"] = _union(
        "outputDataConfig", present["outputDataConfig"], "s3OutputDataConfig", _s3_output
    )
    if "vpcConfig" in present:
        out["vpcConfig"] = _vpc_config("vpcConfig", present["vpcConfig"])
    if "timeoutDurationInHours" in present:
        out["timeoutDurationInHours"] = _integer(
            "timeoutDurationInHours", present["timeoutDurationInHours"], 24, 168
        )
    if "tags" in present:
        out["tags"] = _tags("tags", present["tags"])
    if "modelInvocationType" in present:
        out["modelInvocationType"] = _string(
            "modelInvocationType", present["modelInvocationType"], low=1
        )
    return out
