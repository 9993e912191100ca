"""Which extractor made a record.

Every item records the ``EXTRACTOR_VERSION`` that made its fields (``items.extractor_version``).
Bump it whenever a change to the extraction library changes what it makes of some page (a date
read differently, a cleaner text, a new category cue): ``regarchive reextract`` then re-runs
the extractor over the pages of every item made by an earlier version, from the raw HTML the
archive keeps, and the items whose fields change get a new version.
"""

from __future__ import annotations

# 2: text with trafilatura's recall and only chapô repeats dropped, metadata titles, the byline
# grammar (source, published, updated), UTF-8 pages with a stale <meta> charset, one URL spelling.
# 3: listings of other CMSs and teaser pages are not articles, keyword lines out of the text,
# sites' extraction hints.
EXTRACTOR_VERSION = 3
