"""One HTTP exchange as WARC/1.1 records, built with warcio.

What is recorded (the HTTP client hands over a parsed response, not the bytes of the wire):

- the **request** as the client sent it: method, target (path and query), ``HTTP/1.1``, the
  ``Host`` header the client adds, then the request's own headers;
- the **response**: the status line as received (the reason phrase is the standard one for the
  code), its headers, and the body *as received*: still compressed when the server sent a
  ``Content-Encoding``, so that ``WARC-Payload-Digest`` is the digest of what the server sent.
  Hop-by-hop framing is not kept by the client: a chunked body is recorded de-chunked, without
  ``Transfer-Encoding``, and ``Content-Length`` always gives the recorded body's length, so that
  every record reads back with any WARC tool.
- a **304 Not Modified** as a ``revisit`` record (profile ``server-not-modified``) holding the
  response's headers, referring to the record of the body it confirms when that is known.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

WARC_VERSION = "1.1"
GZIP_LEVEL = 6  # zlib's default (see RecordMaker.serialise)
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
# Framing the client removed before handing the response over (see the module docstring).
HOP_BY_HOP = frozenset({"transfer-encoding", "content-length"})

Headers = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class HttpExchange:
    """One request and the response it got, as the HTTP client saw them."""

    url: str
    method: str
    target: str  # request-target: path and query
    host: str  # the Host header value
    request_headers: Headers
    status: int
    response_headers: Headers
    body: bytes  # as received: content-coding kept, transfer-coding removed
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    when: datetime | None = None


@dataclass(frozen=True)
class EarlierRecord:
    """The record a revisit refers to: its target URI, date and id."""

    uri: str
    date: str | None = None
    record_id: str | None = None


def warc_date(moment: datetime | None = None) -> str:
    """A WARC/1.1 date (UTC, microseconds)."""
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return datetime_to_iso_date(moment.replace(tzinfo=None), use_micros=True)


def _warc_headers(kind: str, uri: str, date: str, extra: dict[str, str]) -> dict[str, str]:
    """The named WARC headers of a record, type and id first as the standard shows them."""
    return {
        "WARC-Type": kind,
        "WARC-Record-ID": StatusAndHeadersParser.make_warc_id(),
        "WARC-Target-URI": uri,
        "WARC-Date": date,
        **extra,
    }


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class RecordMaker:
    """Builds and serialises records (each one gzip member) for :mod:`.files`."""

    def __init__(self) -> None:
        self._builder = RecordBuilder(warc_version=WARC_VERSION)

    def warcinfo(self, filename: str, fields: dict[str, str]) -> bytes:
        return self.serialise(self._builder.create_warcinfo_record(filename, fields))

    def exchange(
        self, exchange: HttpExchange, earlier: EarlierRecord | None = None
    ) -> tuple[bytes, bytes]:
        """The serialised response (or revisit) record, then the request record."""
        date = warc_date(exchange.when)
        extra = {"WARC-IP-Address": exchange.ip_address} if exchange.ip_address else {}
        kind = "revisit" if exchange.status == 304 else "response"
        response_headers = _warc_headers(kind, exchange.url, date, extra)
        if kind == "revisit":
            response = self._revisit(exchange, response_headers, earlier)
        else:
            response = self._response(exchange, response_headers)
        concurrent = {**extra, "WARC-Concurrent-To": response_headers["WARC-Record-ID"]}
        request = self._request(exchange, _warc_headers("request", exchange.url, date, concurrent))
        return self.serialise(response), self.serialise(request)

    def _response(self, exchange: HttpExchange, warc: dict[str, str]) -> ArcWarcRecord:
        headers = [
            (name, value)
            for name, value in exchange.response_headers
            if name.lower() not in HOP_BY_HOP
        ]
        headers.append(("Content-Length", str(len(exchange.body))))
        return self._builder.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            warc_headers_dict=warc,
            http_headers=self._status(exchange, headers),
        )

    def _revisit(
        self, exchange: HttpExchange, warc: dict[str, str], earlier: EarlierRecord | None
    ) -> ArcWarcRecord:
        refers = {"WARC-Profile": SERVER_NOT_MODIFIED}
        target = earlier.uri if earlier else exchange.url
        refers["WARC-Refers-To-Target-URI"] = target
        if earlier and earlier.date:
            refers["WARC-Refers-To-Date"] = earlier.date
        if earlier and earlier.record_id:
            refers["WARC-Refers-To"] = earlier.record_id
        return self._builder.create_warc_record(
            exchange.url,
            "revisit",
            warc_headers_dict={**warc, **refers},
            http_headers=self._status(exchange, list(exchange.response_headers)),
        )

    def _request(self, exchange: HttpExchange, warc: dict[str, str]) -> ArcWarcRecord:
        headers = [("Host", exchange.host)]
        headers += [(n, v) for n, v in exchange.request_headers if n.lower() != "host"]
        return self._builder.create_warc_record(
            exchange.url,
            "request",
            warc_headers_dict=warc,
            http_headers=StatusAndHeaders(
                f"{exchange.method} {exchange.target} {exchange.protocol}",
                headers,
                is_http_request=True,
            ),
        )

    @staticmethod
    def _status(exchange: HttpExchange, headers: list[tuple[str, str]]) -> StatusAndHeaders:
        line = f"{exchange.status} {reason_phrase(exchange.status)}".strip()
        return StatusAndHeaders(line, headers, protocol=exchange.protocol)

    @staticmethod
    def serialise(record: ArcWarcRecord) -> bytes:
        """One record as one gzip member: what a reader can seek to and decompress alone.

        warcio writes the record; the gzip member is made here at zlib's default level:
        warcio's own compresses at level 9, nearly twice the CPU for a file 1 % smaller, and
        the crawling process does this for every response.
        """
        out = io.BytesIO()
        WARCWriter(out, gzip=False, warc_version=WARC_VERSION).write_record(record)
        member = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        return member.compress(out.getvalue()) + member.flush()
