"""Endpoints of the AWS services a credential provider calls (SSO portal, SSO-OIDC, Sign-In).

This module owns botocore's *configured endpoint* lookup for a service other than Bedrock and
the generated default endpoints of those services (read from botocore 1.43's
``endpoint-rule-set-1.json`` of ``sso``, ``sso-oidc`` and ``signin``, paraphrased):

* unless ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` / profile ``ignore_configured_endpoint_urls``
  is true: ``AWS_ENDPOINT_URL_<SERVICE ID>`` (``AWS_ENDPOINT_URL_SSO``,
  ``AWS_ENDPOINT_URL_SSO_OIDC``, ``AWS_ENDPOINT_URL_SIGNIN``), then ``AWS_ENDPOINT_URL``, then
  ``endpoint_url`` under ``sso`` / ``sso_oidc`` / ``signin`` in the profile's ``[services NAME]``
  section, then the profile's ``endpoint_url``;
* else ``https://portal.sso.{region}.{dnsSuffix}`` / ``https://oidc.{region}.{dnsSuffix}``
  (``-fips`` / dual-stack variants from ``AWS_USE_FIPS_ENDPOINT`` /
  ``AWS_USE_DUALSTACK_ENDPOINT`` or the profile, as botocore's nested clients read them), and
  for Sign-In the per-partition ``https://{region}.signin.aws.amazon.com`` family.

Pure apart from reading the (already parsed) shared files; imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from .._endpoints import is_valid_region, partition_for_region
from ..errors import ConfigError, ParamValidationError
from ._options import chain_profile, env, plain_text, setting

if TYPE_CHECKING:
    from ._options import ChainOptions

__all__ = ["ServiceEndpoint", "service_endpoint"]

#: service id -> (environment suffix, [services] key, host prefix or None for Sign-In)
_SERVICES = {
    "sso": ("SSO", "sso", "portal.sso"),
    "sso-oidc": ("SSO_OIDC", "sso_oidc", "oidc"),
    "signin": ("SIGNIN", "signin", None),
}

#: Sign-In's own host names per partition (``{region}.signin.<suffix>``).
_SIGNIN_SUFFIX = {
    "aws": "aws.amazon.com",
    "aws-cn": "amazonaws.cn",
    "aws-us-gov": "amazonaws-us-gov.com",
    "aws-iso": "c2shome.ic.gov",
    "aws-iso-b": "sc2shome.sgov.gov",
    "aws-iso-f": "csphome.hci.ic.gov",
    "aws-iso-e": "csphome.adc-e.uk",
    "aws-eusc": "amazonaws-eusc.eu",
}


class ServiceEndpoint(NamedTuple):
    """A service's base URL (no trailing slash) and where it came from (``generated``, or the
    variable / profile key that configured it)."""

    url: str
    origin: str


def _profile_text(options: ChainOptions, key: str) -> str | None:
    where = f"profile {options.profile_name!r}"
    return plain_text(chain_profile(options).get(key), key=key, where=where) or None


def _flag(options: ChainOptions, env_name: str, key: str) -> bool:
    found = setting(options, env_name, key)
    if found is None:
        return False
    raw, where = found
    lowered = raw.strip().lower()
    if lowered not in ("true", "false"):
        raise ConfigError(f"{where} must be 'true' or 'false', not {raw!r}")
    return lowered == "true"


def _services_url(options: ChainOptions, key: str) -> tuple[str, str] | None:
    name = _profile_text(options, "services")
    if name is None:
        return None
    section = options.files.services(name)
    if section is None:
        raise ConfigError(
            f"Profile {options.profile_name!r} uses services = {name}, but there is no "
            f"[services {name}] section in {options.files.config_path}"
        )
    block = section.get(key)
    if block is None:
        return None
    if isinstance(block, str):
        raise ConfigError(
            f"{key} in [services {name}] must be an indented block such as '{key} =' "
            "followed by '  endpoint_url = https://...'"
        )
    url = block.get("endpoint_url")
    return (url, f"endpoint_url under {key} in [services {name}]") if url else None


def _configured(options: ChainOptions, service: str) -> tuple[str, str] | None:
    if _flag(options, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls"):
        return None
    suffix, key, _ = _SERVICES[service]
    for name in (f"AWS_ENDPOINT_URL_{suffix}", "AWS_ENDPOINT_URL"):
        value = env(options, name)
        if value is not None:
            return value, name
    found = _services_url(options, key)
    if found is not None:
        return found
    value = _profile_text(options, "endpoint_url")
    return None if value is None else (value, f"endpoint_url in profile {options.profile_name!r}")


def _generated(options: ChainOptions, service: str, region: str, where: str) -> str:
    if not is_valid_region(region):
        raise ConfigError(f"{where} is {region!r}, which is not a region name such as 'us-east-1'")
    partition = partition_for_region(region)
    fips = _flag(options, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")
    dualstack = _flag(options, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")
    prefix = _SERVICES[service][2]
    if prefix is None:  # Sign-In: its own host names unless FIPS / dual-stack
        if not fips and not dualstack and partition.name in _SIGNIN_SUFFIX:
            return f"https://{region}.signin.{_SIGNIN_SUFFIX[partition.name]}"
        if fips and not dualstack and region == "us-gov-west-1":
            return "https://signin-fips.amazonaws-us-gov.com"
        if fips and not dualstack and partition.name == "aws-us-gov":
            return f"https://{region}.signin-fips.amazonaws-us-gov.com"
        prefix = "signin"
    suffix = partition.dual_stack_dns_suffix if dualstack else partition.dns_suffix
    if fips and not dualstack and partition.name == "aws-us-gov" and service != "signin":
        return f"https://{prefix}.{region}.amazonaws.com"  # GovCloud's plain hosts are FIPS
    return f"https://{prefix}{'-fips' if fips else ''}.{region}.{suffix}"


def service_endpoint(
    options: ChainOptions, service: str, *, region: str, region_origin: str
) -> ServiceEndpoint:
    """The base URL of ``service`` (``"sso"``, ``"sso-oidc"`` or ``"signin"``) in ``region``.

    ``region_origin`` names where the region came from, for errors. Raises ``ConfigError``
    when a configured URL or the region is malformed.
    """
    configured = _configured(options, service)
    if configured is None:
        url = _generated(options, service, region, region_origin)
        return ServiceEndpoint(url, "generated")
    from .._config import validate_endpoint_url

    text, origin = configured
    try:
        return ServiceEndpoint(validate_endpoint_url(text, origin=origin), origin)
    except ParamValidationError as exc:
        raise ConfigError(exc.message) from None
