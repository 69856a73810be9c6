"""AWS credentials: the value, the default provider chain, and thread-safe refresh.

A client holds a :class:`CredentialResolver`: it walks the chain lazily on first use and
refreshes temporary credentials before they expire. The package is laid out so that each
credential source has a module of its own:

- ``_value``: :class:`Credentials` (the value the signer uses), ``Found`` (what a provider
  returns), the constructors that turn a source's answer into credentials (expiry parsed by
  ``_time``, the package's one timestamp module);
- ``_resolver``: :class:`CredentialResolver`, the refresh windows and the lock;
- ``_options``: :class:`ChainOptions` (everything the chain reads) and the shared readers;
- ``_chain``: the order below and the walk;
- providers: ``_static`` (environment, shared credentials file, config file keys),
  ``_assume_role``, ``_web_identity``, ``_sso`` (IAM Identity Center), ``_login``
  (``aws login``), ``_process``, ``_container``, ``_imds`` (see ``_chain`` for the order);
- ``_nested``: a nested client's call, one operation of another AWS service run on the
  project's engine and sync attempt loop (``_client.call_sync``) with the client's retry
  mode, TLS, timeouts and the environment's proxy; used by all of the following;
- for the STS providers: ``_sts`` (the query-protocol operations, endpoints, answers) and
  ``_role_cache`` (botocore's cache key, the AWS CLI's ``~/.aws/cli/cache``);
- for the SSO and login providers: ``_json_call`` (``GetRoleCredentials``, ``CreateToken``
  and Sign-In's ``CreateOAuth2Token`` as unsigned rest-json operations, and the call that turns
  a failure into a message naming the endpoint), ``_service_endpoints`` (botocore's configured
  endpoint lookup for another service and its generated hosts), ``_cache_files`` (the AWS
  CLI's JSON cache files, rewritten atomically, one refresh at a time per file).

**The provider interface.** A provider is a function
``(options: ChainOptions, tried: Attempts) -> Found | None``:

- it returns ``None`` when its source is not configured, after ``tried.add("...")`` with what it
  looked at (the ``NoCredentialsError`` message lists these);
- it returns ``Found(credentials, refresh)`` when its source is configured and answered:
  ``credentials.source`` names the provider (``env``, ``shared-credentials-file``,
  ``credential_process``, ``container``, ``imds``, ``assume-role``,
  ``assume-role-with-web-identity``, ``sso``, ``login``; logged at DEBUG, never a secret), and
  ``refresh`` is ``None`` for static keys or a function returning fresh credentials (called by
  the resolver, under its lock, before expiry);
- it raises a :class:`~bedrock_paginate.errors.ConfigError` subclass when its source is
  configured but unusable (the chain stops there, as botocore's does).

A provider imports what it needs beyond the standard library (``httpx``, ``subprocess``,
``cryptography``) inside its functions, and ``_chain`` imports provider modules only when the
walk reaches them, so the cold start does not pay for sources a user does not have.

The chain follows botocore 1.44's ``create_credential_resolver`` order (read, paraphrased):

1. environment: ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_SECURITY_TOKEN`` or
   ``AWS_SESSION_TOKEN`` / ``AWS_CREDENTIAL_EXPIRATION`` -- skipped when the profile was named
   in code (botocore's ``Session(profile=...)`` rule);
2. assume-role profile (``role_arn`` without ``web_identity_token_file``): ``source_profile``
   (resolved by steps 3-8 for that profile, or another role: chains of any length) or
   ``credential_source``; STS ``AssumeRole``;
3. web identity (``AWS_WEB_IDENTITY_TOKEN_FILE`` / ``AWS_ROLE_ARN`` unless the profile was named
   in code, else the profile's ``web_identity_token_file`` / ``role_arn``): STS
   ``AssumeRoleWithWebIdentity``, unsigned;
4. SSO profile (``sso_role_name`` / ``sso_account_id``): role credentials from IAM Identity
   Center with the token ``aws sso login`` cached (``_sso``);
5. shared credentials file (``[name]`` section, static keys);
6. ``aws login`` profile (``login_session``): the credentials ``aws login`` cached, refreshed
   with a DPoP proof when the ``[login]`` extra is installed (``_login``);
7. ``credential_process`` (from the merged profile): run without a shell, JSON ``Version: 1``;
8. config file static keys (``[profile name]`` / ``[default]``);
9. container credentials (``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` / ``_FULL_URI``);
10. EC2 instance metadata (IMDSv2 token, then IMDSv1 fallback unless disabled).

Every kind of botocore 1.44's default chain is supported. Steps 3 to 8 are botocore's
``ProfileProviderBuilder`` (``_chain.PROFILE_CHAIN``), which also resolves a ``source_profile``
(so a role can be assumed with SSO or ``aws login`` credentials). A profile with
``sso_session`` but no ``sso_account_id`` / ``sso_role_name`` is for tokens only: botocore
finds no credentials in it, and neither do we.

Not supported (legacy sources botocore still tries): ``AWS_CREDENTIAL_FILE`` and boto2's
``/etc/boto.cfg``.

No secret (secret key, session token, container authorization token, process output, web
identity token, MFA code, SSO access and refresh tokens, client secrets, DPoP keys and proofs)
ever appears in a message, a repr or a log line. Nothing of STS, SSO or login is imported
unless a profile needs it.
"""

from __future__ import annotations

from ._options import DEFAULT_PROCESS_TIMEOUT, ChainOptions, MfaPrompt, StsOptions
from ._resolver import ADVISORY_REFRESH_SECONDS, MANDATORY_REFRESH_SECONDS, CredentialResolver
from ._value import Credentials, Found, mask_access_key, parse_expiration, utc_now

__all__ = [
    "ADVISORY_REFRESH_SECONDS",
    "DEFAULT_PROCESS_TIMEOUT",
    "MANDATORY_REFRESH_SECONDS",
    "ChainOptions",
    "CredentialResolver",
    "Credentials",
    "Found",
    "MfaPrompt",
    "StsOptions",
    "mask_access_key",
    "parse_expiration",
    "utc_now",
]
