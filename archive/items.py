"""Saving items: extracted records and the sightings of their links, each in one transaction.

:class:`Items` decides what a record is (a new item, a changed one, the same one seen again) and
keeps a canonical link from merging two different articles; the statements it runs are the raw
SQL of :mod:`regarchive.archive.writes`, on the transaction's connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from regarchive.archive import writes
from regarchive.archive.attachments import link_attachments
from regarchive.archive.connection import ArchiveConnection
from regarchive.archive.schema import PROVENANCE_CRAWL

SaveStatus = Literal["inserted", "updated", "unchanged"]


@dataclass(frozen=True)
class SaveResult:
    """What :meth:`Items.save` did with a record."""

    status: SaveStatus
    item_id: int


class Items:
    """The items of an archive: saving records and sightings, finding items by URL."""

    def __init__(self, connection: ArchiveConnection) -> None:
        self._connection = connection

    def save(
        self,
        record: Mapping[str, Any],
        page: Mapping[str, Any] | None,
        crawl_id: int | None,
        provenance: str = PROVENANCE_CRAWL,
    ) -> SaveResult:
        """Insert, update or confirm an item from an extracted record, in one transaction.

        The existing item is found by any of the record's URLs, else by the same text on the
        same site (long texts only). A changed title or text moves the previous state to
        ``versions``; otherwise only ``last_seen`` moves and new URLs, rubrics and related
        links are merged in. The page (raw body compressed) is stored alongside.
        ``provenance`` says where the record comes from (a crawl, an imported WARC file); it
        and the record's ``extractor_version`` go with the item's new state.
        """
        fields = writes.item_fields(record)
        record_urls = writes.distinct([fields["url"], *(record.get("urls") or [])])
        fetched = writes.page_urls(page)
        urls = writes.distinct([*record_urls, *fetched])
        now = self._connection.now()
        with self._connection.transaction() as conn:
            urls = _settle_canonical_claim(conn, urls, record_urls, fields, fetched)
            existing = writes.find_item(conn, urls, fields)
            if existing is None:
                item_id = writes.insert_item(conn, fields, now, provenance)
                status: SaveStatus = "inserted"
            elif writes.has_changed(existing, fields):
                item_id = existing["id"]
                writes.keep_version(conn, item_id)
                writes.update_item(conn, item_id, fields, now, provenance)
                status = "updated"
            else:
                item_id = existing["id"]
                writes.touch_item(conn, item_id, fields, now)
                status = "unchanged"
            writes.link_urls(conn, item_id, urls)
            writes.link_rubrics(conn, item_id, writes.clean_list(record.get("rubrics")))
            writes.merge_related(conn, item_id, record.get("related") or [])
            link_attachments(conn, item_id, record.get("attachments") or [], now)
            writes.fill_from_sightings(conn, item_id)
            if page is not None:
                writes.upsert_page(conn, page, item_id, crawl_id, now)
        return SaveResult(status, item_id)

    def add_sightings(self, sightings: Iterable[Mapping[str, Any]], crawl_id: int | None) -> int:
        """Store links seen on listing pages, in one transaction; return how many were kept.

        A sighting of a URL the archive already knows adds its rubric to that item and gives
        it a category when it has none; sightings of URLs not fetched yet are applied when the
        item is saved.
        """
        now = self._connection.now()
        count = 0
        with self._connection.transaction() as conn:
            for sighting in sightings:
                url = sighting.get("url")
                if not url:
                    continue
                row = writes.sighting_row(sighting, crawl_id, now)
                writes.upsert_sighting(conn, row)
                item_id = writes.item_id_at(conn, [url])
                if item_id is not None:
                    writes.apply_sighting(conn, item_id, row["rubric"], row["category"])
                count += 1
        return count

    def id_at(self, url: str) -> int | None:
        """The item known at ``url`` (any of its URLs), if any."""
        return writes.item_id_at(self._connection.conn, [url])

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """Those of ``urls`` an archived article was seen at."""
        return set(writes.item_ids_at(self._connection.conn, urls))

    def urls_after(self, after: str = "", limit: int = 1000) -> list[str]:
        """URLs an archived article was seen at, after ``after``, in order."""
        rows = self._connection.db.query(
            "SELECT url FROM item_urls WHERE url > ? ORDER BY url LIMIT ?", (after, int(limit))
        )
        return [row["url"] for row in rows]

    def urls_of_items_at(self, urls: Iterable[str]) -> list[str]:
        """Every URL of the items seen at ``urls``."""
        wanted = list(dict.fromkeys(urls))
        found: list[str] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self._connection.db.query(
                "SELECT u.url FROM item_urls u WHERE u.item_id IN "
                f"(SELECT item_id FROM item_urls WHERE url IN ({marks}))",
                chunk,
            )
            found += [row["url"] for row in rows]
        return found

    def count(self) -> int:
        return self._connection.db.table("items").count


def _settle_canonical_claim(
    conn: sqlite3.Connection,
    urls: list[str],
    record_urls: list[str],
    fields: dict[str, Any],
    fetched: list[str],
) -> list[str]:
    """Keep a canonical link from merging two different articles; return the URLs to save the
    record under.

    A page's canonical URL is trusted to join it to the item known there, unless that item was
    fetched elsewhere and holds another article (different words): then the page that claims a
    URL it was not fetched at loses the claim, whether it comes first (the earlier item gives
    the URL back) or second (the record keeps its own URL). Either way the item concerned gets
    a warning.
    """
    owner = writes.item_id_at(conn, urls)
    if owner is None or not fetched:
        return urls
    theirs = writes.fetched_urls(conn, owner)
    if not theirs or theirs & set(fetched) or writes.same_article(conn, owner, fields):
        return urls
    canonical = fields["url"]
    if canonical not in fetched:
        # The record's URLs are the canonical, then where it was requested and where it
        # landed (normalised): the last of them is the page's own.
        fields["url"] = next(
            (url for url in reversed(record_urls) if url != canonical), fetched[-1]
        )
        fields["site"] = urlsplit(fields["url"]).netloc
        warning = f"canonical URL {canonical} ignored: another archived article is there"
        fields["warnings"] = writes.to_json([*json.loads(fields["warnings"]), warning])
        return [url for url in urls if url != canonical]
    for url in sorted(set(urls) - theirs):
        writes.release_url(
            conn, owner, url, f"canonical URL {url} ignored: another archived article is there"
        )
    return urls
