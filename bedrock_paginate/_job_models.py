"""Typed results of GetModelInvocationJob, StopModelInvocationJob and CreateModelInvocationJob
(public through ``bedrock_paginate``).

Same conventions as :mod:`bedrock_paginate.models` (frozen attrs, snake_case attributes, wire
names in the field metadata, service-model member order, ``to_dict()`` equal to boto3's
response dict, enums typed as ``str``). The nested configurations (``InputDataConfig``,
``OutputDataConfig``, ``VpcConfig``) are the listing's: the shapes are the same.

``GetModelInvocationJobResponse`` has exactly the members of ``ModelInvocationJobSummary``, in
the same order; only ``jobName`` is optional in it, so :class:`Job` mirrors :class:`JobSummary`
with that one difference, plus ``ResponseMetadata``.

Kept apart from ``models`` so that listing (and ``from bedrock_paginate import Client``) never
pays for these classes. Imports nothing of the package but ``models``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .models import (
    InputDataConfig,
    OutputDataConfig,
    ResponseMetadata,
    VpcConfig,
    _to_dict,
    _wire,
)

__all__ = [
    "FINISHED_JOB_STATUSES",
    "CreateJobResult",
    "Job",
    "StopJobResult",
]

#: Statuses a job never leaves (the waiter and ``watch`` stop at them).
FINISHED_JOB_STATUSES: frozenset[str] = frozenset(
    {"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"}
)


def _with_metadata(obj: Any, metadata: ResponseMetadata | None) -> dict[str, Any]:
    out = _to_dict(obj)
    if metadata is not None:
        out["ResponseMetadata"] = metadata.to_dict()
    return out


@attrs.frozen(kw_only=True)
class Job:
    """One batch inference job as ``GetModelInvocationJob`` returns it (UTC-aware timestamps)."""

    job_arn: str = attrs.field(metadata=_wire("jobArn"))
    job_name: str | None = attrs.field(default=None, metadata=_wire("jobName"))
    model_id: str = attrs.field(metadata=_wire("modelId"))
    client_request_token: str | None = attrs.field(
        default=None, metadata=_wire("clientRequestToken")
    )
    role_arn: str = attrs.field(metadata=_wire("roleArn"))
    status: str | None = attrs.field(default=None, metadata=_wire("status"))
    message: str | None = attrs.field(default=None, metadata=_wire("message"))
    submit_time: datetime = attrs.field(metadata=_wire("submitTime"))
    last_modified_time: datetime | None = attrs.field(
        default=None, metadata=_wire("lastModifiedTime")
    )
    end_time: datetime | None = attrs.field(default=None, metadata=_wire("endTime"))
    input_data_config: InputDataConfig = attrs.field(metadata=_wire("inputDataConfig"))
    output_data_config: OutputDataConfig = attrs.field(metadata=_wire("outputDataConfig"))
    vpc_config: VpcConfig | None = attrs.field(default=None, metadata=_wire("vpcConfig"))
    timeout_duration_in_hours: int | None = attrs.field(
        default=None, metadata=_wire("timeoutDurationInHours")
    )
    job_expiration_time: datetime | None = attrs.field(
        default=None, metadata=_wire("jobExpirationTime")
    )
    model_invocation_type: str | None = attrs.field(
        default=None, metadata=_wire("modelInvocationType")
    )
    total_record_count: int | None = attrs.field(default=None, metadata=_wire("totalRecordCount"))
    processed_record_count: int | None = attrs.field(
        default=None, metadata=_wire("processedRecordCount")
    )
    success_record_count: int | None = attrs.field(
        default=None, metadata=_wire("successRecordCount")
    )
    error_record_count: int | None = attrs.field(default=None, metadata=_wire("errorRecordCount"))
    response_metadata: ResponseMetadata | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def is_finished(self) -> bool:
        """Whether the status is one the job never leaves (see :data:`FINISHED_JOB_STATUSES`)."""
        return self.status in FINISHED_JOB_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """boto3's response dict (camelCase keys, datetimes, ``ResponseMetadata`` if known)."""
        return _with_metadata(self, self.response_metadata)


@attrs.frozen(kw_only=True)
class StopJobResult:
    """``StopModelInvocationJob``'s (empty) response."""

    response_metadata: ResponseMetadata | None = attrs.field(default=None, eq=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """boto3's response dict: only ``ResponseMetadata`` (when known)."""
        return _with_metadata(self, self.response_metadata)


@attrs.frozen(kw_only=True)
class CreateJobResult:
    """``CreateModelInvocationJob``'s response: the new (or, for a repeated
    ``clientRequestToken``, the existing) job's ARN."""

    job_arn: str = attrs.field(metadata=_wire("jobArn"))
    response_metadata: ResponseMetadata | None = attrs.field(default=None, eq=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """boto3's response dict: ``jobArn`` and ``ResponseMetadata`` (when known)."""
        return _with_metadata(self, self.response_metadata)
