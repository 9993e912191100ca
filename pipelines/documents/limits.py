"""How much reading one document may cost."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on reading one document.

    ``seconds`` and ``memory`` bound the child process that reads it (wall time, address space
    beyond what the process started with); ``inflated`` bounds what one compressed stream or
    zip member may expand to (decompression bombs); ``pages`` and ``text_chars`` bound how
    much text is kept: a 2,000-page annex is archived whole, its first pages read.
    """

    seconds: float = 60.0
    memory: int = 1024 * MB
    # Text content streams are a few MB at most; images are not inflated to read text.
    inflated: int = 20 * MB
    pages: int = 500
    text_chars: int = 2_000_000
