"""Serve a WSGI app on a free loopback port in this process, and talk raw HTTP to it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import gevent
import gevent.socket

from fastrapi.server import make_listener


@contextmanager
def serving(server_class: type[Any], app: Callable[..., Any], **options: Any) -> Iterator[int]:
    """``app`` on ``server_class`` (stock pywsgi or fastrapi's); yields the port. ``options`` go to the
    server's constructor (e.g. ``header_timeout=0.3`` for fastrapi's)."""
    server = server_class(make_listener("127.0.0.1", 0), app, **options)
    server.start()
    try:
        yield server.server_port
    finally:
        server.stop(timeout=1)


def exchange(port: int, raw: bytes, read_delay: float = 0.0, timeout: float = 5.0) -> bytes:
    """Send ``raw`` on one connection and read until the server closes it; ``read_delay`` waits
    before reading, so the server's send buffer fills up first."""
    sock = gevent.socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        sock.sendall(raw)
        if read_delay:
            gevent.sleep(read_delay)  # a client slow to read: the behaviour its callers test
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:  # closed with our bytes unread: what it sent before is still here
            pass
        return b"".join(chunks)
    finally:
        sock.close()


@dataclass
class Response:
    """One response as it came off the wire: ``head`` is the status line and headers, without the blank line."""

    head: bytes
    body: bytes

    @property
    def status(self) -> int:
        return int(self.head.split(b" ", 2)[1])

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        lines = self.head.split(b"\r\n")[1:]
        return [(name.lower(), value.strip()) for name, _, value in (line.partition(b":") for line in lines)]

    def header(self, name: bytes) -> bytes | None:
        """The value of the (first) header called ``name``, any case; ``None`` when absent."""
        return next((value for key, value in self.headers if key == name.lower()), None)


class Client:
    """A raw connection that reads responses one at a time, framed the way a client must frame them."""

    def __init__(self, port: int, timeout: float = 5.0) -> None:
        self.sock = gevent.socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:  # closed with our bytes unread (a reset, not a FIN): closed all the same
            return False
        self.buffer += data
        return bool(data)

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if not self._fill():
                raise EOFError(f"connection closed {size - len(self.buffer)} bytes short")
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            if not self._fill():
                raise EOFError("connection closed inside a line")
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def head(self) -> bytes:
        """The next response head (status line and headers)."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise EOFError(f"connection closed before a response head: {self.buffer[:200]!r}")
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        return head

    def response(self, method: str = "GET") -> Response:
        """The next whole response; ``method`` is the request's, since a HEAD response has no body."""
        answer = Response(self.head(), b"")
        if method == "HEAD" or answer.status < 200 or answer.status in (204, 304):
            return answer
        if (answer.header(b"transfer-encoding") or b"").lower() == b"chunked":
            parts = []
            while size := int(self._line().split(b";")[0], 16):
                parts.append(self._take(size))
                assert self._take(2) == b"\r\n", "a chunk not followed by CRLF"
            while self._line():  # trailers, up to the blank line
                pass
            answer.body = b"".join(parts)
        elif (length := answer.header(b"content-length")) is not None:
            answer.body = self._take(int(length))
        else:
            answer.body = self.rest()
        return answer

    def rest(self) -> bytes:
        """Everything until the server closes the connection."""
        while self._fill():
            pass
        data, self.buffer = self.buffer, b""
        return data

    def closed_within(self, seconds: float) -> float | None:
        """Seconds until the server closed the connection (sending nothing more), ``None`` if it did not
        within ``seconds``. Fails if the server sends bytes instead."""
        started = time.monotonic()
        self.sock.settimeout(seconds)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return None
        except ConnectionResetError:
            data = b""
        finally:
            self.sock.settimeout(5.0)
        assert data == b"" and self.buffer == b"", f"expected the connection to close, got {self.buffer + data!r}"
        return time.monotonic() - started
