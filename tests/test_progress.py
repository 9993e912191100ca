"""The progress line owns its terminal line, says what the crawl waits for, and the summary says
how politeness shaped the run's time."""

from __future__ import annotations

import io
import logging
import os
import pty
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from regarchive.scraper.health import CrawlOutcome
from regarchive.scraper.logs import STATUS_LINE, ConsoleHandler, OneLineFormatter
from tests.support import regarchive

CLEAR = "\r\033[K"


def test_a_log_line_prints_above_the_status_line_and_the_status_line_comes_back() -> None:
    terminal = io.StringIO()
    handler = ConsoleHandler(terminal)
    handler.setFormatter(OneLineFormatter("regarchive: %(levelname)s: %(message)s"))
    logger = logging.getLogger("tests.progress")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        STATUS_LINE.show("3 pages (1.0/s)", terminal)
        logger.warning("could not fetch http://127.0.0.1:9/x: connection refused")
        STATUS_LINE.clear()
    finally:
        logger.removeHandler(handler)
    assert terminal.getvalue() == (
        f"{CLEAR}3 pages (1.0/s)"
        f"{CLEAR}regarchive: WARNING: could not fetch http://127.0.0.1:9/x: connection refused\n"
        f"3 pages (1.0/s){CLEAR}"
    )


def run_on_a_terminal(*args: str, timeout: float = 120) -> tuple[int, str]:
    """Run ``regarchive ARGS`` with stderr on a pseudo-terminal; return its code and output."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "regarchive", *args],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                data = os.read(controller, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(controller)
    return process.wait(timeout=10), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.e2e
def test_the_progress_line_says_it_waits_to_retry_and_warnings_do_not_stick_to_it(
    tmp_path: Path,
) -> None:
    with socket.socket() as sock:  # a loopback port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, output = run_on_a_terminal(
        "crawl",
        f"http://127.0.0.1:{port}/-Regions-",
        "--db",
        str(tmp_path / "a.db"),
        "-s",
        "RETRY_TIMES=2",
    )
    assert code == 1
    assert re.search(r"0 pages \(0\.0/s\) · .* · 0 errors · waiting \d s to retry", output)
    # The warning starts on a fresh line (the status line erased first) and ends its own line.
    warning = re.search(r"(.)regarchive: WARNING: could not fetch[^\r\n]*(\r?\n)", output)
    assert warning is not None, output
    assert output[: warning.start(1) + 1].endswith(CLEAR)
    assert "errorsregarchive" not in output


@pytest.mark.e2e
def test_the_summary_says_how_politeness_shaped_the_run(tmp_path: Path) -> None:
    with SiteServer(lambda base_url: build_site(base_url, articles=12)) as server:
        result = regarchive(
            "crawl",
            server.site.rubrics["Régions"],
            "--db",
            str(tmp_path / "a.db"),
            "-s",
            "DOWNLOAD_DELAY=0.3",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
        )
        requests = server.count()
    assert result.returncode == 0, result.stderr
    found = re.search(
        r"politeness: 0\.3 s between requests to a site \(DOWNLOAD_DELAY\), at most 4 at a time; "
        r"the crawl waited on it (\d+\.\d) s of its (\d+\.\d) s",
        result.stdout,
    )
    assert found is not None, result.stdout
    waited, took = float(found.group(1)), float(found.group(2))
    # One request every 0.3 s: a good part of the run is spent waiting between requests (less
    # on a busy machine, where pages take longer to handle than the delay lasts).
    assert 0.25 * 0.3 * (requests - 1) <= waited <= took


def test_a_run_that_did_not_wait_says_nothing_of_politeness() -> None:
    stats = {"finish_reason": "finished", "regarchive/pace/politeness_seconds": 0.2}
    assert "politeness" not in CrawlOutcome(stats).summary("a.db")


def test_the_summary_counts_in_singular_and_plural() -> None:
    stats = {
        "finish_reason": "finished",
        "downloader/request_count": 1,
        "response_received_count": 1,
        "regarchive/fetch_errors": 1,
        "retry/count": 1,
    }
    summary = CrawlOutcome(stats).summary("a.db")
    assert "1 request, " in summary
    assert "1 error;" in summary
    assert "1 retry " in summary
