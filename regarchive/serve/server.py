"""Serving the application with waitress: a production WSGI server in pure Python (threads, no
build step), bound to one address."""

from __future__ import annotations

import ipaddress
from typing import Any

from flask import Flask

from regarchive.serve.app import LOOPBACK_NAMES, create_app

# Requests answered at once; the others wait in waitress's queue. Reading is cheap, and the
# machine serving an archive is often a small one.
THREADS = 4


class ServeError(Exception):
    """The server cannot start (address in use, unknown host…); one line for the user."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def build_app(db_path: str, *, host: str, allow_sql: bool) -> Flask:
    """The application for ``db_path``; on loopback it answers only requests naming a loopback
    host (see :mod:`regarchive.serve.app`)."""
    trusted = (*LOOPBACK_NAMES, host) if is_loopback(host) else None
    return create_app(db_path, allow_sql=allow_sql, trusted_hosts=trusted)


def create_server(app: Flask, host: str, port: int) -> Any:
    """A waitress server bound to ``host:port`` (port 0: any free one); not yet serving."""
    from waitress.server import create_server as waitress_server

    try:
        return waitress_server(app, host=host, port=port, threads=THREADS, ident="regarchive")
    except OSError as error:
        reason = error.strerror or str(error)
        raise ServeError(f"cannot listen on {host}:{port}: {reason}") from error


def server_url(server: Any, host: str) -> str:
    """The address to open in a browser."""
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    return f"http://{shown}:{server.effective_port}/"
