"""The fake's GetModelInvocationJob, StopModelInvocationJob and CreateModelInvocationJob.

:class:`JobsApi` answers the three operations over the fake's job list: it validates as the
service does (Coral's messages, every violation listed), resolves a ``jobIdentifier`` (a job
ARN or a job id; anything else, a job name included, is a ``ValidationException`` as the
service's pattern makes it, so code tried against the fake works against Bedrock), runs jobs on
the fake's clock (:mod:`._lifecycle`), enforces a quota of running jobs
(``ServiceQuotaExceededException``), makes creates idempotent by ``clientRequestToken`` (the
same token and request give the same job; the same token with another request is a
``ConflictException``), and refuses to stop a finished job (``ConflictException``).

Imports only the standard library, attrs and the rest of ``bedrock_paginate.testing``.
"""

from __future__ import annotations

import json
import random
import re
import string
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

import attrs

from ._lifecycle import FINISHED, LiveJob, new_live_job
from ._time import format_timestamp

__all__ = ["ApiError", "JobsApi", "job_route"]

_JOB_PREFIX = "/model-invocation-job"
_ARN_RE = re.compile(
    r"arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/[a-z0-9]{12}"
)
_ID_RE = re.compile(r"[a-z0-9]{12}")
_IDENTIFIER_PATTERN = (
    r"((arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/)?[a-z0-9]{12})"
)
_NAME_PATTERN = r"[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}"
_NAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9+.\-]*")
_ROLE_PATTERN = r"arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+"
_TOKEN_PATTERN = r"[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}"
_TOKEN_RE = re.compile(r"[a-zA-Z0-9]+(?:-+[a-zA-Z0-9]+)*")
_S3_PATTERN = (
    r"s3://[a-z0-9][-.a-z0-9]{1,61}[a-z0-9](?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?"
)
_ALNUM = string.ascii_lowercase + string.digits
#: The service's enums (this model version): the service refuses other values, even though the
#: client passes them through (open enums, as botocore).
_INVOCATION_TYPES = ("InvokeModel", "Converse")


class ApiError(Exception):
    """The service's error answer: HTTP ``status``, error ``code`` and ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def job_route(method: str, path: str) -> tuple[str, str | None] | None:
    """``(operation, decoded jobIdentifier)`` for a batch-job path, else ``None``.

    The identifier is one path segment, percent-decoded (an ARN arrives with ``%3A``/``%2F``).
    """
    if path == _JOB_PREFIX:
        return ("CreateModelInvocationJob", None) if method == "POST" else None
    if not path.startswith(_JOB_PREFIX + "/"):
        return None
    rest = path[len(_JOB_PREFIX) + 1 :].split("/")
    if len(rest) == 1 and method == "GET":
        return "GetModelInvocationJob", unquote(rest[0], errors="strict")
    if len(rest) == 2 and rest[1] == "stop" and method == "POST":
        return "StopModelInvocationJob", unquote(rest[0], errors="strict")
    return None


def _violation(value: object, where: str, constraint: str) -> str:
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{where}' failed to satisfy constraint: Member {constraint}"


def _check_string(
    errors: list[str],
    value: object,
    where: str,
    *,
    low: int = 0,
    high: int | None = None,
    pattern: tuple[str, re.Pattern[str]] | None = None,
) -> None:
    if not isinstance(value, str):
        errors.append(_violation(value, where, "must be a string"))
        return
    if len(value) < low:
        errors.append(_violation(value, where, f"must have length greater than or equal to {low}"))
    elif high is not None and len(value) > high:
        errors.append(_violation(value, where, f"must have length less than or equal to {high}"))
    elif pattern is not None and pattern[1].fullmatch(value) is None:
        errors.append(
            _violation(value, where, f"must satisfy regular expression pattern: {pattern[0]}")
        )


def _check_s3(errors: list[str], config: object, where: str, member: str) -> None:
    if not isinstance(config, dict) or len([v for v in config.values() if v is not None]) != 1:
        errors.append(_violation(None, where, "must have exactly one member set"))
        return
    inner = config.get(member)
    if inner is None:
        return  # an unknown union member: passed through, as the service would
    if not isinstance(inner, dict):
        errors.append(_violation(inner, f"{where}.{member}", "must be a structure"))
        return
    if inner.get("s3InputFormat") is not None:
        _check_enum(errors, inner["s3InputFormat"], f"{where}.{member}.s3InputFormat", ("JSONL",))
    uri = inner.get("s3Uri")
    if uri is None:
        errors.append(_violation(None, f"{where}.{member}.s3Uri", "must not be null"))
    else:
        pattern = (_S3_PATTERN, re.compile(_S3_PATTERN))
        _check_string(errors, uri, f"{where}.{member}.s3Uri", low=1, high=1024, pattern=pattern)


_TAG_PATTERN = r"[a-zA-Z0-9\s._:/=+@-]*"
_VPC_ID_PATTERN = r"[-0-9a-zA-Z]+"


def _check_enum(errors: list[str], value: object, where: str, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in allowed:
        constraint = f"must satisfy enum value set: [{', '.join(allowed)}]"
        errors.append(_violation(value, where, constraint))


def _check_list(errors: list[str], value: object, where: str, low: int, high: int) -> list[Any]:
    """``value``'s items when it is a list of ``low`` to ``high`` items, else ``[]``."""
    if not isinstance(value, list):
        errors.append(_violation(value, where, "must be a list"))
        return []
    if len(value) < low:
        errors.append(_violation(value, where, f"must have length greater than or equal to {low}"))
    elif len(value) > high:
        errors.append(_violation(value, where, f"must have length less than or equal to {high}"))
    return value


def _check_tags(errors: list[str], tags: object) -> None:
    pattern = (_TAG_PATTERN, re.compile(_TAG_PATTERN))
    for n, tag in enumerate(_check_list(errors, tags, "tags", 0, 200), start=1):
        where = f"tags.{n}.member"
        if not isinstance(tag, dict):
            errors.append(_violation(tag, where, "must be a structure"))
            continue
        for member, low, high in (("key", 1, 128), ("value", 0, 256)):
            if tag.get(member) is None:
                errors.append(_violation(None, f"{where}.{member}", "must not be null"))
            else:
                _check_string(
                    errors, tag[member], f"{where}.{member}", low=low, high=high, pattern=pattern
                )


def _check_vpc(errors: list[str], vpc: object) -> None:
    if not isinstance(vpc, dict):
        errors.append(_violation(vpc, "vpcConfig", "must be a structure"))
        return
    pattern = (_VPC_ID_PATTERN, re.compile(_VPC_ID_PATTERN))
    for member, high in (("subnetIds", 16), ("securityGroupIds", 5)):
        where = f"vpcConfig.{member}"
        if vpc.get(member) is None:
            errors.append(_violation(None, where, "must not be null"))
            continue
        for n, item in enumerate(_check_list(errors, vpc[member], where, 1, high), start=1):
            _check_string(errors, item, f"{where}.{n}.member", high=32, pattern=pattern)


def validate_create(body: bytes) -> dict[str, Any]:
    """The create request's JSON body, validated.

    Raises:
        ApiError: ``ValidationException`` listing every violated constraint.
    """
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise ApiError(400, "SerializationException", "Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "SerializationException", "Request body must be a JSON object")
    required = ("jobName", "roleArn", "modelId", "inputDataConfig", "outputDataConfig")
    errors = [_violation(None, n, "must not be null") for n in required if data.get(n) is None]
    if data.get("jobName") is not None:
        pattern = (_NAME_PATTERN, _NAME_RE)
        _check_string(errors, data["jobName"], "jobName", low=1, high=63, pattern=pattern)
    if data.get("roleArn") is not None:
        role = (_ROLE_PATTERN, re.compile(_ROLE_PATTERN, re.DOTALL))
        _check_string(errors, data["roleArn"], "roleArn", high=2048, pattern=role)
    if data.get("modelId") is not None:
        _check_string(errors, data["modelId"], "modelId", low=1, high=2048)
    if data.get("clientRequestToken") is not None:
        token = (_TOKEN_PATTERN, _TOKEN_RE)
        _check_string(
            errors, data["clientRequestToken"], "clientRequestToken", low=1, high=256, pattern=token
        )
    if data.get("inputDataConfig") is not None:
        _check_s3(errors, data["inputDataConfig"], "inputDataConfig", "s3InputDataConfig")
    if data.get("outputDataConfig") is not None:
        _check_s3(errors, data["outputDataConfig"], "outputDataConfig", "s3OutputDataConfig")
    if data.get("vpcConfig") is not None:
        _check_vpc(errors, data["vpcConfig"])
    if data.get("tags") is not None:
        _check_tags(errors, data["tags"])
    if data.get("modelInvocationType") is not None:
        _check_enum(errors, data["modelInvocationType"], "modelInvocationType", _INVOCATION_TYPES)
    hours = data.get("timeoutDurationInHours")
    if hours is not None and (
        isinstance(hours, bool) or not isinstance(hours, int) or not 24 <= hours <= 168
    ):
        constraint = (
            "must have value greater than or equal to 24"
            if isinstance(hours, int) and hours < 24
            else "must have value less than or equal to 168"
        )
        errors.append(_violation(hours, "timeoutDurationInHours", constraint))
    if errors:
        plural = "error" if len(errors) == 1 else "errors"
        raise ApiError(
            400,
            "ValidationException",
            f"{len(errors)} validation {plural} detected: " + "; ".join(errors),
        )
    return data


def _not_found(identifier: str) -> ApiError:
    return ApiError(
        404,
        "ResourceNotFoundException",
        f"The specified model invocation job {identifier} was not found. Check the job "
        "identifier and try again.",
    )


def _fingerprint(data: Mapping[str, Any]) -> str:
    return json.dumps({k: v for k, v in data.items() if k != "clientRequestToken"}, sort_keys=True)


@attrs.define(kw_only=True)
class JobsApi:
    """The three operations over a job list owned by the fake.

    ``jobs`` gives the fake's current job dicts; ``add_job`` adds a created one; ``now_us``
    is the fake's clock in microseconds.
    """

    jobs: Callable[[], list[dict[str, Any]]]
    add_job: Callable[[dict[str, Any]], None]
    now_us: Callable[[], int]
    region: str = "us-east-1"
    account: str = "123456789012"
    speed: float = 1.0
    max_active_jobs: int | None = 20
    rng: random.Random = attrs.field(factory=lambda: random.Random(0))
    live: dict[str, LiveJob] = attrs.field(factory=dict)
    _tokens: dict[str, tuple[str, str]] = attrs.field(factory=dict)
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def activate(self, job: Mapping[str, Any], *, start_status: str) -> None:
        """Make an existing job live: it moves on from ``start_status`` from now."""
        with self._lock:
            live = new_live_job(
                job,
                started_us=self.now_us(),
                speed=self.speed,
                rng=self.rng,
                start_status=start_status,
            )
            self.live[live.arn] = live

    def set_fate(
        self,
        arn: str,
        *,
        outcome: str | None = None,
        total: int | None = None,
        rate: float | None = None,
    ) -> None:
        """Script how the live job ``arn`` ends (``Completed``, ``PartiallyCompleted`` or
        ``Failed``), its record count and its records per job minute.

        Raises:
            KeyError: no live job has this ARN.
        """
        with self._lock:
            live = self.live[arn]
            changes: dict[str, Any] = {}
            if outcome is not None:
                changes["outcome"] = outcome
                changes["error_every"] = 0 if outcome == "Completed" else live.error_every or 50
            if total is not None:
                changes["total"] = total
            if rate is not None:
                changes["rate"] = rate
            live = attrs.evolve(live, **changes)
            if live.outcome == "Failed":
                last = max(live.start_processed + 1, live.total // 2)
                live = attrs.evolve(live, fail_after=min(live.fail_after or last, live.total))
            self.live[arn] = live

    def current(self, job: dict[str, Any], now_us: int) -> dict[str, Any]:
        """``job`` as it is at ``now_us`` (a live job's state, else the job itself)."""
        live = self.live.get(str(job.get("jobArn")))
        return job if live is None else live.state(now_us)

    def answer(self, operation: str, identifier: str | None, body: bytes) -> dict[str, Any]:
        """The 200 body of ``operation``.

        Raises:
            ApiError: the service's error for this request.
        """
        if operation == "CreateModelInvocationJob":
            return self._create(validate_create(body))
        assert identifier is not None
        if len(identifier) > 1011:
            message = _violation(
                identifier, "jobIdentifier", "must have length less than or equal to 1011"
            )
            raise ApiError(400, "ValidationException", f"1 validation error detected: {message}")
        if not (_ARN_RE.fullmatch(identifier) or _ID_RE.fullmatch(identifier)):
            message = _violation(
                identifier,
                "jobIdentifier",
                f"must satisfy regular expression pattern: {_IDENTIFIER_PATTERN}",
            )
            raise ApiError(400, "ValidationException", f"1 validation error detected: {message}")
        job = self._find(identifier)
        if operation == "GetModelInvocationJob":
            return job
        return self._stop(job)

    def _find(self, identifier: str) -> dict[str, Any]:
        now = self.now_us()
        jobs = self.jobs()
        if _ARN_RE.fullmatch(identifier):
            found = [j for j in jobs if j.get("jobArn") == identifier]
        else:  # a job id (answer() refused anything else)
            found = [j for j in jobs if str(j.get("jobArn", "")).endswith("/" + identifier)]
        if not found:
            raise _not_found(identifier)
        latest = max(found, key=lambda j: (str(j.get("submitTime")), str(j.get("jobArn"))))
        return self.current(latest, now)

    def _stop(self, job: dict[str, Any]) -> dict[str, Any]:
        status = job.get("status")
        arn = str(job["jobArn"])
        if status in FINISHED:
            raise ApiError(
                400,
                "ConflictException",
                f"The model invocation job {arn} is in status {status} and cannot be stopped.",
            )
        now = self.now_us()
        with self._lock:
            live = self.live.get(arn)
            if live is not None:
                self.live[arn] = live.stopped(now)
            elif status != "Stopping":
                self.live[arn] = new_live_job(
                    job, started_us=now, speed=self.speed, rng=self.rng, start_status="Stopping"
                )
        return {}

    def _running(self, now_us: int) -> int:
        return sum(live.state(now_us)["status"] not in FINISHED for live in self.live.values())

    def _create(self, data: dict[str, Any]) -> dict[str, Any]:
        now = self.now_us()
        token = data.get("clientRequestToken")
        with self._lock:
            if isinstance(token, str) and token in self._tokens:
                arn, fingerprint = self._tokens[token]
                if fingerprint == _fingerprint(data):
                    return {"jobArn": arn}
                raise ApiError(
                    400,
                    "ConflictException",
                    "The clientRequestToken was already used with a different request.",
                )
            if self.max_active_jobs is not None and self._running(now) >= self.max_active_jobs:
                raise ApiError(
                    400,
                    "ServiceQuotaExceededException",
                    f"You have reached the quota of {self.max_active_jobs} batch inference "
                    "jobs that are submitted, validating, scheduled or in progress. Wait for "
                    "a job to finish or stop one, then try again.",
                )
            arn = self._new_arn(data)
            job = {
                "jobArn": arn,
                "jobName": data["jobName"],
                "modelId": data["modelId"],
                "clientRequestToken": token,
                "roleArn": data["roleArn"],
                "status": "Submitted",
                "submitTime": format_timestamp(now // 1000 * 1000),
                "inputDataConfig": data["inputDataConfig"],
                "outputDataConfig": data["outputDataConfig"],
                "vpcConfig": data.get("vpcConfig"),
                "timeoutDurationInHours": data.get("timeoutDurationInHours"),
                "modelInvocationType": data.get("modelInvocationType"),
            }
            job = {k: v for k, v in job.items() if v is not None}
            live = new_live_job(job, started_us=now, speed=self.speed, rng=self.rng)
            self.live[arn] = live
            if isinstance(token, str):
                self._tokens[token] = (arn, _fingerprint(data))
        self.add_job(job)
        return {"jobArn": arn}

    def _new_arn(self, data: Mapping[str, Any]) -> str:
        role = str(data.get("roleArn", ""))
        parts = role.split(":")
        account = parts[4] if len(parts) > 4 and re.fullmatch(r"[0-9]{12}", parts[4]) else None
        partition = parts[1] if len(parts) > 1 and parts[1].startswith("aws") else "aws"
        taken = {str(j.get("jobArn")) for j in self.jobs()}
        while True:
            job_id = "".join(self.rng.choices(_ALNUM, k=12))
            arn = (
                f"arn:{partition}:bedrock:{self.region}:{account or self.account}:"
                f"model-invocation-job/{job_id}"
            )
            if arn not in taken:
                return arn
