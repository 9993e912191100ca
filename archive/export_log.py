"""What named exports have covered, so that the next one writes only what changed since.

Every change to an item's export record gives it a new number (``item_changes``, kept by
triggers: see :mod:`regarchive.archive.schema`); :class:`ExportLog` reads the latest number and
remembers, per export name, the number an export went up to (``exports``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from regarchive.archive.connection import ArchiveConnection
from regarchive.archive.writes import to_json


class ExportLog:
    """The change numbers of items and the ``exports`` recorded against them."""

    def __init__(self, connection: ArchiveConnection) -> None:
        self._connection = connection

    def change_mark(self) -> int:
        """The number of the archive's latest item change (0 for an empty archive); items
        changed later get higher numbers."""
        row = self._connection.query_one("SELECT coalesce(max(seq), 0) AS mark FROM item_changes")
        return int(row["mark"]) if row is not None else 0

    def last(self, name: str) -> dict[str, Any] | None:
        """The latest export recorded under ``name``, or None: ``id``, ``name``,
        ``exported_at``, ``mark``, ``items``, ``format``, ``output``, ``filters`` (decoded)."""
        row = self._connection.query_one(
            "SELECT * FROM exports WHERE name = ? ORDER BY id DESC LIMIT 1", (name,)
        )
        if row is None:
            return None
        return {**row, "filters": json.loads(row["filters"])}

    def record(
        self,
        name: str,
        *,
        mark: int,
        items: int,
        fmt: str,
        output: str | None,
        filters: Mapping[str, Any],
    ) -> int:
        """Remember that export ``name`` has written everything up to change ``mark``."""
        row = {
            "name": name,
            "exported_at": self._connection.now(),
            "mark": int(mark),
            "items": int(items),
            "format": fmt,
            "output": output,
            "filters": to_json(dict(filters)),
        }
        with self._connection.transaction():
            exports = self._connection.db.table("exports").insert(row)
        return int(exports.last_pk)
