"""What a page says about the article besides its text: title, category, rubrics, source, dates…

Two readings, on purpose at two moments of the pipeline (see :mod:`.core`):

- :func:`read_page`, on the whole tree: canonical URL, language, title, breadcrumb, the "Dans la
  même rubrique" links, and what kind of page it is;
- :func:`read_article`, once sidebars, related lists and footers are gone: the byline (source)
  and the dates. Dates are looked for only there, so a date next to a related link or in a
  listing can never become the article's.
"""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from regarchive.pipelines.extraction.bylines import (
    BYLINE_MAX_LENGTH,
    Byline,
    is_source,
    parse_byline,
)
from regarchive.pipelines.extraction.dates import find_dated_phrases, fold, normalize
from regarchive.pipelines.extraction.hints import ExtractionHints, hint_elements, hint_texts
from regarchive.pipelines.extraction.labels import (
    category_from_url,
    category_from_word,
    parse_label,
)
from regarchive.pipelines.extraction.page import (
    BLOCK_TAGS,
    class_tokens,
    clean_space,
    text_of,
    xpath_has_class,
)
from regarchive.pipelines.extraction.page_dates import (
    Candidate,
    DateContext,
    Structured,
    element_date_texts,
    htmldate_day,
    near_title_day,
    read_structured,
    resolve_dates,
    self_published_days,
)
from regarchive.pipelines.extraction.text import HeadedBlock, paragraph_key
from regarchive.pipelines.extraction.urls import (
    excluded_reason,
    looks_like_listing,
    normalize_url,
    site_of,
)

# --- page-level reading -------------------------------------------------------------------

# Where a title <h1> sits, best first: classed as the entry's title, SPIP's old "titre", in the
# content, anywhere but the page's header, navigation, sidebar or footer.
_TITLE_CLASSES = ("entry-title", "titre")
_CONTENT_TAGS = frozenset({"article", "main"})
_CONTENT_IDS = frozenset({"content", "contenu"})
_CHROME_TAGS = frozenset({"header", "nav", "aside", "footer"})
# The site's name, as its metadata gives it (og:site_name first: application-name is sometimes
# the page's title), else as its header prints it.
_SITE_NAMES = (
    etree.XPath("/html/head/meta[@property='og:site_name']/@content"),
    etree.XPath(
        "/html/head/meta[@name='application-name']/@content"
        " | //body//*[@id or @class][@id='logo' or @id='nom_site_spip' or "
        + xpath_has_class("spip_logo_site", "nom_site")
        + "]//text()"
    ),
)
_BREADCRUMB = etree.XPath(
    "//body//*[@class or @id or @aria-label]"
    "[(self::p and " + xpath_has_class("arbo") + ") or @id='hierarchie' or @id='ariane'"
    " or contains(@aria-label, 'il d') or contains(@aria-label, 'readcrumb')"
    " or contains(@aria-label, 'riane') or " + xpath_has_class("breadcrumb", "ariane", "fil-ariane",
                                                            "fil_ariane", "arbo") + "]"
)  # fmt: skip
_HOME_WORDS = frozenset(
    {"accueil", "home", "page d'accueil", "retour a l'accueil", "retour accueil"}
)
_LISTING_BODY = frozenset(
    {"page_rubrique", "page_sommaire", "page_mot", "page_auteur", "page_plan", "page_recherche",
     "page_site", "page_forum", "page_login", "page_backend"}
)  # fmt: skip
_ERROR_TITLE = re.compile(
    r"\b404\b|page (?:introuvable|non trouvee|inexistante)|(?:article|document) (?:introuvable|"
    r"inexistant)|n'existe (?:pas|plus)|not found|^erreur\b"
)


@dataclass
class PageInfo:
    """What the whole page says: where it lives, what it is called, where it is filed."""

    url: str
    urls: list[str]
    site: str
    title: str | None
    category: str | None
    category_source: str | None  # label, surtitre, tag, breadcrumb or url (see _category)
    rubrics: list[str]
    lang: str | None
    related: list[dict[str, str | None]]
    # "article", "listing", "print", "error", another reason the URL is no article ("feed"…),
    # or None when nothing says
    kind: str | None
    warnings: list[str] = field(default_factory=list)


def read_page(
    tree: HtmlElement,
    *,
    url: str,
    final_url: str | None,
    blocks: list[HeadedBlock],
    html: str | None = None,
    structured: Structured | None = None,
    hints: ExtractionHints | None = None,
) -> PageInfo:
    """Read the page-level metadata from the whole tree (``blocks``: its headed blocks;
    ``html``: the page as decoded, when at hand, to skip looking for what it does not hold;
    ``structured``: what its metadata says, read here when not given; ``hints``: the site's
    extraction hints, whose ``category`` is tried first)."""
    requested = normalize_url(url)
    final = normalize_url(final_url or url)
    base = _base_url(tree, final)
    canonical, canonical_warning = _canonical(tree, base, final)
    urls = list(dict.fromkeys([canonical, requested, final]))
    crumbs = _breadcrumb(tree, base, set(urls))
    title, label_category, label_rubric = _title(tree, crumbs.rubrics, structured)
    rubrics = _unique([*crumbs.rubrics, *([label_rubric] if label_rubric else [])])
    category, category_source = _hinted_category(tree, hints)
    if category is None:
        category, category_source = _category(
            tree, blocks, label_category, crumbs.category, urls, html
        )  # fmt: skip
    related = _related(blocks, base, set(urls), rubrics[-1] if rubrics else None)
    return PageInfo(
        url=canonical,
        urls=urls,
        site=site_of(canonical),
        title=title,
        category=category,
        category_source=category_source,
        rubrics=rubrics,
        lang=_lang(tree),
        related=related,
        kind=_page_kind(tree, final, title),
        warnings=[canonical_warning] if canonical_warning else [],
    )


# A kicker above the title (SPIP's ``surtitre``, themes' ``kicker``/``overline``), outside
# lists (a listing entry's is that entry's).
_SURTITRE = etree.XPath(
    "//body//*[" + xpath_has_class("surtitre", "kicker", "overline", "sur-titre", "surtitle")
    + "][not(ancestor::li or ancestor::aside or ancestor::nav)]"
)  # fmt: skip
_SURTITRE_WORDS = ("surtitre", "kicker", "overline", "sur-titre", "surtitle")
_TAG_LINKS = etree.XPath("//body//a[@rel]")
_HAS_TAG_LINK = re.compile(r"""rel\s*=\s*["']?[^"'>]*\btag\b""", re.IGNORECASE)


def _hinted_category(
    tree: HtmlElement, hints: ExtractionHints | None
) -> tuple[str | None, str | None]:
    """The category the site's ``category`` hint selects: a category word ("Circulaire"), or a
    label starting with one ("Actu - Régions")."""
    for text in hint_texts(tree, hints.category if hints else None):
        category = category_from_word(text) or parse_label(text).category
        if category:
            return category, "hint"
    return None, None


def _category(
    tree: HtmlElement,
    blocks: list[HeadedBlock],
    label: str | None,
    breadcrumb: str | None,
    urls: list[str],
    html: str | None,
) -> tuple[str | None, str | None]:
    """The page's category and what said it, most telling first: a title label prefix
    (``Actu - Régions - …``), the surtitre above the title, a keyword link (``rel="tag"``:
    "Circulaires", "Actualités"), a breadcrumb level, the URL's path. The words are those of
    :data:`labels.CATEGORY_WORDS`."""
    if label:
        return label, "label"
    kickers = html is None or any(word in html for word in _SURTITRE_WORDS)
    for element in _SURTITRE(tree) if kickers else ():
        category = category_from_word(text_of(element))
        if category:
            return category, "surtitre"
    in_blocks = {id(e) for block in blocks for e in block.elements}
    tags = html is None or _HAS_TAG_LINK.search(html)
    for link in _TAG_LINKS(tree) if tags else ():
        if "tag" not in (link.get("rel") or "").lower().split():
            continue
        if any(id(a) in in_blocks for a in link.iterancestors()):
            continue  # a related entry's keyword
        category = category_from_word(text_of(link))
        if category:
            return category, "tag"
    if breadcrumb:
        return breadcrumb, "breadcrumb"
    category = next(filter(None, (category_from_url(u) for u in urls)), None)
    return (category, "url") if category else (None, None)


def _first(tree: HtmlElement, xpath: str) -> str | None:
    values = tree.xpath(xpath)
    return str(values[0]).strip() if values else None


def _base_url(tree: HtmlElement, final: str) -> str:
    base = _first(tree, "/html/head/base/@href")
    return urljoin(final, base) if base else final


_CANONICAL = (
    "/html/head/link[contains(concat(' ', translate(@rel, 'CANOIL', 'canoil'), ' '),"
    " ' canonical ')]/@href"
)


def _canonical(tree: HtmlElement, base: str, final: str) -> tuple[str, str | None]:
    """``rel=canonical`` where it is plausible, else the final URL; and why it was not taken.

    A canonical link is a claim: "this page is that URL". It is taken when it points to the same
    site (host and port) and, for a page that is not itself a listing, not to a listing or the
    site's home page: careless templates give every article the home page's or the rubric's
    URL, which would make all of them one item. (The archive refuses the other implausible
    claim, a page calling itself another archived article, when it saves the item.)
    """
    href = _first(tree, _CANONICAL)
    if not href:
        return final, None
    canonical = normalize_url(href, base)
    if canonical == final:
        return final, None
    if urlsplit(canonical).netloc != urlsplit(final).netloc or not canonical.startswith(
        ("http://", "https://")
    ):
        return final, None
    if looks_like_listing(canonical) and not looks_like_listing(final):
        what = "the home page" if urlsplit(canonical).path in ("", "/") else "a listing"
        return final, f"canonical URL {canonical} ignored: it points to {what}"
    return canonical, None


def _lang(tree: HtmlElement) -> str | None:
    declared = (
        tree.get("lang")
        or tree.get("xml:lang")  # the HTML parser keeps the prefixed name as it is
        or _first(tree, "/html/head/meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')"
                        "='content-language']/@content")
        or _first(tree, "/html/head/meta[@property='og:locale']/@content")
    )  # fmt: skip
    if not declared:
        return None
    code = re.split(r"[-_,;\s]", declared.strip().lower(), maxsplit=1)[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _site_name(tree: HtmlElement) -> str | None:
    for xpath in _SITE_NAMES:
        names = [clean_space(str(value)) for value in xpath(tree)]
        name = next((name for name in names if name), None)
        if name:
            return name
    return None


# Where a page names its article besides the <h1>, most telling first (after the JSON-LD
# headline; the <title> tag comes last). Mozilla Readability's order.
_META_TITLE_KEYS = (
    "dc:title", "dcterm:title", "dcterms.title", "dc.title", "og:title", "title", "twitter:title",
    "parsely-title",
)  # fmt: skip
_TITLE_SEPARATOR = re.compile(r"\s+(?:[-–—|:·»/\\]{1,2}|::)\s+")


def _title(
    tree: HtmlElement, known_rubrics: list[str], structured: Structured | None = None
) -> tuple[str | None, str | None, str | None]:
    """``(title, category, rubric)``; the last two come from an ``Actu - Régions -`` prefix.

    The title is the one the page's metadata gives (JSON-LD headline, Dublin Core, OpenGraph,
    Twitter, then the ``<title>`` tag), without the site's name; the ``<h1>`` is taken instead
    only where it agrees with it, being then the title without what surrounds it: the
    metadata title is the ``<h1>`` followed by a site name (``Titre - Nom du site``), or
    preceded by a label (``Actu - Régions - Titre``). Elsewhere the ``<h1>`` is not trusted:
    on pages of many kinds it is a section's or the site's name, or a teaser's title.
    """
    rubrics = frozenset(known_rubrics)
    site_name = _site_name(tree)
    structured = structured if structured is not None else read_structured(tree)
    head_titles = _head_titles(tree, structured, site_name)
    heading = _heading_title(tree)
    raw = head_titles[0] if head_titles else heading
    if heading and head_titles and _agrees(heading, head_titles[0], rubrics):
        raw = heading
    if not raw:
        return None, None, None
    label = parse_label(raw, rubrics)
    if label.category is None:
        # Templates that print a bare <h1> often keep the "Circ. - Départements -" prefix in
        # the <title> tag (not always in og:title): the category is still the page's own word.
        for head_title in head_titles:
            prefix = parse_label(head_title, rubrics)
            if prefix.category:
                return label.title or raw, prefix.category, prefix.rubric
    return label.title or raw, label.category, label.rubric


def _head_titles(tree: HtmlElement, structured: Structured, site_name: str | None) -> list[str]:
    """The titles the page's metadata gives, most telling first, without the site's name (one
    that is only the site's name is no title)."""
    metas = structured.metas
    tag = _first(tree, "/html/head/title/text()") or _first(tree, "//title/text()")
    values = [
        _jsonld_title(structured.headline, structured.name, tag),
        *(metas.get(key) for key in _META_TITLE_KEYS),
        tag,
    ]
    titles: list[str] = []
    for value in values:
        if not value or not value.strip():
            continue
        title = _strip_site_name(html_module.unescape(value) if "&" in value else value, site_name)
        if title and not (site_name and fold(title) == fold(site_name)) and title not in titles:
            titles.append(title)
    return titles


def _jsonld_title(headline: str | None, name: str | None, tag: str | None) -> str | None:
    """An article's JSON-LD ``headline`` or ``name``: when they differ, the one the ``<title>``
    tag repeats (sites put a description in one of them, their own name in the other), else the
    name."""
    if not (headline and name) or headline == name:
        return headline or name
    tag_key = paragraph_key(tag or "")
    for value in (headline, name):
        if paragraph_key(value) and paragraph_key(value) in tag_key:
            return value
    return name


def _agrees(heading: str, title: str, rubrics: frozenset[str]) -> bool:
    """The ``<h1>`` is the metadata ``title`` without a site name after it or a label before it,
    or the title with a label before it (``<h1>Actu - Régions - Titre</h1>``)."""
    key = paragraph_key(heading)
    if key == paragraph_key(title):
        return False  # the same words: the metadata's plain text rather than the typeset <h1>
    own_label = parse_label(heading, rubrics)
    if own_label.category is not None and paragraph_key(own_label.title) == paragraph_key(title):
        return True
    parts = _TITLE_SEPARATOR.split(clean_space(title))
    if any(key == paragraph_key(" ".join(parts[:cut])) for cut in range(1, len(parts))):
        return True
    label = parse_label(title, rubrics)
    return label.category is not None and (
        key == paragraph_key(label.title) or _agrees(heading, label.title, rubrics)
    )


def _heading_title(tree: HtmlElement) -> str | None:
    """The text of the best placed ``<h1>``; an ``<h1>`` that is the site's name (old SPIP
    templates put it in the page header) is skipped."""
    ranked = sorted(
        (rank, index, h1)
        for index, h1 in enumerate(tree.body.iter("h1"))
        if (rank := _title_rank(h1)) is not None
    )
    site_name: str | None = None
    for rank, _, h1 in ranked:
        text = text_of(h1)
        if not text:
            continue
        if rank <= 1:
            return text
        site_name = site_name if site_name is not None else (_site_name(tree) or "")
        if fold(text) != fold(site_name):
            return text
    return None


def _title_rank(h1: HtmlElement) -> int | None:
    classes = class_tokens(h1)
    for rank, name in enumerate(_TITLE_CLASSES):
        if name in classes:
            return rank
    in_chrome = False
    for ancestor in h1.iterancestors():
        if (
            ancestor.tag in _CONTENT_TAGS
            or ancestor.get("id") in _CONTENT_IDS
            or ancestor.get("role") == "main"
            or "hentry" in class_tokens(ancestor)
        ):
            return 2
        in_chrome = in_chrome or ancestor.tag in _CHROME_TAGS
    return None if in_chrome else 3


def _strip_site_name(title: str, site_name: str | None) -> str:
    """``Titre - Nom du site`` → ``Titre`` (only when the suffix is the site's name)."""
    title = clean_space(title)
    if not site_name:
        return title
    suffix = re.compile(r"\s+[-–—|:·]\s+" + re.escape(site_name) + r"$", re.IGNORECASE)
    return suffix.sub("", title) or title


@dataclass
class _Crumbs:
    rubrics: list[str] = field(default_factory=list)
    category: str | None = None


def _breadcrumb(tree: HtmlElement, base: str, page_urls: set[str]) -> _Crumbs:
    """Rubrics (and a category level such as "Actualités") named by the breadcrumb's links.

    The home link is skipped, and so is the article itself (the last, unlinked item).
    """
    found = _BREADCRUMB(tree)
    crumbs = _Crumbs()
    if not found:
        return crumbs
    for link in found[0].iterfind(".//a[@href]"):
        text = text_of(link)
        url = normalize_url(link.get("href", ""), base)
        if not text or url in page_urls or _is_home(link, text, url):
            continue
        category = category_from_word(text)
        if category:
            crumbs.category = crumbs.category or category
        else:
            crumbs.rubrics.append(text)
    crumbs.rubrics = _unique(crumbs.rubrics)
    return crumbs


def _is_home(link: HtmlElement, text: str, url: str) -> bool:
    rel = (link.get("rel") or "").lower().split()
    parts = urlsplit(url)
    root = parts.path in ("", "/", "/index.php", "/spip.php") and not parts.query
    return "home" in rel or "start" in rel or root or fold(text) in _HOME_WORDS


def _related(
    blocks: list[HeadedBlock], base: str, page_urls: set[str], rubric: str | None
) -> list[dict[str, str | None]]:
    """The links of the "Dans la même rubrique" blocks, parsed as ``Actu - Régions - Titre`` labels.

    An entry whose label names no rubric is in the page's own rubric: that is what the block's
    heading says.
    """
    entries: dict[str, dict[str, str | None]] = {}
    for block in blocks:
        if not block.same_rubric:
            continue
        for element in block.elements:
            for link in element.iter("a"):
                entry = _related_entry(link, block.heading, base, page_urls, rubric)
                if entry and entry["url"] not in entries:
                    entries[entry["url"]] = entry
    return list(entries.values())


def _related_entry(
    link: HtmlElement, heading: HtmlElement, base: str, page_urls: set[str], rubric: str | None
) -> dict[str, str | None] | None:
    href = link.get("href")
    if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
        return None
    if heading in link.iterancestors() or link is heading:
        return None
    url = normalize_url(href, base)
    current = "on" in class_tokens(link) or any(
        "on" in class_tokens(a) for a in link.iterancestors("li")
    )
    label = text_of(link)
    if current or not label or url in page_urls or excluded_reason(url):
        return None
    parsed = parse_label(label, frozenset([rubric]) if rubric else frozenset())
    return {
        "url": url,
        "label": label,
        "category": parsed.category,
        "rubric": parsed.rubric or rubric,
        "title": parsed.title,
    }


def _page_kind(tree: HtmlElement, final: str, title: str | None) -> str | None:
    classes = class_tokens(tree.body)
    heading = fold(title or _first(tree, "/html/head/title/text()") or "")
    if "page_404" in classes or "page_erreur" in classes or _ERROR_TITLE.search(heading):
        return "error"
    excluded = excluded_reason(final)
    if "page_imprimer" in classes or excluded == "print version":
        return "print"
    if "page_article" in classes or "page_breve" in classes:
        return "article"
    if _LISTING_BODY.intersection(classes):
        return "listing"
    if excluded:
        return excluded
    if _first(tree, "/html/head/meta[@property='og:type']/@content") == "article":
        return "article"
    if looks_like_listing(final) or _made_of_teasers(tree):
        return "listing"
    return None


# An article teaser: an entry (``<article>``, ``.hentry``, ``.teaser``…) whose heading links
# elsewhere; outside the page's header, navigation, sidebar and footer.
_TEASERS = etree.XPath(
    "//body//*[self::article or " + xpath_has_class("hentry", "teaser", "post-teaser", "card")
    + "][.//*[self::h2 or self::h3 or self::h4 or " + xpath_has_class("entry-title")
    + "]//a[@href]][not(ancestor::header or ancestor::nav or ancestor::aside"
    " or ancestor::footer)]"
)  # fmt: skip
_MAIN = etree.XPath("(//main | //*[@id='content'] | //*[@id='main'] | //body)[1]")
# A listing shows at least this many teasers, and they hold most of its main text.
_MIN_TEASERS = 3
_TEASER_SHARE = 0.5


def _made_of_teasers(tree: HtmlElement) -> bool:
    """True for a page made of article teasers (a tag or category archive, a blog's home),
    whatever its URL says: several entries whose heading links elsewhere hold most of the
    text of its main part, none of them most of it by itself (an article is one long entry,
    however many "read also" cards or comments follow it)."""
    teasers = _TEASERS(tree)
    ids = {id(e) for e in teasers}
    outer = [e for e in teasers if not any(id(p) in ids for p in e.iterancestors())]
    if len(outer) < _MIN_TEASERS:
        return False
    main = _MAIN(tree)
    main_text = len(clean_space(main[0].text_content())) if main else 0
    sizes = [len(clean_space(e.text_content())) for e in outer]
    share = _TEASER_SHARE * main_text
    return main_text > 0 and sum(sizes) >= share and max(sizes) < share


def looks_like_article(kind: str | None, title: str | None, text: str) -> bool:
    """An article: a SPIP article template, or, when the page does not say, a title and text."""
    if kind is not None:
        return kind == "article"
    return bool(title and text)


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        key = fold(value)
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


# --- article-level reading ----------------------------------------------------------------

# Candidates for the article's container, ranked in Python by :func:`_container_rank`.
_CONTAINERS = etree.XPath(
    "//body//*[self::article or self::main or @id='article' or @id='content' or @id='contenu'"
    " or @role='main' or contains(@itemtype, 'Article') or " + xpath_has_class("hentry", "article")
    + "]"
)  # fmt: skip
# The article's own prose (SPIP's chapô, text, notes and post-scriptum; common theme classes).
_BODY_TEXT = xpath_has_class(
    "texte", "chapo", "chapeau", "notes", "ps", "entry-content", "article-content", "field-body"
)
_IN_BODY_TEXT = etree.XPath("ancestor-or-self::*[" + _BODY_TEXT + "]")
_OUTSIDE_LISTS = "not(ancestor::li or ancestor::table or ancestor-or-self::*[" + _BODY_TEXT + "])"
_PLAIN_TIME = etree.XPath(".//time[" + _OUTSIDE_LISTS + "]")
# Elements whose class or microdata may mark a date or a byline; sorted out in Python, so the
# article is walked once for all of them.
_MARKED = etree.XPath(
    ".//*[@itemprop or @pubdate or contains(@class, 'publi') or contains(@class, 'date')"
    " or contains(@class, 'modified') or contains(@class, 'source') or contains(@class, 'byline')"
    " or contains(@class, 'signature') or contains(@class, 'credits')]"
)
_DATE_TAGS = frozenset({"time", "abbr", "span", "meta", "div", "p"})
_PUBLISHED_CLASSES = frozenset({"published", "pubdate", "date-publication", "dt-published"})
_UPDATED_CLASSES = frozenset({"updated", "modified", "dt-updated"})
_DATE_LINE_CLASSES = frozenset({"info-publi", "date", "dates", "date-publication", "post-date"})
_BYLINE_CLASSES = frozenset({"source", "sources", "byline", "signature", "credits", "info-publi"})
_IS_OUTSIDE_LISTS = etree.XPath(_OUTSIDE_LISTS)
_IN_LIST = etree.XPath("boolean(ancestor::li)")
# The article's own header: its title block, where SPIP and most themes put the date.
_IN_ARTICLE_HEADER = etree.XPath(
    "ancestor::*[self::header or "
    + xpath_has_class(
        "cartouche", "entry-header", "article-header", "post-header", "entry-meta", "post-meta",
        "article-meta", "info-publi",
    )
    + "]"
)  # fmt: skip
# Words that may open a "Publié le …" phrase: a cheap test before the real one.
_PHRASE_WORDS = ("publi", "à jour", "a jour", "modifi", "en ligne", "actualis")
_PHRASE_WORD = re.compile("|".join(_PHRASE_WORDS), re.IGNORECASE)
# Paragraphs, and divisions used as paragraphs (no block children).
# Paragraphs, divisions used as paragraphs (no block children), and the inline elements sites
# set a byline in (``<em>``, ``<strong>``, ``<small>``); in document order.
# Not in a list or a teaser (a listing entry's "Rubrique : 2 novembre 2023" is the entry's).
_BYLINE_CANDIDATES = etree.XPath(
    "(.//p | .//div[not(p or div or ul or ol or table)] | .//em | .//strong | .//small | .//i"
    " | .//b)[not(ancestor::li or ancestor-or-self::*[contains(@class, 'listing')"
    " or contains(@class, 'teaser') or contains(@class, 'related') or contains(@class, 'promo')])]"
)
# A labelled field: <dt>Source</dt><dd>DGCL</dd>.
_SOURCE_FIELDS = etree.XPath(".//dt[following-sibling::*[1][self::dd]]")
_SOURCE_FIELD = re.compile(r"^sources?\s*:?$")
_DATELINE_MAX_LENGTH = 160
_DATELINE_START = re.compile(
    r"^(?:article |page |texte |\W+)?"
    r"(?:publie|mise? (?:a jour|en ligne)|modifie|derniere|date de publication|actualise|en ligne)"
)


@dataclass
class ArticleInfo:
    """What the article's own content says about it, and the elements that said it."""

    source: str | None
    published: str | None
    published_source: str | None  # the reader that gave it (see page_dates)
    updated: str | None
    updated_source: str | None
    byline: Byline | None
    remove: list[HtmlElement]  # byline and date lines: metadata, not text
    warnings: list[str]


def read_article(
    tree: HtmlElement,
    *,
    today: date | None = None,
    structured: Structured | None = None,
    urls: list[str] | None = None,
    lang: str | None = None,
    html: str | None = None,
    removed: list[HtmlElement] | None = None,
    hints: ExtractionHints | None = None,
) -> ArticleInfo:
    """Read byline and dates from a tree whose boilerplate has been removed.

    ``hints`` are the site's extraction hints: the ``byline`` one is read before the byline
    heuristics, the ``date`` one before every date reader (provenance ``hint``).

    ``structured`` is what the page's metadata said before its scripts were removed (read here
    from what is left when not given); ``urls`` are the page's URLs (for a date in the path);
    ``html`` the whole page as decoded, for htmldate as the last resort, and ``removed`` the
    boilerplate taken out of it, whose dates htmldate must not give.
    """
    container = article_container(tree)
    marked = _Marked.sort(_MARKED(container))
    byline, byline_elements = _hinted_byline(tree, hints)
    if byline is None:
        byline, byline_elements = _find_byline(container, marked.bylines)
    datelines, phrases = _dated_phrases(container, byline_elements)
    structured = structured if structured is not None else read_structured(tree)
    lang = lang if lang is not None else _lang(tree)
    info_publi = [e for e in marked.date_lines if "info-publi" in class_tokens(e)]
    other_lines = [e for e in marked.date_lines if "info-publi" not in class_tokens(e)]
    header_times, other_times = _plain_times(container)
    candidates = [
        *_hinted_dates(tree, hints),
        *_candidates("spip-header", "published", element_date_texts(marked.published)),
        *_candidates("spip-header", "published", element_date_texts(header_times)),
        *_candidates("spip-header", "published", [f for k, f in phrases if k == "published"]),
        *_candidates("spip-header", "published", _date_lines(info_publi)),
        *_candidates("spip-header", "updated", [f for k, f in phrases if k == "updated"]),
        *_candidates("spip-header-markup", "updated", element_date_texts(marked.updated)),
        *_candidates("byline", "published", [byline.date_text] if byline else []),
        *_candidates("byline", "updated", [byline.updated_text] if byline else []),
        *structured.candidates,
        *_candidates("time", "published", element_date_texts(other_times)),
        *_candidates("date-line", "published", _date_lines(other_lines)),
        *_candidates("date-line", "published", self_published_days(container, today)),
    ]
    url = (urls or [""])[0]
    context = DateContext(today, lang, structured.stamp_text)
    dates = resolve_dates(
        candidates,
        context,
        urls=urls or [],
        late_readers={
            "near-title": lambda: near_title_day(tree, lang, url, today),
            "htmldate": lambda: htmldate_day(html, url, context, removed or []),
        },
    )
    return ArticleInfo(
        source=byline.source if byline else _signed_author(container),
        published=dates.published,
        published_source=dates.published_source,
        updated=dates.updated,
        updated_source=dates.updated_source,
        byline=byline,
        remove=[*byline_elements, *datelines],
        warnings=dates.warnings,
    )


_SOURCE_LABEL = re.compile(r"^\s*(?:source\s*:|par\s)\s*", re.IGNORECASE)


def _hinted_byline(
    tree: HtmlElement, hints: ExtractionHints | None
) -> tuple[Byline | None, list[HtmlElement]]:
    """The byline the site's ``byline`` hint selects, read with the byline grammar (a bare
    name is the source); its elements leave the text like any byline."""
    hint = hints.byline if hints else None
    for text in hint_texts(tree, hint):
        byline = parse_byline(text)
        if byline is None and len(text) <= BYLINE_MAX_LENGTH:
            source = _SOURCE_LABEL.sub("", text).strip(" .:-–—")
            byline = Byline(text, source, None, None) if source else None
        if byline is not None:
            return byline, hint_elements(tree, hint)
    return None, []


def _hinted_dates(tree: HtmlElement, hints: ExtractionHints | None) -> list[Candidate]:
    """Candidates from the site's ``date`` hint: its "Publié le"/"mis à jour le" phrases when
    it has some, else its whole text (or attribute) as the publication date."""
    found = []
    for text in hint_texts(tree, hints.date if hints else None):
        phrases = find_dated_phrases(text)
        found += [Candidate("hint", kind, fragment) for kind, fragment in phrases]
        if not phrases:
            found.append(Candidate("hint", "published", text))
    return found


def _candidates(source: str, kind: str, texts: list[str]) -> list[Candidate]:
    return [Candidate(source, kind, text) for text in texts if text]


@dataclass
class _Marked:
    """The article's elements marked as dates or bylines, by what they mark."""

    published: list[HtmlElement] = field(default_factory=list)
    updated: list[HtmlElement] = field(default_factory=list)
    date_lines: list[HtmlElement] = field(default_factory=list)
    bylines: list[HtmlElement] = field(default_factory=list)

    @classmethod
    def sort(cls, elements: list[HtmlElement]) -> _Marked:
        marked = cls()
        for element in elements:
            classes = set(class_tokens(element))
            if element.tag in _DATE_TAGS and not _IN_LIST(element):  # a list's: an entry's
                # (microdata, itemprop="datePublished", is read as such: see page_dates)
                if element.get("pubdate") is not None or classes & _PUBLISHED_CLASSES:
                    marked.published.append(element)
                if classes & _UPDATED_CLASSES:
                    marked.updated.append(element)
            if classes & _DATE_LINE_CLASSES and _IS_OUTSIDE_LISTS(element):
                marked.date_lines.append(element)
            if classes & _BYLINE_CLASSES:
                marked.bylines.append(element)
        return marked


def article_container(tree: HtmlElement) -> HtmlElement:
    """The element holding the article (SPIP's ``.hentry``, ``<article>``, ``#contenu``…)."""
    ranked = [
        (rank, index, e)
        for index, e in enumerate(_CONTAINERS(tree))
        if (rank := _container_rank(e)) is not None
    ]
    return min(ranked)[2] if ranked else tree.body


def _container_rank(element: HtmlElement) -> int | None:
    classes = class_tokens(element)
    if "hentry" in classes:
        return None if element.tag == "li" else 0  # li.hentry: an item of a listing
    if element.tag == "article":
        return 1
    if "Article" in (element.get("itemtype") or ""):
        return 2
    if element.get("id") == "article" or "article" in classes:
        return 3
    if element.get("id") in _CONTENT_IDS:
        return 4
    return 5 if element.tag == "main" or element.get("role") == "main" else None


def _plain_times(container: HtmlElement) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """``<time>`` elements of the article (not in lists, tables or the body text), not marked as
    an update: those in the article's header, and the others."""
    updated = {"updated", "modified", "dt-updated"}
    times = [
        t for t in _PLAIN_TIME(container)
        if t.get("itemprop") != "dateModified" and not updated.intersection(class_tokens(t))
    ]  # fmt: skip
    header = [t for t in times if _IN_ARTICLE_HEADER(t)]
    return header, [t for t in times if t not in header]


def _date_lines(elements: list[HtmlElement]) -> list[str]:
    """Texts of publication lines (SPIP's ``p.info-publi``: "mercredi 12 mars 2008, par …")
    that carry no "Publié le"/"mis à jour le" phrase (those are read as phrases)."""
    texts = (text_of(element) for element in elements)
    return [text for text in texts if text and not find_dated_phrases(text)]


def _dated_phrases(
    container: HtmlElement, byline: list[HtmlElement]
) -> tuple[list[HtmlElement], list[tuple[str, str]]]:
    """Short blocks saying "Publié le …"/"mis à jour le …": the ``(kind, fragment)`` phrases
    found, and the date lines outside the body text (metadata, to remove from the text).

    Inside the body text a phrase counts only when it opens its paragraph ("Mise à jour du
    3 mars : …"), so "le décret publié le 3 mars" in a sentence is never the article's date;
    and body paragraphs are never removed. The ``byline``'s elements are left to the byline
    reader ("Sénat - Publié le 4 mars 2019" is a byline).
    """
    blocks: list[HtmlElement] = []
    everything = container.text_content().lower()
    if not any(word in everything for word in _PHRASE_WORDS):  # plain `in`: far faster than re
        return [], []
    for element in container.iter():
        if element.text and _PHRASE_WORD.search(element.text):
            block = _enclosing_block(element)
        elif element.tail and _PHRASE_WORD.search(element.tail):
            block = _enclosing_block(element.getparent())
        else:
            continue
        if block is not None and block not in blocks and not _within(block, byline):
            blocks.append(block)
    datelines: list[HtmlElement] = []
    phrases: list[tuple[str, str]] = []
    for block in blocks:
        text = text_of(block)
        if len(text) > _DATELINE_MAX_LENGTH:
            continue
        opens = bool(_DATELINE_START.match(fold(text)))
        in_body_text = bool(_IN_BODY_TEXT(block))
        if in_body_text and not opens:
            continue
        found = find_dated_phrases(text)
        phrases.extend(found)
        if found and opens and not in_body_text:
            datelines.append(block)
    return datelines, phrases


def _within(element: HtmlElement, elements: list[HtmlElement]) -> bool:
    """``element`` is one of ``elements``, inside one, or holds one."""
    if not elements:
        return False
    return any(
        element is e or element in e.iterancestors() or e in element.iterancestors()
        for e in elements
    )


def _enclosing_block(element: HtmlElement | None) -> HtmlElement | None:
    while element is not None and element.tag not in BLOCK_TAGS:
        element = element.getparent()
    return element


# SPIP's publication line signs the article: ``<span class="auteurs">par <span class="vcard
# author"><a class="url fn">Régions de France</a>``. On these sites the "author" is the issuing
# body, so it stands in for the source when no byline names one.
_SIGNED_AUTHOR = etree.XPath(
    ".//*[" + xpath_has_class("auteurs") + " or " + xpath_has_class("author") + "]"
    "//*[" + xpath_has_class("fn") + "]"
)


def _signed_author(container: HtmlElement) -> str | None:
    for element in _SIGNED_AUTHOR(container):
        name = normalize(text_of(element))
        if name and is_source(name):
            return name
    return None


def _find_byline(
    container: HtmlElement, classed: list[HtmlElement]
) -> tuple[Byline | None, list[HtmlElement]]:
    """The byline (:mod:`.bylines`), and every element that says it.

    Looked for, in this order: in an element classed as one (``.source``, ``.byline``…); on a
    short line closing its block (the end of the text); in a labelled field (``<dt>Source</dt>
    <dd>…</dd>``); on a short line opening its block (the start of the text). Every element
    repeating the byline found is returned with it (a chapô copied into the body brings its
    byline).
    """
    for element in classed:
        byline = parse_byline(text_of(element))
        if byline:
            return byline, [element]
    candidates = _BYLINE_CANDIDATES(container)
    closing = [e for e in candidates if _closes_its_block(e)]
    found, elements = _first_byline(closing)
    if found is None:
        found, elements = _source_field(container)
    opening = [e for e in candidates if _opens_its_block(e)]
    if found is None:
        found, elements = _first_byline(opening)
    if found is not None:
        size = len(found.text)
        for element in (*closing, *opening):
            if element in elements:
                continue
            text = element.text_content()
            if len(text) >= size and normalize(text) == found.text:
                elements.append(element)
    return found, elements


# What every byline holds: a date's digit, or the "Source" label.
_MAY_BE_BYLINE = re.compile(r"\d|ource")


def _first_byline(elements: list[HtmlElement]) -> tuple[Byline | None, list[HtmlElement]]:
    for element in elements:
        text = element.text_content()
        if len(text) > 2 * BYLINE_MAX_LENGTH or not _MAY_BE_BYLINE.search(text):
            continue
        byline = parse_byline(text)
        if byline:
            return byline, [element]
    return None, []


def _source_field(container: HtmlElement) -> tuple[Byline | None, list[HtmlElement]]:
    for term in _SOURCE_FIELDS(container):
        if _SOURCE_FIELD.match(fold(text_of(term))):
            value = term.getnext()
            byline = parse_byline(f"Source : {text_of(value)}")
            if byline:
                return byline, [term, value]
    return None, []


def _opens_its_block(element: HtmlElement) -> bool:
    """True for one of the first two non-empty children of its parent."""
    preceding = 0
    for sibling in element.itersiblings(preceding=True):
        if isinstance(sibling.tag, str) and sibling.text_content().strip():
            preceding += 1
            if preceding > 1:
                return False
    return True


def _closes_its_block(element: HtmlElement) -> bool:
    """True for one of the last two non-empty children of its parent."""
    following = 0
    for sibling in element.itersiblings():
        if isinstance(sibling.tag, str) and sibling.text_content().strip():
            following += 1
            if following > 1:
                return False
    return True
