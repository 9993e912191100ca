"""``regarchive serve`` for real, over HTTP: the command in its own process on 127.0.0.1, archives
crawled or written through the archive's own API, pages read as a browser gets them.

What a person sees in a browser (search, facets, item page, a download) is in
tests/test_serve_browser.py; here, what must hold whatever the browser: values escaped, stored
HTML sandboxed, the archive never written, other hosts refused, SQL only when allowed, errors
in one line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import socket
import sqlite3
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from regarchive.archive import schema
from regarchive.archive.errors import ArchiveError
from regarchive.archive.store import Archive
from tests.support import (
    Clock,
    Served,
    crawl_sample_site,
    extracted_record,
    make_page,
    regarchive,
)

# Every test here starts a server or a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e

SITE = "https://www.regions.example"
HOSTILE_URL = SITE + "/Budget-piege"
HOSTILE_TITLE = '<script>alert("titre")</script> Budget piégé'
HOSTILE_BODY = b"<html><body><script>alert('stored page')</script><p>Budget</p></body></html>"


class Page:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def get(url: str, *, host: str | None = None) -> Page:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Page(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Page(error.code, dict(error.headers), error.read())


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sample") / "archive.db"
    crawl_sample_site(db)
    return db


@pytest.fixture(scope="module")
def served_sample(sample_db: Path) -> Iterator[Served]:
    with Served("--db", str(sample_db)) as served:
        yield served


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive whose every field a hostile site controls carries markup or script, and
    whose item changed once (one earlier version)."""
    db = tmp_path_factory.mktemp("hostile") / "archive.db"
    fields = {
        "title": HOSTILE_TITLE,
        "source": "<img src=x onerror=alert('source')>",
        "rubrics": ["<b>Régions</b>"],
        "category": "Circ.",
        "published": "2024-03-05",
        "related": [
            {"url": "javascript:alert('related')", "label": "<i>lien piégé</i>"},
            {"url": SITE + "/Ailleurs", "label": "Ailleurs", "title": "Un article ailleurs"},
        ],
    }
    first = "Premier paragraphe inchangé.\nAncien montant : 10 millions d’euros."
    second = (
        "Premier paragraphe inchangé.\nNouveau montant : 12 millions d’euros.\n"
        "<script>alert('text')</script> fin."
    )
    with Archive(db, clock=Clock()) as archive:
        archive.save_item(extracted_record(HOSTILE_URL, first, **fields), None, None)
        archive.save_item(
            extracted_record(HOSTILE_URL, second, **fields),
            make_page(HOSTILE_URL, HOSTILE_BODY),
            None,
        )
    return db


# -- search, item page, downloads on the crawled sample site -------------------------------------


def test_search_ignores_accents_and_marks_the_matched_words(served_sample: Served) -> None:
    page = get(served_sample.url + "/search?q=renovation+energetique")
    assert page.status == 200
    assert "3 articles" in page.text
    assert "<mark>rénovation</mark>" in page.text
    assert "<mark>énergétique</mark>" in page.text


def test_a_malformed_query_is_explained_on_the_page(served_sample: Served) -> None:
    page = get(served_sample.url + "/search?q=" + quote('"unbalanced'))
    assert page.status == 400
    assert "Recherche impossible" in page.text
    assert "unbalanced quote" in page.text


def test_facet_links_narrow_the_selection(served_sample: Served) -> None:
    everything = get(served_sample.url + "/search")
    assert "36 articles" in everything.text
    circulars = get(served_sample.url + "/search?" + urlencode({"category": "Circ."}))
    assert "12 articles" in circulars.text
    in_2022 = get(served_sample.url + "/search?" + urlencode({"category": "Circ.", "year": 2022}))
    assert in_2022.status == 200
    assert "articles" in in_2022.text and "36 articles" not in in_2022.text


def total(page: Page) -> int:
    match = re.search(r"<strong>(\d+) articles?</strong>", page.text)
    assert match, page.text
    return int(match.group(1))


def test_dates_are_read_the_french_way(served_sample: Served) -> None:
    by_year = get(served_sample.url + "/search?year=2022")
    by_days = get(
        served_sample.url + "/search?" + urlencode({"since": "01/01/2022", "until": "31/12/2022"})
    )
    assert total(by_year) == total(by_days) > 0
    assert 'value="31/12/2022"' in by_days.text
    impossible = get(served_sample.url + "/search?" + urlencode({"since": "31/02/2022"}))
    assert impossible.status == 400
    assert "date « depuis » illisible : « 31/02/2022 »" in impossible.text


def item_links(page: Page) -> list[str]:
    return re.findall(r'<a class="title" href="/items/(\d+)">', page.text)


def test_results_come_twenty_a_page_newest_first_each_once(served_sample: Served) -> None:
    first = get(served_sample.url + "/search?sort=date")
    second = get(served_sample.url + "/search?sort=date&page=2")
    assert len(item_links(first)) == 20 and len(item_links(second)) == 16
    assert not set(item_links(first)) & set(item_links(second))
    assert "page 2 sur 2" in second.text and 'rel="prev"' in second.text
    days = re.findall(r'<time datetime="([\d-]+)">', first.text + second.text)
    assert days == sorted(days, reverse=True)


def test_related_items_link_to_their_page_when_archived(served_sample: Served) -> None:
    item = get(served_sample.url + "/items/1").text
    related = item.split("Dans la même rubrique", 1)[1].split("</ul>", 1)[0]
    linked = re.findall(r'href="/items/(\d+)"', related)
    assert linked, related
    for item_id in linked:
        assert get(f"{served_sample.url}/items/{item_id}").status == 200


def test_downloads_hold_what_export_writes_for_the_same_filters(
    served_sample: Served, sample_db: Path
) -> None:
    query = urlencode({"q": "renovation", "category": "Actu"})
    page = get(served_sample.url + "/download/csv?" + query)
    assert page.status == 200
    assert "attachment" in page.headers["Content-Disposition"]
    exported = regarchive(
        "export", "--db", str(sample_db), "--format", "csv", "--query", "renovation",
        "--category", "Actu",
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert page.text == "\ufeff" + exported.stdout
    rows = list(csv.DictReader(io.StringIO(page.text.lstrip("\ufeff"))))
    assert rows and all(row["category"] == "Actu" for row in rows)

    lines = get(served_sample.url + "/download/jsonl?" + query).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [int(row["id"]) for row in rows]

    package = get(served_sample.url + "/download/datapackage?" + query)
    with zipfile.ZipFile(io.BytesIO(package.body)) as archive:
        descriptor = json.loads(archive.read("regarchive/datapackage.json"))
        data = archive.read("regarchive/items.csv").decode("utf-8")
    assert descriptor["resources"][0]["rows"] == len(rows)
    assert descriptor["regarchive"]["filters"] == {"query": "renovation", "categories": ["Actu"]}
    assert list(csv.DictReader(io.StringIO(data))) == rows


def test_the_served_archive_is_never_written(served_sample: Served, sample_db: Path) -> None:
    before = file_digest(sample_db)
    for path in ("/", "/search?q=budget", "/items/1", "/items/1/snapshot/page", "/download/csv"):
        assert get(served_sample.url + path).status == 200, path
    assert file_digest(sample_db) == before


def test_requests_naming_another_host_are_refused(served_sample: Served) -> None:
    """A page elsewhere pointing its own domain name at 127.0.0.1 (DNS rebinding) gets
    nothing."""
    assert get(served_sample.url + "/", host="attacker.example").status == 400
    port = served_sample.url.rsplit(":", 1)[1]
    assert get(served_sample.url + "/", host=f"localhost:{port}").status == 200


def test_without_allow_sql_there_is_no_sql_page(served_sample: Served) -> None:
    assert get(served_sample.url + "/sql?sql=select+1").status == 404
    assert "/sql" not in get(served_sample.url + "/").text


# -- hostile values ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served_hostile(hostile_db: Path) -> Iterator[Served]:
    with Served("--db", str(hostile_db)) as served:
        yield served


def test_every_value_is_escaped(served_hostile: Served) -> None:
    for path in ("/items/1", "/search?q=budget", "/search", "/"):
        page = get(served_hostile.url + path)
        assert page.status == 200, path
        assert "<script" not in page.text, path
        assert "<img src=x" not in page.text and "<b>Régions" not in page.text, path
    item = get(served_hostile.url + "/items/1").text
    assert "&lt;script&gt;alert(&#34;titre&#34;)&lt;/script&gt; Budget piégé" in item
    assert "&lt;i&gt;lien piégé&lt;/i&gt;" in item


def test_only_web_links_are_links(served_hostile: Served) -> None:
    item = get(served_hostile.url + "/items/1").text
    assert 'href="javascript:' not in item
    assert f'href="{SITE}/Ailleurs"' in item


def test_pages_forbid_scripts_and_outside_resources(served_hostile: Served) -> None:
    policy = get(served_hostile.url + "/items/1").headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'none'" in policy


def test_the_stored_page_is_served_sandboxed_and_only_framed_here(served_hostile: Served) -> None:
    frame = get(served_hostile.url + "/items/1/snapshot").text
    assert '<iframe class="snapshot" sandbox ' in frame
    stored = get(served_hostile.url + "/items/1/snapshot/page")
    assert stored.body == HOSTILE_BODY
    policy = stored.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    text = get(served_hostile.url + "/items/1/snapshot.txt")
    assert text.headers["Content-Type"].startswith("text/plain")
    assert "<script>alert('stored page')</script>" in text.text


def test_versions_show_what_changed(served_hostile: Served) -> None:
    item = get(served_hostile.url + "/items/1").text
    assert '<p class="removed"><del>Ancien montant : 10 millions d’euros.</del></p>' in item
    assert '<p class="added"><ins>Nouveau montant : 12 millions d’euros.</ins></p>' in item
    assert '<p class="context">Premier paragraphe inchangé.</p>' in item


def test_sql_when_allowed_reads_and_never_writes(hostile_db: Path) -> None:
    before = file_digest(hostile_db)
    with Served("--db", str(hostile_db), "--allow-sql") as served:
        read = get(served.url + "/sql?" + urlencode({"sql": "select count(*) AS n from items"}))
        assert read.status == 200
        assert "<th>n</th>" in read.text
        for statement in (
            "delete from items",
            "pragma user_version = 1",
            f"attach '{hostile_db.parent / 'other.db'}' as other",
        ):
            refused = get(served.url + "/sql?" + urlencode({"sql": statement}))
            assert refused.status == 400, statement
            assert "only reading is allowed" in refused.text, statement
    assert file_digest(hostile_db) == before
    assert not (hostile_db.parent / "other.db").exists()


# -- columns and tables of later schemas ---------------------------------------------------------


def test_date_provenance_and_attachments_are_shown_when_the_archive_has_them(
    hostile_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "later.db"
    db.write_bytes(hostile_db.read_bytes())
    with closing(sqlite3.connect(db)) as conn, conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(items)")}
        if "published_source" not in columns:  # the archive's schema has had it since v5
            conn.execute("ALTER TABLE items ADD COLUMN published_source TEXT")
        conn.execute("UPDATE items SET published_source = 'json-ld'")
        conn.execute(
            "INSERT INTO item_attachments VALUES (1, ?, 'Annexe <b>budgétaire</b>', 'x', 'x')",
            (SITE + "/IMG/pdf/annexe.pdf",),
        )
    with Served("--db", str(db)) as served:
        item = get(served.url + "/items/1").text
    assert "(d’après : métadonnées JSON-LD)" in item
    assert f'href="{SITE}/IMG/pdf/annexe.pdf"' in item
    assert "Annexe &lt;b&gt;budgétaire&lt;/b&gt;" in item


# -- starting up ---------------------------------------------------------------------------------


def test_a_missing_archive_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = regarchive("serve", "--db", str(tmp_path / "none.db"), "--port", "0")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no archive at" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_a_busy_port_is_one_line_and_exit_2(sample_db: Path) -> None:
    with closing(socket.socket()) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = regarchive("serve", "--db", str(sample_db), "--port", str(port))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_another_host_than_loopback_is_served_with_a_warning(sample_db: Path) -> None:
    with Served("--db", str(sample_db), "--host", "0.0.0.0") as served:
        # Any Host header is accepted then: the server was exposed on purpose.
        assert get(served.url + "/", host="archive.example").status == 200
        served.stop()
    assert "WARNING: listening on 0.0.0.0" in served.output


def test_an_archive_that_needs_a_migration_is_not_migrated_read_only(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        schema.migrate(conn, schema.MIGRATIONS[:3])
    before = file_digest(db)
    with pytest.raises(ArchiveError, match="older than this regarchive's"):
        Archive(db, create=False, read_only=True)
    result = regarchive("serve", "--db", str(db), "--port", "0")
    assert result.returncode == 2 and "regarchive status --db" in result.stderr
    assert file_digest(db) == before


def test_an_archive_opened_read_only_refuses_every_write(sample_db: Path) -> None:
    before = file_digest(sample_db)
    with Archive(sample_db, create=False, read_only=True) as archive:
        assert archive.item_count() == 36
        with pytest.raises(ArchiveError, match="readonly|read-only"):
            archive.record_error(None, SITE + "/x", 500, "boom")
        with pytest.raises(ArchiveError, match="readonly|read-only"):
            archive.save_item(extracted_record(SITE + "/new", "Texte."), None, None)
    assert file_digest(sample_db) == before
