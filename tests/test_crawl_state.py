"""What a rerun asks the archive, page by page: known pages, the pages to revisit, known URLs.

Nothing of the archive is loaded whole: the crawl's memory must not grow with the archive.
"""

from __future__ import annotations

from pathlib import Path

from regarchive.archive.store import Archive
from regarchive.scraper.incremental import ArchiveState, KnownPage
from tests.support import extracted_record, make_page

BASE = "https://www.regions.example"


def save(archive: Archive, path: str, *page_paths: str, text: str | None = None) -> None:
    """An article at ``BASE + path``, fetched at each of ``page_paths`` (default: ``path``)."""
    text = text or f"Le texte de l’article {path}. " * 10
    record = extracted_record(BASE + path, text, published="2017-12-12")
    for page_path in page_paths or (path,):
        record["urls"] = [BASE + path, BASE + page_path]
        archive.save_item(record, make_page(BASE + page_path, etag=f'"{page_path}"'), None)


def test_a_known_page_is_looked_up_by_url(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        save(archive, "/Un")
        known = archive.known_page(BASE + "/Un")
        assert archive.known_page(BASE + "/Inconnu") is None
    assert known is not None
    assert known["etag"] == '"/Un"'
    assert known["published"] == "2017-12-12"


def test_revisits_are_one_page_per_article_read_in_batches(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        for number in range(7):
            save(archive, f"/Article-{number}")
        # Fetched at two URLs: revisited once, at its canonical URL.
        save(archive, "/Canonique", "/spip.php?article99", "/Canonique")
        # Fetched only at a URL that is not its canonical one: revisited there.
        save(archive, "/Ailleurs", "/spip.php?article98")
    state = ArchiveState.load(str(db))
    try:
        revisits = list(state.revisits(batch=3))
    finally:
        state.close()
    urls = [url for url, _ in revisits]
    assert urls == sorted(urls)
    assert len(urls) == len(set(urls)) == 9
    assert BASE + "/Canonique" in urls and BASE + "/spip.php?article99" not in urls
    assert BASE + "/spip.php?article98" in urls
    assert all(isinstance(known, KnownPage) and known.body_hash for _, known in revisits)


def test_a_listing_is_known_only_when_every_link_is(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        save(archive, "/Un")
        save(archive, "/Deux")
    state = ArchiveState.load(str(db))
    try:
        assert state.all_known([BASE + "/Un", BASE + "/Deux", BASE + "/Un"])
        assert not state.all_known([BASE + "/Un", BASE + "/Trois"])
        assert state.known_page(BASE + "/Deux") is not None
    finally:
        state.close()


def test_a_missing_archive_knows_nothing(tmp_path: Path) -> None:
    state = ArchiveState.load(str(tmp_path / "absent.db"))
    assert list(state.revisits()) == []
    assert state.known_page(BASE + "/Un") is None
    assert not state.all_known([BASE + "/Un"])
    state.close()
    assert not (tmp_path / "absent.db").exists()
