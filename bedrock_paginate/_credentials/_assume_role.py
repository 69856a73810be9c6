"""Assume-role profiles (``role_arn``): botocore's ``AssumeRoleProvider`` (method ``assume-role``).

A profile with ``role_arn`` (and no ``web_identity_token_file``) gets its source credentials
from exactly one of:

- ``source_profile``: another profile, of any kind. A profile with static keys, or without
  ``role_arn``, is resolved by the profile providers (web identity, SSO, shared credentials
  file, ``aws login``, ``credential_process``, config file keys; environment skipped); a
  profile with ``role_arn`` and no static keys assumes its own role first, so chains can be
  of any length. A profile may name itself when it holds static keys (they are the source); any
  other repetition is a cycle, an error naming every profile in it.
- ``credential_source``: ``Environment``, ``Ec2InstanceMetadata`` or ``EcsContainer`` (any case).

Both or neither is an error naming the profile, as in botocore. Then ``AssumeRole`` is called
(``_sts``) with ``RoleArn``, ``RoleSessionName`` (``role_session_name``, else botocore's
``botocore-session-<epoch seconds>``), ``ExternalId`` (``external_id``), ``SerialNumber`` and
``TokenCode`` (``mfa_serial`` and the code ``ChainOptions.mfa_prompt`` returns; without a
prompt, a clear error before any STS call) and ``DurationSeconds`` (``duration_seconds``, ignored
when not a whole number, as botocore). Answers are cached (``_role_cache``) under botocore's key.

Credentials assumed with MFA cannot be refreshed without a new code: as botocore, refreshing
them raises (the listing's error carries its resume token).
"""

from __future__ import annotations

import logging
from typing import Any

import attrs

from ..errors import ConfigError, CredentialRetrievalError
from ._options import Attempts, ChainOptions
from ._resolver import CredentialResolver
from ._value import Credentials, Found

__all__ = ["METHOD", "default_session_name", "from_assume_role"]

logger = logging.getLogger(__name__)

METHOD = "assume-role"
_STATIC_KEYS = ("aws_access_key_id", "aws_secret_access_key")
#: botocore's canonical names of ``credential_source`` providers, by lower-cased name.
_NAMED_SOURCES = {
    "environment": "Environment",
    "ec2instancemetadata": "Ec2InstanceMetadata",
    "ecscontainer": "EcsContainer",
}


@attrs.frozen(kw_only=True)
class _RoleConfig:
    role_arn: str
    source_profile: str | None
    credential_source: str | None
    role_session_name: str | None
    external_id: str | None
    mfa_serial: str | None
    duration_seconds: int | None


def default_session_name(options: ChainOptions) -> str:
    """botocore's ``botocore-session-<int(time.time())>``."""
    return f"botocore-session-{int(options.now().timestamp())}"


def _profile(options: ChainOptions, name: str) -> dict[str, Any]:
    return dict(options.files.profile(name) or {})


def _text(profile: dict[str, Any], key: str, name: str) -> str | None:
    value = profile.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ConfigError(f"{key} in profile {name!r} must be a plain value, not a sub-section")


def _has_static_keys(profile: dict[str, Any]) -> bool:
    return any(key in profile for key in _STATIC_KEYS)


def _is_role_profile(profile: dict[str, Any]) -> bool:
    return "role_arn" in profile and "web_identity_token_file" not in profile


def _duration(text: str | None, name: str) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        logger.debug("Ignoring duration_seconds of profile %r: not a whole number", name)
        return None


def _role_config(options: ChainOptions, name: str, visited: list[str]) -> _RoleConfig:
    """The role settings of profile ``name``, validated as botocore's ``_get_role_config``."""
    profile = _profile(options, name)
    source_profile = _text(profile, "source_profile", name)
    credential_source = _text(profile, "credential_source", name)
    if source_profile is not None and credential_source is not None:
        raise ConfigError(
            f'The profile "{name}" contains both source_profile and credential_source; '
            "an assume-role profile takes its source credentials from exactly one of them"
        )
    if source_profile is None and credential_source is None:
        raise ConfigError(
            f'The profile "{name}" sets role_arn but neither source_profile nor '
            "credential_source: set source_profile to the profile whose credentials assume "
            "the role, or credential_source to Environment, Ec2InstanceMetadata or EcsContainer"
        )
    if credential_source is not None and credential_source.lower() not in _NAMED_SOURCES:
        raise ConfigError(
            f'The credential source "{credential_source}" referenced in profile "{name}" is not '
            f"valid; allowed: {', '.join(_NAMED_SOURCES.values())}"
        )
    if source_profile is not None:
        _check_source_profile(options, name, source_profile, visited)
    return _RoleConfig(
        role_arn=_text(profile, "role_arn", name) or "",
        source_profile=source_profile,
        credential_source=credential_source,
        role_session_name=_text(profile, "role_session_name", name),
        external_id=_text(profile, "external_id", name),
        mfa_serial=_text(profile, "mfa_serial", name),
        duration_seconds=_duration(_text(profile, "duration_seconds", name), name),
    )


def _check_source_profile(
    options: ChainOptions, parent: str, source: str, visited: list[str]
) -> None:
    """botocore's ``_validate_source_profile``: it exists, and is no cycle."""
    if options.files.profile(source) is None:
        raise ConfigError(
            f'The source_profile "{source}" referenced in the profile "{parent}" does not exist '
            f"in {options.files.config_path} or {options.files.credentials_path}"
        )
    if source not in visited:
        return
    # A profile may name itself to use its own static keys; nothing else may repeat.
    if source == parent and _has_static_keys(_profile(options, source)):
        return
    cycle = " -> ".join([*visited, source])
    raise ConfigError(
        f"Infinite loop in the source_profile chain of profile {visited[0]!r}: {cycle} "
        f"(profile {source!r} was already visited). A profile may name itself only when it "
        "holds static keys."
    )


def _named_source(options: ChainOptions, name: str, source: str) -> Found:
    """The credentials of a ``credential_source`` (botocore's canonical-name sourcer)."""
    canonical = _NAMED_SOURCES[source.lower()]
    tried = Attempts()
    found: Found | None
    if canonical == "Environment":
        from ._static import from_env

        # botocore's sourcer keeps its own environment provider, even for a named profile.
        found = from_env(attrs.evolve(options, profile_from_code=False), tried)
    elif canonical == "EcsContainer":
        from ._container import from_container

        found = from_container(options, tried)
    else:
        from ._imds import from_imds

        found = from_imds(options, tried)
    if found is None:
        raise CredentialRetrievalError(
            f"No credentials found in credential_source {canonical} referenced in profile "
            f"{name!r} ({'; '.join(tried.notes)})"
        )
    return found


def _source_credentials(
    options: ChainOptions, name: str, config: _RoleConfig, visited: list[str]
) -> Found:
    if config.credential_source is not None:
        return _named_source(options, name, config.credential_source)
    source = config.source_profile
    assert source is not None
    visited.append(source)
    profile = _profile(options, source)
    if _has_static_keys(profile) or not _is_role_profile(profile):
        from ._chain import walk_profile_chain

        tried = Attempts()
        found = walk_profile_chain(options.for_source_profile(source), tried)
        if found is None:
            raise ConfigError(
                f'The source profile "{source}" of profile "{name}" must have credentials '
                f"({'; '.join(tried.notes)})"
            )
        return found
    return _assume(options, source, visited)


def _mfa_code(options: ChainOptions, name: str, serial: str) -> str:
    prompt = options.mfa_prompt
    if prompt is None:
        raise ConfigError(
            f"Profile {name!r} needs an MFA code (mfa_serial = {serial}) and nothing can ask "
            "for one: pass mfa_prompt= to the client (a function returning the code), or run "
            "the command line on a terminal"
        )
    code = prompt(f"Enter MFA code for {serial}: ")
    if not isinstance(code, str):
        raise ConfigError(f"The MFA prompt for profile {name!r} did not return a string")
    return code.strip()


def _assume(options: ChainOptions, name: str, visited: list[str]) -> Found:
    """Assume the role of profile ``name`` (recursively through its source profiles)."""
    from ._role_cache import cache_key, cached_answer
    from ._sts import ASSUME_ROLE, answer_dict, call_sts, credentials_from_answer, sts_endpoint

    config = _role_config(options, name, visited)
    source = _source_credentials(options, name, config, visited)
    source_resolver = CredentialResolver(lambda: source, now=options.now)
    arguments: dict[str, Any] = {"RoleArn": config.role_arn}
    if config.role_session_name is not None:
        arguments["RoleSessionName"] = config.role_session_name
    if config.external_id is not None:
        arguments["ExternalId"] = config.external_id
    if config.mfa_serial is not None:
        arguments["SerialNumber"] = config.mfa_serial
    if config.duration_seconds is not None:
        arguments["DurationSeconds"] = config.duration_seconds
    key = cache_key(arguments)  # a generated session name is not part of the key (botocore)
    params = {k: str(v) for k, v in arguments.items()}
    params.setdefault("RoleSessionName", default_session_name(options))
    what = f"Profile {name!r}: assuming role {config.role_arn}"
    endpoint = sts_endpoint(options)

    def fetch_answer() -> dict[str, Any]:
        sent = dict(params)
        secrets: tuple[str, ...] = ()
        if config.mfa_serial is not None:
            sent["TokenCode"] = _mfa_code(options, name, config.mfa_serial)
            secrets = (sent["TokenCode"],)
        signing = source_resolver.get()
        logger.debug(
            "assume-role: profile %r assumes %s with %s credentials",
            name,
            config.role_arn,
            signing.source,
        )
        answer = call_sts(
            options,
            endpoint,
            ASSUME_ROLE,
            sent,
            source=source_resolver,
            secrets=secrets,
            context=what,
        )
        return answer_dict(answer, what, options.now())

    def fetch() -> Credentials:
        answer = cached_answer(options.role_cache, key, fetch_answer, options.now)
        return credentials_from_answer(answer, source=METHOD, what=what)

    credentials = fetch()
    if config.mfa_serial is None:
        return Found(credentials=credentials, refresh=fetch)

    def refuse_refresh() -> Credentials:
        raise CredentialRetrievalError(
            f"{what}: the credentials were assumed with an MFA code and cannot be refreshed "
            "without a new one; run again to enter a new code"
        )

    return Found(credentials=credentials, refresh=refuse_refresh)


def from_assume_role(options: ChainOptions, tried: Attempts) -> Found | None:
    """The provider (the chain calls it only for a profile with ``role_arn``)."""
    return _assume(options, options.profile_name, [options.profile_name])
