"""``regarchive ingest``: the one writer of an archive fed by frontier crawlers."""

from __future__ import annotations

import signal
import sys

import click

from regarchive.archive.errors import ArchiveError
from regarchive.cli.commands.common import DB_OPTION, ConfigError
from regarchive.cli.commands.crawl import EXIT_LOCKED, check_archive, hold_lock


@click.command(short_help="Write what frontier crawlers push (one writer).")
@click.option(
    "--frontier",
    metavar="REDIS_URL",
    required=True,
    help="The frontier's Redis server (redis://HOST:PORT/N), as given to the crawlers.",
)
@DB_OPTION
@click.option(
    "--until-idle",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Exit once no crawler is alive and nothing is queued or waiting for this long "
    "(default: run until stopped).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def ingest(frontier: str, db_path: str, until_idle: float | None, quiet: bool) -> None:
    """Write what frontier crawlers (`crawl --frontier`) push into the archive.

    Holds the archive's lock like a crawl. Each entry is acknowledged only once committed: a
    killed ingester, restarted, loses and doubles nothing. Also publishes to Redis what the
    crawlers need to know of the archive (known pages, validators, failed pages).
    """
    from redis import RedisError

    from regarchive.scraper.frontier.connection import FrontierError, check_frontier_url, connect
    from regarchive.scraper.frontier.frontier import Frontier
    from regarchive.scraper.frontier.ingester import Ingester
    from regarchive.scraper.logs import configure_logging

    try:
        check_frontier_url(frontier)
    except FrontierError as error:
        raise ConfigError(str(error)) from None
    try:
        client = connect(frontier)
    except FrontierError as error:
        click.echo(f"regarchive: {error}", err=True)
        sys.exit(EXIT_LOCKED)  # try again later: the server is not up yet
    client.close()
    check_archive(db_path)
    stop: list[bool] = []
    with hold_lock(db_path):
        from regarchive.archive.store import Archive

        configure_logging(verbose=False)
        client = connect(frontier)
        previous = {
            # Finish the batch in hand (it is acknowledged once committed), then stop.
            signum: signal.signal(signum, lambda *_: stop.append(True))
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            with Archive(db_path) as archive:
                outcome = Ingester(Frontier(client), archive).run(
                    until_idle, stopping=lambda: bool(stop)
                )
        except ArchiveError as error:
            click.echo(
                f"regarchive: {error}; stopped, nothing lost (the rest waits in the frontier)",
                err=True,
            )
            sys.exit(1)
        except (FrontierError, RedisError) as error:
            click.echo(
                f"regarchive: the frontier failed: {error}; stopped, nothing lost "
                "(what was not committed stays in the frontier)",
                err=True,
            )
            sys.exit(1)
        finally:
            client.close()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    if not quiet:
        click.echo(outcome.summary(db_path))
