"""The project's one XML parser, for sitemaps and feeds: hostile input read safely.

Sitemaps and feeds come from the sites crawled, so they are read the way ``defusedxml`` reads
XML, with lxml:

- no entity is ever expanded (``resolve_entities=False``), and a document that declares
  entities is refused outright: sitemaps and feeds need none, and a "billion laughs" or an
  external entity (``SYSTEM "file:///etc/passwd"``) has no other purpose;
- no DTD is loaded and nothing is fetched from the network (``load_dtd=False``,
  ``no_network=True``);
- libxml2's own limits on depth and text size stay on (``huge_tree=False``);
- the body is bounded before parsing (``max_bytes``, decompressed size included: a gzip bomb
  stops at the limit without being inflated further), and so is the number of records kept;
- elements are dropped as soon as they are read, so memory stays flat whatever the document
  holds.

A document that is not XML, or stops half-way, is not an error for the crawl: what was read
before the fault is kept and the fault is given back as one line (:attr:`XmlDocument.problem`).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import BytesIO

from lxml import etree

# The sitemap protocol's own limit on an uncompressed file; a feed is far smaller.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# ... and on the URLs of one sitemap.
DEFAULT_MAX_RECORDS = 50_000
GZIP_MAGIC = b"\x1f\x8b"
# Inflated a chunk at a time, so that a bomb is stopped at the limit, not after it.
_INFLATE_CHUNK = 1024 * 1024
# PHP warnings printed before the XML declaration are common on small CMS sites: the document
# is read from its declaration when one follows within this many bytes.
_JUNK_BEFORE_DECLARATION = 4096
# Text kept from one child element (a title, a date, a URL): more is not a sitemap's or feed's.
_MAX_TEXT = 4096


class BadXml(ValueError):
    """A document refused as a whole; the message is one line for the user."""


@dataclass(frozen=True)
class Child:
    """One child element of a record: its local name, text and attributes."""

    name: str
    text: str
    attrib: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    """One record element (a sitemap ``<url>``, a feed ``<item>`` or ``<entry>``)."""

    name: str
    attrib: Mapping[str, str]
    children: tuple[Child, ...]

    def first(self, *names: str) -> Child | None:
        """The first child named one of ``names`` (by preference order), or None."""
        for name in names:
            for child in self.children:
                if child.name == name:
                    return child
        return None

    def all(self, name: str) -> list[Child]:
        return [child for child in self.children if child.name == name]


@dataclass
class XmlDocument:
    """What was read of a document: its root element's local name and its records."""

    root: str
    records: list[Record]
    # More records than ``max_records``: the first ones were kept.
    truncated: bool = False
    # Why the parser stopped before the end, when it did (the records before are kept).
    problem: str | None = None


def inflate(body: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """``body`` gunzipped when it is gzip data (a ``.xml.gz`` sitemap), else as it is.

    Raises :class:`BadXml` when the data would inflate beyond ``max_bytes``, having inflated
    no more than that, or when it is not valid gzip data.
    """
    if not body.startswith(GZIP_MAGIC):
        return body
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = body
    try:
        while pending and not decompressor.eof:
            out += decompressor.decompress(pending, _INFLATE_CHUNK)
            if len(out) > max_bytes:
                raise BadXml(f"inflates to more than {max_bytes} bytes (refused)")
            pending = decompressor.unconsumed_tail
    except zlib.error as error:
        raise BadXml(f"damaged gzip data ({error})") from None
    return bytes(out)


def read_records(
    body: bytes,
    record_names: frozenset[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_records: int = DEFAULT_MAX_RECORDS,
) -> XmlDocument:
    """Read the elements named ``record_names`` (local names, any namespace) of ``body``.

    Raises :class:`BadXml` when the document is refused as a whole (too big, gzip bomb,
    entity declarations, nothing readable).
    """
    body = _from_declaration(inflate(body, max_bytes))
    if len(body) > max_bytes:
        raise BadXml(f"{len(body)} bytes, over the limit of {max_bytes} (refused)")
    if not body:
        raise BadXml("empty document")
    document = XmlDocument(root="", records=[])
    events = etree.iterparse(
        BytesIO(body),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    inside = 0  # how many record elements are open around the current one
    try:
        for event, element in events:
            if not document.root:
                _refuse_entities(element)
                document.root = _local_name(element)
            name = _local_name(element)
            if event == "start":
                inside += name in record_names
                continue
            if name in record_names:
                inside -= 1
                if inside == 0:
                    if len(document.records) >= max_records:
                        document.truncated = True
                        break
                    document.records.append(_record(element, name))
            if inside == 0:
                _drop(element)
    except etree.LxmlError as error:
        if not document.root:
            raise BadXml(f"not XML ({_one_line(error)})") from None
        document.problem = f"malformed XML ({_one_line(error)})"
    if not document.root:
        raise BadXml("not XML (no element found)")
    return document


def _from_declaration(body: bytes) -> bytes:
    body = body.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not body.startswith(b"<?xml"):
        start = body.find(b"<?xml", 0, _JUNK_BEFORE_DECLARATION)
        if start > 0:
            return body[start:]
    return body


def _refuse_entities(element: etree._Element) -> None:
    dtd = element.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise BadXml("declares XML entities (refused: sitemaps and feeds need none)")


def _record(element: etree._Element, name: str) -> Record:
    children = []
    for child in element:
        child_name = _local_name(child)
        if child_name:
            text = "".join(child.itertext())[:_MAX_TEXT].strip()
            children.append(Child(child_name, text, _attributes(child)))
    return Record(name, _attributes(element), tuple(children))


def _attributes(element: etree._Element) -> dict[str, str]:
    """Attributes by local name (``rdf:about`` is ``about``)."""
    return {str(key).rpartition("}")[2]: str(value) for key, value in element.attrib.items()}


def _drop(element: etree._Element) -> None:
    """Free an element read to its end, and the siblings read before it."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""  # an entity reference or a processing instruction
    return tag.rpartition("}")[2]


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__
