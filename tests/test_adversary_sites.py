"""Hostile sites: traps and tricks a site can play on a crawl and on whoever reads the archive.

Each case here once made a crawl run away, stored something harmful or lost a page; see
docs/RELIABILITY.md.
"""

from __future__ import annotations

import codecs
import itertools
import json
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from regarchive.archive.store import Archive
from regarchive.demo.site import Page
from tests.faults import FaultServer, Generated, article_page, html_page, listing_page
from tests.support import FAST, export_records, extracted_record, regarchive

pytestmark = pytest.mark.e2e

ARTICLES = 5
TOPICS = ["les transports", "la culture", "les lycées", "l'eau potable", "la santé"]


class Visits:
    """A new number on every call, as a server hands out a new session id on every visit."""

    def __init__(self) -> None:
        self._count = itertools.count(1)
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            return next(self._count)


def related_block(hrefs: list[str]) -> str:
    items = "".join(f'<li><a href="{href}">Voir {href}</a></li>' for href in hrefs)
    return f'<aside class="aside"><div class="menu"><h2>Dans la même rubrique</h2><ul>{items}</ul>'


def trap_site(server: FaultServer, prefix: str, link: Callable[[int, int], str]) -> str:
    """A listing of ARTICLES articles whose every link, on every page, is made anew by
    ``link(article, visit)``; returns the listing's path."""
    visits = Visits()
    listing = f"/-{prefix}-"

    def render_listing(target: str) -> bytes:
        visit = visits()
        return listing_page(prefix, [link(k, visit) for k in range(1, ARTICLES + 1)])

    def render_article(number: int) -> Callable[[str], bytes]:
        def render(target: str) -> bytes:
            visit = visits()
            others = [link(k, visit) for k in range(1, ARTICLES + 1) if k != number]
            text = [f"Cet article porte sur {TOPICS[number - 1]}.", f"Numéro {number}."]
            return article_page(f"{prefix} {number}", text, aside=related_block(others))

        return render

    server.fault(f"{listing}?*", Generated(render=render_listing))
    for number in range(1, ARTICLES + 1):
        server.fault(f"/{prefix}-{number}?*", Generated(render=render_article(number)))
    return listing


def session_link(article: int, visit: int) -> str:
    """Session ids as PHP, Java and other servers put them in links, in turn."""
    forms = [
        f"/Session-{article}?sid={visit}",
        f"/Session-{article}?PHPSESSID={visit:032x}",
        f"/Session-{article};jsessionid={visit:016X}",
        f"/Session-{article}?sessionid={visit}&utm_source=lettre",
    ]
    return forms[(article + visit) % len(forms)]


def test_a_session_id_spider_trap_ends_with_each_article_once(tmp_path: Path) -> None:
    """Links with a new session id on every page: five articles, five items, a few requests
    (it once made 2,000 requests in 15 s and was still going)."""
    db = tmp_path / "archive.db"
    with FaultServer() as server:
        listing = trap_site(server, "Session", session_link)
        result = regarchive("crawl", server.url(listing), "--db", str(db), *FAST, timeout=120)
        requested = [path for path in server.paths() if path.startswith("/Session-")]
    assert result.returncode == 0, result.stderr
    records = export_records(db)
    assert sorted(record["url"] for record in records) == [
        server.url(f"/Session-{k}") for k in range(1, ARTICLES + 1)
    ]
    assert len(requested) == ARTICLES


def visit_link(article: int, visit: int) -> str:
    """A per-visit parameter no list of session names knows."""
    return f"/Visite-{article}?passage={visit}"


def test_pages_differing_only_in_their_query_are_capped_per_site(tmp_path: Path) -> None:
    """An unknown per-visit parameter: each page is fetched at most
    REGARCHIVE_MAX_QUERY_VARIANTS times, and the summary says links were left."""
    db = tmp_path / "archive.db"
    cap = 4
    with FaultServer() as server:
        listing = trap_site(server, "Visite", visit_link)
        result = regarchive(
            "crawl",
            server.url(listing),
            "--db",
            str(db),
            *FAST,
            *("-s", f"REGARCHIVE_MAX_QUERY_VARIANTS={cap}"),
            timeout=120,
        )
        requested = [path for path in server.paths() if path.startswith("/Visite-")]
    assert result.returncode == 0, result.stderr
    for number in range(1, ARTICLES + 1):
        variants = [path for path in requested if path.startswith(f"/Visite-{number}?")]
        assert 1 <= len(variants) <= cap
    assert "not followed: more than REGARCHIVE_MAX_QUERY_VARIANTS" in result.stdout
    assert {record["title"] for record in export_records(db)} == {
        f"Visite {k}" for k in range(1, ARTICLES + 1)
    }


def test_query_variants_of_spip_pages_are_not_capped(tmp_path: Path) -> None:
    """``spip.php?page=article&id_article=N`` names N different articles, not variants."""
    db = tmp_path / "archive.db"
    count = 8
    with FaultServer() as server:
        hrefs = [f"/spip.php?page=article&id_article={n}" for n in range(1, count + 1)]
        server.site.pages["/-Spip-"] = html_page(listing_page("Spip", hrefs))
        for n, href in enumerate(hrefs, 1):
            text = [f"L'article numéro {n} de la rubrique.", TOPICS[n % len(TOPICS)]]
            server.site.pages[href] = html_page(article_page(f"Spip {n}", text))
        result = regarchive(
            "crawl",
            server.url("/-Spip-"),
            "--db",
            str(db),
            *FAST,
            *("-s", "REGARCHIVE_MAX_QUERY_VARIANTS=2"),
        )
    assert result.returncode == 0, result.stderr
    assert len(export_records(db)) == count
    assert "REGARCHIVE_MAX_QUERY_VARIANTS" not in result.stdout


# -- terminal escapes -----------------------------------------------------------------------

# What a hostile page can put in a title or a text to act on the reader's terminal: retitle
# the window (OSC … BEL), clear the screen (CSI 2J), hide text (SGR 8), the one-byte C1 CSI.
ESCAPES = ["\x1b]0;piégé\x07", "\x1b[2J", "\x1b[8m", "\x9b31m", "\x1b[0m", "\x08\x7f"]
# The same as character references, which the HTML parser turns into control characters.
ESCAPE_REFERENCES = "&#x1b;]2;titre&#7; &#27;[2J &#x9b;1m"


def controls(text: str, *, allowed: str = "") -> list[str]:
    """The C0 and C1 control characters (and DEL) in ``text``, but for ``allowed``."""
    return [
        char
        for char in text
        if (ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F) and char not in allowed
    ]


def test_control_characters_in_pages_are_not_archived(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with FaultServer() as server:
        title = "Séance" + "".join(ESCAPES) + " du conseil"
        text = [f"Le conseil{ESCAPES[2]} a voté le budget.", f"Fin\x1b[0m du\ttexte{ESCAPES[3]}."]
        server.site.pages["/Echappe"] = html_page(article_page(title, text))
        marked = article_page("Références MARK", ["Le texte MARK de l'article du jour."])
        server.site.pages["/References"] = html_page(
            marked.replace(b"MARK", ESCAPE_REFERENCES.encode())
        )
        server.site.pages["/-Echappements-"] = html_page(
            listing_page(
                "Échappements\x1b[2J",
                ["/Echappe", "/References"],
                labels=lambda i: f"Lien\x1b]0;x\x07 {i}",
            )
        )
        result = regarchive("crawl", server.url("/-Echappements-"), "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr
    records = {record["url"].rsplit("/", 1)[1]: record for record in export_records(db)}
    assert set(records) == {"Echappe", "References"}
    for record in records.values():
        for name in ("title", "source", "category"):
            assert not controls(record[name] or ""), (name, record[name])
        assert not controls(record["text"], allowed="\n\t"), record["text"]
        assert not any(controls(rubric) for rubric in record["rubrics"])
    assert records["Echappe"]["title"].startswith("Séance]0;piégé")
    assert "Fin[0m du texte31m." in records["Echappe"]["text"]
    with closing(sqlite3.connect(db)) as conn:
        stored = conn.execute("SELECT label, rubric FROM sightings").fetchall()
        stored += conn.execute("SELECT rubric, url FROM listings").fetchall()
    assert stored and not any(controls(value or "") for row in stored for value in row)


def test_reading_commands_print_no_control_character(tmp_path: Path) -> None:
    """An archive written before control characters were stripped: every reading command
    shows them escaped, never raw."""
    db = tmp_path / "archive.db"
    hostile = "".join(ESCAPES)
    url = "https://www.regions.example/Echappe"
    with Archive(db) as archive:
        crawl_id = archive.start_crawl([url], {})
        for text in (f"Premier{hostile} texte.", f"Second{hostile} texte, corrigé."):
            record = extracted_record(
                url,
                text + "\nAvec\tune tabulation.",
                title=f"Titre{hostile} piégé",
                source=f"Source{hostile}",
                rubrics=[f"Rubrique{hostile}"],
                published="2024-03-12",
            )
            archive.save_item(record, None, crawl_id)
        archive.record_listings({"https://www.regions.example/-R-": f"R{hostile}"}, crawl_id)
        archive.finish_crawl(crawl_id, finish_reason="finished", counts={})
    for command in (
        ["show", "1"],
        ["show", "1", "--json"],
        ["search", "texte"],
        ["search", "texte", "--json"],
        ["list"],
        ["list", "--json"],
        ["history", "1"],
        ["status"],
        ["stats"],
    ):
        result = regarchive(*command, "--db", str(db))
        assert result.returncode in (0, 1), (command, result.stderr)
        assert not controls(result.stdout, allowed="\n\t"), (command, result.stdout)
        assert not controls(result.stderr, allowed="\n"), (command, result.stderr)
        assert "Titre" in result.stdout or "Rubrique" in result.stdout or command[0] == "status"
    shown = regarchive("show", "1", "--db", str(db)).stdout
    assert "Titre\\x1b]0;piégé\\x07\\x1b[2J" in shown
    assert "\\x9b31m" in shown
    data = json.loads(regarchive("show", "1", "--json", "--db", str(db)).stdout)
    assert data["title"] == f"Titre{hostile} piégé"  # JSON escapes them, losing nothing


# -- UTF-16 ------------------------------------------------------------------------------------


def utf16_pages() -> dict[str, Page]:
    """UTF-16 articles: declared with a byte-order mark, declared big-endian without one, and
    with a byte-order mark alone (no charset anywhere)."""
    pages = {}
    bom = article_page(
        "Seize bits déclaré", [SENTENCE, "Avec une marque d'ordre."], charset="utf-16"
    )
    pages["/Utf16-declare"] = html_page(bom, "text/html; charset=utf-16")
    big = article_page("Seize bits gros-boutiste", [SENTENCE, "Sans marque."], charset="utf-16-be")
    pages["/Utf16-be"] = html_page(big, "text/html; charset=UTF-16BE")
    bare = article_page("Seize bits sans charset", [SENTENCE, "Marque seule."]).decode()
    bare = bare.replace('<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />', "")
    pages["/Utf16-marque"] = html_page(codecs.BOM_UTF16_LE + bare.encode("utf-16-le"), "text/html")
    return pages


SENTENCE = "Le conseil départemental a présenté son schéma des mobilités à l'été."


def test_utf16_pages_are_decoded_not_skipped_as_binary(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with FaultServer() as server:
        pages = utf16_pages()
        server.site.pages.update(pages)
        listing = listing_page("Seize bits", list(pages)).decode()
        server.site.pages["/-Seize-bits-"] = html_page(
            codecs.BOM_UTF16_LE
            + listing.replace("charset='utf-8'", "charset='utf-16'").encode("utf-16-le"),
            "text/html; charset=utf-16",
        )
        result = regarchive("crawl", server.url("/-Seize-bits-"), "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr
    assert "not HTML" not in result.stdout
    records = {record["title"]: record for record in export_records(db)}
    assert set(records) == {
        "Seize bits déclaré",
        "Seize bits gros-boutiste",
        "Seize bits sans charset",
    }
    for record in records.values():
        assert SENTENCE in record["text"]
        assert "Seize bits" in record["rubrics"]
        assert not any("suspicious" in warning for warning in record["warnings"])


# -- start URLs that list nothing ----------------------------------------------------------------


def soft_404(server: FaultServer, path: str) -> Page:
    """The site's "page not found" page, answered with status 200 (as many CMSs do)."""
    page = server.site.not_found(path)
    return Page(page.body, page.content_type, 200, dict(page.headers))


def test_a_start_url_answering_page_not_found_with_200_is_a_failure_line(tmp_path: Path) -> None:
    """A rubric that moved answers "Page introuvable" with status 200: under --quiet, one line
    names it; the run goes on with the other start URLs (exit code 0: the line is in cron's
    mail), and is unhealthy (exit code 1) when no start URL lists anything."""
    db = tmp_path / "archive.db"
    with FaultServer() as server:
        gone = "/-Rubrique-disparue-"
        server.site.pages[gone] = soft_404(server, gone)
        regions = server.site.rubrics["Régions"]
        result = regarchive("crawl", regions, server.url(gone), "--db", str(db), "--quiet", *FAST)
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""
        (line,) = result.stderr.strip().splitlines()
        assert server.url(gone) in line and "lists no article" in line
        assert len(export_records(db)) > 0

        # The next night, the rubric that worked has moved too: its archived articles are
        # re-checked, but no start URL lists anything any more.
        server.site.pages["/-Regions-"] = soft_404(server, "/-Regions-")
        rerun = regarchive("crawl", regions, "--db", str(db), "--quiet", *FAST)
    assert rerun.returncode == 1, rerun.stderr
    lines = rerun.stderr.strip().splitlines()
    assert any(regions in line and "lists no article" in line for line in lines)
    assert lines[-1] == (
        "regarchive: unhealthy crawl: no start URL lists any article: "
        "check that they are still rubric listings"
    )
