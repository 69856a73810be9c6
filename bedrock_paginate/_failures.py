"""The error of a failed call, built once, from one record of its last attempt.

The engine decides *whether* a call failed (``_engine``); this module decides *what the user
sees*: :func:`build_error` turns an :class:`AttemptRecord` (the operation, what the last attempt
got, how many attempts were made, why retrying stopped, the secrets that attempt used) into the
final exception, with every secret scrubbed (by ``_redact``) before any part of the response is
copied into it.
Nothing edits the exception afterwards except the page iterator, which attaches the resume
position (one helper, ``_pagination_shell._resume_here``).

What one attempt got is an :class:`~bedrock_paginate._http.AttemptResult` (the shell<->engine
contract): a response, or the kind of transport failure with the transport's exception, which
becomes the ``__cause__`` of the :class:`~bedrock_paginate.errors.TransportError`.

Pure: imports no httpx (the transport exception is kept as an opaque ``BaseException``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import attrs

from ._decode import ErrorFields, error_fields, query_error_fields
from ._http import AttemptResult, HttpResponse
from ._redact import Redactor
from .errors import BedrockPaginateError, DecodeError, ServiceError, TransportError

if TYPE_CHECKING:
    from ._operations import Operation

__all__ = [
    "AttemptRecord",
    "build_error",
    "parse_error",
    "scrub",
    "scrub_response",
]


@attrs.frozen(kw_only=True)
class AttemptRecord:
    """Everything the final error is built from (see :func:`build_error`)."""

    operation: Operation
    #: What the last attempt got.
    result: AttemptResult
    #: Requests sent, free re-sends included.
    attempts: int = 1
    #: Whether retrying stopped because ``max_attempts`` was reached.
    max_attempts_reached: bool = False
    #: The library's explanations (why it gave up, what it tried), in order.
    details: tuple[str, ...] = ()
    #: The secrets of the last attempt, scrubbed from whatever the service sent back.
    secrets: tuple[str, ...] = attrs.field(default=(), repr=False)
    #: The body cap in force (for the message of a refused body).
    max_body_bytes: int = 0
    #: For a 2xx whose body could not be decoded: the decoder's error (``response`` unscrubbed).
    decode_error: DecodeError | None = None
    #: For an error response: its code and message, already read and scrubbed by the engine.
    fields: ErrorFields | None = None


def build_error(record: AttemptRecord) -> BedrockPaginateError:
    """The exception for a call that ends with ``record``'s attempt."""
    result = record.result
    response = result.response
    error: BedrockPaginateError
    if response is None:
        error = _failure_error(record)
    elif record.decode_error is not None:
        error = _decode_error(record, response, record.decode_error)
    else:
        error = _service_error(record, response)
    error.details.extend(record.details)
    return error


def parse_error(response: HttpResponse, operation: Operation | None = None) -> ServiceError:
    """The ServiceError of a non-2xx ``response`` alone (never raises; for tests and tools)."""
    if operation is None:
        from ._operations import LIST_MODEL_INVOCATION_JOBS

        operation = LIST_MODEL_INVOCATION_JOBS
    record = AttemptRecord(operation=operation, result=AttemptResult(response=response))
    error = build_error(record)
    assert isinstance(error, ServiceError)  # a response without decode_error
    return error


def _failure_error(record: AttemptRecord) -> BedrockPaginateError:
    kind, detail = record.result.failure or "connect", record.result.detail
    if kind == "too_large":
        return DecodeError(
            f"invalid response: body larger than {record.max_body_bytes} bytes; refused"
        )
    error: BedrockPaginateError
    if kind in ("bad_encoding", "bad_body"):
        why = f" ({detail})" if detail else ""
        error = DecodeError(f"invalid response: the body could not be decompressed{why}")
    else:
        error = TransportError(_transport_message(kind, detail), attempts=record.attempts)
    error.__cause__ = record.result.exception  # what the transport raised, for debugging
    return error


def _decode_error(record: AttemptRecord, response: HttpResponse, error: DecodeError) -> DecodeError:
    """The DecodeError with the secrets scrubbed before any snippet of the body is cut from it
    (so not even a part of a secret can show): decoded again from the scrubbed response."""
    clean = scrub_response(response, record.secrets)
    if clean is not response:
        try:
            record.operation.decode(clean)
        except DecodeError as again:
            error = again
    final = DecodeError(scrub(error.message, record.secrets), path=error.path)
    final.request_id = clean.header("x-amzn-requestid")
    return final


def _service_error(record: AttemptRecord, response: HttpResponse) -> ServiceError:
    # Some services echo the canonical request (with the session token) in the message.
    response = scrub_response(response, record.secrets)
    fields = record.fields or scrubbed_fields(response, record.secrets, record.operation)
    message = fields.message
    if 300 <= response.status_code < 400:
        message = _redirect_message(response)
    cls = record.operation.error_class(fields.code)
    members: dict[str, str] = dict(fields.members)  # the operation's own error members
    if cls is not ServiceError and fields.message_member is not None:
        members["message"] = scrub(fields.message_member, record.secrets)
    return cls(
        message,
        code=fields.code,
        status_code=response.status_code,
        request_id=response.header("x-amzn-requestid"),
        headers=dict(response.headers),
        members=members,
        operation_name=record.operation.name,
        retry_attempts=record.attempts - 1,
        max_attempts_reached=record.max_attempts_reached,
    )


def scrubbed_fields(
    response: HttpResponse, secrets: tuple[str, ...], operation: Operation
) -> ErrorFields:
    """The code and message of an error ``response`` (scrubbed already) as ``operation``'s
    protocol writes them, the message scrubbed once more for the forms escaping hides
    (``\\u``-escapes decoded by the JSON parser, entities by the XML one)."""
    if operation.protocol == "query":
        fields = query_error_fields(response)
    else:
        fields = error_fields(response, operation.error_members)
    return attrs.evolve(
        fields,
        message=scrub(fields.message, secrets),
        members={name: scrub(value, secrets) for name, value in fields.members.items()},
    )


# --- secrets --------------------------------------------------------------------------------


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every form of every secret replaced (see ``_redact``)."""
    return Redactor(secrets).text(text)


def scrub_response(response: HttpResponse, secrets: tuple[str, ...]) -> HttpResponse:
    """``response`` with our secrets scrubbed from its body and headers (the same object when
    none occurs)."""
    redactor = Redactor(secrets)
    body = redactor.bytes(response.body)
    headers = {name: redactor.text(value) for name, value in response.headers.items()}
    if body == response.body and headers == response.headers:
        return response
    return attrs.evolve(response, body=body, headers=headers)


# --- messages -------------------------------------------------------------------------------


def _redirect_message(response: HttpResponse) -> str:
    location = response.header("location")
    where = ""
    if location:
        split = urlsplit(location)
        shown = f"{split.scheme}://{split.netloc}{split.path}" if split.netloc else split.path
        where = f" to {shown}"
    return (
        f"the endpoint answered with a redirect (HTTP {response.status_code}{where}); "
        "redirects are not followed, so that credentials never go to another address: "
        "set endpoint_url to the endpoint itself"
    )


def _transport_message(kind: str, detail: str) -> str:
    what = {
        "connect": "could not connect to the endpoint",
        "timeout": "the request timed out",
        "read": "the connection was closed before the whole response arrived",
    }.get(kind, kind)
    return f"{what}: {detail}" if detail else what
