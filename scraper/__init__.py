"""The crawling side of regarchive: Scrapy settings, spiders, items and the crawl runner."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("regarchive")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
