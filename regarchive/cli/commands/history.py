"""``regarchive history``: how an item changed, version by version, as readable diffs."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterator
from typing import Any

import click

from regarchive.cli.commands.common import DB_OPTION, ConfigError, open_archive


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


@click.command()
@click.argument("item")
@DB_OPTION
def history(item: str, db_path: str) -> None:
    """Show the versions of an item (by id or URL) and what changed between them."""
    with open_archive(db_path, create=False) as archive:
        record = archive.record(int(item) if item.isdigit() else item)
        if record is None:
            raise ConfigError(f"no item {item!r} in {db_path}")
        versions = archive.versions(record["id"])
    click.echo(f"Item {record['id']}: {record['title']}")
    click.echo(f"  {record['url']}")
    click.echo(
        f"  first seen {record['first_seen']}, last seen {record['last_seen']}, "
        f"published {record['published'] or '?'}, updated {record['updated'] or '-'}"
    )
    if not versions:
        click.echo("  no earlier version: the item has not changed since it was archived")
        return
    click.echo(f"  {len(versions)} earlier version(s)")
    states = [*versions, record]
    names = [f"version {number}" for number in range(1, len(versions) + 1)] + ["current"]
    for index, (before, after) in enumerate(itertools.pairwise(states)):
        click.echo(f"\n{names[index]} (seen until {before['seen_at']}) → {names[index + 1]}:")
        for line in text_diff(before, after, names[index], names[index + 1]):
            click.echo(f"  {line}")
