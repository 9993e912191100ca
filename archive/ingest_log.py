"""What ``regarchive ingest`` has committed of a frontier's stream (schema v5).

The ingester writes a batch of stream entries in one transaction, and in that same transaction
moves the stream's mark (:meth:`IngestLog.mark`) to the last entry of the batch: after a crash,
Redis hands the unacknowledged entries back, and those at or below the mark were committed
already. It also keeps, per frontier crawler, the row of its run in ``crawls`` and what it
counted of it, so that a restarted ingester goes on counting where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from regarchive.archive.connection import ArchiveConnection
from regarchive.archive.writes import to_json


def stream_id_key(entry_id: str) -> tuple[int, int]:
    """A Redis stream id (``1718000000000-3``) as something that orders like it."""
    millis, _, seq = entry_id.partition("-")
    return int(millis), int(seq or 0)


class IngestLog:
    """The ``ingested_streams`` and ``ingested_crawlers`` tables."""

    def __init__(self, connection: ArchiveConnection) -> None:
        self._connection = connection

    def last_id(self, stream: str) -> str | None:
        """The last entry of ``stream`` committed to this archive."""
        row = self._connection.query_one(
            "SELECT last_id FROM ingested_streams WHERE stream = ?", (stream,)
        )
        return row["last_id"] if row else None

    def mark(self, stream: str, last_id: str) -> None:
        """``stream`` is committed up to ``last_id`` (in the caller's transaction)."""
        with self._connection.transaction():
            self._connection.db.table("ingested_streams").upsert(
                {"stream": stream, "last_id": last_id, "updated": self._connection.now()},
                pk="stream",
            )

    def crawl_of(self, crawler: str) -> tuple[int, dict[str, Any]] | None:
        """The ``crawls`` row of a frontier crawler's run and its tally, if it has one."""
        row = self._connection.query_one(
            "SELECT crawl_id, tally FROM ingested_crawlers WHERE crawler = ?", (crawler,)
        )
        if row is None:
            return None
        return int(row["crawl_id"]), json.loads(row["tally"] or "{}")

    def link_crawler(self, crawler: str, crawl_id: int) -> None:
        with self._connection.transaction():
            self._connection.db.table("ingested_crawlers").insert(
                {"crawler": crawler, "crawl_id": crawl_id, "tally": "{}"}
            )

    def save_tally(self, crawler: str, tally: Mapping[str, int]) -> None:
        with self._connection.transaction():
            self._connection.db.table("ingested_crawlers").update(
                crawler, {"tally": to_json(dict(tally))}
            )
