"""``regarchive extract``: what the extractor makes of one page, saved or archived.

A saved page (``FILE --url URL``) needs no database. With ``--db``, the record is compared with
the item archived at that URL; and ``SOURCE`` may then be an archived item (its id or one of its
URLs): its page as last fetched is extracted again, which shows what the current extractor would
change in the archive.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from regarchive.cli.commands.common import ConfigError, check_http_url, open_archive
from regarchive.cli.commands.show import fetched_page, find_record

# What is compared with the archived item: what the page alone decides (rubrics also come from
# the listings an item was seen on, and URLs from every address it was found at).
COMPARED = ("title", "category", "source", "published", "updated", "lang", "text")
# Taken from a listing's label ("Actu - …") when the page itself says nothing: no difference.
FROM_LISTINGS_TOO = frozenset({"category"})


def differences(archived: Mapping[str, Any], extracted: Mapping[str, Any]) -> list[str]:
    """One line per compared field whose value differs, archived value first."""
    lines = []
    for name in COMPARED:
        before, after = archived.get(name), extracted.get(name)
        if before == after or (after is None and name in FROM_LISTINGS_TOO):
            continue
        if name == "text":
            lines.append(f"  text: {len(before or '')} characters archived, {len(after or '')} now")
        else:
            lines.append(f"  {name}: {before!r} archived, {after!r} now")
    return lines


@click.command(short_help="Print the record made of one page, as JSON.")
@click.argument("source")
@click.option("--url", default=None, help="The URL the saved page was fetched from.")
@click.option(
    "--content-type",
    default=None,
    help="The HTTP Content-Type header, when the charset is only given there.",
)
@click.option(
    "--db",
    "db_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Compare with the item archived there; SOURCE may then be an archived item's id or URL.",
)
def extract(source: str, url: str | None, content_type: str | None, db_path: str | None) -> None:
    """Print, as JSON, the record the extractor makes of one page.

    SOURCE is a saved HTML file (give --url), or with --db an archived item (id or URL) whose
    page, as last fetched, is extracted again. With --db, what differs from the archived item
    is said on stderr.
    """
    from regarchive.pipelines.extraction.core import extract_record

    file = Path(source)
    archived: dict[str, Any] | None = None
    if file.is_file():
        if url is None:
            raise click.UsageError("give the URL the page was fetched from with --url")
        check_http_url(url)
        body = file.read_bytes()
        if db_path is not None:
            with open_archive(db_path, create=False) as archive:
                archived = find_record(archive, url)
            if archived is None:
                click.echo(f"regarchive: no item archived at {url} in {db_path}", err=True)
    elif db_path is None:
        raise ConfigError(
            f"no file {source!r}; to extract an archived item again, add --db ARCHIVE"
        )
    else:
        with open_archive(db_path, create=False) as archive:
            archived = find_record(archive, source)
            if archived is None:
                raise ConfigError(f"no file and no archived item {source!r} in {db_path}")
            page = fetched_page(archive, archived)
        if page is None:
            raise ConfigError(f"no fetched page kept for item {archived['id']} in {db_path}")
        body, url = page.body, page.url
        content_type = content_type or page.content_type
    record = extract_record(body, url, content_type=content_type)
    record.pop("content_hash", None)
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    if archived is not None:
        changed = differences(archived, record)
        where = f"item {archived['id']} in {db_path}"
        if changed:
            click.echo(f"regarchive: differs from {where}:", err=True)
            for line in changed:
                click.echo(line, err=True)
        else:
            click.echo(f"regarchive: the same as {where}", err=True)
