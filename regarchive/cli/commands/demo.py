"""``regarchive demo``: the bundled sample site, served on loopback and crawled for real."""

from __future__ import annotations

import sys

import click

from regarchive.cli.commands.common import DB_OPTION, open_archive
from regarchive.cli.commands.crawl import check_archive, checked_settings, hold_lock, run_and_report

# The sample site runs on this machine: no need to spare it, so the demo skips the delays
# that protect real servers (everything else, robots.txt included, stays as in a real crawl).
LOOPBACK_SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}


@click.command()
@DB_OPTION
@click.option(
    "--articles",
    default=36,
    show_default=True,
    type=click.IntRange(12, 100_000),
    help="How many articles the sample site has.",
)
def demo(db_path: str, articles: int) -> None:
    """Serve the bundled sample site on 127.0.0.1 and crawl it into the archive."""
    from regarchive.demo.server import SiteServer
    from regarchive.demo.site import build_site, pdf_reference

    settings = checked_settings(db_path, LOOPBACK_SETTINGS)
    check_archive(db_path)
    with (
        hold_lock(db_path),
        SiteServer(lambda base_url: build_site(base_url, articles=articles)) as server,
    ):
        start_urls = sorted(server.site.rubrics.values())
        with_pdf = server.site.traps["pdf"]
        click.echo(f"Sample site served at {server.base_url}; crawling {len(start_urls)} rubrics…")
        code = run_and_report(start_urls, db_path, settings)
    with open_archive(db_path, create=False) as archive:
        total = archive.item_count()
    click.echo(
        f"\nThe archive {db_path} now holds {total} items. Try next:\n"
        f"  regarchive search apprentissage --db {db_path}\n"
        + (
            f"  regarchive search {pdf_reference(with_pdf[0])} --db {db_path}"
            "   # a word only its attached PDF holds\n"
            if with_pdf
            else ""
        )
        + f"  regarchive list --category Circ. --rubric Régions --db {db_path}\n"
        f"  regarchive stats --db {db_path}\n"
        f"  regarchive status --db {db_path}\n"
        f"  regarchive export --db {db_path} --format csv -o items.csv\n"
        f'  sqlite-utils {db_path} "select title, category, published from items limit 5" --table'
    )
    sys.exit(code)
