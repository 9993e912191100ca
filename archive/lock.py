"""One writer per archive: an OS lock (``fcntl.flock``) on ``<archive>.lock``.

The kernel drops the lock when its process dies, however it dies, so a crawl killed with
``kill -9`` never blocks the next one; the file's content (pid and command) names the holder in
the message a second crawl prints, and tells ``status`` a running crawl from an interrupted one.

The file exists only while a crawl runs: its holder deletes it before letting go of the lock.
That is safe because whoever takes the lock then checks that the file it locked is still the
one at that path (same inode); one that opened the file just before it was deleted finds
otherwise and starts again with a new file. A crawl killed with ``kill -9`` leaves the file
behind, harmlessly: the next crawl takes it over.
"""

from __future__ import annotations

import fcntl
import os
import re
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
        while True:
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
                os.close(fd)
                raise ArchiveLockedError(
                    f"{Path(self.path).with_suffix('')} is being written by "
                    f"{holder or 'another process'}; try again when it has finished"
                ) from None
            if self._still_at_path(fd):
                break
            os.close(fd)  # deleted by the holder we waited for: lock the new file instead
        os.ftruncate(fd, 0)
        command = " ".join(sys.argv[:3])
        os.pwrite(fd, f"pid {os.getpid()} ({command})\n".encode(), 0)
        self._fd = fd

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise ArchiveError(
                f"cannot create the lock file {self.path}: {error.strerror}"
            ) from error

    def _still_at_path(self, fd: int) -> bool:
        try:
            at_path = os.stat(self.path)
        except FileNotFoundError:
            return False
        locked = os.fstat(fd)
        return (at_path.st_dev, at_path.st_ino) == (locked.st_dev, locked.st_ino)

    def release(self) -> None:
        if self._fd is not None:
            # Deleted while still held: nobody can lock this file any more (see the module
            # docstring), and no empty lock file lingers beside the archive.
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
            except OSError:  # a read-only folder: leave an empty file, as before
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


def lock_holder(db_path: str | os.PathLike[str]) -> tuple[int, str] | None:
    """``(pid, description)`` of the live process that holds the archive's lock, or None.

    Read from the lock file without locking it (a reader must never make a starting crawl
    exit 75): a file naming a process that is gone was left by a crawl that was killed.
    """
    try:
        text = lock_path(db_path).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    match = re.match(r"pid (\d+)", text)
    if match is None:
        return None
    pid = int(match.group(1))
    try:
        os.kill(pid, 0)  # signal 0: is it there? (nothing is sent)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, owned by another user
        pass
    if _zombie(pid):
        return None
    return pid, text


def _zombie(pid: int) -> bool:
    """Dead but not yet reaped by its parent (Linux; elsewhere, taken for alive)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]
