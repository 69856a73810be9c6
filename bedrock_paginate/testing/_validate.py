"""Validation of ListModelInvocationJobs query parameters, as the service does it.

``parse_query`` turns the decoded query pairs into a :class:`ListQuery`, or reports every
constraint violation in Coral's wording::

    1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint:
    Member must have value less than or equal to 1000

Constraints come from the service model (bedrock 2023-04-20). Deliberate choices where the real
service's behaviour is not documented:

- patterns must match the whole value (Coral validators anchor them);
- a parameter given twice is rejected (a client bug worth seeing) instead of one copy winning;
- an unknown parameter is ignored, as rest-json services do;
- a non-integer ``maxResults`` or an unparseable timestamp is a ``ValidationException`` too.

Imports only the standard library and attrs; independent of the client's ``_serialize``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

import attrs

from ._dataset import ALL_STATUSES
from ._time import parse_timestamp

__all__ = ["KNOWN_PARAMS", "ListQuery", "QueryError", "parse_query"]

KNOWN_PARAMS: tuple[str, ...] = (
    "submitTimeAfter",
    "submitTimeBefore",
    "statusEquals",
    "nameContains",
    "maxResults",
    "nextToken",
    "sortBy",
    "sortOrder",
)
_SORT_BY = ("CreationTime",)
_SORT_ORDERS = ("Ascending", "Descending")
_NAME_PATTERN = r"[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}"
# Equivalent to _NAME_PATTERN for values of at most 63 characters (the trailing group can absorb
# every '-', '+', '.' one at a time), without its exponential backtracking on runs of '-'.
_NAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9+.\-]*")
_TOKEN_PATTERN = r"\S*"
_TOKEN_RE = re.compile(_TOKEN_PATTERN)
_INT_RE = re.compile(r"-?[0-9]+")


class QueryError(Exception):
    """The query violates the model's constraints; ``str()`` is the service's message."""


@attrs.frozen(kw_only=True)
class ListQuery:
    """A validated request. Timestamps are microseconds since the epoch; defaults filled in."""

    submit_time_after: int | None = None
    submit_time_before: int | None = None
    status_equals: str | None = None
    name_contains: str | None = None
    max_results: int | None = None
    next_token: str | None = None
    sort_by: str = "CreationTime"
    sort_order: str = "Descending"

    def binding(self) -> bytes:
        """Canonical bytes of everything a ``nextToken`` is bound to (all but the page size)."""
        return json.dumps(
            [
                self.submit_time_after,
                self.submit_time_before,
                self.status_equals,
                self.name_contains,
                self.sort_by,
                self.sort_order,
            ]
        ).encode()


def _violation(value: str, name: str, constraint: str) -> str:
    return f"Value '{value}' at '{name}' failed to satisfy constraint: Member {constraint}"


def _enum(name: str, value: str, allowed: Sequence[str]) -> list[str]:
    if value in allowed:
        return []
    return [_violation(value, name, f"must satisfy enum value set: [{', '.join(allowed)}]")]


def _length(name: str, value: str, low: int, high: int) -> list[str]:
    if len(value) < low:
        return [_violation(value, name, f"must have length greater than or equal to {low}")]
    if len(value) > high:
        return [_violation(value, name, f"must have length less than or equal to {high}")]
    return []


def _name_contains(value: str) -> list[str]:
    errors = _length("nameContains", value, 1, 63)
    if not errors and _NAME_RE.fullmatch(value) is None:
        errors.append(
            _violation(
                value,
                "nameContains",
                f"must satisfy regular expression pattern: {_NAME_PATTERN}",
            )
        )
    return errors


def _next_token(value: str) -> list[str]:
    errors = _length("nextToken", value, 1, 2048)
    if _TOKEN_RE.fullmatch(value) is None:
        errors.append(
            _violation(
                value,
                "nextToken",
                f"must satisfy regular expression pattern: {_TOKEN_PATTERN}",
            )
        )
    return errors


def _max_results(value: str) -> tuple[int | None, list[str]]:
    if _INT_RE.fullmatch(value) is None:
        return None, [_violation(value, "maxResults", "must be an integer")]
    number = int(value)
    if number < 1:
        return None, [_violation(value, "maxResults", "must have value greater than or equal to 1")]
    if number > 1000:
        return None, [_violation(value, "maxResults", "must have value less than or equal to 1000")]
    return number, []


def _timestamp(name: str, value: str) -> tuple[int | None, list[str]]:
    try:
        return parse_timestamp(value), []
    except ValueError:
        return None, [_violation(value, name, "must be a timestamp in ISO 8601 date-time format")]


def _single_values(query: Sequence[tuple[str, str]]) -> tuple[dict[str, str], list[str]]:
    """The known parameters, each at most once; unknown ones are ignored."""
    values: dict[str, str] = {}
    errors: list[str] = []
    for name, value in query:
        if name not in KNOWN_PARAMS:
            continue
        if name in values:
            errors.append(_violation(value, name, "must be given at most once in the query string"))
            continue
        values[name] = value
    return values, errors


def _optional_timestamp(values: dict[str, str], name: str) -> tuple[int | None, list[str]]:
    return _timestamp(name, values[name]) if name in values else (None, [])


def _optional_text(
    values: dict[str, str], name: str, check: Callable[[str], list[str]]
) -> tuple[str | None, list[str]]:
    value = values.get(name)
    return value, ([] if value is None else check(value))


def parse_query(query: Sequence[tuple[str, str]]) -> ListQuery:
    """Validate decoded query pairs.

    Raises:
        QueryError: one or more constraints failed; the message lists them all.
    """
    values, errors = _single_values(query)
    after, found_after = _optional_timestamp(values, "submitTimeAfter")
    before, found_before = _optional_timestamp(values, "submitTimeBefore")
    status, found_status = _optional_text(
        values, "statusEquals", lambda v: _enum("statusEquals", v, ALL_STATUSES)
    )
    name, found_name = _optional_text(values, "nameContains", _name_contains)
    max_results, found_max = (
        _max_results(values["maxResults"]) if "maxResults" in values else (None, [])
    )
    token, found_token = _optional_text(values, "nextToken", _next_token)
    sort_by, found_by = _optional_text(values, "sortBy", lambda v: _enum("sortBy", v, _SORT_BY))
    order, found_order = _optional_text(
        values, "sortOrder", lambda v: _enum("sortOrder", v, _SORT_ORDERS)
    )
    errors += (
        found_after
        + found_before
        + found_status
        + found_name
        + found_max
        + found_token
        + found_by
        + found_order
    )
    if errors:
        plural = "error" if len(errors) == 1 else "errors"
        raise QueryError(f"{len(errors)} validation {plural} detected: {'; '.join(errors)}")
    return ListQuery(
        submit_time_after=after,
        submit_time_before=before,
        status_equals=status,
        name_contains=name,
        max_results=max_results,
        next_token=token,
        sort_by=sort_by or "CreationTime",
        sort_order=order or "Descending",
    )
