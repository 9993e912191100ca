"""Where a crawl's time goes: one crawl of the sample site under cProfile, in this process.

    python -m benchmarks.profile_crawl --articles 1000 --workers 0   # extraction in-process
    python -m benchmarks.profile_crawl --articles 1000               # worker pool (default)

Prints the crawl's wall time and the cumulative time of each stage of the crawling process:
extraction (only when it runs in this process), the spider's callbacks, the storage pipeline
(SQLite), and the rest (Scrapy's engine, Twisted, asyncio, HTTP).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from regarchive.scraper.runner import crawl_settings, run_crawl

EXTRACTOR = "extractor (to and from the workers)"
ARTICLES = "spider: article pages and their related links"
# (label, file suffix, function name): the stages whose cumulative time is reported.
STAGES = (
    ("extraction (extract_record)", "pipelines/extraction/core.py", "extract_record"),
    ("spider: listing pages", "scraper/spiders/rubric.py", "parse_listing"),
    (ARTICLES, "scraper/spiders/rubric.py", "parse_article"),
    (EXTRACTOR, "pipelines/extractor.py", "extract"),
    ("storage pipeline (SQLite writes)", "pipelines/storage_pipeline.py", "process_item"),
)


def stage_seconds(stats: pstats.Stats) -> dict[str, float]:
    found = dict.fromkeys((label for label, _, _ in STAGES), 0.0)
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        for label, suffix, name in STAGES:
            if function == name and filename.endswith(suffix):
                found[label] += cumulative
    # The spider's article callback awaits the extractor, which runs extraction when there are
    # no workers: count each once.
    found[EXTRACTOR] -= found[STAGES[0][0]]
    found[ARTICLES] -= found[EXTRACTOR] + found[STAGES[0][0]]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workers", default=None, help="extraction workers (default: the crawl's)")
    args = parser.parse_args()
    overrides = {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "LOG_LEVEL": "ERROR",
    }
    if args.workers is not None:
        overrides["REGARCHIVE_EXTRACT_WORKERS"] = args.workers
    with (
        SiteServer(lambda base: build_site(base, articles=args.articles)) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        for path in list(server.site.pages):
            server.site.pages[path]  # render every page before timing
        settings = crawl_settings(str(Path(tmp) / "profile.db"), overrides)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        outcome = run_crawl(sorted(server.site.rubrics.values()), settings)
        profile.disable()
        wall = time.perf_counter() - started
    stats = pstats.Stats(profile)
    total = stats.total_tt  # type: ignore[attr-defined]
    pages = outcome.stat("response_received_count")
    rate = pages / wall
    print(
        f"{pages} pages in {wall:.1f} s under the profiler ({rate:.0f} pages/s); busy {total:.1f} s"
    )
    stages = stage_seconds(stats)
    stages["Scrapy, Twisted, asyncio, HTTP (the rest)"] = total - sum(stages.values())
    for label, seconds in stages.items():
        print(f"  {label:<48} {seconds:6.1f} s  {100 * seconds / total:5.1f} %")


if __name__ == "__main__":
    main()
