"""``regarchive extract`` on saved and archived pages, compared with the archive with --db."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from tests.support import FAST, regarchive

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("extract") / "archive.db"
    with SiteServer(lambda base_url: build_site(base_url, articles=12)) as server:
        result = regarchive("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    assert result.returncode == 0, result.stderr
    return db


def test_an_archived_item_extracted_again_is_the_same(archive: Path) -> None:
    shown = json.loads(regarchive("show", "3", "--db", str(archive), "--json").stdout)
    result = regarchive("extract", "3", "--db", str(archive))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert (record["title"], record["text"]) == (shown["title"], shown["text"])
    assert result.stderr == f"regarchive: the same as item 3 in {archive}\n"


def test_a_saved_page_is_compared_with_the_item_at_its_url(archive: Path, tmp_path: Path) -> None:
    shown = json.loads(regarchive("show", "2", "--db", str(archive), "--json").stdout)
    page = tmp_path / "page.html"
    saved = regarchive("show", "2", "--db", str(archive), "--format", "html", "-o", str(page))
    assert saved.returncode == 0, saved.stderr
    html = page.read_bytes()
    # A plain word of the text that the page holds as it is: changed, the text differs.
    word = next(
        w
        for w in shown["text"].split()
        if w.isascii()
        and w.isalpha()
        and len(w) >= 8
        and w.encode() in html
        and w not in shown["title"]
    )
    page.write_bytes(html.replace(word.encode(), b"remplacement"))
    result = regarchive("extract", str(page), "--url", shown["url"], "--db", str(archive))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"regarchive: differs from item 2 in {archive}:"
    assert any(line.startswith("  text: ") for line in result.stderr.splitlines()[1:])
    # Without --db, no database is read at all.
    alone = regarchive("extract", str(page), "--url", shown["url"])
    assert alone.returncode == 0 and alone.stderr == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["nothing.html"],
            "Error: no file 'nothing.html'; to extract an archived item again, add --db ARCHIVE",
        ),
        (["99", "--db", "{db}"], "Error: no file and no archived item '99' in {db}"),
    ],
)
def test_what_extract_cannot_find_is_said_in_one_line(
    archive: Path, args: list[str], message: str
) -> None:
    result = regarchive("extract", *[arg.format(db=archive) for arg in args])
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == message.format(db=archive)
