"""The frontier part of ``regarchive status --frontier``: crawlers alive, requests waiting per
site, entries waiting for the ingester."""

from __future__ import annotations

from regarchive.cli.commands.common import ConfigError


def frontier_report(url: str) -> list[str]:
    """The lines ``status`` prints about the frontier at ``url``."""
    from redis import RedisError

    from regarchive.scraper.frontier.connection import FrontierError, connect
    from regarchive.scraper.frontier.frontier import Frontier

    try:
        client = connect(url)
    except FrontierError as error:
        raise ConfigError(str(error)) from None
    try:
        return _report(Frontier(client), url)
    except RedisError as error:
        raise ConfigError(f"cannot read the frontier {url}: {error}") from None
    finally:
        client.close()


def _report(frontier, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    from regarchive.cli.commands.output import columns

    crawlers = frontier.live_crawlers()
    queues = frontier.queue_lengths()
    waiting = frontier.stream_waiting()
    run = int(frontier.client.get(frontier.keys.run) or 0)
    published = frontier.client.hgetall(frontier.keys.published)
    lines = [
        f"Frontier {url}: run {run or '-'}, {len(crawlers)} crawlers alive, "
        f"{sum(queues.values())} requests queued on {len(queues)} sites, "
        f"{waiting} entries waiting for the ingester"
    ]
    if not published:
        lines.append("  no archive state published yet: start `regarchive ingest` first")
    if crawlers:
        lines.append("\nCrawlers")
        rows = [(c.id, f"{c.seconds_left:.0f} s", c.claimed) for c in crawlers]
        lines += [
            f"  {line}"
            for line in columns(("crawler", "alive for", "pages in hand"), rows, align="lrr")
        ]
    if queues:
        lines.append("\nQueues")
        rows = [(site, n, frontier.holder(site) or "-") for site, n in queues.items()]
        lines += [
            f"  {line}" for line in columns(("site", "waiting", "held by"), rows, align="lrl")
        ]
    return lines
