"""The crawling side of regarchive: Scrapy settings, spiders, items and the crawl runner."""
