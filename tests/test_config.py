"""Client configuration resolution (bedrock_paginate._config.resolve_config)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate._config import (
    DEFAULT_RETRY_MODE,
    ClientConfig,
    resolve_config,
    validate_endpoint_url,
)
from bedrock_paginate.errors import (
    BedrockPaginateError,
    ConfigError,
    ConfigFileError,
    NoRegionError,
    ParamValidationError,
    ProfileNotFoundError,
)

ACCESS = "AKIDEXAMPLE"
SECRET = "FAKESECRETCANARYwJalrXUtnFEMI/K7MDENG"
TOKEN = "FAKETOKENCANARY0123456789abcdef"
BEARER = "FAKEBEARERCANARYABSKQmVkcm9ja0FQSUtleQ"


class Env:
    """An isolated environment: HOME and both shared files live in tmp_path."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.vars: dict[str, str] = {
            "HOME": str(tmp_path),
            "AWS_CONFIG_FILE": str(tmp_path / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def config(self, text: str) -> Env:
        (self.tmp_path / "config").write_text(text, encoding="utf-8")
        return self

    def credentials(self, text: str) -> Env:
        (self.tmp_path / "credentials").write_text(text, encoding="utf-8")
        return self

    def resolve(self, extra: dict[str, str] | None = None, **kwargs: Any) -> ClientConfig:
        return resolve_config(environ={**self.vars, **(extra or {})}, **kwargs)


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


KEYS: dict[str, Any] = {"aws_access_key_id": ACCESS, "aws_secret_access_key": SECRET}


# --------------------------------------------------------------------------- profile


def test_profile_precedence(env: Env) -> None:
    """profile_name beats AWS_DEFAULT_PROFILE, which beats AWS_PROFILE (botocore's order)."""
    env.config(
        "[profile a]\nregion = eu-west-1\n[profile b]\nregion = eu-west-2\n"
        "[profile c]\nregion = eu-west-3\n"
    )
    both = {"AWS_DEFAULT_PROFILE": "b", "AWS_PROFILE": "c"}
    assert env.resolve(both, profile_name="a").region == "eu-west-1"
    assert env.resolve(both).region == "eu-west-2"
    assert env.resolve({"AWS_PROFILE": "c"}).region == "eu-west-3"
    assert env.resolve({"AWS_PROFILE": "c"}).profile == "c"


def test_missing_named_profile_is_an_error(env: Env) -> None:
    """A profile named by argument or environment must exist (botocore's message)."""
    env.config("[profile a]\nregion = eu-west-1\n")
    for kwargs, extra in (({"profile_name": "nope"}, {}), ({}, {"AWS_PROFILE": "nope"})):
        with pytest.raises(ProfileNotFoundError, match=r"The config profile \(nope\)") as info:
            env.resolve(extra, region_name="us-east-1", **kwargs)
        assert info.value.profile == "nope"


def test_explicitly_named_default_must_exist(env: Env) -> None:
    """Naming 'default' explicitly requires it (botocore); the implicit default may be absent."""
    with pytest.raises(ProfileNotFoundError):
        env.resolve({"AWS_PROFILE": "default"}, region_name="us-east-1")
    assert env.resolve(region_name="us-east-1").profile is None


def test_profile_found_only_in_credentials_file(env: Env) -> None:
    """A profile defined only in the credentials file exists (and its region counts)."""
    env.credentials("[ci]\nregion = ap-south-1\n")
    assert env.resolve(profile_name="ci").region == "ap-south-1"


def test_empty_profile_name_is_rejected(env: Env) -> None:
    """profile_name='' is a parameter error."""
    with pytest.raises(ParamValidationError, match="profile_name"):
        env.resolve(profile_name="")


# --------------------------------------------------------------------------- region


def test_region_precedence(env: Env) -> None:
    """region_name, AWS_REGION, AWS_DEFAULT_REGION, then the profile's region."""
    env.config("[default]\nregion = eu-west-1\n")
    both = {"AWS_REGION": "us-west-1", "AWS_DEFAULT_REGION": "us-west-2"}
    assert env.resolve(both, region_name="ca-central-1").region == "ca-central-1"
    assert env.resolve(both).region == "us-west-1"
    assert env.resolve({"AWS_DEFAULT_REGION": "us-west-2"}).region == "us-west-2"
    config = env.resolve()
    assert (config.region, config.region_source) == ("eu-west-1", "region in profile 'default'")


def test_empty_region_variable_counts_as_unset(env: Env) -> None:
    """AWS_REGION='' falls through to the next source."""
    assert env.resolve({"AWS_REGION": "", "AWS_DEFAULT_REGION": "sa-east-1"}).region == "sa-east-1"


def test_no_region_explains_how_to_set_one(env: Env) -> None:
    """Without any region, NoRegionError says which settings to use."""
    with pytest.raises(NoRegionError) as info:
        env.resolve()
    for words in ("region_name", "--region", "AWS_REGION", "AWS_DEFAULT_REGION", "region ="):
        assert words in str(info.value)


def test_invalid_region_errors_depend_on_origin(env: Env) -> None:
    """A bad region argument is a ParamValidationError; from env/profile a ConfigError."""
    with pytest.raises(ParamValidationError, match="region_name"):
        env.resolve(region_name="us east 1")
    with pytest.raises(ConfigError, match="AWS_REGION") as info:
        env.resolve({"AWS_REGION": "us_east_1"})
    assert not isinstance(info.value, ParamValidationError)
    env.config("[default]\nregion = bad/region\n")
    with pytest.raises(ConfigError, match="region in profile 'default'"):
        env.resolve()


def test_fips_pseudo_region(env: Env) -> None:
    """A fips- pseudo-region signs for the real region and uses the FIPS endpoint."""
    config = env.resolve(region_name="fips-us-gov-west-1")
    assert config.region == "us-gov-west-1"
    assert config.endpoint_url == "https://bedrock-fips.us-gov-west-1.amazonaws.com"


# --------------------------------------------------------------------------- endpoint


def test_generated_endpoint(env: Env) -> None:
    """Without configuration the endpoint is https://bedrock.<region>.<suffix>."""
    config = env.resolve(region_name="cn-north-1")
    assert (config.endpoint_url, config.endpoint_source) == (
        "https://bedrock.cn-north-1.amazonaws.com.cn",
        "generated",
    )


def test_fips_and_dualstack_sources(env: Env) -> None:
    """FIPS and dual-stack come from arguments, then environment, then the profile."""
    env.config("[default]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = TRUE\n")
    assert env.resolve(region_name="us-east-1").endpoint_url == (
        "https://bedrock-fips.us-east-1.api.aws"
    )
    flags = {"AWS_USE_FIPS_ENDPOINT": "false", "AWS_USE_DUALSTACK_ENDPOINT": "false"}
    assert env.resolve(flags, region_name="us-east-1").endpoint_url == (
        "https://bedrock.us-east-1.amazonaws.com"
    )
    assert env.resolve(
        flags, region_name="us-east-1", use_fips_endpoint=True, use_dualstack_endpoint=False
    ).endpoint_url == ("https://bedrock-fips.us-east-1.amazonaws.com")


def test_endpoint_precedence(env: Env) -> None:
    """Argument, AWS_ENDPOINT_URL_BEDROCK, AWS_ENDPOINT_URL, [services], profile endpoint_url."""
    env.config(
        "[default]\nregion = us-east-1\nendpoint_url = https://profile.example\n"
        "services = local\n[services local]\nbedrock =\n  endpoint_url = https://services.example\n"
    )
    service = {"AWS_ENDPOINT_URL_BEDROCK": "https://service-env.example"}
    both = {**service, "AWS_ENDPOINT_URL": "https://global-env.example"}
    assert env.resolve(both, endpoint_url="https://arg.example").endpoint_url == (
        "https://arg.example"
    )
    assert env.resolve(both).endpoint_url == "https://service-env.example"
    assert env.resolve({"AWS_ENDPOINT_URL": "https://global-env.example"}).endpoint_url == (
        "https://global-env.example"
    )
    config = env.resolve()
    assert config.endpoint_url == "https://services.example"
    assert config.endpoint_source == "endpoint_url under bedrock in [services local]"
    env.config("[default]\nregion = us-east-1\nendpoint_url = https://profile.example\n")
    assert env.resolve().endpoint_url == "https://profile.example"


def test_ignore_configured_endpoint_urls(env: Env) -> None:
    """The ignore flag (env or profile) drops configured endpoints but not the argument."""
    env.config("[default]\nregion = us-east-1\nendpoint_url = https://profile.example\n")
    ignore = {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL": "http://x"}
    assert env.resolve(ignore).endpoint_url == "https://bedrock.us-east-1.amazonaws.com"
    assert env.resolve(ignore, endpoint_url="http://localhost:1").endpoint_url == (
        "http://localhost:1"
    )
    env.config(
        "[default]\nregion = us-east-1\nendpoint_url = https://profile.example\n"
        "ignore_configured_endpoint_urls = true\n"
    )
    assert env.resolve().endpoint_source == "generated"


def test_configured_endpoint_switches_fips_off(env: Env) -> None:
    """With a custom endpoint, FIPS/dual-stack settings are ignored (botocore passes False)."""
    config = env.resolve(
        {"AWS_USE_FIPS_ENDPOINT": "not-even-a-bool"},
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:4566/",
    )
    assert config.endpoint_url == "http://127.0.0.1:4566"


def test_missing_services_section_is_an_error(env: Env) -> None:
    """services = NAME without a [services NAME] section raises ConfigError."""
    env.config("[default]\nregion = us-east-1\nservices = gone\n")
    with pytest.raises(ConfigError, match=r"\[services gone\]"):
        env.resolve()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://bedrock.example.com/", "https://bedrock.example.com"),
        ("HTTPS://Bedrock.Example.com", "https://Bedrock.Example.com"),
        ("http://localhost:4566", "http://localhost:4566"),
        ("http://127.0.0.1:8080/base/path//", "http://127.0.0.1:8080/base/path"),
        ("https://[::1]:8443/p", "https://[::1]:8443/p"),
        ("https://host.example.com.", "https://host.example.com."),
    ],
)
def test_valid_endpoint_urls_are_normalised(given: str, expected: str) -> None:
    """Valid http(s) URLs lose their trailing slashes; path and port are kept."""
    assert validate_endpoint_url(given) == expected


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.com", "scheme"),
        ("example.com", "scheme"),
        ("https://", "host"),
        ("https:///path", "host"),
        ("https://user:pw@example.com", "user info"),
        ("https://example.com?x=1", "query"),
        ("https://example.com/#frag", "fragment"),
        ("https://example.com:99999", "port"),
        ("https://example.com:0", "port"),
        ("https://example.com:", "port"),
        ("https://exa mple.com", "whitespace"),
        ("https://-bad-.com", "host"),
        ("https://[zz::1]/", "host"),
    ],
)
def test_invalid_endpoint_urls(env: Env, url: str, words: str) -> None:
    """Bad endpoint URLs raise ParamValidationError (argument) or ConfigError (environment)."""
    with pytest.raises(ParamValidationError) as info:
        env.resolve(region_name="us-east-1", endpoint_url=url)
    assert words in str(info.value)
    assert "http(s)://host[:port][/path]" in str(info.value)
    with pytest.raises(ConfigError, match="AWS_ENDPOINT_URL"):
        env.resolve({"AWS_ENDPOINT_URL": url}, region_name="us-east-1")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_endpoint_validation_never_fails_otherwise(tail: str) -> None:
    """Any text after https:// either validates to a clean URL or raises ParamValidationError."""
    try:
        result = validate_endpoint_url("https://" + tail)
    except ParamValidationError:
        return
    assert result.startswith("https://")
    assert not result.endswith("/")
    assert "?" not in result
    assert "#" not in result


# --------------------------------------------------------------------------- auth


def test_bearer_token_from_environment(env: Env) -> None:
    """AWS_BEARER_TOKEN_BEDROCK selects bearer auth and no credential resolver."""
    config = env.resolve({"AWS_BEARER_TOKEN_BEDROCK": BEARER}, region_name="us-east-1")
    assert (config.auth_scheme, config.bearer_token, config.credentials) == (
        "bearer",
        BEARER,
        None,
    )
    assert config.auth_reason == "bearer: AWS_BEARER_TOKEN_BEDROCK is set"


def test_explicit_keys_win_over_environment_bearer_token(env: Env) -> None:
    """Keys passed in code beat AWS_BEARER_TOKEN_BEDROCK (unlike botocore), and say so."""
    config = env.resolve({"AWS_BEARER_TOKEN_BEDROCK": BEARER}, region_name="us-east-1", **KEYS)
    assert (config.auth_scheme, config.bearer_token) == ("sigv4", None)
    assert config.auth_reason == "sigv4: explicit access keys override AWS_BEARER_TOKEN_BEDROCK"
    assert config.credentials is not None
    creds = config.credentials.get()
    assert (creds.access_key, creds.source) == (ACCESS, "explicit")


def test_bearer_token_argument(env: Env) -> None:
    """bearer_token= selects bearer auth even with other credentials around."""
    config = env.resolve(
        {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET},
        region_name="us-east-1",
        bearer_token=BEARER,
    )
    assert (config.auth_scheme, config.bearer_token, config.auth_reason) == (
        "bearer",
        BEARER,
        "bearer: bearer_token argument",
    )


def test_bearer_token_and_keys_together_are_rejected(env: Env) -> None:
    """Passing both a bearer token and access keys is a parameter error."""
    with pytest.raises(ParamValidationError, match="not both"):
        env.resolve(region_name="us-east-1", bearer_token=BEARER, **KEYS)


def test_empty_bearer_variable_is_ignored(env: Env) -> None:
    """AWS_BEARER_TOKEN_BEDROCK='' does not select bearer auth."""
    config = env.resolve({"AWS_BEARER_TOKEN_BEDROCK": ""}, region_name="us-east-1")
    assert config.auth_scheme == "sigv4"
    assert "default chain" in config.auth_reason


def test_bearer_token_with_spaces_is_refused(env: Env) -> None:
    """A token that cannot be a header value raises without showing it."""
    with pytest.raises(ConfigError) as info:
        env.resolve({"AWS_BEARER_TOKEN_BEDROCK": f"{BEARER} extra"}, region_name="us-east-1")
    assert BEARER not in str(info.value)
    with pytest.raises(ParamValidationError) as arg_info:
        env.resolve(region_name="us-east-1", bearer_token=f"{BEARER}\n")
    assert BEARER not in str(arg_info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"aws_access_key_id": ACCESS},
        {"aws_secret_access_key": SECRET},
        {"aws_session_token": TOKEN},
        {"aws_access_key_id": "", "aws_secret_access_key": SECRET},
    ],
)
def test_incomplete_explicit_keys_are_rejected(env: Env, kwargs: dict[str, Any]) -> None:
    """Keys must come in pairs (a token needs both) and be non-empty."""
    with pytest.raises(ParamValidationError) as info:
        env.resolve(region_name="us-east-1", **kwargs)
    assert SECRET not in str(info.value)
    assert TOKEN not in str(info.value)


def test_default_chain_is_lazy_and_profile_from_code_skips_env(env: Env) -> None:
    """The chain resolver is not walked by resolve_config; a profile argument skips env keys."""
    env.credentials(f"[dev]\naws_access_key_id = FILEKEY\naws_secret_access_key = {SECRET}\n")
    keys_env = {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET}
    config = env.resolve(keys_env, region_name="us-east-1", profile_name="dev")
    assert config.credentials is not None
    assert config.credentials.source is None
    assert config.credentials.get().access_key == "FILEKEY"
    from_env_var = env.resolve({**keys_env, "AWS_PROFILE": "dev"}, region_name="us-east-1")
    assert from_env_var.credentials is not None
    assert from_env_var.credentials.get().source == "env"


# --------------------------------------------------------------------------- retries, TLS, timeouts


def test_retry_defaults(env: Env) -> None:
    """Without settings the mode is DEFAULT_RETRY_MODE (standard) with 3 attempts."""
    config = env.resolve(region_name="us-east-1")
    assert (config.retry_mode, config.max_attempts) == (DEFAULT_RETRY_MODE, 3)
    assert DEFAULT_RETRY_MODE == "standard"


@pytest.mark.parametrize(
    ("mode", "attempts"),
    [("standard", 3), ("adaptive", 3), ("legacy", 5), ("LEGACY", 5), ("off", 1)],
)
def test_retry_mode_sets_default_attempts(env: Env, mode: str, attempts: int) -> None:
    """Each mode has botocore's default total attempts (``off``, ours: one attempt)."""
    config = env.resolve({"AWS_RETRY_MODE": mode}, region_name="us-east-1")
    assert (config.retry_mode, config.max_attempts) == (mode.lower(), attempts)


def test_retry_settings_precedence(env: Env) -> None:
    """Arguments beat AWS_RETRY_MODE / AWS_MAX_ATTEMPTS, which beat the profile."""
    env.config("[default]\nregion = us-east-1\nretry_mode = adaptive\nmax_attempts = 7\n")
    assert (env.resolve().retry_mode, env.resolve().max_attempts) == ("adaptive", 7)
    variables = {"AWS_RETRY_MODE": "legacy", "AWS_MAX_ATTEMPTS": "2"}
    from_env = env.resolve(variables)
    assert (from_env.retry_mode, from_env.max_attempts) == ("legacy", 2)
    from_args = env.resolve(variables, retry_mode="standard", max_attempts=9)
    assert (from_args.retry_mode, from_args.max_attempts) == ("standard", 9)


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "3 attempts"])
def test_bad_max_attempts_variable(env: Env, value: str) -> None:
    """AWS_MAX_ATTEMPTS must be a whole number >= 1; the error names the variable."""
    with pytest.raises(ConfigError, match="AWS_MAX_ATTEMPTS") as info:
        env.resolve({"AWS_MAX_ATTEMPTS": value}, region_name="us-east-1")
    assert "at least 1" in str(info.value)


def test_bad_retry_settings_from_profile_and_arguments(env: Env) -> None:
    """Bad values name their origin and list what is allowed."""
    env.config("[default]\nregion = us-east-1\nretry_mode = fast\n")
    with pytest.raises(ConfigError, match=r"retry_mode in profile 'default'.*standard, adaptive"):
        env.resolve()
    with pytest.raises(ParamValidationError, match="retry_mode"):
        env.resolve(retry_mode="fast")
    for bad in (0, True, 2.5):
        with pytest.raises(ParamValidationError, match="max_attempts"):
            env.resolve(retry_mode="standard", max_attempts=bad)


def test_bad_boolean_setting(env: Env) -> None:
    """Boolean settings accept true/false only, naming the variable otherwise."""
    with pytest.raises(ConfigError, match=r"AWS_USE_FIPS_ENDPOINT.*'true' or 'false'"):
        env.resolve({"AWS_USE_FIPS_ENDPOINT": "yes"}, region_name="us-east-1")


def test_verify_sources(env: Env) -> None:
    """verify comes from the argument, AWS_CA_BUNDLE, the profile's ca_bundle, else True."""
    assert env.resolve(region_name="us-east-1").verify is True
    env.config("[default]\nregion = us-east-1\nca_bundle = /etc/profile-ca.pem\n")
    assert env.resolve().verify == "/etc/profile-ca.pem"
    assert env.resolve({"AWS_CA_BUNDLE": "/etc/env-ca.pem"}).verify == "/etc/env-ca.pem"
    assert env.resolve({"AWS_CA_BUNDLE": "/etc/env-ca.pem"}, verify=False).verify is False
    with pytest.raises(ParamValidationError, match="verify"):
        env.resolve(verify="")


def test_timeouts(env: Env) -> None:
    """Timeouts default to 60 s and must be positive finite numbers."""
    config = env.resolve(region_name="us-east-1")
    assert (config.connect_timeout, config.read_timeout) == (60.0, 60.0)
    config = env.resolve(region_name="us-east-1", connect_timeout=2, read_timeout=0.5)
    assert (config.connect_timeout, config.read_timeout) == (2.0, 0.5)
    for bad in (0, -1, float("nan"), float("inf"), True):
        with pytest.raises(ParamValidationError, match="connect_timeout"):
            env.resolve(region_name="us-east-1", connect_timeout=bad)


# --------------------------------------------------------------------------- replay, laziness


def test_replay_needs_nothing(env: Env) -> None:
    """require_credentials=False: no region, files or credentials needed."""
    config = env.resolve({"AWS_PROFILE": "missing"}, require_credentials=False)
    assert (config.region, config.credentials, config.auth_scheme) == ("us-east-1", None, "sigv4")
    assert "not required" in config.auth_reason


def test_replay_keeps_explicit_keys(env: Env) -> None:
    """In replay mode explicit keys still give a resolver (for signing)."""
    config = env.resolve(require_credentials=False, **KEYS)
    assert config.credentials is not None
    assert config.credentials.get().access_key == ACCESS


def test_files_are_not_read_when_everything_is_explicit(env: Env) -> None:
    """A malformed config file is never read when no setting needs it."""
    env.config("this is not an ini file\n")
    config = env.resolve(
        region_name="us-east-1",
        endpoint_url="https://bedrock.example.com",
        retry_mode="standard",
        max_attempts=3,
        verify=True,
        **KEYS,
    )
    assert config.endpoint_url == "https://bedrock.example.com"
    with pytest.raises(ConfigFileError) as info:
        env.resolve(region_name="us-east-1", **KEYS)
    assert info.value.path == str(env.tmp_path / "config")
    assert info.value.line == 1


# --------------------------------------------------------------------------- secrets


def test_reprs_and_errors_never_show_secrets(env: Env) -> None:
    """ClientConfig, its resolver and every error raised here keep secrets out of their text."""
    configs = [
        env.resolve(region_name="us-east-1", aws_session_token=TOKEN, **KEYS),
        env.resolve({"AWS_BEARER_TOKEN_BEDROCK": BEARER}, region_name="us-east-1"),
        env.resolve(region_name="us-east-1", bearer_token=BEARER),
    ]
    assert configs[0].credentials is not None
    configs[0].credentials.get()
    texts = [repr(c) for c in configs] + [str(c) for c in configs]
    texts += [repr(configs[0].credentials), repr(configs[0].credentials.get())]
    bad_calls: list[dict[str, Any]] = [
        {"bearer_token": BEARER, **KEYS},
        {"bearer_token": BEARER + " x"},
        {"aws_session_token": TOKEN},
        {"aws_secret_access_key": SECRET},
        {"endpoint_url": f"https://{ACCESS}:{SECRET}@example.com", **KEYS},
    ]
    for kwargs in bad_calls:
        with pytest.raises(BedrockPaginateError) as info:
            env.resolve(region_name="us-east-1", **kwargs)
        texts += [str(info.value), repr(info.value)]
    for text in texts:
        for canary in (SECRET, TOKEN, BEARER):
            assert canary not in text


def test_huge_max_attempts_is_a_config_error() -> None:
    """AWS_MAX_ATTEMPTS with thousands of digits is refused clearly."""
    with pytest.raises(ConfigError, match="AWS_MAX_ATTEMPTS"):
        resolve_config(
            region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key=SECRET,
            environ={"AWS_MAX_ATTEMPTS": "9" * 5000},
        )


def test_retry_mode_off_reports_one_attempt() -> None:
    """retry_mode off: the config says one attempt whatever AWS_MAX_ATTEMPTS says."""
    config = resolve_config(
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=SECRET,
        retry_mode="off",
        environ={"AWS_MAX_ATTEMPTS": "5"},
    )
    assert config.max_attempts == 1
