"""Typed results of GetModelInvocationJob, StopModelInvocationJob and CreateModelInvocationJob
(public through ``bedrock_paginate``).

Same conventions as :mod:`bedrock_paginate.models` (frozen attrs, snake_case attributes, wire
names in the field metadata, service-model member order, ``to_dict()`` equal to boto3's
response dict, enums typed as ``str``). The nested configurations (``InputDataConfig``,
``OutputDataConfig``, ``VpcConfig``) are the listing's: the shapes are the same.

``GetModelInvocationJobResponse`` has exactly the members of ``ModelInvocationJobSummary``, in
the same order; only ``jobName`` is optional in it, so :class:`Job` and :class:`JobSummary` share
every other member through ``models._JobMembers`` and each declares its own ``jobName``; ``Job``
adds ``ResponseMetadata``. (``isinstance(job, JobSummary)`` stays false.)

Kept apart from ``models`` so that listing (and ``from bedrock_paginate import Client``) never
pays for these classes. Imports nothing of the package but ``models``.
"""

from __future__ import annotations

from typing import Any

import attrs

from .models import (
    ResponseMetadata,
    _job_name_second,
    _JobMembers,
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


@attrs.frozen(kw_only=True, field_transformer=_job_name_second)
class Job(_JobMembers):
    """One batch inference job as ``GetModelInvocationJob`` returns it (UTC-aware timestamps)."""

    job_name: str | None = attrs.field(default=None, metadata=_wire("jobName"))
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
