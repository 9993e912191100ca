"""A loopback HTTP server for the sample site, recording every request it answers.

Usage::

    with SiteServer(lambda base_url: build_site(base_url)) as server:
        urllib.request.urlopen(server.url("/robots.txt"))
        assert server.count("/robots.txt") == 1

The port is bound before the site is built, so the site can write absolute links to itself
(``base_url`` is ``http://127.0.0.1:<port>``). ``server.site`` may be replaced at any time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from regarchive.demo.site import Page, Site


@dataclass(frozen=True)
class RequestRecord:
    """One answered request: ``path`` is the request target as sent (path and query)."""

    method: str
    path: str
    headers: dict[str, str]
    status: int


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # listen backlog: crawlers open many connections at once
    owner: SiteServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-response are normal for a crawler; stay quiet."""


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [tag.strip() for tag in header.split(",")]
    bare = etag.removeprefix("W/")
    return "*" in candidates or any(tag.removeprefix("W/") == bare for tag in candidates)


def _not_modified(page: Page, headers: dict[str, str]) -> bool:
    """RFC 9110 evaluation: If-None-Match wins over If-Modified-Since."""
    etag = page.headers.get("ETag")
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        return etag is not None and _etag_matches(if_none_match, etag)
    last_modified = page.headers.get("Last-Modified")
    if_modified_since = headers.get("If-Modified-Since")
    if last_modified is None or if_modified_since is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else ~40 ms delayed-ACK stalls on keep-alive responses
    timeout = 60  # idle keep-alive connections are dropped after this
    server: _HTTPServer

    def version_string(self) -> str:
        return "Apache"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silent: tests and benchmarks read ``SiteServer.requests`` instead."""

    def _answer(self, *, with_body: bool) -> None:
        owner = self.server.owner
        if owner.delay:
            time.sleep(owner.delay)
        site = owner.site
        target = self.path
        if "://" in target:  # absolute-form request target (proxies)
            parts = urlsplit(target)
            target = parts.path + ("?" + parts.query if parts.query else "")
        headers = dict(self.headers.items())
        page = site.lookup(target)
        if page is None:
            page = site.not_found(target)
        status = page.status
        if status == 200 and _not_modified(page, headers):
            status = 304
        owner._record(RequestRecord(self.command, self.path, headers, status))
        try:
            self._send(page, status, with_body=with_body and status != 304)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(self, page: Page, status: int, *, with_body: bool) -> None:
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", page.content_type)
        for name, value in page.headers.items():
            self.send_header(name, value)
        # On 304 and HEAD this is the length a 200 GET would carry, as HTTP allows.
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(page.body)


class SiteServer:
    """Serves a :class:`Site` on 127.0.0.1 from a daemon thread; a context manager."""

    def __init__(
        self, builder: Callable[[str], Site], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._builder = builder
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._site: Site | None = None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        # Seconds to wait before answering each request: a slow server, for tests that need a
        # crawl to last (locks, interruptions).
        self.delay = 0.0

    # lifecycle -------------------------------------------------------------------------------

    def start(self) -> SiteServer:
        if self._httpd is not None:
            raise RuntimeError("server already started")
        httpd = _HTTPServer((self._host, self._port), _Handler)
        httpd.owner = self
        port = httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{port}"
        try:
            self._site = self._builder(self.base_url)
        except BaseException:
            httpd.server_close()
            raise
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"regarchive-demo-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # site and URLs ------------------------------------------------------------------------------

    @property
    def site(self) -> Site:
        if self._site is None:
            raise RuntimeError("server not started")
        return self._site

    @site.setter
    def site(self, site: Site) -> None:
        """Serve another site from now on (e.g. ``build_site(server.base_url, seed=1)``)."""
        self._site = site

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1]) if self.base_url else 0

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    # request log ------------------------------------------------------------------------------

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(record)

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the requests answered so far, in order."""
        with self._lock:
            return list(self._requests)

    def count(self, path_prefix: str | None = None) -> int:
        """Requests answered so far, or those whose path starts with ``path_prefix``."""
        with self._lock:
            if path_prefix is None:
                return len(self._requests)
            return sum(1 for r in self._requests if r.path.startswith(path_prefix))

    def reset(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()
