"""``TestClient.websocket_connect``: the app's side of a WebSocket on one end of a socket pair, in a greenlet,
taken over through ``fastrapi.takeover`` as on a real server; a wsproto client on the other end."""

from __future__ import annotations

import contextvars
import json
import sys
from collections import deque
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import gevent
import gevent.socket
import httpx
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

from fastrapi.websocket_session import REFUSED_KEY
from fastrapi.websocket_transport import TAKEOVER_KEY, Transport
from fastrapi.websockets import WebSocketDisconnect

JOIN_TIMEOUT = 10.0  # how long leaving the block waits for the app to finish


class WebSocketDenialResponse(httpx.Response, WebSocketDisconnect):  # type: ignore[misc]  # as Starlette's
    """The app answered the handshake with an HTTP response instead of accepting it (an ``HTTPException``
    before ``accept()``, e.g. a security dependency's 401): raised by ``websocket_connect``, with the
    response's ``status_code``, ``headers`` and ``json()``, as Starlette's TestClient raises it."""


_denial_classes: dict[type, type[WebSocketDenialResponse]] = {}


def _denial_class() -> type[WebSocketDenialResponse]:
    """``WebSocketDenialResponse``, also an instance of Starlette's class of that name when the test imported it
    (``pytest.raises(starlette.testclient.WebSocketDenialResponse)`` in tests written for FastAPI)."""
    starlette_testclient = sys.modules.get("starlette.testclient")
    theirs = getattr(starlette_testclient, "WebSocketDenialResponse", None)
    if not isinstance(theirs, type):
        return WebSocketDenialResponse
    found = _denial_classes.get(theirs)
    if found is None:
        found = _denial_classes[theirs] = type("WebSocketDenialResponse", (WebSocketDenialResponse, theirs), {})
    return found


class WebSocketTestSession:
    """A connected test WebSocket: ``send_text``/``receive_json``/...; ``WebSocketDisconnect`` when closed."""

    __test__ = False

    def __init__(self, app: Callable[..., Iterable[bytes]], environ: dict[str, Any],
                 subprotocols: list[str], host: str, target: str) -> None:
        self._app_socket, self._socket = gevent.socket.socketpair()
        self._connection = WSConnection(ConnectionType.CLIENT)
        self._parts: list[Any] = []
        self._events: deque[Any] = deque()  # read along with the handshake's answer, not yet handled
        self.accepted_subprotocol: str | None = None
        self.extra_headers: list[tuple[bytes, bytes]] = []
        self._failure: BaseException | None = None
        self._answer: tuple[str, list[tuple[str, str]]] | None = None  # an HTTP answer to the handshake
        self._answer_body = b""
        # The head wsproto would send is turned into the environ instead (the app never reads it).
        head = self._connection.send(Request(host=host, target=target, subprotocols=subprotocols))
        for line in head.split(b"\r\n")[1:]:
            name, sep, value = line.partition(b":")
            if sep:
                key = "HTTP_" + name.decode("latin-1").strip().upper().replace("-", "_")
                environ[key] = value.decode("latin-1").strip()  # over httpx's Connection: keep-alive
        self._taken_over = False
        environ[TAKEOVER_KEY] = self._take_over
        self._environ = environ
        # In a copy of the test's context, as Starlette's TestClient runs the app: context variables the test
        # set are seen by the endpoint and its dependencies.
        self._greenlet = gevent.spawn(contextvars.copy_context().run, self._run, app, environ)

    def _take_over(self) -> Transport:
        self._taken_over = True
        return Transport(self._app_socket)

    def _run(self, app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> None:
        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            self._answer = (status, headers)

        try:
            result = app(environ, start_response)
            try:
                if not self._taken_over and environ.get(REFUSED_KEY) is None:
                    self._answer_body = b"".join(result)  # not taken over: the answer is an HTTP response
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except BaseException as exc:  # handed to the test when it next waits on the app
            self._failure = exc
        finally:
            try:
                self._app_socket.shutdown(2)
            except OSError:
                pass
            self._app_socket.close()

    # -- the handshake -----------------------------------------------------------------------------
    def _wait_accept(self) -> None:
        while True:
            event = self._next_event()
            if isinstance(event, AcceptConnection):
                self.accepted_subprotocol = event.subprotocol
                self.extra_headers = list(event.extra_headers)
                return
            if isinstance(event, RejectConnection):
                break
        self._greenlet.join()
        self._raise_failure()
        refused = self._environ.get(REFUSED_KEY)
        if refused is None and self._answer is not None:
            status, headers = self._answer
            raise _denial_class()(int(status.split(" ", 1)[0]), headers=headers, content=self._answer_body)
        code, reason = refused or (1000, "")
        raise WebSocketDisconnect(code, reason)

    def _next_event(self) -> Any:
        """wsproto's next event, reading when none is waiting (EOF comes as a 1006 close)."""
        while not self._events:
            try:
                data = self._socket.recv(65536)
            except OSError:
                data = b""
            if not data and self._connection.state is ConnectionState.CONNECTING:
                return RejectConnection()
            self._connection.receive_data(data or None)
            self._events.extend(self._connection.events())
        return self._events.popleft()

    def _raise_failure(self) -> None:
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    # -- the messages ------------------------------------------------------------------------------
    def receive(self) -> dict[str, Any]:
        """The next message: ``{"type": "websocket.send", "text"|"bytes": ...}`` or ``websocket.close``."""
        while True:
            if not self._events and self._connection.state is ConnectionState.CLOSED:
                self._greenlet.join(JOIN_TIMEOUT)
                self._raise_failure()
                return {"type": "websocket.close", "code": 1006, "reason": ""}
            event = self._next_event()
            if isinstance(event, Message):
                self._parts.append(event.data)
                if event.message_finished:
                    parts, self._parts = self._parts, []
                    if isinstance(event, TextMessage):
                        return {"type": "websocket.send", "text": "".join(parts)}
                    return {"type": "websocket.send", "bytes": b"".join(parts)}
            elif isinstance(event, Ping):
                self._write(event.response())
            elif isinstance(event, CloseConnection):
                if self._connection.state is ConnectionState.REMOTE_CLOSING:
                    self._write(event.response())
                if event.code == 1006:
                    self._greenlet.join(JOIN_TIMEOUT)
                    self._raise_failure()
                return {"type": "websocket.close", "code": int(event.code), "reason": event.reason or ""}

    def _write(self, event: Any) -> None:
        try:
            self._socket.sendall(self._connection.send(event))
        except OSError:
            pass

    def send(self, message: dict[str, Any]) -> None:
        """An ASGI-style ``websocket.receive`` message (``text`` or ``bytes``) or ``websocket.disconnect``."""
        if message["type"] == "websocket.disconnect":
            self.close(message.get("code", 1000), message.get("reason"))
        elif message.get("text") is not None:
            self._send_event(TextMessage(data=message["text"]))
        else:
            self._send_event(BytesMessage(data=message.get("bytes") or b""))

    def _send_event(self, event: Any) -> None:
        if self._connection.state is not ConnectionState.OPEN:
            raise WebSocketDisconnect(1006)
        self._write(event)

    def send_text(self, data: str) -> None:
        self._send_event(TextMessage(data=data))

    def send_bytes(self, data: bytes) -> None:
        self._send_event(BytesMessage(data=data))

    def send_json(self, data: Any, mode: str = "text") -> None:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if mode == "text":
            self.send_text(text)
        else:
            self.send_bytes(text.encode("utf-8"))

    def _data(self, key: str) -> Any:
        message = self.receive()
        if message["type"] == "websocket.close":
            raise WebSocketDisconnect(message["code"], message.get("reason"))
        return message[key]

    def receive_text(self) -> str:
        text: str = self._data("text")
        return text

    def receive_bytes(self) -> bytes:
        data: bytes = self._data("bytes")
        return data

    def receive_json(self, mode: str = "text") -> Any:
        if mode == "text":
            return json.loads(self._data("text"))
        return json.loads(self._data("bytes").decode("utf-8"))

    def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Send a close frame (the app's receive sees ``websocket.disconnect`` with ``code``)."""
        state = self._connection.state
        if state is ConnectionState.OPEN:
            self._write(CloseConnection(code=code, reason=reason or None))
        elif state is ConnectionState.REMOTE_CLOSING:  # the app's close came in unread: answer it
            self._write(CloseConnection(code=code))

    def __enter__(self) -> WebSocketTestSession:
        try:
            self._wait_accept()
        except BaseException:
            self._socket.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.close(1000)
            self._greenlet.join(JOIN_TIMEOUT)
        finally:
            self._socket.close()
        if exc is None:
            self._raise_failure()
