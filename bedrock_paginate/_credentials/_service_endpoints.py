"""Endpoints of the AWS services the SSO and login providers call (SSO portal, SSO-OIDC,
Sign-In), as botocore's nested clients resolve them, read from the *client's* profile.

* A configured endpoint (``_config.configured_service_endpoint``, the lookup STS uses too):
  unless ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` / ``ignore_configured_endpoint_urls``,
  ``AWS_ENDPOINT_URL_SSO`` / ``AWS_ENDPOINT_URL_SSO_OIDC`` / ``AWS_ENDPOINT_URL_SIGNIN``, then
  ``AWS_ENDPOINT_URL``, then ``endpoint_url`` under ``sso`` / ``sso_oidc`` / ``signin`` in the
  profile's ``[services NAME]`` section, then the profile's ``endpoint_url``.
* Else the generated host (botocore 1.43's ``endpoint-rule-set-1.json`` of ``sso``,
  ``sso-oidc`` and ``signin``, paraphrased): ``https://portal.sso.{region}.{dnsSuffix}`` /
  ``https://oidc.{region}.{dnsSuffix}`` (``-fips`` / dual-stack variants from
  ``AWS_USE_FIPS_ENDPOINT`` / ``AWS_USE_DUALSTACK_ENDPOINT`` or the profile; GovCloud's plain
  hosts are its FIPS ones), and Sign-In's per-partition ``https://{region}.signin.aws.amazon.com``
  family.

Pure apart from reading the (already parsed) shared files; imports nothing heavy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from .._endpoints import is_valid_region, partition_for_region
from ..errors import ConfigError
from ._options import client_view, setting

if TYPE_CHECKING:
    from ._options import ChainOptions

__all__ = ["ServiceEndpoint", "service_endpoint"]

#: service id -> ([services] key, also the AWS_ENDPOINT_URL_<KEY> suffix; host prefix or None)
_SERVICES = {
    "sso": ("sso", "portal.sso"),
    "sso-oidc": ("sso_oidc", "oidc"),
    "signin": ("signin", None),
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


def _flag(options: ChainOptions, env_name: str, key: str) -> bool:
    found = setting(options, env_name, key)
    if found is None:
        return False
    raw, where = found
    lowered = raw.strip().lower()
    if lowered not in ("true", "false"):
        raise ConfigError(f"{where} must be 'true' or 'false', not {raw!r}")
    return lowered == "true"


def _generated(options: ChainOptions, service: str, region: str, where: str) -> str:
    if not is_valid_region(region):
        raise ConfigError(f"{where} is {region!r}, which is not a region name such as 'us-east-1'")
    partition = partition_for_region(region)
    fips = _flag(options, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")
    dualstack = _flag(options, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")
    prefix = _SERVICES[service][1]
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

    Endpoint settings are read from the client's profile (:func:`client_view`), as botocore's
    nested clients do. ``region_origin`` names where the region came from, for errors. Raises
    ``ConfigError`` when a configured URL or the region is malformed.
    """
    from .._config import configured_service_endpoint

    view = client_view(options)
    configured = configured_service_endpoint(
        view.environ, view.files, view.profile_name, _SERVICES[service][0]
    )
    if configured is not None:
        return ServiceEndpoint(*configured)
    return ServiceEndpoint(_generated(view, service, region, region_origin), "generated")
