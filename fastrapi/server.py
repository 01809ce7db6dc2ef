"""The embedded server: gevent.pywsgi with TCP_NODELAY, fair keep-alive and a graceful stop."""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import gevent
import gevent.pool
from gevent.event import Event
from gevent.pywsgi import WSGIHandler, WSGIServer

from fastrapi.request_headers import FastHeaderParsing
from fastrapi.response_writes import OneSendWrites

logger = logging.getLogger("fastrapi.server")

DEFAULT_GRACEFUL_TIMEOUT = 30.0


class FairHandler(OneSendWrites, FastHeaderParsing, WSGIHandler):
    """A connection handler that yields before each keep-alive request and counts requests in flight.

    Without the yield a busy keep-alive connection keeps its greenlet running while other
    connections wait, and tail latency at saturation reaches seconds. Headers are parsed by
    ``fastrapi.request_headers``, small responses leave in one send (``fastrapi.response_writes``);
    the access line is only formatted when there is an access log.
    """

    def __init__(self, sock: Any, address: Any, server: Any, rfile: Any = None) -> None:
        super().__init__(sock, address, server, rfile)
        self._served = 0

    def handle_one_request(self) -> Any:
        if self._served and self.server.fair:
            gevent.sleep(0)
        self._served += 1
        return super().handle_one_request()

    def log_request(self) -> None:
        if self.server.access_log:
            super().log_request()

    def handle_one_response(self) -> None:
        server = self.server
        server.in_flight += 1
        try:
            super().handle_one_response()
        finally:
            server.in_flight -= 1


class Server(WSGIServer):
    """``gevent.pywsgi.WSGIServer`` that knows how many requests are in flight."""

    handler_class = FairHandler

    def __init__(self, listener: Any, application: Callable[..., Any], *, fair: bool = True,
                 access_log: bool = False, **kwargs: Any) -> None:
        super().__init__(
            listener, application, spawn=gevent.pool.Pool(), log=logger if access_log else None,
            error_log=logger, **kwargs,
        )
        self.fair = fair
        self.access_log = access_log
        self.in_flight = 0

    def graceful_stop(self, timeout: float) -> None:
        """Stop accepting, let requests in flight finish (up to ``timeout``), close idle connections."""
        self.close()
        deadline = time.monotonic() + timeout
        while self.in_flight and time.monotonic() < deadline:
            gevent.sleep(0.01)
        if self.in_flight:
            logger.warning("%d request(s) still in flight after %.1fs; closing them", self.in_flight, timeout)
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
    access_log: bool = False,
    fair: bool = True,
    backlog: int = 2048,
    stop_event: Event | None = None,
    on_ready: Callable[[tuple[str, int]], None] | None = None,
) -> None:
    """Serve ``app`` until SIGINT/SIGTERM (main thread) or ``stop_event`` is set, then stop gracefully.

    Startup runs before the socket is bound. On stop: no new connections, requests in flight
    finish, background tasks drain, shutdown runs; each step within ``graceful_timeout``.
    """
    startup = getattr(app, "startup", None)
    if startup is not None:
        startup()
    stop = stop_event or Event()
    listener = make_listener(host, port, backlog)
    server = Server(listener, app, fair=fair, access_log=access_log)
    handlers = []
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            handlers.append(gevent.signal_handler(sig, stop.set))
    try:
        server.start()
        address = listener.getsockname()[:2]
        logger.info("fastrapi serving on http://%s:%d", *address)
        if on_ready is not None:
            on_ready(address)
        stop.wait()
        logger.info("stopping: waiting up to %.1fs for requests and background tasks", graceful_timeout)
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
        sys.stderr.flush()
