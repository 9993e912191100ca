"""``regarchive sites check FILE``: a sites file checked as a crawl would read it.

Every problem is one line, ``FILE:LINE: what is wrong; what to write instead``, on stderr, and
the exit code is 2 (a usage/configuration error), as for ``crawl --config`` with the same file,
which stops there before any request.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from regarchive.scraper.site_config import SiteConfig

EXIT_CONFIG = 2


def load_sites_or_exit(path: str) -> list[SiteConfig]:
    """The checked sites of ``path``; on any problem, print them one per line and exit 2."""
    from regarchive.scraper.site_config import SiteConfigError, load_sites

    try:
        return load_sites(path)
    except SiteConfigError as error:
        for problem in error.problems:
            click.echo(f"Error: {problem}", err=True)
        sys.exit(EXIT_CONFIG)


@click.group(short_help="Check a sites file (sites check FILE).")
def sites() -> None:
    """Work with a sites file (the TOML file ``crawl --config`` reads)."""


@sites.command()
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False))
def check(path: str) -> None:
    """Check a sites file: unknown keys, bad values and URLs, invalid selectors, duplicates."""
    checked = load_sites_or_exit(path)
    urls = sum(len(site.start_urls) for site in checked)
    names = ", ".join(site.name for site in checked)
    plural = "s" if len(checked) > 1 else ""
    click.echo(f"{path}: {len(checked)} site{plural} ({names}), {urls} start URLs: ok")
