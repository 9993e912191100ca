"""Sites as configuration: a TOML file of ``[[site]]`` tables, checked before any request.

The smallest file::

    [[site]]
    name = "territoires"
    start_urls = ["https://example.org/-Regions-", "https://example.org/-Communes-"]

Every key of a site table is listed in :data:`SITE_KEYS` (with what it expects) and in the
README. :func:`load_sites` reads a file and raises :class:`SiteConfigError` listing every
problem as ``FILE:LINE: what is wrong; what to write instead``, one line each: unknown keys
(with the closest known one), bad values, bad URLs, invalid selectors, duplicate names or two
tables for one site.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from regarchive.pipelines.extraction.hints import (
    HINT_FIELDS,
    ExtractionHints,
    HintError,
    compile_hint,
)
from regarchive.pipelines.extraction.urls import normalize_url, site_of
from regarchive.scraper.host_patterns import HOST_PATTERN_EXAMPLES, is_host_pattern

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_HOST_NAME = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?$", re.IGNORECASE)


class SiteConfigError(ValueError):
    """A configuration file that cannot be used: ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SiteConfig:
    """One ``[[site]]`` table, checked. ``None`` means "the crawl's setting"."""

    name: str
    start_urls: tuple[str, ...]
    delay: float | None = None
    concurrency: int | None = None
    discovery: bool = True
    revisit_recent_days: int | None = None
    revisit_old_every_days: int | None = None
    max_pages_per_rubric: int | None = None
    # Other hosts this site's articles may have their documents fetched from.
    attachment_hosts: tuple[str, ...] = ()
    hints: ExtractionHints = field(default_factory=ExtractionHints)
    line: int = 0  # where the table starts in its file

    @property
    def site(self) -> str:
        """The host (and port) every start URL of this site is on."""
        return site_of(self.start_urls[0])


@dataclass(frozen=True)
class Key:
    """A key of a site table: what it expects (for messages) and how it is checked."""

    expects: str
    check: Callable[[Any], Any]


def _whole(minimum: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError
        return value

    return check


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError
    return float(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError
    return value


def _host_patterns(value: Any) -> tuple[str, ...]:
    patterns = _list(value)
    if not all(isinstance(pattern, str) and is_host_pattern(pattern) for pattern in patterns):
        raise ValueError(value)
    return tuple(pattern.strip() for pattern in patterns)


def _table(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError
    return value


SITE_KEYS: dict[str, Key] = {
    "name": Key('a short name: letters, digits, "-", "_" or "." (e.g. "territoires")', _text),
    "start_urls": Key('a list of rubric URLs, e.g. ["https://example.org/-Regions-"]', _list),
    "delay": Key("seconds between two requests to the site, e.g. 2.0", _seconds),
    "concurrency": Key("how many requests at once to the site, a whole number >= 1", _whole(1)),
    "discovery": Key(
        "true or false (read robots.txt's Sitemap: lines, sitemaps and rubric feeds)", _flag
    ),
    "revisit_recent_days": Key("a whole number of days >= 0, e.g. 30", _whole(0)),
    "revisit_old_every_days": Key("a whole number of days >= 0, e.g. 7", _whole(0)),
    "max_pages_per_rubric": Key("a whole number >= 1, e.g. 500", _whole(1)),
    "attachment_hosts": Key(
        f'a list of host patterns, e.g. ["*.gouv.fr"] ({HOST_PATTERN_EXAMPLES})', _host_patterns
    ),
    "hints": Key(
        "a table of selectors: article, byline, date, category (CSS, or XPath from /)", _table
    ),
}
REQUIRED_KEYS = ("name", "start_urls")


def load_sites(path: str | Path) -> list[SiteConfig]:
    """The sites of the file at ``path``, checked; raises :class:`SiteConfigError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteConfigError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise SiteConfigError([f"{path}: cannot read it ({reason})"]) from None
    return parse_sites(text, str(path))


def parse_sites(text: str, filename: str = "sites.toml") -> list[SiteConfig]:
    """The sites of a configuration given as text (``filename`` is for messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SiteConfigError([_toml_problem(error, filename)]) from None
    lines = _KeyLines(text)
    problems: list[str] = []
    for key in data:
        if key != "site":
            problems.append(
                f"{filename}:{lines.top_level(key)}: unknown table or key {key!r}"
                f"{_did_you_mean(key, ['site'])}; sites are [[site]] tables"
            )
    tables = data.get("site")
    if tables is None:
        raise SiteConfigError(
            [*problems, f"{filename}:1: no [[site]] table; write at least one ([[site]], "
             'name = "…", start_urls = ["https://…"])']
        )  # fmt: skip
    if not isinstance(tables, list):
        raise SiteConfigError(
            [*problems, f"{filename}:{lines.top_level('site')}: write [[site]], not [site]"]
        )
    sites: list[SiteConfig] = []
    identities: list[tuple[str | None, str | None, int]] = []
    for index, table in enumerate(tables):
        site = _read_site(table, index, lines, filename, problems)
        if site is not None:
            sites.append(site)
        identities.append(_identity(table, lines.site_line(index)))
    _check_unique(identities, filename, problems)
    if problems:
        raise SiteConfigError(sorted(problems, key=_line_of))
    return sites


def _line_of(problem: str) -> int:
    match = re.search(r":(\d+): ", problem)
    return int(match.group(1)) if match else 0


def _identity(table: Any, line: int) -> tuple[str | None, str | None, int]:
    """A table's name and site as written (even when the table has problems), and its line."""
    name = table.get("name") if isinstance(table, dict) else None
    urls = table.get("start_urls") if isinstance(table, dict) else None
    host = None
    for url in urls if isinstance(urls, list) else []:
        if isinstance(url, str) and url_problem(url) is None:
            host = site_of(url)
            break
    return (name if isinstance(name, str) else None), host, line


def _toml_problem(error: Exception, filename: str) -> str:
    message = str(error)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if match:
        reason = message[: match.start()].strip()
        return f"{filename}:{match.group(1)}: not valid TOML: {reason} (column {match.group(2)})"
    return f"{filename}: not valid TOML: {message}"


def _read_site(
    table: dict[str, Any],
    index: int,
    lines: _KeyLines,
    filename: str,
    problems: list[str],
) -> SiteConfig | None:
    start = lines.site_line(index)

    def where(key: str | None = None, subkey: str | None = None) -> str:
        return f"{filename}:{lines.key_line(index, key, subkey) if key else start}"

    label = f"[[site]] {table.get('name')!r}" if isinstance(table.get("name"), str) else "[[site]]"
    count = len(problems)
    values: dict[str, Any] = {}
    for key, value in table.items():
        spec = SITE_KEYS.get(key)
        if spec is None:
            problems.append(
                f"{where(key)}: unknown key {key!r} in {label}{_did_you_mean(key, SITE_KEYS)}"
            )
            continue
        try:
            values[key] = spec.check(value)
        except ValueError:
            problems.append(f"{where(key)}: {key} = {_shown(value)}: expected {spec.expects}")
    for key in REQUIRED_KEYS:
        if key not in table:
            problems.append(f"{where()}: {label} has no {key}; write {key} = {_example(key)}")
    name = values.get("name")
    if isinstance(name, str) and not _NAME.match(name):
        problems.append(f"{where('name')}: name = {name!r}: expected {SITE_KEYS['name'].expects}")
    urls = _start_urls(values.get("start_urls"), where, problems)
    hints = _hints(values.get("hints"), where, label, problems)
    if len(problems) > count or not urls:
        return None
    return SiteConfig(
        name=values["name"],
        start_urls=tuple(urls),
        delay=values.get("delay"),
        concurrency=values.get("concurrency"),
        discovery=values.get("discovery", True),
        revisit_recent_days=values.get("revisit_recent_days"),
        revisit_old_every_days=values.get("revisit_old_every_days"),
        max_pages_per_rubric=values.get("max_pages_per_rubric"),
        attachment_hosts=values.get("attachment_hosts", ()),
        hints=hints,
        line=start,
    )


def _start_urls(
    value: list[Any] | None, where: Callable[..., str], problems: list[str]
) -> list[str]:
    if value is None:
        return []
    if not value:
        problems.append(f"{where('start_urls')}: start_urls is empty; list at least one URL")
        return []
    urls: list[str] = []
    for raw in value:
        problem = url_problem(raw) if isinstance(raw, str) else "not a string"
        if problem:
            problems.append(f"{where('start_urls')}: start_urls: {_shown(raw)}: {problem}")
            continue
        url = normalize_url(raw)
        if urls and site_of(url) != site_of(urls[0]):
            problems.append(
                f"{where('start_urls')}: start_urls: {raw} is not on {site_of(urls[0])} like "
                "the first one; give each site its own [[site]] table"
            )
            continue
        if url not in urls:
            urls.append(url)
    return urls


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a well-formed absolute http(s) URL, or None."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number below 65536
    except ValueError as error:
        return f"malformed URL ({error})"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL (expected e.g. https://example.org/-Regions-)"
    host = parts.hostname
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    try:
        encoded = host.encode("idna").decode("ascii")
    except UnicodeError:
        return f"malformed URL: {host!r} is not a host name"
    return None if _HOST_NAME.match(encoded) else f"malformed URL: {host!r} is not a host name"


def _hints(
    value: dict[str, Any] | None, where: Callable[..., str], label: str, problems: list[str]
) -> ExtractionHints:
    if not value:
        return ExtractionHints()
    compiled = {}
    for key, expression in value.items():
        if key not in HINT_FIELDS:
            problems.append(
                f"{where('hints', key)}: unknown hint {key!r} in {label}"
                f"{_did_you_mean(key, HINT_FIELDS)} (hints are {', '.join(HINT_FIELDS)})"
            )
            continue
        if not isinstance(expression, str):
            problems.append(
                f"{where('hints', key)}: hints.{key} = {_shown(expression)}: expected a CSS "
                'selector or an XPath expression in quotes, e.g. "div.texte"'
            )
            continue
        try:
            compiled[key] = compile_hint(expression)
        except HintError as error:
            problems.append(f"{where('hints', key)}: hints.{key}: {error}")
    return ExtractionHints(**compiled)


def _check_unique(
    identities: list[tuple[str | None, str | None, int]], filename: str, problems: list[str]
) -> None:
    names: dict[str, int] = {}
    hosts: dict[str, tuple[str | None, int]] = {}
    for name, host, line in identities:
        if name is not None:
            first = names.setdefault(name, line)
            if first != line:
                problems.append(
                    f"{filename}:{line}: a second [[site]] named {name!r} (the first is at "
                    f"line {first}); give it another name"
                )
        if host is not None:
            other, first = hosts.setdefault(host, (name, line))
            if first != line:
                this = f"[[site]] {name!r}" if name else "this [[site]]"
                that = repr(other) if other else f"the [[site]] at line {first}"
                problems.append(
                    f"{filename}:{line}: {this} is on {host}, like {that} (line {first}); "
                    f"put its start_urls in {that}"
                )


def _did_you_mean(key: str, known: Any) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _example(key: str) -> str:
    return '"my-site"' if key == "name" else '["https://example.org/-Rubrique-"]'


class _KeyLines:
    """Where keys are in the file, for messages: ``tomllib`` gives values, not lines.

    A light scan of the text is enough: table headers (``[[site]]``, ``[site.hints]``) and
    ``key =`` at the start of a line. A key it cannot place is reported at its table's line.
    """

    _HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(?:#.*)?$")
    _KEY = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_.-]+)\s*=")

    def __init__(self, text: str) -> None:
        self.sites: list[int] = []
        # (site index or None for the top level, table path) → key → line
        self.keys: dict[tuple[int | None, str], dict[str, int]] = {}
        self.tables: dict[tuple[int | None, str], int] = {}
        current: tuple[int | None, str] = (None, "")
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header and line.lstrip().startswith("["):
                name = header.group(1).replace('"', "").replace("'", "").replace(" ", "")
                if line.lstrip().startswith("[[") and name == "site":
                    self.sites.append(number)
                    current = (len(self.sites) - 1, "")
                elif name.startswith("site.") and self.sites:
                    current = (len(self.sites) - 1, name[len("site.") :])
                else:
                    current = (None, name)
                self.tables.setdefault(current, number)
                continue
            key = self._KEY.match(line)
            if key:
                name = key.group(1).strip("\"'")
                table = current
                if "." in name and not name.startswith(("'", '"')):  # hints.article = "…"
                    prefix, _, name = name.rpartition(".")
                    table = (current[0], f"{current[1]}.{prefix}".strip("."))
                self.keys.setdefault(table, {}).setdefault(name, number)

    def site_line(self, index: int) -> int:
        return self.sites[index] if index < len(self.sites) else 1

    def key_line(self, index: int, key: str, subkey: str | None = None) -> int:
        if subkey is not None:
            line = self.keys.get((index, key), {}).get(subkey)
            if line is not None:
                return line
        return (
            self.keys.get((index, ""), {}).get(key)
            or self.tables.get((index, key))
            or self.site_line(index)
        )

    def top_level(self, key: str) -> int:
        return self.keys.get((None, ""), {}).get(key) or self.tables.get((None, key)) or 1


def crawl_overrides(sites: list[SiteConfig]) -> dict[str, Any]:
    """The settings a crawl of ``sites`` runs with, on top of the user's ``-s`` overrides.

    ``DOWNLOAD_SLOTS`` gives each site its own delay and concurrency (one download slot per site,
    see :mod:`.politeness`: sites are fetched at once, each at its own pace); ``REGARCHIVE_SITES``
    carries the rest of each site's table, as plain data, to the components that apply it.
    """
    slots: dict[str, dict[str, Any]] = {}
    for site in sites:
        slot: dict[str, Any] = {}
        if site.delay is not None:
            # The delay as asked, not Scrapy's random 0.5x to 1.5x of it: a floor.
            slot["delay"] = site.delay
            slot["jitter"] = 0.0
        if site.concurrency is not None:
            slot["concurrency"] = site.concurrency
        if slot:
            slots[site.site] = slot
    return {
        "DOWNLOAD_SLOTS": slots,
        "REGARCHIVE_SITES": [site_as_dict(site) for site in sites],
    }


def site_as_dict(site: SiteConfig) -> dict[str, Any]:
    """A site's table as plain data (for settings, which Scrapy copies)."""
    return {
        "name": site.name,
        "start_urls": list(site.start_urls),
        "delay": site.delay,
        "concurrency": site.concurrency,
        "discovery": site.discovery,
        "revisit_recent_days": site.revisit_recent_days,
        "revisit_old_every_days": site.revisit_old_every_days,
        "max_pages_per_rubric": site.max_pages_per_rubric,
        "attachment_hosts": list(site.attachment_hosts),
        "hints": site.hints.as_dict(),
        "line": site.line,
    }


def site_from_dict(data: dict[str, Any]) -> SiteConfig:
    """The inverse of :func:`site_as_dict`."""
    values = dict(data)
    values["start_urls"] = tuple(values["start_urls"])
    values["attachment_hosts"] = tuple(values.get("attachment_hosts") or ())
    values["hints"] = ExtractionHints.from_dict(values.get("hints"))
    return SiteConfig(**values)
