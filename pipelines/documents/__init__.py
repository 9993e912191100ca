"""Reading the documents articles link (PDF, ODT, DOCX): their text, page count and metadata.

Documents come from servers nobody controls and are parsed by libraries with a long history of
resource exhaustion, so every document is read in a child process of its own, bounded in time
and memory (:mod:`.bounded`), with pypdf's own limits on decompression (:mod:`.pdf`) and a
budget on what is inflated from a zip (:mod:`.office`). A document that cannot be read gives
warnings, never an exception: the bytes are archived all the same.
"""

from __future__ import annotations

from regarchive.pipelines.documents.bounded import read_bounded
from regarchive.pipelines.documents.limits import ReadLimits
from regarchive.pipelines.documents.reading import read_document

__all__ = ["ReadLimits", "read_bounded", "read_document"]
