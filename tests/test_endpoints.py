"""Endpoint resolution for bedrock (bedrock_paginate._endpoints)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate import _endpoints
from bedrock_paginate._endpoints import (
    PARTITIONS,
    Partition,
    is_valid_region,
    normalize_fips_region,
    partition_for_region,
    resolve_endpoint,
)
from bedrock_paginate.errors import ParamValidationError

# Expected URLs follow botocore 1.43's endpoint-rule-set-1.json for bedrock and partitions.json
# (and match the URLs botocore actually sends requests to).
CASES = [
    ("us-east-1", False, False, "https://bedrock.us-east-1.amazonaws.com"),
    ("us-east-1", True, False, "https://bedrock-fips.us-east-1.amazonaws.com"),
    ("us-east-1", False, True, "https://bedrock.us-east-1.api.aws"),
    ("us-east-1", True, True, "https://bedrock-fips.us-east-1.api.aws"),
    ("eu-west-1", False, False, "https://bedrock.eu-west-1.amazonaws.com"),
    ("cn-north-1", False, False, "https://bedrock.cn-north-1.amazonaws.com.cn"),
    ("cn-north-1", False, True, "https://bedrock.cn-north-1.api.amazonwebservices.com.cn"),
    ("us-gov-west-1", False, False, "https://bedrock.us-gov-west-1.amazonaws.com"),
    ("us-gov-west-1", True, False, "https://bedrock-fips.us-gov-west-1.amazonaws.com"),
    ("us-gov-west-1", True, True, "https://bedrock-fips.us-gov-west-1.api.aws"),
    ("us-iso-east-1", False, False, "https://bedrock.us-iso-east-1.c2s.ic.gov"),
    ("us-iso-east-1", False, True, "https://bedrock.us-iso-east-1.api.aws.ic.gov"),
    ("us-isob-east-1", False, False, "https://bedrock.us-isob-east-1.sc2s.sgov.gov"),
    ("us-isob-east-1", True, True, "https://bedrock-fips.us-isob-east-1.api.aws.scloud"),
    ("eu-isoe-west-1", False, False, "https://bedrock.eu-isoe-west-1.cloud.adc-e.uk"),
    ("us-isof-south-1", False, False, "https://bedrock.us-isof-south-1.csp.hci.ic.gov"),
    ("eusc-de-east-1", False, False, "https://bedrock.eusc-de-east-1.amazonaws.eu"),
    ("eusc-de-east-1", False, True, "https://bedrock.eusc-de-east-1.api.amazonwebservices.eu"),
    ("aws-global", False, False, "https://bedrock.aws-global.amazonaws.com"),
    ("aws-us-gov-global", False, False, "https://bedrock.aws-us-gov-global.amazonaws.com"),
    ("xx-mars-1", False, False, "https://bedrock.xx-mars-1.amazonaws.com"),
]


@pytest.mark.parametrize(("region", "fips", "dualstack", "url"), CASES)
def test_endpoint_per_partition_and_variant(
    region: str, fips: bool, dualstack: bool, url: str
) -> None:
    """Each partition / FIPS / dual-stack combination gives the rule set's URL."""
    assert resolve_endpoint(region, use_fips=fips, use_dualstack=dualstack) == url


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-west-2", "aws"),
        ("us-gov-east-1", "aws-us-gov"),
        ("us-iso-west-1", "aws-iso"),
        ("us-isob-west-1", "aws-iso-b"),
        ("us-isof-east-1", "aws-iso-f"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("cn-northwest-1", "aws-cn"),
        ("aws-cn-global", "aws-cn"),
        ("eusc-de-east-1", "aws-eusc"),
        ("unknown", "aws"),
    ],
)
def test_partition_matching(region: str, partition: str) -> None:
    """Listed regions and region regexes pick the partition; anything else is aws."""
    assert partition_for_region(region).name == partition


@pytest.mark.parametrize(
    "region",
    [
        "",
        "us east 1",
        "-us-east-1",
        "us-east-1-",
        "123",
        "us_east_1",
        "a.b",
        "us-east-1\n",
        "a" * 64,
    ],
)
def test_invalid_regions_are_rejected(region: str) -> None:
    """A region that is not a DNS label raises ParamValidationError naming it."""
    assert not is_valid_region(region)
    with pytest.raises(ParamValidationError) as info:
        resolve_endpoint(region)
    assert repr(region) in str(info.value)
    assert info.value.param == "region_name"


@pytest.mark.parametrize("region", ["us-east-1", "a", "a" * 63, "1a", "local-1", "US-EAST-1"])
def test_valid_regions_are_accepted(region: str) -> None:
    """Host labels of letters, digits and hyphens are valid regions (botocore's rule)."""
    assert is_valid_region(region)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("fips-us-east-1", ("us-east-1", True)),
        ("us-gov-west-1-fips", ("us-gov-west-1", True)),
        ("fips-us-east-1-fips", ("us-east-1", True)),
        ("us-east-1", ("us-east-1", False)),
    ],
)
def test_fips_pseudo_regions(given: str, expected: tuple[str, bool]) -> None:
    """fips-/-fips markers are stripped and switch FIPS on, as in botocore."""
    assert normalize_fips_region(given) == expected


def test_partition_without_fips_or_dualstack_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A partition lacking a variant raises instead of inventing a host name."""
    limited = Partition(
        name="aws-test",
        region_regex=re.compile(r"^zz\-\w+\-\d+$"),
        regions=frozenset(),
        dns_suffix="example.test",
        dual_stack_dns_suffix="dual.example.test",
        supports_fips=False,
        supports_dual_stack=False,
    )
    monkeypatch.setattr(_endpoints, "PARTITIONS", (*PARTITIONS, limited))
    assert resolve_endpoint("zz-test-1") == "https://bedrock.zz-test-1.example.test"
    with pytest.raises(ParamValidationError, match="FIPS"):
        resolve_endpoint("zz-test-1", use_fips=True)
    with pytest.raises(ParamValidationError, match="Dual-stack"):
        resolve_endpoint("zz-test-1", use_dualstack=True)


_LABELS = st.from_regex(r"[a-z][a-z0-9-]{0,61}[a-z0-9]", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(_LABELS, st.booleans(), st.booleans())
def test_valid_regions_give_https_hosts_under_bedrock(
    region: str, fips: bool, dualstack: bool
) -> None:
    """Any valid region yields https://bedrock[-fips].<region>.<suffix> with no other path."""
    url = resolve_endpoint(region, use_fips=fips, use_dualstack=dualstack)
    prefix = "bedrock-fips" if fips else "bedrock"
    assert url.startswith(f"https://{prefix}.{region}.")
    assert "/" not in url[len("https://") :]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=70))
def test_region_validation_decides_between_url_and_error(region: str) -> None:
    """Arbitrary text either is a valid region and resolves, or raises ParamValidationError."""
    if is_valid_region(region):
        assert resolve_endpoint(region).startswith("https://bedrock.")
    else:
        with pytest.raises(ParamValidationError):
            resolve_endpoint(region)


_BOTOCORE_PARTITIONS = Path(
    "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/botocore/data/partitions.json"
)


@pytest.mark.skipif(not _BOTOCORE_PARTITIONS.exists(), reason="botocore's data is not installed")
def test_partition_table_matches_botocore_data() -> None:
    """Our table has botocore's partitions, order, regexes, suffixes and extra regions."""
    data = json.loads(_BOTOCORE_PARTITIONS.read_text(encoding="utf-8"))["partitions"]
    assert [p["id"] for p in data] == [p.name for p in PARTITIONS]
    for theirs, ours in zip(data, PARTITIONS, strict=True):
        assert theirs["regionRegex"] == ours.region_regex.pattern
        assert theirs["outputs"]["dnsSuffix"] == ours.dns_suffix
        assert theirs["outputs"]["dualStackDnsSuffix"] == ours.dual_stack_dns_suffix
        assert theirs["outputs"]["supportsFIPS"] == ours.supports_fips
        assert theirs["outputs"]["supportsDualStack"] == ours.supports_dual_stack
        for region in theirs["regions"]:
            assert partition_for_region(region).name == ours.name, region
