"""Host patterns: the other hosts documents may be fetched from (``--attachment-host``,
``REGARCHIVE_ATTACHMENT_HOSTS``, a sites file's ``attachment_hosts``). No Scrapy here: the CLI
and the sites file check patterns before a crawl starts."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# A host name, "*." and a domain, or either with a port.
_HOST_PATTERN = re.compile(r"^(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d{1,5})?$", re.IGNORECASE)
HOST_PATTERN_EXAMPLES = "*.gouv.fr, www.example.org or 127.0.0.1:8080"


def is_host_pattern(value: str) -> bool:
    """Whether ``value`` is a pattern :class:`HostPatterns` understands (not a URL, a path or a
    bare ``*``)."""
    return bool(_HOST_PATTERN.match(value.strip()))


@dataclass(frozen=True)
class HostPatterns:
    """Host names documents may come from besides the crawl's sites: ``*.gouv.fr`` matches
    ``www.interieur.gouv.fr`` (and ``gouv.fr`` itself), ``example.org`` that host only, on any
    port; ``127.0.0.1:8080`` that host on that port."""

    patterns: tuple[str, ...] = ()

    @classmethod
    def parse(cls, values: Iterable[str] | str | None) -> HostPatterns:
        if values is None:
            return cls()
        if isinstance(values, str):
            values = values.replace(",", " ").split()
        cleaned = (value.strip().lower().rstrip(".") for value in values)
        return cls(tuple(dict.fromkeys(value for value in cleaned if value)))

    def match(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        if not host:
            return False
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        for pattern in self.patterns:
            name, _, wanted = pattern.partition(":")  # a pattern with a port: that port only
            if wanted and str(port) != wanted:
                continue
            if fnmatch.fnmatchcase(host, name):
                return True
            if name.startswith("*.") and host == name[2:]:
                return True
        return False
