"""``regarchive serve``: the archive in a web page, read-only, in French.

A small Flask application (:mod:`regarchive.serve.app`) over a read-only
:class:`regarchive.archive.store.Archive`, served by waitress (:mod:`regarchive.serve.server`):
a home page with what the archive holds and how the last crawls went, a search with facets and
highlighted passages, an item page (metadata, text, versions, related items, the stored page
shown sandboxed) and downloads of the current selection. Nothing in it writes to the archive,
runs SQL a visitor typed (unless the server was started with ``--allow-sql``), or renders
stored HTML as one of its own pages.
"""
