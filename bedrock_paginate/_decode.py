"""Decode responses: a 200 body into a typed :class:`~bedrock_paginate.models.Page`, an error
response into its code and message (:func:`error_fields`; the exception is built from them, once,
in ``_failures``).

Pure: bytes and headers in, values or exceptions out. The one cattrs converter of the package is
configured here, once. Strict on types (a number where a string belongs is a :class:`DecodeError`,
never silently ``"123"``), lenient on growth (unknown fields ignored, unknown enum values kept as
strings, unknown union members kept as ``SDK_UNKNOWN_MEMBER``). Timestamps are parsed by
``_time`` (``parse_optional_timestamp`` is registered as the hook, fast path included);
``parse_timestamp`` and ``format_timestamp`` are re-exported from there.
"""

from __future__ import annotations

import gc
import http.client
import json
import re
import threading
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote, ClassValidationError
from cattrs.gen import make_dict_structure_fn, override

from ._http import HttpResponse
from ._time import format_timestamp, parse_optional_timestamp, parse_timestamp
from .errors import DecodeError
from .models import (
    WIRE,
    InputDataConfig,
    JobSummary,
    OutputDataConfig,
    Page,
    ResponseMetadata,
    S3InputDataConfig,
    S3OutputDataConfig,
    VpcConfig,
)

__all__ = [  # format_timestamp and parse_timestamp are re-exported from ._time
    "ErrorFields",
    "decode_json_body",
    "decode_page",
    "error_fields",
    "format_timestamp",
    "jobs_from_dicts",
    "parse_timestamp",
    "query_error_fields",
]

T = TypeVar("T")

# --- the converter ----------------------------------------------------------------------------


def _strict_str(value: object, _: object) -> str:
    if type(value) is str:
        return value
    raise TypeError(f"expected a string, got {_json_type(value)}")


def _strict_int(value: object, _: object) -> int:
    if type(value) is int:
        return value
    raise TypeError(f"expected an integer, got {_json_type(value)}")


def _timestamp(value: object, _: object) -> datetime:
    return parse_timestamp(value)


# Optional members get direct hooks: cattrs' generic Optional dispatch is the hottest part of
# decoding otherwise. The generated structure functions only call these for keys present.


def _optional_str(value: object, _: object) -> str | None:
    if type(value) is str or value is None:
        return value
    raise TypeError(f"expected a string, got {_json_type(value)}")


def _optional_int(value: object, _: object) -> int | None:
    if type(value) is int or value is None:
        return value
    raise TypeError(f"expected an integer, got {_json_type(value)}")


def _str_tuple(value: object, _: object) -> tuple[str, ...]:
    if type(value) is not list:
        raise TypeError(f"expected a list of strings, got {_json_type(value)}")
    for item in value:
        if type(item) is not str:
            raise TypeError(f"expected a list of strings, found {_json_type(item)}")
    return tuple(value)


def _json_type(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    if type(value) in names:
        return names[type(value)]
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def _make_union_hook(cls: type[T], converter: cattrs.Converter) -> Callable[[object, object], T]:
    fields = [f for f in attrs.fields(cls) if WIRE in f.metadata]  # type: ignore[arg-type]
    # Per wire tag: attribute name, member class and its raw structure function. Members are
    # declared "X | None"; the hook only ever structures the X (after checking it is an object).
    members: dict[str, tuple[str, type[Any], Callable[[Any, Any], Any]]] = {}
    for field in fields:
        member_type = next(a for a in typing.get_args(field.type) if a is not type(None))
        members[field.metadata[WIRE]] = (
            field.name,
            member_type,
            _structure_fn(member_type, converter),
        )

    def hook(value: object, _: object) -> T:
        if type(value) is not dict:
            raise TypeError(f"expected an object, got {_json_type(value)}")
        if len(value) == 1 and None not in value.values():  # the common case: nothing to filter
            ((tag, inner),) = value.items()
        else:
            present = {k: v for k, v in value.items() if v is not None and k != "__type"}
            if len(present) != 1:
                raise TypeError(f"a union must have exactly one member set, got {len(present)}")
            ((tag, inner),) = present.items()
        member = members.get(tag)
        if member is None:
            return cls(sdk_unknown_member=tag)  # type: ignore[call-arg]
        name, member_type, structure = member
        try:
            if type(inner) is not dict:
                raise TypeError(f"expected an object, got {_json_type(inner)}")
            return cls(**{name: structure(inner, member_type)})
        except Exception as exc:
            # Name the member in the error path, as cattrs does for attributes.
            note = AttributeValidationNote(f"Structuring union member {tag}", name, member_type)
            exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
            raise ClassValidationError(f"While structuring {cls.__name__}", [exc], cls) from None

    return hook


def _is_operation_output(cls: Any) -> bool:
    """An operation's output model (``Job``, ``CreateJobResult``, ...): an attrs class with a
    ``response_metadata`` field. (``Page`` has one too but is built by :func:`decode_page`.)"""
    return (
        isinstance(cls, type) and attrs.has(cls) and "response_metadata" in attrs.fields_dict(cls)
    )


def _output_structure_fn(cls: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """The structure function of an operation's output model (``response_metadata`` is set
    from the HTTP response, never read from the body)."""
    attrs.resolve_types(cls)
    overrides: dict[str, Any] = {
        f.name: override(rename=f.metadata[WIRE]) for f in attrs.fields(cls) if WIRE in f.metadata
    }
    overrides["response_metadata"] = override(omit=True)
    return _object_only(make_dict_structure_fn(cls, converter, **overrides))


def _configure(converter: cattrs.Converter) -> cattrs.Converter:
    for model in (S3InputDataConfig, S3OutputDataConfig, VpcConfig, InputDataConfig):
        attrs.resolve_types(model)
    attrs.resolve_types(OutputDataConfig)
    attrs.resolve_types(JobSummary)
    converter.register_structure_hook(str, _strict_str)
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(datetime, _timestamp)
    converter.register_structure_hook_func(lambda t: t == tuple[str, ...], _str_tuple)
    converter.register_structure_hook_func(lambda t: t == (str | None), _optional_str)
    converter.register_structure_hook_func(lambda t: t == (int | None), _optional_int)
    converter.register_structure_hook_func(
        lambda t: t == (datetime | None), parse_optional_timestamp
    )
    for cls in (S3InputDataConfig, S3OutputDataConfig, VpcConfig):
        converter.register_structure_hook(cls, _object_only(_structure_fn(cls, converter)))
    for union in (InputDataConfig, OutputDataConfig):
        converter.register_structure_hook(union, _make_union_hook(union, converter))
    # Items are checked to be objects in jobs_from_dicts.
    converter.register_structure_hook(JobSummary, _structure_fn(JobSummary, converter))
    # Operations' output models (the batch-job ones, and any later): their structure functions
    # are built on first use, so the listing never imports or builds them.
    converter.register_structure_hook_factory(
        _is_operation_output, lambda cls: _output_structure_fn(cls, converter)
    )
    return converter


def _structure_fn(cls: type[T], converter: cattrs.Converter) -> Callable[[Any, Any], T]:
    """cattrs' generated structure function for a model, reading its wire (camelCase) names."""
    renames = {
        f.name: override(rename=f.metadata[WIRE])
        for f in attrs.fields(cls)  # type: ignore[arg-type]
        if WIRE in f.metadata
    }
    return make_dict_structure_fn(cls, converter, **renames)  # type: ignore[arg-type]


def _object_only(structure: Callable[[Any, Any], T]) -> Callable[[Any, Any], T]:
    """Refuse a non-object before cattrs indexes it (else the error names a child field)."""

    def hook(value: Any, cls: Any) -> T:
        if type(value) is not dict:
            raise TypeError(f"expected an object, got {_json_type(value)}")
        return structure(value, cls)

    return hook


# Fast path: no per-field bookkeeping. On failure the detailed converter re-runs to name the path.
_FAST = _configure(cattrs.Converter(detailed_validation=False))
_DETAILED: cattrs.Converter | None = None


def _detailed() -> cattrs.Converter:
    """The converter that records paths, built on the first failure only."""
    global _DETAILED
    if _DETAILED is None:
        _DETAILED = _configure(cattrs.Converter(detailed_validation=True))
    return _DETAILED


_structure_job: Callable[[Any, type[JobSummary]], JobSummary] = _FAST.get_structure_hook(JobSummary)


def jobs_from_dicts(
    items: list[Any], *, path: str = "invocationJobSummaries", consume: bool = False
) -> tuple[JobSummary, ...]:
    """Structure a list of wire dicts into :class:`JobSummary` values, or raise DecodeError.

    With ``consume``, each dict is dropped from ``items`` once structured, so a page never
    holds its parsed JSON and its typed jobs in full at the same time (lower peak memory).
    """
    structure = _structure_job
    jobs: list[JobSummary] = []
    append = jobs.append
    for index, item in enumerate(items):
        try:
            append(structure(item, JobSummary))
        except Exception:
            raise _explain(item, f"{path}[{index}]") from None
        if consume:
            items[index] = None
    return tuple(jobs)


def _explain(item: object, where: str, cls: type[Any] = JobSummary) -> DecodeError:
    """The DecodeError for an item the fast converter refused, naming the failing field."""
    if type(item) is not dict:
        return DecodeError(
            f"invalid response: {where} is {_json_type(item)}, expected an object", path=where
        )
    try:
        _detailed().structure(item, cls)
    except Exception as exc:
        field, why = _first_failure(exc)
        path = f"{where}{field}".lstrip(".")
        return DecodeError(f"invalid response: {path}: {why}", path=path)
    return DecodeError(f"invalid response: {where} could not be decoded", path=where)


def _first_failure(exc: BaseException) -> tuple[str, str]:
    messages = cattrs.transform_error(exc, path="")
    if not messages:
        return "", str(exc)
    first = messages[0]
    where, _, why = first.rpartition(" @ ")
    why_text, where_text = (where, why) if where else (first, "")
    return _wire_path(where_text), why_text


def _wire_path(path: str) -> str:
    """Turn cattrs' attribute path (``.end_time``) into wire names (``.endTime``)."""

    def camel(match: re.Match[str]) -> str:
        head, *rest = match.group(1).split("_")
        return "." + head + "".join(part[:1].upper() + part[1:] for part in rest)

    return re.sub(r"\.([a-z0-9_]+)", camel, path)


# --- pages and errors -------------------------------------------------------------------------


def decode_json_body(response: HttpResponse) -> Any:
    """The JSON value of a body, or DecodeError saying what came instead."""
    body = response.body
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: hostile nesting such as "[" * 10**5
        ctype = response.header("content-type") or "no content-type"
        snippet = body[:60].decode("utf-8", "replace").replace("\n", " ")
        raise DecodeError(
            f"invalid response: HTTP {response.status_code} body is not JSON "
            f"({ctype}, {len(body)} bytes, starts {snippet!r})"
        ) from None


def decode_page(response: HttpResponse, *, retry_attempts: int = 0) -> Page:
    """Decode a 200 ListModelInvocationJobs response into a :class:`Page`."""
    _pause_gc()
    try:
        return _decode_page(response, retry_attempts)
    finally:
        _resume_gc()


# Parsing and structuring a page make thousands of small acyclic objects, which the cyclic GC
# would otherwise scan again and again as they are built. The pause raises the young
# generation's threshold instead of calling gc.disable(): the caller's gc.disable() or
# gc.enable() (from any thread, at any time) is never undone, and a threshold the caller sets
# during the pause is kept. Concurrent decodes share one pause (a counter under a lock).
_GC_LOCK = threading.Lock()
_GC_PAUSED_THRESHOLD = 1_000_000_000
_gc_pausers = 0
#: (the thresholds before the pause, the thresholds set for it) while paused by us.
_gc_saved: tuple[tuple[int, ...], tuple[int, ...]] | None = None


def _pause_gc() -> None:
    global _gc_pausers, _gc_saved
    with _GC_LOCK:
        _gc_pausers += 1
        if _gc_pausers > 1 or not gc.isenabled():
            return
        saved = gc.get_threshold()
        if saved[0] == 0 or saved[0] >= _GC_PAUSED_THRESHOLD:  # automatic collection is off
            return
        paused = (_GC_PAUSED_THRESHOLD, *saved[1:])
        gc.set_threshold(*paused)
        _gc_saved = (saved, paused)


def _resume_gc() -> None:
    global _gc_pausers, _gc_saved
    with _GC_LOCK:
        _gc_pausers -= 1
        if _gc_pausers or _gc_saved is None:
            return
        saved, paused = _gc_saved
        _gc_saved = None
        if gc.get_threshold() == paused:  # nobody changed it meanwhile
            gc.set_threshold(*saved)


def _decode_page(response: HttpResponse, retry_attempts: int) -> Page:
    data = decode_json_body(response)
    if type(data) is not dict:
        raise DecodeError(
            f"invalid response: expected a JSON object, got {_json_type(data)}", path=""
        )
    items = data.get("invocationJobSummaries")
    if items is None:
        items = []
    elif type(items) is not list:
        raise DecodeError(
            f"invalid response: invocationJobSummaries is {_json_type(items)}, expected an array",
            path="invocationJobSummaries",
        )
    token = data.get("nextToken")
    if token is not None and type(token) is not str:
        raise DecodeError(
            f"invalid response: nextToken is {_json_type(token)}, expected a string",
            path="nextToken",
        )
    return Page(
        invocation_job_summaries=jobs_from_dicts(items, consume=True),
        next_token=token,
        response_metadata=_metadata(response, retry_attempts),
    )


def _metadata(response: HttpResponse, retry_attempts: int) -> ResponseMetadata:
    return ResponseMetadata(
        request_id=response.header("x-amzn-requestid") or "",
        http_status_code=response.status_code,
        http_headers=dict(response.headers),
        retry_attempts=retry_attempts,
    )


def error_code_from(headers: Mapping[str, str], body: object) -> str | None:
    """The AWS error code, from ``x-amzn-ErrorType`` or the body's ``code``/``__type``."""
    raw = headers.get("x-amzn-errortype")
    if not raw and isinstance(body, dict):
        for key in ("code", "Code", "__type"):
            candidate = body.get(key)
            if isinstance(candidate, str) and candidate:
                raw = candidate
                break
    if not raw:
        return None
    code = raw.split(":", 1)[0]
    if "#" in code:
        code = code.rsplit("#", 1)[1]
    return code or None


@attrs.frozen(kw_only=True)
class ErrorFields:
    """What an error response says: the AWS error ``code`` (the HTTP status when none is given),
    the ``message`` (the status's reason phrase when neither is given), and the body's modelled
    ``message`` member when it has one (botocore keeps it at the top level of ``response``),
    and the other modelled members the operation asked for (Sign-In's ``error``)."""

    code: str
    message: str
    message_member: str | None = None
    #: Extra string members of the error body, by name (see :func:`error_fields`).
    members: Mapping[str, str] = attrs.field(factory=dict)


def error_fields(response: HttpResponse, members: tuple[str, ...] = ()) -> ErrorFields:
    """Read the code and message of a non-2xx response (never raises), and the string body
    ``members`` the operation's errors model besides ``message`` (Sign-In's and SSO-OIDC's
    ``error`` / ``error_description``), which botocore keeps at the top of ``response``.

    The exception itself is built in one place, :func:`bedrock_paginate._failures.build_error`.
    """
    body: object = None
    if response.body:
        try:
            body = json.loads(response.body)
        except (ValueError, RecursionError):
            body = None
    code = error_code_from(response.headers, body)
    message = ""
    member: str | None = None
    extra: dict[str, str] = {}
    if isinstance(body, dict):
        extra = {name: body[name] for name in members if isinstance(body.get(name), str)}
        for key in ("message", "Message", "errorMessage"):
            candidate = body.get(key)
            if isinstance(candidate, str):
                message = candidate
                break
        if isinstance(body.get("message"), str):
            member = body["message"]
    if code is None:
        code = str(response.status_code)
        if not message:
            message = http.client.responses.get(response.status_code, "Unknown")
    return ErrorFields(code=code, message=message, message_member=member, members=extra)


def query_error_fields(response: HttpResponse) -> ErrorFields:
    """The code and message of a query-protocol (STS) error: ``<ErrorResponse><Error><Code>``
    and ``<Message>`` in XML read by ``_xml`` (no DTD, no entities); never raises."""
    from ._xml import parse_xml

    try:
        root = parse_xml(response.body)
    except DecodeError:
        root = None
    code = root.text_of("Error", "Code") if root is not None else None
    message = (root.text_of("Error", "Message") if root is not None else None) or ""
    if not code:
        code = str(response.status_code)
        if not message:
            message = http.client.responses.get(response.status_code, "Unknown")
    return ErrorFields(code=code, message=message, message_member=message or None)


# --- the batch-job operations (GetModelInvocationJob, Stop..., Create...) ----------------------


def decode_output(response: HttpResponse, cls: type[T], *, retry_attempts: int = 0) -> T:
    """Decode a 2xx response of an operation into its output model ``cls`` (an attrs class
    with wire names in its field metadata and a ``response_metadata`` field, such as those of
    :mod:`bedrock_paginate._job_models`), with ``response_metadata`` filled in.

    An empty body is an empty object (StopModelInvocationJob answers with one or with nothing).
    """
    data: Any = decode_json_body(response) if response.body.strip() else {}
    if type(data) is not dict:
        raise DecodeError(
            f"invalid response: expected a JSON object, got {_json_type(data)}", path=""
        )
    try:
        value = _FAST.structure(data, cls)
    except Exception:
        raise _explain(data, "", cls) from None
    return attrs.evolve(  # type: ignore[misc]
        value, response_metadata=_metadata(response, retry_attempts)
    )
