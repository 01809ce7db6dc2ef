"""Serve a WSGI app on a free loopback port in this process, and talk raw HTTP to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import gevent
import gevent.socket
from gevent.pywsgi import WSGIServer

from fastrapi.server import make_listener


@contextmanager
def serving(server_class: type[WSGIServer], app: Callable[..., Any]) -> Iterator[int]:
    """``app`` on ``server_class`` (stock pywsgi or fastrapi's); yields the port."""
    server = server_class(make_listener("127.0.0.1", 0), app)
    server.start()
    try:
        yield server.server_port
    finally:
        server.stop(timeout=1)


def exchange(port: int, raw: bytes, read_delay: float = 0.0) -> bytes:
    """Send ``raw`` on one connection and read until the server closes it; ``read_delay`` waits
    before reading, so the server's send buffer fills up first."""
    sock = gevent.socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        sock.sendall(raw)
        if read_delay:
            gevent.sleep(read_delay)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        sock.close()
