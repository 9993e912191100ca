"""Fixtures shared by the test modules, and what keeps the ``e2e`` marker true.

Tests that start processes or servers (a crawl, the CLI in its own process, the sample site on
127.0.0.1) are marked ``e2e``, so that ``pytest -m "not e2e"`` is a loop of seconds. The helpers
that start them (:func:`tests.support.regarchive`, :class:`tests.faults.FaultServer`, the
``server`` fixture) refuse to run in a test without the marker: a new test cannot slip a crawl
into the fast loop unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from tests import support


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before the item's fixtures are set up: module-scoped ones that crawl count too.
    support.e2e_allowed = item.get_closest_marker("e2e") is not None


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's archive goes (not created)."""
    return tmp_path / "archive.db"


@pytest.fixture
def server() -> Iterator[SiteServer]:
    """The sample site (default size), served on 127.0.0.1 for one test."""
    support.require_e2e("the sample site's server")
    with SiteServer(lambda base_url: build_site(base_url)) as running:
        yield running
