"""Errors raised by the archive.

Every message is one line meant for the user: what went wrong, with which file, and what to do
next. The CLI prints ``str(error)`` as is, so messages never carry tracebacks or SQL.
"""

from __future__ import annotations

from pathlib import Path


class ArchiveError(Exception):
    """The archive file cannot be opened, read or written."""

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.path = Path(path) if path is not None else None


class NotAnArchiveError(ArchiveError):
    """The file exists but is not SQLite, or is an SQLite database of some other application.

    The file is never written to: a mistyped ``--db`` must not damage someone else's data.
    """


class SchemaTooNewError(ArchiveError):
    """The archive was written by a newer regarchive, whose schema this version does not know."""


class ArchiveMissingError(ArchiveError):
    """The archive was opened without ``create`` and the file does not exist."""


class ArchiveBusyError(ArchiveError):
    """Another process held the archive's write lock for longer than the busy timeout."""
