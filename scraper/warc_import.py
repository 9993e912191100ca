"""Build or update an archive from WARC files made by any tool (``regarchive import-warc``).

The HTTP responses of the files (regarchive's own, wget's ``--warc-file``, Heritrix's,
browsertrix's) go through what a crawl does with the same pages:

- a rubric listing (``/-Regions-``, ``spip.php?rubrique2``, ``rubrique2.html``, and their
  ``debut_articles=N`` pages) is read for its article links with the spider's own listing
  parsing, and each link becomes a sighting (rubric, label, category hint), as in a crawl;
- every other HTML page of a 200 is extracted in the worker pool (the body read from the WARC
  file by the worker itself) and, when it is an article, saved through the same
  ``Archive.save_item`` as a crawl's pages: one item per article, however many URLs, files or
  captures show it; a capture whose text changed makes a new version, as a re-fetch would;
- a redirect's source URL is kept with the page it led to (the next capture of its target);
- a ``revisit`` record (a deduplicating crawler's "same payload as that earlier capture") is
  read as its URL serving that earlier capture's body, when that capture is in the files
  imported; ``server-not-modified`` revisits say nothing new.

Pages point to their WARC record (``pages.warc_file``, ``pages.warc_offset``), and items
record ``provenance = 'import-warc'``. The documents (PDF, ODT…) the imported articles link
are read and stored as a crawl stores them, when the files hold them. Pages that are not HTML
(nor linked documents), not a 200, print versions,
feeds, admin pages, and listings other than rubrics (home page, keywords, authors) are
counted and skipped. A damaged file is imported up to the damage.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import HtmlResponse
from scrapy.settings import Settings

from regarchive.archive.errors import WarcError
from regarchive.archive.schema import PROVENANCE_IMPORT
from regarchive.archive.store import Archive
from regarchive.archive.warc.reader import StoredResponse, iter_responses, read_response
from regarchive.pipelines.documents.limits import ReadLimits
from regarchive.pipelines.extraction.urls import (
    excluded_reason,
    looks_like_listing,
    normalize_url,
    query_params,
    site_of,
)
from regarchive.pipelines.pool import ExtractionPool, read_attachment, usable_cores
from regarchive.scraper import listing
from regarchive.scraper.articles import HTML_TYPES
from regarchive.scraper.sniff import looks_binary
from regarchive.scraper.spiders.rubric import RubricSpider
from regarchive.scraper.state import CrawlState

REDIRECTS = frozenset({301, 302, 303, 307, 308})
IDENTICAL_PAYLOAD = "/revisit/identical-payload-digest"
CHUNK = 8
# SPIP rubric listings: spip.php?rubrique2, ?page=rubrique&id_rubrique=2, rubrique2.html and
# the "propre" URLs /-Regions-.
_RUBRIC_KEY = re.compile(r"^rubrique\d+$")
_RUBRIC_PATH = re.compile(r"(?:/rubrique\d+\.html?|^/-[^/]+-/?)$")
# Sightings are written in batches, always before the next item (as the storage pipeline does).
SIGHTING_BATCH = 200

Progress = Callable[["ImportReport"], None]


def is_rubric_listing(url: str) -> bool:
    """A SPIP rubric listing, or one of its later pages (``debut_articles=10``)."""
    params = query_params(url)
    if any(_RUBRIC_KEY.match(key) for key in params):
        return True
    if params.get("page") == "rubrique":
        return True
    return bool(_RUBRIC_PATH.search(urlsplit(url).path))


@dataclass
class ImportReport:
    """What an import did."""

    files: int = 0
    responses: int = 0
    listings: int = 0
    sightings: int = 0
    items: Counter[str] = field(default_factory=Counter)  # inserted, updated, unchanged
    documents: Counter[str] = field(default_factory=Counter)  # AttachmentStore.save statuses
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> pages
    failures: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)


@dataclass
class _Capture:
    """An HTML page to extract: where its body is, and what the archive's page row needs."""

    url: str
    final_url: str
    warc_file: str
    warc_offset: int
    content_type: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: str


class WarcImport:
    """One import into ``archive``; :meth:`run` takes the files in order."""

    def __init__(
        self, archive: Archive, *, workers: int | None = None, progress: Progress | None = None
    ) -> None:
        self.archive = archive
        self.report = ImportReport()
        self.pool = ExtractionPool(usable_cores() if workers is None else workers)
        self.progress = progress
        self.pending_sightings: list[dict[str, Any]] = []
        self.spiders: dict[str, RubricSpider] = {}
        self.saved: set[int] = set()
        # Across files: a revisit may refer to a capture of an earlier file.
        self.payloads: dict[str, tuple[str, int]] = {}
        # Documents (PDF, ODT…) captured, by URL: stored once the items linking them are.
        self.documents: dict[str, _Capture] = {}

    def run(self, paths: list[Path]) -> ImportReport:
        try:
            for path in paths:
                self.report.files += 1
                self._import_file(path.resolve())
            self._flush_sightings()
            self._store_documents()
        finally:
            self.pool.close()
        return self.report

    # -- one file -------------------------------------------------------------------------------

    def _import_file(self, path: Path) -> None:
        chunks = _chunked(self._captures(path), CHUNK)
        work = ([_work(capture) for capture in chunk] for chunk in chunks)
        for chunk, results in self.pool.map_stored(work):
            for page, result in zip(chunk, results, strict=True):
                self._save(page, result)
            if self.progress is not None:
                self.progress(self.report)

    def _captures(self, path: Path) -> Iterator[_Capture]:
        """The pages of ``path`` to extract; listings, redirects and skips are handled here."""
        redirects: dict[str, str] = {}  # target -> the first URL of its chain
        try:
            for response in iter_responses(path, wants_body=_is_rubric_page):
                self.report.responses += 1
                capture = self._capture(response, redirects)
                if capture is not None:
                    yield capture
        except WarcError as error:
            self.report.damaged.append(str(error))

    def _capture(self, response: StoredResponse, redirects: dict[str, str]) -> _Capture | None:
        try:
            url = normalize_url(response.url)
        except ValueError:
            self.report.skipped["malformed URL"] += 1
            return None
        location = response
        if response.kind == "revisit":
            original = self._revisited(response)
            if original is None:
                return None
            location = original
        status = location.status
        if status in REDIRECTS:
            self._note_redirect(url, response.header("Location"), redirects)
            return None
        if status != 200:
            self.report.skipped["not a 200 response"] += 1
            return None
        content_type = location.content_type or "text/html"
        capture = _Capture(
            url=redirects.get(url, url),
            final_url=url,
            warc_file=str(location.path),
            warc_offset=location.offset,
            content_type=location.content_type,
            etag=location.header("ETag"),
            last_modified=location.header("Last-Modified"),
            fetched_at=_timestamp(response.date),
        )
        if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
            # A document an article may link: its latest capture is kept for _store_documents.
            self.documents[capture.url] = capture
            self.report.skipped["not HTML (documents stored with the items linking them)"] += 1
            return None
        if location.payload_digest and location is response:
            self.payloads[location.payload_digest] = (str(location.path), location.offset)
        if excluded_reason(url) is not None:
            self.report.skipped["print versions, feeds, admin and search pages"] += 1
            return None
        if is_rubric_listing(url):
            self._read_listing(url, response)
            return None
        if looks_like_listing(url):
            self.report.skipped["listings other than rubrics (home, keywords, authors)"] += 1
            return None
        return capture

    def _revisited(self, revisit: StoredResponse) -> StoredResponse | None:
        """The capture an identical-payload revisit stands for, at the revisit's URL."""
        if not (revisit.profile or "").endswith(IDENTICAL_PAYLOAD):
            self.report.skipped["revisits saying 'not modified'"] += 1
            return None
        found = self.payloads.get(revisit.payload_digest or "")
        if found is None:
            self.report.skipped["revisits of captures not imported"] += 1
            return None
        try:
            original = read_response(found[0], found[1], read_body=False)
        except WarcError:
            self.report.skipped["revisits of captures not imported"] += 1
            return None
        return original

    def _note_redirect(self, url: str, location: str | None, redirects: dict[str, str]) -> None:
        self.report.skipped["redirects (kept with the page they lead to)"] += 1
        if not location:
            return
        try:
            target = normalize_url(urljoin(url, location))
        except ValueError:
            return
        redirects.setdefault(target, redirects.get(url, url))

    # -- listings -------------------------------------------------------------------------------

    def _read_listing(self, url: str, response: StoredResponse) -> None:
        """The article links of a rubric listing, as sightings (the spider's own parsing)."""
        if response.body is None or looks_binary(response.body):
            self.report.skipped["not HTML"] += 1
            return
        page = HtmlResponse(
            url=url,
            body=response.body,
            headers={"Content-Type": response.content_type or "text/html"},
        )
        # The crawl's own reading of a listing page (scraper/listing.py, through the spider for
        # its sites), so that an import and a crawl see the same links, categories and rubrics.
        spider = self._spider(url)
        rubric = listing.rubric_name(page.selector.root)
        found_on = normalize_url(url)
        for link in spider.article_links(page):
            self.pending_sightings.append(
                {
                    "url": link.url,
                    "rubric": rubric,
                    "label": link.label,
                    "category": link.category,
                    "found_on": found_on,
                }
            )
        self.report.listings += 1
        if len(self.pending_sightings) >= SIGHTING_BATCH:
            self._flush_sightings()

    def _spider(self, url: str) -> RubricSpider:
        """A spider of ``url``'s site, for its listing parsing (its links stay on that site)."""
        site = site_of(url)
        spider = self.spiders.get(site)
        if spider is None:
            spider = RubricSpider(start_urls=[url])
            spider.settings = Settings()
            spider.state = CrawlState([url])  # its site, nothing requested or reported yet
            self.spiders[site] = spider
        return spider

    def _flush_sightings(self) -> None:
        if self.pending_sightings:
            self.archive.add_sightings(self.pending_sightings, None)
            self.report.sightings += len(self.pending_sightings)
            self.pending_sightings = []

    # -- documents ------------------------------------------------------------------------------

    def _store_documents(self) -> None:
        """The documents the imported items link, read as a crawl reads them (in a bounded
        child process) and stored once per content."""
        store = self.archive.attachment_store
        limits = ReadLimits()
        for url, capture in self.documents.items():
            if not store.linked(url):
                continue
            fetch: dict[str, Any] = {
                "url": url,
                "final_url": capture.final_url,
                "status": 200,
                "content_type": capture.content_type,
                "etag": capture.etag,
                "last_modified": capture.last_modified,
                "fetched_at": capture.fetched_at,
            }
            reading = None
            try:
                response = read_response(capture.warc_file, capture.warc_offset)
            except WarcError as error:
                fetch["body"], fetch["error"] = None, str(error)
            else:
                fetch["body"] = response.body
                if response.body is None:
                    fetch["error"] = "too large, or unreadable, in its WARC record"
                else:
                    reading = read_attachment(
                        {"body": response.body, "content_type": capture.content_type,
                         "limits": limits}
                    )  # fmt: skip
                    if reading.get("error"):  # an HTML page served as a document
                        fetch["body"], fetch["error"], reading = None, reading["error"], None
            self.report.documents[store.save(fetch, reading, None).status] += 1

    # -- articles -------------------------------------------------------------------------------

    def _save(self, page: dict[str, Any], result: dict[str, Any]) -> None:
        record = result.get("record")
        if record is None:
            self.report.failures.append(f"{page['final_url']}: {result.get('error')}")
            return
        if not record.get("is_article"):
            self.report.skipped["pages that are not articles"] += 1
            return
        self._flush_sightings()
        stored = {**page, "status": 200, "body": result["body"]}
        saved = self.archive.save_item(record, stored, None, provenance=PROVENANCE_IMPORT)
        if saved.item_id in self.saved:
            self.report.items["merged"] += 1
        else:
            self.saved.add(saved.item_id)
            self.report.items[saved.status] += 1


def import_warcs(
    archive: Archive,
    paths: list[Path],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the WARC files ``paths`` into ``archive`` (see the module docstring).

    Raises :class:`ArchiveError` when the archive cannot be written: what was saved stays.
    """
    return WarcImport(archive, workers=workers, progress=progress).run(paths)


def _is_rubric_page(response: StoredResponse) -> bool:
    """Bodies the import reads itself: rubric listings (articles are read by the workers)."""
    return response.kind == "response" and response.status == 200 and _rubric_url(response.url)


def _rubric_url(url: str) -> bool:
    try:
        return is_rubric_listing(normalize_url(url))
    except ValueError:
        return False


def _work(capture: _Capture) -> dict[str, Any]:
    return {
        "url": capture.url,
        "final_url": capture.final_url,
        "content_type": capture.content_type,
        "etag": capture.etag,
        "last_modified": capture.last_modified,
        "fetched_at": capture.fetched_at,
        "html": None,
        "warc_file": capture.warc_file,
        "warc_offset": capture.warc_offset,
        "return_body": True,
    }


def _chunked(items: Iterator[_Capture], size: int) -> Iterator[list[_Capture]]:
    chunk: list[_Capture] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _timestamp(warc_date: str | None) -> str:
    """A WARC-Date (``2026-11-28T10:00:00.123456Z``) as the archive writes times."""
    try:
        moment = datetime.fromisoformat((warc_date or "").replace("Z", "+00:00"))
    except ValueError:
        moment = datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
