"""Text and metadata of OpenDocument (ODT) and Word (DOCX) files, read from their XML.

Both are zips of XML parts. Reading the few parts needed with lxml costs less than a library
for each format (odfpy, python-docx parse the same XML, load every part and bound nothing) and
lets every step be bounded: no member is inflated beyond :attr:`ReadLimits.inflated` (zip
bombs), and the XML parser resolves no entity and fetches nothing (billion laughs, XXE).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from lxml import etree

from regarchive.pipelines.documents.limits import MB, ReadLimits
from regarchive.pipelines.documents.sniff import DOCX, ODT
from regarchive.pipelines.documents.text import Reading, TextBudget, date_hint, hint

_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


class TooLarge(Exception):
    """A zip member that inflates beyond the limit."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )


def _member(archive: zipfile.ZipFile, name: str, limits: ReadLimits) -> bytes | None:
    """The inflated bytes of ``name`` (None when absent), read no further than the limit
    whatever the zip's directory claims."""
    try:
        handle = archive.open(name)
    except KeyError:
        return None
    with handle:
        data = handle.read(limits.inflated + 1)
    if len(data) > limits.inflated:
        raise TooLarge(name)
    return data


def _xml(archive: zipfile.ZipFile, name: str, limits: ReadLimits) -> etree._Element | None:
    data = _member(archive, name, limits)
    if data is None:
        return None
    return etree.fromstring(data, parser=_parser())


def read_office(body: bytes, media_type: str, limits: ReadLimits) -> Reading:
    reading = Reading(media_type)
    kind = "ODT" if media_type == ODT else "DOCX"
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            if media_type == ODT:
                _read_odt(archive, reading, limits)
            else:
                _read_docx(archive, reading, limits)
    except TooLarge as error:
        reading.warnings.append(
            f"{kind} whose {error} inflates beyond {limits.inflated // MB} MB "
            "(a zip bomb?): its text was not read"
        )
        reading.text = ""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as error:
        reading.warnings.append(f"unreadable {kind}: broken zip ({error})")
    except etree.XMLSyntaxError as error:
        reading.warnings.append(f"unreadable {kind}: bad XML ({error})")
    except (ValueError, NotImplementedError, RuntimeError) as error:
        # zipfile: an unknown compression method, an encrypted member…
        reading.warnings.append(f"unreadable {kind}: {error}")
    return reading


def _paragraphs(root: etree._Element, tags: tuple[str, ...]) -> Iterator[str]:
    for element in root.iter(*tags):
        yield "".join(element.itertext())


def _keep_text(reading: Reading, paragraphs: Iterator[str], limits: ReadLimits) -> None:
    budget = TextBudget(limits.text_chars)
    for paragraph in paragraphs:
        if not budget.add(paragraph):
            reading.warnings.append(
                f"long document: its text was cut at {limits.text_chars:,} characters".replace(
                    ",", " "
                )
            )
            break
    reading.text = budget.text


def _read_odt(archive: zipfile.ZipFile, reading: Reading, limits: ReadLimits) -> None:
    meta = _xml(archive, "meta.xml", limits)
    if meta is not None:
        reading.title = hint(meta.findtext(f".//{{{_DC}}}title"))
        author = meta.findtext(f".//{{{_ODF_META}}}initial-creator") or meta.findtext(
            f".//{{{_DC}}}creator"
        )
        _set_hints(
            reading,
            author=author,
            created=meta.findtext(f".//{{{_ODF_META}}}creation-date"),
            modified=meta.findtext(f".//{{{_DC}}}date"),
        )
        statistic = meta.find(f".//{{{_ODF_META}}}document-statistic")
        if statistic is not None:
            reading.pages = _count(statistic.get(f"{{{_ODF_META}}}page-count"))
    content = _xml(archive, "content.xml", limits)
    if content is None:
        reading.warnings.append("unreadable ODT: it has no content.xml")
        return
    _keep_text(reading, _paragraphs(content, (f"{{{_ODF_TEXT}}}p", f"{{{_ODF_TEXT}}}h")), limits)


def _read_docx(archive: zipfile.ZipFile, reading: Reading, limits: ReadLimits) -> None:
    core = _xml(archive, "docProps/core.xml", limits)
    if core is not None:
        reading.title = hint(core.findtext(f".//{{{_DC}}}title"))
        _set_hints(
            reading,
            author=core.findtext(f".//{{{_DC}}}creator"),
            created=core.findtext(f".//{{{_DCTERMS}}}created"),
            modified=core.findtext(f".//{{{_DCTERMS}}}modified"),
        )
    app = _xml(archive, "docProps/app.xml", limits)
    if app is not None:
        reading.pages = _count(app.findtext(f".//{{{_EXTENDED}}}Pages"))
    document = _xml(archive, "word/document.xml", limits)
    if document is None:
        reading.warnings.append("unreadable DOCX: it has no word/document.xml")
        return
    _keep_text(reading, _paragraphs(document, (f"{{{_WORD}}}p",)), limits)


def _set_hints(
    reading: Reading, *, author: str | None, created: str | None, modified: str | None
) -> None:
    if value := hint(author):
        reading.hints["author"] = value
    if value := date_hint(created):
        reading.hints["created"] = value
    if value := date_hint(modified):
        reading.hints["modified"] = value


def _count(value: str | None) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number >= 0 else None


__all__ = ["DOCX", "ODT", "read_office"]
