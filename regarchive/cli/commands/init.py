"""``regarchive init URL``: look at a new site and print a ``[[site]]`` table for it.

A handful of requests (robots.txt, the page, SPIP's site map, a sitemap, a feed, one article),
then a table ready to paste into a sites file, with what was found and what could not be worked
out as comments. Exit code 1 when the site could not be looked at (the reason in one line).
"""

from __future__ import annotations

import sys

import click

from regarchive.cli.commands.common import check_host_resolves, check_http_url


@click.command(short_help="Print a [[site]] table for a new site.")
@click.argument("url")
def init(url: str) -> None:
    """Look at a new site (a handful of requests) and print a [[site]] table for a sites file."""
    from regarchive.scraper.settings import USER_AGENT
    from regarchive.scraper.site_survey import SurveyError, http_fetcher, site_block, survey

    check_http_url(url)
    check_host_resolves(url)
    try:
        found = survey(url, http_fetcher(USER_AGENT), user_agent=USER_AGENT)
    except SurveyError as error:
        click.echo(f"regarchive: {error}", err=True)
        sys.exit(1)
    click.echo(site_block(found), nl=False)
