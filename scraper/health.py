"""Judge a finished crawl from its stats, and say what happened in one paragraph.

``scrapy crawl`` exits 0 even after a crawl that fetched nothing, so the command that cron runs
decides for itself whether a run was healthy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipelines.storage import crawl_counts

# Above this share of failed requests a run is unhealthy: the site (or our network) is broken.
MAX_ERROR_RATIO = 0.2


@dataclass(frozen=True)
class CrawlOutcome:
    """What a crawl did, from Scrapy's stats once it has closed."""

    stats: dict[str, Any]

    @property
    def counts(self) -> dict[str, int]:
        return crawl_counts(self.stats)

    def stat(self, key: str) -> int:
        return int(self.stats.get(key, 0) or 0)

    @property
    def finish_reason(self) -> str:
        return str(self.stats.get("finish_reason", "unknown"))

    @property
    def seconds(self) -> float:
        return float(self.stats.get("elapsed_time_seconds", 0.0) or 0.0)

    def unhealthy_reason(self) -> str | None:
        """Why this run should alarm whoever reads cron's mail, or None when it went well."""
        counts = self.counts
        responses = self.stat("response_received_count")
        if self.finish_reason != "finished":
            return f"the crawl stopped before the end ({self.finish_reason})"
        if responses == 0:
            return "no page could be fetched: check the URLs and that the site is up"
        if self.stat("regarchive/listing_pages") == 0:
            return "no listing page could be read from the start URLs"
        if counts["errors"] and counts["errors"] > MAX_ERROR_RATIO * max(responses, 1):
            return f"{counts['errors']} of {responses} pages failed"
        if self.stat("regarchive/sightings") == 0:
            return "no article link found on the start pages: are they rubric listings?"
        return None

    def summary(self, db_path: str) -> str:
        """One paragraph for the terminal or cron's mail."""
        counts = self.counts
        robots = self.stat("robotstxt/forbidden")
        parts = [
            f"Crawl {self.finish_reason} in {self.seconds:.1f} s: "
            f"{counts['requests']} requests, {counts['pages_ok']} pages fetched, "
            f"{counts['pages_not_modified']} not modified, {counts['errors']} errors; "
            f"items: {counts['items_new']} new, {counts['items_updated']} updated, "
            f"{counts['items_unchanged']} unchanged"
        ]
        if robots:
            parts.append(f"{robots} URLs skipped as robots.txt asks")
        not_due = self.stat("regarchive/skipped_not_due")
        if not_due:
            parts.append(f"{not_due} known articles not due for a re-check")
        merged = self.stat("regarchive/urls_merged")
        if merged:
            parts.append(f"{merged} more URLs of already archived articles merged")
        not_articles = self.stat("regarchive/pages_not_article")
        if not_articles:
            parts.append(f"{not_articles} fetched pages were not articles")
        return "; ".join(parts) + f". Archive: {db_path}."
