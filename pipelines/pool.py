"""Extraction off the reactor thread: a pool of worker processes running ``extract_record``.

Extraction is CPU-bound (lxml, trafilatura, dateparser); done in the Scrapy process it stalls
downloads and uses one core. Workers are started with ``spawn`` (forking a process that runs
Twisted's reactor and server threads is unsafe) and warm up once — imports, dateparser's
language data, trafilatura's settings — so no page pays for it.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from regarchive.pipelines.documents.limits import ReadLimits

logger = logging.getLogger(__name__)

# A small page that goes through every stage, dates included.
_WARM_UP_PAGE = (
    "<html lang='fr'><head><title>Actu - Régions - Essai</title></head>"
    "<body class='page_article'><h1>Essai</h1><p class='info-publi'>Publié le 1er août 2023"
    "</p><div class='texte'><p>Une phrase d’essai assez longue pour passer l’extraction, "
    "avec quelques mots de plus.</p><p>Commission Européenne - 2017-12-12</p></div></body></html>"
).encode()


PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Pools restarted after a worker died before giving up on workers (map_stored).
MAX_POOL_RESTARTS = 3


def die_with_parent() -> None:
    """A worker must not outlive its crawl: when the crawling process is killed (kill -9, the
    OOM killer), the kernel kills its workers too. Linux only; elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:  # died before prctl took effect
        os._exit(1)


def warm_up() -> None:
    """Tie the worker to its parent, and pay the per-process start-up costs once."""
    from regarchive.pipelines.extraction.core import extract_record

    die_with_parent()
    extract_record(_WARM_UP_PAGE, "http://warm.up/spip.php?article1")


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_workers() -> int:
    """One worker per core but one: the crawling process (Scrapy, storage) needs about as much
    CPU per page as extraction, and a worker more than that only makes three processes share
    two cores (on 2 cores, one worker crawls ~15 % faster than two)."""
    return max(1, usable_cores() - 1)


def extract_page(page: dict[str, Any]) -> dict[str, Any]:
    """``extract_record`` on the fields of a fetched page (what is sent to a worker), with the
    ``extractor_version`` that made it.

    The extraction stack (trafilatura, dateparser) is imported here, not with this module: the
    crawling process never loads it unless it extracts itself, and a rerun with nothing to
    extract starts about 0.15 s sooner.
    """
    from regarchive.pipelines.extraction.core import extract_record
    from regarchive.pipelines.extraction.hints import ExtractionHints
    from regarchive.pipelines.extraction.version import EXTRACTOR_VERSION

    hints = page.get("hints")
    record = extract_record(
        page["body"],
        page["url"],
        content_type=page.get("content_type"),
        final_url=page.get("final_url"),
        hints=ExtractionHints.from_dict(hints) if hints else None,
    )
    record["extractor_version"] = EXTRACTOR_VERSION
    return record


def extract_stored(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """In a worker: the record of each page the archive kept (body compressed in ``html``, or
    in a WARC record), as ``{"record": …}`` (and the ``body`` when the page asks for it with
    ``return_body``), or ``{"error": …}`` when it cannot be made.

    The body is decompressed here, not in the process that reads the archive: that process
    then only moves compressed bytes, and keeps up with every core extracting.
    """
    from regarchive.archive.page_bodies import stored_body

    results: list[dict[str, Any]] = []
    for page in pages:
        try:
            body = stored_body(page.get("html"), page.get("warc_file"), page.get("warc_offset"))
            result = {"record": extract_page({**page, "body": body})}
            if page.get("return_body"):  # for a caller that stores the page (import-warc)
                result["body"] = body
            results.append(result)
        except Exception as error:  # one broken page must not cost the others
            results.append({"error": f"{type(error).__name__}: {error}"})
    return results


@dataclass
class _Pending:
    """A chunk handed to the pool (``future`` None: to extract here), and the pool's
    generation then."""

    chunk: list[dict[str, Any]]
    future: Future[list[dict[str, Any]]] | None
    generation: int


def read_attachment(work: dict[str, Any]) -> dict[str, Any]:
    """What a fetched document holds (see :func:`regarchive.pipelines.documents.read_document`),
    read in a child process of its own bounded by ``work["limits"]``."""
    from regarchive.pipelines.documents import read_bounded

    return read_bounded(work["body"], content_type=work.get("content_type"), limits=work["limits"])


class ExtractionPool:
    """Runs :func:`extract_page` in ``workers`` processes (0: in this process)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: Executor | None = None
        self._generation = 0  # pools broken so far (map_stored)

    def _start(self) -> Executor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=warm_up,
            )
        return self._executor

    async def extract(self, page: dict[str, Any]) -> dict[str, Any]:
        """The record of ``page``; a crashed worker is replaced and the page done here."""
        if self.workers <= 0:
            return extract_page(page)
        work = {key: page.get(key) for key in ("body", "url", "content_type", "final_url", "hints")}
        try:
            future: Future[dict[str, Any]] = self._start().submit(extract_page, work)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            logger.warning("an extraction worker died on %s; restarting the pool", page["url"])
            self.close()
            return extract_page(page)

    async def read_document(
        self, body: bytes, content_type: str | None, limits: ReadLimits
    ) -> dict[str, Any]:
        """What a fetched document holds, read by a worker (in a bounded child process of its
        own); with no workers, by a thread of this process, so the crawl goes on meanwhile."""
        work = {"body": body, "content_type": content_type, "limits": limits}
        if self.workers <= 0:
            return await asyncio.to_thread(read_attachment, work)
        try:
            future: Future[dict[str, Any]] = self._start().submit(read_attachment, work)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            logger.warning("an extraction worker died reading a document; restarting the pool")
            self.close()
            return await asyncio.to_thread(read_attachment, work)

    def map_stored(
        self, chunks: Iterable[list[dict[str, Any]]], window: int | None = None
    ) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
        """Each chunk of stored pages with :func:`extract_stored`'s results, in order.

        At most ``window`` chunks (default four per worker) are in flight: the chunks are read
        as the results come back, so memory stays flat however many pages there are. The
        chunks of a worker that died are extracted here and the pool restarted; after
        ``MAX_POOL_RESTARTS`` restarts, everything is extracted here.
        """
        window = window or 4 * max(self.workers, 1)
        pending: deque[_Pending] = deque()
        for chunk in chunks:
            pending.append(self._submit_stored(chunk))
            if len(pending) >= window:
                yield self._stored_result(pending.popleft())
        while pending:
            yield self._stored_result(pending.popleft())

    def _submit_stored(self, chunk: list[dict[str, Any]]) -> _Pending:
        if self.workers <= 0:
            return _Pending(chunk, None, self._generation)
        try:
            future = self._start().submit(extract_stored, chunk)
        except BrokenProcessPool:
            self._pool_broke()
            return self._submit_stored(chunk)
        return _Pending(chunk, future, self._generation)

    def _stored_result(
        self, pending: _Pending
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        if pending.future is None:
            return pending.chunk, extract_stored(pending.chunk)
        try:
            return pending.chunk, pending.future.result()
        except BrokenProcessPool:
            # The other chunks of a pool that broke fail the same way: one restart for them all.
            if pending.generation == self._generation:
                self._pool_broke()
            return pending.chunk, extract_stored(pending.chunk)

    def _pool_broke(self) -> None:
        """A worker died: restart the pool, or, when workers keep dying (they cannot start
        at all, say), extract in this process from now on."""
        self.close()
        self._generation += 1
        if self._generation >= MAX_POOL_RESTARTS:
            logger.warning("extraction workers keep dying; extracting in this process")
            self.workers = 0
        else:
            logger.warning("an extraction worker died; restarting the pool")

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
