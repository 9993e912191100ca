"""The CLI in a real environment: odd paths, odd numbers, full disks, closed outputs, signals.

Each case here once hung or ended in a traceback; each now gets one line and exit code 2 (bad
input) or 1 (a write that failed). See docs/RELIABILITY.md.
"""

from __future__ import annotations

import csv
import ctypes
import ctypes.util
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from tests.support import FAST, items_in, regarchive, regarchive_background, wait_for

pytestmark = pytest.mark.e2e

HUGE = "9999999999999999999999999"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small archive of the sample site."""
    db = tmp_path_factory.mktemp("cli") / "archive.db"
    with SiteServer(lambda base_url: build_site(base_url)) as server:
        result = regarchive("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr
    return db


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a failed command printed on stderr (and no traceback)."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def usage_error(result: subprocess.CompletedProcess[str]) -> str:
    """click's usage error: a usage line, a hint, then one ``Error:`` line."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_db_that_is_not_a_regular_file_is_refused_without_opening_it(
    tmp_path: Path, kind: str
) -> None:
    """A named pipe opened for reading waits for a writer for ever: the path's type is looked
    at first, and nothing ever opens it."""
    if kind == "fifo":
        db = tmp_path / "archive.db"
        os.mkfifo(db)
    else:
        db = Path("/dev/null")
    for command in (
        ["status"],
        ["search", "budget"],
        ["list"],
        ["show", "1"],
        ["stats"],
        ["history", "1"],
        ["export"],
        ["crawl", "http://127.0.0.1:9/-Regions-"],
    ):
        result = regarchive(*command, "--db", str(db), timeout=60)
        assert result.returncode == 2, (command, result.stderr)
        assert f"{db} is not a regular file" in one_line(result)
    assert db.is_fifo() if kind == "fifo" else db.is_char_device()


@pytest.mark.parametrize(
    "setting",
    [
        "DOWNLOAD_DELAY=inf",
        "DOWNLOAD_DELAY=nan",
        "DOWNLOAD_DELAY=1e300",
        "DOWNLOAD_TIMEOUT=nan",
        "DOWNLOAD_TIMEOUT=-inf",
        "AUTOTHROTTLE_MAX_DELAY=inf",
        "REGARCHIVE_RETRY_AFTER_MAX=nan",
        f"CONCURRENT_REQUESTS={HUGE}",
        f"REGARCHIVE_REVISIT_RECENT_DAYS={HUGE}",
        "REGARCHIVE_EXTRACT_WORKERS=100000",
    ],
)
def test_non_finite_or_out_of_range_settings_are_refused(tmp_path: Path, setting: str) -> None:
    db = tmp_path / "archive.db"
    result = regarchive(
        "crawl", "http://127.0.0.1:9/-Regions-", "--db", str(db), "-s", setting, timeout=30
    )
    assert result.returncode == 2, result.stderr
    name, _, value = setting.partition("=")
    assert one_line(result).startswith(f"Error: bad value for {name}: '{value}'; expected")
    assert not db.exists()


def test_sigterm_stops_a_crawl_promptly(tmp_path: Path) -> None:
    """Requests waiting for a long DOWNLOAD_DELAY must not hold up a stop (systemd, cron's
    timeout): the crawl ends within seconds, says so, and releases the archive."""
    db = tmp_path / "archive.db"
    with SiteServer(lambda base_url: build_site(base_url)) as server:
        rubrics = list(server.site.rubrics.values())
        # An archive to come back to: a first crawl that reads nothing leaves none behind.
        assert regarchive("crawl", *rubrics, "--db", str(db), *FAST).returncode == 0
        server.reset()
        crawl = regarchive_background(
            "crawl", *rubrics, "--db", str(db), *FAST, "-s", "DOWNLOAD_DELAY=3600"
        )
        try:
            wait_for(lambda: len(server.requests) >= 1)  # robots.txt; the rest waits an hour
            time.sleep(0.5)
            stopping = time.monotonic()
            crawl.send_signal(signal.SIGTERM)
            _, stderr = crawl.communicate(timeout=60)
            took = time.monotonic() - stopping
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
        assert took < 20, f"the crawl took {took:.0f} s to stop"
        assert crawl.returncode == 1, stderr
        assert "Traceback" not in stderr
        assert "regarchive: unhealthy crawl: the crawl stopped before the end" in stderr
        status = regarchive("status", "--db", str(db))
        assert "did not finish" in status.stderr or "shutdown" in status.stdout, status
        again = regarchive("crawl", *rubrics, "--db", str(db), *FAST)
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("command", [["show", HUGE], ["history", HUGE]])
def test_an_item_number_beyond_any_archive_is_no_item(archive: Path, command: list[str]) -> None:
    result = regarchive(*command, "--db", str(archive))
    assert result.returncode == 2, result.stderr
    assert f"no item '{HUGE}'" in one_line(result)


@pytest.mark.parametrize(
    "command",
    [
        ["list", "--limit", HUGE],
        ["search", "conseil", "--limit", HUGE],
        ["status", "--runs", HUGE],
        ["status", "--max-age", "nan"],
        ["status", "--max-age", "inf"],
        ["status", "--max-age", "1e300"],
    ],
)
def test_numbers_out_of_range_are_usage_errors(archive: Path, command: list[str]) -> None:
    result = regarchive(*command, "--db", str(archive))
    assert command[-2] in usage_error(result)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "parquet"])
def test_an_export_onto_an_existing_folder_is_refused(
    archive: Path, tmp_path: Path, fmt: str
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "mine.txt").write_text("mine")
    result = regarchive("export", "--db", str(archive), "-f", fmt, "-o", str(folder))
    assert result.returncode == 2, result.stderr
    assert "is a folder; give a file path" in one_line(result)
    assert [p.name for p in folder.iterdir()] == ["mine.txt"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "command",
    [
        ["export"],
        ["export", "-f", "csv"],
        ["list"],
        ["search", "conseil"],
        ["show", "1"],
        ["show", "1", "--json"],
        ["stats"],
        ["status"],
        ["history", "1"],
        ["datasette-metadata"],
    ],
)
def test_a_full_standard_output_is_one_line_and_exit_1(archive: Path, command: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "regarchive", *command, "--db", str(archive)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1, result.stderr
    line = one_line(result)
    assert "cannot write standard output: no space left on the device" in line


@pytest.mark.parametrize(
    "command", [["export"], ["list"], ["show", "1"], ["status"], ["stats"], ["history", "1"]]
)
def test_a_closed_standard_output_is_one_line_and_exit_1(archive: Path, command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "regarchive", *command, "--db", str(archive)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 1, result.stderr
    assert "cannot write standard output: it is closed" in one_line(result)


def test_a_quiet_crawl_needs_no_standard_output(tmp_path: Path) -> None:
    """cron may start a job with its standard output closed: a crawl that prints nothing
    must not care."""
    db = tmp_path / "archive.db"
    with SiteServer(lambda base_url: build_site(base_url)) as server:
        result = subprocess.run(
            [sys.executable, "-m", "regarchive", "crawl", *server.site.rubrics.values()]
            + ["--db", str(db), "--quiet", *FAST],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            preexec_fn=lambda: os.close(1),
        )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("command", ["search", "stats", "export"])
def test_a_query_of_thousands_of_words_is_refused_at_once(archive: Path, command: str) -> None:
    """3,000 prefixes OR'ed together kept SQLite busy for half a minute (and more on a large
    archive): a query has a bounded number of terms."""
    query = " OR ".join(f"{a}{b}*" for a in "abcdefghijklmnopqrstuvwxyz" for b in "aeiou" * 24)
    args = [query] if command == "search" else ["--query", query]
    started = time.monotonic()
    result = regarchive(command, *args, "--db", str(archive), timeout=60)
    assert time.monotonic() - started < 15
    assert result.returncode == 2, result.stderr
    assert "the query has 3120 search terms; at most 100" in one_line(result)


# -- outputs that are not regular files --------------------------------------------------------


def parsed_items(fmt: str, data: bytes) -> list[dict]:
    """The records of an export in ``fmt``, read back from its bytes."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(io.BytesIO(data)).to_pylist()
    text = data.decode("utf-8-sig")
    if fmt == "json":
        return json.loads(text)
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "parquet"])
def test_an_export_into_a_named_pipe_reaches_the_reader_whole(
    archive: Path, tmp_path: Path, fmt: str
) -> None:
    pipe = tmp_path / "items.pipe"
    os.mkfifo(pipe)
    received = tmp_path / "received"
    with received.open("wb") as sink:  # not a pipe of ours: cat must never wait for us
        reader = subprocess.Popen(["cat", str(pipe)], stdout=sink)
        try:
            result = regarchive(
                "export", "--db", str(archive), "-f", fmt, "-o", str(pipe), timeout=60
            )
            reader.wait(timeout=60)
        finally:
            if reader.poll() is None:
                reader.kill()
                reader.wait()
    data = received.read_bytes()
    assert result.returncode == 0, result.stderr
    assert pipe.is_fifo()
    items = parsed_items(fmt, data)
    assert len(items) == len(
        parsed_items("jsonl", regarchive("export", "--db", str(archive)).stdout.encode())
    )
    assert all(item["url"].startswith("http://127.0.0.1:") for item in items)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "parquet"])
def test_an_export_to_a_device_writes_into_it_never_over_it(archive: Path, fmt: str) -> None:
    devices = {path: os.stat(path) for path in ("/dev/null", "/dev/full") if Path(path).exists()}
    if "/dev/full" not in devices:
        pytest.skip("no /dev/full on this system")
    result = regarchive("export", "--db", str(archive), "-f", fmt, "-o", "/dev/null")
    assert result.returncode == 0, result.stderr
    result = regarchive("export", "--db", str(archive), "-f", fmt, "-o", "/dev/full")
    assert result.returncode == 1, result.stderr
    assert one_line(result) == (
        "Error: cannot write /dev/full: no space left on the device; nothing was replaced"
    )
    for path, before in devices.items():
        after = os.stat(path)
        assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev, path


def test_a_data_package_is_never_written_over_a_pipe_or_a_device(
    archive: Path, tmp_path: Path
) -> None:
    pipe = tmp_path / "package.pipe"
    os.mkfifo(pipe)
    for target in (pipe, Path("/dev/null")):
        result = regarchive("export", "--db", str(archive), "-f", "datapackage", "-o", str(target))
        assert result.returncode == 2, result.stderr
        assert "a data package is a folder: give a folder path" in one_line(result)
    assert pipe.is_fifo() and Path("/dev/null").is_char_device()


# -- readers without write permission ----------------------------------------------------------

CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3
PR_CAPBSET_DROP = 24
OTHER_USER = 12345  # owns the archive: the crawl's user in a systemd set-up


def as_another_user() -> None:
    """In the child, before exec: root without the capabilities that bypass file permissions
    is a reader like any other (this Python lives under /root, which no other user can run)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def read_only_to_us(*paths: Path) -> Callable[[], None] | None:
    """Make ``paths`` unwritable to the commands the test runs; the ``preexec_fn`` to run them
    with (None when running as a user whose own permissions are enough)."""
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        return None
    for path in paths:
        os.chown(path, OTHER_USER, OTHER_USER)
        path.chmod(0o755 if path.is_dir() else 0o644)
    probe = subprocess.run(
        [sys.executable, "-c", f"import os; print(os.access({str(paths[0])!r}, os.W_OK))"],
        capture_output=True,
        text=True,
        preexec_fn=as_another_user,
    )
    if probe.returncode != 0 or probe.stdout.strip() != "False":
        pytest.skip(f"cannot run a command that lacks write permission here: {probe.stderr}")
    return as_another_user


def run_as(preexec: Callable[[], None] | None, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regarchive", *args],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=preexec,
    )


def test_readers_without_write_permission_read_the_archive(archive: Path, tmp_path: Path) -> None:
    """The README's systemd set-up: another user runs the crawl, and the archive and its folder
    are not writable by the analyst reading it. Every reading command works (opening the
    archive read-only); only the bookkeeping of --since-last-export needs to write, and says
    so."""
    folder = tmp_path / "srv"
    folder.mkdir()
    db = folder / "archive.db"
    shutil.copy(archive, db)
    before = db.read_bytes()
    preexec = read_only_to_us(db, folder)
    items = len(parsed_items("jsonl", run_as(preexec, "export", "--db", str(db)).stdout.encode()))
    assert items > 0
    out = tmp_path / "mine" / "items.csv"
    out.parent.mkdir()
    for command in (
        ["status"],
        ["search", "conseil"],
        ["list", "--limit", "0"],
        ["show", "1"],
        ["stats"],
        ["history", "1"],
        ["export", "-f", "csv", "-o", str(out)],
    ):
        result = run_as(preexec, *command, "--db", str(db))
        assert result.returncode == 0, (command, result.stderr)
        assert "readonly" not in result.stderr
    assert f"{items} items" in run_as(preexec, "list", "--db", str(db)).stdout
    assert len(parsed_items("csv", out.read_bytes())) == items
    result = run_as(preexec, "export", "--db", str(db), "--since-last-export", "nightly")
    assert result.returncode == 2, result.stderr
    assert "--since-last-export" in one_line(result) and "cannot write" in one_line(result)
    assert result.stdout == ""
    assert db.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["archive.db"]


def test_readers_without_write_permission_see_a_running_crawl(tmp_path: Path) -> None:
    """While another user's crawl writes the archive, a reader that may not write it reads
    through the crawl's own -shm file: it sees what the crawl has committed so far."""
    folder = tmp_path / "srv"
    folder.mkdir()
    db = folder / "archive.db"
    with SiteServer(lambda base_url: build_site(base_url)) as server:
        server.delay = 0.5  # a crawl long enough to be read during
        crawl = regarchive_background(
            "crawl", *server.site.rubrics.values(), "--db", str(db), *FAST
        )
        try:
            wait_for(lambda: items_in(db) >= 3)
            files = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), folder]
            preexec = read_only_to_us(*[path for path in files if path.exists()])
            committed = items_in(db)
            result = run_as(preexec, "export", "--db", str(db))
            still_running = crawl.poll() is None
        finally:
            server.delay = 0
            crawl.communicate(timeout=300)
    assert result.returncode == 0, result.stderr
    assert still_running, "the crawl ended before the reader ran"
    assert len(parsed_items("jsonl", result.stdout.encode())) >= committed
    assert crawl.returncode == 0
