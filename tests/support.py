"""Shared test helpers: run the CLI (in its own process or in this one), crawl the sample site
fast, build records and pages, watch processes and archives from outside."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from click.testing import CliRunner, Result

from regarchive.cli import cli
from regarchive.cli.commands.demo import LOOPBACK_SETTINGS

# The sample site is local: crawl it without the delays that spare real servers.
FAST = [arg for key, value in LOOPBACK_SETTINGS.items() for arg in ("-s", f"{key}={value}")]

# Whether the running test is marked e2e (set by tests/conftest.py before its fixtures).
e2e_allowed = True


def require_e2e(what: str) -> None:
    """Refuse to start a process or a server in a test not marked ``e2e``."""
    if not e2e_allowed:
        raise AssertionError(f"{what} starts a process or a server: mark the test @pytest.mark.e2e")


def regarchive(
    *args: str,
    cwd: Path | None = None,
    timeout: float = 300,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``regarchive ARGS`` as a user would, in its own process (``python -m regarchive``)."""
    require_e2e("regarchive()")
    return subprocess.run(
        [sys.executable, "-m", "regarchive", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=None if env is None else dict(env),
    )


def regarchive_background(*args: str) -> subprocess.Popen[str]:
    """Start ``regarchive ARGS`` in its own process and return at once."""
    require_e2e("regarchive_background()")
    return subprocess.Popen(
        [sys.executable, "-m", "regarchive", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def invoke(*args: str) -> Result:
    """Run ``regarchive ARGS`` in this process (click's runner: the same command objects), for
    the many cases that need no crawl; an exception other than the exit is raised, not kept."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def export_records(db: Path) -> list[dict]:
    result = regarchive("export", "--db", str(db), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


class Clock:
    """An archive clock for tests: starts at 2026-11-28 10:00 UTC, one hour later at each read."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        current = self.moment
        self.moment += timedelta(hours=1)
        return current


def extracted_record(url: str, text: str, **fields: Any) -> dict[str, Any]:
    """A record as ``extract_record`` returns it: nothing but ``url`` and ``text`` known, the
    rest as ``fields`` say."""
    record: dict[str, Any] = {
        "url": url,
        "urls": [url],
        "site": urlsplit(url).netloc,
        "title": None,
        "category": None,
        "rubrics": [],
        "source": None,
        "published": None,
        "updated": None,
        "text": text,
        "lang": "fr",
        "content_hash": hashlib.sha256(text.encode()).hexdigest(),
        "related": [],
        "warnings": [],
        "is_article": True,
    }
    record.update(fields)
    return record


def make_page(
    url: str, body: bytes = b"<html><p>article</p></html>", **overrides: Any
) -> dict[str, Any]:
    """A fetched page as the spider hands it over (see ``ArticlePage``)."""
    page = {
        "url": url,
        "final_url": url,
        "status": 200,
        "content_type": "text/html; charset=utf-8",
        "etag": '"abc"',
        "last_modified": None,
        "body": body,
        "fetched_at": "2026-11-28T09:00:00Z",
    }
    page.update(overrides)
    return page


# -- watching processes and archives from outside ------------------------------------------


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def children_of(pid: int) -> list[int]:
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").glob("*/children")
        for child in task.read_text().split()
    ]


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped has already died)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def items_in(db: Path) -> int:
    """Items committed in ``db``, read by a connection closed at once (an open one would keep
    the WAL alive and hide what other processes do to it)."""
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
            return conn.execute("select count(*) from items").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def lock_holder(db: Path) -> str:
    """What the archive's lock file says of the crawl holding it ("" when none does)."""
    try:
        return Path(f"{db}.lock").read_text()
    except OSError:
        return ""


# -- the sample site crawled, and regarchive serve ------------------------------------------


def crawl_sample_site(db: Path) -> None:
    """Crawl the bundled sample site into ``db`` with the real CLI, as ``regarchive demo`` does
    (but keeping its own server up only for the crawl)."""
    from regarchive.demo.server import SiteServer
    from regarchive.demo.site import build_site

    with SiteServer(lambda base_url: build_site(base_url)) as server:
        start_urls = sorted(server.site.rubrics.values())
        result = regarchive("crawl", *start_urls, "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr


class Served:
    """``regarchive serve ARGS`` in its own process, on a free port of 127.0.0.1: ``url`` is
    where it answers. Stopped with Ctrl-C (SIGINT) as a user would."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.url = ""
        self.process: subprocess.Popen[str] | None = None
        self.output = ""

    def __enter__(self) -> Served:
        require_e2e("Served")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "regarchive", "serve", "--port", "0", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # the command prints its address, then serves
        if "http://" not in line:
            self.stop()
            raise AssertionError(f"regarchive serve did not start: {line}{self.output}")
        self.url = line.split(" at ", 1)[1].split()[0].rstrip("/")
        return self

    def stop(self) -> int:
        import signal

        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            out, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        self.output += out + err
        return self.process.returncode

    def __exit__(self, *exc: object) -> None:
        self.stop()
