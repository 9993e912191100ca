"""A real Redis server for the frontier's tests: Debian's ``redis-server`` on a Unix socket in
the test's own directory (nothing listens on the network), stopped after the test.

Without ``redis-server`` the frontier's tests are skipped, except in CI (``CI`` set), where
``.ci/run`` installs it and a skip would hide that nothing was tested.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server") or (
    "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
)


def require_redis_server() -> str:
    if REDIS_SERVER is None:
        reason = "redis-server is not installed: apt-get install redis-server (CI installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: in CI the frontier tests must run, not be skipped")
        pytest.skip(reason)
    return REDIS_SERVER


@contextmanager
def redis_server() -> Iterator[str]:
    """A fresh, empty Redis server; yields its URL (``unix:///…/redis.sock?db=0``)."""
    binary = require_redis_server()
    # A short directory of its own: a Unix socket's path is limited to 107 bytes, which a
    # pytest tmp_path named after a long test exceeds.
    directory = Path(tempfile.mkdtemp(prefix="rgredis"))
    socket = directory / "redis.sock"
    process = subprocess.Popen(
        [
            binary,
            "--port", "0",
            "--unixsocket", str(socket),
            "--unixsocketperm", "700",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"redis-server did not start (exit {process.poll()})")
            time.sleep(0.02)
        yield f"unix://{socket}?db=0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)
