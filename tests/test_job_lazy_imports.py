"""The listing's cold start does not pay for the batch-job operations or watch: none of their
modules is imported by ``from bedrock_paginate import Client`` or the CLI listing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEW_MODULES = {
    "bedrock_paginate._job_models",
    "bedrock_paginate._job_options",
    "bedrock_paginate._job_params",
    "bedrock_paginate._job_operations",
    "bedrock_paginate._waiter",
    "bedrock_paginate._watch",
    "bedrock_paginate._cli_jobs",
    "bedrock_paginate._cli_watch",
    "bedrock_paginate._cli_values",
}
LISTING = (
    "from bedrock_paginate import Client\n"
    "pages = Client(replay_from={fixture!r}, environ={{}})"
    ".get_paginator('list_model_invocation_jobs').paginate()\n"
    "assert len(list(pages.jobs())) == 10\n"
)
CLI_LISTING = (
    "import contextlib, io\n"
    "from bedrock_paginate import cli\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    assert cli.main(['list-model-invocation-jobs', '--replay', {fixture!r}]) == 0\n"
)
GET_JOB = (
    "from bedrock_paginate import Client\n"
    "client = Client(replay_from={fixture!r}, environ={{}})\n"
    "client.create_model_invocation_job(jobName='n', roleArn='arn:aws:iam::123456789012:role/r',"
    " modelId='m', inputDataConfig={{'s3InputDataConfig': {{'s3Uri': 's3://b-1/i'}}}},"
    " outputDataConfig={{'s3OutputDataConfig': {{'s3Uri': 's3://b-1/o'}}}})\n"
)


def imported_after(code: str) -> set[str]:
    """The bedrock_paginate modules imported after running ``code`` in a fresh interpreter."""
    script = code + (
        "import json, sys\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('bedrock_paginate'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize("code", [LISTING, CLI_LISTING], ids=["python-api", "cli"])
def test_listing_imports_nothing_of_the_new_operations(code: str) -> None:
    """A full listing (Python API or CLI) loads none of the batch-job or watch modules."""
    fixture = str(ROOT / "fixtures" / "list-multi-page.json")
    assert imported_after(code.format(fixture=fixture)) & NEW_MODULES == set()


def test_the_operations_load_what_they_need_on_first_use() -> None:
    """Calling a batch-job operation loads its description, models and validation (and not
    watch): the test above is not passing because nothing could load them."""
    fixture = str(ROOT / "fixtures" / "job-lifecycle.json")
    loaded = imported_after(GET_JOB.format(fixture=fixture)) & NEW_MODULES
    assert loaded == {
        "bedrock_paginate._job_models",
        "bedrock_paginate._job_params",
        "bedrock_paginate._job_operations",
    }


def test_the_new_cores_never_import_httpx() -> None:
    """The operations' descriptions, models, validation, the waiter and watch's core are pure,
    as their docstrings say: importing them all loads no httpx."""
    pure = sorted(NEW_MODULES - {"bedrock_paginate._cli_jobs", "bedrock_paginate._cli_watch"})
    code = "".join(f"import {name}\n" for name in pure)
    code += "import sys\nassert 'httpx' not in sys.modules, sorted(sys.modules)\n"
    assert imported_after(code) >= set(pure)


def test_the_cli_listing_loads_the_cli_input_tables_only_when_asked() -> None:
    """``--cli-input-json`` / ``--generate-cli-skeleton`` tables cost the listing nothing
    unless one of those flags is given."""
    fixture = str(ROOT / "fixtures" / "list-multi-page.json")
    assert "bedrock_paginate._cli_input" not in imported_after(CLI_LISTING.format(fixture=fixture))
    with_input = CLI_LISTING.replace("{fixture!r}]", "{fixture!r}, '--cli-input-json', '{{}}']")
    assert "bedrock_paginate._cli_input" in imported_after(with_input.format(fixture=fixture))
