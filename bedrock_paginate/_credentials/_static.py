"""Static keys: environment variables, the shared credentials file, the config file.

Providers ``env``, ``shared-credentials-file`` and ``config-file`` (see the package docstring
for the interface). None of them can refresh.
"""

from __future__ import annotations

from .._profiles import Profile
from ..errors import ConfigError
from ._options import Attempts, ChainOptions, env, plain_text
from ._value import Found, credentials_from, parse_expiration

__all__ = ["from_config_file", "from_credentials_file", "from_env", "static_keys"]


def from_env(options: ChainOptions, tried: Attempts) -> Found | None:
    if options.profile_from_code:
        tried.add("environment variables (skipped: a profile was named in code)")
        return None
    access_key = env(options, "AWS_ACCESS_KEY_ID")
    if access_key is None:
        tried.add("environment variables (AWS_ACCESS_KEY_ID is not set)")
        return None
    secret_key = env(options, "AWS_SECRET_ACCESS_KEY")
    if secret_key is None:
        raise ConfigError(
            "Partial credentials found in the environment: AWS_ACCESS_KEY_ID is set but "
            "AWS_SECRET_ACCESS_KEY is missing or empty"
        )
    token = env(options, "AWS_SECURITY_TOKEN") or env(options, "AWS_SESSION_TOKEN")
    expiry_text = env(options, "AWS_CREDENTIAL_EXPIRATION")
    expiration = None
    if expiry_text is not None:
        try:
            expiration = parse_expiration(expiry_text)
        except ValueError:
            raise ConfigError(
                "AWS_CREDENTIAL_EXPIRATION must be an ISO 8601 timestamp such as "
                "2030-01-01T00:00:00Z"
            ) from None
    creds = credentials_from(
        "environment variables",
        access_key=access_key,
        secret_key=secret_key,
        token=token,
        expiration=expiration,
        source="env",
    )
    return Found(credentials=creds)


def static_keys(section: Profile, *, where: str, source: str) -> Found | None:
    """Static keys from one profile section, or ``None`` when it has no access key."""
    access_key = plain_text(section.get("aws_access_key_id"), key="aws_access_key_id", where=where)
    if access_key is None:
        return None
    secret_key = plain_text(
        section.get("aws_secret_access_key"), key="aws_secret_access_key", where=where
    )
    if not access_key or not secret_key:
        missing = "aws_access_key_id" if not access_key else "aws_secret_access_key"
        raise ConfigError(f"Partial credentials found in {where}: {missing} is missing or empty")
    token = None
    for key in ("aws_security_token", "aws_session_token"):
        if key in section:
            token = plain_text(section[key], key=key, where=where) or None
            break
    return Found(
        credentials=credentials_from(
            where, access_key=access_key, secret_key=secret_key, token=token, source=source
        )
    )


def from_credentials_file(options: ChainOptions, tried: Attempts) -> Found | None:
    path = options.files.credentials_path
    where = f"profile {options.profile_name!r} of the shared credentials file {path}"
    section = options.files.credentials_profile(options.profile_name)
    found = (
        None
        if section is None
        else static_keys(section, where=where, source="shared-credentials-file")
    )
    if found is None:
        tried.add(f"shared credentials file {path} (no keys for profile {options.profile_name!r})")
    return found


def from_config_file(options: ChainOptions, tried: Attempts) -> Found | None:
    path = options.files.config_path
    where = f"profile {options.profile_name!r} of the config file {path}"
    section = options.files.config_profile(options.profile_name)
    found = None if section is None else static_keys(section, where=where, source="config-file")
    if found is None:
        tried.add(f"config file {path} (no keys for profile {options.profile_name!r})")
    return found
