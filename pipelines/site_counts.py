"""Stats per site (``regarchive/site/<site>/<count>``, ``<site>`` is host[:port]), named here for
the parts that count them (the storage pipeline: items and errors; ``scraper.site_stats``:
requests and responses) and the parts that read them back (the summary, ``status``)."""

from __future__ import annotations

from typing import Any

from regarchive.pipelines.extraction.urls import site_of

SITE_PREFIX = "regarchive/site/"
SITE_NAMES = "regarchive/site_names"
# In the order of a summary line.
SITE_COUNTS = (
    "requests",
    "pages_ok",
    "pages_not_modified",
    "errors",
    "items_inserted",
    "items_updated",
    "items_unchanged",
)


def site_stat(url: str, count: str) -> str:
    """The stat counting ``count`` for the site of ``url``."""
    return f"{SITE_PREFIX}{site_of(url)}/{count}"


def site_counts(stats: dict[str, Any]) -> dict[str, dict[str, int]]:
    """site → count → value, from a crawl's stats (live or read back from the archive)."""
    sites: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        if key.startswith(SITE_PREFIX):
            site, _, count = key[len(SITE_PREFIX) :].rpartition("/")
            sites.setdefault(site, dict.fromkeys(SITE_COUNTS, 0))[count] = int(value or 0)
    return dict(sorted(sites.items()))


def site_names(stats: dict[str, Any]) -> dict[str, str]:
    names = stats.get(SITE_NAMES)
    return dict(names) if isinstance(names, dict) else {}
