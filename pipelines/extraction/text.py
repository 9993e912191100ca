"""The article's main text: boilerplate removal, trafilatura, then paragraph-level clean-up.

trafilatura is good at finding the body of a page but sees neither SPIP's sidebars ("Dans la même
rubrique" lists, whose labels look like article titles) nor the chapô repeated at the top of the
body. So the tree is first stripped of everything that is never the article
(:func:`remove_boilerplate`), the chapô is taken out and read on its own, trafilatura reads what
is left, and the body's paragraphs that repeat the chapô are dropped (:func:`dedup_paragraphs`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Extractor

from regarchive.pipelines.extraction.dates import fold
from regarchive.pipelines.extraction.page import block_lines, drop, xpath_has_class

# What is never the article, on any site: page chrome, sidebars, breadcrumbs, consent banners,
# share buttons, forms, attachment lists, forum, keyword lists. Matched by one walk of the tree
# (a single XPath with all these tests costs several times more on every element).
_BOILERPLATE_TAGS = frozenset(
    {
        "aside", "nav", "form", "script", "style", "noscript", "template", "iframe", "button",
        "select", "input", "textarea", "object", "embed", "dialog",
    }
)  # fmt: skip
_BOILERPLATE_CLASSES = frozenset(
    {
        "aside", "menu", "nav", "navigation", "sidebar", "arbo", "rgpd", "pagination",
        "documents_joints", "documents_portfolio", "portfolio", "forum", "comments",
        "commentaires", "commentlist", "comment-list", "comments-area", "comment-respond",
        "tags", "mots", "mots-cles", "keywords", "imprimer", "rss",
    }
)  # fmt: skip
_BOILERPLATE_CLASS_PREFIXES = (
    "share", "partage", "social", "addthis", "reseaux", "cookie", "tarteaucitron", "breadcrumb",
    "ariane", "fil-ariane", "skip-link",
)  # fmt: skip
_BOILERPLATE_ID_PREFIXES = (
    "cookie", "tarteaucitron", "rgpd", "hierarchie", "ariane", "breadcrumb", "navigation", "extra",
    "sidebar", "forum", "partage",
)  # fmt: skip
# The line of facts under an article's title (date, author, views), even when its theme also
# styles it as navigation (``<ul class="nav meta">``).
_ARTICLE_META_CLASSES = frozenset({"meta", "post-meta", "entry-meta", "article-meta"})
_BOILERPLATE_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})
_BOILERPLATE_LABELS = ("fil d", "breadcrumb", "ariane")
_BOILERPLATE_HREFS = ("page=imprimer", "page=backend", "page=login")
# Page headers and footers go, unless they belong to the article itself (an <article>'s
# <header> holds its title and date, its <footer> may hold the source).
_PAGE_CHROME = frozenset(
    {
        "header", "footer", "site-header", "site-footer", "page-header", "page-footer",
        "header-site", "footer-site", "main-header", "main-footer",
    }
)  # fmt: skip
_PAGE_CHROME_ID_PREFIXES = ("header", "footer", "pied", "entete", "bandeau")
_ARTICLE_TAGS = frozenset({"article", "main"})
_ARTICLE_MARKERS = frozenset({"hentry", "article", "post", "type-post"})


# The article's own header, read by the metadata stage, then removed from the text: title,
# surtitle, publication line.
_ARTICLE_HEADER = etree.XPath(
    "//body//*[self::h1 or "
    + xpath_has_class("cartouche", "info-publi", "surtitre", "soustitre")
    + "]"
)
# The line of facts under the title (date, author, views), read by the metadata stage: out of
# the text too, when it is a line (not a theme's wrapper around more).
_ARTICLE_META = etree.XPath("//body//*[" + xpath_has_class(*sorted(_ARTICLE_META_CLASSES)) + "]")
_ARTICLE_META_MAX_CHARS = 200
_CHAPO = etree.XPath("//body//*[" + xpath_has_class("chapo", "chapeau") + "]")
_FALLBACK_CONTAINERS = (
    etree.XPath("//body//*[" + xpath_has_class("texte") + "]"),
    etree.XPath("//body//article"),
    etree.XPath("//body//main"),
)

# Blocks introduced by a heading such as "Dans la même rubrique": short elements whose text is
# only that heading. Elements whose own text has a telling word are picked by a cheap scan (an
# XPath over text nodes costs ten times more), then the regexes decide.
_HEADING_TEXT_TAGS = (
    "h2", "h3", "h4", "h5", "h6", "p", "div", "span", "strong", "b", "em", "a", "dt", "legend",
    "header", "label",
)  # fmt: skip
_HEADING_WORD = re.compile(
    r"rubrique|aussi|sujet|auteur|gorie|galement|articles|plus|dernier", re.IGNORECASE
)
_HEADING_CANDIDATE_TAGS = frozenset(
    {"h2", "h3", "h4", "h5", "h6", "p", "div", "span", "strong", "b", "dt", "legend", "header"}
)
_HEADING_MAX_LENGTH = 50
_RELATED_HEADING = re.compile(
    r"^(?:(?P<same>dans la meme rubrique)|sur le meme sujet|(?:a )?lire (?:aussi|egalement)"
    r"|voir aussi|articles? (?:associes|lies|connexes|similaires)|du meme auteur"
    r"|dans la meme categorie|autres articles de la rubrique"
    r"|(?:(?:les )?articles )?(?:les )?plus (?:lus|consultes|commentes|partages)"
    r"|(?:les )?derniers articles(?: publies)?)\s*:?$"
)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Lines that are page chrome when they stand alone in an article's text (folded).
_CHROME_LINE = re.compile(
    r"^(?:imprimer(?: cet article| la page)?|partager(?: sur \w+| cet article| la page)?"
    r"|haut de page|retour en haut|plan du site|mentions legales|articles les plus lus"
    r"|s'abonner a la (?:lettre|newsletter)|(?:suivez|suivre)-nous)\s*:?$"
)
# UTF-8 bytes read as windows-1252/latin-1: "Ã©" for "é", "â€™" for "’".
_MOJIBAKE = re.compile("Ã[\u00a0-\u00bf]|â€[\u0080-\u203a™œ]|Â[\u00a0-\u00bf]")
# Shorter than this, a "text" is more likely a teaser or an error message than an article.
MIN_ARTICLE_CHARS = 80

# Not ``fast``: trafilatura then checks its main-content guess against readability and jusText,
# which saves the whole article on pages where its guess is too small (a body in nested <div>s,
# <br>-separated lines, <font> tags). ``recall``: our own boilerplate removal has already taken
# out sidebars and related lists, so what is left is better kept than pruned again. Measured on
# real pages (docs/FIDELITY.md): text F1 0.895 with fast=True, 0.93 and more without.
_EXTRACTOR = Extractor(
    output_format="txt",
    fast=False,
    recall=True,
    comments=False,
    tables=True,
    dedup=False,  # repeated paragraphs are removed below, where the chapô is known
    formatting=False,
    links=False,
    images=False,
)

# Typographic variants unified before fingerprinting.
_QUOTES = str.maketrans(
    {
        "’": "'", "‘": "'", "‚": "'", "ʼ": "'", "′": "'", "`": "'", "´": "'",
        "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‹": '"', "›": '"', "″": '"',
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
        "…": "...",
    }
)  # fmt: skip
_PUNCT_SPACING = re.compile(r"\s*([\"'.,;:!?()\[\]/-])\s*")
_WORDS = re.compile(r"\w+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Joined runs of up to this many paragraphs are compared (a chapô retyped as 2–3 body paragraphs).
_MAX_JOINED = 4


@dataclass
class HeadedBlock:
    """A block introduced by a heading ("Dans la même rubrique", "À lire aussi"…)."""

    heading: HtmlElement
    elements: list[HtmlElement]
    same_rubric: bool


@dataclass
class TextResult:
    text: str
    warnings: list[str] = field(default_factory=list)


def find_headed_blocks(tree: HtmlElement) -> list[HeadedBlock]:
    """Related-content blocks: the heading and what follows it up to the next heading."""
    blocks: list[HeadedBlock] = []
    for holder in tree.body.iter(*_HEADING_TEXT_TAGS):
        own = holder.text
        if not own or len(own) > _HEADING_MAX_LENGTH * 2 or not _HEADING_WORD.search(own):
            continue
        if not _RELATED_HEADING.match(fold(own)):
            continue
        heading = _heading_around(holder)
        if heading is not None and all(heading is not block.heading for block in blocks):
            same = bool(_RELATED_HEADING.match(fold(heading.text_content())).group("same"))
            blocks.append(HeadedBlock(heading, _block_of(heading), same))
    return blocks


def _heading_around(holder: HtmlElement) -> HtmlElement | None:
    """The outermost element from ``holder`` up whose whole text is a related-block heading.

    ``<h2><span>Dans la même rubrique</span></h2>`` gives the ``h2``.
    """
    heading = None
    element: HtmlElement | None = holder
    while element is not None and element.tag != "body":
        text = element.text_content()
        if len(text) > _HEADING_MAX_LENGTH * 2 or len(" ".join(text.split())) > _HEADING_MAX_LENGTH:
            break
        if element.tag in _HEADING_CANDIDATE_TAGS and _RELATED_HEADING.match(fold(text)):
            heading = element
        element = element.getparent()
    return heading


def _block_of(heading: HtmlElement) -> list[HtmlElement]:
    """The heading's section: its container when it opens one, else itself and what follows."""
    following: list[HtmlElement] = []
    for sibling in heading.itersiblings():
        if sibling.tag in _HEADING_TAGS:
            break
        # A sibling of the heading's own tag ends the block, unless it is one of its entries:
        # "<p>Dans la même rubrique</p><p><a>Actu - Régions - …</a></p>…".
        if sibling.tag == heading.tag and sibling.tag != "div" and not _is_link_entry(sibling):
            break
        following.append(sibling)
    else:
        parent = heading.getparent()
        opens_parent = heading.getprevious() is None and not (parent.text or "").strip()
        if opens_parent and parent.tag not in ("body", "main", "article"):
            return [parent]
    return [heading, *following]


def _is_link_entry(element: HtmlElement) -> bool:
    """An element that is mostly one link's text (an entry of a list of related items)."""
    text = " ".join(element.text_content().split())
    linked = sum(len(" ".join(link.text_content().split())) for link in element.iter("a"))
    return bool(text) and linked >= 0.6 * len(text)


def remove_boilerplate(tree: HtmlElement, blocks: list[HeadedBlock]) -> list[HtmlElement]:
    """Remove, in place, what is never the article (``_BOILERPLATE_*``) and the headed blocks;
    return what was removed (sidebars, listings: what a date must never come from)."""
    found: list[HtmlElement] = []
    _collect_boilerplate(tree.body, False, found)
    found += [element for block in blocks for element in block.elements]
    found += _tag_lists(tree)
    drop(found)
    return found


_TAG_LINKS = etree.XPath("//body//a[@rel][contains(@rel, 'tag')]")
_TAG_LIST_TAGS = frozenset({"p", "div", "ul", "ol", "section", "footer", "dl", "nav"})
# What a keyword line says besides its links: "Mots-clés :", "Étiquettes :", commas.
_TAG_LIST_LABEL_MAX = 40


def _tag_lists(tree: HtmlElement) -> list[HtmlElement]:
    """The keyword lines ("Mots-clés : Apprentissage, Circulaires"): blocks whose every link is
    a ``rel="tag"`` link and whose other text is only a short label. Never the article's text,
    however few keywords it lists."""
    found: dict[int, HtmlElement] = {}
    for link in _TAG_LINKS(tree):
        if "tag" not in link.get("rel", "").lower().split():
            continue
        block = next((a for a in link.iterancestors() if a.tag in _TAG_LIST_TAGS), None)
        if block is None or id(block) in found or block.tag == "body":
            continue
        links = block.findall(".//a")
        if not all("tag" in (a.get("rel") or "").lower().split() for a in links):
            continue
        label = block.text_content()
        for a in links:
            label = label.replace(a.text_content(), "", 1)
        if len(" ".join(label.split())) <= _TAG_LIST_LABEL_MAX:
            found[id(block)] = block
    return list(found.values())


def _collect_boilerplate(parent: HtmlElement, in_article: bool, found: list[HtmlElement]) -> None:
    for child in parent:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        classes = (child.get("class") or "").lower().split()
        if _is_boilerplate(child, tag, classes, in_article):
            found.append(child)
        else:
            inside = (
                in_article
                or tag in _ARTICLE_TAGS
                or not _ARTICLE_MARKERS.isdisjoint(classes)
                or child.get("id") in ("article", "content", "contenu")
            )
            _collect_boilerplate(child, inside, found)


def _is_boilerplate(element: HtmlElement, tag: str, classes: list[str], in_article: bool) -> bool:
    if tag in _BOILERPLATE_TAGS:
        return True
    attributes = element.attrib
    element_id = attributes.get("id", "").lower()
    if not in_article and (
        tag in _PAGE_CHROME
        or not _PAGE_CHROME.isdisjoint(classes)
        or element_id.startswith(_PAGE_CHROME_ID_PREFIXES)
    ):
        return True
    if _ARTICLE_META_CLASSES.intersection(classes):
        return False  # the article's date and author line, whatever else its theme calls it
    if _BOILERPLATE_CLASSES.intersection(classes):
        return True
    if any(c.startswith(_BOILERPLATE_CLASS_PREFIXES) for c in classes):
        return True
    if element_id.startswith(_BOILERPLATE_ID_PREFIXES):
        return True
    if attributes.get("role") in _BOILERPLATE_ROLES:
        return True
    label = attributes.get("aria-label")
    if label and any(word in label.lower() for word in _BOILERPLATE_LABELS):
        return True
    if tag == "a":
        href = attributes.get("href", "")
        return attributes.get("type") == "application/rss+xml" or any(
            marker in href for marker in _BOILERPLATE_HREFS
        )
    return False


def extract_text(
    tree: HtmlElement, *, byline: str | None = None, remove: list[HtmlElement] | None = None
) -> TextResult:
    """The article's text, paragraphs joined by ``\\n``, each once, chapô first.

    ``tree`` has been through :func:`remove_boilerplate`; it is changed further in place (article
    header, chapô and the ``remove`` elements — byline, date lines — are taken out). ``byline``
    is dropped from the text wherever it still appears.
    """
    drop(remove or ())
    drop(_ARTICLE_HEADER(tree))
    drop(e for e in _ARTICLE_META(tree) if len(e.text_content()) <= _ARTICLE_META_MAX_CHARS)
    chapo = _take_chapo(tree)
    has_text = bool(tree.body.text_content().strip())
    extracted = trafilatura.extract(tree, options=_EXTRACTOR) if has_text else None
    body = split_paragraphs(extracted) if extracted else _fallback_lines(tree)
    if byline:
        byline_key = paragraph_key(byline)
        chapo = [p for p in chapo if paragraph_key(p) != byline_key]
        body = [p for p in body if paragraph_key(p) != byline_key]
    kept, removed = dedup_paragraphs(chapo, body)
    warnings = [f"repeated paragraphs removed: {removed}"] if removed else []
    if not kept:
        warnings.append("empty text")
    return TextResult("\n".join(kept), warnings)


def suspicious_text(text: str) -> list[str]:
    """Warnings for a text that is probably not (only) the article, or not decoded right.

    - a line that is a sidebar or navigation heading ("Dans la même rubrique", "Imprimer cet
      article"): the page's layout was not recognised and its chrome leaked into the text;
    - mojibake (``Ã©`` for ``é``: UTF-8 read as windows-1252) or U+FFFD (bytes invalid in the
      encoding the page declares): the page lies about its encoding;
    - a text so short it is more likely a teaser or an error message than an article.
    """
    if not text:
        return []
    warnings = []
    chrome = next((line for line in text.splitlines() if _is_chrome_line(line)), None)
    if chrome is not None:
        warnings.append(f"suspicious text: sidebar or navigation line {chrome[:40]!r} in the text")
    mojibake = _MOJIBAKE.search(text)
    if mojibake:
        warnings.append(f"suspicious text: wrongly decoded characters ({mojibake.group()!r})")
    if "\ufffd" in text:
        warnings.append("suspicious text: bytes invalid in the declared encoding (U+FFFD)")
    if len(text) < MIN_ARTICLE_CHARS:
        warnings.append(f"suspicious text: very short ({len(text)} characters)")
    return warnings


def _is_chrome_line(line: str) -> bool:
    if len(line) > _HEADING_MAX_LENGTH:
        return False
    folded = fold(line)
    return bool(_RELATED_HEADING.match(folded) or _CHROME_LINE.match(folded))


def _take_chapo(tree: HtmlElement) -> list[str]:
    """The chapô's lines, its element removed so that only the body is left for trafilatura."""
    found = _CHAPO(tree)
    outer = set(found)
    elements = [e for e in found if not any(a in outer for a in e.iterancestors())]
    lines = [line for element in elements for line in block_lines(element)]
    drop(elements)
    return lines


def _fallback_lines(tree: HtmlElement) -> list[str]:
    """When trafilatura finds nothing: the SPIP text blocks, else the article or main element."""
    for xpath in _FALLBACK_CONTAINERS:
        elements = xpath(tree)
        if elements:
            return [line for element in elements for line in block_lines(element)]
    return []


def split_paragraphs(text: str) -> list[str]:
    """Non-empty lines of ``text``, whitespace collapsed."""
    return [line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line]


def paragraph_key(paragraph: str) -> str:
    """What two paragraphs must share to be "the same": their letters and digits, nothing else.

    A chapô and its retyped copy in the body differ in quotes, apostrophes, dashes, spacing,
    case and accents (``"spécialisation intelligente "`` / ``« spécialisation intelligente »``),
    never in their letters. Text with no Latin letters keeps its own letters, case folded.
    """
    ascii_text = unicodedata.normalize("NFKD", paragraph).encode("ascii", "ignore").decode("ascii")
    key = _NOT_ALNUM.sub("", ascii_text.lower())
    return key or "".join(_WORDS.findall(paragraph.casefold())).replace("_", "")


def dedup_paragraphs(chapo: list[str], body: list[str]) -> tuple[list[str], int]:
    """The chapô, then the body without what repeats it; and how many paragraphs were dropped.

    SPIP templates (and many others) print the chapô above the text and editors paste it again
    as the text's first paragraphs, retyped. A body paragraph is dropped when its words equal
    those of a chapô paragraph or of a run of up to ``_MAX_JOINED`` consecutive chapô paragraphs
    joined, or when a run of body paragraphs joined equals one of those (a one-paragraph chapô
    split in two in the body). Other repeats stay: articles do repeat lines and even blocks (a
    refrain, a question asked twice, a table's rows, a sample text), and dropping them loses
    text: on real pages, removing every repeat cost 0.03 of text F1 against trafilatura.
    """
    chapo_keys = [paragraph_key(p) for p in chapo]
    seen: set[str] = set()
    for size in range(1, min(_MAX_JOINED, len(chapo_keys)) + 1):
        for start in range(len(chapo_keys) - size + 1):
            seen.add("".join(chapo_keys[start : start + size]))
    seen.discard("")
    kept = [p for p, key in zip(chapo, chapo_keys, strict=True) if key]
    keys = [paragraph_key(p) for p in body]
    removed = 0
    index = 0
    while index < len(body):
        key = keys[index]
        if not key:  # a separator ("* * *", "—"): not text, not a repeat either
            index += 1
            continue
        run = 1 if key in seen else _joined_run(keys, index, seen)
        if run:
            removed += run
            index += run
            continue
        kept.append(body[index])
        index += 1
    return kept, removed


def _joined_run(keys: list[str], start: int, seen: set[str]) -> int:
    """Length of the run of paragraphs from ``start`` whose joined words were already seen, or 0."""
    joined = keys[start]
    for end in range(start + 1, min(start + _MAX_JOINED, len(keys))):
        joined += keys[end]
        if joined in seen:
            return end - start + 1
    return 0


def normalize_text(text: str) -> str:
    """The form the fingerprint is computed on: NFKC, casefolded, quotes and dashes unified,
    whitespace (line breaks included) collapsed, no space around punctuation."""
    unified = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    return _PUNCT_SPACING.sub(r"\1", " ".join(unified.split()))


def fingerprint(text: str) -> str:
    """sha256 (hex) of :func:`normalize_text`: equal for texts that differ only in typography."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()
