"""A loopback server that misbehaves on request: the faults real public-sector sites commit.

:class:`FaultServer` serves the sample SPIP site like :class:`~regarchive.demo.server.SiteServer`,
plus a *fault* per path when a test asks for one::

    with FaultServer() as server:
        server.site.pages["/-Pannes-"] = listing_page("Pannes", ["/Panne-503"])
        server.site.pages["/Panne-503"] = article_page("Panne 503", ["Un texte."])
        server.fault("/Panne-503", Status(503, times=2, retry_after=1))  # then the article

Faults answer the first ``times`` requests of their path (every request when ``times`` is None),
then the path is served normally again. A path registered as ``/Page?*`` is answered whatever
query (``?sid=…``) or path parameter (``;jsessionid=…``) follows ``/Page``. HTTP-level faults
are plain responses (a status, a ``Retry-After``); connection-level ones act on the socket (a
hang, a reset mid-body, a body shorter than its ``Content-Length``, an endless body). Every
request loop is bounded, and the server only ever listens on loopback. :class:`Bystander` is a
second, off-site server that only counts the requests it gets (there should be none).

The page builders (:func:`article_page`, :func:`listing_page`, :func:`gzip_bomb`…) make small
SPIP-like pages whose trouble lies in their content, to be registered with ``site.pages[path]``.
"""

from __future__ import annotations

import gzip
import html
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from regarchive.demo.server import SiteServer, _Handler, _HTTPServer
from regarchive.demo.site import Page, Site, build_site
from tests.support import require_e2e

# A hang never lasts longer than this, whatever a test asks: the server must always stop.
MAX_HANG_SECONDS = 30.0
# Endless bodies are cut off after this many bytes, in chunks of CHUNK bytes.
MAX_STREAM_BYTES = 200 * 1024 * 1024
CHUNK = 64 * 1024
_HTML = "text/html; charset=utf-8"


# -- faults --------------------------------------------------------------------------------------


@dataclass
class Fault:
    """Something wrong with the answer to one path, for its first ``times`` requests."""

    times: int | None = None
    served: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def take(self) -> bool:
        """Whether this request gets the fault (and count it)."""
        with self._lock:
            if self.times is not None and self.served >= self.times:
                return False
            self.served += 1
            return True

    def serve(self, handler: _FaultHandler, page: Page) -> int:
        """Answer the request; ``page`` is what the path normally serves. Returns the status
        to record (0 when no status line was sent)."""
        raise NotImplementedError


@dataclass
class Status(Fault):
    """An HTTP error status (500, 502, 503, 429…), with ``Retry-After`` when given."""

    status: int = 503
    retry_after: int | str | None = None

    def serve(self, handler: _FaultHandler, page: Page) -> int:
        body = f"<html><body><h1>Erreur {self.status}</h1></body></html>".encode()
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        handler.send_page(Page(body, _HTML, self.status, headers))
        return self.status


@dataclass
class Generated(Fault):
    """A 200 page made anew for each request by ``render(request target)``: a site whose links
    change on every visit (a session id in each of them)."""

    render: Callable[[str], bytes] = field(default=lambda target: b"")

    def serve(self, handler: _FaultHandler, page: Page) -> int:
        handler.send_page(html_page(self.render(handler.path)))
        return 200


@dataclass
class Hang(Fault):
    """Say nothing for ``seconds`` (past the client's timeout), then hang up."""

    seconds: float = 5.0

    def serve(self, handler: _FaultHandler, page: Page) -> int:
        time.sleep(min(self.seconds, MAX_HANG_SECONDS))
        handler.close_connection = True
        return 0


@dataclass
class Reset(Fault):
    """Send the headers and part of the body, then reset the connection (TCP RST)."""

    sent_bytes: int = 200

    def serve(self, handler: _FaultHandler, page: Page) -> int:
        handler.send_head(page, len(page.body))
        handler.wfile.write(page.body[: self.sent_bytes])
        handler.wfile.flush()
        handler.reset()
        return page.status


@dataclass
class Truncate(Fault):
    """Announce ``missing_bytes`` more than the body holds, send the body and close."""

    missing_bytes: int = 1000

    def serve(self, handler: _FaultHandler, page: Page) -> int:
        handler.send_head(page, len(page.body) + self.missing_bytes)
        handler.wfile.write(page.body)
        handler.close_connection = True
        return page.status


@dataclass
class Huge(Fault):
    """A body of ``size`` bytes streamed in chunks, with or without a ``Content-Length``
    (without one, the body ends when the connection closes)."""

    size: int = 50 * 1024 * 1024
    content_length: bool = True

    def serve(self, handler: _FaultHandler, page: Page) -> int:
        size = min(self.size, MAX_STREAM_BYTES)
        handler.send_response(200)
        handler.send_header("Content-Type", _HTML)
        if self.content_length:
            handler.send_header("Content-Length", str(size))
        else:
            handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        filler = b"<p>" + b"x" * (CHUNK - 7) + b"</p>\n"
        sent = 0
        while sent < size:
            piece = filler[: size - sent]
            handler.wfile.write(piece)
            sent += len(piece)
        return 200


# -- the servers ---------------------------------------------------------------------------------


class _FaultHandler(_Handler):
    server: _HTTPServer

    def _answer(self, *, with_body: bool) -> None:
        owner = self.server.owner
        assert isinstance(owner, FaultServer)
        target = self.path
        owner.note_hit(target)
        fault = owner.fault_for(target.split("#", 1)[0])
        if fault is None or not fault.take():
            super()._answer(with_body=with_body)
            return
        site = owner.site
        page = site.lookup(target) or site.not_found(target)
        status = 0
        try:
            status = fault.serve(self, page)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            owner.note_fault(target, type(fault).__name__, status)

    def send_head(self, page: Page, length: int) -> None:
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def send_page(self, page: Page) -> None:
        self.send_head(page, len(page.body))
        self.wfile.write(page.body)

    def reset(self) -> None:
        """Abort the connection: SO_LINGER 0 makes close() send RST instead of FIN."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


@dataclass(frozen=True)
class FaultRecord:
    """A request answered by a fault: path, fault name, status sent (0: none)."""

    path: str
    fault: str
    status: int


class FaultServer(SiteServer):
    """The sample site on 127.0.0.1, with faults on chosen paths and the time of every hit."""

    def __init__(self, builder: Callable[[str], Site] | None = None, port: int = 0) -> None:
        super().__init__(builder or (lambda base_url: build_site(base_url)), port=port)
        self.faults: dict[str, Fault] = {}
        self._hits: list[tuple[str, float]] = []
        self.fault_log: list[FaultRecord] = []

    def start(self) -> FaultServer:
        require_e2e("FaultServer")
        super().start()
        assert self._httpd is not None
        # socketserver builds a handler per request from this attribute: ours from now on
        # (nobody knows the port yet, so no request came in before).
        self._httpd.RequestHandlerClass = _FaultHandler
        return self

    def fault(self, path: str, fault: Fault) -> Fault:
        """Serve ``fault`` at ``path`` (request target as sent: path and query)."""
        self.faults[path] = fault
        return fault

    def fault_for(self, target: str) -> Fault | None:
        """The fault registered for ``target``, or for its path followed by ``?*``."""
        path = re.split("[?;]", target, maxsplit=1)[0]
        return self.faults.get(target) or self.faults.get(f"{path}?*")

    def note_hit(self, path: str) -> None:
        with self._lock:
            self._hits.append((path, time.monotonic()))

    def note_fault(self, path: str, name: str, status: int) -> None:
        with self._lock:
            self.fault_log.append(FaultRecord(path, name, status))

    def hits(self, path: str) -> list[float]:
        """When ``path`` was requested (``time.monotonic()``), in order."""
        with self._lock:
            return [moment for hit, moment in self._hits if hit == path]

    def paths(self) -> list[str]:
        with self._lock:
            return [hit for hit, _ in self._hits]


class _BystanderHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 10
    server: _BystanderHTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.server.owner.requests.append(self.path)
        body = article_page("Page d'un autre site", ["Ce texte n'aurait pas dû être lu."])
        self.send_response(200)
        self.send_header("Content-Type", _HTML)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silent: tests read ``Bystander.requests``."""


class _BystanderHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    owner: Bystander


class Bystander:
    """Another site, on a loopback address of its own (127.0.0.2…) or another port: whatever
    it is asked is recorded in ``requests``; a crawl of the configured sites must ask nothing."""

    def __init__(self, host: str = "127.0.0.2") -> None:
        if not host.startswith("127."):
            raise ValueError("the bystander only listens on loopback")
        self.host = host
        self.requests: list[str] = []
        self._httpd: _BystanderHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def __enter__(self) -> Bystander:
        require_e2e("Bystander")
        httpd = _BystanderHTTPServer((self.host, 0), _BystanderHandler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


# -- pages with trouble in them ------------------------------------------------------------------


def article_page(
    title: str,
    paragraphs: Iterable[str],
    *,
    date_line: str | None = "Publié le 12/03/2024",
    charset: str = "utf-8",
    declared: str | None = None,
    rubric: str = "Pannes",
    aside: str = "",
    canonical: str | None = None,
) -> bytes:
    """A small SPIP article page, encoded in ``charset`` and declaring ``declared`` (default
    the same) in its ``<meta>``: the two differ for mixed-encoding pages."""
    texte = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    info = f'<p class="info-publi">{html.escape(date_line)}</p>' if date_line else ""
    markup = (
        "<!DOCTYPE html>\n<html lang='fr'><head>"
        f'<meta http-equiv="Content-Type" content="text/html; charset={declared or charset}" />'
        f"<title>{html.escape(title)} - Site de test</title>"
        + (f'<link rel="canonical" href="{html.escape(canonical)}" />' if canonical else "")
        + "</head>\n"
        '<body class="page_article"><main class="main"><div class="content hentry" id="content">'
        f'<p class="arbo"><a href="/">Accueil</a> &gt; <a href="/-{rubric}-">{rubric}</a></p>'
        f'<div class="cartouche"><h1 class="entry-title">{html.escape(title)}</h1>{info}</div>'
        f'<div class="texte entry-content">\n{texte}\n</div></div>'
        f"{aside}</main></body></html>"
    )
    return markup.encode(charset, "xmlcharrefreplace")


def listing_page(
    title: str,
    hrefs: Iterable[str],
    *,
    next_href: str | None = None,
    labels: Callable[[int], str] | None = None,
) -> bytes:
    """A SPIP rubric listing linking to ``hrefs``, with a "Suivant" link when given."""
    items = "\n".join(
        f'<li class="hentry"><a href="{html.escape(href)}">'
        f"{html.escape(labels(i) if labels else f'Article {i}')}</a></li>"
        for i, href in enumerate(hrefs)
    )
    pagination = (
        f'<p class="pagination"><a href="{html.escape(next_href)}" rel="next">Suivant</a></p>'
        if next_href
        else ""
    )
    return (
        "<!DOCTYPE html>\n<html lang='fr'><head><meta charset='utf-8' />"
        f"<title>{html.escape(title)} - Site de test</title></head>\n"
        '<body class="page_rubrique"><main class="main"><div class="content" id="content">'
        f'<h1 class="titre">{html.escape(title)}</h1>'
        f'<div class="menu menu_articles"><ul>\n{items}\n</ul>{pagination}</div>'
        "</div></main></body></html>"
    ).encode()


def html_page(body: bytes, content_type: str = _HTML, **headers: str) -> Page:
    """A 200 response with ``body`` as it is."""
    return Page(body, content_type, 200, dict(headers))


def redirect(location: str, status: int = 302) -> Page:
    return Page(b"", _HTML, status, {"Location": location})


def gzip_bomb(decompressed_bytes: int) -> Page:
    """A gzip-encoded page, a few kB on the wire and ``decompressed_bytes`` once inflated."""
    head = b"<html><body class='page_article'><h1>Bombe</h1><p>"
    body = gzip.compress(head + b" " * decompressed_bytes, compresslevel=9, mtime=0)
    return Page(body, _HTML, 200, {"Content-Encoding": "gzip"})
