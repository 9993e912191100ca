"""Re-extraction: today's extractor over the pages an archive already holds, without a request.

``regarchive reextract`` calls :func:`reextract`. The items an older extractor made (every item
with ``everything``) are read from the archive in batches of increasing id, with the raw body
of their page (kept compressed in ``pages.html``, else read from the page's WARC record),
extracted in the worker pool (:mod:`regarchive.pipelines.pool`), and written back a batch per
transaction (:meth:`regarchive.archive.store.Archive.apply_reextraction` says what may change).

Safe to stop at any moment: each batch is committed whole, and an item re-extracted takes the
extractor's version, so a rerun (after a ``kill -9``, say) starts with the items not done yet
and nothing is done twice. Memory stays flat: a batch is read only as the workers need more,
and at most a few chunks per worker are in flight.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from regarchive.archive.queries import Filters
from regarchive.archive.reextraction import ItemChange
from regarchive.archive.store import Archive
from regarchive.pipelines.extraction.version import EXTRACTOR_VERSION
from regarchive.pipelines.pool import ExtractionPool, usable_cores

# Items read, and written back, per transaction: small enough that a kill loses little work
# and a crawl waiting for the archive waits little, large enough that commits cost nothing.
BATCH = 100
# Pages per task sent to a worker (what the extraction ceiling of the benchmarks uses).
CHUNK = 8

# How the summary names each compared field; published and updated are both "dates", and
# which reader gave them (published_source, updated_source) "date sources".
FIELD_NAMES = {
    "title": "titles",
    "category": "categories",
    "source": "sources",
    "published": "dates",
    "updated": "dates",
    "text": "texts",
    "lang": "languages",
    "warnings": "warnings",
    "published_source": "date sources",
    "updated_source": "date sources",
    "category_source": "category sources",
}
SUMMARY_ORDER = (
    "titles",
    "dates",
    "categories",
    "sources",
    "texts",
    "languages",
    "warnings",
    "date sources",
    "category sources",
    "rubrics",
    "related links",
)

Progress = Callable[["ReextractionReport"], None]


@dataclass
class ReextractionReport:
    """What a re-extraction did (or, in a dry run, would do)."""

    version: int
    due: int
    without_page: int
    dry_run: bool
    done: int = 0
    changed: int = 0
    not_articles: int = 0
    failures: list[tuple[int, str, str]] = field(default_factory=list)  # item, url, error
    fields: Counter[str] = field(default_factory=Counter)
    samples: list[ItemChange] = field(default_factory=list)
    seconds: float = 0.0
    # Until the first results came back: mostly the workers starting (imports, warm-up).
    warm_up: float = 0.0
    first_chunk: int = 0
    workers: int = 0

    @property
    def unchanged(self) -> int:
        return self.done - self.changed

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    @property
    def steady_rate(self) -> float:
        """Items per second once the workers were warm (what the extraction ceiling of the
        benchmarks measures)."""
        busy = self.seconds - self.warm_up
        return (self.done - self.first_chunk) / busy if busy > 0 else 0.0

    def count(self, change: ItemChange, sample: int) -> None:
        self.done += 1
        if not change.changed:
            return
        self.changed += 1
        for name in {FIELD_NAMES[field_name] for field_name in change.fields}:
            self.fields[name] += 1
        if change.rubrics_added:
            self.fields["rubrics"] += 1
        if change.related_changed:
            self.fields["related links"] += 1
        if len(self.samples) < sample:
            self.samples.append(change)


def reextract(
    archive: Archive,
    *,
    filters: Filters | None = None,
    everything: bool = False,
    dry_run: bool = False,
    workers: int | None = None,
    sample: int = 10,
    progress: Progress | None = None,
) -> ReextractionReport:
    """Re-extract the items of ``archive`` that an older extractor made (all of them with
    ``everything``) among those ``filters`` keep; with ``dry_run``, write nothing.

    ``workers`` defaults to one per core: the process reading and writing the archive needs
    little CPU (it moves compressed bodies and compares fields), so every core extracts.
    """
    version = EXTRACTOR_VERSION
    counts = archive.reextraction_counts(version=version, filters=filters, everything=everything)
    report = ReextractionReport(version, counts["due"], counts["without_page"], dry_run)
    report.workers = usable_cores() if workers is None else workers
    pool = ExtractionPool(report.workers)
    started = time.perf_counter()
    pending: list[tuple[int, dict[str, Any] | None]] = []
    try:
        pages = _pages(archive, version, filters, everything)
        for chunk, results in pool.map_stored(_chunks(pages, CHUNK)):
            if not report.warm_up:
                report.warm_up = time.perf_counter() - started
                report.first_chunk = len(chunk)
            for page, result in zip(chunk, results, strict=True):
                record = result.get("record")
                if record is None:
                    report.failures.append((page["item_id"], page["url"], result["error"]))
                elif not record.get("is_article"):
                    # The new extractor sees no article here: the item stays as it was.
                    report.not_articles += 1
                    pending.append((page["item_id"], None))
                else:
                    pending.append((page["item_id"], record))
            if len(pending) >= BATCH:
                _write(archive, pending, report, sample)
                pending = []
                report.seconds = time.perf_counter() - started
                if progress is not None:
                    progress(report)
        if pending:
            _write(archive, pending, report, sample)
    finally:
        pool.close()
    report.seconds = time.perf_counter() - started
    return report


def _pages(
    archive: Archive, version: int, filters: Filters | None, everything: bool
) -> Iterator[dict[str, Any]]:
    """The items due, each with its source page, read a batch at a time (keyset on id)."""
    after = 0
    while rows := archive.reextraction_batch(
        version=version, after=after, limit=BATCH, filters=filters, everything=everything
    ):
        yield from rows
        after = rows[-1]["item_id"]


def _chunks(pages: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while chunk := list(islice(pages, size)):
        yield chunk


def _write(
    archive: Archive,
    results: list[tuple[int, dict[str, Any] | None]],
    report: ReextractionReport,
    sample: int,
) -> None:
    changes = archive.apply_reextraction(results, version=report.version, dry_run=report.dry_run)
    for change in changes:
        report.count(change, sample)
    report.done += sum(1 for _, record in results if record is None)
