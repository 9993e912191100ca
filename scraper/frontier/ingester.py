"""``regarchive ingest``: the one writer of the archive, fed by the frontier's stream.

Entries are read with a consumer group (``XREADGROUP``), written in batches, each batch one
transaction of the archive, and acknowledged (``XACK``, then deleted) only once that transaction
has committed. So:

- a killed ingester loses nothing: what it had read but not committed stays pending in Redis,
  and the next ingester reads it again first;
- it doubles nothing: the transaction that writes a batch also records the id of its last entry
  (``ingested_streams``), so an entry read again after a crash between the commit and the
  acknowledgement is recognised and skipped. Stream ids only grow, and one ingester reads in
  order, so one id per stream says what is in;
- a killed crawler doubles nothing either: the pages it had claimed are fetched again by
  another, and what that one pushes is the same record (an unchanged item, not a new version),
  the same sightings (merged on URL, rubric and label), the same errors (one per run that met
  them, as a crawl alone would record).

Each frontier crawler's run is a run of the archive (a ``crawls`` row), opened by its first
entry and closed by its last, with the counts of the crawler (requests, pages) and those the
ingester made (items new, updated, unchanged).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from regarchive.archive.ingest_log import stream_id_key
from regarchive.archive.store import Archive
from regarchive.pipelines.site_counts import SITE_PREFIX, site_stat
from regarchive.pipelines.storage_pipeline import STAT_PREFIX, crawl_counts
from regarchive.scraper.frontier import entries
from regarchive.scraper.frontier.entries import BadEntry, Entry
from regarchive.scraper.frontier.frontier import CONSUMER, GROUP, Frontier
from regarchive.scraper.frontier.publisher import StatePublisher

logger = logging.getLogger(__name__)

BATCH = 200
# Per-site counts the writer keeps (the crawler keeps requests and responses per site).
SITE_WRITTEN = frozenset({"errors", "items_inserted", "items_updated", "items_unchanged"})
WRITTEN_COUNTS = (
    "items_inserted",
    "items_updated",
    "items_unchanged",
    "urls_merged",
    "sightings",
    "fetch_errors",
    "extraction_errors",
)
BLOCK_MS = 500


@dataclass
class CrawlerRun:
    """A frontier crawler's run as the ingester follows it."""

    crawl_id: int
    tally: Counter[str] = field(default_factory=Counter)
    # Items saved in this run (lost when the ingester restarts: a later URL of one of them is
    # then counted as unchanged rather than merged).
    saved_items: set[int] = field(default_factory=set)


@dataclass
class IngestOutcome:
    entries: int = 0
    skipped: int = 0
    rejected: int = 0
    totals: Counter[str] = field(default_factory=Counter)
    runs_finished: int = 0

    def summary(self, db_path: str) -> str:
        t = self.totals
        parts = [
            f"Ingested {self.entries} entries: items {t['items_inserted']} new, "
            f"{t['items_updated']} updated, {t['items_unchanged']} unchanged; "
            f"{t['sightings']} sightings, {t['fetch_errors'] + t['extraction_errors']} errors, "
            f"{self.runs_finished} crawler runs finished"
        ]
        if self.skipped:
            parts.append(f"{self.skipped} entries already in the archive skipped")
        if self.rejected:
            parts.append(f"{self.rejected} unreadable entries set aside (see the log)")
        return "; ".join(parts) + f". Archive: {db_path}."


class Ingester:
    """Write a frontier's stream into an archive (see the module docstring)."""

    def __init__(self, frontier: Frontier, archive: Archive, batch: int = BATCH) -> None:
        self.frontier = frontier
        self.client = frontier.client
        self.stream = frontier.keys.stream
        self.archive = archive
        self.batch = batch
        self.publisher = StatePublisher(self.client, frontier.keys, archive)
        self.runs: dict[str, CrawlerRun] = {}
        self.outcome = IngestOutcome()

    # -- the loop -------------------------------------------------------------------------------

    def run(
        self, until_idle: float | None = None, stopping: Callable[[], bool] = lambda: False
    ) -> IngestOutcome:
        """Ingest until ``stopping()`` says so, or (with ``until_idle``) until no crawler is
        alive and nothing is queued, claimed or waiting in the stream for that many seconds."""
        self.frontier.ensure_group()
        self.publisher.publish_all()
        # First what a previous ingester read and did not acknowledge, then new entries.
        self._read_pending()
        idle_since: float | None = None
        while not stopping():
            messages = self._read(">", BLOCK_MS)
            if messages:
                self._ingest(messages)
                idle_since = None
                continue
            if until_idle is None:
                continue
            if self._frontier_idle():
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= until_idle:
                    break
            else:
                idle_since = None
        return self.outcome

    def _read_pending(self) -> None:
        while messages := self._read("0", None):
            self._ingest(messages)

    def read_new(self) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """Entries no one has read yet (they are pending until acknowledged)."""
        return self._read(">", None)

    def _read(self, start: str, block: int | None) -> list[tuple[bytes, dict[bytes, bytes]]]:
        reply = self.client.xreadgroup(
            GROUP, CONSUMER, {self.stream: start}, count=self.batch, block=block
        )
        return list(reply[0][1]) if reply else []

    def _frontier_idle(self) -> bool:
        frontier = self.frontier
        frontier.reclaim_dead()
        return (
            not frontier.live_crawlers() and not frontier.busy() and frontier.stream_waiting() == 0
        )

    # -- one batch ------------------------------------------------------------------------------

    def _ingest(self, messages: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        """Write ``messages`` in one transaction, then acknowledge them."""
        self.acknowledge(self.commit(messages))

    def acknowledge(self, ids: list[str]) -> None:
        """Committed: now, and only now, Redis may forget them."""
        pipe = self.client.pipeline(transaction=True)
        pipe.xack(self.stream, GROUP, *ids)
        pipe.xdel(self.stream, *ids)
        pipe.execute()

    def commit(self, messages: list[tuple[bytes, dict[bytes, bytes]]]) -> list[str]:
        """Write ``messages`` in one transaction; returns their ids."""
        ids = [_text(entry_id) for entry_id, _ in messages]
        done = self.archive.ingested_up_to(self.stream)
        done_key = stream_id_key(done) if done else None
        touched: list[str] = []
        documents: list[str] = []
        hinted: list[str] = []
        run_state_changed = False
        tallied: set[str] = set()
        with self.archive.transaction():
            for entry_id, fields in zip(ids, (f for _, f in messages), strict=True):
                if done_key is not None and stream_id_key(entry_id) <= done_key:
                    self.outcome.skipped += 1
                    continue
                runs_before = set(self.runs)
                try:
                    entry = entries.decode(fields)
                    with self.archive.transaction():  # a savepoint: one entry, all or nothing
                        effect = self._apply(entry)
                except (BadEntry, ValueError, KeyError, TypeError) as error:
                    for crawler in set(self.runs) - runs_before:
                        del self.runs[crawler]  # its crawls row was rolled back
                    self.outcome.rejected += 1
                    logger.warning("stream entry %s set aside: %s", entry_id, error)
                    continue
                self.outcome.entries += 1
                touched += effect.touched
                documents += effect.documents
                hinted += effect.hinted
                run_state_changed |= effect.run_state_changed
                if effect.tally:
                    run = self._run_of(entry.crawler)
                    run.tally.update(effect.tally)
                    self.outcome.totals.update(
                        {
                            key.removeprefix(STAT_PREFIX): n
                            for key, n in effect.tally.items()
                            if not key.startswith(SITE_PREFIX)
                        }
                    )
                    tallied.add(entry.crawler)
            for crawler in tallied:
                if crawler in self.runs:
                    self.archive.save_crawler_tally(crawler, self.runs[crawler].tally)
            self.archive.mark_ingested(self.stream, ids[-1])
        self.publisher.publish_touched(touched)
        self.publisher.publish_documents(documents)
        self.publisher.publish_hints(hinted)
        if run_state_changed:
            self.publisher.publish_run_state()
        return ids

    def _run_of(self, crawler: str) -> CrawlerRun:
        """The archive run of ``crawler`` (opened here if its start was never seen)."""
        run = self.runs.get(crawler)
        if run is not None:
            return run
        known = self.archive.crawl_of_crawler(crawler)
        if known is not None:
            crawl_id, tally = known
            run = CrawlerRun(crawl_id, Counter(tally))
        else:
            crawl_id = self.archive.start_crawl([], {"frontier_crawler": crawler})
            self.archive.link_crawler(crawler, crawl_id)
            run = CrawlerRun(crawl_id)
        self.runs[crawler] = run
        return run

    def _apply(self, entry: Entry) -> _Effect:
        data = entry.data
        effect = _Effect()
        if entry.kind == entries.START:
            known = entry.crawler in self.runs or self.archive.crawl_of_crawler(entry.crawler)
            if not known:
                crawl_id = self.archive.start_crawl(data["start_urls"], data["args"])
                self.archive.link_crawler(entry.crawler, crawl_id)
                self.runs[entry.crawler] = CrawlerRun(crawl_id)
            return effect
        run = self._run_of(entry.crawler)
        if entry.kind == entries.SIGHTINGS:
            sightings = data["sightings"]
            self.archive.add_sightings(sightings, run.crawl_id)
            effect.count("sightings", len(sightings))
            effect.touched += [s["url"] for s in sightings]
        elif entry.kind == entries.RECORD:
            page = {**data["page"], "body": entry.body or b""}
            result = self.archive.save_item(data["record"], page, run.crawl_id)
            self._count_item(run, effect, result.item_id, result.status, page["url"])
            effect.touched += [page["url"], page.get("final_url") or page["url"]]
        elif entry.kind == entries.UNCHANGED:
            item_id = self.archive.touch_page(data["page"], run.crawl_id)
            if item_id is not None:
                self._count_item(run, effect, item_id, "unchanged", data["page"]["url"])
            effect.touched.append(data["page"]["url"])
        elif entry.kind == entries.ATTACHMENT:
            fetch = dict(data["fetch"])
            if entry.body is not None:
                fetch["body"] = entry.body
            saved = self.archive.attachment_store.save(fetch, data.get("reading"), run.crawl_id)
            effect.count(f"attachments_{saved.status}")
            effect.documents.append(fetch["url"])
        elif entry.kind == entries.ERROR:
            self.archive.record_error(run.crawl_id, data["url"], data.get("status"), data["error"])
            effect.count(f"{data.get('stage', 'fetch')}_errors")
            effect.tally[site_stat(data["url"], "errors")] += 1
        elif entry.kind == entries.HINTS:
            hints = [tuple(hint) for hint in data["hints"]]
            self.archive.record_fetched_hints(hints, run.crawl_id)
            effect.hinted += [url for url, _, _ in hints]
        elif entry.kind == entries.LISTINGS:
            self.archive.record_listings(data["listings"], run.crawl_id)
            effect.run_state_changed = True
        elif entry.kind == entries.END:
            self._finish(run, data)
            self.outcome.runs_finished += 1
            effect.run_state_changed = True
        return effect

    def _count_item(
        self, run: CrawlerRun, effect: _Effect, item_id: int, status: str, url: str
    ) -> None:
        if item_id in run.saved_items:
            effect.count("urls_merged")
            return
        run.saved_items.add(item_id)
        effect.count(f"items_{status}")
        effect.tally[site_stat(url, f"items_{status}")] += 1

    def _finish(self, run: CrawlerRun, data: dict[str, Any]) -> None:
        """Close the crawler's run with its own stats and what the ingester counted."""
        stats: dict[str, Any] = dict(data.get("stats") or {})
        # The crawler counted what it pushed; what reached the archive is the ingester's count.
        for key in WRITTEN_COUNTS:
            stats[STAT_PREFIX + key] = run.tally.get(STAT_PREFIX + key, 0)
        for key in [key for key in stats if key.startswith(SITE_PREFIX)]:
            if key.rsplit("/", 1)[1] in SITE_WRITTEN:
                del stats[key]  # the crawler's own are zero: it wrote nothing
        stats.update({key: n for key, n in run.tally.items() if key.startswith(SITE_PREFIX)})
        self.archive.finish_crawl(
            run.crawl_id,
            finish_reason=str(data.get("reason") or "finished"),
            counts=crawl_counts(stats),
            stats=stats,
        )


@dataclass
class _Effect:
    """What applying one entry did, for the counts and the state to publish."""

    tally: Counter[str] = field(default_factory=Counter)
    touched: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    hinted: list[str] = field(default_factory=list)
    run_state_changed: bool = False

    def count(self, name: str, n: int = 1) -> None:
        self.tally[STAT_PREFIX + name] += n


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
