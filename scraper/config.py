"""Check setting names and values before a crawl starts.

``-s DOWNLOAD_TIMEOUT=abc`` would otherwise surface as a traceback from deep inside Scrapy once
the reactor runs, ``-s REGARCHIVE_MAX_PAGES_PER_RUBRIC=-1`` would silently crawl nothing, and
``-s DOWNLOAD_DELAI=2`` would be silently ignored. :func:`check_settings` refuses a name that is
neither Scrapy's nor regarchive's, and reads every setting of the table
(:mod:`regarchive.scraper.setting_table`) the way Scrapy will; it raises :class:`SettingsError`
with one line naming the setting, the value and what is expected.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable
from typing import Any

from scrapy.settings import BaseSettings

from regarchive.archive.warc.naming import PREFIX_PATTERN
from regarchive.scraper.setting_table import BY_NAME, LOG_LEVELS, SCRAPY_NAMES, SETTINGS, Setting

KNOWN_NAMES = sorted(SCRAPY_NAMES | set(BY_NAME))


class SettingsError(ValueError):
    """A setting with a value regarchive cannot use; the message is one line for the user."""


def _float(settings: BaseSettings, name: str) -> float:
    value = settings.getfloat(name)
    if not math.isfinite(value):  # "inf" and "nan" read as floats, and mean nothing here
        raise ValueError(name)
    return value


def _status_list(settings: BaseSettings, name: str) -> list[int]:
    codes = [int(code) for code in settings.getlist(name)]
    if any(not 100 <= code <= 599 for code in codes):
        raise ValueError(name)
    return codes


def _optional_int(settings: BaseSettings, name: str) -> int | None:
    value = settings.get(name)
    return None if value in (None, "") else settings.getint(name)


def _log_level(settings: BaseSettings, name: str) -> str:
    value = str(settings.get(name)).upper()
    if value not in LOG_LEVELS:
        raise ValueError(name)
    return value


def _json_object(settings: BaseSettings, name: str) -> dict[str, Any]:
    return settings.getdict(name)


def _file_prefix(settings: BaseSettings, name: str) -> str:
    value = str(settings.get(name))
    if not PREFIX_PATTERN.match(value):
        raise ValueError(name)
    return value


def _sites(settings: BaseSettings, name: str) -> list[dict[str, Any]]:
    sites = settings.getlist(name)
    if not all(isinstance(site, dict) and site.get("start_urls") for site in sites):
        raise ValueError(name)
    return sites


_READERS: dict[str, Callable[[BaseSettings, str], Any]] = {
    "int": BaseSettings.getint,
    "float": _float,
    "bool": BaseSettings.getbool,
    "optional_int": _optional_int,
    "status_list": _status_list,
    "log_level": _log_level,
    "text": BaseSettings.get,
    "json_object": _json_object,
    "file_prefix": _file_prefix,
    "sites": _sites,
}


def check_settings(settings: BaseSettings, overridden: Iterable[str] = ()) -> None:
    """Raise :class:`SettingsError` for an unknown name among ``overridden`` (the names the
    user set), or for the first value regarchive cannot use."""
    for name in overridden:
        check_name(name)
    for setting in SETTINGS:
        _check_value(settings, setting)


def check_name(name: str) -> None:
    """Refuse a name that is neither one of Scrapy's settings nor one of regarchive's, with the
    closest known name when there is one: settings are case-sensitive, and Scrapy ignores names
    it does not know."""
    if name in BY_NAME or name in SCRAPY_NAMES:
        return
    close = difflib.get_close_matches(name.upper(), KNOWN_NAMES, n=1)
    hint = f"; did you mean {close[0]}?" if close else " (neither Scrapy's nor regarchive's)"
    raise SettingsError(f"unknown setting {name}{hint}")


def _check_value(settings: BaseSettings, setting: Setting) -> None:
    raw = settings.get(setting.name)
    problem = f"bad value for {setting.name}: {raw!r}; expected {setting.expected()}"
    try:
        value = _READERS[setting.kind](settings, setting.name)
    except (TypeError, ValueError):
        raise SettingsError(problem) from None
    if value is None or setting.kind not in ("int", "optional_int", "float"):
        return
    if setting.minimum is not None and (
        value < setting.minimum or (setting.strict and value == setting.minimum)
    ):
        raise SettingsError(problem)
    if setting.maximum is not None and value > setting.maximum:
        raise SettingsError(problem)
