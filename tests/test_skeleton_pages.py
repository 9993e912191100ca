"""The sample site's skeletons, page by page (no server): what the extractor and the listing
reader make of the pages other CMSs serve besides their articles."""

from __future__ import annotations

import lxml.html
import pytest

from regarchive.demo.site import build_site, skeleton_names
from regarchive.demo.skeletons.spip_dist import SpipDistSite
from regarchive.pipelines.extraction.core import extract_record
from regarchive.scraper import listing

BASE = "http://127.0.0.1:8000"


def extracted(site, path: str) -> dict:
    page = site.lookup(path)
    assert page is not None, path
    return extract_record(page.body, site.url(path), content_type=page.content_type)


def test_the_default_skeleton_is_spip_dist_and_an_unknown_one_is_refused() -> None:
    assert skeleton_names()[0] == "spip-dist"
    assert isinstance(build_site(BASE), SpipDistSite)
    with pytest.raises(ValueError, match="no skeleton 'joomla'"):
        build_site(BASE, skeleton="joomla")


def test_a_page_of_teasers_is_a_listing_whatever_its_url() -> None:
    site = build_site(BASE, skeleton="wordpress")
    # /sujet/… is a tag archive under a custom base: nothing in the URL says "listing".
    for path in ("/sujet/circulaires/", "/sujet/apprentissage/", "/", "/category/regions/"):
        record = extracted(site, path)
        assert not record["is_article"], path
        assert record["warnings"] == ["not an article (listing)"]
    article = site.articles[0]
    assert extracted(site, article.canonical_url.removeprefix(BASE))["is_article"]


@pytest.mark.parametrize("skeleton", skeleton_names())
def test_listing_entries_never_link_a_tag_or_category_page(skeleton: str) -> None:
    site = build_site(BASE, skeleton=skeleton)
    articles = {url for truth in site.articles for url in truth.urls}
    for root in site.rubrics.values():
        tree = lxml.html.fromstring(site.lookup(root.removeprefix(BASE)).body)
        links = {link.url for link in listing.article_links(tree, root)}
        # Only articles (and the page robots.txt forbids): no tag, category or pager link.
        assert links <= articles | {site.url(site.disallowed_path)}, links - articles


@pytest.mark.parametrize("skeleton", [s for s in skeleton_names() if s != "spip-dist"])
def test_listing_headings_give_the_rubric_name(skeleton: str) -> None:
    site = build_site(BASE, skeleton=skeleton)
    for name, root in site.rubrics.items():
        tree = lxml.html.fromstring(site.lookup(root.removeprefix(BASE)).body)
        assert listing.rubric_name(tree) == name
