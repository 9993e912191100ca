"""Check setting values before a crawl starts.

``-s DOWNLOAD_TIMEOUT=abc`` would otherwise surface as a traceback from deep inside Scrapy once
the reactor runs, and ``-s REGARCHIVE_MAX_PAGES_PER_RUBRIC=-1`` would silently crawl nothing.
:func:`check_settings` reads every setting regarchive relies on the way Scrapy will, and raises
:class:`SettingsError` with one line naming the setting, the value and what is expected.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from scrapy.settings import BaseSettings

REGARCHIVE_PREFIX = "REGARCHIVE_"
LOG_LEVELS = frozenset({"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"})


class SettingsError(ValueError):
    """A setting with a value regarchive cannot use; the message is one line for the user."""


@dataclass(frozen=True)
class Rule:
    """How a setting is read (``kind``) and the smallest value that makes sense."""

    kind: str  # "int", "float", "bool", "optional_int", "status_list", "log_level"
    minimum: float | None = None
    strict: bool = False  # the minimum itself is not allowed

    def expected(self) -> str:
        what = {
            "int": "a whole number",
            "optional_int": "a whole number (or nothing)",
            "float": "a number",
            "bool": "True or False",
            "status_list": "HTTP status codes separated by commas",
            "log_level": "one of " + ", ".join(sorted(LOG_LEVELS)),
        }[self.kind]
        if self.minimum is None:
            return what
        bound = "greater than" if self.strict else "at least"
        return f"{what} {bound} {self.minimum:g}"


_POSITIVE_INT = Rule("int", 1)
_COUNT = Rule("int", 0)
_SECONDS = Rule("float", 0)
_FLAG = Rule("bool")

RULES: dict[str, Rule] = {
    "DOWNLOAD_TIMEOUT": Rule("float", 0, strict=True),
    "DOWNLOAD_DELAY": _SECONDS,
    "DOWNLOAD_MAXSIZE": _COUNT,
    "DOWNLOAD_WARNSIZE": _COUNT,
    "CONCURRENT_REQUESTS": _POSITIVE_INT,
    "CONCURRENT_REQUESTS_PER_DOMAIN": _POSITIVE_INT,
    "CONCURRENT_ITEMS": _POSITIVE_INT,
    "RETRY_TIMES": _COUNT,
    "RETRY_HTTP_CODES": Rule("status_list"),
    "REDIRECT_MAX_TIMES": _COUNT,
    "DEPTH_LIMIT": _COUNT,
    "URLLENGTH_LIMIT": _COUNT,
    "AUTOTHROTTLE_START_DELAY": _SECONDS,
    "AUTOTHROTTLE_MAX_DELAY": _SECONDS,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": Rule("float", 0, strict=True),
    "AUTOTHROTTLE_ENABLED": _FLAG,
    "ROBOTSTXT_OBEY": _FLAG,
    "RETRY_ENABLED": _FLAG,
    "COOKIES_ENABLED": _FLAG,
    "LOG_LEVEL": Rule("log_level"),
    "REGARCHIVE_MAX_PAGES_PER_RUBRIC": _POSITIVE_INT,
    "REGARCHIVE_MAX_LINKS_PER_PAGE": _POSITIVE_INT,
    "REGARCHIVE_REVISIT_RECENT_DAYS": _COUNT,
    "REGARCHIVE_REVISIT_OLD_EVERY_DAYS": _COUNT,
    "REGARCHIVE_EXTRACT_WORKERS": Rule("optional_int", 0),
    "REGARCHIVE_RETRY_BACKOFF": _SECONDS,
    "REGARCHIVE_RETRY_BACKOFF_MAX": _SECONDS,
    "REGARCHIVE_RETRY_AFTER_MAX": _SECONDS,
    "REGARCHIVE_FULL": _FLAG,
    "REGARCHIVE_PROGRESS": _FLAG,
}
# Read by name but not numbers: known, so not reported as typos.
OTHER_REGARCHIVE_SETTINGS = frozenset({"REGARCHIVE_DB"})


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


_READERS: dict[str, Callable[[BaseSettings, str], Any]] = {
    "int": BaseSettings.getint,
    "float": BaseSettings.getfloat,
    "bool": BaseSettings.getbool,
    "optional_int": _optional_int,
    "status_list": _status_list,
    "log_level": _log_level,
}


def check_settings(settings: BaseSettings, overridden: Iterable[str] = ()) -> None:
    """Raise :class:`SettingsError` for the first unusable value, or an unknown
    ``REGARCHIVE_*`` name among ``overridden`` (the keys the user set)."""
    for name in overridden:
        _check_name(name)
    for name, rule in RULES.items():
        _check_value(settings, name, rule)


def _check_name(name: str) -> None:
    if not name.upper().startswith(REGARCHIVE_PREFIX):
        return  # Scrapy's own settings are many; only ours are checked by name
    known = [*RULES, *OTHER_REGARCHIVE_SETTINGS]
    if name in known:
        return
    close = difflib.get_close_matches(name.upper(), known, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise SettingsError(f"unknown setting {name}{hint}")


def _check_value(settings: BaseSettings, name: str, rule: Rule) -> None:
    raw = settings.get(name)
    try:
        value = _READERS[rule.kind](settings, name)
    except (TypeError, ValueError):
        raise SettingsError(f"bad value for {name}: {raw!r}; expected {rule.expected()}") from None
    if rule.minimum is None or value is None:
        return
    if value < rule.minimum or (rule.strict and value == rule.minimum):
        raise SettingsError(f"bad value for {name}: {raw!r}; expected {rule.expected()}")
