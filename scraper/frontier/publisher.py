"""The ingester's side of the incremental state: what a rerun asks of the archive, published in
Redis for crawlers that have no archive file (read by :mod:`.archive_view`): known article
pages with their validators, the URLs of archived articles, the documents (attachments) held,
the listings walked and the pages that failed.

Published in full when the ingester starts, then kept in step: after each committed batch, the
pages and URLs of the items it touched; after a run's end, the listings walked and the URLs
that failed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import redis

from regarchive.archive.clock import utc_timestamp
from regarchive.archive.store import Archive
from regarchive.pipelines.extraction.urls import site_of
from regarchive.scraper.frontier.keys import FrontierKeys

BATCH = 1000


def known_entry(row: dict[str, Any]) -> str:
    fields = ("etag", "last_modified", "body_hash", "fetched_at", "published", "first_seen")
    entry = {field: row.get(field) for field in fields}
    missing = row.get("missing_attachments")
    entry["missing_attachments"] = json.loads(missing) if isinstance(missing, str) else []
    entry["revisit"] = bool(row.get("revisit"))
    return json.dumps(entry, separators=(",", ":"))


class StatePublisher:
    """Publish an archive's incremental state to a frontier."""

    def __init__(self, client: redis.Redis, keys: FrontierKeys, archive: Archive) -> None:
        self.client = client
        self.keys = keys
        self.archive = archive

    def publish_all(self) -> int:
        """Everything, in batches; returns how many URLs are known."""
        known = 0
        after = ""
        while rows := self.archive.known_pages(after, BATCH):
            self._set_pages(rows)
            known += len(rows)
            after = rows[-1]["url"]
        after = ""
        while urls := self.archive.item_urls(after, BATCH):
            self._set_item_urls(urls)
            after = urls[-1]
        after = ""
        while urls := self.archive.item_urls(after, BATCH):
            self._set_hints(self.archive.fetched_hints(urls))
            after = urls[-1]
        after = ""
        while rows := self.archive.attachment_store.known_after(after, BATCH):
            self._set_documents(rows)
            after = rows[-1]["url"]
        self.publish_run_state()
        self.client.hset(
            self.keys.published,
            mapping={"archive": str(self.archive.path), "at": utc_timestamp()},
        )
        return known

    def publish_touched(self, urls: Iterable[str]) -> None:
        """The items seen at ``urls`` were written: publish their pages and URLs again."""
        urls = list(dict.fromkeys(urls))
        if not urls:
            return
        self._set_pages(self.archive.known_pages_at(urls))
        self._set_item_urls(self.archive.urls_of_items_at(urls))

    def publish_hints(self, urls: Iterable[str]) -> None:
        """Pages whose sitemap and feed dates a committed batch recorded."""
        self._set_hints(self.archive.fetched_hints(list(dict.fromkeys(urls))))

    def _set_hints(self, hints: dict[str, dict[str, str]]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for url, by_source in hints.items():
            pipe.hset(self.keys.hints(site_of(url)), url, json.dumps(by_source))
        pipe.execute()

    def publish_documents(self, urls: Iterable[str]) -> None:
        """Documents fetched in a committed batch: publish what the archive now holds of them."""
        rows = [self.archive.attachment_store.known(url) for url in dict.fromkeys(urls)]
        self._set_documents([row for row in rows if row is not None])

    def _set_documents(self, rows: list[dict[str, Any]]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for row in rows:
            pipe.hset(self.keys.documents(site_of(row["url"])), row["url"], json.dumps(row))
        pipe.execute()

    def publish_run_state(self) -> None:
        """The listings walked to their end and the URLs the next crawl tries again."""
        walked = sorted(self.archive.walked_listings())
        failed = self.archive.failed_urls()
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(self.keys.walked, self.keys.failed)
        if walked:
            pipe.sadd(self.keys.walked, *walked)
        if failed:
            pipe.sadd(self.keys.failed, *failed)
        pipe.execute()

    def _set_pages(self, rows: list[dict[str, Any]]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for row in rows:
            pipe.hset(self.keys.known(site_of(row["url"])), row["url"], known_entry(row))
        pipe.execute()

    def _set_item_urls(self, urls: list[str]) -> None:
        # "" marks a URL an article was seen at without a page there; a page's entry stays.
        pipe = self.client.pipeline(transaction=False)
        for url in urls:
            pipe.hsetnx(self.keys.known(site_of(url)), url, "")
        pipe.execute()
