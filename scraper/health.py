"""Judge a finished crawl from its stats, and say what happened in one paragraph.

``scrapy crawl`` exits 0 even after a crawl that fetched nothing, so the command that cron runs
decides for itself whether a run was healthy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regarchive.pipelines.site_counts import site_counts, site_names
from regarchive.pipelines.storage_pipeline import crawl_counts

DISCOVERY_RESPONSES = "regarchive/discovery/responses"  # see scraper/announcements.py

# Above this share of failed requests a run is unhealthy: the site (or our network) is broken.
MAX_ERROR_RATIO = 0.2

# regarchive/errors/<kind>: failed pages by kind (scraper.failures); these kinds had a response.
ERROR_STAT_PREFIX = "regarchive/errors/"
ANSWERED = frozenset({"http", "parse"})

# What else the summary says, when its stat is not zero: (stat, sentence with {n}). Limits name
# the setting that moves them.
NOTES: tuple[tuple[str, str], ...] = (
    ("robotstxt/forbidden", "{n} URL{s} skipped as robots.txt asks"),
    ("regarchive/start_urls_without_articles", "{n} start URL{s} listing no article"),
    (
        "regarchive/skipped_not_due",
        "{n} known article{s} not fetched again, checked recently enough "
        "(REGARCHIVE_REVISIT_RECENT_DAYS, REGARCHIVE_REVISIT_OLD_EVERY_DAYS)",
    ),
    (
        "regarchive/urls_merged",
        "{n} archived article{s} also found at another address (kept as one item)",
    ),
    ("regarchive/discovery/sitemaps_read", "{n} sitemap{s} read"),
    ("regarchive/discovery/feeds_read", "{n} feed{s} read"),
    (
        "regarchive/discovery/unchanged",
        "{n} known article{s} unchanged according to the site's sitemap or feeds",
    ),
    (
        "regarchive/discovery/changed",
        "{n} known article{s} changed according to the site's sitemap or feeds, fetched again",
    ),
    (
        "regarchive/discovery/beyond_listings",
        "{n} page{s} only a sitemap or feed lists fetched to learn their rubric",
    ),
    (
        "regarchive/discovery/other_rubrics",
        "{n} page{s} of rubrics not crawled looked at, not archived",
    ),
    (
        "regarchive/discovery/unreadable",
        "{n} sitemap or feed URL{s} could not be fetched (see the log)",
    ),
    (
        "regarchive/discovery/warnings",
        "{n} problem{s} with sitemaps or feeds, which were read as far as possible (see the log)",
    ),
    ("regarchive/pages_not_article", "{n} fetched page{s} skipped as not articles"),
    ("regarchive/skipped_not_html", "{n} page{s} not HTML (binary files) skipped"),
    ("regarchive/failed_retried", "{n} page{s} that failed in an earlier run tried again"),
    ("regarchive/attachments_new", "{n} new attached document{s} archived"),
    ("regarchive/attachments_changed", "{n} attached document{s} changed (earlier content kept)"),
    ("regarchive/attachment_errors", "{n} attached document{s} could not be fetched"),
    (
        "regarchive/attachments_other_host",
        "{n} document link{s} to other hosts not fetched (REGARCHIVE_ATTACHMENT_HOSTS)",
    ),
    ("retry/count", "{n} retr{ies} after server or network errors"),
    ("regarchive/errors/size_limit", "{n} page{s} over the size limit (DOWNLOAD_MAXSIZE) skipped"),
    ("regarchive/errors/timeout", "{n} page{s} timed out (DOWNLOAD_TIMEOUT)"),
    ("regarchive/errors/redirects", "{n} page{s} lost in redirect loops or chains"),
    ("regarchive/errors/offsite_redirect", "{n} redirect{s} to other sites not followed"),
    (
        "regarchive/pagination_limit_reached",
        "{n} rubric{s} stopped at the page limit (REGARCHIVE_MAX_PAGES_PER_RUBRIC)",
    ),
    (
        "regarchive/links_limit_reached",
        "{n} listing page{s} with more links than REGARCHIVE_MAX_LINKS_PER_PAGE (rest skipped)",
    ),
    (
        "regarchive/query_variants_limit_reached",
        "{n} link{s} not followed: more than REGARCHIVE_MAX_QUERY_VARIANTS URLs of one page "
        "differing only in their query",
    ),
    ("depth/request_ignored_count", "{n} link{s} beyond DEPTH_LIMIT not followed"),
    ("urllength/request_ignored_count", "{n} link{s} longer than URLLENGTH_LIMIT not followed"),
    ("regarchive/warc_exchanges", "{n} HTTP exchange{s} written to WARC files"),
)


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 page``, ``2 pages``; ``1 retry``, ``2 retries`` when the plural is given."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


# Below this many seconds spent waiting, politeness did not shape the run: nothing to say.
PACE_WORTH_SAYING = 0.5


def _note(template: str, count: int) -> str:
    """``template`` for ``count`` things: "1 page", "2 pages", "1 retry", "3 retries"."""
    one = count == 1
    return template.format(n=count, s="" if one else "s", ies="y" if one else "ies")


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

    def failures_without_response(self) -> int:
        """Failed requests that got no response at all (timeouts, resets, size limits…)."""
        return sum(
            int(value or 0)
            for key, value in self.stats.items()
            if key.startswith(ERROR_STAT_PREFIX) and key[len(ERROR_STAT_PREFIX) :] not in ANSWERED
        )

    def unhealthy_reason(self) -> str | None:
        """Why this run should alarm whoever reads cron's mail, or None when it went well."""
        counts = self.counts
        # Sitemaps and feeds are not pages: their answers do not dilute the pages' failures.
        responses = self.stat("response_received_count") - self.stat(DISCOVERY_RESPONSES)
        archive_error = self.stats.get("regarchive/archive_error")
        if archive_error:
            return f"the archive could not be written, crawl stopped: {archive_error}"
        warc_error = self.stats.get("regarchive/warc_error")
        if warc_error:
            return f"the WARC files could not be written, crawl stopped: {warc_error}"
        frontier_error = self.stats.get("regarchive/frontier_error")
        if frontier_error:
            return f"{frontier_error}; crawl stopped"
        if self.finish_reason != "finished":
            return f"the crawl stopped before the end ({self.finish_reason})"
        if self.in_frontier:
            # One crawler of many may find nothing left to do: the frontier's run is judged
            # as a whole (regarchive status), this crawler only by its errors.
            return self._error_ratio_reason(counts, responses)
        if responses == 0:
            return "no page could be fetched: check the URLs and that the site is up"
        if self.stat("regarchive/listing_pages") == 0:
            return "no listing page could be read from the start URLs"
        if self.stat("regarchive/start_urls") and not self.stat("regarchive/start_urls_listing"):
            return "no start URL lists any article: check that they are still rubric listings"
        reason = self._error_ratio_reason(counts, responses)
        if reason:
            return reason
        if self.stat("regarchive/sightings") == 0:
            return "no article link found on the start pages: are they rubric listings?"
        return None

    def _error_ratio_reason(self, counts: dict[str, int], responses: int) -> str | None:
        attempted = responses + self.failures_without_response()
        if counts["errors"] and counts["errors"] > MAX_ERROR_RATIO * max(attempted, 1):
            return f"{counts['errors']} of {attempted} pages failed"
        return None

    @property
    def in_frontier(self) -> bool:
        """A crawler of a shared frontier (``crawl --frontier``)."""
        return bool(self.stats.get("regarchive/frontier_run"))

    def frontier_summary(self, frontier_url: str) -> str:
        """One paragraph for a frontier crawler: what it fetched and pushed (the archive's
        side is ``regarchive ingest``'s)."""
        counts = self.counts
        parts = [
            f"Crawl {self.finish_reason} in {self.seconds:.1f} s: "
            f"{counts['requests']} requests, {counts['pages_ok']} pages fetched, "
            f"{counts['pages_not_modified']} not modified, {counts['errors']} errors; "
            f"{self.stat('regarchive/frontier_entries')} entries pushed to the frontier"
        ]
        parts += [_note(note, self.stat(key)) for key, note in NOTES if self.stat(key)]
        return "; ".join(parts) + f". Frontier: {frontier_url}."

    def summary(self, db_path: str) -> str:
        """One paragraph for the terminal or cron's mail."""
        counts = self.counts
        parts = [
            f"Crawl {self.finish_reason} in {self.seconds:.1f} s: "
            f"{counted(counts['requests'], 'request')}, "
            f"{counted(counts['pages_ok'], 'page')} fetched, "
            f"{counts['pages_not_modified']} not modified, {counted(counts['errors'], 'error')}; "
            f"items: {counts['items_new']} new, {counts['items_updated']} updated, "
            f"{counts['items_unchanged']} unchanged"
        ]
        parts += [_note(note, self.stat(key)) for key, note in NOTES if self.stat(key)]
        parts += self.pace_notes()
        return (
            "; ".join(parts)
            + f". Archive: {db_path}."
            + "".join(f"\n  {line}" for line in self.site_lines())
        )

    def pace_notes(self) -> list[str]:
        """How politeness and retries shaped the run's time, when they did (see
        ``regarchive.scraper.progress``: seconds when nothing was downloading because of them)."""
        pace = "regarchive/pace/"
        polite = float(self.stats.get(pace + "politeness_seconds", 0) or 0)
        retry = float(self.stats.get(pace + "retry_wait_seconds", 0) or 0)
        notes = []
        if polite >= PACE_WORTH_SAYING:
            delay = float(self.stats.get(pace + "download_delay", 0) or 0)
            peak = float(self.stats.get(pace + "delay_max", 0) or 0)
            slowed = (
                f", up to {peak:.1f} s when AutoThrottle slowed down for the site"
                if self.stats.get(pace + "autothrottle") and peak > delay + 0.05
                else ""
            )
            per_site = int(self.stats.get(pace + "per_site", 0) or 0)
            notes.append(
                f"politeness: {delay:g} s between requests to a site (DOWNLOAD_DELAY){slowed}, "
                f"at most {per_site} at a time; the crawl waited on it {polite:.1f} s "
                f"of its {self.seconds:.1f} s"
            )
        if retry >= PACE_WORTH_SAYING:
            notes.append(f"{retry:.1f} s spent waiting to retry after errors")
        return notes

    def site_lines(self) -> list[str]:
        """One line per site when the crawl covered several (a sites file): its counts."""
        counts = site_counts(self.stats)
        if len(counts) < 2:
            return []
        names = site_names(self.stats)
        return [
            f"{names[site] + ' (' + site + ')' if site in names else site}: "
            f"{c['requests']} requests, {c['pages_ok']} pages fetched, "
            f"{c['pages_not_modified']} not modified, {c['errors']} errors; items: "
            f"{c['items_inserted']} new, {c['items_updated']} updated, "
            f"{c['items_unchanged']} unchanged"
            for site, c in counts.items()
        ]
