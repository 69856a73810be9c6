"""The keyword arguments of the batch-job operations, as ``TypedDict`` s, for type checkers.

``Client.get_model_invocation_job(**params: Unpack[JobIdentifierParams])`` and friends, so a
type checker rejects ``jobIdentifer=`` or a missing ``roleArn``. Like ``_options``, these are
used under ``TYPE_CHECKING`` only: nothing imports this module at run time (the validators in
``_job_params`` check the same names and raise ``ParamValidationError``, as boto3 does).

Pure: imports nothing of the package but the models, for the typed configs it accepts.
"""

# No ``from __future__ import annotations``: see ``_options`` (TypedDict and ForwardRefs).
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from .models import InputDataConfig, OutputDataConfig, VpcConfig

__all__ = ["CreateJobParams", "JobIdentifierParams"]


class JobIdentifierParams(TypedDict):
    """Get/StopModelInvocationJob: the job's ARN (or id)."""

    jobIdentifier: str


class _CreateJobRequired(TypedDict):
    jobName: str
    roleArn: str
    modelId: str
    inputDataConfig: Mapping[str, Any] | InputDataConfig
    outputDataConfig: Mapping[str, Any] | OutputDataConfig


class CreateJobParams(_CreateJobRequired, total=False):
    """CreateModelInvocationJob's arguments (boto3's names; the configs as dicts or models)."""

    clientRequestToken: str
    vpcConfig: Mapping[str, Any] | VpcConfig
    timeoutDurationInHours: int
    tags: Sequence[Mapping[str, str]]
    modelInvocationType: str
