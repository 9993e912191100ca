"""Nightly reruns against the sample site served on 127.0.0.1, whose server honours
conditional requests and logs every request: unchanged reruns cost 304s, changed articles are
updated (with history), new articles are found on page 1, one crawl at a time, kill -9 safe."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from regarchive.demo.server import SiteServer
from tests.support import (
    FAST,
    alive,
    children_of,
    export_records,
    items_in,
    lock_holder,
    regarchive,
    regarchive_background,
    wait_for,
)

# Every test here starts a server or a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e

# Every known article due for a re-check on every run (the default re-checks old ones weekly).
ALL_DUE = ["-s", "REGARCHIVE_REVISIT_OLD_EVERY_DAYS=0"]


def crawl(server: SiteServer, db: Path, *extra: str) -> str:
    result = regarchive(
        "crawl", *sorted(server.site.rubrics.values()), "--db", str(db), *FAST, *extra
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


NO_DISCOVERY = ("-s", "REGARCHIVE_DISCOVERY=False")


def article_paths(server: SiteServer) -> set[str]:
    base = server.base_url
    return {url[len(base) :] for truth in server.site.articles for url in truth.urls}


def article_requests(server: SiteServer) -> list:
    paths = article_paths(server)
    return [r for r in server.requests if r.path in paths]


def test_unchanged_rerun_downloads_no_article_body(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawl(server, db)
    before = export_records(db)
    server.reset()
    out = crawl(server, db, *ALL_DUE)
    requests = article_requests(server)
    assert len(requests) == len(server.site.articles)  # one re-check per item, not per URL
    assert {r.status for r in requests} == {304}
    assert all("If-None-Match" in r.headers for r in requests)
    assert f"items: 0 new, 0 updated, {len(server.site.articles)} unchanged" in out
    after = export_records(db)
    assert [{k: v for k, v in r.items() if k != "last_seen"} for r in after] == [
        {k: v for k, v in r.items() if k != "last_seen"} for r in before
    ]
    # listings are re-read, but paging stops at the first page that holds only known articles
    assert not [r for r in server.requests if "debut_articles" in r.path]


def test_default_policy_leaves_old_articles_for_later(server: SiteServer, tmp_path: Path) -> None:
    """The revisit policy alone (a site that announces nothing: with a sitemap, its dates
    decide; see tests/test_discovery_crawl.py)."""
    db = tmp_path / "archive.db"
    crawl(server, db, *NO_DISCOVERY)
    server.reset()
    out = crawl(server, db, *NO_DISCOVERY)
    # only the undated article (young by its first sighting) is re-checked; the rest are old
    undated = [t for t in server.site.articles if t.published is None]
    assert len(article_requests(server)) == len(undated)
    assert "items: 0 new, 0 updated" in out
    assert "not fetched again, checked recently enough" in out


def test_three_changed_articles_are_updated_with_history(
    server: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    crawl(server, db)
    changed = [t.number for t in server.site.articles[3:6]]
    for number in changed:
        old = server.site.article(number)
        server.site.update_article(
            number,
            text=old.text + "\nUn rectificatif a été publié le lendemain.",
            updated="2025-06-02",
        )
    out = crawl(server, db, *ALL_DUE)
    assert f"items: 0 new, 3 updated, {len(server.site.articles) - 3} unchanged" in out
    by_url = {r["url"]: r for r in export_records(db)}
    for number in changed:
        truth = server.site.article(number)
        assert by_url[truth.canonical_url]["text"] == truth.text
        assert by_url[truth.canonical_url]["updated"] == "2025-06-02"
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from versions").fetchone()[0] == 3
    shown = regarchive("history", server.site.article(changed[0]).canonical_url, "--db", str(db))
    assert shown.returncode == 0, shown.stderr
    assert "+Un rectificatif a été publié le lendemain." in shown.stdout
    assert "1 earlier version" in shown.stdout


def test_new_articles_on_page_one_are_found(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawl(server, db)
    new = server.site.add_articles(3, published=date.today() - timedelta(days=1))
    server.reset()
    out = crawl(server, db)
    assert "items: 3 new, 0 updated" in out
    by_url = {r["url"]: r for r in export_records(db)}
    assert len(by_url) == len(server.site.articles)
    for truth in new:
        record = by_url[truth.canonical_url]
        assert (record["title"], record["category"], record["published"], record["text"]) == (
            truth.title,
            truth.category,
            truth.published,
            truth.text,
        )


def test_a_second_crawl_on_the_same_archive_exits_75(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    server.delay = 5.0  # the first crawl holds the lock until the second has tried
    first = regarchive_background("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    try:
        wait_for(lambda: f"pid {first.pid}" in lock_holder(db))
        started = time.monotonic()
        second = regarchive("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
        assert second.returncode == 75
        assert time.monotonic() - started < 20
        assert f"pid {first.pid}" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
    finally:
        server.delay = 0
        first.wait(timeout=300)
    assert first.returncode == 0


def test_kill_9_mid_crawl_then_rerun_finishes_the_work(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    server.delay = 0.3  # the crawl is still running when it is killed
    victim = regarchive_background("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    wait_for(lambda: items_in(db) >= 8)
    workers = children_of(victim.pid)
    assert workers, "the crawl extracts in worker processes"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    wait_for(lambda: not [pid for pid in workers if alive(pid)], timeout=10)
    server.delay = 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        saved = conn.execute("select count(*) from items").fetchone()[0]
        assert 8 <= saved < len(server.site.articles)
    out = crawl(server, db)  # the lock died with the process: nothing blocks this run
    assert f"items: {len(server.site.articles) - saved} new" in out
    records = export_records(db)
    assert sorted(r["url"] for r in records) == sorted(
        t.canonical_url for t in server.site.articles
    )
    for record in records:
        truth = next(t for t in server.site.articles if t.canonical_url == record["url"])
        assert (record["title"], record["text"], record["published"]) == (
            truth.title,
            truth.text,
            truth.published,
        )
    status = regarchive("status", "--db", str(db))
    assert "interrupted" in status.stdout


def test_quiet_prints_nothing_on_success_and_log_file_has_everything(
    server: SiteServer, tmp_path: Path
) -> None:
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    result = regarchive(
        "crawl",
        *server.site.rubrics.values(),
        "--db",
        str(db),
        "--quiet",
        "--log-file",
        str(log),
        *FAST,
    )
    assert result.returncode == 0
    assert result.stdout == "" and result.stderr == ""
    assert "Spider closed (finished)" in log.read_text()


def test_status_reports_runs_and_rubrics(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawl(server, db)
    result = regarchive("status", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert f"{len(server.site.articles)} items" in result.stdout
    for rubric in server.site.rubrics:
        assert rubric in result.stdout
    quiet = regarchive("status", "--db", str(db), "--quiet")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    stale = regarchive("status", "--db", str(db), "--max-age", "0.0001", "--quiet")
    assert stale.returncode == 1
    assert stale.stdout == ""
    assert stale.stderr.startswith("WARNING: the last run started")
