"""Typed results of ListModelInvocationJobs (public).

Frozen attrs classes with snake_case attributes for every member of the current Bedrock
service model (2023-04-20). Fields are declared in the service model's member order, which is
the key order of boto3's dicts (and so of the AWS CLI's JSON). Each class records the wire
(camelCase) name of its fields in the field metadata; ``_decode`` uses it to build the cattrs
converter, and ``to_dict()`` uses it to give back exactly what boto3 returns.

AWS enums (status, invocation type, sort order) are typed as ``str`` on purpose: the service adds
values over time, and a listing must not break when it does. The known values are listed in
:data:`JOB_STATUSES` and friends.

This module imports nothing from the rest of the package: it is pure data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import attrs

__all__ = [
    "JOB_STATUSES",
    "JOB_TIMESTAMP_MEMBERS",
    "MODEL_INVOCATION_TYPES",
    "SORT_BY_VALUES",
    "SORT_ORDERS",
    "InputDataConfig",
    "JobSummary",
    "OutputDataConfig",
    "Page",
    "ResponseMetadata",
    "S3InputDataConfig",
    "S3OutputDataConfig",
    "VpcConfig",
]

#: Known values of ``status`` / ``statusEquals`` (the service may add more).
JOB_STATUSES: tuple[str, ...] = (
    "Submitted",
    "InProgress",
    "Completed",
    "Failed",
    "Stopping",
    "Stopped",
    "PartiallyCompleted",
    "Expired",
    "Validating",
    "Scheduled",
)
#: Known values of ``modelInvocationType``.
MODEL_INVOCATION_TYPES: tuple[str, ...] = ("InvokeModel", "Converse")
#: Allowed values of ``sortBy``.
SORT_BY_VALUES: tuple[str, ...] = ("CreationTime",)
#: Allowed values of ``sortOrder``.
SORT_ORDERS: tuple[str, ...] = ("Ascending", "Descending")

#: Field metadata key holding the wire (JSON) name of an attribute.
WIRE = "wire"


def _wire(name: str) -> dict[str, str]:
    return {WIRE: name}


_WIRE_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}


def _wire_fields(cls: type) -> tuple[tuple[str, str], ...]:
    """(attribute, wire name) pairs of a model, computed once per class."""
    pairs = _WIRE_FIELDS.get(cls)
    if pairs is None:
        pairs = tuple((f.name, f.metadata[WIRE]) for f in attrs.fields(cls) if WIRE in f.metadata)
        _WIRE_FIELDS[cls] = pairs
    return pairs


def attribute_of(cls: type, wire_name: str) -> str:
    """The attribute of model ``cls`` that holds wire member ``wire_name`` (``KeyError`` if
    none does)."""
    for name, wire in _wire_fields(cls):
        if wire == wire_name:
            return name
    raise KeyError(wire_name)


def _to_dict(obj: Any) -> dict[str, Any]:
    """boto3's shape of an attrs model: wire names, absent (``None``) members left out."""
    out: dict[str, Any] = {}
    for name, wire in _wire_fields(type(obj)):
        value = getattr(obj, name)
        if value is None:
            continue
        if isinstance(value, tuple):
            value = [v.to_dict() if hasattr(v, "to_dict") else v for v in value]
        elif hasattr(value, "to_dict"):
            value = value.to_dict()
        out[wire] = value
    return out


@attrs.frozen(kw_only=True)
class S3InputDataConfig:
    """Where the job reads its input (``s3InputDataConfig``)."""

    s3_input_format: str | None = attrs.field(default=None, metadata=_wire("s3InputFormat"))
    s3_uri: str = attrs.field(metadata=_wire("s3Uri"))
    s3_bucket_owner: str | None = attrs.field(default=None, metadata=_wire("s3BucketOwner"))

    def to_dict(self) -> dict[str, Any]:
        """boto3's dict for this value."""
        return _to_dict(self)


@attrs.frozen(kw_only=True)
class S3OutputDataConfig:
    """Where the job writes its output (``s3OutputDataConfig``)."""

    s3_uri: str = attrs.field(metadata=_wire("s3Uri"))
    s3_encryption_key_id: str | None = attrs.field(
        default=None, metadata=_wire("s3EncryptionKeyId")
    )
    s3_bucket_owner: str | None = attrs.field(default=None, metadata=_wire("s3BucketOwner"))

    def to_dict(self) -> dict[str, Any]:
        """boto3's dict for this value."""
        return _to_dict(self)


def _union_to_dict(obj: InputDataConfig | OutputDataConfig) -> dict[str, Any]:
    if obj.sdk_unknown_member is not None:
        return {"SDK_UNKNOWN_MEMBER": {"name": obj.sdk_unknown_member}}
    return _to_dict(obj)


@attrs.frozen(kw_only=True)
class InputDataConfig:
    """A tagged union: exactly one member is set.

    A member this library does not know yet is kept by name in ``sdk_unknown_member`` (as botocore
    does: ``{"SDK_UNKNOWN_MEMBER": {"name": ...}}``) instead of failing the listing.
    """

    s3_input_data_config: S3InputDataConfig | None = attrs.field(
        default=None, metadata=_wire("s3InputDataConfig")
    )
    sdk_unknown_member: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """boto3's dict for this value."""
        return _union_to_dict(self)


@attrs.frozen(kw_only=True)
class OutputDataConfig:
    """A tagged union: exactly one member is set (see :class:`InputDataConfig`)."""

    s3_output_data_config: S3OutputDataConfig | None = attrs.field(
        default=None, metadata=_wire("s3OutputDataConfig")
    )
    sdk_unknown_member: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """boto3's dict for this value."""
        return _union_to_dict(self)


@attrs.frozen(kw_only=True)
class VpcConfig:
    """The VPC the job runs in."""

    subnet_ids: tuple[str, ...] = attrs.field(metadata=_wire("subnetIds"))
    security_group_ids: tuple[str, ...] = attrs.field(metadata=_wire("securityGroupIds"))

    def to_dict(self) -> dict[str, Any]:
        """boto3's dict for this value."""
        return _to_dict(self)


@attrs.frozen(kw_only=True)
class JobSummary:
    """One batch inference job (``ModelInvocationJobSummary``). Timestamps are UTC-aware."""

    job_arn: str = attrs.field(metadata=_wire("jobArn"))
    job_name: str = attrs.field(metadata=_wire("jobName"))
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

    def to_dict(self) -> dict[str, Any]:
        """boto3's dict for this job (camelCase keys, datetimes, absent members left out)."""
        return _to_dict(self)


@attrs.frozen(kw_only=True)
class ResponseMetadata:
    """botocore's ``ResponseMetadata`` of one page (no secrets: response headers only)."""

    request_id: str
    http_status_code: int
    http_headers: dict[str, str] = attrs.field(factory=dict, eq=False, repr=False)
    retry_attempts: int = 0

    def to_dict(self) -> dict[str, Any]:
        """boto3's dict: ``RequestId``, ``HTTPStatusCode``, ``HTTPHeaders``, ``RetryAttempts``."""
        return {
            "RequestId": self.request_id,
            "HTTPStatusCode": self.http_status_code,
            "HTTPHeaders": dict(self.http_headers),
            "RetryAttempts": self.retry_attempts,
        }


@attrs.frozen(kw_only=True)
class Page:
    """One page of ListModelInvocationJobs.

    Iterating a page iterates its jobs. ``next_token`` is the service's token for the next page
    (``None`` on the last page).
    """

    next_token: str | None = attrs.field(default=None, metadata=_wire("nextToken"))
    invocation_job_summaries: tuple[JobSummary, ...] = attrs.field(
        default=(), metadata=_wire("invocationJobSummaries")
    )
    response_metadata: ResponseMetadata | None = attrs.field(default=None, eq=False)

    def __iter__(self) -> Iterator[JobSummary]:
        return iter(self.invocation_job_summaries)

    def __len__(self) -> int:
        return len(self.invocation_job_summaries)

    def to_dict(self) -> dict[str, Any]:
        """boto3's response dict for this page, ``ResponseMetadata`` included when known."""
        out = _to_dict(self)
        if self.response_metadata is not None:
            out["ResponseMetadata"] = self.response_metadata.to_dict()
        return out


#: Wire names of the timestamp members of a job (its nested members hold none).
JOB_TIMESTAMP_MEMBERS: tuple[str, ...] = tuple(
    f.metadata[WIRE] for f in attrs.fields(JobSummary) if "datetime" in str(f.type)
)
