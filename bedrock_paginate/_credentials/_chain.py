"""The default credential chain: which providers run, in botocore's order, and the walk.

The order is botocore 1.44's ``create_credential_resolver`` (see the package docstring); each
entry is a provider. :data:`PROFILE_CHAIN` is botocore's ``ProfileProviderBuilder``: the
providers that read one profile, run again (environment skipped) for an assume-role
``source_profile``.

Providers that need more than the standard library (``httpx``, ``subprocess``, STS, SSO,
``cryptography``) live in modules imported only when the walk reaches them and the profile needs
them, so a client that finds environment credentials imports none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..errors import NoCredentialsError
from ._options import Attempts, ChainOptions, chain_profile, env
from ._static import from_config_file, from_credentials_file, from_env
from ._value import Found

__all__ = ["CHAIN", "PROFILE_CHAIN", "Provider", "walk_chain", "walk_profile_chain"]

logger = logging.getLogger(__name__)

#: A credential provider: what it found, or ``None`` to let the next one try.
Provider = Callable[[ChainOptions, Attempts], Found | None]


def _assume_role(options: ChainOptions, tried: Attempts) -> Found | None:
    profile = chain_profile(options)
    if "role_arn" not in profile or "web_identity_token_file" in profile:
        extra = [k for k in ("source_profile", "credential_source") if k in profile]
        tried.add(
            f"assume-role (no role_arn in profile {options.profile_name!r}"
            + (f"; its {' and '.join(extra)} applies only with role_arn" if extra else "")
            + ")"
        )
        return None
    from ._assume_role import from_assume_role

    return from_assume_role(options, tried)


def _web_identity(options: ChainOptions, tried: Attempts) -> Found | None:
    in_env = not options.profile_from_code and env(options, "AWS_WEB_IDENTITY_TOKEN_FILE")
    if not in_env and not chain_profile(options).get("web_identity_token_file"):
        tried.add("web identity (no AWS_WEB_IDENTITY_TOKEN_FILE or web_identity_token_file)")
        return None
    from ._web_identity import from_web_identity

    return from_web_identity(options, tried)


def _sso(options: ChainOptions, tried: Attempts) -> Found | None:
    profile = chain_profile(options)
    if "sso_role_name" not in profile and "sso_account_id" not in profile:
        tried.add(f"SSO (profile {options.profile_name!r} sets no sso_role_name/sso_account_id)")
        return None
    from ._sso import from_sso

    return from_sso(options, tried)


def _login(options: ChainOptions, tried: Attempts) -> Found | None:
    if "login_session" not in chain_profile(options):
        tried.add(f"aws login (profile {options.profile_name!r} sets no login_session)")
        return None
    from ._login import from_login

    return from_login(options, tried)


def _process(options: ChainOptions, tried: Attempts) -> Found | None:
    from ._process import from_process

    return from_process(options, tried)


def _container(options: ChainOptions, tried: Attempts) -> Found | None:
    from ._container import from_container

    return from_container(options, tried)


def _imds(options: ChainOptions, tried: Attempts) -> Found | None:
    from ._imds import from_imds

    return from_imds(options, tried)


#: botocore's ``ProfileProviderBuilder.providers``: what one profile can hold.
PROFILE_CHAIN: tuple[Provider, ...] = (
    _web_identity,
    _sso,
    from_credentials_file,
    _login,
    _process,
    from_config_file,
)

#: botocore's default chain: explicit arguments are handled before it (``_config``).
CHAIN: tuple[Provider, ...] = (
    from_env,
    _assume_role,
    *PROFILE_CHAIN,
    _container,
    _imds,
)


def walk_profile_chain(options: ChainOptions, tried: Attempts) -> Found | None:
    """The first credentials the providers of ``options.profile_name`` find, or ``None``."""
    for step in PROFILE_CHAIN:
        found = step(options, tried)
        if found is not None:
            return found
    return None


#: What each ``Credentials.source`` of the chain is, in words (for ``--debug``).
_SOURCE_NAMES = {
    "env": "environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
    "shared-credentials-file": "the shared credentials file",
    "config-file": "static keys in the config file",
    "sso": "IAM Identity Center role credentials (the aws sso login token)",
    "login": "the aws login session",
    "credential_process": "the profile's credential_process",
    "container": "container credentials",
    "imds": "EC2 instance metadata",
}


def walk_chain(options: ChainOptions) -> Found:
    """The first credentials the default chain finds; raises when there are none."""
    tried = Attempts()
    for step in CHAIN:
        found = step(options, tried)
        if found is not None:
            source = found.credentials.source
            described = f": {_SOURCE_NAMES[source]}" if source in _SOURCE_NAMES else ""
            logger.debug(
                "Credentials found: %s (profile %r)%s", source, options.profile_name, described
            )
            return found
    raise NoCredentialsError(
        "Unable to locate credentials. Tried: "
        + "; ".join(tried.notes)
        + ". Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure`, "
        "or choose a profile with --profile / AWS_PROFILE."
    )
