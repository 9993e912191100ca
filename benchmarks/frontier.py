"""(f) Crawlers sharing a frontier, for ``python -m benchmarks``: 1, 2 and 4 crawling processes
over the same sites, against the CPU bound of section (b); the single writer's throughput; what
Redis holds per URL and per entry; what an item costs the archive.

Needs Debian's ``redis-server`` (started here on a Unix socket, stopped after); without it the
section says so and is skipped.
"""

from __future__ import annotations

import gzip
import math
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import redis

from benchmarks.measure import Summary
from regarchive.archive.store import Archive
from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from regarchive.scraper.frontier.frontier import Frontier
from regarchive.scraper.frontier.ingester import Ingester

ROOT = Path(__file__).resolve().parent.parent
# shared/ sits beside the repository (in a work tree, one level further up).
CORPORA = [base / "shared" / "corpora" / "articles" / "pages" for base in ROOT.parents[:2]]
LOOPBACK = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
SITES = 4


@contextmanager
def redis_server() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server")
    directory = Path(tempfile.mkdtemp(prefix="rgbench"))
    socket = directory / "redis.sock"
    process = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(socket.exists, "redis-server")
        yield f"unix://{socket}?db=0"
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def regarchive(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "regarchive", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{process.args[3]} failed: {(out + err).strip()[-2000:]}")
    return out


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_until(condition: Any, what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"frontier benchmark: timed out waiting for {what}")
        time.sleep(0.05)


def wait_published(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        wait_until(lambda: client.exists("regarchive:published"), "the archive's state")
    finally:
        client.close()


def crawlers(
    url: str, start_urls: list[str], count: int, *extra: str
) -> list[subprocess.Popen[str]]:
    # Each crawler holds its share of the sites: the first to start would otherwise take all
    # four before the others are up (a frontier of thousands of sites has no such problem).
    share = str(math.ceil(SITES / count))
    return [
        regarchive(
            "crawl", "--frontier", url, *start_urls, "--quiet", *LOOPBACK,
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", f"REGARCHIVE_FRONTIER_SITES={share}",
            *extra,
        )
        for _ in range(count)
    ]  # fmt: skip


def publish(url: str, db: Path) -> None:
    """The archive's state published (an ingester started, then stopped once it has)."""
    client = redis.Redis.from_url(url)
    client.delete("regarchive:published")
    client.close()
    publisher = regarchive("ingest", "--frontier", url, "--db", str(db))
    wait_published(url)
    publisher.send_signal(signal.SIGTERM)
    finish(publisher)


def registered(url: str, count: int) -> None:
    client = redis.Redis.from_url(url)
    try:
        wait_until(lambda: client.zcard("regarchive:crawlers") >= count, "the crawlers")
    finally:
        client.close()


def one_round(start_urls: list[str], count: int, db: Path) -> dict[str, float]:
    """``count`` crawlers and an ingester over fresh Redis and archive."""
    with redis_server() as url:
        publish(url, db)
        cpu, started = children_cpu(), time.perf_counter()
        processes = crawlers(url, start_urls, count)
        registered(url, count)
        ingester = regarchive("ingest", "--frontier", url, "--db", str(db), "--until-idle", "0.5")
        for process in processes:
            finish(process)
        crawled = time.perf_counter() - started
        finish(ingester)
        written = time.perf_counter() - started - 0.5
        cpu = children_cpu() - cpu
    with sqlite3.connect(db) as conn:
        pages = conn.execute("SELECT sum(requests) FROM crawls").fetchone()[0]
    return {"pages": pages, "crawl_wall": crawled, "archive_wall": written, "cpu": cpu}


def single_writer(start_urls: list[str], db: Path) -> dict[str, Any]:
    """Everything pushed first (four crawlers, no ingester reading), then one ingester alone:
    its throughput, and what the waiting stream and the run's keys cost Redis."""
    with redis_server() as url:
        client = redis.Redis.from_url(url)
        publish(url, db)
        before = int(client.info("memory")["used_memory"])
        for process in crawlers(url, start_urls, SITES):
            finish(process)
        entries = int(client.xlen("regarchive:stream"))
        stream_bytes = int(client.info("memory")["used_memory"]) - before
        run = int(client.get("regarchive:run"))
        dupefilter = f"regarchive:run:{run}:dupefilter"
        fingerprints = int(client.scard(dupefilter))
        dupefilter_bytes = int(client.memory_usage(dupefilter, samples=0) or 0)
        wall, cpu = write_all(client, db)
        # The rerun of a night: every article re-checked, all answered 304, pushed, then written
        # (the state the crawlers need was published by the writer's loop above).
        for process in crawlers(
            url, start_urls, SITES, "-s", "REGARCHIVE_REVISIT_OLD_EVERY_DAYS=0"
        ):
            finish(process)
        unchanged = int(client.xlen("regarchive:stream"))
        rerun_wall, _ = write_all(client, db)
        known_keys = list(client.scan_iter("regarchive:known:*"))
        known_urls = sum(int(client.hlen(key)) for key in known_keys)
        known_bytes = sum(int(client.memory_usage(key, samples=0) or 0) for key in known_keys)
        client.close()
    with sqlite3.connect(db) as conn:
        items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    return {
        "entries": entries,
        "items": items,
        "entries_per_s": entries / wall,
        "items_per_s": items / wall,
        "cpu_ms_per_item": 1000 * cpu / items,
        "rerun_entries": unchanged,
        "rerun_entries_per_s": unchanged / rerun_wall,
        "stream_bytes_per_entry": stream_bytes / entries,
        "dupefilter_bytes_per_url": dupefilter_bytes / fingerprints,
        "known_bytes_per_url": known_bytes / max(known_urls, 1),
        "archive_bytes_per_item": db.stat().st_size / items,
    }


def write_all(client: redis.Redis, db: Path) -> tuple[float, float]:
    """The ingester's loop over a full stream, in this process: wall and CPU seconds of reading,
    committing and acknowledging every batch (no start-up, no waiting for more)."""
    with Archive(db) as archive:
        ingester = Ingester(Frontier(client), archive)
        cpu, started = time.process_time(), time.perf_counter()
        while messages := ingester.read_new():
            ingester.acknowledge(ingester.commit(messages))
        return time.perf_counter() - started, time.process_time() - cpu


def real_pages() -> dict[str, float] | None:
    """Sizes of real article pages (shared corpora, when present): raw and as the archive and
    the stream store them (zlib)."""
    files = next((sorted(d.glob("*.gz")) for d in CORPORA if d.is_dir()), [])
    if not files:
        return None
    raw = [gzip.decompress(path.read_bytes()) for path in files]
    return {
        "pages": len(raw),
        "raw_kib": statistics.median(len(body) for body in raw) / 1024,
        "zlib_kib": statistics.median(len(zlib.compress(body)) for body in raw) / 1024,
    }


def frontier_scaling(articles: int, repeats: int, workdir: Path) -> dict[str, Any]:
    """1, 2 and 4 crawlers over four sample sites of ``articles / 4`` articles each."""
    if shutil.which("redis-server") is None:
        return {"skipped": "redis-server is not installed (apt-get install redis-server)"}
    per_site = max(articles // SITES, 12)
    results: dict[str, Any] = {"sites": SITES, "articles": per_site * SITES, "rounds": {}}
    with ExitStack() as stack:
        start_urls = []
        for _ in range(SITES):
            server = stack.enter_context(
                SiteServer(lambda base, n=per_site: build_site(base, articles=n))
            )
            for path in list(server.site.pages):
                server.site.pages[path]  # rendered once, before anything is timed
            start_urls += sorted(server.site.rubrics.values())
        for count in (1, 2, 4):
            rounds = [
                one_round(start_urls, count, workdir / f"frontier-{count}-{n}.db")
                for n in range(repeats)
            ]
            pages = rounds[0]["pages"]
            results["rounds"][count] = {
                "pages": pages,
                "pages_per_s": Summary.of([pages / r["crawl_wall"] for r in rounds]),
                "archived_per_s": Summary.of([pages / r["archive_wall"] for r in rounds]),
                "cpu_ms_per_page": Summary.of([1000 * r["cpu"] / pages for r in rounds]),
            }
        results["writer"] = single_writer(start_urls, workdir / "writer.db")
    results["real_pages"] = real_pages()
    return results
