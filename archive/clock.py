"""Time as the archive writes it: ISO 8601 UTC strings with a ``Z``, to the second.

:func:`utc_now` is the current time as a ``datetime`` (the archive's default clock; tests give
:class:`~regarchive.archive.store.Archive` another), :func:`utc_timestamp` the same as the
archive writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(timezone.utc)


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC with a ``Z``, to the second; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_timestamp() -> str:
    """The current time as the archive writes it (``2026-11-28T10:00:00Z``)."""
    return format_timestamp(utc_now())
