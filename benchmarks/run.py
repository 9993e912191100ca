"""regarchive's benchmark suite, on loopback only: ``python -m benchmarks [--quick]``.

Sections, all on the same generated sample site (archive/demo, the test fixtures' generator):

a. the ceiling: ``extract_page`` over every article page, in one process and in a pool of one
   worker per core;
b. ``regarchive crawl`` end to end: pages/s, CPU seconds per page, peak RSS of the process tree;
   and Scrapy alone on the same pages (benchmarks/fetch_only.py), the floor under the crawling
   process, from which the CPU bound of a crawl on this machine follows;
c. an unchanged rerun: requests, bytes downloaded and wall time against the first run;
d. a 100,000-item archive written through the archive API: insert rate, search latency,
   export time and memory (benchmarks/archive_scale.py);
e. cold start of ``regarchive extract`` on one page;
f. ``regarchive reextract`` on an archive of ``--reextract-items`` articles
   (benchmarks/reextract.py).
g. 1, 2 and 4 crawlers sharing a frontier on Redis, the single writer's throughput, what Redis
   and the archive hold per URL and item (benchmarks/frontier.py).

Each figure is the median of ``--repeats`` runs with its min–max, because the machine is shared.
No timing is asserted: this reports, the tests check correctness.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from benchmarks.measure import Run, Summary, run_measured
from regarchive.demo.server import SiteServer
from regarchive.demo.site import Site, build_site
from regarchive.pipelines.pool import extract_page, usable_cores, warm_up

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
# Loopback answers in microseconds: allow enough requests in flight to keep the workers fed.
CRAWL_SETTINGS = [*LOOPBACK, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]


def article_pages(site: Site) -> list[dict[str, Any]]:
    """Every article page as the crawler hands it to extraction."""
    pages = []
    for truth in site.articles:
        page = site.lookup(truth.canonical_url.removeprefix(site.base_url))
        assert page is not None
        pages.append(
            {"body": page.body, "url": truth.canonical_url, "content_type": page.content_type}
        )
    return pages


def ceiling(pages: list[dict[str, Any]], repeats: int) -> dict[str, Summary]:
    """(a) Extraction alone: pages/s in this process, and with one worker process per core."""
    warm_up()
    single = []
    for _ in range(repeats):
        started = time.perf_counter()
        for page in pages:
            extract_page(page)
        single.append(len(pages) / (time.perf_counter() - started))
    pooled = []
    workers = usable_cores()
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=warm_up) as pool:
        list(pool.map(extract_page, pages[: workers * 2]))  # workers started and warm
        for _ in range(repeats):
            started = time.perf_counter()
            list(pool.map(extract_page, pages, chunksize=8))
            pooled.append(len(pages) / (time.perf_counter() - started))
    return {"one_process": Summary.of(single), "pool": Summary.of(pooled)}


def crawl_command(site: Site, db: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "regarchive", "crawl", *sorted(site.rubrics.values()),
        "--db", str(db), "--quiet", *CRAWL_SETTINGS, *extra,
    ]  # fmt: skip


def crawl_stats(db: Path) -> dict[str, Any]:
    """The last run's counts and Scrapy stats, read from the archive's ``crawls`` table."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("select * from crawls order by id desc limit 1").fetchone()
    stats = json.loads(row["stats"] or "{}")
    return {
        "requests": row["requests"],
        "responses": stats.get("response_received_count", 0),
        "bytes": stats.get("downloader/response_bytes", 0),
        "items_new": row["items_new"],
        "items_updated": row["items_updated"],
        "not_modified": row["pages_not_modified"],
    }


def serving(server: SiteServer, command: list[str]) -> tuple[Run, float]:
    """Run ``command`` against the site; also the CPU seconds this process spent meanwhile:
    serving the site, and sampling the command's memory (about 1 % of a core)."""
    server.reset()
    cpu = time.process_time()
    run = run_measured(command)
    return run, time.process_time() - cpu


def fetch_floor(server: SiteServer, repeats: int, workdir: Path) -> dict[str, Any]:
    """Scrapy alone: the pages the last crawl fetched, fetched again with the crawl's settings
    by a spider that does nothing with them (benchmarks/fetch_only.py)."""
    urls = workdir / "fetched-urls.txt"
    urls.write_text(
        "\n".join(server.base_url + r.path for r in server.requests if r.path != "/robots.txt")
    )
    command = [sys.executable, "-m", "benchmarks.fetch_only", str(urls)]
    runs = []
    for _ in range(repeats):
        run, _ = serving(server, command)
        if run.returncode != 0:
            raise SystemExit(f"fetch-only crawl failed: {run.stderr.strip()}")
        runs.append(json.loads(run.stdout))
    return {
        "pages_per_s": Summary.of([r["pages"] / r["wall"] for r in runs]),
        "cpu_ms_per_page": Summary.of([1000 * r["cpu"] / r["pages"] for r in runs]),
    }


def crawls(server: SiteServer, repeats: int, workdir: Path) -> dict[str, Any]:
    """(b) first crawls into fresh archives, then (c) unchanged reruns of the last one."""
    site = server.site
    first_runs, serve_cpu, stats = [], [], {}
    db = workdir / "crawl.db"
    for attempt in range(repeats):
        db = workdir / f"crawl-{attempt}.db"
        run, cpu = serving(server, crawl_command(site, db))
        if run.returncode != 0:
            raise SystemExit(f"crawl failed: {run.stderr.strip()}")
        first_runs.append(run)
        serve_cpu.append(cpu)
        stats = crawl_stats(db)
    pages = stats["responses"]
    floor = fetch_floor(server, repeats, workdir)
    reruns, rerun_stats = [], {}
    for policy, extra in (
        ("default policy", []),
        ("every article re-checked", ["-s", "REGARCHIVE_REVISIT_OLD_EVERY_DAYS=0"]),
    ):
        runs = [run_measured(crawl_command(site, db, *extra)) for _ in range(repeats)]
        reruns.append((policy, runs))
        rerun_stats[policy] = crawl_stats(db)
    return {
        "pages": pages,
        "items": stats["items_new"],
        "bytes": stats["bytes"],
        "pages_per_s": Summary.of([pages / r.wall for r in first_runs]),
        "wall": Summary.of([r.wall for r in first_runs]),
        "cpu_ms_per_page": Summary.of([1000 * r.cpu / pages for r in first_runs]),
        "serve_cpu_ms_per_page": Summary.of([1000 * cpu / pages for cpu in serve_cpu]),
        "fetch_only": floor,
        "peak_rss_mib": Summary.of([r.peak_rss_mib for r in first_runs]),
        "reruns": {
            policy: {
                "wall": Summary.of([r.wall for r in runs]),
                "peak_rss_mib": Summary.of([r.peak_rss_mib for r in runs]),
                "wall_share": Summary.of(
                    [r.wall / Summary.of([f.wall for f in first_runs]).median for r in runs]
                ),
                **rerun_stats[policy],
                "bytes_share": rerun_stats[policy]["bytes"] / max(stats["bytes"], 1),
            }
            for policy, runs in reruns
        },
    }


def cold_start(site: Site, repeats: int, workdir: Path) -> Summary:
    """(e) ``regarchive extract`` on one saved page, interpreter start-up included."""
    truth = site.articles[0]
    page = workdir / "page.html"
    page.write_bytes(site.lookup(truth.canonical_url.removeprefix(site.base_url)).body)
    command = [
        sys.executable,
        "-m",
        "regarchive.cli",
        "extract",
        str(page),
        "--url",
        truth.canonical_url,
    ]
    return Summary.of([run_measured(command).wall for _ in range(repeats)])


def machine() -> dict[str, Any]:
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    return {
        "cores": usable_cores(),
        "ram_gib": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        **{
            name: version(name)
            for name in ("scrapy", "trafilatura", "lxml", "dateparser", "sqlite-utils")
        },
        "sqlite": sqlite3.sqlite_version,
    }


def timed(label: str, step: Callable[[], Any]) -> Any:
    print(f"… {label}", file=sys.stderr, flush=True)
    return step()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--articles", type=int, default=2000, help="articles on the sample site")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement")
    parser.add_argument("--items", type=int, default=100_000, help="items in the archive-scale run")
    parser.add_argument(
        "--reextract-items", type=int, default=10_000, help="items in the re-extraction run"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run in under a minute")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results.json")
    parser.add_argument("--markdown", type=Path, default=None, help="also write this report")
    args = parser.parse_args(argv)
    if args.quick:
        args.articles, args.repeats, args.items, args.reextract_items = 200, 1, 5_000, 300

    from benchmarks.archive_scale import archive_scale
    from benchmarks.reextract import reextraction
    from benchmarks.report import render_markdown, render_table

    results: dict[str, Any] = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "articles": args.articles,
        "repeats": args.repeats,
    }
    with SiteServer(lambda base: build_site(base, articles=args.articles)) as server:
        pages = article_pages(server.site)  # also renders and caches every page up front
        for path in list(server.site.pages):
            server.site.pages[path]
        results["ceiling"] = timed("extraction ceiling", lambda: ceiling(pages, args.repeats))
        with tempfile.TemporaryDirectory() as tmp:
            results["crawl"] = timed(
                "crawl and reruns", lambda: crawls(server, args.repeats, Path(tmp))
            )
            results["cold_start"] = timed(
                "cold start", lambda: cold_start(server.site, max(args.repeats, 3), Path(tmp))
            )
    from benchmarks.frontier import frontier_scaling

    with tempfile.TemporaryDirectory() as tmp:
        results["frontier"] = timed(
            "crawlers sharing a frontier",
            lambda: frontier_scaling(args.articles, args.repeats, Path(tmp)),
        )
    with tempfile.TemporaryDirectory() as tmp:
        results["archive"] = timed(
            f"archive of {args.items} items",
            lambda: archive_scale(Path(tmp), args.items, args.repeats),
        )
    with tempfile.TemporaryDirectory() as tmp:
        results["reextract"] = timed(
            f"re-extraction of {args.reextract_items} items",
            lambda: reextraction(Path(tmp), args.reextract_items, args.repeats),
        )
    print(render_table(results))
    args.json.write_text(json.dumps(results, default=lambda o: o.as_dict(), indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(render_markdown(results))
    return 0
