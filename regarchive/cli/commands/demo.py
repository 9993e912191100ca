"""``regarchive demo``: the bundled sample site, served on loopback and crawled for real.

The site is served at a fixed address (``http://127.0.0.1:8377`` unless ``--port`` says
otherwise) so that a second demo finds the same URLs and updates the same items instead of
archiving them again as another site. When that address already serves the sample site (a
``regarchive demo --serve`` in another terminal), the demo crawls it there. ``--serve`` keeps
the site up after the crawl, for trying ``regarchive crawl`` on it.
"""

from __future__ import annotations

import errno
import signal
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from regarchive.cli.commands.common import DB_OPTION, ConfigError, open_archive
from regarchive.cli.commands.crawl import (
    check_archive,
    checked_settings,
    discard_empty_archive,
    hold_lock,
    run_and_report,
)
from regarchive.cli.commands.output import counted

# The sample site runs on this machine: no need to spare it, so the demo skips the delays
# that protect real servers (everything else, robots.txt included, stays as in a real crawl).
LOOPBACK_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}

HOST = "127.0.0.1"
# Unassigned by IANA and free on most machines; the items' URLs (and so their identity in the
# archive) carry it, which is why it is fixed rather than whatever port is free.
DEFAULT_PORT = 8377


def serves_sample_site(base_url: str) -> bool:
    """Whether ``base_url`` answers with the sample site's home page."""
    from regarchive.demo.content import SITE_NAME

    try:
        with urllib.request.urlopen(base_url + "/", timeout=2) as response:  # noqa: S310
            return SITE_NAME.encode() in response.read(200_000)
    except OSError:
        return False


@contextmanager
def sample_site(port: int, articles: int, *, port_given: bool) -> Iterator[tuple[Any, str]]:
    """``(server or None, base_url)``: the sample site served at ``port``, or the one already
    served there; another free port (with a note) when ``port`` is taken by something else."""
    from regarchive.demo.server import SiteServer
    from regarchive.demo.site import build_site

    def builder(base_url: str) -> Any:
        return build_site(base_url, articles=articles)

    base_url = f"http://{HOST}:{port}"
    server = SiteServer(builder, host=HOST, port=port)
    try:
        server.start()
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise ConfigError(f"cannot serve the sample site at {base_url}: {error}") from None
        if serves_sample_site(base_url):
            click.echo(f"The sample site is already served at {base_url}; crawling it there.")
            yield None, base_url
            return
        if port_given:
            raise ConfigError(
                f"port {port} is taken by another program; choose another with --port"
            ) from None
        server = SiteServer(builder, host=HOST, port=0).start()
        click.echo(
            f"Port {port} is taken by another program: serving the sample site at "
            f"{server.base_url} instead (its items are archived as another site).",
            err=True,
        )
    try:
        yield server, server.base_url
    finally:
        server.stop()


def rubric_urls(base_url: str) -> list[str]:
    from regarchive.demo.content import RUBRICS

    return sorted(base_url + rubric.path for rubric in RUBRICS)


@click.command(short_help="Crawl the bundled sample site (offline).")
@DB_OPTION
@click.option(
    "--articles",
    default=36,
    show_default=True,
    type=click.IntRange(12, 100_000),
    help="How many articles the sample site has.",
)
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    envvar="REGARCHIVE_DEMO_PORT",
    type=click.IntRange(1, 65535),
    help="Serve the sample site on this port of 127.0.0.1 (also read from REGARCHIVE_DEMO_PORT).",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Keep the sample site up after the crawl (until Ctrl-C), to crawl it yourself.",
)
def demo(db_path: str, articles: int, port: int, serve: bool) -> None:
    """Serve the bundled sample site on 127.0.0.1 and crawl it into the archive.

    The site keeps the same address from one demo to the next, so running the demo again
    updates the same items. With --serve it stays up afterwards: try
    regarchive crawl http://127.0.0.1:8377/-Regions- in another terminal.
    """
    settings = checked_settings(db_path, LOOPBACK_SETTINGS)
    # Only a port typed on the command line must be that one; the default (or the
    # environment's) gives way to a free port when another program holds it.
    port_given = (
        click.get_current_context().get_parameter_source("port")
        == click.core.ParameterSource.COMMANDLINE
    )
    new_archive = not _exists(db_path)
    with sample_site(port, articles, port_given=port_given) as (server, base_url):
        check_archive(db_path)
        start_urls = rubric_urls(base_url)
        if server is not None:
            click.echo(f"Sample site served at {base_url}; crawling its {len(start_urls)} rubrics…")
        with hold_lock(db_path):
            code = run_and_report(start_urls, db_path, settings)
            if code and new_archive:
                discard_empty_archive(db_path)
        if code == 0:
            print_next_steps(
                db_path,
                base_url,
                serving=serve and server is not None,
                pdf_word=pdf_word(server.site if server else None, base_url, articles),
            )
        if serve and server is not None and code == 0:
            keep_serving(base_url)
    sys.exit(code)


def _exists(db_path: str) -> bool:
    from pathlib import Path

    return Path(db_path).expanduser().exists()


def pdf_word(site: Any, base_url: str, articles: int) -> str | None:
    """A word that only an article's attached PDF holds, to show that search finds it."""
    from regarchive.demo.site import build_site, pdf_reference

    # The sample site is the same for the same size: one served elsewhere is rebuilt here.
    site = site if site is not None else build_site(base_url, articles=articles)
    with_pdf = site.traps.get("pdf")
    return pdf_reference(with_pdf[0]) if with_pdf else None


def print_next_steps(
    db_path: str, base_url: str, *, serving: bool, pdf_word: str | None = None
) -> None:
    with open_archive(db_path, create=False) as archive:
        total = archive.item_count()
    db = "" if db_path == "archive.db" else f" --db {db_path}"
    in_pdf = (
        f"  regarchive search {pdf_word}{db}   # a word only its attached PDF holds\n"
        if pdf_word
        else ""
    )
    click.echo(
        f"\nThe archive {db_path} now holds {counted(total, 'item')}. Try next:\n"
        f"  regarchive search apprentissage{db}\n"
        f"{in_pdf}"
        f"  regarchive list --category Circ. --rubric Régions{db}\n"
        f"  regarchive stats{db}\n"
        f"  regarchive show 1{db}\n"
        f"  regarchive export{db} --format csv -o items.csv\n"
        'The README\'s "Query and publish" section has more.'
    )
    if not serving:
        click.echo(
            "To crawl the sample site yourself, keep it up with: regarchive demo --serve"
            + ("" if db_path == "archive.db" else f" --db {db_path}")
        )


def keep_serving(base_url: str) -> None:
    """Serve until Ctrl-C (or SIGTERM), saying how to use the site meanwhile."""
    click.echo(
        f"\nThe sample site stays up at {base_url} until you press Ctrl-C. "
        "In another terminal, try:\n"
        f"  regarchive crawl {base_url}/-Regions- {base_url}/spip.php?rubrique2"
    )
    # The crawl left Scrapy's handlers in place, which would only ask a stopped reactor to stop.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("\nSample site stopped.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
