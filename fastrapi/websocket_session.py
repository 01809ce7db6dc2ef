"""The synchronous core of a server-side WebSocket: handshake, messages, pings and closing, through wsproto.

A session speaks ASGI-shaped message dicts (``websocket.connect``/``receive``/``disconnect`` in,
``websocket.accept``/``send``/``close`` out) so that ``fastrapi.websockets`` only adds state checks and
the async/sync faces. Every method blocks; call them where the connection's socket may be used (a
greenlet of the request's hub, or the request's own thread on a threaded server).

Options come from the environ (a server or the app sets them), with uvicorn's defaults:
``fastrapi.websocket.max_size`` (16 MiB), ``fastrapi.websocket.compression`` (permessage-deflate
when the client offers it), ``fastrapi.websocket.ping_interval`` and ``.ping_timeout`` (20 s each;
``None`` or 0 turns pings off), ``fastrapi.websocket.close_timeout`` (how long a close waits for the
client's reply, 5 s).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import gevent
import gevent.lock
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Message,
    Ping,
    Pong,
    RejectConnection,
    Request,
    TextMessage,
)
from wsproto.extensions import Extension, PerMessageDeflate
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from fastrapi.concurrency import in_gevent_greenlet
from fastrapi.websocket_transport import Transport, take_over

MAX_SIZE_KEY = "fastrapi.websocket.max_size"
COMPRESSION_KEY = "fastrapi.websocket.compression"
PING_INTERVAL_KEY = "fastrapi.websocket.ping_interval"
PING_TIMEOUT_KEY = "fastrapi.websocket.ping_timeout"
CLOSE_TIMEOUT_KEY = "fastrapi.websocket.close_timeout"
REFUSED_KEY = "fastrapi.websocket.refused"  # (code, reason) when the app closed before accepting

DEFAULT_MAX_SIZE = 16 * 1024 * 1024
DEFAULT_PING_INTERVAL = 20.0
DEFAULT_PING_TIMEOUT = 20.0
DEFAULT_CLOSE_TIMEOUT = 5.0


@dataclass(frozen=True)
class Options:
    """How a WebSocket behaves; see the module docstring for the environ keys."""

    max_size: int = DEFAULT_MAX_SIZE
    compression: bool = True
    ping_interval: float | None = DEFAULT_PING_INTERVAL
    ping_timeout: float | None = DEFAULT_PING_TIMEOUT
    close_timeout: float = DEFAULT_CLOSE_TIMEOUT

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> Options:
        return cls(
            max_size=int(environ.get(MAX_SIZE_KEY, DEFAULT_MAX_SIZE)),
            compression=bool(environ.get(COMPRESSION_KEY, True)),
            ping_interval=environ.get(PING_INTERVAL_KEY, DEFAULT_PING_INTERVAL) or None,
            ping_timeout=environ.get(PING_TIMEOUT_KEY, DEFAULT_PING_TIMEOUT) or None,
            close_timeout=float(environ.get(CLOSE_TIMEOUT_KEY, DEFAULT_CLOSE_TIMEOUT)),
        )


def request_head(environ: dict[str, Any]) -> bytes:
    """The request's head rebuilt from the environ, for wsproto to check the handshake."""
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or "/"
    lines = [f"{environ.get('REQUEST_METHOD', 'GET')} {target} HTTP/1.1"]
    for key, value in environ.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            lines.append(f"{key[5:].replace('_', '-')}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


class Session:
    """One WebSocket connection, server side. ``refusal`` is set when the handshake itself is invalid."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.options = Options.from_environ(environ)
        self.connection = WSConnection(ConnectionType.SERVER)
        self.request: Request | None = None
        self.refusal: tuple[int, list[tuple[bytes, bytes]], str] | None = None
        self.transport: Transport | None = None
        self.refused: tuple[int, str] | None = None  # the app closed before accepting
        self.disconnect: dict[str, Any] | None = None  # the close that ended the connection
        self.messages: deque[dict[str, Any]] = deque()
        self._parts: list[Any] = []
        self._size = 0
        self._last_pong = time.monotonic()
        self._pinger: Any = None  # the keep-alive timer (a libev watcher), once accepted
        self._pinging = False
        if in_gevent_greenlet():
            self._send_lock: Any = gevent.lock.Semaphore()
            self._recv_lock: Any = gevent.lock.Semaphore()
        else:
            self._send_lock = threading.Lock()
            self._recv_lock = threading.Lock()
        self._check_handshake()

    def _check_handshake(self) -> None:
        try:
            self.connection.receive_data(request_head(self.environ))
            for event in self.connection.events():
                if isinstance(event, Request):
                    self.request = event
        except RemoteProtocolError as exc:
            hint = exc.event_hint
            status = hint.status_code if isinstance(hint, RejectConnection) else 400
            headers = list(hint.headers) if isinstance(hint, RejectConnection) else []
            self.refusal = (status, headers, str(exc))
        if self.request is None and self.refusal is None:
            self.refusal = (400, [], "Invalid WebSocket handshake")

    @property
    def subprotocols(self) -> list[str]:
        return list(self.request.subprotocols) if self.request is not None else []

    # -- the application's side ----------------------------------------------------------------------
    def accept(self, subprotocol: str | None = None, headers: Iterable[tuple[bytes, bytes]] | None = None) -> None:
        """Answer the handshake with 101 and take the connection over."""
        if self.refusal is not None:
            raise RuntimeError(f"Invalid WebSocket handshake: {self.refusal[2]}")
        extensions: list[Extension] = [PerMessageDeflate()] if self.options.compression else []
        extra = [(_bytes(name), _bytes(value)) for name, value in headers or ()]
        data = self.connection.send(AcceptConnection(subprotocol=subprotocol, extensions=extensions,
                                                     extra_headers=extra))
        self.transport = transport = take_over(self.environ)
        if transport.stop_registry is not None:
            transport.stop_registry.add(self)
        transport.sendall(data)
        if self.options.ping_interval and in_gevent_greenlet():
            # A timer, not a greenlet that sleeps: an idle connection keeps no pinger stack (about 10 KiB);
            # a greenlet lives only while a ping waits for its pong.
            interval = self.options.ping_interval
            self._pinger = gevent.get_hub().loop.timer(interval, interval)
            self._pinger.start(self._ping_due, self.options.ping_timeout or interval)

    def refuse(self, code: int, reason: str) -> None:
        """The app closed before accepting: the handshake is answered 403 (``finish`` writes it)."""
        self.refused = (code, reason)
        self.environ[REFUSED_KEY] = (code, reason)

    def send_message(self, text: str | None = None, data: bytes | None = None) -> None:
        """One text or binary message; ``OSError`` when the connection is gone."""
        event: Event = TextMessage(data=text) if text is not None else BytesMessage(data=data or b"")
        self._send(event)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Send a close frame (if the connection is still open) and wait, bounded, for the client's."""
        if self.transport is None:
            return
        self._send_close(code, reason)
        self._await_close()

    def receive(self) -> dict[str, Any]:
        """The next ``websocket.receive`` or ``websocket.disconnect`` message."""
        with self._recv_lock:
            while not self.messages:
                if self.disconnect is not None:
                    return self.disconnect
                self._read()
            return self.messages.popleft()

    # -- the wire --------------------------------------------------------------------------------------
    def _send(self, event: Event) -> None:
        transport = self.transport
        assert transport is not None
        with self._send_lock:
            if self.connection.state is not ConnectionState.OPEN:
                raise ConnectionResetError("the WebSocket is closed")
            transport.sendall(self.connection.send(event))

    def _send_close(self, code: int, reason: str) -> None:
        transport = self.transport
        assert transport is not None
        with self._send_lock:
            if self.connection.state is ConnectionState.OPEN:
                try:
                    transport.sendall(self.connection.send(CloseConnection(code=code, reason=reason or None)))
                except OSError:
                    self._lost()

    def _await_close(self) -> None:
        """Read until the client answers our close (or goes, or close_timeout passes), then end the connection."""
        deadline = time.monotonic() + self.options.close_timeout
        with self._recv_lock:
            while self.disconnect is None and self.connection.state is not ConnectionState.CLOSED:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._read(remaining)
        self._end()

    def _read(self, timeout: float | None = None) -> None:
        """Read once and handle what arrived; EOF, a broken connection or ``timeout`` passing end the connection."""
        transport = self.transport
        assert transport is not None
        try:
            data = transport.recv() if timeout is None else transport.recv_within(timeout)
        except OSError:  # a reset, or the timeout
            data = b""
        try:
            self.connection.receive_data(data or None)
        except LocalProtocolError:  # fed after the connection closed
            self._lost()
            return
        for event in self.connection.events():
            self._handle(event)

    def _handle(self, event: Event) -> None:
        if isinstance(event, Message):
            self._parts.append(event.data)
            self._size += len(event.data)
            if self._size > self.options.max_size:
                self._parts, self._size = [], 0
                self._send_close(1009, "Message too big")
                self._closed(1009, "Message too big")
                return
            if event.message_finished:
                if isinstance(event, TextMessage):
                    self.messages.append({"type": "websocket.receive", "text": "".join(self._parts)})
                else:
                    self.messages.append({"type": "websocket.receive", "bytes": b"".join(self._parts)})
                self._parts, self._size = [], 0
        elif isinstance(event, Ping):
            try:
                self._send(event.response())
            except OSError:
                self._lost()
        elif isinstance(event, Pong):
            self._last_pong = time.monotonic()
        elif isinstance(event, CloseConnection):
            if self.connection.state is ConnectionState.REMOTE_CLOSING:
                transport = self.transport
                assert transport is not None
                with self._send_lock:
                    try:
                        transport.sendall(self.connection.send(event.response()))
                    except OSError:
                        pass
            self._closed(int(event.code), event.reason or "")

    def _closed(self, code: int, reason: str) -> None:
        if self.disconnect is None:
            self.disconnect = {"type": "websocket.disconnect", "code": code, "reason": reason}
        self._end()

    def _lost(self) -> None:
        self._closed(1006, "")

    def _end(self) -> None:
        transport = self.transport
        if transport is not None:
            transport.shutdown()
            if transport.stop_registry is not None:
                transport.stop_registry.discard(self)
        if self.disconnect is None:
            self.disconnect = {"type": "websocket.disconnect", "code": 1006, "reason": ""}
        pinger, self._pinger = self._pinger, None
        if pinger is not None:
            pinger.close()

    def _ping_due(self, timeout: float) -> None:
        """The timer fired (in the hub): ping from a greenlet of its own, unless the last ping still waits."""
        if not self._pinging and self.disconnect is None:
            self._pinging = True
            gevent.spawn(self._ping, timeout)

    def _ping(self, timeout: float) -> None:
        """Ping once; a client that has not answered within ``timeout`` is gone."""
        try:
            sent = time.monotonic()
            try:
                self._send(Ping(payload=b"fastrapi"))
            except OSError:
                return
            while self._last_pong < sent and self.disconnect is None:
                if time.monotonic() - sent > timeout:
                    self._lost()
                    return
                if self._recv_lock.acquire(blocking=False):  # nobody is reading: read for the pong ourselves
                    try:
                        with gevent.Timeout(min(0.5, timeout), False):  # type: ignore[arg-type]  # False: end quietly
                            self._read()
                    finally:
                        self._recv_lock.release()
                else:
                    gevent.sleep(min(0.5, timeout))
        finally:
            self._pinging = False

    def going_away(self) -> None:
        """The server is stopping: close with 1001 (the handler's next receive sees the disconnect)."""
        if self.transport is not None:
            self._send_close(1001, "Server shutting down")

    # -- the end ---------------------------------------------------------------------------------------
    def finish(self, start_response: Any, failed: bool = False) -> Iterable[bytes]:
        """What the WSGI app returns once the endpoint is done: the refusal's HTTP response, or nothing
        (the connection was taken over). An endpoint that returned without closing closes with 1000, one
        that raised (``failed``) with 1011."""
        if self.transport is None:
            if self.refusal is not None:
                status, headers, reason = self.refusal
                body = reason.encode()
                head = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]
                start_response(_status_line(status), [*head, ("Content-Type", "text/plain; charset=utf-8"),
                                                      ("Content-Length", str(len(body))), ("Connection", "close")])
                return [body]
            if self.refused is None:
                self.refuse(1011 if failed else 1000, "")
            start_response("403 Forbidden", [("Content-Length", "0"), ("Connection", "close")])
            return []
        if self.disconnect is None:
            self.close(1011 if failed else 1000, "")
        self._end()
        return self.transport.result


def _status_line(status: int) -> str:
    return {400: "400 Bad Request", 426: "426 Upgrade Required"}.get(status, f"{status} Error")


def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("latin-1")
