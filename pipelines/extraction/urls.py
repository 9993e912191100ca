"""URL normalisation and classification shared by the spider and the extractor.

One function decides what "the same URL" means (:func:`normalize_url`), so a link seen in a
listing, the URL it was fetched at and the page's ``rel=canonical`` all meet in the archive.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from w3lib.url import url_query_cleaner

from regarchive.archive.url_spelling import spell

# Query parameters that only say where a visitor came from; they never change the page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "xtor",
        "xts",
        "at_medium",
        "at_campaign",
        "at_platform",
        "at_send_date",
        "var_mode",
        "var_recherche",
        "_ga",
        "_gl",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")

# Session ids servers put in links when cookies are off (PHP's trans_sid, Java's URL rewriting,
# ColdFusion, shop software): a new one on every visit makes every page a new URL, a spider
# trap. SPIP never puts one in a link, and its own parameters (``id_article``, ``page``,
# ``debut_articles``…) are none of these.
SESSION_PARAMS = frozenset(
    {
        "sid",
        "phpsessid",
        "jsessionid",
        "sessionid",
        "session_id",
        "sessid",
        "cfid",
        "cftoken",
        "oscsid",
        "zenid",
    }
)
SESSION_PREFIXES = ("aspsessionid",)
# vBulletin-style ``s=<hash>``: a session only when the value is a long hex hash (a bare ``s``
# is a search or a section on many sites).
_SESSION_HASH = re.compile(r"^[0-9a-f]{32,}$", re.I)
# ``;jsessionid=…`` path parameters (Java servlets) and ASP.NET's cookieless ``/(S(…))/``.
_SESSION_PATH_PARAM = re.compile(r";jsessionid=[^/;?#]*", re.I)
_ASPNET_SESSION_SEGMENT = re.compile(r"/\((?:[A-Z]\([^()/]*\))+\)(?=/)")

# Extensions Scrapy's link extractors ignore (``scrapy.linkextractors.IGNORED_EXTENSIONS``:
# documents, images, audio, video, archives, executables), plus the feeds, data files and fonts
# these sites also link that Scrapy's list lacks. Read from Scrapy only when a URL has an
# extension no page has: importing Scrapy costs a worker or `regarchive extract` 0.2 s and 20 MB.
EXTRA_BINARY_EXTENSIONS = frozenset(
    "rtf csv gz tgz epub json xml atom ics woff woff2 ttf eot mkv ogv oga".split()
)
# Extensions (and no extension) that pages are served under: no need to ask Scrapy about them.
_PAGE_EXTENSIONS = frozenset({"", "html", "htm", "php", "php3", "php4", "asp", "aspx", "jsp",
                              "shtml", "xhtml", "cfm", "cgi", "pl"})  # fmt: skip


@lru_cache(maxsize=1)
def binary_extensions() -> frozenset[str]:
    """Scrapy's ``IGNORED_EXTENSIONS`` and :data:`EXTRA_BINARY_EXTENSIONS`, lower case."""
    from scrapy.linkextractors import IGNORED_EXTENSIONS

    return frozenset(e.lower() for e in IGNORED_EXTENSIONS) | EXTRA_BINARY_EXTENSIONS


# SPIP templates (``page=…``) and paths that never hold an article.
_EXCLUDED_PAGES = {
    "imprimer": "print version",
    "imprimer_article": "print version",
    "print": "print version",
    "backend": "feed",
    "backend-breves": "feed",
    "rss": "feed",
    "atom": "feed",
    "recherche": "search page",
    "login": "login page",
    "plan": "site map",
    "sitemap": "site map",
    "contact": "contact form",
    "calendrier": "calendar",
}
_ADMIN_PATH = re.compile(
    r"^/(?:ecrire|prive|lib|squelettes|plugins|local|IMG|config|tmp)(?:/|$)", re.I
)
_FEED_PATH = re.compile(r"(?:^|/)(?:feed|rss|atom|backend)(?:\.php3?|\.xml)?/?$", re.I)
_PRINT_PATH = re.compile(r"(?:^|/)(?:imprimer|print|version-imprimable)(?:/|$|\.html?$)", re.I)
_SEARCH_PATH = re.compile(r"(?:^|/)(?:recherche|search)(?:/|$|\.html?$)", re.I)

_SPIP_ARTICLE_PARAM = re.compile(r"^article(\d+)$")
_SPIP_ARTICLE_PATH = re.compile(r"/article(\d+)\.html?$")
_SPIP_RUBRIC_PARAM = re.compile(r"^rubrique(\d+)$")
_SPIP_RUBRIC_PATH = re.compile(r"/(?:rubrique|mot|auteur)(\d+)\.html?$")
_SPIP_OTHER_OBJECT = re.compile(r"^(?:mot|auteur|breve|site|document|syndic|forum)\d+$")
# SPIP "propres" URLs: rubric ``-Titre-``, keyword ``+Mot+``, author ``_Nom_``.
_PROPRE_RUBRIC = re.compile(r"^/-[^/]+-/?$")
_PROPRE_KEYWORD = re.compile(r"^/\+[^/]+\+/?$")
_PROPRE_AUTHOR = re.compile(r"^/_[^/]+_/?$")
# Taxonomy archives of other CMSs (WordPress, Drupal, Joomla…): a category, tag or author page
# lists articles, whatever it is called in the site's language.
_TAXONOMY_PATH = re.compile(
    r"^(?:/[a-z]{2})?/(?:category|categorie|categories|tag|tags|etiquette|author|auteur|"
    r"taxonomy/term)/[^/]+(?:/.*)?$",
    re.IGNORECASE,
)


def is_tracking_param(name: str) -> bool:
    """True for query parameters that only track the visitor (``utm_source``, ``fbclid``…)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def is_session_param(name: str, value: str = "") -> bool:
    """True for query parameters that carry a visitor's session id (``PHPSESSID``, ``sid``…)."""
    lowered = name.lower()
    if lowered in SESSION_PARAMS or lowered.startswith(SESSION_PREFIXES):
        return True
    return lowered == "s" and bool(_SESSION_HASH.match(value))


def _kept_param(piece: str) -> bool:
    """A ``name=value`` piece of a query worth keeping: not empty, not tracking, no session."""
    name, _, value = piece.partition("=")
    return bool(piece) and not is_tracking_param(name) and not is_session_param(name, value)


@lru_cache(maxsize=4096)  # pages repeat the links of the pages just before them
def normalize_url(url: str, base: str | None = None) -> str:
    """Return the form of ``url`` under which the archive knows it.

    Resolves it against ``base``; lowercases scheme and host (IDNA-encoded), drops the default
    port, the fragment, tracking parameters and session ids (query or ``;jsessionid=`` path
    parameters; the names are found here, case-insensitively — ``PHPSESSID``, ``phpsessid``,
    ``ASPSESSIONIDQQGG…`` — and dropped with w3lib's ``url_query_cleaner``); spells the rest as
    browsers send it (``archive.url_spelling``: ``/Régions`` and ``/R%c3%a9gions`` are
    ``/R%C3%A9gions``). Parameter order and bare keys (SPIP's ``spip.php?article12``) are kept
    as they are, since SPIP reads them positionally.

    A URL that cannot be parsed (``http://[::1``, port 99999) gives ``""``, which no site and no
    article matches: one malformed link on a page must not cost the page.
    """
    try:
        return _normalize(url, base)
    except ValueError:
        return ""


def _normalize(url: str, base: str | None) -> str:
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(spell(url))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if port and not (scheme == "http" and port == 80) and not (scheme == "https" and port == 443):
        netloc = f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path, query = parts.path or "/", parts.query
    if ";" in path:
        path = _SESSION_PATH_PARAM.sub("", path)
    if "/(" in path:
        path = _ASPNET_SESSION_SEGMENT.sub("", path)
    dropped = [piece.partition("=")[0] for piece in query.split("&") if not _kept_param(piece)]
    if any(dropped):
        query = urlsplit(url_query_cleaner("?" + query, dropped, remove=True, unique=False)).query
    query = "&".join(piece for piece in query.split("&") if piece)
    return urlunsplit((scheme, netloc, path, query, ""))


def site_of(url: str) -> str:
    """The site an URL belongs to: its host, with the port when it is not the default."""
    return urlsplit(normalize_url(url)).netloc


def query_params(url: str) -> dict[str, str]:
    """The query parameters of ``url`` (bare keys map to an empty string)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def excluded_reason(url: str) -> str | None:
    """Why ``url`` can never be an article (print version, feed, admin area…), or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "not http(s)"
    path = parts.path or "/"
    ext = (
        path.rsplit("/", 1)[-1].rpartition(".")[2].lower() if "." in path.rsplit("/", 1)[-1] else ""
    )
    if ext not in _PAGE_EXTENSIONS and ext in binary_extensions():
        return "binary file" if ext not in ("xml", "rss", "atom") else "feed"
    if _ADMIN_PATH.match(path):
        return "admin area"
    params = query_params(url)
    page = params.get("page", "").lower()
    if page in _EXCLUDED_PAGES:
        return _EXCLUDED_PAGES[page]
    if "action" in params or "formulaire_action" in params:
        return "action link"
    if "recherche" in params or ("q" in params and page in ("", "recherche")):
        return "search page"
    if _FEED_PATH.search(path):
        return "feed"
    if _PRINT_PATH.search(path):
        return "print version"
    if _SEARCH_PATH.search(path):
        return "search page"
    return None


def spip_article_id(url: str) -> int | None:
    """The SPIP article number an URL names explicitly (``spip.php?article12``…), or None."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        match = _SPIP_ARTICLE_PARAM.match(key)
        if match and not value:
            return int(match.group(1))
        if (
            key == "id_article"
            and value.isdigit()
            and query_params(url).get("page", "article")
            in (
                "article",
                "",
            )
        ):
            return int(value)
    match = _SPIP_ARTICLE_PATH.search(parts.path)
    return int(match.group(1)) if match else None


def _names_a_post(params: dict[str, str]) -> bool:
    """WordPress's short links to one post or page: ``/?p=123``, ``/?page_id=4``."""
    return any(params.get(key, "").isdigit() for key in ("p", "page_id"))


def looks_like_listing(url: str) -> bool:
    """True for URLs of rubric listings and other non-article SPIP objects, and for the
    category, tag and author archives of other CMSs (``/category/regions/``, ``/tag/…``,
    ``/taxonomy/term/12``)."""
    parts = urlsplit(url)
    params = query_params(url)
    if any(_SPIP_RUBRIC_PARAM.match(k) or _SPIP_OTHER_OBJECT.match(k) for k in params):
        return True
    if params.get("page", "") in ("rubrique", "sommaire", "mot", "auteur"):
        return True
    if _SPIP_RUBRIC_PATH.search(parts.path):
        return True
    path = parts.path
    if path in ("", "/", "/index.php", "/spip.php") and not (
        spip_article_id(url) or _names_a_post(params)
    ):
        return True
    return bool(
        _PROPRE_RUBRIC.match(path)
        or _PROPRE_KEYWORD.match(path)
        or _PROPRE_AUTHOR.match(path)
        or _TAXONOMY_PATH.match(path)
    )


# Query parameters that name a page rather than a visit: SPIP's ``page``, ``id_article``,
# ``article12``, ``debut_articles``, ``lang``, and the generic ``id`` and ``p`` (WordPress).
_NAMING_PARAMS = frozenset({"page", "id", "p", "lang"})
_NAMING_PARAM = re.compile(r"^(?:id_|debut_)\w+$|^[a-z_]+\d+$", re.I)


def query_variant_key(url: str) -> str:
    """What ``url`` shares with the URLs that differ from it only by query parameters that
    name no page (``?passage=12``, ``?ref=home``…): its path and its page-naming parameters.

    ``spip.php?page=article&id_article=5`` and ``…id_article=6`` have different keys (two
    articles); ``/Titre?passage=1`` and ``/Titre?passage=2`` share one (two visits of a page).
    """
    parts = urlsplit(url)
    naming = [
        piece
        for piece in parts.query.split("&")
        if piece.partition("=")[0].lower() in _NAMING_PARAMS
        or _NAMING_PARAM.match(piece.partition("=")[0])
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(naming), ""))


# Query parameters that say which page of a listing this is (not which listing): Drupal's
# zero-based ``page``, WordPress's ``paged``, Joomla's ``start``/``limitstart``.
PAGE_PARAMS = ("page", "paged", "start", "limitstart")
_PAGE_PATH = re.compile(r"/page/\d+/?$")


def is_pagination_of(url: str) -> bool:
    """True when ``url`` names a page of a listing: SPIP's ``debut_articles=10`` (any
    ``debut_*``), a numeric ``page``, ``paged``, ``start`` or ``limitstart``, WordPress's
    ``/page/2/``. Such a URL is never an article."""
    params = query_params(url)
    if any(key.startswith("debut_") for key in params):
        return True
    if any(params.get(key, "").isdigit() for key in PAGE_PARAMS):
        return True
    return bool(_PAGE_PATH.search(urlsplit(url).path))


def listing_key(url: str) -> tuple[str, dict[str, str]]:
    """What says which listing ``url`` is a page of: its path without ``/page/N/`` and its
    query without the page parameters."""
    path = _PAGE_PATH.sub("/", url.split("?")[0]).rstrip("/")
    params = {
        key: value
        for key, value in query_params(url).items()
        if not key.startswith("debut_") and not (key in PAGE_PARAMS and value.isdigit())
    }
    return path, params
