"""Attachments fetched by real crawls of sites served on 127.0.0.1: the sample site's PDFs made
searchable, hostile documents survived, reruns that ask for nothing, changed documents
versioned, other hosts only when allowed."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from regarchive.demo.site import Page, pdf_reference
from tests import documents
from tests.faults import Bystander, FaultServer, article_page, html_page, listing_page
from tests.support import FAST, export_records, regarchive

pytestmark = pytest.mark.e2e

PDF = "application/pdf"
TEXT = "Un texte d’article assez long pour être archivé, avec des mots et des phrases entières."


def documents_block(*links: tuple[str, str]) -> str:
    items = "".join(
        f'<li><a class="spip_doc" type="application/pdf" href="{href}">{label}</a></li>'
        for href, label in links
    )
    return f'<div class="documents_joints"><h2>Documents joints</h2><ul>{items}</ul></div>'


def add_article(server: FaultServer, path: str, title: str, *links: tuple[str, str]) -> None:
    server.site.pages[path] = html_page(
        article_page(title, [TEXT, f"Objet : {title}."], aside=documents_block(*links))
    )


def crawl(server: FaultServer, db: Path, rubric: str, *extra: str) -> str:
    result = regarchive("crawl", server.url(rubric), "--db", str(db), *FAST, *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout


def by_title(db: Path) -> dict[str, dict]:
    return {record["title"]: record for record in export_records(db)}


# -- the sample site ---------------------------------------------------------------------------


def test_demo_then_search_a_word_from_a_pdf_finds_its_circular(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    demo = regarchive("demo", "--db", str(db))
    assert demo.returncode == 0, demo.stderr
    line = next(line for line in demo.stdout.splitlines() if "only its attached PDF" in line)
    reference = line.split()[2]
    number = int(reference[4:8])
    assert reference == pdf_reference(number)
    assert "new attached documents archived" in demo.stdout
    found = regarchive("search", reference, "--db", str(db), "--json")
    assert found.returncode == 0, found.stderr
    (hit,) = json.loads(found.stdout)
    assert hit["attachment"].endswith(f"/IMG/pdf/note-{number}.pdf")
    assert reference in hit["snippet"]
    record = json.loads(regarchive("show", str(hit["id"]), "--db", str(db), "--json").stdout)
    (attachment,) = record["attachments"]
    assert attachment["media_type"] == PDF and attachment["pages"] == 1
    assert attachment["label"] == "Note de synthèse"
    # The bytes come back out as they were served.
    target = tmp_path / "note.pdf"
    get = regarchive("attachment", "get", str(hit["id"]), "-o", str(target), "--db", str(db))
    assert get.returncode == 0, get.stderr
    assert hashlib.sha256(target.read_bytes()).hexdigest() == attachment["sha256"]


# -- hostile documents -------------------------------------------------------------------------

# name: (body, Content-Type, the warning the item gets)
HOSTILE = {
    "encrypted": (
        documents.encrypted_pdf("Texte secret"),
        PDF,
        "encrypted PDF: it needs a password, its text was not read",
    ),
    "broken": (documents.broken_pdf(), PDF, "unreadable PDF: "),
    "truncated": (
        documents.truncated_pdf("Texte coupé"),
        PDF,
        "truncated PDF: it has no end-of-file marker",
    ),
    "bomb": (documents.pdf_bomb(60), PDF, "(a decompression bomb?): its text was not read"),
    "long": (
        documents.pdf([f"Page {n}" for n in range(1, 2001)]),
        PDF,
        "long PDF: only the first 40 of its 2000 pages were read",
    ),
    "mislabelled": (
        documents.pdf(["Un vrai PDF servi comme page"]),
        "text/html; charset=utf-8",
        "served as text/html but is application/pdf",
    ),
    "error-page": (
        documents.html_error_page(),
        PDF,
        "not fetched: an HTML page, not a document (an error page?)",
    ),
    "huge": (
        b"%PDF-1.4\n" + b"0" * 2_500_000,
        PDF,
        "not fetched: larger than 2 MB (REGARCHIVE_ATTACHMENT_MAXSIZE)",
    ),
}


@pytest.fixture
def hostile_site() -> Iterator[FaultServer]:
    with FaultServer() as server:
        paths = []
        for name, (body, content_type, _) in HOSTILE.items():
            server.site.pages[f"/IMG/pdf/{name}.pdf"] = Page(body, content_type)
            add_article(
                server, f"/Article-{name}", f"Article {name}", (f"/IMG/pdf/{name}.pdf", name)
            )
            paths.append(f"/Article-{name}")
        server.site.pages["/IMG/pdf/bon.pdf"] = Page(documents.pdf(["Mot rare : zéphyrin"]), PDF)
        add_article(
            server,
            "/Article-mixte",
            "Article mixte",
            ("/IMG/pdf/bon.pdf", "Le bon"),
            ("/IMG/pdf/bomb.pdf", "La bombe"),
            ("/IMG/pdf/absent.pdf", "Absent"),
        )
        paths.append("/Article-mixte")
        server.site.pages["/-Hostiles-"] = html_page(listing_page("Hostiles", paths))
        yield server


def test_hostile_documents_warn_on_their_item_and_lose_nothing(
    hostile_site: FaultServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    out = crawl(
        hostile_site,
        db,
        "/-Hostiles-",
        "-s",
        f"REGARCHIVE_ATTACHMENT_MAXSIZE={2 * 1024 * 1024}",
        "-s",
        "REGARCHIVE_ATTACHMENT_MAX_PAGES=40",
    )
    assert "items: 9 new" in out
    assert "attached documents could not be fetched" in out
    records = by_title(db)
    for name, (_, _, warning) in HOSTILE.items():
        record = records[f"Article {name}"]
        assert record["text"].startswith(TEXT), name  # the article itself is whole
        url = hostile_site.url(f"/IMG/pdf/{name}.pdf")
        assert any(
            w.startswith(f"attachment {url}: ") and warning in w for w in record["warnings"]
        ), (name, record["warnings"])
    # Documents that could be stored are, whatever their trouble; the others are listed.
    stored = {a["url"].rsplit("/", 1)[1]: a for r in records.values() for a in r["attachments"]}
    assert stored["huge.pdf"]["sha256"] is None and stored["error-page.pdf"]["sha256"] is None
    assert stored["long.pdf"]["pages"] == 2000
    assert stored["encrypted.pdf"]["size"] == len(HOSTILE["encrypted"][0])
    # The good document beside a bomb and a missing one is read and searchable.
    mixed = records["Article mixte"]
    assert [a["label"] for a in mixed["attachments"]] == ["Absent", "La bombe", "Le bon"]
    assert any("absent.pdf: not fetched: HTTP 404" in w for w in mixed["warnings"])
    found = regarchive("search", "zephyrin", "--db", str(db), "--json")
    assert [hit["title"] for hit in json.loads(found.stdout)] == ["Article mixte"]
    # The bomb is one copy, however many articles link it.
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        bomb = hashlib.sha256(HOSTILE["bomb"][0]).hexdigest()
        assert conn.execute(
            "SELECT count(*) FROM attachment_contents WHERE sha256 = ?", (bomb,)
        ).fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM item_attachments").fetchone() == (11,)


# -- reruns and changes ------------------------------------------------------------------------


def test_reruns_ask_for_documents_only_when_their_article_changes(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    first_pdf = documents.pdf(["Première version du barème"])
    with FaultServer() as server:
        server.site.pages["/IMG/pdf/bareme.pdf"] = Page(first_pdf, PDF, 200, {"ETag": '"v1"'})
        add_article(server, "/Circulaire", "Circulaire", ("/IMG/pdf/bareme.pdf", "Barème"))
        add_article(server, "/Autre", "Autre circulaire", ("/IMG/pdf/bareme.pdf", "Le barème"))
        server.site.pages["/-Circulaires-"] = html_page(
            listing_page("Circulaires", ["/Circulaire", "/Autre"])
        )
        crawl(server, db, "/-Circulaires-")
        assert len(server.hits("/IMG/pdf/bareme.pdf")) == 1  # once for two articles
        # Nothing changed: the articles cost 304s, and no document is asked for.
        crawl(server, db, "/-Circulaires-", "-s", "REGARCHIVE_REVISIT_OLD_EVERY_DAYS=0")
        assert len(server.hits("/IMG/pdf/bareme.pdf")) == 1
        # The article changes, the PDF does not: one conditional request, a 304.
        add_article(server, "/Circulaire", "Circulaire", ("/IMG/pdf/bareme.pdf", "Barème"))
        server.site.pages["/Circulaire"] = html_page(
            article_page(
                "Circulaire",
                [TEXT, "Un paragraphe ajouté."],
                aside=documents_block(("/IMG/pdf/bareme.pdf", "Barème")),
            )
        )
        out = crawl(server, db, "/-Circulaires-", "-s", "REGARCHIVE_REVISIT_OLD_EVERY_DAYS=0")
        assert len(server.hits("/IMG/pdf/bareme.pdf")) == 2
        last = [r for r in server.requests if r.path == "/IMG/pdf/bareme.pdf"][-1]
        assert last.headers.get("If-None-Match") == '"v1"' and last.status == 304
        assert "attached document" not in out.split("items:")[1].split(".")[0]
        # The PDF changes with its article: the earlier bytes stay, and history says so.
        second_pdf = documents.pdf(["Seconde version du barème", "avec une annexe"])
        server.site.pages["/IMG/pdf/bareme.pdf"] = Page(second_pdf, PDF, 200, {"ETag": '"v2"'})
        server.site.pages["/Circulaire"] = html_page(
            article_page(
                "Circulaire",
                [TEXT, "Deux paragraphes ajoutés."],
                aside=documents_block(("/IMG/pdf/bareme.pdf", "Barème")),
            )
        )
        out = crawl(server, db, "/-Circulaires-", "-s", "REGARCHIVE_REVISIT_OLD_EVERY_DAYS=0")
    assert "1 attached document changed (earlier content kept)" in out
    records = by_title(db)
    for title in ("Circulaire", "Autre circulaire"):
        (entry,) = records[title]["attachments"]
        assert entry["sha256"] == hashlib.sha256(second_pdf).hexdigest() and entry["pages"] == 2
    item = str(records["Circulaire"]["id"])
    history = regarchive("history", item, "--db", str(db)).stdout
    old = hashlib.sha256(first_pdf).hexdigest()
    assert f"sha256 {old[:16]} ({len(first_pdf)} bytes, 1 page), seen until " in history
    target = tmp_path / "old.pdf"
    assert regarchive("attachment", "get", old, "-o", str(target), "--db", str(db)).returncode == 0
    assert target.read_bytes() == first_pdf


def test_documents_never_fetched_are_asked_for_when_their_article_is_unchanged(
    tmp_path: Path,
) -> None:
    """A crawl that archived an article but not its document (stopped in between, or run
    without documents): the next run asks for the article (conditionally, though the revisit
    policy would not) and then for the document; the run after asks for neither."""
    db = tmp_path / "archive.db"
    with FaultServer() as server:
        server.site.pages["/IMG/pdf/note.pdf"] = Page(documents.pdf(["Note"]), PDF, 200, {})
        add_article(server, "/Circulaire", "Circulaire", ("/IMG/pdf/note.pdf", "Note"))
        server.site.pages["/-Circulaires-"] = html_page(
            listing_page("Circulaires", ["/Circulaire"])
        )
        crawl(server, db, "/-Circulaires-", "-s", "REGARCHIVE_ATTACHMENTS=false")
        assert not server.hits("/IMG/pdf/note.pdf")
        (record,) = export_records(db)
        assert record["attachments"][0]["sha256"] is None
        # Not due by the policy: nothing is recent, old articles are re-checked weekly.
        rerun = ("-s", "REGARCHIVE_REVISIT_RECENT_DAYS=0")
        crawl(server, db, "/-Circulaires-", *rerun)
        assert len(server.hits("/Circulaire")) == 2  # fetched again, found unchanged
        assert len(server.hits("/IMG/pdf/note.pdf")) == 1
        crawl(server, db, "/-Circulaires-", *rerun)
        assert len(server.hits("/Circulaire")) == 2
        assert len(server.hits("/IMG/pdf/note.pdf")) == 1
    (record,) = export_records(db)
    assert (
        record["attachments"][0]["sha256"]
        == hashlib.sha256(server.site.pages["/IMG/pdf/note.pdf"].body).hexdigest()
    )


def test_documents_dropped_on_purpose_are_noted_and_asked_for_no_more(tmp_path: Path) -> None:
    """A document robots.txt forbids, and one redirecting to a host that is not allowed: not
    fetched, said so on the item, and not "never fetched": an unchanged site costs no request
    for them (nor for their article) on the next nights."""
    db = tmp_path / "archive.db"
    with FaultServer() as server, Bystander(host="127.0.0.1") as elsewhere:
        server.site.pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /IMG/\n", "text/plain")
        server.site.pages["/IMG/pdf/note.pdf"] = Page(documents.pdf(["Note"]), PDF, 200, {})
        server.site.pages["/docs/annexe.pdf"] = Page(
            b"", "text/html", 302, {"Location": f"{elsewhere.base_url}/annexe.pdf"}
        )
        add_article(
            server,
            "/Circulaire",
            "Circulaire",
            ("/IMG/pdf/note.pdf", "Note"),
            ("/docs/annexe.pdf", "Annexe"),
        )
        server.site.pages["/-Circulaires-"] = html_page(
            listing_page("Circulaires", ["/Circulaire"])
        )
        crawl(server, db, "/-Circulaires-")
        rerun = ("-s", "REGARCHIVE_REVISIT_RECENT_DAYS=0")
        crawl(server, db, "/-Circulaires-", *rerun)
        assert len(server.hits("/Circulaire")) == 1  # not due, and no document missing
        assert not server.hits("/IMG/pdf/note.pdf")
        assert len(server.hits("/docs/annexe.pdf")) == 1
        assert elsewhere.requests == []
    (record,) = export_records(db)
    assert [entry["sha256"] for entry in record["attachments"]] == [None, None]
    warnings = " ".join(record["warnings"])
    assert "/IMG/pdf/note.pdf: not fetched: robots.txt forbids it" in warnings
    assert "/docs/annexe.pdf: not fetched: redirected off site" in warnings


# -- other hosts -------------------------------------------------------------------------------


def test_documents_on_other_hosts_only_where_allowed(tmp_path: Path) -> None:
    with FaultServer() as server, Bystander(host="127.0.0.1") as elsewhere:
        ministry = f"{elsewhere.base_url}/circulaire.pdf"
        add_article(server, "/Circulaire", "Circulaire", (ministry, "La circulaire"))
        server.site.pages["/-Circulaires-"] = html_page(
            listing_page("Circulaires", ["/Circulaire"])
        )
        db = tmp_path / "default.db"
        out = crawl(server, db, "/-Circulaires-")
        assert elsewhere.requests == []
        assert "1 document link to other hosts not fetched" in out
        (entry,) = by_title(db)["Circulaire"]["attachments"]
        assert entry["url"] == ministry and entry["sha256"] is None
        # Allowed by host (and port): fetched, robots.txt first, politely.
        allowed = ministry.split("/")[2]
        crawl(server, tmp_path / "allowed.db", "/-Circulaires-", "--attachment-host", allowed)
        fetched = [r for r in elsewhere.requests if r.endswith("/circulaire.pdf")]
        assert len(fetched) == 1
        # Or by the site's own table in a sites file: for that site's articles.
        sites = tmp_path / "sites.toml"
        sites.write_text(
            f'[[site]]\nname = "prefecture"\nstart_urls = ["{server.url("/-Circulaires-")}"]\n'
            f'attachment_hosts = ["{allowed}"]\n',
            encoding="utf-8",
        )
        result = regarchive("crawl", "--config", str(sites), "--db", str(tmp_path / "c.db"), *FAST)
        assert result.returncode == 0, result.stderr
        assert len([r for r in elsewhere.requests if r.endswith("/circulaire.pdf")]) == 2
        with closing(sqlite3.connect(tmp_path / "c.db")) as conn:
            fetches = conn.execute("SELECT url, status FROM attachments").fetchall()
        assert fetches == [(ministry, 200)]


def test_a_bad_host_pattern_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = regarchive(
        "crawl", "http://127.0.0.1:9/-R-", "--db", str(tmp_path / "a.db"),
        "--attachment-host", "https://www.gouv.fr/docs",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "Error: --attachment-host: 'https://www.gouv.fr/docs' is not a host pattern "
        "(expected e.g. *.gouv.fr, www.example.org or 127.0.0.1:8080)\n"
    )
    assert not (tmp_path / "a.db").exists()
