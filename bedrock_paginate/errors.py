"""The exception tree of bedrock_paginate (public).

Every exception the library raises on purpose derives from :class:`BedrockPaginateError`::

    BedrockPaginateError
    ├── ConfigError                      configuration or credentials problem (CLI exit 253)
    │   ├── NoCredentialsError           no source in the chain had credentials
    │   ├── NoRegionError                no region anywhere
    │   ├── ProfileNotFoundError         the named profile is in no file
    │   ├── UnsupportedProfileError      a profile kind not supported yet (SSO, aws login)
    │   ├── ConfigFileError              a malformed credentials or config file (file and line)
    │   └── CredentialRetrievalError     credential_process / container / IMDS / STS failed
    │       └── StsError                 STS answered AssumeRole[WithWebIdentity] with an error
    ├── ParamValidationError (ValueError) a bad argument, caught before any request (CLI exit 252)
    │   └── InvalidStartingTokenError    a resume token that is ours but malformed
    ├── ServiceError                     the service answered with an error (CLI exit 254)
    │   ├── AccessDeniedException
    │   ├── ValidationException
    │   ├── ThrottlingException
    │   ├── InternalServerException
    │   ├── ExpiredTokenException
    │   ├── ResourceNotFoundException    no such job (Get/Stop/Create)
    │   ├── ConflictException            stop a finished job; a clientRequestToken reused
    │   └── ServiceQuotaExceededException  too many jobs running (Create)
    ├── ClientClosedError                used after close(), or from another event loop
    ├── TransportError                   connection failed, timed out, or was cut (CLI exit 255)
    ├── DecodeError                      a response that is not what the API promises (CLI exit 255)
    ├── PaginationError                  the service repeated a token (a cycle) (CLI exit 255)
    ├── WaiterError                      a waited-for job did not finish in time (last state kept)
    └── FixtureMismatchError             replay: a request no recorded interaction matches
                                         (defined in ``fixtures``; exported at the top level)

Any error raised while a paginator is running carries ``resume_token``: pass it as
``PaginationConfig={"StartingToken": ...}`` (or ``--starting-token``) to continue exactly at the
first job not yet returned. ``request_id`` is the ``x-amzn-RequestId`` of the failing response
where there was one.

Every exception here (and ``FixtureMismatchError``) pickles and deep-copies with all its
attributes, resume token and details included, so an error raised in a ``ProcessPoolExecutor``
worker reaches the parent as itself.

This module imports nothing from the rest of the package. Messages never contain secrets.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccessDeniedException",
    "BedrockPaginateError",
    "ClientClosedError",
    "ConfigError",
    "ConfigFileError",
    "ConflictException",
    "CredentialRetrievalError",
    "DecodeError",
    "ExpiredTokenException",
    "InternalServerException",
    "InvalidStartingTokenError",
    "NoCredentialsError",
    "NoRegionError",
    "PaginationError",
    "ParamValidationError",
    "ProfileNotFoundError",
    "ResourceNotFoundException",
    "ServiceError",
    "ServiceQuotaExceededException",
    "StsError",
    "ThrottlingException",
    "TransportError",
    "UnsupportedProfileError",
    "ValidationException",
    "WaiterError",
    "service_error_class",
]


def _rebuild(cls: type[BedrockPaginateError], args: tuple[Any, ...]) -> BedrockPaginateError:
    """Unpickling: an instance of ``cls`` without running its constructor (whose keyword-only
    arguments are not in ``args``); its attributes are restored from the pickled state."""
    error = cls.__new__(cls)
    error.args = args
    return error


class BedrockPaginateError(Exception):
    """Base class of every error raised by bedrock_paginate."""

    #: Where to resume a listing that failed half-way (set by the paginator), else ``None``.
    resume_token: str | None = None
    #: ``x-amzn-RequestId`` of the failing response, where there was one.
    request_id: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        #: What the library adds to the message (why it gave up, what it tried); shown by
        #: ``str()`` but never mixed into ``message`` (for service errors, the service's own).
        self.details: list[str] = []

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's default calls cls(*args), which fails for keyword-only arguments.
        return (_rebuild, (type(self), self.args), dict(self.__dict__))

    def add_detail(self, text: str) -> None:
        """Record one more explanation, shown in parentheses after the message."""
        self.details.append(text)

    def describe(self) -> str:
        """The message with the library's details, without the resume token."""
        text = self.message
        if self.details:
            text += f" ({'; '.join(self.details)})"
        return text

    def __str__(self) -> str:
        text = self.describe()
        if self.resume_token is not None:
            text += f" (resume with StartingToken={self.resume_token!r})"
        return text


class ConfigError(BedrockPaginateError):
    """Configuration or credentials could not be resolved."""


class NoCredentialsError(ConfigError):
    """No credentials were found in any source of the chain."""


class NoRegionError(ConfigError):
    """No region was given or configured."""


class ProfileNotFoundError(ConfigError):
    """The named profile does not exist in the shared files."""

    def __init__(self, message: str, *, profile: str) -> None:
        super().__init__(message)
        self.profile = profile


class UnsupportedProfileError(ConfigError):
    """The profile uses a credential type this library does not support yet."""

    def __init__(self, message: str, *, profile: str, profile_type: str) -> None:
        super().__init__(message)
        self.profile = profile
        self.profile_type = profile_type


class ConfigFileError(ConfigError):
    """A shared config or credentials file could not be parsed."""

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


class CredentialRetrievalError(ConfigError):
    """A credential source (credential_process, container, IMDS) failed."""


class StsError(CredentialRetrievalError):
    """STS refused ``AssumeRole`` / ``AssumeRoleWithWebIdentity`` (e.g. ``AccessDenied``,
    ``InvalidIdentityToken``): the service's code, HTTP status and request id, and the
    profile whose credentials were being resolved."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int,
        operation: str,
        profile: str,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status_code = status_code
        self.operation = operation
        self.profile = profile
        self.request_id = request_id


class ParamValidationError(BedrockPaginateError, ValueError):
    """An argument is invalid; raised before any request is sent."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class InvalidStartingTokenError(ParamValidationError):
    """A ``StartingToken`` in this library's (botocore's) format is malformed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, param="StartingToken")


class ServiceError(BedrockPaginateError):
    """The service answered with an error.

    ``response`` is shaped like botocore's ``ClientError.response`` so code written for boto3
    (``err.response["Error"]["Code"]``) keeps working.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int,
        request_id: str | None = None,
        headers: dict[str, str] | None = None,
        members: dict[str, Any] | None = None,
        operation_name: str = "ListModelInvocationJobs",
        retry_attempts: int = 0,
        max_attempts_reached: bool = False,
    ) -> None:
        super().__init__(message)
        #: Modelled members of the error body (``message``), kept at the top level of
        #: ``response`` as botocore does.
        self.members = dict(members or {})
        self.code = code
        self.status_code = status_code
        self.request_id = request_id
        self.headers = dict(headers or {})
        #: The API operation that failed (as botocore's ``ClientError.operation_name``).
        self.operation_name = operation_name
        #: Retries made before this error was raised (botocore's ``RetryAttempts``).
        self.retry_attempts = retry_attempts
        #: Whether retrying stopped because ``max_attempts`` was reached (botocore's
        #: ``MaxAttemptsReached``).
        self.max_attempts_reached = max_attempts_reached

    @property
    def response(self) -> dict[str, Any]:
        """The error as botocore shapes it: ``{"Error": {...}, "ResponseMetadata": {...}}``."""
        metadata: dict[str, Any] = {}
        if self.request_id is not None:
            metadata["RequestId"] = self.request_id
        metadata["HTTPStatusCode"] = self.status_code
        metadata["HTTPHeaders"] = dict(self.headers)
        metadata["RetryAttempts"] = self.retry_attempts
        if self.max_attempts_reached:
            metadata["MaxAttemptsReached"] = True
        return {
            "Error": {"Code": self.code, "Message": self.message},
            "ResponseMetadata": metadata,
            **self.members,
        }

    def describe(self) -> str:
        """botocore's ``ClientError`` message (what the AWS CLI prints), plus our details."""
        retry_info = (
            f" (reached max retries: {self.retry_attempts})" if self.max_attempts_reached else ""
        )
        text = (
            f"An error occurred ({self.code}) when calling the {self.operation_name} "
            f"operation{retry_info}: {self.message}"
        )
        if self.details:
            text += f" ({'; '.join(self.details)})"
        return text

    def __str__(self) -> str:
        text = self.describe()
        if self.request_id:
            text += f" [request id {self.request_id}]"
        if self.resume_token is not None:
            text += f" (resume with StartingToken={self.resume_token!r})"
        return text


class AccessDeniedException(ServiceError):
    """HTTP 403: the caller may not list model invocation jobs."""


class ValidationException(ServiceError):
    """HTTP 400: the service rejected a parameter."""


class ThrottlingException(ServiceError):
    """HTTP 429: too many requests."""


class InternalServerException(ServiceError):
    """HTTP 500: the service failed."""


class ExpiredTokenException(ServiceError):
    """The session token has expired."""


class ResourceNotFoundException(ServiceError):
    """HTTP 404: no job has this identifier."""


class ConflictException(ServiceError):
    """HTTP 400: the request conflicts with the job's state (stopping a finished job) or with an
    earlier request (a ``clientRequestToken`` reused with other arguments)."""


class ServiceQuotaExceededException(ServiceError):
    """HTTP 400: creating the job would exceed a quota (jobs submitted or running at once)."""


_MODELLED: dict[str, type[ServiceError]] = {
    cls.__name__: cls
    for cls in (
        AccessDeniedException,
        ValidationException,
        ThrottlingException,
        InternalServerException,
        ExpiredTokenException,
        ResourceNotFoundException,
        ConflictException,
        ServiceQuotaExceededException,
    )
}


def service_error_class(code: str) -> type[ServiceError]:
    """The exception class for an AWS error code (``ServiceError`` when unmodelled)."""
    return _MODELLED.get(code, ServiceError)


class ClientClosedError(BedrockPaginateError):
    """The client cannot send: it was closed (``close()`` or the end of its ``with`` block), or
    an ``AsyncClient`` is used from another event loop than the one its connections live in."""


class TransportError(BedrockPaginateError):
    """The request could not be completed: connection refused or reset, timeout, cut body.

    ``__cause__`` is httpx's exception for the last attempt (when there was one): its type and
    message, its ``request`` with the secret headers redacted, and the OS, TLS or proxy error
    below it as its own ``__cause__``."""

    def __init__(self, message: str, *, attempts: int = 1) -> None:
        super().__init__(message)
        self.attempts = attempts


class DecodeError(BedrockPaginateError):
    """A response body is not what the API promises (not JSON, wrong types, missing fields)."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class PaginationError(BedrockPaginateError):
    """Pagination cannot continue: the service sent a token it had already sent (a cycle)."""


class WaiterError(BedrockPaginateError):
    """Waiting for a job ended before the job finished (``timeout`` reached).

    ``last_job`` is the last state seen (a :class:`~bedrock_paginate.Job`, ``None`` if no poll
    answered); ``last_response`` is its boto3-shaped dict, as botocore's ``WaiterError`` has.
    """

    def __init__(self, message: str, *, job_identifier: str, last_job: Any = None) -> None:
        super().__init__(message)
        self.job_identifier = job_identifier
        self.last_job = last_job

    @property
    def last_response(self) -> dict[str, Any] | None:
        """The last job seen as boto3's ``get_model_invocation_job`` dict, or ``None``."""
        return None if self.last_job is None else dict(self.last_job.to_dict())
