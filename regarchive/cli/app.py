"""The ``regarchive`` command: a thin shell over the crawler, the extractor and the archive.

Each subcommand lives in :mod:`regarchive.cli.commands`. Exit codes: 0 success; 1 the crawl
finished unhealthy (the reason is printed) or an output could not be written; 2 usage or
configuration error; 75 another crawl holds the archive's lock.
"""

from __future__ import annotations

import sys

import click

from regarchive.cli.commands.attachment import attachment
from regarchive.cli.commands.crawl import crawl
from regarchive.cli.commands.datasette import datasette_metadata_command
from regarchive.cli.commands.demo import demo
from regarchive.cli.commands.export import export
from regarchive.cli.commands.extract import extract
from regarchive.cli.commands.history import history
from regarchive.cli.commands.import_warc import import_warc
from regarchive.cli.commands.ingest import ingest
from regarchive.cli.commands.init import init
from regarchive.cli.commands.listing import list_items
from regarchive.cli.commands.reextract import reextract
from regarchive.cli.commands.search import search
from regarchive.cli.commands.serve import serve
from regarchive.cli.commands.show import show
from regarchive.cli.commands.sites import sites
from regarchive.cli.commands.stats import stats
from regarchive.cli.commands.status import status
from regarchive.cli.stdout import (
    StandardOutputError,
    silence_standard_output,
    watch_standard_output,
)

GLOSSARY = """\b
Words used here:
  SPIP        the publishing system behind many French public-sector sites
              (addresses like spip.php?article12, spip.php?rubrique2, /-Regions-)
  rubric      a section of a site ("Régions"…); its listing page lists its
              articles over several pages; a crawl starts from listing pages
  chapô       an article's introductory paragraph (SPIP often repeats it)
  circulaire  a circular: an official instruction from an administration
  Actu, Circ. the two categories of articles: news and circulars

\b
Start with: regarchive demo (then regarchive demo --serve to crawl the
sample site yourself). The README has every example."""


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=GLOSSARY)
@click.version_option(package_name="regarchive")
def cli() -> None:
    """Crawl French public-affairs rubrics into a deduplicated SQLite archive."""


for command in (
    crawl,
    attachment,
    ingest,
    export,
    extract,
    history,
    status,
    demo,
    search,
    list_items,
    show,
    stats,
    datasette_metadata_command,
    reextract,
    import_warc,
    serve,
    sites,
    init,
):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    watch_standard_output()
    try:
        cli()
    except StandardOutputError as error:
        silence_standard_output()
        click.echo(f"Error: cannot write standard output: {error.strerror}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
