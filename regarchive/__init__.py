"""regarchive: crawl French public-affairs rubrics into a deduplicated SQLite archive.

The package is layered, each layer importing only those below it (checked by import-linter):
``regarchive.cli`` and ``regarchive.demo`` (the application) → ``regarchive.scraper`` (Scrapy:
settings, spider, middlewares, the runner) → ``regarchive.pipelines`` (extraction and the item
pipelines) → ``regarchive.archive`` (the SQLite archive, its queries and exports).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("regarchive")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
