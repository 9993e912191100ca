"""How WARC files are named (light: the settings check reads it without loading warcio)."""

from __future__ import annotations

import re
import socket
from datetime import datetime, timezone
from pathlib import Path

WARC_SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"
# About 1 GB, the size archives have used since the Internet Archive's first crawls: big enough
# to keep the file count low, small enough to move and checksum one at a time.
DEFAULT_MAX_SIZE = 1_000_000_000
DEFAULT_PREFIX = "regarchive"
# A file name part: no separators, nothing a shell or another tool would read as special.
PREFIX_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def host_part() -> str:
    """The machine's name as a file name part (letters, digits, dots and hyphens)."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "localhost"


def warc_name(prefix: str, moment: datetime, serial: int, host: str) -> str:
    stamp = moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
    millis = moment.microsecond // 1000
    return f"{prefix}-{stamp}{millis:03d}-{serial:05d}-{host}{WARC_SUFFIX}"


def open_path_of(path: Path) -> Path:
    return path.with_name(path.name + OPEN_SUFFIX)
