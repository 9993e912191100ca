"""``regarchive show ID|URL``: one item, as text, as its export record, or the page as fetched."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click

from regarchive.archive.store import Archive
from regarchive.cli.commands.common import DB_OPTION, ConfigError, item_key, open_archive
from regarchive.cli.commands.output import (
    Output,
    counted,
    destination,
    format_options,
    write_lines,
)
from regarchive.cli.commands.summaries import plain


def find_record(archive: Archive, item: str) -> dict[str, Any] | None:
    """The record of item ``item``: an id, or any URL it was seen at (as typed or normalised)."""
    key = item_key(item)
    if isinstance(key, int):
        return archive.record(key)
    record = archive.record(item)
    if record is None and item.startswith(("http://", "https://")):
        from regarchive.pipelines.extraction.urls import normalize_url

        record = archive.record(normalize_url(item))
    return record


def _size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"


def attachment_lines(attachments: list[dict[str, Any]], item_id: int) -> list[str]:
    """``show``'s list of the documents an item links: label and URL, then what is stored."""
    lines = ["", "Attachments"]
    for entry in attachments:
        label = plain(entry["label"]) or "(no label)"
        lines.append(f"  {label}  <{entry['url']}>")
        if entry["sha256"] is None:
            lines.append(f"    not fetched{': ' + entry['error'] if entry['error'] else ''}")
            continue
        pages = entry["pages"]
        facts = [
            entry["media_type"],
            *([counted(pages, "page")] if pages is not None else []),
            _size(entry["size"]),
            f"{counted(entry['text_length'], 'character')} of text",
            f"sha256 {entry['sha256'][:16]}",
        ]
        lines.append("    " + ", ".join(facts))
        if entry["title"]:
            lines.append(f"    title: {plain(entry['title'])}")
        if entry["versions"]:
            lines.append(
                f"    {counted(entry['versions'], 'earlier content')} "
                f"(regarchive history {item_id})"
            )
        for warning in ([f"last fetch failed: {entry['error']}"] if entry["error"] else []) + (
            entry["warnings"]
        ):
            lines.append(f"    warning: {warning}")
    return lines


def record_lines(
    record: Mapping[str, Any],
    related: list[dict[str, Any]],
    versions: int,
    attachments: list[dict[str, Any]] | None = None,
) -> list[str]:
    """``show``'s text: the title, a block of fields, other URLs, related items, attachments,
    the text."""
    title = plain(record["title"]) or "(no title)"
    fields = [
        ("id", record["id"]),
        ("url", record["url"]),
        ("site", record["site"]),
        ("category", record["category"]),
        ("rubrics", "; ".join(record["rubrics"])),
        ("source", record["source"]),
        ("published", record["published"]),
        ("updated", record["updated"]),
        ("lang", record["lang"]),
        ("first seen", record["first_seen"]),
        ("last seen", record["last_seen"]),
        (
            "versions",
            f"{versions} earlier (regarchive history {record['id']})" if versions else "none",
        ),
        ("warnings", "; ".join(record["warnings"])),
    ]
    lines = [title, "=" * min(len(title), 80)]
    lines += [f"{name:<11} {'-' if value in (None, '') else value}" for name, value in fields]
    others = [url for url in record["urls"] if url != record["url"]]
    if others:
        lines += ["", "Also at"] + [f"  {url}" for url in others]
    if related:
        lines += ["", "Related (Dans la même rubrique)"]
        ids = [f"#{entry['item_id']}" if entry["item_id"] else "-" for entry in related]
        id_width = max(len(i) for i in ids)
        for entry, shown_id in zip(related, ids, strict=True):
            label = plain(entry["title"] or entry["label"]) or entry["url"]
            category = entry["category"] or "-"
            lines.append(f"  {shown_id:<{id_width}}  {category:<5}  {label}  <{entry['url']}>")
    if attachments:
        lines += attachment_lines(attachments, record["id"])
    paragraphs = [p for p in (record["text"] or "").split("\n") if p.strip()]
    lines += ["", "Text", ""]
    lines += "\n\n".join(paragraphs).split("\n") if paragraphs else ["(no text)"]
    return lines


@dataclass(frozen=True)
class FetchedPage:
    """An item's page as last fetched: where from, its bytes and its Content-Type."""

    url: str
    body: bytes
    content_type: str | None


def fetched_page(archive: Archive, record: Mapping[str, Any]) -> FetchedPage | None:
    """The page as last fetched at one of the item's URLs (canonical first)."""
    for url in dict.fromkeys([record["url"], *record["urls"]]):
        body = archive.page_html(url)
        if body is not None:
            info = archive.page_info(url) or {}
            return FetchedPage(url, body, info.get("content_type"))
    return None


@click.command(short_help="Show one item: metadata, text, links.")
@click.argument("item")
@DB_OPTION
@format_options(("text", "json", "html"), default="text", aliases=("json",), what="item")
def show(item: str, db_path: str, output: Output) -> None:
    """Show one item (by id or any of its URLs): metadata, URLs, rubrics, related items,
    attachments, text.

    --format json prints its export record; --format html the page as it was fetched, to try
    the extractor on (regarchive extract FILE --url URL).
    """
    with open_archive(db_path, create=False) as archive:
        record = find_record(archive, item)
        if record is None:
            count = archive.item_count()
            raise ConfigError(
                f"no item {item!r} in {db_path}, which holds {counted(count, 'item')}; "
                "find one with regarchive list or regarchive search"
            )
        related = archive.related_items(record["id"])
        versions = len(archive.versions(record["id"]))
        attachments = archive.attachment_store.of_item(record["id"])
        page = fetched_page(archive, record) if output.format == "html" else None
    if output.format == "html":
        if page is None:
            raise ConfigError(f"no fetched page kept for item {record['id']} in {db_path}")
        with destination(output, db_path, binary=True) as out:
            out.write(page.body)
    elif output.format == "json":
        write_lines(output, [json.dumps(record, ensure_ascii=False, indent=2)], db_path)
    else:
        write_lines(output, record_lines(record, related, versions, attachments), db_path)
