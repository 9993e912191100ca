"""The Flask application: configuration, the archive each request reads, and the safeguards every
response carries.

Safeguards, in depth: templates escape every value (Jinja's autoescaping); every page forbids
scripts, plugins and any resource from elsewhere through its Content-Security-Policy, so even a
value that slipped through could not run; the stored copy of a page is served sandboxed (no
script, no same-origin, nothing fetched) and only inside a frame of this application; on
loopback, requests naming another host are refused (a web page the visitor opens elsewhere
cannot reach the archive by pointing a domain name at 127.0.0.1).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, g, render_template

from regarchive.archive.errors import ArchiveError
from regarchive.archive.store import Archive
from regarchive.serve import formatting, views

# The application's own pages: styles and images from itself, frames only of its own stored
# snapshots, no script at all, forms submitted only to itself.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

# Host names a browser sends for a server bound to loopback.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


def create_app(
    db_path: str,
    *,
    allow_sql: bool = False,
    trusted_hosts: Iterable[str] | None = LOOPBACK_NAMES,
) -> Flask:
    """The application serving the archive at ``db_path`` read-only.

    ``trusted_hosts`` lists the host names requests may name (None: any, for a server bound to
    another interface on purpose); ``allow_sql`` adds a page that runs read-only SQL.
    """
    app = Flask(__name__)
    app.config.update(
        REGARCHIVE_DB=db_path,
        REGARCHIVE_ALLOW_SQL=allow_sql,
        TRUSTED_HOSTS=list(trusted_hosts) if trusted_hosts is not None else None,
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.jinja_env.filters.update(
        day=formatting.french_day,
        moment=formatting.french_moment,
        provenance=formatting.provenance,
        highlight=formatting.highlight,
        web_link=formatting.web_link,
        paragraphs=formatting.paragraphs,
    )
    app.jinja_env.globals.update(count_label=formatting.count_label, allow_sql=allow_sql)
    app.register_blueprint(views.pages)
    if allow_sql:
        app.register_blueprint(views.sql_page)
    app.after_request(_secure)
    app.teardown_appcontext(_close_archive)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(ArchiveError, _archive_error)
    return app


def _close_archive(_: BaseException | None) -> None:
    archive: Archive | None = g.pop("archive", None)
    if archive is not None:
        archive.close()


def _secure(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers["X-Content-Type-Options"] = "nosniff"
    # Following a link to an original page tells its site nothing about this server.
    headers["Referrer-Policy"] = "no-referrer"
    return response


def _not_found(_: Any) -> tuple[str, int]:
    return render_template("error.html", title="Page introuvable", message=None), 404


def _archive_error(error: ArchiveError) -> tuple[str, int]:
    message = str(error)
    return render_template("error.html", title="Archive illisible", message=message), 500
