"""Reading a document in a child process, stopped after a time and an address-space limit.

pypdf has no timeout, and a crafted file can make any parser loop or allocate without end; a
thread cannot be stopped, a process can. The child is forked when the calling process has a
single thread (an extraction worker: cheap, nothing to re-import) and spawned otherwise
(forking a process that runs threads, like the crawling one, is unsafe).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from typing import Any

from regarchive.pipelines.documents.limits import MB, ReadLimits
from regarchive.pipelines.documents.reading import read_document
from regarchive.pipelines.documents.text import Reading


def read_bounded(
    body: bytes, *, content_type: str | None = None, limits: ReadLimits | None = None
) -> dict[str, Any]:
    """:func:`read_document` in a child process of its own: past ``limits.seconds`` it is
    killed, past ``limits.memory`` of address space its allocations fail; either way the
    document gets a warning and no text."""
    limits = limits or ReadLimits()
    method = _start_method()
    if method == "fork":
        _load_readers()
    context = multiprocessing.get_context(method)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_read_in_child,
        args=(sender, body, content_type, limits),
        name="regarchive-document-reader",
        daemon=True,
    )
    child.start()
    sender.close()
    result: dict[str, Any] | None = None
    try:
        if receiver.poll(limits.seconds):
            result = receiver.recv()
    except (EOFError, OSError):
        result = None  # the child died without answering
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if result is not None:
        return result
    from regarchive.pipelines.documents.sniff import media_type_of

    failed = Reading(media_type_of(body, content_type))
    if child.exitcode == -9 or child.exitcode is None:
        failed.warnings.append(f"reading stopped after {limits.seconds:g} s: text not read")
    else:
        failed.warnings.append(
            f"the document reader failed (exit code {child.exitcode}): text not read"
        )
    return failed.as_dict()


def _load_readers() -> None:
    """Import the readers here before forking: each forked child then starts with them loaded,
    instead of importing pypdf anew for every document (about 0.1 s of CPU each, twenty times
    the reading of a short circular)."""
    import pypdf  # noqa: F401

    from regarchive.pipelines.documents import office, pdf  # noqa: F401


def _start_method() -> str:
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def _read_in_child(
    sender: Connection, body: bytes, content_type: str | None, limits: ReadLimits
) -> None:
    _limit_memory(limits.memory)
    try:
        result = read_document(body, content_type=content_type, limits=limits)
    except MemoryError:
        from regarchive.pipelines.documents.sniff import media_type_of

        reading = Reading(media_type_of(body, content_type))
        reading.warnings.append(
            f"reading needed more than {limits.memory // MB} MB of memory: text not read"
        )
        result = reading.as_dict()
    sender.send(result)
    sender.close()


def _limit_memory(budget: int) -> None:
    """Cap the address space at what the process uses now plus ``budget`` (Linux; a no-op
    where ``resource`` or ``/proc`` is missing)."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = used + budget
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        return
