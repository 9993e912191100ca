"""``regarchive history``: how an item changed, version by version, as readable diffs."""

from __future__ import annotations

import difflib
import itertools
import json
from collections.abc import Iterator
from typing import Any

import click

from regarchive.cli.commands.common import DB_OPTION, ConfigError, open_archive
from regarchive.cli.commands.output import Output, counted, format_options, write_lines
from regarchive.cli.commands.show import find_record


def text_diff(
    before: dict[str, Any], after: dict[str, Any], before_name: str, after_name: str
) -> Iterator[str]:
    """The changes from one state to the next: title line, then a paragraph-level diff."""
    if before.get("title") != after.get("title"):
        yield f"title: {before.get('title')!r} → {after.get('title')!r}"
    for name in ("category", "source", "published", "updated"):
        if name in before and before.get(name) != after.get(name):
            yield f"{name}: {before.get(name)} → {after.get(name)}"
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
    lines = [f"  {counted(len(documents), 'earlier attachment content')}, kept:"]
    for old in documents:
        count = old["pages"]
        pages = f", {counted(count, 'page')}" if count is not None else ""
        lines.append(
            f"    {old['url']}: sha256 {old['sha256'][:16]} ({old['size']} bytes{pages}), "
            f"seen until {old['seen_at']}, then replaced by {str(old['replaced_by'])[:16]}"
        )
    return lines


def made_by(state: dict[str, Any]) -> str:
    """How a state came about: "crawl, extractor 1"; older archives did not record it."""
    how = state.get("provenance") or "crawl"
    version = state.get("extractor_version")
    return how if version is None else f"{how}, extractor {version}"


def history_lines(
    record: dict[str, Any],
    versions: list[dict[str, Any]],
    documents: list[dict[str, Any]] | None = None,
) -> list[str]:
    lines = [
        f"Item {record['id']}: {record['title']}",
        f"  {record['url']}",
        f"  first seen {record['first_seen']}, last seen {record['last_seen']}, "
        f"published {record['published'] or '?'}, updated {record['updated'] or '-'}",
        *attachment_changes(documents or []),
    ]
    if not versions:
        return [*lines, "  no earlier version: the item has not changed since it was archived"]
    lines.append(f"  {counted(len(versions), 'earlier version')}")
    states = [*versions, record]
    names = [f"version {number}" for number in range(1, len(versions) + 1)] + ["current"]
    for index, (before, after) in enumerate(itertools.pairwise(states)):
        lines += [
            "",
            f"{names[index]} (seen until {before['seen_at']}; {made_by(before)}) → "
            f"{names[index + 1]} ({made_by(after)}):",
        ]
        lines += [f"  {line}" for line in text_diff(before, after, names[index], names[index + 1])]
    return lines


@click.command(short_help="Show an item's versions and what changed.")
@click.argument("item")
@DB_OPTION
@format_options(("text", "json"), default="text", aliases=("json",), what="history")
def history(item: str, db_path: str, output: Output) -> None:
    """Show the versions of an item (by id or URL) and what changed between them, the
    earlier contents of the documents it links included."""
    with open_archive(db_path, create=False) as archive:
        record = find_record(archive, item)
        if record is None:
            raise ConfigError(
                f"no item {item!r} in {db_path}; find one with regarchive list or regarchive search"
            )
        versions = archive.versions(record["id"])
        documents = archive.attachment_store.versions_of_item(record["id"])
        # How the current state came about (crawl, import, re-extraction), for the text form.
        current = archive.provenance(record["id"]) or {}
    if output.format == "json":
        report = {"item": record, "versions": versions, "attachment_versions": documents}
        text = json.dumps(report, ensure_ascii=False, indent=2)
        write_lines(output, [text], db_path)
    else:
        write_lines(output, history_lines({**record, **current}, versions, documents), db_path)
