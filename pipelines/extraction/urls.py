"""URL normalisation and classification shared by the spider and the extractor.

One function decides what "the same URL" means (:func:`normalize_url`), so a link seen in a
listing, the URL it was fetched at and the page's ``rel=canonical`` all meet in the archive.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

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
        "phpsessid",
        "var_mode",
        "var_recherche",
        "_ga",
        "_gl",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")

BINARY_EXTENSIONS = frozenset(
    (
        "pdf doc docx odt ods odp xls xlsx ppt pptx rtf csv zip gz tgz bz2 7z rar tar jpg"
        " jpeg png gif webp svg bmp tif tiff ico mp3 mp4 ogg ogv oga wav webm avi mov mkv flv"
        " swf epub exe dmg msi iso css js json xml rss atom ics woff woff2 ttf eot"
    ).split()
)

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
_SPIP_RUBRIC_PATH = re.compile(r"/rubrique(\d+)\.html?$")
_SPIP_OTHER_OBJECT = re.compile(r"^(?:mot|auteur|breve|site|document|syndic|forum)\d+$")
# SPIP "propres" URLs: rubric ``-Titre-``, keyword ``+Mot+``, author ``_Nom_``.
_PROPRE_RUBRIC = re.compile(r"^/-[^/]+-/?$")
_PROPRE_KEYWORD = re.compile(r"^/\+[^/]+\+/?$")
_PROPRE_AUTHOR = re.compile(r"^/_[^/]+_/?$")


def is_tracking_param(name: str) -> bool:
    """True for query parameters that only track the visitor (``utm_source``, ``fbclid``…)."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


@lru_cache(maxsize=4096)  # pages repeat the links of the pages just before them
def normalize_url(url: str, base: str | None = None) -> str:
    """Return the form of ``url`` under which the archive knows it.

    Resolves it against ``base``, lowercases scheme and host, drops the default port, the
    fragment and tracking parameters. Parameter order and bare keys (SPIP's
    ``spip.php?article12``) are kept as they are, since SPIP reads them positionally.

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
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host
    if port and not (scheme == "http" and port == 80) and not (scheme == "https" and port == 443):
        netloc = f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = parts.path or "/"
    query = "&".join(
        piece
        for piece in parts.query.split("&")
        if piece and not is_tracking_param(piece.split("=", 1)[0])
    )
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
    if ext in BINARY_EXTENSIONS:
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


def looks_like_listing(url: str) -> bool:
    """True for URLs of rubric listings and other non-article SPIP objects."""
    parts = urlsplit(url)
    params = query_params(url)
    if any(_SPIP_RUBRIC_PARAM.match(k) or _SPIP_OTHER_OBJECT.match(k) for k in params):
        return True
    if params.get("page", "") in ("rubrique", "sommaire", "mot", "auteur"):
        return True
    if _SPIP_RUBRIC_PATH.search(parts.path):
        return True
    path = parts.path
    if path in ("", "/", "/index.php", "/spip.php") and not spip_article_id(url):
        return True
    return bool(
        _PROPRE_RUBRIC.match(path) or _PROPRE_KEYWORD.match(path) or _PROPRE_AUTHOR.match(path)
    )


def is_pagination_of(url: str) -> bool:
    """True when ``url`` carries a SPIP pagination offset (``debut_articles=10``…)."""
    return any(key.startswith("debut_") for key in query_params(url))
