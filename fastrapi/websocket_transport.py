"""Taking a WSGI request's connection over for a WebSocket, on each server fastrapi runs on.

``take_over(environ)`` returns a :class:`Transport`: the raw byte stream (with whatever the server had
already buffered after the request head) and ``result``, what the WSGI app must return so that the
server writes no HTTP response and closes the connection afterwards.

- fastrapi's server (``app.serve()``, ``fastrapi run``): ``environ["fastrapi.takeover"]``, a callable.
- ``gunicorn -k gevent``: ``environ["gunicorn.socket"]``; the app returns gunicorn's ``ALREADY_HANDLED``.
- ``gevent.pywsgi`` (and ``gunicorn -k gevent_pywsgi``): ``wsgi.input`` is the connection's buffered reader.
- Werkzeug's dev server: ``environ["werkzeug.socket"]``; the result raises ``ConnectionError``, which
  Werkzeug takes for a dropped connection (it would otherwise answer a request that wrote nothing with 500).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

TAKEOVER_KEY = "fastrapi.takeover"
RECV_SIZE = 64 * 1024


class TakeoverUnsupported(RuntimeError):
    """The WSGI server gives no way to take the connection over."""


class Transport:
    """A taken-over connection: ``recv``/``sendall`` on the socket, ``shutdown`` to end it.

    ``pending`` holds the bytes the server read past the request head; ``recv`` returns them first.
    ``reader`` (a buffered file of the server's) is read instead of the socket when given.
    """

    def __init__(self, sock: Any, pending: bytes = b"", result: Iterable[bytes] | None = None,
                 reader: Any = None, stop_registry: set[Any] | None = None) -> None:
        self.socket = sock
        self.pending = pending
        self.result: Iterable[bytes] = result if result is not None else []
        self.reader = reader
        self.stop_registry = stop_registry  # the server's open WebSockets, told when it stops
        self.closed = False
        sock.settimeout(None)  # a server's read timeout is for HTTP; pings tell whether a WebSocket lives

    def recv_within(self, timeout: float) -> bytes:
        """``recv``, raising ``TimeoutError`` when nothing arrives within ``timeout`` seconds."""
        if self.pending:
            return self.recv()
        self.socket.settimeout(timeout)
        try:
            return self.recv()
        finally:
            self.socket.settimeout(None)

    def recv(self, size: int = RECV_SIZE) -> bytes:
        """Up to ``size`` bytes; ``b""`` at EOF. Raises ``OSError`` for a broken connection."""
        if self.pending:
            data, self.pending = self.pending, b""
            return data
        if self.reader is not None:
            return bytes(self.reader.read1(size))
        return bytes(self.socket.recv(size))

    def sendall(self, data: bytes) -> None:
        self.socket.sendall(data)

    def shutdown(self) -> None:
        """End both directions; the server closes the socket once the app has returned."""
        if self.closed:
            return
        self.closed = True
        try:
            self.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class TakeoverHook(Protocol):
    """``environ["fastrapi.takeover"]``: called once, it hands the connection to the caller."""

    def __call__(self) -> Transport: ...


def take_over(environ: dict[str, Any]) -> Transport:
    """The connection of this request, taken from whichever server runs it."""
    hook: Callable[[], Transport] | None = environ.get(TAKEOVER_KEY)
    if hook is not None:
        return hook()
    sock = environ.get("gunicorn.socket")
    if sock is not None:
        return _gunicorn(environ, sock)
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        return Transport(sock, reader=_buffered(environ.get("wsgi.input")), result=_DroppedConnection())
    stream = environ.get("wsgi.input")
    raw = getattr(getattr(stream, "raw", None), "_sock", None)  # gevent.pywsgi: the handler's rfile
    sock = environ.get("gunicorn.sock") or raw
    if sock is not None and hasattr(stream, "read1"):
        return Transport(sock, reader=stream)
    raise TakeoverUnsupported("this WSGI server cannot hand its connection over to a WebSocket")


def _gunicorn(environ: dict[str, Any], sock: Any) -> Transport:
    from gunicorn.workers.base_async import ALREADY_HANDLED  # only here: gunicorn is optional

    # What gunicorn's parser read past the head waits in its unreader's buffer.
    reader = getattr(environ.get("wsgi.input"), "reader", None)
    unreader = getattr(reader, "unreader", None)
    buffer = getattr(unreader, "buf", None)
    pending = b""
    if unreader is not None and buffer is not None and buffer.getvalue():
        pending = unreader.read()
    return Transport(sock, pending=pending, result=ALREADY_HANDLED)  # type: ignore[arg-type]  # gunicorn's sentinel


def _buffered(stream: Any) -> Any:
    return stream if hasattr(stream, "read1") else None


class _DroppedConnection:
    """A WSGI result that tells Werkzeug's server the connection is gone (so it writes nothing)."""

    def __iter__(self) -> Iterator[bytes]:
        raise ConnectionError("the connection was taken over by a WebSocket")
