"""Polite by default: the settings a crawl starts from, and how the user overrides them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from regarchive.scraper.config import check_settings
from regarchive.scraper.runner import crawl_settings
from regarchive.scraper.setting_table import BY_NAME, SETTINGS, markdown_table
from tests.support import FAST, regarchive


def test_defaults_are_polite() -> None:
    settings = crawl_settings("archive.db")
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 4
    assert settings.getfloat("DOWNLOAD_DELAY") > 0
    assert settings.get("USER_AGENT").startswith("regarchive/")
    assert "github.com/regarchive" in settings.get("USER_AGENT")


def test_user_overrides_win_and_the_archive_path_is_set() -> None:
    settings = crawl_settings("/data/a.db", {"DOWNLOAD_DELAY": "3", "ROBOTSTXT_OBEY": "False"})
    assert settings.getfloat("DOWNLOAD_DELAY") == 3.0
    assert not settings.getbool("ROBOTSTXT_OBEY")
    assert settings.get("REGARCHIVE_DB") == "/data/a.db"


@pytest.mark.e2e
def test_a_crawl_leaves_no_door_open_and_nothing_in_home(tmp_path: Path) -> None:
    """No telnet console, no remote-control server: Scrapy's writes a job file (its port
    and token) under the user's home; a cron crawl must leave $HOME alone."""
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("XDG_")}
    env["HOME"] = str(home)
    with SiteServer(lambda base_url: build_site(base_url, articles=12)) as server:
        crawl = regarchive(
            "crawl",
            *server.site.rubrics.values(),
            "--db",
            str(tmp_path / "archive.db"),
            *FAST,
            env=env,
        )
    assert crawl.returncode == 0, crawl.stderr
    assert sorted(home.rglob("*")) == []


COOKIES = "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"


def test_what_is_off_is_not_even_loaded_unless_turned_on() -> None:
    settings = crawl_settings("archive.db")
    assert COOKIES not in settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert not any(name.endswith("RemoteControl") for name in settings.getwithbase("EXTENSIONS"))
    cookies = crawl_settings("archive.db", {"COOKIES_ENABLED": "True"})
    assert COOKIES in cookies.getwithbase("DOWNLOADER_MIDDLEWARES")


PACKAGE = Path(__file__).resolve().parent.parent


def test_every_regarchive_setting_the_code_reads_is_in_the_table() -> None:
    """The table is the one list: a REGARCHIVE_* name read anywhere in the package and missing
    from it would be refused by -s, and would have no default nor a line in the README."""
    used: set[str] = set()
    for folder in ("scraper", "pipelines", "archive", "regarchive"):
        for source in (PACKAGE / folder).rglob("*.py"):
            # Not the CLI's environment variables (click's envvar=): they are no crawl setting.
            text = source.read_text("utf-8")
            used |= set(re.findall(r"(?<!envvar=)\"(REGARCHIVE_[A-Z_]+)\"", text))
    assert "REGARCHIVE_PROGRESS_INTERVAL" in used
    assert used <= set(BY_NAME), used - set(BY_NAME)


def test_the_defaults_are_the_tables() -> None:
    settings = crawl_settings("archive.db")
    for setting in SETTINGS:
        if setting.name != "REGARCHIVE_DB":  # the path the crawl is given
            assert settings.get(setting.name) == setting.effective_default, setting.name
    check_settings(settings)


def test_scrapy_settings_and_ours_are_accepted_by_name() -> None:
    overrides = {
        "HTTPCACHE_ENABLED": "False",  # Scrapy's, not in the table
        "REFERRER_POLICY": "same-origin",
        "REGARCHIVE_PROGRESS_INTERVAL": "0.5",  # read by the progress extension
        "DEPTH_LIMIT": "3",
    }
    settings = crawl_settings("archive.db", overrides)
    check_settings(settings, overrides)
    assert settings.getfloat("REGARCHIVE_PROGRESS_INTERVAL") == 0.5


def test_each_setting_says_what_it_accepts() -> None:
    assert BY_NAME["DOWNLOAD_TIMEOUT"].expected() == "a number greater than 0 and at most 86400"
    assert BY_NAME["CONCURRENT_ITEMS"].expected() == "a whole number at least 1 and at most 10000"
    assert all(setting.meaning and setting.expected() for setting in SETTINGS)
    assert "| `DEPTH_LIMIT` | `50` | a whole number at least 0 and at most 2147483647 |" in (
        markdown_table()
    )
