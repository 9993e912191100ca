"""Crawlers sharing a frontier, for real: ``regarchive crawl --frontier`` in several processes
and ``regarchive ingest`` against a real Redis server and sample sites on 127.0.0.1.

What they build must be what one ``regarchive crawl`` builds (items and their fields, rubrics,
sightings, pages), however the work was spread, and whatever was killed on the way: a crawler
(``kill -9``: another takes its sites and the pages it had taken) or the ingester (restarted:
nothing lost, nothing written twice).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

import pytest
import redis

from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from tests.redis_server import redis_server
from tests.support import FAST, alive, items_in, regarchive, regarchive_background, wait_for

# Every test here starts servers and processes (see tests/conftest.py).
pytestmark = pytest.mark.e2e

# One site per crawler at a time, so that two crawlers over three sites both work; a crawler
# silent for 3 s is dead (the default, 30 s, would make the kill test wait that long).
FRONTIER = [*FAST, "-s", "REGARCHIVE_FRONTIER_SITES=1", "-s", "REGARCHIVE_FRONTIER_LEASE=3"]


@pytest.fixture
def frontier_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


def serve_sites(stack: ExitStack, count: int, delay: float = 0.0) -> list[str]:
    """``count`` sample sites, each on its own port (a site is host and port); their rubric
    URLs."""
    urls = []
    for _ in range(count):
        server = stack.enter_context(SiteServer(lambda base_url: build_site(base_url)))
        server.delay = delay
        urls += sorted(server.site.rubrics.values())
    return urls


def start_ingester(url: str, db: Path, idle: float = 2) -> subprocess.Popen[str]:
    return regarchive_background(
        "ingest", "--frontier", url, "--db", str(db), "--until-idle", str(idle)
    )


def start_crawler(url: str, start_urls: list[str]) -> subprocess.Popen[str]:
    return regarchive_background("crawl", "--frontier", url, *start_urls, *FRONTIER)


def finish(process: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def contents(db: Path) -> dict[str, Any]:
    """What an archive holds, without what depends on when or in which order it was fetched."""
    return {
        "items": sorted(
            query(
                db,
                "SELECT url, site, title, category, source, published, updated, text, lang, "
                "content_hash, warnings FROM items",
            )
        ),
        "urls": sorted(
            query(db, "SELECT u.url, i.url FROM item_urls u JOIN items i ON i.id = u.item_id")
        ),
        "rubrics": sorted(
            query(db, "SELECT i.url, r.rubric FROM item_rubrics r JOIN items i ON i.id = r.item_id")
        ),
        "related": sorted(
            query(
                db, "SELECT i.url, r.url, r.label FROM related r JOIN items i ON i.id = r.item_id"
            )
        ),
        "sightings": sorted(query(db, "SELECT url, rubric, label, category FROM sightings")),
        "pages": sorted(query(db, "SELECT url, final_url, status, body_hash FROM pages")),
        "versions": query(db, "SELECT count(*) FROM versions")[0][0],
        "hints": sorted(query(db, "SELECT url, source, hint FROM page_hints")),
        "attachments": sorted(
            query(db, "SELECT url, final_url, sha256, status, error FROM attachments")
        ),
        "documents": sorted(
            query(db, "SELECT sha256, size, pages, title, text FROM attachment_files")
        ),
        "item_attachments": sorted(
            query(
                db,
                "SELECT i.url, a.url, a.label FROM item_attachments a "
                "JOIN items i ON i.id = a.item_id",
            )
        ),
        "listings": sorted(
            query(db, "SELECT url, rubric FROM listings WHERE last_walked IS NOT NULL")
        ),
    }


def crawl_alone(start_urls: list[str], db: Path) -> subprocess.CompletedProcess[str]:
    result = regarchive("crawl", *start_urls, "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr
    return result


def start_crawlers(url: str, start_urls: list[str], count: int) -> list[subprocess.Popen[str]]:
    """``count`` crawlers, once they are registered in the frontier (they wait there for the
    ingester's state): an ingester started now does not take the frontier for idle."""
    processes = [start_crawler(url, start_urls) for _ in range(count)]
    wait_for(lambda: set(crawler_ids(url)) >= {p.pid for p in processes}, timeout=120)
    return processes


def crawl_in_frontier(url: str, start_urls: list[str], db: Path, crawlers: int = 2) -> list[str]:
    """One round: ``crawlers`` crawlers and an ingester; their outputs."""
    processes = start_crawlers(url, start_urls, crawlers)
    ingester = start_ingester(url, db)
    outputs = []
    for process in processes:
        code, output = finish(process)
        assert code == 0, output
        outputs.append(output)
    code, output = finish(ingester)
    assert code == 0, output
    return [*outputs, output]


def run_totals(db: Path, first_crawl: int) -> tuple[int, ...]:
    """Requests, 304s, new, updated and unchanged items of the runs from ``first_crawl`` on."""
    return query(
        db,
        "SELECT sum(requests), sum(pages_not_modified), sum(items_new), sum(items_updated), "
        f"sum(items_unchanged) FROM crawls WHERE id >= {int(first_crawl)}",
    )[0]


def test_two_crawlers_and_an_ingester_build_what_one_crawl_builds(
    frontier_url: str, tmp_path: Path
) -> None:
    alone, shared = tmp_path / "alone.db", tmp_path / "shared.db"
    with ExitStack() as stack:
        start_urls = serve_sites(stack, 3)
        crawl_alone(start_urls, alone)
        outputs = crawl_in_frontier(frontier_url, start_urls, shared)
        expected = contents(alone)
        assert expected["items"] and expected["sightings"] and expected["attachments"]
        assert contents(shared) == expected
        assert "entries pushed to the frontier" in outputs[0]
        assert "Ingested" in outputs[-1]
        runs = query(shared, "SELECT finish_reason, requests FROM crawls")
        assert [reason for reason, _ in runs] == ["finished", "finished"]
        # Every page was requested once, by one crawler or the other.
        assert (
            sum(requests for _, requests in runs)
            == query(alone, "SELECT requests FROM crawls")[0][0]
        )

        # The rerun: the crawlers know the archive only through what the ingester published,
        # and ask for no more than a crawl alone that reads the file.
        crawl_alone(start_urls, alone)
        crawl_in_frontier(frontier_url, start_urls, shared)
    assert run_totals(shared, 3) == run_totals(alone, 2)
    assert run_totals(alone, 2)[2:4] == (0, 0)  # nothing new, nothing changed
    assert contents(shared) == contents(alone)


def crawler_ids(url: str) -> dict[int, str]:
    """pid → id of the crawlers registered in the frontier."""
    client = redis.Redis.from_url(url)
    try:
        members = [m.decode() for m in client.zrange("regarchive:crawlers", 0, -1)]
    finally:
        client.close()
    return {int(member.split(":")[1]): member for member in members}


def claimed(url: str, crawler: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.hlen(f"regarchive:claimed:{crawler}"))
    finally:
        client.close()


def test_a_crawler_killed_mid_run_loses_nothing(frontier_url: str, tmp_path: Path) -> None:
    alone, shared = tmp_path / "alone.db", tmp_path / "shared.db"
    with ExitStack() as stack:
        # Slow servers: the crawl lasts long enough to be killed in the middle of a site.
        start_urls = serve_sites(stack, 2, delay=0.25)
        crawl_alone(start_urls, alone)
        (victim,) = start_crawlers(frontier_url, start_urls, 1)
        victim_id = crawler_ids(frontier_url)[victim.pid]
        ingester = start_ingester(frontier_url, shared)
        survivor = start_crawler(frontier_url, start_urls)
        # Killed while it holds pages it took and has archived some of its site already.
        wait_for(lambda: items_in(shared) >= 3 and claimed(frontier_url, victim_id) > 0, 120)
        os.kill(victim.pid, signal.SIGKILL)
        victim.communicate(timeout=30)
        code, output = finish(survivor)
        assert code == 0, output
        code, output = finish(ingester)
        assert code == 0, output
        assert not alive(victim.pid)
        runs = query(shared, "SELECT finished IS NOT NULL FROM crawls ORDER BY id")
        assert sorted(runs) == [(0,), (1,)]  # the killed crawler's run stays interrupted
        after_kill, whole = contents(shared), contents(alone)
        # The sitemap and feed dates of pages the killed crawler fetched before it had read its
        # site's announcements died with it: kept are a subset of a lone crawl's, never others.
        assert set(after_kill.pop("hints")) <= set(whole.pop("hints"))
        assert after_kill == whole
        # The next run asks those pages again (conditionally) and records their dates.
        (crawler,) = start_crawlers(frontier_url, start_urls, 1)
        ingester = start_ingester(frontier_url, shared)
        for process in (crawler, ingester):
            code, output = finish(process)
            assert code == 0, output
    assert dated_hints(shared) == dated_hints(alone)


def dated_hints(db: Path) -> list[tuple[Any, ...]]:
    return [hint for hint in contents(db)["hints"] if hint[2]]


def sites_file(path: Path, start_urls: list[str]) -> list[str]:
    """A sites file with one [[site]] table per site of ``start_urls``; the crawl's arguments."""
    by_site: dict[str, list[str]] = {}
    for url in start_urls:
        by_site.setdefault(url.split("/")[2], []).append(url)
    path.write_text(
        "".join(
            f'[[site]]\nname = "site-{n}"\nstart_urls = {urls!r}\n\n'.replace("'", '"')
            for n, urls in enumerate(by_site.values())
        ),
        encoding="utf-8",
    )
    return ["--config", str(path)]


def test_a_killed_ingester_restarted_loses_and_doubles_nothing(
    frontier_url: str, tmp_path: Path
) -> None:
    """Also: the crawlers and the crawl alone read a sites file (``--config``)."""
    alone, shared = tmp_path / "alone.db", tmp_path / "shared.db"
    with ExitStack() as stack:
        config = sites_file(tmp_path / "sites.toml", serve_sites(stack, 2, delay=0.05))
        crawl_alone(config, alone)
        crawlers = start_crawlers(frontier_url, config, 2)
        ingester = start_ingester(frontier_url, shared, idle=60)
        wait_for(lambda: items_in(shared) >= 5, timeout=120)
        os.kill(ingester.pid, signal.SIGKILL)
        ingester.communicate(timeout=30)
        for crawler in crawlers:
            code, output = finish(crawler)
            assert code == 0, output
        code, output = finish(start_ingester(frontier_url, shared, idle=1))
        assert code == 0, output
    assert contents(shared) == contents(alone)
    assert query(shared, "SELECT count(*), count(finished) FROM crawls") == [(2, 2)]
    assert query(shared, "SELECT count(*) FROM crawl_errors") == [(0,)]
