"""``regarchive serve``: the archive in the browser, read-only, on this machine by default."""

from __future__ import annotations

import click

from regarchive.archive.errors import ArchiveError
from regarchive.archive.store import Archive
from regarchive.cli.commands.common import DB_OPTION, ConfigError

DEFAULT_PORT = 8001


@click.command(short_help="Browse the archive in a web page.")
@DB_OPTION
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on. Anything but loopback lets other machines read the archive.",
)
@click.option(
    "--port",
    "-p",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="The port to listen on; 0 picks a free one.",
)
@click.option(
    "--allow-sql",
    is_flag=True,
    help="Add a page that runs any read-only SQL statement a visitor types.",
)
def serve(db_path: str, host: str, port: int, allow_sql: bool) -> None:
    """Browse the archive in a web page: search, facets, items, downloads. Read-only."""
    from regarchive.serve.server import (
        ServeError,
        build_app,
        create_server,
        is_loopback,
        server_url,
    )

    try:
        # Opened once here so that a missing, foreign or outdated archive is one line now,
        # not an error page later.
        Archive(db_path, create=False, read_only=True).close()
    except ArchiveError as error:
        raise ConfigError(str(error)) from error
    if not is_loopback(host):
        click.echo(
            f"WARNING: listening on {host}: anyone who can reach this machine can read the "
            "whole archive, without a password; the default, 127.0.0.1, keeps it to this machine",
            err=True,
        )
    app = build_app(db_path, host=host, allow_sql=allow_sql)
    try:
        server = create_server(app, host, port)
    except ServeError as error:
        raise ConfigError(f"{error}; choose another with --port or --host") from error
    url = server_url(server, host)
    click.echo(f"Serving {db_path} read-only at {url} (Ctrl-C to stop)")
    if allow_sql:
        click.echo(f"Read-only SQL statements at {url}sql")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
