"""The WARC files of a real crawl replay in pywb, the replay tool of web archives.

pywb pins libraries that regarchive's own dependencies outgrow (redis 2.10, fakeredis < 1), so
it is never a dependency of the project: it goes into a throwaway virtualenv of its own, and the
test skips when that cannot be built here (no package index, an incompatible Python).
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import zlib
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from tests.support import FAST, export_records, regarchive

# Every test here crawls the sample site or runs the CLI in its own process.
pytestmark = pytest.mark.e2e

INSTALL_SECONDS = 300


@pytest.fixture(scope="module")
def pywb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` directory of a fresh virtualenv with pywb in it."""
    venv = tmp_path_factory.mktemp("pywb") / "venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120,
                       capture_output=True)  # fmt: skip
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "pywb>=2.7"],
            check=True, timeout=INSTALL_SECONDS, capture_output=True, text=True,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        pytest.skip(f"pywb cannot be installed here: {str(error)[:200]}")
    return venv / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def replay(pywb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A crawl's WARC files in a pywb collection, served on 127.0.0.1 (the site itself is
    stopped by then: whatever comes back comes from the files)."""
    work = tmp_path_factory.mktemp("replay")
    db, warc = work / "archive.db", work / "warc"
    with SiteServer(lambda base_url: build_site(base_url, articles=12)) as server:
        crawl = regarchive("crawl", *server.site.rubrics.values(), "--db", str(db),
                           "--warc", str(warc), *FAST)  # fmt: skip
        site = server.site
    assert crawl.returncode == 0, crawl.stderr
    manager = str(pywb / "wb-manager")
    subprocess.run([manager, "init", "crawl"], cwd=work, check=True, capture_output=True)
    added = subprocess.run([manager, "add", "crawl", *map(str, sorted(warc.iterdir()))],
                           cwd=work, capture_output=True, text=True)  # fmt: skip
    assert added.returncode == 0, added.stderr
    port = free_port()
    wayback = subprocess.Popen(
        [str(pywb / "wayback"), "-b", "127.0.0.1", "-p", str(port)],
        cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "pywb did not start"
                time.sleep(0.2)
        with closing(sqlite3.connect(db)) as conn:
            pages = conn.execute("SELECT final_url, html FROM pages").fetchall()
        yield {"base": base, "site": site, "records": export_records(db), "pages": pages}
    finally:
        wayback.terminate()
        wayback.wait(timeout=30)


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


def test_every_archived_page_replays_byte_for_byte(replay) -> None:
    """pywb gives back, for every page the archive holds, the very bytes the crawl got."""
    assert len(replay["pages"]) >= len(replay["site"].articles)
    for url, html in replay["pages"]:
        # id_: the page as it was captured, without the replay banner or rewriting.
        status, body = fetch(f"{replay['base']}/crawl/2026id_/{url}")
        assert status == 200
        assert body == zlib.decompress(html), url


def test_listings_replay_and_pywb_indexes_every_capture(replay) -> None:
    site = replay["site"]
    for url in site.rubrics.values():
        status, _ = fetch(f"{replay['base']}/crawl/2026id_/{url}")
        assert status == 200
    status, index = fetch(f"{replay['base']}/crawl/cdx?url={site.base_url}/*&output=json")
    assert status == 200
    captured = {json.loads(line)["url"] for line in index.decode().splitlines()}
    assert {record["url"] for record in replay["records"]} <= captured
