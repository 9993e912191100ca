"""``regarchive serve`` in a real browser: headless Chromium (Debian's ``chromium`` package, driven
by Playwright) on the sample site crawled into an archive, doing what a colleague would: search a
word typed without its accents, narrow by a facet, open an item and read it, download a CSV.

On failure the page is saved as a screenshot, whose path the failure names. With
``REGARCHIVE_SCREENSHOTS=DIR`` the screenshots of the README are written to DIR (``docs``).
Without chromium the test is skipped, except in CI (``CI`` set), where ``.ci/run`` installs it
and a skip would hide that nothing was tested.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from regarchive.archive.store import Archive
from tests.support import Served, crawl_sample_site

# Every test here starts a server or a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e

CHROMIUM = next(
    (
        path
        for path in (shutil.which("chromium"), "/usr/bin/chromium")
        if path and Path(path).exists()
    ),
    None,
)
# Headless in a container: no sandbox (no user namespaces), no GPU, nothing fetched by the
# browser itself (updates, sync, safe-browsing lists), /tmp instead of a small /dev/shm.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--lang=fr-FR",
]
VIEWPORT = {"width": 1280, "height": 900}


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -e '.[test]'"
    if CHROMIUM is None:
        return "chromium is not installed: apt-get install chromium (CI installs it)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: in CI the browser test must run, not be skipped")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("browsed") / "archive.db"
    crawl_sample_site(db)
    return db


@contextmanager
def screenshot_on_failure(page: Any, path: Path) -> Iterator[None]:
    """A failing step leaves a picture of the page where the failure says."""
    try:
        yield
    except Exception as error:
        page.screenshot(path=str(path), full_page=True)
        raise AssertionError(f"{error}\nscreenshot of the page: {path}") from error


def keep_screenshot(page: Any, name: str) -> None:
    """The README's screenshots, written only when asked (they are committed under docs/)."""
    folder = os.environ.get("REGARCHIVE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"serve-{name}.png"), full_page=True)


def test_a_colleague_searches_opens_an_item_and_downloads_a_csv(
    browser: Any, sample_db: Path, tmp_path: Path
) -> None:
    context = browser.new_context(accept_downloads=True, locale="fr-FR", viewport=VIEWPORT)
    page = context.new_page()
    with (
        Served("--db", str(sample_db)) as served,
        screenshot_on_failure(page, tmp_path / "failure.png"),
    ):
        # The home page: what the archive holds, and how the last crawl went.
        page.goto(served.url + "/")
        assert "36 articles" in page.locator("p.lead").inner_text()
        assert page.locator("table.runs tr.good").count() == 1
        assert page.locator("img.chart").evaluate("img => img.naturalWidth") > 0
        keep_screenshot(page, "home")

        # A search typed without accents finds the accented words and marks them.
        page.fill("header input[name=q]", "renovation energetique")
        page.press("header input[name=q]", "Enter")
        page.wait_for_url(re.compile(r"/search\?"))
        assert page.locator("p.total strong").inner_text() == "3 articles"
        marks = {text.lower() for text in page.locator("ol.hits mark").all_inner_texts()}
        assert marks == {"rénovation", "énergétique"}

        # Facets count the results; one click narrows them.
        categories = facet_counts(page, "category")
        assert categories == {"Actu": 2, "Circ.": 1}
        assert sum(facet_counts(page, "year").values()) == 3
        keep_screenshot(page, "search")
        page.locator("[data-facet=category] a", has_text="Actu").click()
        page.wait_for_url(re.compile(r"category=Actu"))
        assert page.locator("p.total strong").inner_text() == "2 articles"

        # The CSV of the current selection: the two news items, accents intact.
        with page.expect_download() as download:
            page.locator("p.downloads a", has_text="CSV").click()
        saved = tmp_path / "selection.csv"
        download.value.save_as(saved)
        with saved.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 2
        assert all(row["category"] == "Actu" for row in rows)
        assert all("rénovation énergétique" in row["text"] for row in rows)

        # The first item: its title, dates and text as the archive holds them.
        page.locator("ol.hits a.title").first.click()
        page.wait_for_url(re.compile(r"/items/\d+$"))
        item_id = int(page.url.rsplit("/", 1)[1])
        with Archive(sample_db, create=False, read_only=True) as archive:
            record = archive.record(item_id)
        assert record is not None and record["published"]
        assert page.locator("h1").inner_text() == record["title"]
        published = page.locator("td.published time")
        assert published.get_attribute("datetime") == record["published"]
        year = record["published"][:4]
        assert re.fullmatch(rf"(1er|\d{{1,2}}) [a-zéû]+ {year}", published.inner_text())
        text = page.locator("section.text").inner_text()
        assert "rénovation énergétique" in text
        first_paragraph = record["text"].split("\n")[0]
        assert first_paragraph in text
        keep_screenshot(page, "item")
    context.close()


def facet_counts(page: Any, facet: str) -> dict[str, int]:
    counts = {}
    for entry in page.locator(f"[data-facet={facet}] li").all():
        label = entry.locator("a, span.none").first.inner_text()
        counts[label] = int(entry.locator("span.n").inner_text())
    return counts
