"""An AWS Lambda handler that lists Amazon Bedrock batch inference jobs with bedrock-paginate.

Deploy:

1. ``bedrock-paginate build-layer --python 3.12 --arch x86_64 -o layer.zip`` and publish the zip
   as a layer (``aws lambda publish-layer-version --zip-file fileb://layer.zip ...``);
2. create a Python 3.12 function with this file, handler ``lambda_handler.handler``, the layer,
   and a role allowed ``bedrock:ListModelInvocationJobs``.

Cold start: the client is created at module level, so it is built once per execution
environment, during Lambda's init phase, and every invocation reuses it (and its open
connection). Configuration comes from the environment Lambda provides, as in any AWS SDK:
``AWS_REGION`` and the role's credentials; ``AWS_ENDPOINT_URL_BEDROCK`` points the client at
another endpoint (the tests use a local fake Bedrock).

Event (every key optional; other keys are an error, so a typo is not silently ignored):

- ``statusEquals``, ``nameContains``, ``submitTimeAfter``, ``submitTimeBefore`` (ISO 8601),
  ``sortBy``, ``sortOrder``: the API's filters;
- ``maxItems``: jobs to return, 1..1000 (default 100);
- ``pageSize``: jobs per request, 1..1000 (default: ``maxItems``);
- ``startingToken``: the ``nextToken`` of a previous invocation, to continue where it stopped.

Returns ``{"jobs": [...], "count": N, "nextToken": TOKEN_OR_NONE}``, each job as boto3 returns it
with timestamps in ISO 8601. When the invocation is about to time out, it stops early and the
``nextToken`` continues exactly there. An invalid event returns
``{"error": {"type": "ParamValidationError", "message": ...}}``; service errors (access denied,
throttling after retries) are raised, so Lambda reports the invocation as failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bedrock_paginate import Client, ParamValidationError

FILTERS = (
    "statusEquals",
    "nameContains",
    "submitTimeAfter",
    "submitTimeBefore",
    "sortBy",
    "sortOrder",
)
PAGING = ("maxItems", "pageSize", "startingToken")
DEFAULT_MAX_ITEMS = 100
MAX_ITEMS = 1000
#: Stop fetching pages when less than this much time is left in the invocation.
RESERVE_MS = 3000

# Built once per execution environment, during the init phase (see the module docstring).
CLIENT = Client()


def _count(event: Mapping[str, Any], key: str, default: int) -> int:
    value = event.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ITEMS:
        raise ParamValidationError(
            f"{key} must be an integer from 1 to {MAX_ITEMS}, got {value!r}", param=key
        )
    return value


def parse_event(event: object) -> tuple[dict[str, Any], dict[str, Any]]:
    """The paginate() filters and PaginationConfig an event asks for.

    Raises:
        ParamValidationError: the event is not an object, has unknown keys or bad counts.
    """
    if event is None:
        event = {}
    if not isinstance(event, Mapping):
        raise ParamValidationError(
            f"the event must be a JSON object, got {type(event).__name__}", param="event"
        )
    unknown = sorted(set(event) - set(FILTERS) - set(PAGING))
    if unknown:
        raise ParamValidationError(
            f"unknown event keys {unknown}; allowed: {', '.join(FILTERS + PAGING)}",
            param=unknown[0],
        )
    max_items = _count(event, "maxItems", DEFAULT_MAX_ITEMS)
    config: dict[str, Any] = {
        "MaxItems": max_items,
        "PageSize": _count(event, "pageSize", max_items),
    }
    if event.get("startingToken") is not None:
        config["StartingToken"] = event["startingToken"]
    filters = {key: event[key] for key in FILTERS if event.get(key) is not None}
    return filters, config


def jsonable(value: Any) -> Any:
    """``value`` with datetimes as ISO 8601 strings, so Lambda can serialise it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    return value


def _time_is_short(context: Any) -> bool:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining is not None and remaining() < RESERVE_MS


def handler(event: object, context: Any) -> dict[str, Any]:
    """List jobs as the event asks; see the module docstring for the event and the result."""
    try:
        filters, config = parse_event(event)
        pages = CLIENT.get_paginator("list_model_invocation_jobs").paginate(
            PaginationConfig=config, **filters
        )
        jobs: list[dict[str, Any]] = []
        next_token: str | None = None
        for page in pages:
            jobs.extend(jsonable(job.to_dict()) for job in page)
            more = bool(page.next_token) and pages.resume_token is None
            if more and _time_is_short(context):
                next_token = pages.position_token()  # the first job not returned yet
                break
        else:
            next_token = pages.resume_token  # set when maxItems stopped the listing
    except ParamValidationError as exc:
        return {"error": {"type": type(exc).__name__, "message": str(exc)}}
    return {"jobs": jobs, "count": len(jobs), "nextToken": next_token}
