"""Extraction hints: where a site the heuristics get wrong keeps its article, byline, date and
category, as CSS selectors or XPath expressions given in the site's configuration.

A hint is compiled once, when the configuration is read, so that a typo is reported with the
file and line before any request (:func:`compile_hint` raises :class:`HintError`); the
extraction then receives the compiled XPath of every hint of the page's site
(``extract_record(..., hints=...)``) as plain data, which goes to the worker processes as it is.

Which language a hint is in is read from its first character: XPath starts with ``/``, ``./``
or ``(``; anything else is CSS, with parsel's ``::text`` and ``::attr(name)`` for a text or an
attribute (``abbr.published::attr(title)``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from cssselect import SelectorError
from lxml import etree
from parsel.csstranslator import css2xpath

HINT_FIELDS = ("article", "byline", "date", "category")
_XPATH_START = ("/", "./", "(")


class HintError(ValueError):
    """A hint that is neither valid CSS nor valid XPath; the message says which and why."""


@dataclass(frozen=True)
class Hint:
    """One selector as written (``expression``), its language and the XPath it compiles to."""

    expression: str
    language: str  # "css" or "xpath"
    xpath: str


@dataclass(frozen=True)
class ExtractionHints:
    """The hints of one site: each optional; the extractor tries them before its heuristics.

    ``article``: the element holding the article's text; ``byline``: its author or source;
    ``date``: its publication date (an element, or an attribute such as ``@datetime``);
    ``category``: its category or rubric.
    """

    article: Hint | None = None
    byline: Hint | None = None
    date: Hint | None = None
    category: Hint | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, name) is not None for name in HINT_FIELDS)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for a worker process, or a log line)."""
        return {f.name: asdict(hint) for f in fields(self) if (hint := getattr(self, f.name))}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ExtractionHints:
        return cls(**{name: Hint(**value) for name, value in (data or {}).items()})


def compile_hint(expression: str) -> Hint:
    """``expression`` checked and compiled to XPath; raises :class:`HintError` when invalid."""
    text = expression.strip()
    if not text:
        raise HintError("empty selector")
    if text.startswith(_XPATH_START):
        try:
            etree.XPath(text)
        except etree.XPathError as error:
            raise HintError(f"invalid XPath {text!r} ({error})") from None
        return Hint(text, "xpath", text)
    try:
        xpath = css2xpath(text)
    except SelectorError as error:
        raise HintError(f"invalid CSS selector {text!r} ({error})") from None
    return Hint(text, "css", xpath)


# --- reading a page with its hints ----------------------------------------------------------


def hint_nodes(tree: etree._Element, hint: Hint | None) -> list[Any]:
    """What the hint selects on the page: elements, or strings (an attribute, a text); nothing
    when the hint is absent or selects nothing (the heuristics then do as without it)."""
    if hint is None:
        return []
    try:
        found = tree.xpath(hint.xpath)
    except etree.XPathError:
        return []
    return found if isinstance(found, list) else [found]


def hint_texts(tree: etree._Element, hint: Hint | None) -> list[str]:
    """The non-empty texts the hint selects (an element's text content, or the string)."""
    texts = []
    for node in hint_nodes(tree, hint):
        text = node.text_content() if hasattr(node, "text_content") else str(node)
        text = " ".join(text.split())
        if text:
            texts.append(text)
    return texts


def hint_elements(tree: etree._Element, hint: Hint | None) -> list[Any]:
    """The elements the hint selects (strings left out)."""
    return [node for node in hint_nodes(tree, hint) if isinstance(node, etree._Element)]
