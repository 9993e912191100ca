"""What every subcommand shares: the ``--db`` option, one-line errors, URL checks."""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from archive.errors import ArchiveError
from archive.store import Archive

DB_OPTION = click.option(
    "--db",
    "db_path",
    envvar="REGARCHIVE_DB",
    default="archive.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The archive file (also read from REGARCHIVE_DB).",
)


class ConfigError(click.ClickException):
    """A bad option value, config or archive path: exit code 2, one line, no traceback."""

    exit_code = 2


def check_http_url(url: str) -> str:
    """Refuse anything but an absolute http(s) URL, before any work starts."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.UsageError(
            f"not an http(s) URL: {url!r} (expected e.g. https://example.org/-Regions-)"
        )
    return url


def open_archive(db_path: str, *, create: bool = True) -> Archive:
    """Open the archive or fail with a one-line message (exit code 2)."""
    try:
        return Archive(db_path, create=create)
    except ArchiveError as error:
        raise ConfigError(str(error)) from error
