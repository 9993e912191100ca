"""The frontier's shared structures and the ingester, in this process, on a real Redis server:
runs, site leases, claims given back when a crawler dies, and an ingester that commits without
acknowledging (a crash at the worst moment) then restarts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from regarchive.archive.store import Archive
from regarchive.scraper.frontier import entries
from regarchive.scraper.frontier.frontier import Frontier
from regarchive.scraper.frontier.ingester import Ingester
from tests.redis_server import redis_server
from tests.support import extracted_record, make_page

# A Redis server is a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e

LEASE = 0.5  # seconds: a crawler silent this long is dead


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    with redis_server() as url:
        connection = redis.Redis.from_url(url)
        yield connection
        connection.close()


@pytest.fixture
def frontier(client: redis.Redis) -> Frontier:
    return Frontier(client, lease_seconds=LEASE)


def test_crawlers_that_join_a_busy_frontier_share_its_run(frontier: Frontier) -> None:
    first = frontier.join("a")
    assert frontier.join("b") == first
    frontier.push("site-1:80", 0, b"request")
    frontier.leave("a")
    frontier.leave("b")
    # Nobody alive, but a request waits: the run is not over.
    assert frontier.join("c") == first


def test_a_new_run_starts_when_nothing_is_alive_queued_or_claimed(
    frontier: Frontier, client: redis.Redis
) -> None:
    first = frontier.join("a")
    client.sadd(frontier.keys.dupefilter(first), "fingerprint")
    frontier.leave("a")
    second = frontier.join("b")
    assert second == first + 1
    # Tonight's duplicate filter does not filter tomorrow's crawl.
    assert not client.exists(frontier.keys.dupefilter(first))


def test_a_site_is_held_by_one_live_crawler_at_a_time(frontier: Frontier) -> None:
    frontier.join("a")
    frontier.join("b")
    assert frontier.acquire("site-1:80", "a")
    assert not frontier.acquire("site-1:80", "b")
    assert frontier.acquire("site-1:80", "a")  # holding it again is no change
    frontier.release("site-1:80", "a")
    assert frontier.acquire("site-1:80", "b")


def test_the_sites_of_a_silent_crawler_go_to_the_others(frontier: Frontier) -> None:
    frontier.join("a")
    frontier.join("b")
    assert frontier.acquire("site-1:80", "a")
    time.sleep(LEASE + 0.2)
    frontier.heartbeat("b")  # b is alive, a said nothing
    assert frontier.acquire("site-1:80", "b")
    assert frontier.heartbeat("a") == set()  # a, back, learns it lost the site


def test_a_popped_request_is_claimed_until_finished(frontier: Frontier) -> None:
    frontier.join("a")
    frontier.push("site-1:80", -10, b"article")
    frontier.push("site-1:80", 0, b"listing")
    assert frontier.queue_lengths() == {"site-1:80": 2}
    assert frontier.pop("site-1:80", "a", "1") == b"article"  # priority first
    assert frontier.pop("site-1:80", "a", "2") == b"listing"
    assert frontier.pop("site-1:80", "a", "3") is None
    assert frontier.queue_lengths() == {}
    assert frontier.claimed_total() == 2 and frontier.busy()
    frontier.finish("a", ["1", "2"])
    assert frontier.claimed_total() == 0 and not frontier.busy()


def test_what_a_dead_crawler_claimed_goes_back_to_its_queue(frontier: Frontier) -> None:
    frontier.join("a")
    frontier.join("b")
    frontier.push("site-1:80", -10, b"article")
    assert frontier.acquire("site-1:80", "a")
    assert frontier.pop("site-1:80", "a", "1") == b"article"
    assert frontier.reclaim_dead() == 0  # a is alive: its claim stays
    time.sleep(LEASE + 0.2)
    frontier.heartbeat("b")
    assert frontier.reclaim_dead() == 1
    assert frontier.queue_lengths() == {"site-1:80": 1}
    assert [c.id for c in frontier.live_crawlers()] == ["b"]
    assert frontier.acquire("site-1:80", "b")
    assert frontier.pop("site-1:80", "b", "1") == b"article"


# -- the ingester ---------------------------------------------------------------------------------


def push_run(frontier: Frontier, crawler: str, urls: list[str]) -> None:
    """What a frontier crawler pushes for a run that found ``urls``: its start, the sightings,
    a record per URL, an error, its end."""
    stream = frontier.keys.stream

    def push(kind: str, data: dict, body: bytes | None = None) -> None:
        frontier.client.xadd(stream, entries.encode(kind, crawler, data, body))

    push(entries.START, {"start_urls": ["http://site.test/rubrique1"], "args": {}})
    push(
        entries.SIGHTINGS,
        {
            "sightings": [
                {"url": url, "rubric": "Régions", "label": "Actu - Régions - x", "category": "Actu",
                 "found_on": "http://site.test/rubrique1"}
                for url in urls
            ]
        },
    )  # fmt: skip
    for number, url in enumerate(urls):
        text = f"Texte de l'article {number}. " * 20
        page = make_page(url)
        body = page.pop("body")
        push(entries.RECORD, {"record": extracted_record(url, text), "page": page}, body)
    push(entries.ERROR, {"url": "http://site.test/broken", "status": 500, "error": "HTTP 500"})
    push(entries.END, {"reason": "finished", "stats": {"downloader/request_count": 7}})


def archive_counts(db: Path) -> dict[str, int]:
    with Archive(db) as archive:
        result = archive.run_select(
            "SELECT (SELECT count(*) FROM items) items, (SELECT count(*) FROM versions) versions,"
            " (SELECT count(*) FROM sightings) sightings, (SELECT count(*) FROM crawls) crawls,"
            " (SELECT count(*) FROM crawl_errors) errors, (SELECT count(*) FROM item_rubrics)"
            " rubrics, (SELECT count(*) FROM pages) pages"
        )
    return dict(zip(result.columns, result.rows[0], strict=True))


def test_the_ingester_writes_a_crawler_run_and_acknowledges_it(
    frontier: Frontier, db_path: Path
) -> None:
    urls = [f"http://site.test/article{n}" for n in range(5)]
    with Archive(db_path) as archive:
        ingester = Ingester(frontier, archive)
        frontier.ensure_group()
        push_run(frontier, "crawler-1", urls)
        outcome = ingester.run(until_idle=0)
        run = archive.crawls()[0]
    assert outcome.entries == 9 and outcome.totals["items_inserted"] == 5
    assert archive_counts(db_path) == {
        "items": 5, "versions": 0, "sightings": 5, "crawls": 1, "errors": 1, "rubrics": 5,
        "pages": 5,
    }  # fmt: skip
    assert run["finish_reason"] == "finished" and run["items_new"] == 5
    assert run["requests"] == 7 and run["errors"] == 1
    assert frontier.stream_waiting() == 0


def test_entries_committed_but_not_acknowledged_are_not_written_twice(
    frontier: Frontier, db_path: Path
) -> None:
    """The worst moment to die: the batch is committed, Redis has not heard of it."""
    urls = [f"http://site.test/article{n}" for n in range(5)]
    frontier.ensure_group()
    push_run(frontier, "crawler-1", urls)
    with Archive(db_path) as archive:
        first = Ingester(frontier, archive)
        messages = first.read_new()
        assert len(messages) == 9
        first.commit(messages)  # and dies before acknowledging them
    assert frontier.stream_waiting() == 9
    before = archive_counts(db_path)
    with Archive(db_path) as archive:
        outcome = Ingester(frontier, archive).run(until_idle=0)
        run = archive.crawls()[0]
    assert outcome.skipped == 9 and outcome.entries == 0
    assert archive_counts(db_path) == before
    assert run["items_new"] == 5  # the tally survived the restart with the archive
    assert frontier.stream_waiting() == 0


def test_a_page_fetched_twice_after_a_kill_makes_no_version(
    frontier: Frontier, db_path: Path
) -> None:
    """A killed crawler's pages are fetched again by another: same records, same sightings."""
    urls = [f"http://site.test/article{n}" for n in range(3)]
    frontier.ensure_group()
    push_run(frontier, "crawler-1", urls)
    push_run(frontier, "crawler-2", urls)
    with Archive(db_path) as archive:
        outcome = Ingester(frontier, archive).run(until_idle=0)
    counts = archive_counts(db_path)
    assert counts["items"] == 3 and counts["versions"] == 0 and counts["sightings"] == 3
    assert counts["crawls"] == 2  # one run per crawler, as two crawls alone would record
    assert outcome.totals["items_inserted"] == 3 and outcome.totals["items_unchanged"] == 3


def test_an_unreadable_entry_is_set_aside_and_the_rest_written(
    frontier: Frontier, db_path: Path
) -> None:
    frontier.ensure_group()
    frontier.client.xadd(frontier.keys.stream, {"kind": "record", "crawler": "x", "data": "{"})
    frontier.client.xadd(frontier.keys.stream, {"kind": "nonsense", "crawler": "x", "data": "{}"})
    push_run(frontier, "crawler-1", ["http://site.test/article1"])
    with Archive(db_path) as archive:
        outcome = Ingester(frontier, archive).run(until_idle=0)
    assert outcome.rejected == 2
    assert archive_counts(db_path)["items"] == 1
    assert frontier.stream_waiting() == 0


def test_the_ingester_publishes_what_reruns_need(
    frontier: Frontier, client: redis.Redis, db_path: Path
) -> None:
    from regarchive.scraper.frontier.archive_view import FrontierArchiveView

    urls = [f"http://site.test/article{n}" for n in range(3)]
    frontier.ensure_group()
    push_run(frontier, "crawler-1", urls)
    with Archive(db_path) as archive:
        Ingester(frontier, archive).run(until_idle=0)
    view = FrontierArchiveView(client, frontier.keys, ["site.test"])
    known = view.known_page(urls[0])
    assert known is not None and known.etag == '"abc"' and known.body_hash
    assert view.known_page("http://site.test/unknown") is None
    assert view.all_known(urls) and not view.all_known([*urls, "http://site.test/new"])
    assert sorted(url for url, _ in view.revisits()) == urls
    assert view.failed_urls == ["http://site.test/broken"]


# -- the commands' answers ------------------------------------------------------------------------


def test_status_shows_the_frontier(frontier: Frontier, db_path: Path) -> None:
    from tests.support import invoke

    url = frontier.client.connection_pool.connection_kwargs["path"]
    frontier.join("host:123:abc")
    frontier.push("site-1:80", 0, b"a")
    frontier.push("site-1:80", 0, b"b")
    frontier.push("site-2:80", 0, b"c")
    frontier.acquire("site-1:80", "host:123:abc")
    frontier.pop("site-1:80", "host:123:abc", "1")
    frontier.ensure_group()
    frontier.client.xadd(frontier.keys.stream, {"kind": "start"})
    result = invoke("status", "--frontier", f"unix://{url}?db=0", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "1 crawlers alive, 2 requests queued on 2 sites, 1 entries waiting" in result.output
    assert "no archive state published yet" in result.output
    crawler_line = next(line for line in result.output.splitlines() if "host:123:abc" in line)
    assert crawler_line.split()[-1] == "1"  # one page in hand
    site_line = next(
        line for line in result.output.splitlines() if line.strip().startswith("site-1")
    )
    assert site_line.split()[1:] == ["1", "host:123:abc"]


@pytest.mark.parametrize(
    ("frontier_url", "code", "message"),
    [
        ("ftp://127.0.0.1/0", 2, "not a Redis URL"),
        ("redis://127.0.0.1:notaport/0", 2, "malformed Redis URL"),
        ("unix:///nonexistent/redis.sock?db=0", 75, "cannot reach the frontier"),
    ],
)
def test_a_bad_or_unreachable_frontier_is_one_line(
    frontier_url: str, code: int, message: str, db_path: Path
) -> None:
    from tests.support import invoke

    for args in (
        ("crawl", "--frontier", frontier_url, "http://127.0.0.1:1/rubrique"),
        ("ingest", "--frontier", frontier_url, "--db", str(db_path)),
    ):
        result = invoke(*args)
        assert result.exit_code == code, result.output
        assert message in result.output and result.output.count("\n") == 1, result.output
        assert "Traceback" not in result.output


def test_a_crawler_without_an_ingester_says_to_start_one(client: redis.Redis) -> None:
    from tests.support import invoke

    path = client.connection_pool.connection_kwargs["path"]
    result = invoke(
        "crawl", "--frontier", f"unix://{path}?db=0", "http://127.0.0.1:1/rubrique",
        "-s", "REGARCHIVE_FRONTIER_WAIT=0",
    )  # fmt: skip
    assert result.exit_code == 75
    assert "start `regarchive ingest" in result.output
    assert result.output.count("\n") == 1
