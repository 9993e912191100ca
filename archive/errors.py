"""Every error the archive layer raises, as one hierarchy under :class:`ArchiveError`.

Every message is one line meant for the user: what went wrong, with which file, and what to do
next. The CLI prints ``str(error)`` as is, so messages never carry tracebacks or SQL; it chooses
the exit code by class (``ArchiveLockedError`` 75, ``OutputError`` its ``exit_code``, the others
2).

- the archive file: :class:`NotAnArchiveError`, :class:`SchemaTooNewError`,
  :class:`ArchiveMissingError`, :class:`ArchiveBusyError`, :class:`ArchiveLockedError`, and
  :class:`ArchiveError` itself for a file that cannot be opened, read or written;
- what is asked of it: :class:`QueryError` (a search or filter), :class:`ExportError` (an export
  format), :class:`OutputError` (where an export goes), :class:`ChartError` (a chart file).
"""

from __future__ import annotations

from pathlib import Path


class ArchiveError(Exception):
    """The archive file cannot be opened, read or written; the base of every archive error."""

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.path = Path(path) if path is not None else None


# -- the archive file ---------------------------------------------------------------------------


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


class ArchiveLockedError(ArchiveError):
    """Another crawl holds the archive's lock file (:mod:`regarchive.archive.lock`)."""


# -- what is asked of it ------------------------------------------------------------------------


class QueryError(ArchiveError, ValueError):
    """A search query or filter that cannot be run."""


class ExportError(ArchiveError):
    """An export that cannot be written (missing optional dependency, a value the format cannot
    hold…)."""


class OutputError(ArchiveError):
    """The output path cannot be used. ``exit_code`` is 2 for a bad path (usage), 1 for a write
    that failed on the way (disk full, closed pipe)."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ChartError(ArchiveError, ValueError):
    """A chart that cannot be written (unknown file type…)."""


class WarcError(ArchiveError):
    """A WARC file cannot be written or read; the message is one line for the user."""


class NoBodyError(ArchiveError):
    """A stored page kept no body: neither in the archive nor in a WARC file that can be read."""
