"""Polite by default: the settings a crawl starts from, and how the user overrides them."""

from __future__ import annotations

from scraper.runner import crawl_settings


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
