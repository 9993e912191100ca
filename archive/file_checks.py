"""Checks on the archive's path, with plain I/O, before SQLite opens or creates the file.

:class:`archive.store.Archive` calls :func:`check_file` first when it opens an archive, so that
a directory, a file that is not SQLite, a missing archive or an unwritable directory is refused
with a readable message, and the file is left untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

from archive.errors import ArchiveError, ArchiveMissingError, NotAnArchiveError

SQLITE_HEADER = b"SQLite format 3\x00"


def check_file(path: Path, *, create: bool) -> None:
    """Look at the file with plain I/O before SQLite touches it."""
    if path.is_dir():
        raise ArchiveError(f"{path} is a directory, not an archive file; give a file path", path)
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise ArchiveError(
                f"cannot read archive {path}: {exc.strerror}; check its permissions", path
            ) from exc
        # An empty file is what mkstemp or `touch` leave: SQLite treats it as a new database.
        if header and header != SQLITE_HEADER:
            raise NotAnArchiveError(
                f"{path} is not an SQLite file; left untouched, choose another archive file", path
            )
        return
    if not create:
        raise ArchiveMissingError(
            f"no archive at {path}; check the path (--db / REGARCHIVE_DB) or run a crawl first",
            path,
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(
            f"cannot create archive {path}: {exc.strerror}; choose a writable directory", path
        ) from exc
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise ArchiveError(
            f"cannot create archive {path}: directory {path.parent} is not writable; "
            "choose a writable directory",
            path,
        )
