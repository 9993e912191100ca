"""The extraction library: from a saved page to the archive's record, one stage per module.

:func:`extract_record` (in :mod:`.core`) is the entry point; its docstring lists the stages.
``page`` decodes and parses, ``text`` finds the article's text, ``metadata`` reads the page's
and the article's metadata, ``dates`` reads dates, ``urls`` normalises and classifies URLs,
``labels`` reads "Actu - Régions - Titre" labels. Pure functions, no I/O: the spider, the
worker pool and ``regarchive extract`` all call them.
"""

from regarchive.pipelines.extraction.core import extract_record

__all__ = ["extract_record"]
