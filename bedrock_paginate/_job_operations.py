"""GetModelInvocationJob, StopModelInvocationJob and CreateModelInvocationJob, described as
data (:class:`~bedrock_paginate._operations.Operation`): no engine, signer, retry or shell code
of their own.

Each is a method and URI template, where each member goes, a validator (``_job_params``), a
decoder into its model (``_job_models`` via ``_decode.decode_output``) and the service errors it
models (bedrock 2023-04-20). Registered in ``_operations.OPERATIONS`` when this module is first
imported -- by the client's methods, on first use -- so the listing never loads it.
"""

from __future__ import annotations

from ._decode import decode_output
from ._http import HttpResponse
from ._job_models import CreateJobResult, Job, StopJobResult
from ._job_params import CREATE_JOB_PARAMS, validate_create_params, validate_job_identifier_params
from ._operations import Member, Operation, _register
from .errors import (
    AccessDeniedException,
    ConflictException,
    ExpiredTokenException,
    InternalServerException,
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ThrottlingException,
    ValidationException,
)

__all__ = [
    "CREATE_MODEL_INVOCATION_JOB",
    "GET_MODEL_INVOCATION_JOB",
    "STOP_MODEL_INVOCATION_JOB",
]

_COMMON_ERRORS = (
    AccessDeniedException,
    ValidationException,
    InternalServerException,
    ThrottlingException,
    ExpiredTokenException,
)
_JOB_IDENTIFIER = (Member(name="jobIdentifier", location="path"),)


def _decode_job(response: HttpResponse, *, retry_attempts: int = 0) -> Job:
    return decode_output(response, Job, retry_attempts=retry_attempts)


def _decode_stop(response: HttpResponse, *, retry_attempts: int = 0) -> StopJobResult:
    return decode_output(response, StopJobResult, retry_attempts=retry_attempts)


def _decode_create(response: HttpResponse, *, retry_attempts: int = 0) -> CreateJobResult:
    return decode_output(response, CreateJobResult, retry_attempts=retry_attempts)


def _body_member(name: str) -> Member:
    return Member(name=name, location="body", idempotency_token=name == "clientRequestToken")


#: ``GET /model-invocation-job/{jobIdentifier}``.
GET_MODEL_INVOCATION_JOB = Operation(
    name="GetModelInvocationJob",
    python_name="get_model_invocation_job",
    method="GET",
    uri="/model-invocation-job/{jobIdentifier}",
    members=_JOB_IDENTIFIER,
    validate=validate_job_identifier_params,
    decode=_decode_job,
    errors=(ResourceNotFoundException, *_COMMON_ERRORS),
)

#: ``POST /model-invocation-job/{jobIdentifier}/stop`` (no body).
STOP_MODEL_INVOCATION_JOB = Operation(
    name="StopModelInvocationJob",
    python_name="stop_model_invocation_job",
    method="POST",
    uri="/model-invocation-job/{jobIdentifier}/stop",
    members=_JOB_IDENTIFIER,
    validate=validate_job_identifier_params,
    decode=_decode_stop,
    errors=(ResourceNotFoundException, ConflictException, *_COMMON_ERRORS),
)

#: ``POST /model-invocation-job`` with a JSON body; ``clientRequestToken`` is an idempotency
#: token (generated once per call when absent).
CREATE_MODEL_INVOCATION_JOB = Operation(
    name="CreateModelInvocationJob",
    python_name="create_model_invocation_job",
    method="POST",
    uri="/model-invocation-job",
    members=tuple(_body_member(name) for name in CREATE_JOB_PARAMS),
    validate=validate_create_params,
    decode=_decode_create,
    errors=(
        ResourceNotFoundException,
        ConflictException,
        ServiceQuotaExceededException,
        *_COMMON_ERRORS,
    ),
)

_register(GET_MODEL_INVOCATION_JOB, STOP_MODEL_INVOCATION_JOB, CREATE_MODEL_INVOCATION_JOB)
