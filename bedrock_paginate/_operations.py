"""Operations as data: what the engine needs to know to call one API operation.

An :class:`Operation` is a frozen description, the part of botocore's service model that this
library uses: the operation's API name and Python name, its HTTP method and URI template, where
each input member goes (query string, path label, JSON body or header), how to validate the
arguments, how to decode a 2xx response into a model, which service errors it models, and, for a
paginated operation, its :class:`~bedrock_paginate._paginator.PaginatorConfig`.

:func:`bedrock_paginate._serialize.build_request` turns an operation and its validated
arguments into an :class:`~bedrock_paginate._http.HttpRequest` as botocore's rest-json
serializer does (an operation of the ``query`` protocol, STS's, is a form-encoded ``POST /``
instead: ``Action``, ``Version`` and the members in order; its errors are read from XML):

* path labels (``{jobIdentifier}``) are percent-encoded with only RFC 3986's unreserved
  characters left as they are (``:`` and ``/`` are encoded, so a job ARN is one path segment);
  a greedy label (``{key+}``) keeps ``/`` and ``~``. The SigV4 signer then encodes the path once
  more for the canonical URI, as for every service but S3.
* query members follow the operation's member order, percent-encoded with the unreserved set
  (timestamps as ``%Y-%m-%dT%H:%M:%SZ``).
* body members form a JSON object (``Content-Type: application/json``; timestamps as epoch
  seconds, rest-json's default); an operation with body members always sends an object, ``{}``
  when none is given; one without sends no body.
* an idempotency-token member left out is filled with a fresh UUID4, as botocore does, so a
  retried create never makes two jobs.

Adding an operation means adding one :class:`Operation` (plus its models, validation and decoder)
to this module's table (``_register``) and a one-line method on each client
(``return self._call(OP, OP.validate(params))``): the engine, retries, signing, record/replay
and the clients' attempt and page loops are generic over it; ``get_paginator`` finds every
operation with a ``paginator``. The operations used only by credential providers live with
them, not registered: STS's in ``_credentials._sts``, the SSO portal's, SSO-OIDC's and
Sign-In's in ``_credentials._json_call``, so that none is imported before a profile needs it.
Pure: imports neither httpx nor configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs

from ._decode import decode_page
from ._paginator import LIST_MODEL_INVOCATION_JOBS as _LIST_PAGINATOR
from ._paginator import PaginatorConfig
from ._serialize import LIST_JOBS_PARAMS, validate_list_params
from .errors import (
    AccessDeniedException,
    ExpiredTokenException,
    InternalServerException,
    ServiceError,
    ThrottlingException,
    ValidationException,
)

__all__ = [
    "LIST_MODEL_INVOCATION_JOBS",
    "OPERATIONS",
    "Member",
    "Operation",
    "find_operation",
]

Location = Literal["query", "path", "body", "header"]


@attrs.frozen(kw_only=True)
class Member:
    """Where one input member goes: ``location`` and the name it has there (``wire_name``,
    defaulting to ``name``). ``idempotency_token`` members left out get a fresh UUID4."""

    name: str
    location: Location = "query"
    wire_name: str | None = None
    idempotency_token: bool = False

    @property
    def sent_as(self) -> str:
        """The query name, path label, JSON key or header name of this member."""
        return self.wire_name or self.name


@attrs.frozen(kw_only=True)
class Operation:
    """One API operation, described as data (see the module docstring)."""

    #: The API name (``ListModelInvocationJobs``): error messages, logs, fixtures.
    name: str
    #: The Python method name (``list_model_invocation_jobs``).
    python_name: str
    method: str
    #: The request URI with ``{label}`` placeholders for path members.
    uri: str
    #: Every input member, in service-model order (the query string keeps this order).
    members: tuple[Member, ...]
    #: Checks boto3-style arguments and returns them normalised (raises ParamValidationError).
    validate: Callable[[Mapping[str, Any]], dict[str, Any]] = attrs.field(repr=False)
    #: Decodes a 2xx response into the operation's model: ``decode(response, retry_attempts=n)``
    #: (``n`` retries made, for ``ResponseMetadata``); raises DecodeError for a bad body.
    decode: Callable[..., Any] = attrs.field(repr=False)
    #: The service errors the operation models, by error code (others are ``ServiceError``).
    errors: tuple[type[ServiceError], ...] = ()
    #: How to page through the results; ``None`` when the operation is not paginated.
    paginator: PaginatorConfig | None = None
    #: botocore's protocol: ``rest-json`` (Bedrock) or ``query`` (STS: a form-encoded
    #: ``POST /`` with ``Action`` and ``Version``, answered in XML).
    protocol: Literal["rest-json", "query"] = "rest-json"
    #: The API version a ``query`` request names (``Version=2011-06-15``).
    api_version: str | None = None
    #: The SigV4 signing name (the credential scope's service).
    signing_name: str = "bedrock"
    #: ``False`` for an operation the model marks unsigned (``AssumeRoleWithWebIdentity``,
    #: the SSO and Sign-In calls): no signature, and never a credential refresh after an
    #: ``ExpiredToken`` error (the expired token is the operation's own input, not ours).
    signed: bool = True
    #: Members of the operation's error bodies kept, besides ``message``, in
    #: ``ServiceError.members`` (so at the top of ``.response``, as botocore keeps modelled
    #: error members): Sign-In's ``error``, SSO-OIDC's ``error`` and ``error_description``.
    error_members: tuple[str, ...] = ()

    def error_class(self, code: str) -> type[ServiceError]:
        """The exception class for an AWS error ``code`` (``ServiceError`` when unmodelled)."""
        for cls in self.errors:
            if cls.__name__ == code:
                return cls
        return ServiceError


#: ``GET /model-invocation-jobs``: every member is a query parameter under its own name.
LIST_MODEL_INVOCATION_JOBS = Operation(
    name="ListModelInvocationJobs",
    python_name="list_model_invocation_jobs",
    method="GET",
    uri="/model-invocation-jobs",
    members=tuple(Member(name=name) for name in LIST_JOBS_PARAMS),
    validate=validate_list_params,
    decode=decode_page,
    errors=(
        AccessDeniedException,
        ValidationException,
        ThrottlingException,
        InternalServerException,
        ExpiredTokenException,
    ),
    paginator=_LIST_PAGINATOR,
)

#: Every operation, by API name and by Python name.
OPERATIONS: dict[str, Operation] = {}


def _register(*operations: Operation) -> None:
    for operation in operations:
        OPERATIONS[operation.name] = operation
        OPERATIONS[operation.python_name] = operation


_register(LIST_MODEL_INVOCATION_JOBS)


def find_operation(name: str) -> Operation | None:
    """The operation called ``name`` (API or Python name), or ``None``."""
    return OPERATIONS.get(name)
