"""Endpoint resolution for ``bedrock`` and for STS (pure; no I/O).

This module owns the partition table and the rules of botocore's
``data/bedrock/2023-04-20/endpoint-rule-set-1.json`` (read from botocore 1.43, paraphrased):

* a region belongs to the first partition that lists it or whose ``regionRegex`` matches it,
  else to ``aws`` (so an unknown but well-formed region still gets an ``amazonaws.com`` host);
* ``https://bedrock.{region}.{dnsSuffix}`` by default,
  ``https://bedrock-fips.{region}.{dnsSuffix}`` with FIPS,
  ``https://bedrock.{region}.{dualStackDnsSuffix}`` with dual-stack,
  ``https://bedrock-fips.{region}.{dualStackDnsSuffix}`` with both;
  a partition that lacks FIPS or dual-stack support is an error;
* a custom endpoint switches FIPS and dual-stack off (botocore passes ``UseFIPS=False`` and
  ``UseDualStack=False`` whenever an endpoint URL is given) -- that rule lives in ``_config``.

STS (for assume-role and web identity credentials) follows botocore's
``data/sts/2011-06-15/endpoint-rule-set-1.json`` and ``args.py`` (:func:`resolve_sts_endpoint`):
``https://sts.{region}.{dnsSuffix}`` (``sts-fips`` with FIPS, except in ``aws-us-gov`` where FIPS
is the plain host; the dual-stack suffix with dual-stack); ``aws-global`` and, with
``sts_regional_endpoints = legacy``, the sixteen legacy regions go to the global
``https://sts.amazonaws.com`` signed for ``us-east-1``. botocore 1.43+ defaults to ``regional``.

Also here: region-name validation (botocore's ``validate_region_name``: a DNS host label, not
all digits) and botocore's FIPS pseudo-regions (``fips-us-east-1``, ``us-east-1-fips``), which
stand for the real region with FIPS switched on.

Imports nothing from the package but ``errors``.
"""

from __future__ import annotations

import re

import attrs

from .errors import ParamValidationError

__all__ = [
    "PARTITIONS",
    "Partition",
    "is_valid_region",
    "normalize_fips_region",
    "partition_for_region",
    "resolve_endpoint",
    "resolve_sts_endpoint",
]


@attrs.frozen(kw_only=True)
class Partition:
    """One AWS partition as ``partitions.json`` describes it."""

    name: str
    region_regex: re.Pattern[str]
    regions: frozenset[str]
    dns_suffix: str
    dual_stack_dns_suffix: str
    supports_fips: bool = True
    supports_dual_stack: bool = True

    def matches(self, region: str) -> bool:
        """Whether ``region`` belongs to this partition (listed, or matching the regex)."""
        return region in self.regions or self.region_regex.match(region) is not None


def _partition(
    name: str, regex: str, dns: str, dual: str, regions: tuple[str, ...] = ()
) -> Partition:
    return Partition(
        name=name,
        region_regex=re.compile(regex),
        regions=frozenset(regions),
        dns_suffix=dns,
        dual_stack_dns_suffix=dual,
    )


#: The partitions in botocore's order (first match wins; ``aws`` is the fallback). Only the
#: listed regions that the regex does not already match are spelled out (the ``*-global`` ones).
PARTITIONS: tuple[Partition, ...] = (
    _partition(
        "aws",
        r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        "amazonaws.com",
        "api.aws",
        ("aws-global",),
    ),
    _partition(
        "aws-cn",
        r"^cn\-\w+\-\d+$",
        "amazonaws.com.cn",
        "api.amazonwebservices.com.cn",
        ("aws-cn-global",),
    ),
    _partition(
        "aws-eusc",
        r"^eusc\-(de)\-\w+\-\d+$",
        "amazonaws.eu",
        "api.amazonwebservices.eu",
    ),
    _partition(
        "aws-iso",
        r"^us\-iso\-\w+\-\d+$",
        "c2s.ic.gov",
        "api.aws.ic.gov",
        ("aws-iso-global",),
    ),
    _partition(
        "aws-iso-b",
        r"^us\-isob\-\w+\-\d+$",
        "sc2s.sgov.gov",
        "api.aws.scloud",
        ("aws-iso-b-global",),
    ),
    _partition(
        "aws-iso-e",
        r"^eu\-isoe\-\w+\-\d+$",
        "cloud.adc-e.uk",
        "api.cloud-aws.adc-e.uk",
        ("aws-iso-e-global",),
    ),
    _partition(
        "aws-iso-f",
        r"^us\-isof\-\w+\-\d+$",
        "csp.hci.ic.gov",
        "api.aws.hci.ic.gov",
        ("aws-iso-f-global",),
    ),
    _partition(
        "aws-us-gov",
        r"^us\-gov\-\w+\-\d+$",
        "amazonaws.com",
        "api.aws",
        ("aws-us-gov-global",),
    ),
)

# A DNS host label (letters, digits, hyphens; 1-63; no leading/trailing hyphen), not all digits.
_REGION_RE = re.compile(r"(?![0-9]+\Z)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)")


def is_valid_region(region: str) -> bool:
    """Whether ``region`` can be used as a host label (botocore's ``validate_region_name``)."""
    return _REGION_RE.fullmatch(region) is not None


def normalize_fips_region(region: str) -> tuple[str, bool]:
    """Strip botocore's FIPS pseudo-region markers: ``(region, True)`` if there were any.

    Like botocore, every ``fips-`` and ``-fips`` is removed wherever it appears.
    """
    normalized = region.replace("fips-", "").replace("-fips", "")
    return normalized, normalized != region


def partition_for_region(region: str) -> Partition:
    """The partition ``region`` belongs to (``aws`` when none matches)."""
    for partition in PARTITIONS:
        if partition.matches(region):
            return partition
    return PARTITIONS[0]


def _checked_partition(
    region: str, use_fips: bool, use_dualstack: bool, *, service: str
) -> Partition:
    """The partition of a valid ``region`` that offers the variant asked for, or a
    ``ParamValidationError`` saying what is wrong (``service`` qualifies the region)."""
    if not is_valid_region(region):
        raise ParamValidationError(
            f"Invalid region name {region!r}{service}: a region is a DNS label of letters, "
            "digits and hyphens such as 'us-east-1' (1 to 63 characters, not starting or "
            "ending with '-')",
            param="region_name",
        )
    partition = partition_for_region(region)
    if use_fips and not partition.supports_fips:
        raise ParamValidationError(
            f"FIPS is enabled but partition {partition.name} does not support FIPS",
            param="use_fips_endpoint",
        )
    if use_dualstack and not partition.supports_dual_stack:
        raise ParamValidationError(
            f"Dual-stack is enabled but partition {partition.name} does not support it",
            param="use_dualstack_endpoint",
        )
    return partition


def resolve_endpoint(region: str, *, use_fips: bool = False, use_dualstack: bool = False) -> str:
    """The ``https://`` endpoint of Bedrock in ``region`` (no trailing slash).

    Raises ``ParamValidationError`` when ``region`` is not a valid host label, or when the
    region's partition does not offer the FIPS / dual-stack variant asked for.
    """
    partition = _checked_partition(region, use_fips, use_dualstack, service="")
    prefix = "bedrock-fips" if use_fips else "bedrock"
    suffix = partition.dual_stack_dns_suffix if use_dualstack else partition.dns_suffix
    return f"https://{prefix}.{region}.{suffix}"


#: Regions whose STS calls go to the global endpoint with ``sts_regional_endpoints = legacy``
#: (botocore's ``LEGACY_GLOBAL_STS_REGIONS``).
LEGACY_GLOBAL_STS_REGIONS = frozenset(
    {
        "ap-northeast-1",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "aws-global",
        "ca-central-1",
        "eu-central-1",
        "eu-north-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)
_STS_GLOBAL = "https://sts.amazonaws.com"


def resolve_sts_endpoint(
    region: str, *, use_fips: bool = False, use_dualstack: bool = False, legacy: bool = False
) -> tuple[str, str]:
    """``(endpoint URL, signing region)`` of STS for ``region``.

    ``legacy`` is ``sts_regional_endpoints = legacy``: the legacy regions (and ``aws-global``
    always) use the global endpoint, signed for ``us-east-1``, unless FIPS or dual-stack is on.
    Raises ``ParamValidationError`` as :func:`resolve_endpoint` does.
    """
    partition = _checked_partition(region, use_fips, use_dualstack, service=" for STS")
    plain = not use_fips and not use_dualstack
    if plain and (region == "aws-global" or (legacy and region in LEGACY_GLOBAL_STS_REGIONS)):
        return _STS_GLOBAL, "us-east-1"
    if use_fips and not use_dualstack and partition.name == "aws-us-gov":
        return f"https://sts.{region}.amazonaws.com", region
    prefix = "sts-fips" if use_fips else "sts"
    suffix = partition.dual_stack_dns_suffix if use_dualstack else partition.dns_suffix
    return f"https://{prefix}.{region}.{suffix}", region
