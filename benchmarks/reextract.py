"""(f) ``regarchive reextract`` on an archive of ``items`` articles, for ``python -m benchmarks``.

The archive holds what a crawl of the sample site leaves (every article's page, its raw HTML
compressed in ``pages.html``), with items made by an "older extractor": their fields are the
site's truth, without the warnings and "même rubrique" links today's extractor finds, and no
``extractor_version``. Measured, each in its own process:

- the re-extraction a version bump brings (every item due, most of them changed);
- ``--all`` again, ``repeats`` times (every item re-extracted, nothing changes: the pure cost);
- ``--all`` on about a tenth of the items (``--until``), whose peak memory must be the same:
  items are read in batches, not all at once.

The rate compared with the pool ceiling is the command's own, once its workers have started
(the ceiling's workers are started and warm too), set against the ceiling measured just before
and just after each run on the archive's own pages (the machine is shared: its load moves the
ceiling by more than the margin measured); the wall time includes start-up.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from benchmarks.measure import Summary, run_measured
from regarchive.archive.store import Archive
from regarchive.demo.site import build_site
from regarchive.pipelines.pool import extract_page, usable_cores, warm_up

BASE_URL = "http://127.0.0.1:8000"
# Pages the ceiling is measured on around each run: a few seconds of the pool's work.
CEILING_PAGES = 1000
SUMMARY = re.compile(
    r"^(?:Re-extracted|Would re-extract) (?P<items>[\d,]+) items? .* in (?P<seconds>[\d.]+) s "
    r"\((?P<rate>\d+) items/s(?:, (?P<steady>\d+) once)?.*?: (?P<changed>[\d,]+) (?:would )?"
    r"change",
    re.M,
)


def build(path: Path, items: int) -> tuple[float, str, list[dict[str, Any]]]:
    """The archive of ``items`` articles; returns the items saved per second, the date before
    which about a tenth of them were published, and pages to measure the ceiling on."""
    site = build_site(BASE_URL, articles=items)
    sample: list[dict[str, Any]] = []
    started = time.perf_counter()
    with Archive(path) as archive:
        for truth in site.articles:
            page = site.lookup(truth.canonical_url.removeprefix(site.base_url))
            assert page is not None
            record = {
                "url": truth.canonical_url,
                "urls": truth.urls,
                "title": truth.title,
                "category": truth.category,
                "rubrics": truth.rubrics,
                "source": truth.source,
                "published": truth.published,
                "updated": truth.updated,
                "text": truth.text,
                "lang": "fr",
            }
            fetched = {
                "url": truth.canonical_url,
                "final_url": truth.canonical_url,
                "status": 200,
                "content_type": page.content_type,
                "body": page.body,
                "fetched_at": "2026-11-28T10:00:00Z",
            }
            archive.save_item(record, fetched, None)
            if len(sample) < CEILING_PAGES:
                sample.append({**fetched, "url": truth.canonical_url})
    rate = items / (time.perf_counter() - started)
    days = sorted(t.published for t in site.articles if t.published)
    return rate, days[len(days) // 10], sample


def pool_rate(pages: list[dict[str, Any]]) -> float:
    """The pool ceiling of (a), on ``pages``: pages/s of one warm worker per core."""
    workers = usable_cores()
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=warm_up) as pool:
        list(pool.map(extract_page, pages[: workers * 2]))  # workers started and warm
        started = time.perf_counter()
        list(pool.map(extract_page, pages, chunksize=8))
        return len(pages) / (time.perf_counter() - started)


def reextraction(workdir: Path, items: int, repeats: int) -> dict[str, Any]:
    db = workdir / "reextract.db"
    insert_rate, tenth_until, sample = build(db, items)
    first = run_with_summary(db)
    with sqlite3.connect(db) as conn:
        versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    # The machine is shared and its load drifts by more than the 10 % measured here: each run
    # is set against the ceiling measured just before and just after it.
    again, ratios = [], []
    ceiling = pool_rate(sample)
    for _ in range(repeats):
        run = run_with_summary(db, "--all")
        after = pool_rate(sample)
        ratios.append(run["steady"] / ((ceiling + after) / 2))
        again.append(run)
        ceiling = after
    tenth = [run_with_summary(db, "--all", "--until", tenth_until) for _ in range(repeats)]
    return {
        "items": items,
        "build_per_s": insert_rate,
        "bump": first,
        "versions_written": versions,
        "all_steady": Summary.of([run["steady"] for run in again]),
        "all_to_ceiling_around": Summary.of(ratios),
        "all_wall": Summary.of([run["wall"] for run in again]),
        "all_changed": max(run["changed"] for run in again),
        "all_peak_rss_mib": Summary.of([run["peak_rss_mib"] for run in again]),
        "tenth_items": tenth[0]["items"],
        "tenth_peak_rss_mib": Summary.of([run["peak_rss_mib"] for run in tenth]),
    }


def run_with_summary(db: Path, *args: str) -> dict[str, Any]:
    """``reextract`` in its own process: wall time, peak memory, and what its summary says."""
    measured = run_measured([sys.executable, "-m", "regarchive", "reextract", "--db", str(db),
                             *args])  # fmt: skip
    match = SUMMARY.search(measured.stdout)
    if measured.returncode != 0 or match is None:
        raise SystemExit(f"reextract failed: {measured.stdout} {measured.stderr.strip()}")
    return {
        "items": int(match["items"].replace(",", "")),
        "changed": int(match["changed"].replace(",", "")),
        "steady": float(match["steady"] or match["rate"]),
        "wall": measured.wall,
        "peak_rss_mib": measured.peak_rss_mib,
    }
