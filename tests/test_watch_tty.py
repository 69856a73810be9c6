"""``watch`` in a real pseudo-terminal: the live view is drawn in place, Ctrl-C (SIGINT) leaves
it on screen and exits 130. A subprocess against a loopback fake running jobs fast."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bedrock_paginate.testing import FakeBedrock, FakeBedrockServer, generate_jobs

pty = pytest.importorskip("pty")
termios = pytest.importorskip("termios")
fcntl = pytest.importorskip("fcntl")

#: Cursor up over the previous view, then clear to the end of the screen.
REDRAW = re.compile(rb"\x1b\[\d+F\x1b\[J")
#: Generous: only bounds a hung run; nothing is asserted about how long anything took.
PATIENCE = 60.0


@pytest.fixture
def server() -> Iterator[FakeBedrockServer]:
    fake = FakeBedrock(jobs=generate_jobs(30, seed=5), live_jobs=True, speed=5)
    with FakeBedrockServer(fake) as running:
        yield running


def read_until(fd: int, done: Callable[[bytes], bool], buffer: bytearray) -> bool:
    """Read the terminal until ``done`` is true of what was read."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if done(bytes(buffer)):
            return True
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            buffer += chunk
    return False


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_live_view_in_a_terminal_and_ctrl_c(server: FakeBedrockServer, tmp_path: Path) -> None:
    """Two redraws in place, then SIGINT: exit 130, cursor shown again, last view kept."""
    import struct

    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 140, 0, 0))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "fake",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": server.url,
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bedrock_paginate", "watch", "--interval", "0.2"],
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env=env,
        close_fds=True,
    )
    os.close(child_fd)
    seen = bytearray()
    try:
        # The first view, then two redraws (cursor up over the previous view, clear).
        assert read_until(main_fd, lambda out: b"Ctrl-C to stop" in out, seen), bytes(seen)[-500:]
        assert read_until(main_fd, lambda out: len(REDRAW.findall(out)) >= 2, seen)
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=PATIENCE)
        read_until(main_fd, lambda out: out.rstrip().endswith(b"\x1b[?25h"), seen)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main_fd)
    text = bytes(seen).decode()
    assert code == 130
    assert text.startswith("\x1b[?25l")
    assert text.rstrip().endswith("\x1b[?25h")
    last_view = text.rsplit("\x1b[J", 1)[1]
    assert "JOB" in last_view
    assert "Ctrl-C to stop" in last_view
    assert "Traceback" not in text
