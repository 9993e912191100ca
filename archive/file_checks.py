"""Checks on the archive's path, before SQLite opens or creates the file.

:class:`regarchive.archive.store.Archive` calls :func:`check_file` first when it opens an archive,
so that a directory, a missing archive or an unwritable directory is refused with a readable
message.

These checks only look at the path (``stat``, ``access``): they never open the file. Closing any
descriptor of a file drops every POSIX lock the process holds on it, SQLite's included, so a
process that opened and closed the database while another of its connections was open would
let a reader elsewhere take it for the last connection, checkpoint and delete the WAL that is
still being written ("How To Corrupt An SQLite Database File", section 2.2). Whether an
existing file is SQLite, and ours, is asked of SQLite itself (``Archive._check_identity``).
"""

from __future__ import annotations

import os
from pathlib import Path

from regarchive.archive.errors import ArchiveError, ArchiveMissingError


def check_file(path: Path, *, create: bool) -> None:
    """Look at the path (never into the file) before SQLite touches it."""
    if path.is_dir():
        raise ArchiveError(f"{path} is a directory, not an archive file; give a file path", path)
    if path.exists():
        if not path.is_file():
            # A named pipe would make SQLite's open() wait for a writer for ever; a device or a
            # socket is no archive either.
            raise ArchiveError(
                f"{path} is not a regular file ({_kind(path)}); give an archive file path", path
            )
        if not os.access(path, os.R_OK):
            raise ArchiveError(f"cannot read archive {path}: permission denied", path)
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


def _kind(path: Path) -> str:
    if path.is_fifo():
        return "a named pipe"
    if path.is_char_device() or path.is_block_device():
        return "a device"
    if path.is_socket():
        return "a socket"
    return "not a file"
