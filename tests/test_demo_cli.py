"""``regarchive demo`` as a newcomer runs it: the sample site keeps its address, so a second
demo updates the same items; ``--serve`` keeps it up to crawl it from another terminal."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import regarchive, wait_for

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_env(port: int) -> dict[str, str]:
    return {**os.environ, "REGARCHIVE_DEMO_PORT": str(port)}


def run_demo(*args: str, cwd: Path, port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regarchive", "demo", *args],
        cwd=cwd,
        env=demo_env(port),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_second_demo_updates_the_same_items(tmp_path: Path) -> None:
    port = free_port()
    first = run_demo(cwd=tmp_path, port=port)
    assert first.returncode == 0, first.stderr
    assert f"Sample site served at http://127.0.0.1:{port}" in first.stdout
    assert "items: 36 new" in first.stdout
    assert "regarchive demo --serve" in first.stdout
    second = run_demo(cwd=tmp_path, port=port)
    assert second.returncode == 0, second.stderr
    assert "items: 0 new" in second.stdout
    assert "The archive archive.db now holds 36 items." in second.stdout
    stats = regarchive("stats", "--json", cwd=tmp_path)
    assert '"items": 36' in stats.stdout
    assert f'"127.0.0.1:{port}": 36' in stats.stdout


def test_demo_serve_keeps_the_site_up_for_crawls_and_other_demos(tmp_path: Path) -> None:
    port = free_port()
    serving = subprocess.Popen(
        [sys.executable, "-m", "regarchive", "demo", "--serve", "--db", "first.db"],
        cwd=tmp_path,
        env=demo_env(port),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines: list[str] = []

        def said_it_stays_up() -> bool:
            assert serving.stdout is not None
            lines.append(serving.stdout.readline())
            return "until you press Ctrl-C" in lines[-1]

        wait_for(said_it_stays_up, timeout=120)
        crawl = regarchive(
            "crawl", f"http://127.0.0.1:{port}/-Regions-", "--db", "mine.db", cwd=tmp_path
        )
        assert crawl.returncode == 0, crawl.stderr
        assert int(re.search(r"items: (\d+) new", crawl.stdout).group(1)) >= 12
        # Another demo finds the sample site at its address and crawls it there.
        other = run_demo("--db", "other.db", cwd=tmp_path, port=port)
        assert other.returncode == 0, other.stderr
        assert f"already served at http://127.0.0.1:{port}; crawling it there" in other.stdout
        assert "items: 36 new" in other.stdout
    finally:
        serving.send_signal(signal.SIGINT)
        try:
            out, err = serving.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            serving.kill()
            raise
    assert serving.returncode == 0, err
    assert "Sample site stopped." in out
    assert "Traceback" not in err


def test_a_port_taken_by_another_program(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        fallback = run_demo("--articles", "12", cwd=tmp_path, port=port)
        assert fallback.returncode == 0, fallback.stderr
        assert f"Port {port} is taken by another program: serving the sample site at" in (
            fallback.stderr
        )
        refused = run_demo("--port", str(port), "--db", "b.db", cwd=tmp_path, port=port)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1] == (
        f"Error: port {port} is taken by another program; choose another with --port"
    )
    assert not (tmp_path / "b.db").exists()
