"""The base of :class:`regarchive.archive.store.Archive`'s mixins: what they use of it, declared
once.

:class:`ArchiveMixin` only declares, for type checkers, the attributes and methods that
:class:`regarchive.archive.store.Archive` defines and its mixins
(:mod:`regarchive.archive.crawl_state`,
:mod:`regarchive.archive.item_reads`) call; it adds nothing at run time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database


class ArchiveMixin:
    """Declarations of what :class:`regarchive.archive.store.Archive` provides to its mixins."""

    path: Path
    _conn: sqlite3.Connection
    _db: Database

    if TYPE_CHECKING:

        def _now(self) -> str: ...

        def _transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

        def _query_one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None: ...
