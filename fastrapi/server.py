"""The embedded server: fastrapi's strict HTTP/1.1 connections on a gevent ``StreamServer``, stopped gracefully."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import gevent
import gevent.pool
from gevent.event import Event
from gevent.server import StreamServer

from fastrapi.app_loading import bind_failure
from fastrapi.http1.connection import Connection
from fastrapi.http1.proxy import DEFAULT_FORWARDED_ALLOW_IPS, trusts
from fastrapi.logging_setup import AccessLines, LogConfig, configure_logging

logger = logging.getLogger("fastrapi.server")
access_lines = AccessLines()

DEFAULT_GRACEFUL_TIMEOUT = 30.0
DEFAULT_HEADER_TIMEOUT = 10.0  # a request's head must arrive whole within this (slow clients are closed)
DEFAULT_KEEP_ALIVE_TIMEOUT = 5.0  # an idle keep-alive connection is closed after this (uvicorn's default)
DEFAULT_BODY_TIMEOUT = 30.0  # each read of a request body waits at most this (gunicorn's worker timeout)


class Server(StreamServer):
    """A gevent ``StreamServer`` speaking strict HTTP/1.1 (``fastrapi.http1``) to a WSGI application.

    Yields before each keep-alive request (``fair``) so one busy connection cannot starve the others,
    knows how many requests are in flight, and on ``close()`` also ends the connections that are
    waiting for their next request.
    """

    def __init__(self, listener: Any, application: Callable[..., Iterable[bytes]], *, fair: bool = True,
                 access_log: bool = False, header_timeout: float = DEFAULT_HEADER_TIMEOUT,
                 keep_alive_timeout: float = DEFAULT_KEEP_ALIVE_TIMEOUT, body_timeout: float = DEFAULT_BODY_TIMEOUT,
                 forwarded_allow_ips: Iterable[str] | str | None = DEFAULT_FORWARDED_ALLOW_IPS,
                 spawn: Any = None, environ: dict[str, Any] | None = None, **ssl_args: Any) -> None:
        super().__init__(listener, self.handle_connection, spawn=spawn if spawn is not None else gevent.pool.Pool(),
                         **ssl_args)
        self.application = application
        self.fair = fair
        self.access_log = access_log
        self.header_timeout = header_timeout
        self.keep_alive_timeout = keep_alive_timeout
        self.body_timeout = body_timeout
        self.stopping = False
        self.in_flight = 0
        self.idle: set[Any] = set()  # connection greenlets waiting for a next request to begin
        self.websockets: set[Any] = set()  # open WebSocket sessions, closed with 1001 on stop
        self.environ = dict(environ or {})
        self.forwarded_allow_ips = forwarded_allow_ips

    def init_socket(self) -> None:
        super().init_socket()
        host, port = self.address[:2] if isinstance(self.address, tuple) else (self.address, "")
        base = {
            "SCRIPT_NAME": "",
            "SERVER_NAME": socket.getfqdn(host) if host in ("", "0.0.0.0", "::") else host,
            "SERVER_PORT": str(port),
            "SERVER_SOFTWARE": "fastrapi",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https" if self.ssl_enabled else "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.input_terminated": True,  # the body reader ends where the body does, chunked or not
        }
        base.update(self.environ)
        self.environ = base

    def base_environ(self, address: Any) -> dict[str, Any]:
        """The environ items every request of a connection from ``address`` shares."""
        environ = self.environ.copy()
        if isinstance(address, tuple):
            environ["REMOTE_ADDR"] = address[0]
            environ["REMOTE_PORT"] = str(address[1])
        else:
            environ["REMOTE_ADDR"] = address or ""
        return environ

    def trusts_proxy(self, address: Any) -> bool:
        """A peer at ``address`` may tell the scheme and client address (``X-Forwarded-Proto``/``-For``)."""
        return isinstance(address, tuple) and trusts(self.forwarded_allow_ips, address[0])

    def handle_connection(self, sock: Any, address: Any) -> None:
        Connection(self, sock, address).run()

    def log_access(self, environ: dict[str, Any], status: str, headers: list[tuple[str, str]], length: int,
                   started: float) -> None:
        """One line per request in uvicorn's format, to ``fastrapi.access`` (only when ``access_log`` is on)."""
        access_lines.write(environ, status)

    def close(self) -> None:
        """Stop accepting, and end the connections waiting for a next request; requests in flight finish.
        Open WebSockets are closed with 1001 (going away)."""
        self.stopping = True
        super().close()
        for greenlet in list(self.idle):
            greenlet.kill(block=False)
        for session in list(self.websockets):  # their handlers see the close and end, within graceful_stop's wait
            gevent.spawn(session.going_away)

    def graceful_stop(self, timeout: float) -> None:
        """Stop accepting, let requests in flight finish (up to ``timeout``), close idle connections."""
        self.close()
        deadline = time.monotonic() + timeout
        while (self.in_flight or self.idle) and time.monotonic() < deadline:
            for greenlet in list(self.idle):
                greenlet.kill(block=False)
            gevent.sleep(0.01)
        if self.in_flight:
            logger.warning("%d request(s) still in flight after %.1fs; closing them", self.in_flight, timeout)
        if self.pool is not None:
            self.pool.kill(block=True, timeout=1)


def make_listener(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A listening socket with TCP_NODELAY, which accepted sockets inherit.

    A streamed or large response goes out in several sends; with Nagle on, delayed ACKs stall
    each such keep-alive response by ~40 ms.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = gevent.socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


def serve(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    graceful_timeout: float = DEFAULT_GRACEFUL_TIMEOUT,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    keep_alive_timeout: float = DEFAULT_KEEP_ALIVE_TIMEOUT,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    forwarded_allow_ips: Iterable[str] | str | None = DEFAULT_FORWARDED_ALLOW_IPS,
    access_log: bool | None = None,
    log_level: str | int | None = None,
    log_config: LogConfig | None = None,
    fair: bool = True,
    backlog: int = 2048,
    stop_event: Event | None = None,
    on_ready: Callable[[tuple[str, int]], None] | None = None,
) -> None:
    """Serve ``app`` until SIGINT/SIGTERM (main thread) or ``stop_event`` is set, then stop gracefully.

    Startup runs before the socket is bound. On stop: no new connections, requests in flight
    finish, background tasks drain, shutdown runs; each step within ``graceful_timeout``.
    ``header_timeout``, ``keep_alive_timeout`` and ``body_timeout`` (seconds) close slow and idle clients;
    ``X-Forwarded-Proto``/``-For`` are believed only from ``forwarded_allow_ips`` (loopback; ``"*"``: any).

    Logging: with no logging configured, fastrapi's lines go to stderr (``fastrapi.logging_setup``);
    ``log_level`` (``"info"``, ``"warning"``...) and ``log_config`` (a dictConfig dict or a file) as uvicorn's;
    ``access_log`` writes a line per request to the ``fastrapi.access`` logger; by default it is on unless the
    application configured logging itself before ``serve()`` (then it chose which lines it wants).
    """
    defaults = configure_logging(log_level, log_config)
    if access_log is None:
        access_log = defaults
    startup = getattr(app, "startup", None)
    if startup is not None:
        startup()
    stop = stop_event or Event()
    try:
        listener = make_listener(host, port, backlog)
    except OSError as exc:  # as uvicorn: one error line and exit status 1, not a traceback from socket.bind
        logger.error("%s", bind_failure(host, port, exc))
        shutdown = getattr(app, "shutdown", None)
        if shutdown is not None:
            shutdown()
        raise SystemExit(1) from None
    server = Server(listener, app, fair=fair, access_log=access_log, header_timeout=header_timeout,
                    keep_alive_timeout=keep_alive_timeout, body_timeout=body_timeout,
                    forwarded_allow_ips=forwarded_allow_ips)
    handlers = []
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            handlers.append(gevent.signal_handler(sig, stop.set))
    try:
        server.start()
        address = listener.getsockname()[:2]
        log_started(app, address)
        if on_ready is not None:
            on_ready(address)
        stop.wait()
        log_stopping(app, server.in_flight, graceful_timeout)
        started = time.monotonic()
        server.graceful_stop(graceful_timeout)
        drain = getattr(app, "drain", None)
        if drain is not None:
            drain(max(0.0, graceful_timeout - (time.monotonic() - started)))
    finally:
        for handler in handlers:
            handler.cancel()
        if not server.closed:
            server.close()
        shutdown = getattr(app, "shutdown", None)
        if shutdown is not None:
            shutdown()
        logger.info("Finished server process [%d]", os.getpid())
        sys.stderr.flush()


def url_of(address: tuple[str, int]) -> str:
    host, port = address[0], address[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def log_started(app: Any, address: tuple[str, int]) -> None:
    """The startup lines: where the app answers and where its docs are."""
    url = url_of(address)
    logger.info("Started server process [%d]", os.getpid())
    logger.info("fastrapi serving on %s (press Ctrl+C to quit)", url)
    docs_url = getattr(app, "docs_url", None)
    if docs_url:
        logger.info("API docs on %s%s%s", url, getattr(app, "root_path", "") or "", docs_url)


def log_stopping(app: Any, in_flight: int, timeout: float) -> None:
    """The first stop line: what the graceful stop waits for."""
    stats = getattr(app, "background_stats", None)
    tasks = 0
    if stats is not None:
        snapshot = stats()
        tasks = snapshot.queued + snapshot.running
    logger.info("Shutting down: waiting up to %.0fs for %s and %s", timeout, _count(in_flight, "request"),
                _count(tasks, "background task"))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
