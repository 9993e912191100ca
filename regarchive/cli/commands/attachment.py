"""``regarchive attachment get``: a stored document written back out, byte for byte."""

from __future__ import annotations

import sys

import click

from regarchive.archive.attachments import MIN_SHA_PREFIX
from regarchive.archive.outputs import OutputError, atomic_file, check_not_archive, write_failed
from regarchive.archive.store import Archive
from regarchive.cli.commands.common import DB_OPTION, ConfigError, open_archive
from regarchive.cli.commands.show import find_record


@click.group(short_help="Get archived documents (PDF, ODT, DOCX).")
def attachment() -> None:
    """The documents archived items link (PDF, ODT, DOCX…)."""


def resolve_document(archive: Archive, wanted: str, db_path: str) -> str:
    """The SHA-256 of the stored document ``wanted`` names: a SHA-256 (or its first 8+
    characters), or an item (id or URL) that links exactly one stored document."""
    store = archive.attachment_store
    record = None if len(wanted) == 64 else find_record(archive, wanted)
    if record is not None:
        stored = [entry for entry in store.of_item(record["id"]) if entry["sha256"]]
        if len(stored) == 1:
            return str(stored[0]["sha256"])
        if not stored:
            raise ConfigError(f"item {record['id']} has no stored attachment")
        choices = "; ".join(f"{e['sha256'][:12]} ({e['label'] or e['url']})" for e in stored)
        raise ConfigError(
            f"item {record['id']} has {len(stored)} stored attachments; give the SHA256 of "
            f"one: {choices}"
        )
    matches = store.find_files(wanted)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ConfigError(
            f"{wanted!r} starts the SHA256 of {len(matches)} stored documents; give more of it"
        )
    raise ConfigError(
        f"no item or stored document {wanted!r} in {db_path} (a SHA256 needs at least "
        f"{MIN_SHA_PREFIX} characters; see regarchive show ITEM)"
    )


@attachment.command(name="get")
@click.argument("wanted", metavar="SHA256|ITEM")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write the document ('-' for standard output).",
)
@DB_OPTION
def get(wanted: str, output: str, db_path: str) -> None:
    """Write a stored document to FILE, as it was fetched: by its SHA256 (8 characters or more
    are enough), or by the item (id or URL) that links it."""
    if output != "-":
        try:
            check_not_archive(output, db_path)
        except OutputError as error:
            raise ConfigError(str(error)) from error
    with open_archive(db_path, create=False) as archive:
        sha = resolve_document(archive, wanted.strip(), db_path)
        about = archive.attachment_store.file(sha) or {}
        content = archive.attachment_store.content(sha)
    try:
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        with atomic_file(output, binary=True) as handle:
            handle.write(content)
    except OutputError as error:
        failure = click.ClickException(str(error))
        failure.exit_code = error.exit_code  # 2 for a bad path, 1 for a failed write
        raise failure from error
    except OSError as error:
        raise click.ClickException(str(write_failed(output, error))) from error
    click.echo(
        f"{len(content)} bytes ({about.get('media_type')}, sha256 {sha[:16]}) written to {output}",
        err=True,
    )
