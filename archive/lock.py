"""One writer per archive: an OS lock (``fcntl.flock``) on ``<archive>.lock``.

The kernel drops the lock when its process dies, however it dies, so a crawl killed with
``kill -9`` never blocks the next one; the file's content (pid and command) only serves to name
the holder in the message a second crawl prints.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path
from types import TracebackType

from regarchive.archive.errors import ArchiveError, ArchiveLockedError


def lock_path(db_path: str | os.PathLike[str]) -> Path:
    """``<archive>.lock`` beside the real file: every path to one archive (a symlink, a
    relative path, ``..``) names the same lock."""
    path = Path(db_path).expanduser().resolve()
    return path.with_name(path.name + ".lock")


class ArchiveLock:
    """Hold the write lock of an archive for the duration of a ``with`` block."""

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        self.path = lock_path(db_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock at once or raise :class:`ArchiveLockedError` naming the holder."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise ArchiveError(
                f"cannot create the lock file {self.path}: {error.strerror}"
            ) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another process"
            os.close(fd)
            raise ArchiveLockedError(
                f"{Path(self.path).with_suffix('')} is being written by {holder}; "
                "try again when it has finished"
            ) from None
        os.ftruncate(fd, 0)
        command = " ".join(sys.argv[:3])
        os.pwrite(fd, f"pid {os.getpid()} ({command})\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ArchiveLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
