"""bedrock-paginate: list Amazon Bedrock batch inference jobs without boto3.

Public names are imported lazily (on first attribute access) so that ``import bedrock_paginate``
costs almost nothing; ``from bedrock_paginate import Client`` loads only the client's path.
Neither loads asyncio, anyio, argparse, importlib.metadata or jmespath, nor ``cli``,
``fixtures``, ``testing``, ``_layer``, ``_regions`` or ``_output`` (``tests/test_import_rules.py``).

:data:`_EXPORTS` is the one table of the public surface: ``__all__``, the lazy loader and
``dir()`` read it. The ``TYPE_CHECKING`` imports below repeat it for type checkers (which cannot
run the loader); ``tests/test_public_api.py`` checks that both agree, that every name is
documented, and that every type a public method returns or raises is exported.

``__version__`` is the one place for the version: the build reads it from here
(``[tool.hatch.version]`` in ``pyproject.toml``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    # For type checkers only (``X as X`` re-exports): the same names as _EXPORTS, which a test
    # checks. (isort would split every ``X as X`` into its own statement.)
    # isort: off
    from ._client import (
        AsyncClient as AsyncClient,
        Client as Client,
        ClientMeta as ClientMeta,
    )
    from ._credentials._role_cache import JSONFileCache as JSONFileCache
    from ._pagination_shell import (
        AsyncPageIterator as AsyncPageIterator,
        AsyncPaginator as AsyncPaginator,
        PageIterator as PageIterator,
        Paginator as Paginator,
    )
    from ._job_models import (
        CreateJobResult as CreateJobResult,
        Job as Job,
        StopJobResult as StopJobResult,
    )
    from ._options import (
        ClientOptions as ClientOptions,
        ListJobsFilters as ListJobsFilters,
        ListJobsParams as ListJobsParams,
        PaginateParams as PaginateParams,
        PaginationOptions as PaginationOptions,
    )
    from ._regions import (
        AcrossRegionsOptions as AcrossRegionsOptions,
        RegionListing as RegionListing,
        list_jobs_across_regions as list_jobs_across_regions,
        list_jobs_across_regions_sync as list_jobs_across_regions_sync,
    )
    from ._sigv4 import (
        SignedHeaders as SignedHeaders,
        sign_request as sign_request,
    )
    from .errors import (
        AccessDeniedException as AccessDeniedException,
        BedrockPaginateError as BedrockPaginateError,
        ClientClosedError as ClientClosedError,
        ConfigError as ConfigError,
        ConfigFileError as ConfigFileError,
        ConflictException as ConflictException,
        CredentialRetrievalError as CredentialRetrievalError,
        DecodeError as DecodeError,
        ExpiredTokenException as ExpiredTokenException,
        InternalServerException as InternalServerException,
        InvalidStartingTokenError as InvalidStartingTokenError,
        NoCredentialsError as NoCredentialsError,
        NoRegionError as NoRegionError,
        PaginationError as PaginationError,
        ParamValidationError as ParamValidationError,
        ProfileNotFoundError as ProfileNotFoundError,
        ResourceNotFoundException as ResourceNotFoundException,
        ServiceError as ServiceError,
        ServiceQuotaExceededException as ServiceQuotaExceededException,
        StsError as StsError,
        ThrottlingException as ThrottlingException,
        TransportError as TransportError,
        UnsupportedProfileError as UnsupportedProfileError,
        ValidationException as ValidationException,
        WaiterError as WaiterError,
    )
    from .fixtures import FixtureMismatchError as FixtureMismatchError
    from .fixtures import FixtureWriteError as FixtureWriteError
    from .models import (
        InputDataConfig as InputDataConfig,
        JobSummary as JobSummary,
        OutputDataConfig as OutputDataConfig,
        Page as Page,
        ResponseMetadata as ResponseMetadata,
        S3InputDataConfig as S3InputDataConfig,
        S3OutputDataConfig as S3OutputDataConfig,
        VpcConfig as VpcConfig,
    )
    # isort: on

#: The public surface: every exported name and the module that defines it.
_EXPORTS: dict[str, str] = {
    # clients, paginators, page iterators
    "AsyncClient": "._client",
    "AsyncPageIterator": "._pagination_shell",
    "AsyncPaginator": "._pagination_shell",
    "Client": "._client",
    "ClientMeta": "._client",
    "PageIterator": "._pagination_shell",
    "Paginator": "._pagination_shell",
    # credentials
    "JSONFileCache": "._credentials._role_cache",
    # keyword-argument types
    "ClientOptions": "._options",
    "ListJobsFilters": "._options",
    "ListJobsParams": "._options",
    "PaginateParams": "._options",
    "PaginationOptions": "._options",
    # several regions at once
    "AcrossRegionsOptions": "._regions",
    "RegionListing": "._regions",
    "list_jobs_across_regions": "._regions",
    "list_jobs_across_regions_sync": "._regions",
    # signing
    "SignedHeaders": "._sigv4",
    "sign_request": "._sigv4",
    # errors
    "AccessDeniedException": ".errors",
    "BedrockPaginateError": ".errors",
    "ClientClosedError": ".errors",
    "ConfigError": ".errors",
    "ConfigFileError": ".errors",
    "ConflictException": ".errors",
    "CredentialRetrievalError": ".errors",
    "DecodeError": ".errors",
    "ExpiredTokenException": ".errors",
    "InternalServerException": ".errors",
    "InvalidStartingTokenError": ".errors",
    "NoCredentialsError": ".errors",
    "NoRegionError": ".errors",
    "PaginationError": ".errors",
    "ParamValidationError": ".errors",
    "ProfileNotFoundError": ".errors",
    "ResourceNotFoundException": ".errors",
    "ServiceError": ".errors",
    "ServiceQuotaExceededException": ".errors",
    "StsError": ".errors",
    "ThrottlingException": ".errors",
    "TransportError": ".errors",
    "UnsupportedProfileError": ".errors",
    "ValidationException": ".errors",
    "WaiterError": ".errors",
    "FixtureMismatchError": ".fixtures",
    "FixtureWriteError": ".fixtures",
    # results
    "InputDataConfig": ".models",
    "JobSummary": ".models",
    "OutputDataConfig": ".models",
    "Page": ".models",
    "ResponseMetadata": ".models",
    "S3InputDataConfig": ".models",
    "S3OutputDataConfig": ".models",
    "VpcConfig": ".models",
    # batch jobs (Get/Stop/CreateModelInvocationJob; loaded on first use)
    "CreateJobResult": "._job_models",
    "Job": "._job_models",
    "StopJobResult": "._job_models",
}

__all__ = [*_EXPORTS, "__version__"]


if not TYPE_CHECKING:  # type checkers see the imports above; a misspelled name stays an error

    def __getattr__(name: str) -> Any:
        module = _EXPORTS.get(name)
        if module is None:
            raise AttributeError(f"module 'bedrock_paginate' has no attribute {name!r}")
        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return __all__
