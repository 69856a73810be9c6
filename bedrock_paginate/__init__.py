"""bedrock-paginate: list Amazon Bedrock batch inference jobs without boto3.

Public names are imported lazily (on first attribute access) so that ``import bedrock_paginate``
costs almost nothing; ``from bedrock_paginate import Client`` loads only the client's path.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from ._client import AsyncClient, AsyncPageIterator, Client, PageIterator
    from ._regions import (
        RegionListing,
        list_jobs_across_regions,
        list_jobs_across_regions_sync,
    )
    from ._sigv4 import sign_request
    from .errors import (
        AccessDeniedException,
        BedrockPaginateError,
        ClientClosedError,
        ConfigError,
        ConfigFileError,
        CredentialRetrievalError,
        DecodeError,
        ExpiredTokenException,
        InternalServerException,
        InvalidStartingTokenError,
        NoCredentialsError,
        NoRegionError,
        PaginationError,
        ParamValidationError,
        ProfileNotFoundError,
        ServiceError,
        ThrottlingException,
        TransportError,
        UnsupportedProfileError,
        ValidationException,
    )
    from .fixtures import FixtureMismatchError
    from .models import (
        InputDataConfig,
        JobSummary,
        OutputDataConfig,
        Page,
        S3InputDataConfig,
        S3OutputDataConfig,
        VpcConfig,
    )

_EXPORTS: dict[str, str] = {
    "AsyncClient": "._client",
    "AsyncPageIterator": "._client",
    "Client": "._client",
    "PageIterator": "._client",
    "sign_request": "._sigv4",
    "FixtureMismatchError": ".fixtures",
    "RegionListing": "._regions",
    "list_jobs_across_regions": "._regions",
    "list_jobs_across_regions_sync": "._regions",
    "AccessDeniedException": ".errors",
    "BedrockPaginateError": ".errors",
    "ClientClosedError": ".errors",
    "ConfigFileError": ".errors",
    "CredentialRetrievalError": ".errors",
    "ProfileNotFoundError": ".errors",
    "UnsupportedProfileError": ".errors",
    "ConfigError": ".errors",
    "DecodeError": ".errors",
    "ExpiredTokenException": ".errors",
    "InternalServerException": ".errors",
    "InvalidStartingTokenError": ".errors",
    "NoCredentialsError": ".errors",
    "NoRegionError": ".errors",
    "PaginationError": ".errors",
    "ParamValidationError": ".errors",
    "ServiceError": ".errors",
    "ThrottlingException": ".errors",
    "TransportError": ".errors",
    "ValidationException": ".errors",
    "InputDataConfig": ".models",
    "JobSummary": ".models",
    "OutputDataConfig": ".models",
    "Page": ".models",
    "S3InputDataConfig": ".models",
    "S3OutputDataConfig": ".models",
    "VpcConfig": ".models",
}

__all__ = [
    "AccessDeniedException",
    "AsyncClient",
    "AsyncPageIterator",
    "BedrockPaginateError",
    "Client",
    "ClientClosedError",
    "ConfigError",
    "ConfigFileError",
    "CredentialRetrievalError",
    "DecodeError",
    "ExpiredTokenException",
    "FixtureMismatchError",
    "InputDataConfig",
    "InternalServerException",
    "InvalidStartingTokenError",
    "JobSummary",
    "NoCredentialsError",
    "NoRegionError",
    "OutputDataConfig",
    "Page",
    "PageIterator",
    "PaginationError",
    "ParamValidationError",
    "ProfileNotFoundError",
    "RegionListing",
    "S3InputDataConfig",
    "S3OutputDataConfig",
    "ServiceError",
    "ThrottlingException",
    "TransportError",
    "UnsupportedProfileError",
    "ValidationException",
    "VpcConfig",
    "__version__",
    "list_jobs_across_regions",
    "list_jobs_across_regions_sync",
    "sign_request",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bedrock_paginate' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
