"""What Scrapy alone costs: fetch the crawl's pages with the crawl's settings, and do nothing.

    python -m benchmarks.fetch_only URLS_FILE

Reads one URL per line, fetches them all with regarchive's Scrapy settings (the same
middlewares, robots.txt, concurrency, the benchmark's loopback overrides) but no item pipeline
and a callback that does nothing, then prints ``{"pages": …, "wall": …, "cpu": …}`` as JSON.
Its CPU seconds per page is the floor under the crawling process: what regarchive's own work
(reading listings, storage, handing pages to the workers) adds is the crawl's CPU minus this
and minus extraction.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

from regarchive.scraper.runner import crawl_settings

# The benchmark crawl's overrides (benchmarks/run.py CRAWL_SETTINGS), as settings.
LOOPBACK = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "ERROR",
}


class FetchOnly(scrapy.Spider):
    name = "fetch-only"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.pages = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response) -> None:
        self.pages += 1


def main() -> None:
    urls = Path(sys.argv[1]).read_text().split()
    settings = crawl_settings(str(Path(sys.argv[1]).with_suffix(".db")), LOOPBACK)
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    process = CrawlerProcess(settings, install_root_handler=False)
    crawler = process.create_crawler(FetchOnly)
    process.crawl(crawler, urls=urls)
    started, cpu = time.perf_counter(), time.process_time()
    process.start()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"pages": crawler.spider.pages, "wall": wall, "cpu": cpu}))


if __name__ == "__main__":
    main()
