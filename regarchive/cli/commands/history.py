"""``regarchive history``: how an item changed, version by version, as readable diffs."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterator
from typing import Any

import click

from regarchive.cli.commands.common import DB_OPTION, ConfigError, item_key, open_archive
from regarchive.cli.terminal import printable


def text_diff(
    before: dict[str, Any], after: dict[str, Any], before_name: str, after_name: str
) -> Iterator[str]:
    """The changes from one state to the next: title line, then a paragraph-level diff."""
    if before.get("title") != after.get("title"):
        yield f"title: {before.get('title')!r} → {after.get('title')!r}"
    if before.get("updated") != after.get("updated"):
        yield f"updated: {before.get('updated')} → {after.get('updated')}"
    yield from difflib.unified_diff(
        (before.get("text") or "").splitlines(),
        (after.get("text") or "").splitlines(),
        fromfile=before_name,
        tofile=after_name,
        lineterm="",
        n=1,
    )


def attachment_changes(documents: list[dict[str, Any]]) -> list[str]:
    """One line per earlier content of an attached document: where, until when, what
    replaced it (its bytes stay stored: regarchive attachment get SHA256)."""
    if not documents:
        return []
    lines = [f"  {len(documents)} earlier attachment content(s), kept:"]
    for old in documents:
        count = old["pages"]
        pages = f", {count} page{'s' if count != 1 else ''}" if count is not None else ""
        lines.append(
            f"    {old['url']}: sha256 {old['sha256'][:16]} ({old['size']} bytes{pages}), "
            f"seen until {old['seen_at']}, then replaced by {str(old['replaced_by'])[:16]}"
        )
    return lines


@click.command()
@click.argument("item")
@DB_OPTION
def history(item: str, db_path: str) -> None:
    """Show the versions of an item (by id or URL) and what changed between them, the
    earlier contents of the documents it links included."""
    with open_archive(db_path, create=False) as archive:
        record = archive.record(item_key(item))
        if record is None:
            raise ConfigError(f"no item {item!r} in {db_path}")
        versions = archive.versions(record["id"])
        documents = archive.attachment_store.versions_of_item(record["id"])
    click.echo(printable(f"Item {record['id']}: {record['title']}"))
    click.echo(printable(f"  {record['url']}"))
    click.echo(
        f"  first seen {record['first_seen']}, last seen {record['last_seen']}, "
        f"published {record['published'] or '?'}, updated {record['updated'] or '-'}"
    )
    for line in attachment_changes(documents):
        click.echo(printable(line))
    if not versions:
        click.echo("  no earlier version: the item has not changed since it was archived")
        return
    click.echo(f"  {len(versions)} earlier version(s)")
    states = [*versions, record]
    names = [f"version {number}" for number in range(1, len(versions) + 1)] + ["current"]
    for index, (before, after) in enumerate(itertools.pairwise(states)):
        click.echo(f"\n{names[index]} (seen until {before['seen_at']}) → {names[index + 1]}:")
        for line in text_diff(before, after, names[index], names[index + 1]):
            click.echo(printable(f"  {line}", keep="\t"))
