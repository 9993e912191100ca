"""This crawling process as a member of the frontier: its id, its run, the sites it holds, the
requests it has claimed, its heartbeat.

A request taken from a site's queue is claimed (see :mod:`.frontier`) until Scrapy lets go of
it. Scrapy's engine keeps a request until its response has gone through the spider and every
item and request that came out of it has been handled (pushed to the stream, queued), so a
request that is no longer referenced anywhere is done: a ``weakref.finalize`` notes it, and the
claim is dropped at the next call to :meth:`FrontierMember.flush`. A claim dropped late only
means a page fetched twice after a kill, which the archive absorbs; one dropped early would
lose the page, and cannot happen this way.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import uuid
import weakref
from collections import Counter, deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from twisted.internet import task

from regarchive.scraper.frontier.frontier import Frontier

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def new_crawler_id() -> str:
    """host:pid:random, readable in ``regarchive status`` and unique across restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class FrontierMember:
    """One crawler's place in the frontier (see the module docstring)."""

    def __init__(self, frontier: Frontier, max_sites: int, crawler_id: str | None = None) -> None:
        self.frontier = frontier
        self.id = crawler_id or new_crawler_id()
        self.max_sites = max_sites
        self.run = frontier.join(self.id)
        # The sites this crawler holds, in the order it serves them (round robin).
        self.held: list[str] = []
        # Every site this crawler has held in this run: the ones whose announcements (robots.txt,
        # sitemaps, feeds) it read and must finish with; the others are other crawlers' business.
        self.ever_held: set[str] = set()
        # Sites held with nothing to do for now. Their leases are kept until the crawler leaves:
        # what comes up for them later (the pages only a sitemap lists, asked once every
        # listing is read) is judged by the process that read the site's announcements.
        self.parked: set[str] = set()
        self._turn = 0
        self._tokens = 0
        self._claimed_per_site: Counter[str] = Counter()
        # (token, site) of claimed requests Scrapy has let go of; appended from finalizers.
        self._finished: deque[tuple[str, str]] = deque()
        self._heartbeat: task.LoopingCall | None = None
        self.left = False
        # Set when a push to the stream failed: from then on no claim is dropped (a request
        # Scrapy let go of may not have reached the stream); leaving gives them all back.
        self.broken = False

    def connect(self, crawler: Crawler) -> None:
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        # After spider_closed, when the stream has the run's last entry (see push.py).
        crawler.signals.connect(self.leave, signal=signals.engine_stopped)

    # -- heartbeat -------------------------------------------------------------------------------

    def spider_opened(self) -> None:
        interval = max(self.frontier.lease_ms / 3000, 0.2)
        self._heartbeat = task.LoopingCall(self.beat)
        self._heartbeat.start(interval, now=False).addErrback(
            lambda failure: logger.error("frontier heartbeat stopped: %s", failure.value)
        )

    def beat(self) -> None:
        """Stay alive; notice a site lost (this process was silent longer than a lease); give
        back what dead crawlers claimed."""
        still_held = self.frontier.heartbeat(self.id)
        lost = [site for site in [*self.held, *self.parked] if site not in still_held]
        for site in lost:
            logger.warning("lost the lease of %s (this crawler was silent too long)", site)
            if site in self.held:
                self.held.remove(site)
            self.parked.discard(site)
        self.flush()
        requeued = self.frontier.reclaim_dead()
        if requeued:
            logger.warning("%d requests of a crawler that stopped answering put back", requeued)

    def spider_idle(self) -> None:
        """Stay while the frontier has work anywhere: more may come this crawler's way, and a
        crawler that dies leaves its work to those still running."""
        gc.collect()  # finalizers of requests held only by reference cycles
        self.beat()
        if self.frontier.busy():
            raise DontCloseSpider

    def leave(self) -> None:
        if self.left:
            return
        self.left = True
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        gc.collect()
        self.flush()
        given_back = self.frontier.leave(self.id)
        if given_back:
            logger.info("%d unfinished requests put back in the frontier", given_back)

    # -- claims ----------------------------------------------------------------------------------

    def claim(self, site: str, decode: Callable[[bytes], Request]) -> Request | None:
        """The next request of ``site``, claimed, or None when its queue is empty."""
        self._tokens += 1
        token = str(self._tokens)
        data = self.frontier.pop(site, self.id, token)
        if data is None:
            return None
        request: Request = decode(data)
        self._claimed_per_site[site] += 1
        weakref.finalize(request, self._finished.append, (token, site))
        return request

    def flush(self) -> None:
        """Drop the claims of the requests Scrapy has finished with."""
        if self.broken:
            return
        done = []
        while self._finished:  # popleft: a finalizer may append meanwhile
            done.append(self._finished.popleft())
        self.frontier.finish(self.id, (token for token, _ in done))
        for _, site in done:
            self._claimed_per_site[site] -= 1

    def busy_with(self, site: str) -> bool:
        return self._claimed_per_site[site] > 0

    # -- sites -----------------------------------------------------------------------------------

    def rotation(self) -> list[str]:
        """The held sites, starting after the one served last."""
        if not self.held:
            return []
        self._turn = (self._turn + 1) % len(self.held)
        return self.held[self._turn :] + self.held[: self._turn]

    def take_site(self) -> str | None:
        """A parked site of this crawler's with requests waiting again, else the lease of a
        site with waiting requests that no live crawler holds."""
        if len(self.held) >= self.max_sites:
            return None
        for site in sorted(self.parked):
            if self.frontier.queued([site]):
                self.parked.discard(site)
                self.held.append(site)
                return site
        for site in self.frontier.waiting_sites(8):
            if site in self.held or site in self.parked:
                continue
            if self.frontier.acquire(site, self.id):
                self.held.append(site)
                self.ever_held.add(site)
                return site
        return None

    def park(self, site: str) -> None:
        """Nothing waiting or in flight on ``site``: it stops counting towards
        ``max_sites``, and stays this crawler's (see ``parked``)."""
        self.held.remove(site)
        self.parked.add(site)
