"""A first look at a new site, in a handful of requests, to write its ``[[site]]`` table.

:func:`survey` asks, in this order and each at most once: ``robots.txt``; the page given; for
SPIP, its site map (``spip.php?page=plan``); the first sitemap; the first feed; one sample
article. From them it reads the CMS and its version (``<meta name="generator">``, SPIP's
``Composed-By`` header), the rubrics (the navigation menus and the site map), the feeds and
sitemaps the site announces, what robots.txt asks, and the extraction of the sample article.
:func:`site_block` turns that into a ready ``[[site]]`` table, with what could not be worked out
as comments.

Every request is robots.txt-checked, bounded in time and size, and stays on the site.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from protego import Protego

from regarchive.pipelines.extraction.page import parse_page
from regarchive.pipelines.extraction.urls import (
    excluded_reason,
    is_pagination_of,
    looks_like_listing,
    normalize_url,
    query_params,
    site_of,
)
from regarchive.scraper.discovery.feeds import read_feed
from regarchive.scraper.discovery.links import FeedLink, feed_links
from regarchive.scraper.discovery.sitemaps import (
    default_sitemap_url,
    read_sitemap,
    sitemaps_from_robots,
)

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 20.0
MAX_RUBRICS = 60
# Where sites put their menus of rubrics (not SPIP's div.menu: that lists articles).
_MENU_XPATH = "//nav//a[@href] | //*[@id='nav' or @id='menu' or @role='navigation']//a[@href]"
_PLAN_XPATH = "//body//*[self::main or @id='content' or contains(@class, 'plan')]//a[@href]"
_GENERATOR_XPATH = "//meta[translate(@name, 'GENRATO', 'genrato')='generator']/@content"
_GENERATOR = re.compile(r"^\s*([A-Za-z][\w .+-]*?)\s+v?(\d+(?:\.\d+)*)", re.ASCII)
_SPIP_RUBRIC = re.compile(r"^rubrique\d+$")
_PROPRE_RUBRIC = re.compile(r"^/-[^/]+-/?$")
_RUBRIC_PATH = re.compile(r"/rubrique\d+\.html?$")


class SurveyError(Exception):
    """The site could not be looked at at all; the message is one line."""


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


Fetch = Callable[[str], Fetched]


@dataclass
class Survey:
    """What :func:`survey` found; ``unknown`` lists what it could not work out, one line each."""

    url: str
    name: str
    cms: str | None = None
    robots_found: bool = False
    robots_rules: int = 0
    crawl_delay: float | None = None
    rubrics: list[tuple[str, str]] = field(default_factory=list)
    feeds: list[FeedLink] = field(default_factory=list)
    feed_entries: int | None = None
    sitemaps: list[str] = field(default_factory=list)
    sitemap_urls: int | None = None
    sitemap_lastmods: int = 0
    sample: dict[str, Any] | None = None
    requests: int = 0
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def survey(url: str, fetch: Fetch, user_agent: str = "regarchive") -> Survey:
    """Look at the site of ``url``; raises :class:`SurveyError` if the page cannot be read."""
    url = normalize_url(url)
    root = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    found = Survey(url=url, name=_site_name(url))
    counted = _Counter(fetch, found)

    robots = _robots(root, counted, found)
    allowed = (lambda target: robots.can_fetch(target, user_agent)) if robots else lambda _: True
    if not allowed(url):
        raise SurveyError(f"robots.txt of {root} forbids {url} to crawlers")
    page = counted(url)
    if page is None or page.status >= 400:
        status = f"HTTP {page.status}" if page else "no answer"
        raise SurveyError(f"could not read {url} ({status})")
    tree = parse_page(page.body, page.headers.get("content-type")).tree
    found.cms = _cms(tree, page.headers)
    found.feeds = feed_links(tree, page.url)
    spip = bool(found.cms and found.cms.startswith("SPIP"))
    rubrics = _rubric_links(tree, page.url, _MENU_XPATH, any_page=not spip)
    if spip:
        plan_url = f"{root}/spip.php?page=plan"
        plan = counted(plan_url) if allowed(plan_url) else None
        if plan is not None and plan.status < 400:
            plan_tree = parse_page(plan.body, plan.headers.get("content-type")).tree
            rubrics += _rubric_links(plan_tree, plan.url, _PLAN_XPATH, any_page=False)
        else:
            found.unknown.append(f"the site map {plan_url} could not be read")
    if _is_rubric(url) and all(link != url for link, _ in rubrics):
        rubrics.insert(0, (url, ""))
    found.rubrics = _unique(rubrics)[:MAX_RUBRICS]
    if not found.rubrics:
        found.unknown.append(
            "no rubric found in the menus or the site map: list the rubric pages in start_urls"
        )
    if not found.cms:
        found.unknown.append("which CMS the site runs (no <meta name=generator>)")

    candidates = _sitemap(root, robots, counted, allowed, found)
    candidates = _feed(counted, allowed, found) or candidates
    _sample(candidates, counted, allowed, found)
    return found


class _Counter:
    """The fetch function, counting requests and turning failures into None."""

    def __init__(self, fetch: Fetch, found: Survey) -> None:
        self.fetch = fetch
        self.found = found

    def __call__(self, url: str) -> Fetched | None:
        self.found.requests += 1
        try:
            page = self.fetch(url)
        except OSError:
            return None
        if site_of(page.url) != site_of(url):
            self.found.notes.append(f"{url} redirects to another site ({page.url}): not followed")
            return None
        return page


def _robots(root: str, fetch: _Counter, found: Survey) -> Protego | None:
    page = fetch(f"{root}/robots.txt")
    if page is None or page.status >= 400:
        found.unknown.append("robots.txt: none (the crawl will fetch everything it finds)")
        return None
    text = page.body[:MAX_BYTES].decode("utf-8", "replace")
    robots = Protego.parse(text)
    found.robots_found = True
    fields = (line.split(":")[0].strip().lower() for line in text.splitlines())
    found.robots_rules = sum(1 for name in fields if name in ("allow", "disallow"))
    found.crawl_delay = robots.crawl_delay("*")
    found.sitemaps = sitemaps_from_robots(page.body, f"{root}/robots.txt")
    return robots


def _cms(tree: Any, headers: dict[str, str]) -> str | None:
    for content in tree.xpath(_GENERATOR_XPATH):
        match = _GENERATOR.match(str(content))
        if match:
            return f"{match.group(1).strip()} {match.group(2)}"
        if str(content).strip():
            return str(content).strip()[:60]
    composed = headers.get("composed-by", "")
    match = re.match(r"\s*SPIP\s+(\d+(?:\.\d+)*)", composed)
    return f"SPIP {match.group(1)}" if match else None


def _rubric_links(tree: Any, base: str, xpath: str, *, any_page: bool) -> list[tuple[str, str]]:
    """Links to rubrics under ``xpath``; with ``any_page`` (the menus of a site that is not
    SPIP, whose rubric URLs have no telltale shape), every link but the home page's."""
    links = []
    for anchor in tree.xpath(xpath):
        url = normalize_url(anchor.get("href") or "", base)
        if not url or site_of(url) != site_of(base) or excluded_reason(url):
            continue
        if is_pagination_of(url):
            continue
        if _is_rubric(url) or (any_page and _is_page(url)):
            links.append((url, " ".join(anchor.text_content().split())))
    return links


def _is_rubric(url: str) -> bool:
    """SPIP's rubric URLs: ``spip.php?rubrique5``, ``rubrique5.html``, ``-Titre-``,
    ``spip.php?page=rubrique&id_rubrique=5``."""
    params = query_params(url)
    path = urlsplit(url).path
    return (
        any(_SPIP_RUBRIC.match(key) for key in params)
        or (params.get("page") == "rubrique" and "id_rubrique" in params)
        or bool(_RUBRIC_PATH.search(path) or _PROPRE_RUBRIC.match(path))
    )


def _is_page(url: str) -> bool:
    """A menu link of a site that is not SPIP: anything but the home page."""
    return urlsplit(url).path not in ("", "/", "/index.php", "/spip.php") or bool(
        urlsplit(url).query
    )


def _unique(links: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for url, name in links:
        if not seen.get(url):
            seen[url] = name
    return list(seen.items())


def _sitemap(
    root: str,
    robots: Protego | None,
    fetch: _Counter,
    allowed: Callable[[str], bool],
    found: Survey,
) -> list[str]:
    target = found.sitemaps[0] if found.sitemaps else default_sitemap_url(root)
    if not found.sitemaps:
        found.notes.append("robots.txt names no sitemap; tried /sitemap.xml")
    page = fetch(target) if allowed(target) else None
    if page is None or page.status >= 400:
        found.unknown.append(f"no sitemap at {target}: changes are found from listings only")
        return []
    sitemap = read_sitemap(page.body, page.url)
    found.notes += sitemap.warnings
    if sitemap.is_index:
        found.sitemap_urls = None
        found.notes.append(f"{target} is a sitemap index of {len(sitemap.sitemaps)} sitemaps")
        return []
    if not found.sitemaps:
        found.sitemaps = [target]
    found.sitemap_urls = len(sitemap.entries)
    found.sitemap_lastmods = sum(1 for entry in sitemap.entries if entry.lastmod)
    return [entry.url for entry in sitemap.entries if _may_be_article(entry.url)]


def _feed(fetch: _Counter, allowed: Callable[[str], bool], found: Survey) -> list[str]:
    if not found.feeds:
        found.unknown.append("no feed announced (<link rel=alternate type=application/rss+xml>)")
        return []
    target = found.feeds[0].url
    page = fetch(target) if allowed(target) else None
    if page is None or page.status >= 400:
        found.unknown.append(f"the feed {target} could not be read")
        return []
    feed = read_feed(page.body, page.url)
    found.notes += feed.warnings
    found.feed_entries = len(feed.entries)
    return [entry.url for entry in feed.entries if _may_be_article(entry.url)]


def _sample(
    candidates: list[str], fetch: _Counter, allowed: Callable[[str], bool], found: Survey
) -> None:
    from regarchive.pipelines.extraction.core import extract_record

    target = next((url for url in candidates if allowed(url)), None)
    if target is None:
        found.unknown.append("no sample article (no feed or sitemap listing one)")
        return
    page = fetch(target)
    if page is None or page.status >= 400:
        found.unknown.append(f"the sample article {target} could not be read")
        return
    found.sample = extract_record(
        page.body, target, content_type=page.headers.get("content-type"), final_url=page.url
    )
    record = found.sample
    if not record.get("published"):
        found.unknown.append(
            "the sample article's publication date: set hints.date to where the page shows it"
        )
    if not record.get("is_article"):
        found.unknown.append(
            "the sample page was not read as an article: set hints.article to its text's element"
        )


def _may_be_article(url: str) -> bool:
    return excluded_reason(url) is None and not looks_like_listing(url)


def _site_name(url: str) -> str:
    host = (urlsplit(url).hostname or "site").removeprefix("www.")
    if re.fullmatch(r"[\d.]+|.*:.*", host):  # an IP address says nothing of the site
        return "site"
    labels = host.split(".")
    name = labels[0] if len(labels) > 1 else host
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)[:40] or "site"


# -- output -------------------------------------------------------------------------------------


def site_block(found: Survey) -> str:
    """A ``[[site]]`` table for ``found``, ready to paste, with what was found and what was not
    as TOML comments."""
    lines = [f"# regarchive init {found.url} ({found.requests} requests)"]
    lines.append(f"# CMS: {found.cms or 'unknown'}")
    if found.robots_found:
        delay = f", Crawl-delay: {found.crawl_delay:g} s" if found.crawl_delay else ""
        lines.append(f"# robots.txt: {found.robots_rules} Allow/Disallow rules{delay}")
    if found.sitemaps:
        what = (
            f": {found.sitemap_urls} URLs, {found.sitemap_lastmods} with <lastmod>"
            if found.sitemap_urls is not None
            else ""
        )
        lines.append(f"# sitemap: {', '.join(found.sitemaps)}{what}")
    if found.feeds:
        entries = f" ({found.feed_entries} items)" if found.feed_entries is not None else ""
        lines.append(f"# feeds: {', '.join(f.url for f in found.feeds)}{entries}")
    if found.sample:
        record = found.sample
        lines.append(f"# sample article: {record.get('url')}")
        lines.append(
            f"#   title: {record.get('title')!r}; published: {record.get('published')}; "
            f"category: {record.get('category')}; source: {record.get('source')}; "
            f"{len(record.get('text') or '')} characters of text"
        )
    lines += [f"# note: {note}" for note in found.notes]
    lines += ["", "[[site]]", f'name = "{found.name}"']
    if found.rubrics:
        lines.append("start_urls = [")
        for url, name in found.rubrics:
            comment = f"  # {name}" if name else ""
            lines.append(f"    {_toml_string(url)},{comment}")
        lines.append("]")
    else:
        lines.append(f"start_urls = [{_toml_string(found.url)}]  # check: no rubric was found")
    if found.crawl_delay:
        lines.append(f"delay = {found.crawl_delay:g}  # robots.txt's Crawl-delay")
    lines.append(f"discovery = {'true' if (found.sitemaps or found.feeds) else 'false'}")
    if found.unknown:
        lines += ["", "# Could not work out:"]
        lines += [f"# - {problem}" for problem in found.unknown]
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- fetching -----------------------------------------------------------------------------------


def http_fetcher(user_agent: str, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> Fetch:
    """A fetch function over urllib: honest User-Agent, bounded time and size, gzip refused
    (``Accept-Encoding: identity``), 4xx/5xx returned as they are."""

    def fetch(url: str) -> Fetched:
        request = urllib.request.Request(
            url, headers={"User-Agent": user_agent, "Accept-Encoding": "identity"}
        )
        try:
            response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - http(s) only
        except urllib.error.HTTPError as error:
            response = error
        with response:
            body = response.read(max_bytes + 1)[:max_bytes]
            headers = {name.lower(): value for name, value in response.headers.items()}
            return Fetched(response.geturl(), response.status or 0, headers, body)

    return fetch
