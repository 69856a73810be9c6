"""The CLI as a drop-in for the AWS CLI, and every bad input a clear error: issue 12's drop-in,
bad-input and message findings, end to end against the loopback fake Bedrock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedrock_paginate import cli
from bedrock_paginate._tokens import encode_token
from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, generate_jobs
from tests.support import isolated_aws_env

CMD = "list-model-invocation-jobs"
SECRET = "FAKEsecretINPUTScanary0123456789"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake keys, private config files, no retries, no IMDS."""
    isolated_aws_env(monkeypatch, tmp_path, secret=SECRET, region="us-east-1")


@pytest.fixture
def fake() -> FakeBedrock:
    """Five generated jobs."""
    return FakeBedrock(jobs=generate_jobs(5, seed=2))


@pytest.fixture
def url(fake: FakeBedrock) -> Iterator[str]:
    """A loopback server for ``fake``."""
    with FakeBedrockServer(fake) as server:
        yield server.url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``main(argv)``: (exit code, stdout, stderr); never a traceback or the secret."""
    code = cli.main(list(argv), isatty=lambda: False)
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert "Traceback" not in err
    assert "unexpected error" not in err
    return code, out, err


# --- drop-in: never stricter than the service ---------------------------------------------------


def test_inverted_time_window_is_sent_with_a_warning(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--submit-time-after later than --submit-time-before: sent (boto3 sends it), a warning."""
    code, _, err = run(
        capsys, CMD, "--endpoint-url", url,
        "--submit-time-after", "2025-03-05", "--submit-time-before", "2025-03-04",
    )  # fmt: skip
    assert code == 0
    assert fake.request_count == 1
    assert "warning: --submit-time-after (2025-03-05T00:00:00Z) is later than" in err
    assert "--submit-time-before (2025-03-04T00:00:00Z)" in err


def test_status_in_the_wrong_case_suggests_the_right_one(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--status-equals failed: 252 before any request, "did you mean 'Failed'?"."""
    code, out, err = run(capsys, CMD, "--endpoint-url", url, "--status-equals", "failed")
    assert (code, out, fake.request_count) == (252, "", 0)
    assert "--status-equals: 'failed'; did you mean 'Failed'?" in err


def test_unknown_well_formed_status_is_sent(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """A status this version does not know is sent; the service decides (here: it refuses)."""
    code, _, err = run(capsys, CMD, "--endpoint-url", url, "--status-equals", "Archived")
    assert fake.request_count == 1
    assert dict(fake.requests[0].query)["statusEquals"] == "Archived"
    assert code == 254, err


def test_debug_says_an_unknown_enum_value_is_passed_through(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """--debug logs that the value is unknown to this version and sent as given."""
    cli.main([CMD, "--endpoint-url", url, "--sort-order", "Random", "--debug"])
    err = capsys.readouterr().err
    assert "sortOrder 'Random' is not a value this version knows; sending it as given" in err


@pytest.mark.parametrize("inner", ["has space", "x" * 2049, "y" * 100_000])
def test_starting_token_with_an_impossible_next_token_fails_before_any_request(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str, inner: str
) -> None:
    """The nextToken inside --starting-token is checked like --next-token: 252, no request,
    a message naming --starting-token (never 'unexpected error: InvalidURL')."""
    token = encode_token({"nextToken": inner})
    code, out, err = run(capsys, CMD, "--endpoint-url", url, "--starting-token", token)
    assert (code, out, fake.request_count) == (252, "", 0)
    assert "Invalid value for --starting-token: the nextToken inside it" in err


def test_errors_speak_in_cli_flags(capsys: pytest.CaptureFixture[str], url: str) -> None:
    """--page-size 0 names --page-size, not PaginationConfig PageSize."""
    code, _, err = run(capsys, CMD, "--endpoint-url", url, "--page-size", "0")
    assert code == 252
    assert "--page-size must be" in err
    assert "PaginationConfig" not in err


# --- AWS CLI habits --------------------------------------------------------------------------


def test_aws_default_output_and_the_profile_output_choose_the_format(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str
) -> None:
    """As the AWS CLI: --output, then AWS_DEFAULT_OUTPUT, then the profile's output, then json."""
    (tmp_path / "config").write_text(
        "[default]\noutput = table\n[profile lines]\noutput = jsonl\n"
        f"aws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = {SECRET}\n"
    )
    assert run(capsys, CMD, "--endpoint-url", url)[1].startswith("-----")
    out = run(capsys, CMD, "--endpoint-url", url, "--profile", "lines")[1]
    assert out.startswith('{"jobArn"')
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "text")
    assert run(capsys, CMD, "--endpoint-url", url)[1].startswith("INVOCATIONJOBSUMMARIES")
    assert run(capsys, CMD, "--endpoint-url", url, "--output", "json")[1].startswith("{\n")


def test_an_output_format_this_tool_does_not_print_is_a_config_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """AWS_DEFAULT_OUTPUT=yaml: 253 naming the variable and the formats, before any request."""
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "yaml")
    code, out, err = run(capsys, CMD, "--endpoint-url", url)
    assert (code, out) == (253, "")
    assert "AWS_DEFAULT_OUTPUT is 'yaml', not an output format this tool prints" in err


# --- messages --------------------------------------------------------------------------------


def test_debug_names_the_real_credential_source(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """--debug with keys in the environment says so, not "the default profile"."""
    cli.main([CMD, "--endpoint-url", url, "--debug"], isatty=lambda: False)
    err = capsys.readouterr().err
    assert "the default profile" not in err
    assert "Credentials found: env (profile 'default'): environment variables AWS_ACCESS" in err


def test_a_profile_named_with_the_flag_is_not_named_in_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    """--profile without keys: the message says environment keys were skipped for --profile."""
    (tmp_path / "config").write_text("[profile empty]\nregion = us-east-1\n")
    code, _, err = run(capsys, CMD, "--endpoint-url", url, "--profile", "empty")
    assert code == 253
    assert "named with --profile" in err
    assert "named in code" not in err


# --- every bad input a clear error ------------------------------------------------------------


def test_a_timeout_too_long_for_a_socket_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--cli-read-timeout 1e10 (a socket would raise OverflowError): 252 naming the flag."""
    code, _, err = run(capsys, CMD, "--endpoint-url", url, "--cli-read-timeout", "1e10")
    assert (code, fake.request_count) == (252, 0)
    assert "argument --cli-read-timeout: expected a number of seconds from 0 to 1e+09" in err


@pytest.mark.parametrize("name", ["read_timeout", "connect_timeout"])
def test_client_timeouts_too_long_for_a_socket_are_refused(name: str) -> None:
    """Client(read_timeout=1e10) is a ParamValidationError, not an OverflowError later."""
    from bedrock_paginate import AsyncClient, Client, ParamValidationError

    kwargs: dict[str, Any] = {name: 1e10}
    for cls in (Client, AsyncClient):
        with pytest.raises(ParamValidationError, match=f"{name} must be a positive number"):
            cls(region_name="us-east-1", **kwargs)


@pytest.mark.parametrize("where", [".", "existing"])
def test_build_layer_to_a_directory_fails_before_building(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    where: str,
) -> None:
    """build-layer -o . / -o DIR: 252 "is a directory" at once, not a traceback after the build."""
    from bedrock_paginate import _layer

    def no_build(*_: object, **__: object) -> None:
        raise AssertionError("the build started")

    monkeypatch.setattr(_layer, "_project_wheel", no_build)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    code, _, err = run(capsys, "build-layer", "-o", where)
    assert code == 252
    assert f"output {where!r} is a directory; name the zip to write" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "70000"], "argument --port: expected a port from 0 to 65,535"),
        (["--port", "-1"], "argument --port: expected a port from 0 to 65,535"),
        (["--jobs", "-3"], "argument --jobs: expected a number of jobs from 0 to 1,000,000"),
        (["--jobs", "10000000000"], "argument --jobs: expected a number of jobs"),
    ],
)
def test_serve_refuses_impossible_numbers_naming_the_flag(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """serve with an impossible port or job count: 252 with a message naming the flag."""
    code, out, err = run(capsys, "serve", *argv)
    assert (code, out) == (252, "")
    assert message in err


def test_a_fixture_nested_too_deeply_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--replay / serve --fixture of JSON nested past the recursion limit: a clear message."""
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    code, _, err = run(capsys, CMD, "--replay", str(deep))
    assert code == 255
    assert "is nested too deeply to be a fixture" in err
    code, _, err = run(capsys, "serve", "--fixture", str(deep))
    assert code == 255
    assert "is nested too deeply to be a fixture" in err


def test_an_invalid_region_in_regions_fails_before_any_listing(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """--regions us-east-1,bad!: 252 before any request, the message prefixed once."""
    code, out, err = run(capsys, CMD, "--endpoint-url", url, "--regions", "us-east-1,bad!")
    assert (code, out, fake.request_count) == (252, "", 0)
    assert "--regions: invalid region name 'bad!'" in err
    assert err.count("error:") == 1


def test_closed_stdout_is_a_clear_error(tmp_path: Path) -> None:
    """Started with stdout closed (>&-): exit 255 with a message, no traceback."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.close(1); "
         "os.execv(sys.executable, [sys.executable, '-m', 'bedrock_paginate', '--version'])"],
        stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        env=dict(os.environ, PYTHONPATH=str(root)),
    )  # fmt: skip
    assert done.returncode == 255
    assert "standard output is closed" in done.stderr
    assert "Traceback" not in done.stderr


def test_async_close_from_another_event_loop_works(url: str) -> None:
    """AsyncClient used in one asyncio.run and closed (or aclose()d) in another: no raw
    RuntimeError."""
    import asyncio
    import gc
    import warnings

    from bedrock_paginate import AsyncClient

    for closer in ("close", "aclose"):
        client = AsyncClient(endpoint_url=url)
        asyncio.run(client.list_model_invocation_jobs())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)  # sockets of the ended loop
            asyncio.run(getattr(client, closer)())
            del client
            gc.collect()


def test_table_aligns_wide_and_combining_characters_by_display_width() -> None:
    """--output table measures width as the AWS CLI v2's table (awscli/table.py
    get_text_length): a character whose East Asian width is Wide, Fullwidth or Ambiguous takes
    two columns, every other character (combining marks and zero-width ones included) one; every
    line of the box is then equally wide by that measure."""
    from bedrock_paginate._output import display_width, table_lines

    jobs = [
        {"jobName": "夜間バッチ", "status": "Completed", "modelId": "m"},
        {"jobName": "e\u0301te\u0301-🚀", "status": "Failed", "modelId": "m"},
        {"jobName": "±\u03b1—…§①", "status": "Stopped", "modelId": "m"},
        {"jobName": "plain\u200b", "status": "InProgress", "modelId": "m"},
    ]
    lines = table_lines(jobs)
    assert len({display_width(line) for line in lines}) == 1, lines
    assert display_width("夜間") == 4  # Wide
    assert display_width("\uff21") == 2  # Fullwidth
    assert display_width("🚀") == 2  # Wide emoji
    # Ambiguous: two columns, as the AWS CLI counts them (é, ±, Greek alpha, —, …, §, ①)
    assert display_width("\u00e9±\u03b1—…§①") == 14
    assert display_width("e\u0301") == 3  # e, then a combining acute accent (Ambiguous)
    assert display_width("\u309a") == 2  # a combining mark that is Wide
    assert display_width("a\u200b") == 2  # a zero-width space is Neutral: one column
    assert display_width("plain") == 5


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=20))
def test_display_width_is_the_aws_cli_text_length(text: str) -> None:
    """Any text: 2 per Wide/Fullwidth/Ambiguous character, 1 per other (AWS CLI v2's rule)."""
    import unicodedata

    from bedrock_paginate._output import display_width

    expected = sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)
    assert display_width(text) == expected


def test_no_progress_line_for_a_listing_that_max_items_ends_after_one_page(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """A one-page listing (MaxItems reached on page 1) shows no progress line on a terminal."""
    code = cli.main(
        [CMD, "--endpoint-url", url, "--page-size", "2", "--max-items", "2"], isatty=lambda: True
    )
    assert code == 0
    assert "pages " not in capsys.readouterr().err


def test_jsonl_query_per_job_is_documented_and_warns_when_it_drops_every_job(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """--help says jsonl applies --query per job; a query that drops every job says so."""
    assert cli.main([CMD, "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "(jsonl: jobs it turns into null are not printed" in help_text
    code, out, err = run(
        capsys, CMD, "--endpoint-url", url, "--output", "jsonl", "--query", "invocationJobSummaries"
    )
    assert (code, out) == (0, "")
    assert "returned null for every job, so nothing was printed" in err


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[default]\nregion = us east\n", 2, "region in profile 'default'"),
        ("[default]\nregion = us-east-1\n\nmax_attempts = lots\n", 4, "max_attempts"),
        ("# c\n[default]\nregion = us-east-1\nretry_mode = fast\n", 4, "retry_mode"),
    ],
)
def test_a_bad_profile_value_names_the_file_and_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    url: str,
    text: str,
    line: int,
    message: str,
) -> None:
    """A bad value in a profile: 253, the message names the key, the file and the line."""
    config = tmp_path / "config"
    config.write_text(text)
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_MAX_ATTEMPTS")
    code, _, err = run(capsys, CMD, "--endpoint-url", url)
    assert code == 253
    assert f"{message}" in err
    assert f"({config}, line {line})" in err


def test_an_unclosed_section_header_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    """'[default' without ']': the error says the header is not closed, at its line."""
    (tmp_path / "config").write_text("# settings\n[default\nregion = us-east-1\n")
    code, _, err = run(capsys, CMD, "--endpoint-url", url)
    assert code == 253
    assert "at line 2: this [section header is not closed (a ']' is missing)" in err


# --- --cli-input-json and --generate-cli-skeleton ----------------------------------------------


def test_generate_cli_skeleton_input_is_the_aws_cli_v2_skeleton(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock
) -> None:
    """--generate-cli-skeleton prints the operation's input skeleton and calls nothing."""
    import json

    assert cli.main([CMD, "--generate-cli-skeleton"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "submitTimeAfter": "1970-01-01T00:00:00",
        "submitTimeBefore": "1970-01-01T00:00:00",
        "statusEquals": "Submitted",
        "nameContains": "",
        "maxResults": 0,
        "nextToken": "",
        "sortBy": "CreationTime",
        "sortOrder": "Ascending",
    }
    assert fake.request_count == 0


def test_generate_cli_skeleton_output_uses_member_names(capsys: pytest.CaptureFixture[str]) -> None:
    """--generate-cli-skeleton output: the response shape, member names as values."""
    import json

    assert cli.main([CMD, "--generate-cli-skeleton", "output"]) == 0
    out = json.loads(capsys.readouterr().out)
    job = out["invocationJobSummaries"][0]
    assert out["nextToken"] == "nextToken"
    assert (job["jobArn"], job["submitTime"]) == ("jobArn", "1970-01-01T00:00:00")
    assert job["inputDataConfig"]["s3InputDataConfig"]["s3Uri"] == "s3Uri"


@pytest.mark.parametrize("command", ["serve", "build-layer"])
def test_every_command_has_an_input_skeleton(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """serve and build-layer print their input skeleton too; 'output' is refused with 252."""
    import json

    assert cli.main([command, "--generate-cli-skeleton"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), dict)
    assert cli.main([command, "--generate-cli-skeleton", "output"]) == 252


def test_cli_input_json_supplies_parameters_and_the_command_line_wins(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, tmp_path: Path, url: str
) -> None:
    """--cli-input-json (inline or file://) sets parameters; a flag also given wins."""
    doc = tmp_path / "in.json"
    doc.write_text('{"statusEquals": "Completed", "sortOrder": "Descending", "maxResults": 2}')
    code, _, err = run(
        capsys, CMD, "--endpoint-url", url, "--cli-input-json", f"file://{doc}",
        "--sort-order", "Ascending",
    )  # fmt: skip
    assert code == 0, err
    query = dict(fake.requests[-1].query)
    assert query["statusEquals"] == "Completed"
    assert query["sortOrder"] == "Ascending"
    assert query["maxResults"] == "2"
    code, _, err = run(capsys, CMD, "--endpoint-url", url, "--cli-input-json", '{"nope": 1}')
    assert code == 252
    assert "--cli-input-json: unknown parameter 'nope'" in err


def test_serve_takes_cli_input_json(capsys: pytest.CaptureFixture[str]) -> None:
    """serve --cli-input-json '{"port": 70000}' is checked by serve's own parser (252)."""
    code, _, err = run(capsys, "serve", "--cli-input-json", '{"port": 70000}')
    assert code == 252
    assert "argument --port: expected a port" in err


def test_every_command_has_a_cli_input_table() -> None:
    """Each command of the CLI (the listing, the batch-job commands, watch, serve,
    build-layer) takes --cli-input-json: a new command without an entry fails here."""
    from bedrock_paginate._cli_input import COMMAND_INPUTS

    commands = {cli.COMMAND, cli.SERVE, cli.BUILD_LAYER, *cli.JOB_COMMANDS}
    assert set(COMMAND_INPUTS) == commands


def test_create_takes_its_structures_from_cli_input_json(
    capsys: pytest.CaptureFixture[str], fake: FakeBedrock, url: str
) -> None:
    """create-model-invocation-job --cli-input-json with the skeleton's structures: sent."""
    import json

    assert cli.main(["create-model-invocation-job", "--generate-cli-skeleton"]) == 0
    doc = json.loads(capsys.readouterr().out)
    doc.update(
        jobName="nightly-1",
        roleArn="arn:aws:iam::123456789012:role/batch",
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://in-bucket/x/"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/y/"}},
    )
    for key in ("clientRequestToken", "vpcConfig", "tags", "timeoutDurationInHours"):
        del doc[key]
    code, out, err = run(
        capsys, "create-model-invocation-job", "--endpoint-url", url,
        "--cli-input-json", json.dumps(doc),
    )  # fmt: skip
    assert code == 0, err
    assert "jobArn" in out


def test_text_query_applies_to_the_next_token_too(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """--output text --query: as the AWS CLI's text formatter, the query also runs on the
    {"NextToken": {"NextToken": T}} it prints last, so `--query NextToken` ends with the bare
    token (what scripts read) and a query of the jobs ends with None."""
    import json

    base = [CMD, "--endpoint-url", url, "--max-items", "2", "--page-size", "2"]
    token = json.loads(run(capsys, *base, "--query", "NextToken", "--output", "json")[1])
    assert isinstance(token, str)
    code, out, _ = run(capsys, *base, "--query", "NextToken", "--output", "text")
    assert code == 0
    assert out.splitlines() == ["None", token]
    code, out, _ = run(
        capsys, *base, "--query", "invocationJobSummaries[].jobName", "--output", "text"
    )
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert len(lines[0].split("\t")) == 2
    assert lines[1] == "None"
