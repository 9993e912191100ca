"""Server and network faults, for real: the CLI crawls a loopback server that fails on purpose.

Transient faults (5xx, 429, a hang past the timeout, a reset or truncated body) fail once or
twice, then the page comes: the item must be archived, after waiting as ``Retry-After`` asks or
backing off. Permanent faults never heal during the run: each page must be recorded (URL, status
or error, when) and tried again on the next run, which archives those that came back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from regarchive.archive.store import Archive
from regarchive.scraper.retry import retry_after_seconds
from tests.faults import (
    FaultServer,
    Hang,
    Reset,
    Status,
    Truncate,
    article_page,
    html_page,
    listing_page,
)
from tests.support import FAST, export_records, regarchive

# Every test here starts a server or a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e

# Fast but real: 1 s timeout, 0.2 s first backoff (then 0.4 s), two retries.
QUICK = [
    *FAST,
    *("-s", "REGARCHIVE_EXTRACT_WORKERS=0"),
    *("-s", "DOWNLOAD_TIMEOUT=1"),
    *("-s", "REGARCHIVE_RETRY_BACKOFF=0.2"),
    *("-s", "RETRY_TIMES=2"),
]
LISTING = "/-Pannes-"
TEXT = [
    "Le conseil régional a adopté mardi une délibération sur les transports scolaires.",
    "Les communes concernées seront informées par courrier dans les prochaines semaines.",
]
# Wall-clock slack for the gaps measured between two requests.
SLACK = 0.05

TRANSIENT = {
    "/Panne-500": Status(status=500, times=2),
    "/Panne-502": Status(status=502, times=1),
    "/Panne-503": Status(status=503, times=1),
    "/Panne-503-retry-after": Status(status=503, times=1, retry_after=1),
    "/Panne-429-retry-after": Status(status=429, times=1, retry_after=1),
    "/Panne-lente": Hang(times=1, seconds=2),
    "/Panne-coupee": Reset(times=1),
    "/Panne-tronquee": Truncate(times=1),
}
PERMANENT = {
    "/Echec-503": (Status(status=503), 503, "HTTP 503"),
    "/Echec-lent": (Hang(seconds=1.5), None, "DOWNLOAD_TIMEOUT"),
    "/Echec-coupe": (Reset(), None, "before the whole body arrived"),
    "/Echec-tronque": (Truncate(), None, "before the whole body arrived"),
    "/Echec-429-une-heure": (
        Status(status=429, retry_after=3600),
        429,
        "asked to retry after 3600 s",
    ),
}


def serve_articles(server: FaultServer, paths: list[str]) -> None:
    """A listing of ``paths``, each an ordinary article (until a fault says otherwise)."""
    for path in paths:
        server.site.pages[path] = html_page(article_page(f"Article {path[1:]}", TEXT))
    server.site.pages[LISTING] = html_page(listing_page("Pannes", paths))


def crawl(server: FaultServer, db: Path, *extra: str):
    return regarchive("crawl", server.url(LISTING), "--db", str(db), *QUICK, *extra)


def archived_paths(server: FaultServer, db: Path) -> set[str]:
    return {r["url"].removeprefix(server.base_url) for r in export_records(db)}


def errors(db: Path) -> list[dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute("SELECT * FROM crawl_errors ORDER BY id")]


# -- transient faults: archived after a retry ---------------------------------------------------


@pytest.fixture(scope="module")
def transient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    db = tmp_path_factory.mktemp("transient") / "archive.db"
    with FaultServer() as server:
        serve_articles(server, list(TRANSIENT))
        for path, fault in TRANSIENT.items():
            server.fault(path, fault)
        result = crawl(server, db)
        yield {"server": server, "db": db, "result": result}


def test_transient_faults_leave_a_healthy_run_with_every_item(transient) -> None:
    result = transient["result"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert archived_paths(transient["server"], transient["db"]) == set(TRANSIENT)
    assert errors(transient["db"]) == []
    assert "retries after server or network errors" in result.stdout


@pytest.mark.parametrize(
    "path", ["/Panne-500", "/Panne-502", "/Panne-503", "/Panne-503-retry-after"]
)
def test_5xx_then_success_is_archived_after_retries(transient, path: str) -> None:
    server = transient["server"]
    assert len(server.hits(path)) == TRANSIENT[path].times + 1
    assert path in archived_paths(server, transient["db"])


def test_retries_back_off_exponentially(transient) -> None:
    first, second, third = transient["server"].hits("/Panne-500")
    assert second - first >= 0.2 - SLACK
    assert third - second >= 0.4 - SLACK


@pytest.mark.parametrize("path", ["/Panne-503-retry-after", "/Panne-429-retry-after"])
def test_retry_after_is_respected(transient, path: str) -> None:
    failed, retried = transient["server"].hits(path)
    assert retried - failed >= 1.0 - SLACK  # Retry-After: 1, more than the 0.2 s backoff
    assert path in archived_paths(transient["server"], transient["db"])


def test_waiting_to_retry_does_not_hold_up_the_crawl(transient) -> None:
    server = transient["server"]
    failed, retried = server.hits("/Panne-429-retry-after")
    meanwhile = [t for t in server.hits("/Panne-500") if failed < t < retried]
    assert meanwhile  # /Panne-500 was retried during the 1 s wait of /Panne-429-retry-after


def test_a_hang_past_the_download_timeout_is_retried(transient) -> None:
    hung, answered = transient["server"].hits("/Panne-lente")
    assert answered - hung >= 1.0 - SLACK  # DOWNLOAD_TIMEOUT=1, then the backoff
    assert "/Panne-lente" in archived_paths(transient["server"], transient["db"])


@pytest.mark.parametrize("path", ["/Panne-coupee", "/Panne-tronquee"])
def test_a_reset_or_truncated_body_is_retried(transient, path: str) -> None:
    server = transient["server"]
    assert [r.fault for r in server.fault_log if r.path == path] == [type(TRANSIENT[path]).__name__]
    assert len(server.hits(path)) == 2
    record = next(r for r in export_records(transient["db"]) if r["url"].endswith(path))
    assert record["text"] == "\n".join(TEXT)  # the whole body, not the cut one


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after_seconds(later, now=now) == 90
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds("not a date") is None


# -- permanent faults: recorded, then tried again on the next run --------------------------------


@pytest.fixture(scope="module")
def permanent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Run 1: every fault page fails. Run 2: all but /Echec-503 came back, and the listing no
    longer links to any of them; only the archive's memory of the failures brings them back."""
    db = tmp_path_factory.mktemp("permanent") / "archive.db"
    with FaultServer() as server:
        serve_articles(server, list(PERMANENT))
        for path, (fault, _, _) in PERMANENT.items():
            server.fault(path, fault)
        first = crawl(server, db)
        first_hits = {path: len(server.hits(path)) for path in PERMANENT}
        first_errors = errors(db)
        server.faults = {"/Echec-503": Status(status=503)}
        server.site.pages["/Nouveau"] = html_page(article_page("Nouveau", TEXT))
        server.site.pages[LISTING] = html_page(listing_page("Pannes", ["/Nouveau"]))
        server.reset()
        second = crawl(server, db)
        yield {
            "server": server,
            "db": db,
            "first": first,
            "first_hits": first_hits,
            "first_errors": first_errors,
            "second": second,
        }


def test_a_run_where_pages_keep_failing_says_so_in_one_line(permanent) -> None:
    first = permanent["first"]
    assert first.returncode == 1
    assert "Traceback" not in first.stderr
    last = first.stderr.strip().splitlines()[-1]
    assert last.startswith("regarchive: unhealthy crawl:") and "pages failed" in last
    assert "1 page timed out (DOWNLOAD_TIMEOUT)" in first.stderr


@pytest.mark.parametrize("path", list(PERMANENT))
def test_a_page_that_still_fails_is_recorded(permanent, path: str) -> None:
    _, status, message = PERMANENT[path]
    url = permanent["server"].url(path)
    rows = [row for row in permanent["first_errors"] if row["url"] == url]
    assert len(rows) == 1, permanent["first_errors"]
    row = rows[0]
    assert (row["crawl_id"], row["status"]) == (1, status)
    assert message in row["error"]
    assert datetime.fromisoformat(row["at"].replace("Z", "+00:00")).tzinfo is not None


def test_retry_after_beyond_the_cap_is_left_for_the_next_run(permanent) -> None:
    assert permanent["first_hits"]["/Echec-429-une-heure"] == 1  # no retry within the hour
    assert permanent["first_hits"]["/Echec-503"] == 3  # RETRY_TIMES=2


def test_failed_pages_are_retried_on_the_next_run(permanent) -> None:
    server, second = permanent["server"], permanent["second"]
    assert second.returncode == 0, second.stderr
    assert f"{len(PERMANENT)} pages that failed in an earlier run tried again" in second.stdout
    healed = set(PERMANENT) - {"/Echec-503"}
    assert all(server.hits(path) for path in PERMANENT)
    assert healed | {"/Nouveau"} <= archived_paths(server, permanent["db"])


def test_a_page_failing_again_stays_on_the_list(permanent) -> None:
    db, server = permanent["db"], permanent["server"]
    second_run = [row for row in errors(db) if row["crawl_id"] == 2]
    assert [row["url"] for row in second_run] == [server.url("/Echec-503")]
    with Archive(db, create=False) as archive:
        assert archive.failed_urls() == [server.url("/Echec-503")]
