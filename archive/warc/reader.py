"""Reading WARC files back: one record at a known offset, or every HTTP response of a file.

Works on the files of any tool warcio reads (WARC 1.0 and 1.1, gzip-compressed per record or
not): regarchive's own, wget's ``--warc-file``, Heritrix's, browsertrix's. Bodies come back
decoded as a browser would read them (``Transfer-Encoding: chunked`` and ``Content-Encoding:
gzip/deflate/br`` undone), and never larger than the limit given: a record announcing a
gigabyte video, or a compression bomb, is reported as too large instead of read.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from regarchive.archive.errors import WarcError
from regarchive.archive.warc.files import complete_members_end
from regarchive.archive.warc.naming import OPEN_SUFFIX

WARC_START = b"WARC/"
# Record types that carry an HTTP response.
RESPONSE_TYPES = frozenset({"response", "revisit"})
DEFAULT_MAX_BODY = 20 * 1024 * 1024


@dataclass
class StoredResponse:
    """An HTTP response kept in a WARC file (a ``response`` or ``revisit`` record)."""

    path: Path
    offset: int
    kind: str  # "response" or "revisit"
    url: str
    date: str | None
    record_id: str | None
    status: int | None
    headers: list[tuple[str, str]]
    payload_digest: str | None = None
    profile: str | None = None
    refers_to_uri: str | None = None
    refers_to_date: str | None = None
    body: bytes | None = None  # decoded; None when not read (not wanted, or too large)
    too_large: bool = False
    problems: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((value for key, value in self.headers if key.lower() == lower), None)

    @property
    def content_type(self) -> str | None:
        return self.header("Content-Type")


def open_warc(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a WARC file for reading; a file still being written (``.open``) is found too."""
    path = Path(path)
    for candidate in (path, path.with_name(path.name + OPEN_SUFFIX)):
        try:
            return open(candidate, "rb")  # noqa: SIM115 - handed to the caller
        except FileNotFoundError:
            continue
        except OSError as error:
            raise WarcError(f"cannot read the WARC file {path}: {error.strerror}") from error
    raise WarcError(f"WARC file {path} not found")


def read_response(
    path: str | os.PathLike[str],
    offset: int,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    read_body: bool = True,
) -> StoredResponse:
    """The response record at ``offset`` of ``path``, with its decoded body (unless
    ``read_body`` is false: then only its headers are read)."""
    with open_warc(path) as stream:
        stream.seek(offset)
        try:
            records = ArchiveIterator(stream)
            record = next(records, None)
            if record is None or record.rec_type not in RESPONSE_TYPES:
                raise WarcError(f"no response record at offset {offset} of {path}")
            return _stored(Path(path), offset, record, read_body=read_body, max_body=max_body)
        except ArchiveLoadFailed as error:
            raise WarcError(f"unreadable record at offset {offset} of {path}: {error}") from error


def iter_responses(
    path: str | os.PathLike[str],
    *,
    wants_body: Callable[[StoredResponse], bool] = lambda response: True,
    max_body: int = DEFAULT_MAX_BODY,
) -> Iterator[StoredResponse]:
    """Every HTTP response and revisit record of ``path``, in file order; the body is read
    only when ``wants_body`` says so (on the record's headers).

    A damaged or truncated file yields what precedes the damage, then a record-less
    :class:`WarcError` is raised: the caller decides whether that stops everything.
    """
    path = Path(path)
    with open_warc(path) as stream:
        if not _rewound(stream).read(len(WARC_START)).startswith(WARC_START) and not _gzip(stream):
            raise WarcError(f"{path} is damaged: not a WARC file")
        # warcio reads a gzip member cut short (a crawler killed mid-write) as a shorter
        # record, quietly: where the last whole member ends is found first, and nothing
        # beyond it is taken for a record.
        whole = complete_members_end(_rewound(stream)) if _gzip(stream) else None
        records = ArchiveIterator(_rewound(stream))
        end = 0  # where the last whole record read ends
        try:
            for record in records:
                response = None
                if _is_http_response(record):
                    response = _stored(path, -1, record, read_body=False, max_body=max_body)
                    if wants_body(response):
                        _read_body(response, record, max_body)
                # Known once the record is read (warcio reads to its end to tell).
                offset = records.get_record_offset()
                if whole is not None and offset + records.get_record_length() > whole:
                    break
                end = offset + records.get_record_length()
                if response is not None:
                    response.offset = offset
                    yield response
        except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error) as error:
            raise _damaged(path, end, type(error).__name__) from error
        stream.seek(end)
        if stream.read(4096).strip(b"\r\n"):
            raise _damaged(path, end, "a record cut short, or bytes that are no record")


def _is_http_response(record: ArcWarcRecord) -> bool:
    """An HTTP response or revisit (not dns:, urn:, whois: records of crawlers)."""
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    return (
        record.rec_type in RESPONSE_TYPES
        and record.http_headers is not None
        and uri.startswith(("http://", "https://"))
    )


def _damaged(path: Path, end: int, what: str) -> WarcError:
    # Not warcio's message: it quotes the bytes it choked on, not for a terminal.
    return WarcError(f"{path} is damaged after byte {end} ({what}: not a valid WARC record)")


def _gzip(stream: BinaryIO) -> bool:
    return _rewound(stream).read(2) == b"\x1f\x8b"


def _rewound(stream: BinaryIO) -> BinaryIO:
    stream.seek(0)
    return stream


def _stored(
    path: Path, offset: int, record: ArcWarcRecord, *, read_body: bool, max_body: int
) -> StoredResponse:
    warc = record.rec_headers
    http = record.http_headers
    status = http.get_statuscode() if http is not None else None
    response = StoredResponse(
        path=path,
        offset=offset,
        kind=record.rec_type,
        url=warc.get_header("WARC-Target-URI") or "",
        date=warc.get_header("WARC-Date"),
        record_id=warc.get_header("WARC-Record-ID"),
        status=int(status) if status and str(status).isdigit() else None,
        headers=list(http.headers) if http is not None else [],
        payload_digest=warc.get_header("WARC-Payload-Digest"),
        profile=warc.get_header("WARC-Profile"),
        refers_to_uri=warc.get_header("WARC-Refers-To-Target-URI"),
        refers_to_date=warc.get_header("WARC-Refers-To-Date"),
    )
    if read_body:
        _read_body(response, record, max_body)
    return response


def _read_body(response: StoredResponse, record: ArcWarcRecord, max_body: int) -> None:
    if response.kind != "response":
        return
    try:
        body = record.content_stream().read(max_body + 1)
    except Exception as error:  # noqa: BLE001 - any decoding failure of a foreign file
        response.problems.append(f"body unreadable: {type(error).__name__}: {error}")
        return
    if len(body) > max_body:
        response.too_large = True
        return
    response.body = body
