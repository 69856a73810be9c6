"""Credentials, the default provider chain and refresh (bedrock_paginate._credentials)."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import pytest

from bedrock_paginate._config import resolve_config
from bedrock_paginate._credentials import (
    ChainOptions,
    CredentialResolver,
    Credentials,
    Found,
    mask_access_key,
    parse_expiration,
)
from bedrock_paginate._credentials._container import check_container_url
from bedrock_paginate._credentials._options import MAX_CREDENTIALS_BODY
from bedrock_paginate._profiles import SharedFiles
from bedrock_paginate.errors import (
    ConfigError,
    CredentialRetrievalError,
    NoCredentialsError,
    ParamValidationError,
)

ACCESS = "AKIDEXAMPLE"
SECRET = "FAKESECRETCANARYwJalrXUtnFEMI/K7MDENG"
TOKEN = "FAKETOKENCANARY0123456789abcdef"
NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
LATER = "2030-01-01T18:00:00Z"


# --------------------------------------------------------------------------- helpers


class Clock:
    """A settable clock."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_options(
    tmp_path: Path,
    env: dict[str, str] | None = None,
    *,
    config: str | None = None,
    credentials: str | None = None,
    **kwargs: Any,
) -> ChainOptions:
    """Chain options over files in tmp_path; IMDS is disabled unless env says otherwise."""
    if config is not None:
        (tmp_path / "config").write_text(config, encoding="utf-8")
    if credentials is not None:
        (tmp_path / "credentials").write_text(credentials, encoding="utf-8")
    environ = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true", **(env or {})}
    files = SharedFiles(
        config_path=str(tmp_path / "config"), credentials_path=str(tmp_path / "credentials")
    )
    kwargs.setdefault("now", Clock())
    kwargs.setdefault("sleep", lambda seconds: None)
    return ChainOptions(environ=environ, files=files, **kwargs)


def load(options: ChainOptions) -> Credentials:
    return CredentialResolver.from_chain(options).get()


def creds_json(access: str = ACCESS, expiration: str | None = LATER, **extra: Any) -> bytes:
    body: dict[str, Any] = {"AccessKeyId": access, "SecretAccessKey": SECRET, **extra}
    if expiration is not None:
        body["Expiration"] = expiration
    return json.dumps(body).encode()


@attrs.frozen
class Seen:
    method: str
    path: str
    headers: dict[str, str]


Route = Callable[[Seen], "tuple[int, bytes] | None"]


class LoopbackServer:
    """An HTTP server on 127.0.0.1 answering with ``route``; ``None`` means hang until closed."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self.seen: list[Seen] = []
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                seen = Seen(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}
                )
                outer.seen.append(seen)
                answer = outer.route(seen)
                if answer is None:
                    outer.release.wait(10)
                    return
                status, body = answer
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer()

            def do_PUT(self) -> None:
                self._answer()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Route], LoopbackServer]]:
    servers: list[LoopbackServer] = []

    def start(route: Route) -> LoopbackServer:
        server = LoopbackServer(route)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def imds_route(
    *, token_status: int = 200, fail_role: int = 0, document: bytes | None = None
) -> Route:
    """An IMDS imitation: token PUT, role list, role credentials."""
    failures = {"role": fail_role}

    def route(seen: Seen) -> tuple[int, bytes]:
        if seen.method == "PUT" and seen.path == "/latest/api/token":
            return token_status, b"IMDSTOKEN" if token_status == 200 else b""
        if seen.path == "/latest/meta-data/iam/security-credentials/":
            if failures["role"]:
                failures["role"] -= 1
                return 500, b"oops"
            return 200, b"my-role"
        if seen.path == "/latest/meta-data/iam/security-credentials/my-role":
            return 200, document or creds_json(Token=TOKEN, Code="Success")
        return 404, b""

    return route


def imds_env(server: LoopbackServer, **extra: str) -> dict[str, str]:
    return {
        "AWS_EC2_METADATA_DISABLED": "false",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url,
        **extra,
    }


def script(tmp_path: Path, body: str, name: str = "proc.py") -> str:
    """A credential_process command running ``body`` with this interpreter."""
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return f'"{sys.executable}" "{path}"'


def process_profile(command: str) -> str:
    return f"[default]\ncredential_process = {command}\n"


# --------------------------------------------------------------------------- the value


def test_repr_and_str_show_source_and_masked_key_only() -> None:
    """repr/str of Credentials never show the secret or token, and mask the access key."""
    creds = Credentials(
        access_key="AKIAIOSFODNN7EXAMPLE", secret_key=SECRET, token=TOKEN, source="env"
    )
    for text in (repr(creds), str(creds)):
        assert SECRET not in text
        assert TOKEN not in text
        assert "AKIAIOSFODNN7EXAMPLE" not in text
        assert "AKIA" in text
        assert "'env'" in text


def test_mask_access_key_hides_the_middle() -> None:
    """Long keys keep four characters at each end; short ones are fully masked."""
    assert mask_access_key("AKIAIOSFODNN7EXAMPLE") == "AKIA************MPLE"
    assert mask_access_key("short") == "*****"


def test_credentials_reject_empty_keys_and_naive_expiration() -> None:
    """Empty keys and a naive expiration raise ParamValidationError."""
    with pytest.raises(ParamValidationError):
        Credentials(access_key="", secret_key=SECRET)
    with pytest.raises(ParamValidationError):
        Credentials(access_key=ACCESS, secret_key="")
    with pytest.raises(ParamValidationError):
        Credentials(access_key=ACCESS, secret_key=SECRET, expiration=datetime(2030, 1, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030-01-01T12:00:00Z", NOW),
        ("2030-01-01T12:00:00.123456789Z", NOW.replace(microsecond=123456)),
        ("2030-01-01T14:00:00+02:00", NOW),
        ("2030-01-01T07:30:00-0430", NOW),
        ("2030-01-01 12:00:00", NOW),
    ],
)
def test_parse_expiration_formats(text: str, expected: datetime) -> None:
    """RFC 3339 timestamps with Z, offsets, fractions, or no zone (UTC) parse to UTC."""
    assert parse_expiration(text) == expected
    assert parse_expiration(text).tzinfo == timezone.utc


@pytest.mark.parametrize("text", ["", "tomorrow", "2030-01-01", "2030-13-01T00:00:00Z"])
def test_parse_expiration_rejects_other_text(text: str) -> None:
    """Anything but a full timestamp raises ValueError."""
    with pytest.raises(ValueError):  # noqa: PT011 -- the function's documented contract
        parse_expiration(text)


# --------------------------------------------------------------------------- environment


def test_environment_credentials_come_first(tmp_path: Path) -> None:
    """AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN win over the files."""
    options = make_options(
        tmp_path,
        {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN},
        credentials="[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = x\n",
    )
    creds = load(options)
    assert (creds.access_key, creds.secret_key, creds.token, creds.source) == (
        ACCESS,
        SECRET,
        TOKEN,
        "env",
    )


def test_legacy_security_token_is_preferred(tmp_path: Path) -> None:
    """AWS_SECURITY_TOKEN is read before AWS_SESSION_TOKEN, as botocore does."""
    options = make_options(
        tmp_path,
        {
            "AWS_ACCESS_KEY_ID": ACCESS,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_SECURITY_TOKEN": "legacy",
            "AWS_SESSION_TOKEN": TOKEN,
        },
    )
    assert load(options).token == "legacy"


def test_environment_expiration_is_parsed(tmp_path: Path) -> None:
    """AWS_CREDENTIAL_EXPIRATION sets the expiration of environment credentials."""
    env = {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET}
    options = make_options(tmp_path, {**env, "AWS_CREDENTIAL_EXPIRATION": LATER})
    assert load(options).expiration == parse_expiration(LATER)
    bad = make_options(tmp_path, {**env, "AWS_CREDENTIAL_EXPIRATION": "soon"})
    with pytest.raises(ConfigError, match="AWS_CREDENTIAL_EXPIRATION"):
        load(bad)


def test_partial_environment_credentials_are_an_error(tmp_path: Path) -> None:
    """An access key without a secret raises ConfigError naming the missing variable."""
    options = make_options(tmp_path, {"AWS_ACCESS_KEY_ID": ACCESS})
    with pytest.raises(ConfigError, match="AWS_SECRET_ACCESS_KEY"):
        load(options)


def test_profile_named_in_code_skips_environment(tmp_path: Path) -> None:
    """With a profile named in code, env keys are ignored and the profile's keys are used."""
    options = make_options(
        tmp_path,
        {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET},
        credentials="[dev]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n",
        profile_name="dev",
        profile_from_code=True,
    )
    creds = load(options)
    assert (creds.access_key, creds.source) == ("FILEKEY", "shared-credentials-file")


# --------------------------------------------------------------------------- shared files


def test_shared_credentials_file_with_session_token(tmp_path: Path) -> None:
    """Static keys (and aws_session_token) come from the credentials file's [profile] section."""
    options = make_options(
        tmp_path,
        credentials=(
            f"[default]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\n"
            f"aws_session_token = {TOKEN}\n"
        ),
    )
    creds = load(options)
    assert (creds.access_key, creds.token, creds.source) == (
        ACCESS,
        TOKEN,
        "shared-credentials-file",
    )


def test_config_file_static_keys(tmp_path: Path) -> None:
    """Static keys in the config file's [profile name] section are found last of the files."""
    options = make_options(
        tmp_path,
        config=f"[profile dev]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\n",
        profile_name="dev",
    )
    creds = load(options)
    assert (creds.access_key, creds.source) == (ACCESS, "config-file")


def test_partial_keys_in_a_file_are_an_error(tmp_path: Path) -> None:
    """An access key without a secret key in a file raises ConfigError naming the file."""
    options = make_options(tmp_path, credentials=f"[default]\naws_access_key_id = {ACCESS}\n")
    with pytest.raises(ConfigError) as info:
        load(options)
    assert "aws_secret_access_key" in str(info.value)
    assert str(tmp_path / "credentials") in str(info.value)


def test_credentials_file_beats_process_beats_config_keys(tmp_path: Path) -> None:
    """botocore's order: credentials file, then credential_process, then config-file keys."""
    doc = {"Version": 1, "AccessKeyId": "PROCKEY", "SecretAccessKey": "s"}
    command = script(tmp_path, f"import json; print(json.dumps({doc!r}))")
    config = (
        f"[default]\ncredential_process = {command}\n"
        "aws_access_key_id = CONFIGKEY\naws_secret_access_key = s\n"
    )
    both = make_options(
        tmp_path,
        config=config,
        credentials="[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = s\n",
    )
    assert load(both).access_key == "CREDKEY"
    (tmp_path / "credentials").unlink()
    without_credentials_file = make_options(tmp_path)
    assert load(without_credentials_file).access_key == "PROCKEY"


# --------------------------------------------------------------------------- profile kinds


def test_source_profile_without_role_arn_finds_nothing_and_says_why(tmp_path: Path) -> None:
    """source_profile alone is no assume-role profile (botocore ignores it): the error says so."""
    options = make_options(tmp_path, config="[profile dev]\nsource_profile = base\n")
    options = attrs.evolve(options, profile_name="dev")
    with pytest.raises(
        NoCredentialsError, match="no role_arn in profile 'dev'; its source_profile"
    ):
        load(options)


def test_environment_credentials_win_over_assume_role_profile(tmp_path: Path) -> None:
    """An assume-role profile is never reached when env credentials exist."""
    options = make_options(
        tmp_path,
        {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET},
        config="[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = x\n",
    )
    assert load(options).source == "env"


def test_sso_session_alone_does_not_hide_static_keys(tmp_path: Path) -> None:
    """A profile with sso_session (no role) but static keys uses the keys, as botocore does."""
    options = make_options(
        tmp_path,
        config=f"[default]\nsso_session = corp\naws_access_key_id = {ACCESS}\n"
        f"aws_secret_access_key = {SECRET}\n",
    )
    assert load(options).source == "config-file"


def test_web_identity_environment_is_skipped_when_profile_named(tmp_path: Path) -> None:
    """AWS_WEB_IDENTITY_TOKEN_FILE is ignored when a profile was named in code (no STS call)."""
    env = {"AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r"}
    named = make_options(
        tmp_path,
        env,
        credentials=f"[dev]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\n",
        profile_name="dev",
        profile_from_code=True,
    )
    assert load(named).source == "shared-credentials-file"


def test_no_credentials_lists_every_source_tried(tmp_path: Path) -> None:
    """NoCredentialsError names each source the chain looked at."""
    with pytest.raises(NoCredentialsError) as info:
        load(make_options(tmp_path))
    message = str(info.value)
    for words in (
        "environment variables",
        "shared credentials file",
        "credential_process",
        "config file",
        "container",
        "AWS_EC2_METADATA_DISABLED",
    ):
        assert words in message


# --------------------------------------------------------------------------- credential_process


def test_credential_process_with_expiration(tmp_path: Path) -> None:
    """A Version 1 JSON document becomes refreshable credential_process credentials."""
    doc = {"Version": 1, "AccessKeyId": ACCESS, "SecretAccessKey": SECRET, "SessionToken": TOKEN}
    doc["Expiration"] = LATER
    command = script(tmp_path, f"import json; print(json.dumps({doc!r}))")
    resolver = CredentialResolver.from_chain(
        make_options(tmp_path, config=process_profile(command))
    )
    creds = resolver.get()
    assert (creds.access_key, creds.token, creds.source) == (ACCESS, TOKEN, "credential_process")
    assert creds.expiration == parse_expiration(LATER)
    assert resolver.can_refresh
    assert resolver.source == "credential_process"


def test_credential_process_refresh_runs_it_again(tmp_path: Path) -> None:
    """force_refresh runs the process again and returns its new output."""
    counter = tmp_path / "count"
    body = (
        "import json, pathlib\n"
        f"p = pathlib.Path({str(counter)!r})\n"
        "n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        f"print(json.dumps({{'Version': 1, 'AccessKeyId': 'KEY%d' % n, 'SecretAccessKey': 's'}}))\n"
    )
    resolver = CredentialResolver.from_chain(
        make_options(tmp_path, config=process_profile(script(tmp_path, body)))
    )
    assert resolver.get().access_key == "KEY1"
    assert resolver.force_refresh().access_key == "KEY2"


def test_credential_process_receives_the_given_environment(tmp_path: Path) -> None:
    """The process runs with the injected environment (no shell, arguments split shell-style)."""
    body = (
        "import json, os, sys\n"
        "print(json.dumps({'Version': 1, 'SecretAccessKey': 's', 'AccessKeyId':"
        " os.environ['MARKER'] + sys.argv[1].replace(' ', '_') + str(len(sys.argv))}))\n"
    )
    command = script(tmp_path, body) + " 'with space'"
    options = make_options(tmp_path, {"MARKER": "FROMENV"}, config=process_profile(command))
    # One argument 'with space' (argv has 2 entries), spaces shown as '_' (keys have none).
    assert load(options).access_key == "FROMENVwith_space2"


def test_credential_process_failure_shows_stderr_not_stdout(tmp_path: Path) -> None:
    """A non-zero exit raises with the exit status and stderr, never the stdout secrets."""
    body = (
        "import sys\n"
        f"print({SECRET!r})\n"
        "sys.stderr.write('token expired, run login\\n')\n"
        "sys.exit(3)\n"
    )
    options = make_options(tmp_path, config=process_profile(script(tmp_path, body)))
    with pytest.raises(CredentialRetrievalError) as info:
        load(options)
    message = str(info.value)
    assert "status 3" in message
    assert "token expired, run login" in message
    assert SECRET not in message


@pytest.mark.parametrize(
    ("output", "words"),
    [
        ("not json", "JSON object"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"Version": 2, "AccessKeyId": ACCESS, "SecretAccessKey": SECRET}), "Version"),
        (json.dumps({"Version": "1", "AccessKeyId": ACCESS, "SecretAccessKey": SECRET}), "Version"),
        (json.dumps({"Version": 1, "AccessKeyId": ACCESS}), "SecretAccessKey"),
        (
            json.dumps(
                {"Version": 1, "AccessKeyId": ACCESS, "SecretAccessKey": SECRET, "Expiration": "x"}
            ),
            "Expiration",
        ),
        (
            json.dumps(
                {
                    "Version": 1,
                    "AccessKeyId": ACCESS,
                    "SecretAccessKey": SECRET,
                    "Expiration": "2020-01-01T00:00:00Z",
                }
            ),
            "expired",
        ),
    ],
)
def test_credential_process_bad_output(tmp_path: Path, output: str, words: str) -> None:
    """Malformed or unsupported output raises CredentialRetrievalError without the secret."""
    command = script(tmp_path, f"print({output!r})")
    with pytest.raises(CredentialRetrievalError) as info:
        load(make_options(tmp_path, config=process_profile(command)))
    assert words in str(info.value)
    assert SECRET not in str(info.value)


def test_credential_process_timeout(tmp_path: Path) -> None:
    """A process that does not finish in time is killed and reported."""
    command = script(tmp_path, "import threading\nthreading.Event().wait()\n")
    options = make_options(tmp_path, config=process_profile(command), process_timeout=0.2)
    with pytest.raises(CredentialRetrievalError, match=r"did not finish within 0\.2 s"):
        load(options)


def test_credential_process_missing_program(tmp_path: Path) -> None:
    """A program that does not exist raises CredentialRetrievalError naming only the program."""
    command = f"{tmp_path}/no-such-program --password {SECRET}"
    with pytest.raises(CredentialRetrievalError) as info:
        load(make_options(tmp_path, config=process_profile(command)))
    assert "no-such-program" in str(info.value)
    assert SECRET not in str(info.value)


def test_credential_process_from_the_credentials_file(tmp_path: Path) -> None:
    """credential_process is read from the merged profile, so the credentials file works too."""
    command = script(
        tmp_path, 'print(\'{"Version": 1, "AccessKeyId": "K", "SecretAccessKey": "s"}\')'
    )
    options = make_options(tmp_path, credentials=process_profile(command))
    assert load(options).source == "credential_process"


# --------------------------------------------------------------------------- container


def _container_route(fail: int = 0) -> Route:
    failures = {"left": fail}

    def route(seen: Seen) -> tuple[int, bytes]:
        if failures["left"]:
            failures["left"] -= 1
            return 500, b"busy"
        return 200, creds_json(Token=TOKEN, RoleArn="arn:aws:iam::1:role/task")

    return route


def test_container_relative_uri(tmp_path: Path, serve: Callable[[Route], LoopbackServer]) -> None:
    """AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is fetched from the container host."""
    server = serve(_container_route())
    options = make_options(
        tmp_path,
        {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"},
        container_host=server.url,
    )
    resolver = CredentialResolver.from_chain(options)
    creds = resolver.get()
    assert (creds.access_key, creds.token, creds.source) == (ACCESS, TOKEN, "container")
    assert creds.expiration == parse_expiration(LATER)
    assert resolver.can_refresh
    assert server.seen[0].path == "/v2/credentials/abc"
    assert server.seen[0].headers["accept"] == "application/json"


def test_container_full_uri_with_authorization_token(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """AWS_CONTAINER_CREDENTIALS_FULL_URI on loopback is used with the authorization header."""
    server = serve(_container_route())
    env = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "container-auth",
    }
    assert load(make_options(tmp_path, env)).source == "container"
    assert server.seen[0].headers["authorization"] == "container-auth"


def test_container_authorization_token_file(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """The token file wins over the token variable and is re-read for every request."""
    server = serve(_container_route())
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n", encoding="utf-8")
    env = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token_file),
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "from-env",
    }
    resolver = CredentialResolver.from_chain(make_options(tmp_path, env))
    resolver.get()
    token_file.write_text("rotated", encoding="utf-8")
    resolver.force_refresh()
    assert [s.headers["authorization"] for s in server.seen] == ["from-file", "rotated"]


def test_container_token_with_line_break_is_refused(tmp_path: Path) -> None:
    """A token that would break the header raises without showing the token."""
    env = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": f"{TOKEN}\r\nX-Evil: 1",
    }
    with pytest.raises(CredentialRetrievalError) as info:
        load(make_options(tmp_path, env))
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.170.2/x",
        "http://169.254.170.23/x",
        "http://[fd00:ec2::23]/x",
        "http://localhost:8080/x",
        "http://127.0.0.5/x",
        "http://[::1]/x",
        "https://example.com/x",
    ],
)
def test_container_full_uri_allowed_hosts(url: str) -> None:
    """Loopback addresses, the ECS/EKS hosts and any https URL are accepted."""
    check_container_url(url)


@pytest.mark.parametrize(
    "url", ["http://example.com/x", "http://10.0.0.1/x", "ftp://127.0.0.1/x", "nope"]
)
def test_container_full_uri_other_hosts_are_refused(tmp_path: Path, url: str) -> None:
    """Plain http to any other host raises ConfigError before any request."""
    with pytest.raises(ConfigError, match="AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        load(make_options(tmp_path, {"AWS_CONTAINER_CREDENTIALS_FULL_URI": url}))


def test_container_retries_with_injected_sleep(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """Failures are retried up to three attempts, sleeping one second between them."""
    server = serve(_container_route(fail=2))
    slept: list[float] = []
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds"}
    assert load(make_options(tmp_path, env, sleep=slept.append)).source == "container"
    assert slept == [1.0, 1.0]
    assert len(server.seen) == 3


def test_container_gives_up_after_three_attempts(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """Three failures raise CredentialRetrievalError with the status."""
    server = serve(_container_route(fail=10))
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds"}
    with pytest.raises(CredentialRetrievalError, match=r"HTTP 500 \(after 3 attempts\)"):
        load(make_options(tmp_path, env))
    assert len(server.seen) == 3


def test_container_response_missing_fields(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """A 200 answer without Token/Expiration raises instead of guessing."""
    server = serve(lambda seen: (200, creds_json(expiration=None)))
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds"}
    with pytest.raises(CredentialRetrievalError, match="Token"):
        load(make_options(tmp_path, env))


def test_container_body_over_the_cap_is_a_clear_error(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """A body larger than MAX_CREDENTIALS_BODY is not read whole: a clear error saying so."""
    huge = b"{" + b" " * MAX_CREDENTIALS_BODY + b"}"
    server = serve(lambda seen: (200, huge))
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds"}
    with pytest.raises(CredentialRetrievalError) as info:
        load(make_options(tmp_path, env, sleep=lambda seconds: None))
    assert f"larger than {MAX_CREDENTIALS_BODY} bytes" in str(info.value)
    assert "(after 3 attempts)" in str(info.value)


# --------------------------------------------------------------------------- IMDS


def test_imds_v2_flow(tmp_path: Path, serve: Callable[[Route], LoopbackServer]) -> None:
    """A token is PUT first, then the role and its credentials are read with the token."""
    server = serve(imds_route())
    resolver = CredentialResolver.from_chain(make_options(tmp_path, imds_env(server)))
    creds = resolver.get()
    assert (creds.access_key, creds.token, creds.source) == (ACCESS, TOKEN, "imds")
    assert resolver.can_refresh
    put, role, doc = server.seen
    assert (put.method, put.path) == ("PUT", "/latest/api/token")
    assert put.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600"
    assert role.headers["x-aws-ec2-metadata-token"] == "IMDSTOKEN"
    assert doc.path == "/latest/meta-data/iam/security-credentials/my-role"
    assert doc.headers["x-aws-ec2-metadata-token"] == "IMDSTOKEN"


def test_imds_body_over_the_cap_is_not_used(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """A credentials document larger than MAX_CREDENTIALS_BODY is an unusable answer (retried,
    then no IMDS credentials), never read whole."""
    huge = creds_json(Token=TOKEN) + b" " * MAX_CREDENTIALS_BODY
    server = serve(imds_route(document=huge))
    with pytest.raises(NoCredentialsError, match="EC2 instance metadata"):
        load(make_options(tmp_path, imds_env(server)))
    assert [s.path for s in server.seen][-1].endswith("/my-role")


def test_imds_falls_back_to_v1(tmp_path: Path, serve: Callable[[Route], LoopbackServer]) -> None:
    """When the token PUT is refused (403/404/405) IMDSv1 requests go without a token."""
    server = serve(imds_route(token_status=404))
    assert load(make_options(tmp_path, imds_env(server))).source == "imds"
    assert "x-aws-ec2-metadata-token" not in server.seen[1].headers


def test_imds_v1_disabled(tmp_path: Path, serve: Callable[[Route], LoopbackServer]) -> None:
    """Without a token and with IMDSv1 disabled, the chain stops with an error."""
    server = serve(imds_route(token_status=403))
    env = imds_env(server, AWS_EC2_METADATA_V1_DISABLED="true")
    with pytest.raises(CredentialRetrievalError, match="IMDSv1 is disabled"):
        load(make_options(tmp_path, env))


def test_imds_disabled_sends_nothing(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """AWS_EC2_METADATA_DISABLED=true skips IMDS without any request."""
    server = serve(imds_route())
    env = imds_env(server, AWS_EC2_METADATA_DISABLED="TRUE")
    with pytest.raises(NoCredentialsError, match="AWS_EC2_METADATA_DISABLED"):
        load(make_options(tmp_path, env))
    assert server.seen == []


def test_imds_timeout_is_short_and_ends_the_chain(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """An IMDS that never answers costs one timeout per request (no retry by default), then
    no credentials."""
    server = serve(lambda seen: None)
    env = imds_env(server, AWS_METADATA_SERVICE_TIMEOUT="0.05")
    with pytest.raises(NoCredentialsError, match="EC2 instance metadata"):
        load(make_options(tmp_path, env))
    assert [s.method for s in server.seen] == ["PUT", "GET"]


def test_imds_attempts_setting(tmp_path: Path, serve: Callable[[Route], LoopbackServer]) -> None:
    """One attempt by default; AWS_METADATA_SERVICE_NUM_ATTEMPTS allows retries."""
    once = serve(imds_route(fail_role=1))
    with pytest.raises(NoCredentialsError):
        load(make_options(tmp_path, imds_env(once)))
    twice = serve(imds_route(fail_role=1))
    env = imds_env(twice, AWS_METADATA_SERVICE_NUM_ATTEMPTS="2")
    assert load(make_options(tmp_path, env)).source == "imds"


def test_imds_attempts_from_profile(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """metadata_service_num_attempts in the profile is honoured too."""
    server = serve(imds_route(fail_role=1))
    options = make_options(
        tmp_path, imds_env(server), config="[default]\nmetadata_service_num_attempts = 2\n"
    )
    assert load(options).source == "imds"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AWS_METADATA_SERVICE_TIMEOUT", "abc"),
        ("AWS_METADATA_SERVICE_TIMEOUT", "0"),
        ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0"),
        ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "two"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv5"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254"),
        ("AWS_EC2_METADATA_DISABLED", "yes"),
    ],
)
def test_imds_settings_are_validated(tmp_path: Path, name: str, value: str) -> None:
    """Bad IMDS settings raise ConfigError naming the variable (no request is sent)."""
    env = {"AWS_EC2_METADATA_DISABLED": "false", name: value}
    with pytest.raises(ConfigError, match=name):
        load(make_options(tmp_path, env))


def test_imds_error_document_means_no_credentials(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """A JSON error document (Code/Message) instead of credentials ends the chain quietly."""
    doc = json.dumps({"Code": "AssumeRoleUnauthorizedAccess", "Message": "no"}).encode()
    server = serve(imds_route(document=doc))
    with pytest.raises(NoCredentialsError):
        load(make_options(tmp_path, imds_env(server)))


def test_imds_token_request_rejected_means_no_credentials(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """HTTP 400 on the token PUT stops IMDS without trying IMDSv1."""
    server = serve(imds_route(token_status=400))
    with pytest.raises(NoCredentialsError):
        load(make_options(tmp_path, imds_env(server)))
    assert len(server.seen) == 1


def test_imds_nearly_expired_credentials_are_extended(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer]
) -> None:
    """Static stability: stale IMDS credentials get now + 15 min + jitter, as botocore does."""
    server = serve(imds_route(document=creds_json(expiration="2030-01-01T11:00:00Z", Token=TOKEN)))
    options = make_options(tmp_path, imds_env(server), imds_jitter=lambda: 300.0)
    assert load(options).expiration == NOW + timedelta(seconds=15 * 60 + 300)


# --------------------------------------------------------------------------- resolver & refresh


class Source:
    """A counting credential source whose refreshes can be made to fail or block."""

    def __init__(self, clock: Clock, lifetime: timedelta = timedelta(hours=1)) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.loads = 0
        self.refreshes = 0
        self.fail: Exception | None = None
        self.gate: threading.Event | None = None
        self.entered = threading.Event()
        self.loading = threading.Event()

    def _make(self, n: int) -> Credentials:
        return Credentials(
            access_key=f"KEY{n}",
            secret_key=SECRET,
            token=TOKEN,
            expiration=self.clock() + self.lifetime,
            source="credential_process",
        )

    def load(self) -> Found:
        self.loads += 1
        self.loading.set()
        if self.gate is not None:
            self.gate.wait(10)
        return Found(self._make(0), self.refresh)

    def refresh(self) -> Credentials:
        self.refreshes += 1
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail is not None:
            raise self.fail
        return self._make(self.refreshes)


def resolver_for(source: Source) -> CredentialResolver:
    return CredentialResolver(source.load, now=source.clock)


def test_resolver_loads_lazily_once() -> None:
    """Nothing is loaded before get(); repeated get() calls reuse the credentials."""
    source = Source(Clock())
    resolver = resolver_for(source)
    assert (source.loads, resolver.source, resolver.can_refresh) == (0, None, False)
    assert "not loaded" in repr(resolver)
    first = resolver.get()
    assert resolver.get() is first
    assert (source.loads, source.refreshes) == (1, 0)
    assert (resolver.source, resolver.can_refresh) == ("credential_process", True)


def test_first_load_happens_once_under_concurrency() -> None:
    """Many threads calling get() at once walk the chain only once."""
    source = Source(Clock())
    source.gate = threading.Event()
    resolver = resolver_for(source)
    barrier = threading.Barrier(17)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(resolver.get().access_key)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    barrier.wait()
    assert source.loading.wait(10)
    threads[-1].join(0.1)  # let the other threads pile up behind the first load
    source.gate.set()
    for thread in threads:
        thread.join()
    assert source.loads == 1
    assert results == ["KEY0"] * 16


def test_no_refresh_outside_the_advisory_window() -> None:
    """Credentials with more than 15 minutes left are not refreshed."""
    clock = Clock()
    source = Source(clock)
    resolver = resolver_for(source)
    resolver.get()
    clock.now += timedelta(minutes=44)
    assert resolver.get().access_key == "KEY0"
    assert source.refreshes == 0


def test_refresh_in_the_advisory_window() -> None:
    """Inside 15 minutes of expiry, get() refreshes and returns the new credentials."""
    clock = Clock()
    source = Source(clock)
    resolver = resolver_for(source)
    resolver.get()
    clock.now += timedelta(minutes=46)
    assert resolver.get().access_key == "KEY1"
    assert resolver.get().access_key == "KEY1"
    assert source.refreshes == 1


def test_advisory_failure_keeps_current_credentials(caplog: pytest.LogCaptureFixture) -> None:
    """A failed refresh in the advisory window is logged and the old credentials are used."""
    clock = Clock()
    source = Source(clock)
    resolver = resolver_for(source)
    resolver.get()
    clock.now += timedelta(minutes=46)
    source.fail = CredentialRetrievalError("credential_process exited with status 1")
    with caplog.at_level(logging.WARNING):
        assert resolver.get().access_key == "KEY0"
    assert "advisory" in caplog.text
    assert SECRET not in caplog.text
    assert TOKEN not in caplog.text


def test_mandatory_failure_raises() -> None:
    """A failed refresh inside 10 minutes of expiry raises to the caller."""
    clock = Clock()
    source = Source(clock)
    resolver = resolver_for(source)
    resolver.get()
    clock.now += timedelta(minutes=55)
    source.fail = CredentialRetrievalError("credential_process exited with status 1")
    with pytest.raises(CredentialRetrievalError, match="status 1"):
        resolver.get()


def test_unexpected_refresh_errors_are_wrapped() -> None:
    """A non-library exception from a source becomes CredentialRetrievalError."""
    clock = Clock()
    source = Source(clock)
    resolver = resolver_for(source)
    resolver.get()
    clock.now += timedelta(minutes=55)
    source.fail = OSError("disk on fire")
    with pytest.raises(CredentialRetrievalError, match="OSError"):
        resolver.get()


def test_refreshed_but_still_expired_raises() -> None:
    """A source that hands back already-expired credentials is an error."""
    clock = Clock()
    source = Source(clock, lifetime=timedelta(minutes=-1))
    resolver = resolver_for(source)
    resolver.get()
    with pytest.raises(CredentialRetrievalError, match="already expired"):
        resolver.get()


def test_mandatory_refresh_happens_once_under_concurrency() -> None:
    """Many threads inside the mandatory window trigger exactly one refresh and all get it."""
    clock = Clock()
    source = Source(clock)
    resolver = resolver_for(source)
    resolver.get()
    clock.now += timedelta(minutes=55)
    source.gate = threading.Event()
    barrier = threading.Barrier(17)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(resolver.get().access_key)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    barrier.wait()
    assert source.entered.wait(10)
    # Give the other fifteen threads time to pile up behind the refresh in progress.
    threads[-1].join(0.1)
    source.gate.set()
    for thread in threads:
        thread.join()
    assert source.refreshes == 1
    assert results == ["KEY1"] * 16


def test_advisory_refresh_does_not_block_other_threads() -> None:
    """While one thread refreshes in the advisory window, others get the current credentials."""
    clock = Clock()
    source = Source(clock)
    resolver = resolver_for(source)
    resolver.get()
    clock.now += timedelta(minutes=46)
    source.gate = threading.Event()
    refresher = threading.Thread(target=resolver.get)
    refresher.start()
    assert source.entered.wait(10)
    assert resolver.get().access_key == "KEY0"
    source.gate.set()
    refresher.join()
    assert resolver.get().access_key == "KEY1"
    assert source.refreshes == 1


def test_mandatory_refresh_makes_other_threads_wait() -> None:
    """Inside the mandatory window a second caller waits for the refresh in progress."""
    clock = Clock()
    source = Source(clock)
    resolver = resolver_for(source)
    resolver.get()
    clock.now += timedelta(minutes=55)
    source.gate = threading.Event()
    first = threading.Thread(target=resolver.get)
    first.start()
    assert source.entered.wait(10)
    result: list[str] = []
    second = threading.Thread(target=lambda: result.append(resolver.get().access_key))
    second.start()
    second.join(0.05)
    assert result == []
    source.gate.set()
    first.join()
    second.join()
    assert (result, source.refreshes) == (["KEY1"], 1)


def test_force_refresh_and_stale_deduplication() -> None:
    """force_refresh fetches anew, but not when the stale credentials were already replaced."""
    source = Source(Clock())
    resolver = resolver_for(source)
    stale = resolver.get()
    fresh = resolver.force_refresh(stale)
    assert fresh.access_key == "KEY1"
    assert resolver.force_refresh(stale) is fresh
    assert source.refreshes == 1
    assert resolver.force_refresh().access_key == "KEY2"


def test_force_refresh_before_first_load_loads() -> None:
    """force_refresh on a fresh resolver simply loads."""
    source = Source(Clock())
    assert resolver_for(source).force_refresh().access_key == "KEY0"
    assert (source.loads, source.refreshes) == (1, 0)


def test_static_credentials_cannot_be_refreshed() -> None:
    """Explicit keys are not refreshable: force_refresh raises a clear error."""
    resolver = CredentialResolver.from_credentials(
        Credentials(access_key=ACCESS, secret_key=SECRET, token=TOKEN)
    )
    assert resolver.get().source == "explicit"
    assert not resolver.can_refresh
    with pytest.raises(CredentialRetrievalError, match="cannot be refreshed") as info:
        resolver.force_refresh()
    assert SECRET not in str(info.value)


def test_failed_first_load_is_retried(tmp_path: Path) -> None:
    """A chain that found nothing is walked again on the next get()."""
    options = make_options(tmp_path)
    environ = options.environ
    assert isinstance(environ, dict)
    resolver = CredentialResolver.from_chain(options)
    with pytest.raises(NoCredentialsError):
        resolver.get()
    environ.update({"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET})
    assert resolver.get().source == "env"


def test_nothing_secret_in_reprs_or_debug_logs(
    tmp_path: Path, serve: Callable[[Route], LoopbackServer], caplog: pytest.LogCaptureFixture
) -> None:
    """A full chain walk to IMDS logs, and reprs of the results, never contain secrets."""
    server = serve(imds_route())
    with caplog.at_level(logging.DEBUG):
        resolver = CredentialResolver.from_chain(make_options(tmp_path, imds_env(server)))
        creds = resolver.get()
        resolver.force_refresh()
    texts = [caplog.text, repr(resolver), str(resolver), repr(creds), str(creds)]
    for text in texts:
        assert SECRET not in text
        assert TOKEN not in text
        assert "IMDSTOKEN" not in text


@pytest.mark.parametrize(
    ("field", "value"),
    [("access_key", "AKID EXAMPLE"), ("token", "FAKE\ntoken"), ("token", "FAKEtöken")],
)
def test_header_unsafe_credentials_are_refused_without_quoting_them(field: str, value: str) -> None:
    """Access keys and tokens travel in headers: spaces, line breaks and non-ASCII are refused
    up front, and the message does not repeat the value."""
    fields: dict[str, Any] = {"access_key": "AKIDEXAMPLE", "secret_key": SECRET, field: value}
    with pytest.raises(ParamValidationError) as raised:
        Credentials(**fields)
    assert value not in str(raised.value)
    assert "HTTP header" in str(raised.value)


def test_header_unsafe_token_from_the_environment_is_a_config_error() -> None:
    """The same value from AWS_SESSION_TOKEN is a configuration problem (CLI exit 253)."""
    environ = {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": "FAKE\ninjected: header",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    config = resolve_config(region_name="us-east-1", environ=environ)
    assert config.credentials is not None
    with pytest.raises(ConfigError, match="environment variables") as raised:
        config.credentials.get()
    assert "injected" not in str(raised.value)


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("aws_access_key_id", "AKID EXAMPLE", "access key id"),
        ("aws_session_token", "tök\u00e9n-value", "session token"),
    ],
)
def test_unusable_key_from_a_file_is_named_as_the_user_knows_it(
    tmp_path: Path, key: str, value: str, named: str
) -> None:
    """A value that cannot go into a header names the file, the profile and the value as the
    user knows it (not the internal ``Credentials.token`` field)."""
    values = {"aws_access_key_id": ACCESS, "aws_secret_access_key": SECRET, key: value}
    body = "[default]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
    with pytest.raises(ConfigError) as info:
        load(make_options(tmp_path, credentials=body))
    text = str(info.value)
    assert f"the {named} contains spaces" in text
    assert "profile 'default'" in text
    assert "Credentials." not in text
