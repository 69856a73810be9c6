"""An AWS Lambda handler that submits Amazon Bedrock batch inference jobs or reports how far
running ones are, with bedrock-paginate (no boto3).

Deploy as ``examples/lambda_handler.py`` says (the same layer), with handler
``batch_job_handler.handler`` and a role allowed ``bedrock:CreateModelInvocationJob``,
``bedrock:GetModelInvocationJob``, ``bedrock:ListModelInvocationJobs`` and ``iam:PassRole`` on
the job's service role. The client is created at module level (once per execution
environment); configuration comes from the environment as in any AWS SDK.

Events:

- ``{"action": "submit", "job": {...}}``: CreateModelInvocationJob with boto3's parameter
  names in ``job`` (``jobName``, ``roleArn``, ``modelId``, ``inputDataConfig``,
  ``outputDataConfig``, optional ``clientRequestToken``, ``timeoutDurationInHours``, ``tags``,
  ...). Returns ``{"jobArn": ...}``. Pass the invocation's request id as
  ``clientRequestToken`` (the default below) so a retried invocation never submits twice.
- ``{"action": "progress"}``: every job not finished; ``{"action": "progress",
  "jobIdentifier": ARN}``: that job. Returns ``{"jobs": [{"jobArn", "jobName", "status",
  "processed", "total", "succeeded", "failed", "percent"}, ...], "allFinished": bool}``.

An invalid event returns ``{"error": {"type": "ParamValidationError", "message": ...}}``;
service errors (a missing job, a quota, throttling after retries) are raised so Lambda reports
the invocation as failed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bedrock_paginate import Client, ParamValidationError

#: Statuses of jobs not finished (what ``progress`` lists without an identifier).
UNFINISHED = ("Submitted", "Validating", "Scheduled", "InProgress", "Stopping")
_TOKEN_SAFE = re.compile(r"[^a-zA-Z0-9-]")

# Built once per execution environment, during the init phase.
CLIENT = Client()


def _progress_row(job: Any) -> dict[str, Any]:
    total, done = job.total_record_count, job.processed_record_count
    percent = None if not total or done is None else round(100 * done / total, 1)
    return {
        "jobArn": job.job_arn,
        "jobName": job.job_name,
        "status": job.status,
        "processed": done,
        "total": total,
        "succeeded": job.success_record_count,
        "failed": job.error_record_count,
        "percent": percent,
    }


def _submit(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    job = event.get("job")
    if not isinstance(job, Mapping):
        raise ParamValidationError('"job" must be an object of CreateModelInvocationJob arguments')
    args = dict(job)
    request_id = getattr(context, "aws_request_id", None)
    if "clientRequestToken" not in args and isinstance(request_id, str) and request_id:
        # A retried invocation has the same request id: the service sees the same token.
        args["clientRequestToken"] = _TOKEN_SAFE.sub("-", request_id).strip("-")[:256]
    return {"jobArn": CLIENT.create_model_invocation_job(**args).job_arn}


def _progress(event: Mapping[str, Any]) -> dict[str, Any]:
    identifier = event.get("jobIdentifier")
    if identifier is not None:
        jobs: list[Any] = [CLIENT.get_model_invocation_job(jobIdentifier=identifier)]
    else:
        paginator = CLIENT.get_paginator("list_model_invocation_jobs")
        jobs = [
            job for status in UNFINISHED for job in paginator.paginate(statusEquals=status).jobs()
        ]
    rows = [_progress_row(job) for job in jobs]
    return {"jobs": rows, "allFinished": all(row["status"] not in UNFINISHED for row in rows)}


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Submit a job or report progress (see the module docstring)."""
    try:
        if not isinstance(event, Mapping):
            raise ParamValidationError("the event must be a JSON object")
        action = event.get("action")
        if action == "submit":
            return _submit(event, context)
        if action == "progress":
            return _progress(event)
        raise ParamValidationError(f'"action" must be "submit" or "progress", got {action!r}')
    except ParamValidationError as exc:
        return {"error": {"type": "ParamValidationError", "message": exc.message}}
