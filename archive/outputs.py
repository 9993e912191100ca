"""Where exports go: files written whole or not at all, never over the archive.

A regular file (or a new path) is written under a unique temporary name in the same folder and
renamed over the target once complete, so a failed or interrupted export leaves the previous
file as it was, and two exports to one path each produce a whole file (the last one wins).
Anything else — a named pipe, ``/dev/stdout``, a terminal, ``/dev/null`` — is written straight
into: renaming over it would replace a device or a pipe with a regular file.

No output may be the archive being read, or one of the files SQLite and the crawl keep beside
it (``-wal``, ``-shm``, ``.lock``), under any name: a symlink or a hard link to them is found by
device and inode.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from regarchive.archive.errors import OutputError

# Files that belong to an archive at PATH, beside PATH itself.
ARCHIVE_COMPANIONS = ("", "-wal", "-shm", "-journal", ".lock")


def check_not_archive(output: str | os.PathLike[str], archive: str | os.PathLike[str]) -> None:
    """Refuse an ``output`` that is the archive, or a file SQLite keeps beside it."""
    target = Path(output).expanduser()
    for suffix in ARCHIVE_COMPANIONS:
        companion = Path(f"{Path(archive).expanduser()}{suffix}")
        if _same_file(target, companion):
            what = "the archive" if not suffix else f"the archive's {suffix.lstrip('-.')} file"
            raise OutputError(
                f"{output} is {what} ({companion}); left untouched, write the export elsewhere"
            )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return os.path.realpath(a) == os.path.realpath(b)


def is_special(path: Path) -> bool:
    """A pipe, a device, a socket: something to write into, never to replace."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextmanager
def atomic_file(path: str | os.PathLike[str], *, binary: bool = False) -> Iterator[IO]:
    """An open file that becomes ``path`` only once the block completes without error."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise OutputError(f"{path} is a folder; give a file path")
    if is_special(target):
        with _open_special(target, binary) as handle:
            yield handle
        return
    with temporary_path(target) as partial:
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        with open(partial, mode, encoding=encoding, newline=None if binary else "") as handle:
            yield handle


@contextmanager
def _open_special(target: Path, binary: bool) -> Iterator[IO]:
    try:
        handle = open(target, "wb" if binary else "w", encoding=None if binary else "utf-8")  # noqa: SIM115
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from error
    with handle:
        yield handle


@contextmanager
def temporary_path(target: Path, *, folder: bool = False) -> Iterator[Path]:
    """A unique new path beside ``target`` (a file, or a folder), moved over ``target`` once
    the block completes, removed if it fails. The user's own files are never touched: the name
    is chosen by :mod:`tempfile` and starts with a dot."""
    parent = target.parent
    try:
        prefix, suffix = f".{target.name}.", ".part"
        if folder:
            parent.mkdir(parents=True, exist_ok=True)  # a data package may start a new tree
            partial = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=parent))
        else:
            fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=parent)
            os.close(fd)
            partial = Path(name)
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from error
    try:
        _chmod_like_a_new_file(partial, folder=folder)
        yield partial  # what the block raises is the caller's to report
        try:
            _move_into_place(partial, target, folder=folder)
        except OSError as error:
            raise write_failed(target, error) from error
    finally:
        _remove(partial)


def write_failed(target: Path | str, error: OSError) -> OutputError:
    """The one-line error for a write that failed once started (exit code 1)."""
    reason = error.strerror or str(error)
    if error.errno == errno.ENOSPC:
        reason = "no space left on the device"
    return OutputError(f"cannot write {target}: {reason}; nothing was replaced", exit_code=1)


def _chmod_like_a_new_file(path: Path, *, folder: bool) -> None:
    """mkstemp/mkdtemp create private (0600/0700) entries; an export is published, so it gets
    the permissions a plain ``open`` would give under the user's umask."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod((0o777 if folder else 0o666) & ~umask)


def _move_into_place(partial: Path, target: Path, *, folder: bool) -> None:
    """Rename ``partial`` over ``target``; a folder being replaced is moved aside first (a
    directory cannot be renamed over a non-empty one) and removed once the new one is in
    place."""
    if not folder or not target.exists():
        partial.replace(target)
        return
    previous = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    previous.rmdir()
    target.replace(previous)
    try:
        partial.replace(target)
    except OSError:
        previous.replace(target)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
