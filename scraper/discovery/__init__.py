"""What a site announces about itself: robots.txt ``Sitemap:`` lines, sitemaps, feeds.

Pure functions over bytes, no Scrapy and no network, so that they can be tested on hostile
input directly: :mod:`.xml_reader` is the project's one XML parser (no entity expansion, no
network, bounded size), :mod:`.sitemaps` and :mod:`.feeds` read what it yields, :mod:`.links`
finds the feeds a listing page announces, :mod:`.hint_dates` normalises the dates they give.
"""
