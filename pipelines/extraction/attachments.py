"""The documents an article links: SPIP's "documents joints" block and links in the text.

SPIP lists an article's documents in a block of their own (``.documents_joints``, links
``a.spip_doc`` with ``type="application/pdf"`` and a ``/IMG/pdf/…`` URL); the text links more.
The block is boilerplate to the text extractor, which removes it, so it is read first
(:meth:`AttachmentLinks.read_blocks`); the text's links are read once the page's chrome is gone
(:meth:`AttachmentLinks.read_content`), so that a PDF every page links in its header or footer
(the legal notice, an annual report) does not become an attachment of every article.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml.html import HtmlElement

from regarchive.pipelines.extraction.urls import normalize_url

# What a document's file name ends with (office, PDF and text formats; no images or media).
DOCUMENT_EXTENSIONS = frozenset(
    "pdf odt ods odp odg doc docx xls xlsx ppt pptx rtf epub csv".split()
)
# Link types (``<a type=…>``) that announce a document.
_DOCUMENT_TYPES = re.compile(
    r"^application/(?:pdf|msword|rtf|epub|vnd\.oasis\.opendocument\.|vnd\.openxmlformats-|"
    r"vnd\.ms-)",
    re.IGNORECASE,
)
_BLOCK_CLASSES = ("documents_joints", "spip_documents", "documents_portfolio", "documents")
# A page linking more documents than this is a listing of them, not an article's annexes.
MAX_LINKS = 100


def _classes(element: HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def _extension(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path
    # SPIP's protected documents: spip.php?action=acceder_document&…&file=pdf/note.pdf
    file_param = dict(parse_qsl(parts.query)).get("file")
    if file_param:
        path = file_param
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def is_document_link(anchor: HtmlElement, url: str) -> bool:
    """A link to a document: by its class (``spip_doc``), its ``type`` or its file name."""
    if "spip_doc" in _classes(anchor):
        return True
    if _DOCUMENT_TYPES.match(anchor.get("type") or ""):
        return True
    return _extension(url) in DOCUMENT_EXTENSIONS


def _label(anchor: HtmlElement) -> str:
    """The link's text without SPIP's "(PDF - 120 kio)" note; its title when it has no text."""
    parts: list[str] = []

    def walk(element: HtmlElement) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            if isinstance(child.tag, str) and "info_document" not in _classes(child):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(anchor)
    text = " ".join(" ".join(parts).split())
    return text or " ".join((anchor.get("title") or "").split())


class AttachmentLinks:
    """Collects the document links of one page, each URL once, in page order."""

    def __init__(self, tree: HtmlElement, url: str) -> None:
        base = tree.xpath("string(/html/head/base/@href)")
        self.base = urljoin(url, base) if base else url
        self.links: dict[str, str] = {}

    def read_blocks(self, tree: HtmlElement) -> None:
        """The links of the page's documents blocks (call before boilerplate removal)."""
        for element in tree.iter("div", "section", "ul", "aside"):
            if _classes(element) & set(_BLOCK_CLASSES) or element.get("id") in _BLOCK_CLASSES:
                self._read(element, block=True)

    def read_content(self, tree: HtmlElement) -> None:
        """The document links left in the page once its chrome is removed: the text's."""
        self._read(tree, block=False)

    def _read(self, root: HtmlElement, *, block: bool) -> None:
        for anchor in root.iter("a"):
            if len(self.links) >= MAX_LINKS:
                return
            href = (anchor.get("href") or "").strip()
            if not href or href.startswith(("#", "mailto:", "javascript:", "tel:", "data:")):
                continue
            url = normalize_url(href, self.base)
            if not url.startswith(("http://", "https://")):
                continue
            if (block and "spip_doc" in _classes(anchor)) or is_document_link(anchor, url):
                label = _label(anchor)
                if not self.links.get(url):
                    self.links[url] = label

    def as_list(self) -> list[dict[str, str | None]]:
        return [{"url": url, "label": label or None} for url, label in self.links.items()]
