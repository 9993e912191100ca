"""A frontier shared by many crawling processes, on Redis, and the one writer of the archive.

``regarchive crawl --frontier redis://…`` runs a crawler whose scheduler queue and duplicate
filter live in Redis (scrapy-redis), shared with every other crawler pointed at the same
server; what it fetches and extracts goes to a Redis stream instead of the archive.
``regarchive ingest`` is the one process that writes the archive: it reads the stream, commits,
and only then acknowledges. See docs/SCALING.md for how the parts fit and what they cost.

- :mod:`.keys`: the names of every Redis key, in one place;
- :mod:`.connection`: connecting, with a one-line error;
- :mod:`.frontier`: the shared structures (runs, crawlers, site leases, per-site queues, claimed
  requests) and the scripts that change them atomically;
- :mod:`.scheduler`: the Scrapy scheduler over them;
- :mod:`.entries`: what goes into the stream, and back;
- :mod:`.push`: the item pipeline that pushes to the stream;
- :mod:`.archive_view`: the archive as a crawler sees it without the file;
- :mod:`.publisher` and :mod:`.ingester`: the writer's side.
"""
