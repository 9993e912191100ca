"""WARC files on disk: named the usual way, rotated at a size, finalised when closed.

Files are named ``PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz`` (the IIPC convention Heritrix and
warcprox follow: the time the file was opened to the millisecond, a serial number counting the
crawl's files from 00000, the machine's name), and each starts with a ``warcinfo`` record.

Crash safety, the way Heritrix and warcprox do it: a file being written is named
``….warc.gz.open`` and holds an OS lock (``flock``); it is renamed to ``….warc.gz`` once closed
(flushed, fsynced). Every exchange is serialised in memory first, each record a gzip member of
its own, and appended with one write, so that a process killed at any moment leaves an
``.open`` file of complete records followed, at worst, by part of one. A later writer in the
same directory (the next crawl) finishes such files: it takes their lock (so never a file a
live process still writes), cuts the partial record off, and renames them. Pages of the SQLite
archive point at ``….warc.gz`` and a record's offset; :func:`.reader.open_warc` also finds a
file still named ``.open``. A write that fails (disk full) is undone (the file is cut back to
its last whole record) and raises :class:`WarcError`.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from regarchive.archive.errors import WarcError
from regarchive.archive.warc.naming import (
    DEFAULT_MAX_SIZE,
    DEFAULT_PREFIX,
    OPEN_SUFFIX,
    WARC_SUFFIX,
    host_part,
    open_path_of,
    warc_name,
)
from regarchive.archive.warc.records import EarlierRecord, HttpExchange, RecordMaker

logger = logging.getLogger(__name__)

# An empty .open file older than this is the leftover of a process that died between creating
# it and writing its warcinfo; younger, it may be a live writer about to take its lock.
EMPTY_LEFTOVER_SECONDS = 60.0

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class RecordRef:
    """Where a record is: the (final) path of its file and its offset in it."""

    path: Path
    offset: int


class WarcFileWriter:
    """Appends exchanges to WARC files in ``directory``, a new file every ``max_size`` bytes.

    ``info`` are the ``warcinfo`` fields each file starts with (software, start URLs, robots
    policy…). Files are opened on the first write, so a run that fetches nothing leaves none.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        prefix: str = DEFAULT_PREFIX,
        max_size: int = DEFAULT_MAX_SIZE,
        info: Mapping[str, str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.directory = Path(directory).expanduser().resolve()
        self.prefix = prefix
        self.max_size = max_size
        self.info = dict(info or {})
        self.files: list[Path] = []
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._maker = RecordMaker()
        self._host = host_part()
        self._serial = 0
        self._fd: int | None = None
        self._path: Path | None = None
        self._size = 0
        self._recovered = False

    # -- writing ------------------------------------------------------------------------------

    def write_exchange(
        self, exchange: HttpExchange, earlier: EarlierRecord | None = None
    ) -> RecordRef:
        """Append the exchange's records (response or revisit, then request); return where the
        response record is. The file is rotated once it reaches ``max_size``."""
        response, request = self._maker.exchange(exchange, earlier)
        if self._fd is None:
            self._open()
        assert self._path is not None
        offset = self._size
        self._append(response + request)
        ref = RecordRef(self._path, offset)
        if self._size >= self.max_size:
            self._finalise()
        return ref

    def close(self) -> None:
        """Finalise the file being written, if any; calling it twice is harmless."""
        if self._fd is not None:
            self._finalise()

    def _open(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not self._recovered:
                self._recovered = True
                for path in recover_unfinished(self.directory):
                    logger.warning("finished the WARC file %s a killed process left open", path)
            self._create()
            assert self._path is not None
            info = self._maker.warcinfo(self._path.name, self.info)
            self._size = 0
            self._append(info)
        except OSError as error:
            raise WarcError(
                f"cannot write WARC files in {self.directory}: {error.strerror or error}"
            ) from error

    def _create(self) -> None:
        """A new ``.open`` file under the next free name, created and locked."""
        while True:
            path = self.directory / warc_name(self.prefix, self._clock(), self._serial, self._host)
            self._serial += 1
            if path.exists():
                continue
            try:
                fd = os.open(open_path_of(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # a recovery in another process looked at it first
                os.close(fd)
                continue
            self._fd, self._path = fd, path
            return

    def _append(self, data: bytes) -> None:
        assert self._fd is not None and self._path is not None
        start = self._size
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError as error:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, start)  # no partial record left behind
            raise WarcError(
                f"cannot write the WARC file {open_path_of(self._path)}: {error.strerror or error}"
            ) from error
        self._size = start + len(data)

    def _finalise(self) -> None:
        assert self._fd is not None and self._path is not None
        fd, path = self._fd, self._path
        self._fd = self._path = None
        try:
            os.fsync(fd)
            os.rename(open_path_of(path), path)
        except OSError as error:
            raise WarcError(
                f"cannot finish the WARC file {open_path_of(path)}: {error.strerror or error}"
            ) from error
        finally:
            os.close(fd)
        self.files.append(path)


# -- recovery ---------------------------------------------------------------------------------


def recover_unfinished(directory: Path) -> list[Path]:
    """Finish the ``.open`` files of dead writers in ``directory``: cut off a partial last
    record, rename. Files another process still writes (it holds their lock) are left alone.
    Returns the finished files."""
    finished = []
    for open_path in sorted(directory.glob(f"*{WARC_SUFFIX}{OPEN_SUFFIX}")):
        try:
            fd = os.open(open_path, os.O_RDWR)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live writer
            final = open_path.with_name(open_path.name[: -len(OPEN_SUFFIX)])
            stat = os.fstat(fd)
            if stat.st_size == 0:
                if time.time() - stat.st_mtime > EMPTY_LEFTOVER_SECONDS:
                    open_path.unlink()
                continue
            with os.fdopen(os.dup(fd), "rb") as stream:
                end = complete_members_end(stream)
            os.ftruncate(fd, end)
            os.fsync(fd)
            if end == 0:
                open_path.unlink()
                continue
            os.rename(open_path, final)
            finished.append(final)
        finally:
            os.close(fd)
    return finished


def complete_members_end(stream: BinaryIO, chunk: int = 1 << 20) -> int:
    """The offset just after the last complete gzip member of ``stream`` (0 if none).

    Each record is one member, so this is where the last whole record ends.
    """
    end = consumed = 0
    member = zlib.decompressobj(zlib.MAX_WBITS | 16)
    pending = b""
    while True:
        if not pending:
            pending = stream.read(chunk)
            if not pending:
                return end
            consumed += len(pending)
        try:
            member.decompress(pending)
        except zlib.error:
            return end
        if not member.eof:
            pending = b""
            continue
        pending = member.unused_data
        end = consumed - len(pending)
        member = zlib.decompressobj(zlib.MAX_WBITS | 16)
