"""``status`` tells a running crawl from an interrupted one, and the lock file lives only as
long as the crawl that holds it."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from regarchive.archive.lock import ArchiveLock, ArchiveLockedError, lock_holder, lock_path
from regarchive.cli.commands.status import duration
from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from tests.support import FAST, regarchive, regarchive_background, wait_for


@pytest.fixture()
def server():
    with SiteServer(lambda base_url: build_site(base_url, articles=12)) as site_server:
        yield site_server


@pytest.mark.e2e
def test_a_running_crawl_is_running_and_a_killed_one_interrupted(
    server: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    server.delay = 2.0  # a crawl that lasts long enough to be looked at, even on a busy machine
    crawl = regarchive_background("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    try:
        wait_for(lambda: lock_holder(db) is not None and db.exists())
        wait_for(lambda: "running" in regarchive("status", "--db", str(db)).stdout)
        during = regarchive("status", "--db", str(db))
        assert during.returncode == 0, during.stderr
        assert during.stderr == ""
        run_line = next(line for line in during.stdout.splitlines() if line.endswith("running"))
        assert " s " in run_line  # how long it has been going, not "-" nor "0.0 s"
        report = json.loads(regarchive("status", "--db", str(db), "--format", "json").stdout)
        assert report["running"] == {"run": 1, "pid": crawl.pid}
        assert report["runs"][0]["result"] == "running"
        assert report["runs"][0]["seconds"] > 0
    finally:
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait(timeout=30)
    after = regarchive("status", "--db", str(db))
    assert after.returncode == 1
    assert after.stdout.splitlines()[4].endswith("interrupted")
    assert after.stderr == (
        "WARNING: the last run (#1) did not finish (killed, or the machine stopped)\n"
    )
    # The killed crawl left its lock file; the next crawl takes it over and removes it.
    assert lock_path(db).exists()
    server.delay = 0
    rerun = regarchive("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    assert rerun.returncode == 0, rerun.stderr
    assert not lock_path(db).exists()
    assert regarchive("status", "--db", str(db)).returncode == 0


def test_the_lock_file_exists_only_while_held(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    first = ArchiveLock(db)
    first.acquire()
    assert lock_holder(db) == (os.getpid(), lock_path(db).read_text().strip())
    with pytest.raises(ArchiveLockedError, match=f"pid {os.getpid()}"):
        ArchiveLock(db).acquire()
    first.release()
    assert not lock_path(db).exists()
    assert lock_holder(db) is None
    with ArchiveLock(db):
        assert lock_path(db).exists()
    assert not lock_path(db).exists()


def test_a_lock_taken_on_a_deleted_lock_file_is_taken_again_on_the_new_one(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    holder = ArchiveLock(db)
    holder.acquire()
    late = ArchiveLock(db)
    stale = os.open(lock_path(db), os.O_RDWR)  # opened just before the holder lets go
    holder.release()
    try:
        assert not late._still_at_path(stale)
    finally:
        os.close(stale)
    with late:
        assert late._fd is not None and late._still_at_path(late._fd)
        with pytest.raises(ArchiveLockedError):
            ArchiveLock(db).acquire()


def test_a_lock_file_left_by_a_dead_process_names_no_holder(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    lock_path(db).write_text("pid 999999999 (regarchive crawl)\n")
    assert lock_holder(db) is None


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.04, "0.0 s"), (12.34, "12.3 s"), (125, "2 min 05 s"), (3720, "1 h 02 min")],
)
def test_durations_read_easily(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown
