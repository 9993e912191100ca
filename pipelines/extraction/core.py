"""From a saved page to the archive's record: the extraction layer's one entry point."""

from __future__ import annotations

from datetime import date
from typing import Any

from regarchive.pipelines.extraction.attachments import AttachmentLinks
from regarchive.pipelines.extraction.hints import ExtractionHints, hint_elements
from regarchive.pipelines.extraction.metadata import looks_like_article, read_article, read_page
from regarchive.pipelines.extraction.page import parse_page
from regarchive.pipelines.extraction.page_dates import read_structured
from regarchive.pipelines.extraction.text import (
    extract_text,
    find_headed_blocks,
    fingerprint,
    remove_boilerplate,
    suspicious_text,
)


def extract_record(
    body: bytes,
    url: str,
    *,
    content_type: str | None = None,
    final_url: str | None = None,
    today: date | None = None,
    hints: ExtractionHints | None = None,
) -> dict[str, Any]:
    """The record of one fetched page (see docs/CONTRACTS.md), computed from the page alone.

    A pure function: no I/O, no clock except ``today`` (the bound for "future" dates, default
    the current date), plain data out, so it can run in a process pool.

    ``hints`` are the page's site's extraction hints from its sites file (article root, byline,
    date, category as compiled XPath, see :mod:`.hints`): each stage below tries its hint
    before its heuristics (``category_source``/``published_source`` ``"hint"``), and a hint
    that selects nothing on a page leaves the heuristics to do as without it. The HTML is parsed
    once and every stage works on that one tree, in this order:

    1. decode like Scrapy (HTTP charset, BOM, ``<meta>``, detection) and parse (``page``);
       read the dates the page's metadata gives (JSON-LD, ``<meta>``, microdata) while its
       scripts are still there (``page_dates.read_structured``);
    2. find the headed blocks ("Dans la même rubrique", "À lire aussi"…) (``text``);
    3. read the page as a whole: canonical URL, language, title without its ``Actu - Régions -``
       prefix, category, breadcrumb rubrics, related links, page kind (``metadata.read_page``);
    4. remove what is never the article: sidebars, those blocks, navigation, breadcrumb, header
       and footer, consent banners, share buttons, forms (``text.remove_boilerplate``);
    5. read what only the article says, now that no sidebar or listing is left to mislead:
       byline (source) and publication/update dates, every reader in its order of trust, with
       the name of the one that gave each (``metadata.read_article``, ``page_dates``);
    6. take the article header, byline and date lines out, read the chapô, let trafilatura read
       the body, drop repeated paragraphs and the byline line (``text.extract_text``);
    7. fingerprint the text and decide whether the page is an article at all.
    """
    page = parse_page(body, content_type)
    tree = page.tree
    structured = read_structured(tree, page.text)
    blocks = find_headed_blocks(tree)
    info = read_page(
        tree,
        url=url,
        final_url=final_url,
        blocks=blocks,
        html=page.text,
        structured=structured,
        hints=hints,
    )
    attachments = AttachmentLinks(tree, final_url or url)
    attachments.read_blocks(tree)
    removed = remove_boilerplate(tree, blocks)
    attachments.read_content(tree)
    article = read_article(
        tree,
        today=today,
        structured=structured,
        urls=info.urls,
        lang=info.lang,
        html=page.text,
        removed=removed,
        hints=hints,
    )
    roots = hint_elements(tree, hints.article) if hints else []
    if roots:
        _keep_only(tree, roots[0])
    text = extract_text(
        tree,
        byline=article.byline.text if article.byline else None,
        remove=article.remove,
    )
    is_article = looks_like_article(info.kind, info.title, text.text)
    return {
        "url": info.url,
        "urls": info.urls,
        "site": info.site,
        "title": info.title,
        "category": info.category,
        "category_source": info.category_source,
        "rubrics": info.rubrics,
        "source": article.source,
        "published": article.published,
        "published_source": article.published_source,
        "updated": article.updated,
        "updated_source": article.updated_source,
        "text": text.text,
        "lang": info.lang,
        "content_hash": fingerprint(text.text),
        "related": info.related,
        "attachments": attachments.as_list(),
        "warnings": _warnings(
            is_article,
            info.kind,
            article.published,
            [*info.warnings, *article.warnings],
            [*text.warnings, *suspicious_text(text.text)],
        ),
        "is_article": is_article,
    }


def _keep_only(tree: Any, root: Any) -> None:
    """Make ``root`` (the site's ``article`` hint) the page body's only content, so that the
    text is read from it alone."""
    body = tree.body
    if root is body or body is None or root not in body.iterdescendants():
        return
    root.tail = None
    root.getparent().remove(root)
    for child in list(body):
        body.remove(child)
    body.text = None
    body.append(root)


def _warnings(
    is_article: bool,
    kind: str | None,
    published: str | None,
    date_warnings: list[str],
    text_warnings: list[str],
) -> list[str]:
    """Date and text warnings; for a page that is no article, only that fact."""
    if not is_article:
        return [f"not an article ({kind or 'no title or text'})"]
    missing = [] if published else ["no publication date found"]
    return [*date_warnings, *missing, *text_warnings]
