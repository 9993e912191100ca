"""A saved page, decoded once and parsed once, plus the small tree helpers every stage shares.

Decoding follows Scrapy (:func:`w3lib.encoding.html_to_unicode`: HTTP charset, then BOM, then
``<meta charset>``/``http-equiv``, then detection), so the extractor reads a page the way the
spider did, with one exception: with no HTTP charset, a body that is valid UTF-8 and not plain
ASCII is read as UTF-8 whatever its ``<meta>`` says (:func:`decode_body`). The Unicode text is
re-encoded to UTF-8 and handed to a parser told so: libxml2 then ignores the page's own
(possibly wrong) declarations, including an XML prolog's ``encoding=``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from w3lib.encoding import html_to_unicode

# Comments and processing instructions never carry article content; dropping them at parse time
# saves every later stage from skipping them.
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)

# Elements after which a new line (paragraph) starts when flattening a tree to lines.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})
_SPACES = re.compile(r"\s+")
# C0 and C1 control characters and DEL, but the whitespace among them (tab, newline, carriage
# return, form feed). No page means them as text, and printed raw they act on the reader's
# terminal: retitle the window (ESC ] … BEL), clear the screen (ESC [ 2 J), hide text.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# The same written as character references, which the parser would turn into characters.
# &#128; to &#159; are not among them: HTML reads those as windows-1252 (&#146; is ’), except
# the five that windows-1252 leaves undefined.
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_UNDEFINED_IN_WINDOWS_1252 = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?[\w-]", re.IGNORECASE)


@dataclass
class Page:
    """A decoded, parsed page. ``tree`` is the ``<html>`` root and always has a ``<body>``."""

    tree: HtmlElement
    encoding: str
    text: str  # the page as decoded (for readers that want the page as it was, such as htmldate)

    @property
    def body(self) -> HtmlElement:
        return self.tree.body


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """``(encoding, text)`` of a raw body, decoded as Scrapy decodes it; control characters
    (NUL, ESC…) removed, written as such or as character references.

    When the HTTP header names no charset and the body is valid UTF-8 with non-ASCII bytes, it
    is UTF-8, whatever its ``<meta>`` says: a page re-encoded to UTF-8 whose declaration was
    left at ``gb2312`` or ``iso-8859-1`` (common on old sites moved to a new CMS) would
    otherwise come out as mojibake, while text really in a legacy 8-bit encoding is almost
    never valid UTF-8 (an accented letter followed by ASCII is an invalid sequence).
    """
    encoding, text = _decode(body, content_type)
    text = strip_controls(text)
    if "&#" in text:
        text = _CHARACTER_REFERENCE.sub(_drop_control_reference, text)
    return encoding, text


def _decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    if not _HTTP_CHARSET.search(content_type or "") and not body.isascii():
        try:
            return "utf-8", body.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            pass
    return html_to_unicode(content_type, body)


def strip_controls(text: str) -> str:
    """``text`` without its C0 and C1 control characters and DEL, whitespace apart."""
    return _CONTROLS.sub("", text)


def _drop_control_reference(match: re.Match[str]) -> str:
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    if code > 0x9F or (code >= 0x80 and code not in _UNDEFINED_IN_WINDOWS_1252):
        return match.group()
    return "" if _CONTROLS.match(chr(code)) else match.group()


def parse_html(text: str) -> HtmlElement:
    """Parse (possibly broken, possibly empty) HTML into an ``<html>`` tree that has a body."""
    data = text.encode("utf-8", "replace")
    try:
        root = lxml.html.document_fromstring(data, parser=_PARSER)
    except etree.ParserError:  # "Document is empty": blank or whitespace-only input
        root = lxml.html.document_fromstring(b"<html><body></body></html>", parser=_PARSER)
    if root.find("body") is None:
        root.append(root.makeelement("body", {}))
    return root


def parse_page(body: bytes, content_type: str | None = None) -> Page:
    """Decode ``body`` (with its HTTP ``Content-Type`` when known) and parse it once."""
    encoding, text = decode_body(body, content_type)
    return Page(tree=parse_html(text), encoding=encoding, text=text)


def clean_space(text: str) -> str:
    """Collapse every run of whitespace (nbsp and thin spaces included) into one space."""
    return _SPACES.sub(" ", text).strip()


def text_of(element: HtmlElement) -> str:
    """The element's text, whitespace collapsed (scripts included: meant for small nodes)."""
    return clean_space(element.text_content())


def block_lines(
    element: HtmlElement,
    skip: frozenset[str] = frozenset(),
    keep: Callable[[HtmlElement], bool] | None = None,
) -> list[str]:
    """The element's text as lines: one per block (``<p>``, ``<li>``, ``<h2>``…) or ``<br>``.

    Inline markup stays on its line; scripts, styles, templates and the ``skip`` tags are
    skipped, but for the elements of ``skip`` tags that ``keep`` keeps.
    """
    pieces: list[str] = []
    _flatten(element, pieces, _SKIPPED_TAGS | skip, keep)
    return [line for line in (clean_space(raw) for raw in "".join(pieces).split("\n")) if line]


def _flatten(
    element: HtmlElement,
    pieces: list[str],
    skipped: frozenset[str],
    keep: Callable[[HtmlElement], bool] | None,
) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in skipped and (keep is None or tag in _SKIPPED_TAGS or not keep(element)):
        return
    block = tag in BLOCK_TAGS
    if block or tag == "br":
        pieces.append("\n")
    if element.text:
        pieces.append(element.text)
    for child in element:
        _flatten(child, pieces, skipped, keep)
        if child.tail:
            pieces.append(child.tail)
    if block:
        pieces.append("\n")


def drop(elements: Iterable[HtmlElement]) -> None:
    """Remove elements from their tree, keeping their tail text (the root is never removed)."""
    for element in list(elements):
        if element.getparent() is not None:
            element.drop_tree()


def xpath_has_class(*tokens: str) -> str:
    """XPath test: the element has one of these classes.

    The plain ``contains()`` comes first: it is much cheaper than the exact token test and rules
    out nearly every element.
    """
    exact = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
    return " or ".join(f"(contains(@class, '{t}') and {exact.format(t)})" for t in tokens)


def class_tokens(element: HtmlElement) -> list[str]:
    """The element's classes, lower-cased."""
    return (element.get("class") or "").lower().split()
