"""The default credential chain: which providers run, in botocore's order, and the walk.

The order is botocore 1.44's ``create_credential_resolver`` (see the package docstring); each
entry is a provider. Providers that need more than the standard library (``httpx``,
``subprocess``) live in modules imported only when the walk reaches them, so a client that
finds environment credentials imports none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..errors import NoCredentialsError
from ._options import Attempts, ChainOptions
from ._static import from_config_file, from_credentials_file, from_env
from ._unsupported import (
    check_assume_role,
    check_login,
    check_sso,
    check_web_identity,
    hint_unsupported,
)
from ._value import Found

__all__ = ["CHAIN", "Provider", "walk_chain"]

logger = logging.getLogger(__name__)

#: A credential provider: what it found, or ``None`` to let the next one try.
Provider = Callable[[ChainOptions, Attempts], Found | None]


def _process(options: ChainOptions, tried: Attempts) -> Found | None:
    from ._process import from_process

    return from_process(options, tried)


def _container(options: ChainOptions, tried: Attempts) -> Found | None:
    from ._container import from_container

    return from_container(options, tried)


def _imds(options: ChainOptions, tried: Attempts) -> Found | None:
    from ._imds import from_imds

    return from_imds(options, tried)


CHAIN: tuple[Provider, ...] = (
    from_env,
    check_assume_role,
    check_web_identity,
    check_sso,
    from_credentials_file,
    check_login,
    _process,
    from_config_file,
    _container,
    _imds,
)


def walk_chain(options: ChainOptions) -> Found:
    """The first credentials the default chain finds; raises when there are none."""
    tried = Attempts()
    for step in CHAIN:
        found = step(options, tried)
        if found is not None:
            logger.debug("Credentials found: %s", found.credentials.source)
            return found
    hint = hint_unsupported(options)
    if hint is not None:
        raise hint
    raise NoCredentialsError(
        "Unable to locate credentials. Tried: "
        + "; ".join(tried.notes)
        + ". Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure`, "
        "or choose a profile with --profile / AWS_PROFILE."
    )
