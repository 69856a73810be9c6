"""Validate ListModelInvocationJobs arguments, and turn any operation's validated arguments into
an :class:`HttpRequest` (:func:`build_request`, generic over the
:class:`~bedrock_paginate._operations.Operation` description).

Pure. Serialisation follows botocore's rest-json serializer: query members in service-model
order, timestamps rendered in UTC as ``%Y-%m-%dT%H:%M:%SZ`` (``.%f`` when there are
microseconds), percent-encoded with RFC 3986's unreserved set only (a space is ``%20``; ``+``,
``/`` and ``=`` are encoded); path labels encoded the same way (``:`` and ``/`` included; a
greedy ``{label+}`` keeps ``/``); body members as a JSON object (timestamps as epoch seconds),
``{}`` when the operation has body members but none is given; idempotency tokens left out are
filled with a UUID4.

Validation is stricter than boto3's (which checks types and minimums only) but never stricter
than the service: ranges, lengths and patterns from the service model are checked here, so a bad
argument fails before any request with a message that names the parameter and what is allowed.
Enums are open, as in every AWS SDK: a well-formed value this version does not know is sent (a
status Bedrock added later works without an upgrade); a known value in the wrong case ("did you
mean 'Failed'?"), an empty or malformed value, or another type is refused. An inverted time
window is sent too (:func:`inverted_window` words the CLI's warning).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ._decode import format_timestamp, parse_timestamp
from ._http import HttpRequest
from .errors import ParamValidationError
from .models import JOB_STATUSES, SORT_BY_VALUES, SORT_ORDERS

if TYPE_CHECKING:
    from ._operations import Operation

__all__ = [
    "LIST_JOBS_PARAMS",
    "MAX_URL_LENGTH",
    "build_request",
    "encode_query",
    "inverted_window",
    "validate_list_params",
    "validate_resume_request",
]

#: The longest URL httpx builds (``httpx._urlparse.MAX_URL_LENGTH``; longer is ``InvalidURL``).
MAX_URL_LENGTH = 65536

#: Parameter names in service-model order (also the query-string names).
LIST_JOBS_PARAMS: tuple[str, ...] = (
    "submitTimeAfter",
    "submitTimeBefore",
    "statusEquals",
    "nameContains",
    "maxResults",
    "nextToken",
    "sortBy",
    "sortOrder",
)

# The model's pattern is [a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}; with the length capped at 63
# it matches exactly this, which cannot backtrack catastrophically (the model's form takes
# seconds on "a" + "-" * 25 + "!").
_NAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9+\-.]{0,62}")
_TOKEN_RE = re.compile(r"\S*")
#: An enum value this version does not know must still look like one (AWS enums are words).
_ENUM_RE = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,127}")
_log = logging.getLogger(__name__)
_UNRESERVED = "-_.~"
_LABEL = re.compile(r"\{([^{}]+)\}")


def _fold(value: str) -> str:
    return "".join(c for c in value if c.isalnum()).casefold()


def _enum(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """An open enum, as botocore and every AWS SDK treat them: a value this version does not
    know is sent (the service may have added it); only values that can never be right are
    refused -- another type, empty or malformed, or a known value misspelt in case or spacing."""
    if not isinstance(value, str):
        raise ParamValidationError(
            f"Invalid type for parameter {name}, value: {value!r}, type: {type(value).__name__}, "
            f"valid types: str (one of {', '.join(allowed)})",
            param=name,
        )
    if value in allowed:
        return value
    near = [known for known in allowed if _fold(known) == _fold(value)]
    if near:
        raise ParamValidationError(
            f"Invalid value for parameter {name}: {value!r}; did you mean {near[0]!r}? "
            f"(known values: {', '.join(allowed)})",
            param=name,
        )
    if _ENUM_RE.fullmatch(value) is None:
        raise ParamValidationError(
            f"Invalid value for parameter {name}: {value!r}; expected a value such as "
            f"{', '.join(allowed)} (letters and digits)",
            param=name,
        )
    _log.debug("%s %r is not a value this version knows; sending it as given", name, value)
    return value


def _timestamp(name: str, value: object) -> datetime:
    """An aware UTC datetime from a datetime (naive = UTC), an ISO 8601 string or epoch seconds
    (``int``/``float``, as botocore accepts)."""
    if isinstance(value, bool) or not isinstance(value, (datetime, str, int, float)):
        raise ParamValidationError(
            f"Invalid type for parameter {name}, value: {value!r}, type: {type(value).__name__}, "
            "valid types: datetime, ISO 8601 str, int/float epoch seconds",
            param=name,
        )
    try:
        if not isinstance(value, datetime):
            return parse_timestamp(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise ParamValidationError(
            f"Invalid timestamp for parameter {name}: {value!r}; use a datetime, an ISO "
            "8601 string such as 2025-01-31T12:00:00Z (no offset means UTC), or seconds "
            "since the epoch, within the years 1 to 9999 in UTC",
            param=name,
        ) from None


def _max_results(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamValidationError(
            f"Invalid type for parameter {name}, value: {value!r}, type: {type(value).__name__}, "
            "valid types: int (1 to 1000)",
            param=name,
        )
    if not 1 <= value <= 1000:
        raise ParamValidationError(
            f"Invalid value for parameter {name}: {value}; it must be between 1 and 1000",
            param=name,
        )
    return value


def _name_contains(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ParamValidationError(
            f"Invalid type for parameter {name}, value: {value!r}, type: {type(value).__name__}, "
            "valid types: str",
            param=name,
        )
    if not 1 <= len(value) <= 63 or _NAME_RE.fullmatch(value) is None:
        raise ParamValidationError(
            f"Invalid value for parameter {name}: {value!r}; it must be 1 to 63 characters: "
            "letters and digits, then letters, digits, '+', '-' or '.' (a job-name fragment)",
            param=name,
        )
    return value


def _next_token(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ParamValidationError(
            f"Invalid type for parameter {name}, type: {type(value).__name__}, valid types: str",
            param=name,
        )
    if not 1 <= len(value) <= 2048 or _TOKEN_RE.fullmatch(value) is None:
        raise ParamValidationError(
            f"Invalid value for parameter {name}: it must be 1 to 2048 characters without "
            "whitespace (the nextToken the service returned)",
            param=name,
        )
    return value


def validate_resume_request(request: Mapping[str, Any] | None) -> None:
    """Check the token a decoded ``StartingToken`` would send, as ``nextToken`` is checked, so a
    token that can never be valid fails before any request (param ``StartingToken``)."""
    token = (request or {}).get("nextToken")
    if token is None:
        return
    if not isinstance(token, str) or not 1 <= len(token) <= 2048 or not _TOKEN_RE.fullmatch(token):
        raise ParamValidationError(
            "Invalid value for parameter StartingToken: the nextToken inside it must be 1 to "
            "2048 characters without whitespace (use a NextToken this tool or boto3 printed)",
            param="StartingToken",
        )


def validate_list_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Check every argument and return them normalised (timestamps as aware datetimes).

    ``None`` values are treated as absent, as in boto3's ``Unknown``-free calling style.
    """
    unknown = [k for k in params if k not in LIST_JOBS_PARAMS]
    if unknown:
        raise ParamValidationError(
            f"Unknown parameter {unknown[0]!r}; valid parameters: {', '.join(LIST_JOBS_PARAMS)}",
            param=unknown[0],
        )
    out: dict[str, Any] = {}
    for name in LIST_JOBS_PARAMS:
        value = params.get(name)
        if value is None:
            continue
        if name in ("submitTimeAfter", "submitTimeBefore"):
            out[name] = _timestamp(name, value)
        elif name == "statusEquals":
            out[name] = _enum(name, value, JOB_STATUSES)
        elif name == "sortBy":
            out[name] = _enum(name, value, SORT_BY_VALUES)
        elif name == "sortOrder":
            out[name] = _enum(name, value, SORT_ORDERS)
        elif name == "maxResults":
            out[name] = _max_results(name, value)
        elif name == "nameContains":
            out[name] = _name_contains(name, value)
        else:
            out[name] = _next_token(name, value)
    return out


def inverted_window(params: Mapping[str, Any]) -> str | None:
    """A warning when ``submitTimeAfter`` is later than ``submitTimeBefore`` (validated params).

    Such a request is still sent, as boto3 sends it: the service decides what it matches.
    """
    after, before = params.get("submitTimeAfter"), params.get("submitTimeBefore")
    if after is None or before is None or after <= before:
        return None
    return (
        f"submitTimeAfter ({format_timestamp(after)}) is later than submitTimeBefore "
        f"({format_timestamp(before)}): probably no job will match"
    )


def _query_value(value: Any) -> str:
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        seconds = moment.timestamp()
        return int(seconds) if seconds == int(seconds) else seconds
    if isinstance(value, Mapping):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def encode_query(params: Mapping[str, Any], names: Sequence[str] = LIST_JOBS_PARAMS) -> str:
    """RFC 3986 query string of the ``names`` present in ``params``, in that order."""
    return "&".join(
        f"{name}={quote(_query_value(params[name]), safe=_UNRESERVED)}"
        for name in names
        if params.get(name) is not None
    )


def _render_uri(uri: str, labels: Mapping[str, Any]) -> str:
    def label(match: re.Match[str]) -> str:
        name = match.group(1)
        greedy = name.endswith("+")
        value = labels[name.rstrip("+")]
        return quote(_query_value(value), safe=_UNRESERVED + "/" if greedy else _UNRESERVED)

    return _LABEL.sub(label, uri)


def build_request(
    endpoint_url: str, operation: Operation, params: Mapping[str, Any]
) -> HttpRequest:
    """The unsigned request for validated ``params`` of ``operation`` against ``endpoint_url``.

    Raises ``KeyError`` for a missing path label (``validate`` requires those first).
    """
    if operation.protocol == "query":
        return _query_protocol_request(endpoint_url, operation, params)
    query: list[str] = []
    labels: dict[str, Any] = {}
    body: dict[str, Any] = {}
    has_body = False
    headers = {"Accept": "application/json"}
    for member in operation.members:
        value = params.get(member.name)
        if value is None and member.idempotency_token:
            import uuid  # only operations with such a member need it

            value = str(uuid.uuid4())
        if member.location == "body":
            has_body = True
        if value is None:
            continue
        if member.location == "query":
            query.append(f"{member.sent_as}={quote(_query_value(value), safe=_UNRESERVED)}")
        elif member.location == "path":
            labels[member.sent_as] = value
        elif member.location == "header":
            headers[member.sent_as] = _query_value(value)
        else:
            body[member.sent_as] = _json_value(value)
    url = endpoint_url.rstrip("/") + _render_uri(operation.uri, labels)
    if query:
        url += "?" + "&".join(query)
    if len(url) > MAX_URL_LENGTH:
        raise ParamValidationError(
            f"the request URL would be {len(url):,} characters, more than the {MAX_URL_LENGTH:,} "
            "an HTTP client can send; shorten the endpoint URL or the parameters",
            param="endpoint_url",
        )
    content = b""
    if has_body:
        headers["Content-Type"] = "application/json"
        content = json.dumps(body).encode()  # botocore's separators
    return HttpRequest(method=operation.method, url=url, headers=headers, body=content)


def _query_protocol_request(
    endpoint_url: str, operation: Operation, params: Mapping[str, Any]
) -> HttpRequest:
    """botocore's query serializer for flat members: ``POST /`` with the form
    ``Action=<name>&Version=<api version>&<member>=<value>...`` (members in model order),
    form-encoded as botocore sends it (``urlencode``: a space is ``+``)."""
    from urllib.parse import urlencode

    pairs = [("Action", operation.name), ("Version", operation.api_version or "")]
    pairs += [
        (member.sent_as, _query_value(params[member.name]))
        for member in operation.members
        if params.get(member.name) is not None
    ]
    body = urlencode(pairs)
    return HttpRequest(
        method="POST",
        url=endpoint_url.rstrip("/") + "/",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        body=body.encode(),
    )
