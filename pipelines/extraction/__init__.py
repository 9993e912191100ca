"""The extraction library: from a saved page to the archive's record, one stage per module.

:func:`extract_record` (in :mod:`.core`) is the entry point; its docstring lists the stages.
``page`` decodes and parses, ``text`` finds the article's text, ``metadata`` reads the page's
and the article's metadata, ``dates`` reads dates, ``urls`` normalises and classifies URLs,
``labels`` reads "Actu - Régions - Titre" labels; ``version`` numbers the extractor
(``EXTRACTOR_VERSION``, bumped when what it makes of a page changes). Pure functions, no I/O:
the spider, the worker pool and ``regarchive extract`` all call them.
"""

from regarchive.pipelines.extraction.core import extract_record
from regarchive.pipelines.extraction.version import EXTRACTOR_VERSION

__all__ = ["EXTRACTOR_VERSION", "extract_record"]
