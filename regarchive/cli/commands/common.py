"""What every subcommand shares: the ``--db`` option, one-line errors, URL checks."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import click

from regarchive.archive.errors import ArchiveError
from regarchive.archive.store import Archive
from regarchive.scraper.site_config import url_problem

DB_OPTION = click.option(
    "--db",
    "db_path",
    envvar="REGARCHIVE_DB",
    default="archive.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The archive file (also read from REGARCHIVE_DB).",
)


# SQLite's integers are 64-bit: no item id, count or limit goes beyond this.
MAX_SQLITE_INTEGER = 2**63 - 1


def item_key(item: str) -> int | str:
    """How ``show ITEM`` and ``history ITEM`` look an item up: by id when ``item`` is a number
    an id can be, else as a URL (a larger number then names no item, instead of overflowing)."""
    if item.isascii() and item.isdigit() and int(item) <= MAX_SQLITE_INTEGER:
        return int(item)
    return item


class ConfigError(click.ClickException):
    """A bad option value, config or archive path: exit code 2, one line, no traceback."""

    exit_code = 2


def check_http_url(url: str) -> str:
    """Refuse anything but a well-formed absolute http(s) URL, before any work starts (the same
    check as a sites file's start URLs get)."""
    problem = url_problem(url)
    if problem:
        raise ConfigError(f"{url!r}: {problem}")
    return url


def check_host_resolves(url: str) -> None:
    """Refuse a URL whose host name does not exist (a typo, most likely).

    Only a definite "no such name" is refused: a temporary resolver failure (the network is down
    tonight) lets the crawl start, fail and say so, like a site that is down.
    """
    host = urlsplit(url.strip()).hostname or ""
    try:
        socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        if error.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            raise ConfigError(f"cannot resolve host {host!r} (in {url}): check the URL") from None
    except (UnicodeError, OSError):
        raise ConfigError(f"cannot resolve host {host!r} (in {url}): check the URL") from None


def open_archive(db_path: str, *, create: bool = True) -> Archive:
    """Open the archive or fail with a one-line message (exit code 2).

    ``create=False`` is for the commands that only read: when this user cannot write the
    archive or its folder (another user runs the crawl), they open it read-only instead of
    failing on SQLite's first write (setting the journal mode, a migration).
    """
    try:
        return Archive(db_path, create=create, read_only=not create and not writable(db_path))
    except ArchiveError as error:
        raise ConfigError(str(error)) from error


def writable(db_path: str) -> bool:
    """Whether this user may write the archive and create files beside it (SQLite's ``-wal``
    and ``-shm``). Asked of the path (``access``), never by opening the file."""
    path = Path(db_path).expanduser()
    if not path.exists():
        return True  # nothing to read: the archive reports it missing
    folder = path.resolve().parent
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)
