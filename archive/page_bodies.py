"""The raw body of a stored page: from the ``html`` column, else from its WARC record.

Pure functions, no database: the re-extraction workers call them on what the archive read.
"""

from __future__ import annotations

import zlib

from regarchive.archive.errors import NoBodyError


def compress_body(body: bytes) -> bytes:
    return zlib.compress(body)


def stored_body(html: bytes | None, warc_file: str | None, warc_offset: int | None) -> bytes:
    """The page's body as it was fetched (decoded from its transfer and content codings)."""
    if html is not None:
        return zlib.decompress(html)
    if warc_file is not None and warc_offset is not None:
        from regarchive.archive.warc.reader import read_response

        response = read_response(warc_file, warc_offset)
        if response.body is None:
            raise NoBodyError(f"the record at {warc_offset} of {warc_file} has no readable body")
        return response.body
    raise NoBodyError("no body kept for this page")
