"""WebSockets over a WSGI environ: Starlette's ``WebSocket`` API (async) and ``SyncWebSocket`` for ``def`` endpoints.

How a route serves one, in the request's greenlet::

    ws = WebSocket(environ, path_params)       # or SyncWebSocket
    try:
        run the endpoint (it calls accept, send/receive..., close)
    except Exception:
        log it; return ws.finish(start_response, failed=True)   # closes with 1011
    return ws.finish(start_response)           # closes with 1000 if the endpoint did not

``finish`` returns what the WSGI server needs: a 403 when the endpoint closed before accepting (400/426
for an invalid handshake, see ``handshake_error``), else a result that makes the server write nothing
and close the connection. Socket work always runs where the request's socket lives: from the asyncio
bridge through ``on_request_side``, from a pool thread through ``request_hop_sync``.
"""

from __future__ import annotations

import asyncio
import enum
import json
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import gevent

from fastrapi.concurrency import (
    in_gevent_greenlet,
    on_request_side,
    post_to_request_side,
    request_hop,
    request_hop_sync,
)
from fastrapi.requests import HTTPConnection
from fastrapi.types import RequestApp
from fastrapi.websocket_session import Session

T = TypeVar("T")
Message = dict[str, Any]
POSTED_LIMIT = 64  # data messages an async endpoint may have on their way before a send waits
POSTED_DRAIN_SECONDS = 5.0  # how long the end of an endpoint waits for its posted messages

__all__ = ["SyncWebSocket", "WebSocket", "WebSocketDisconnect", "WebSocketDisconnected", "WebSocketState",
           "is_websocket_request"]


class WebSocketState(enum.Enum):
    CONNECTING = 0
    CONNECTED = 1
    DISCONNECTED = 2
    RESPONSE = 3


class WebSocketDisconnect(Exception):
    """The connection is closed: raised by receives after the client's close (``code``, ``reason``)."""

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or ""
        super().__init__(code, self.reason)


class WebSocketDisconnected(RuntimeError):
    """A disconnected WebSocket was used."""


def is_websocket_request(environ: dict[str, Any]) -> bool:
    """A GET asking to upgrade to ``websocket`` (``Connection`` has ``upgrade``) with a key."""
    if environ.get("REQUEST_METHOD") != "GET" or "HTTP_SEC_WEBSOCKET_KEY" not in environ:
        return False
    if environ.get("HTTP_UPGRADE", "").strip().lower() != "websocket":
        return False
    return "upgrade" in (token.strip().lower() for token in environ.get("HTTP_CONNECTION", "").split(","))


class _Core(HTTPConnection):
    """The state machine both faces share; every ``_op`` is a blocking call on the session."""

    __slots__ = ("_ws", "client_state", "application_state", "_posted", "_sent", "_send_error")

    def __init__(self, environ: dict[str, Any], path_params: dict[str, Any] | None = None,
                 app: RequestApp | None = None) -> None:
        super().__init__(environ, path_params, app)
        self._ws = Session(environ)
        self.client_state = WebSocketState.CONNECTING
        self.application_state = WebSocketState.CONNECTING
        # Messages posted to the request's hub without waiting (async endpoints): written only by the
        # coroutine's thread, and by the hub's, so the difference is what is still to be sent.
        self._posted = 0
        self._sent = 0
        self._send_error: BaseException | None = None

    @property
    def url(self) -> Any:
        url = super().url
        return url.replace(scheme="wss" if url.scheme == "https" else "ws")

    @property
    def handshake_error(self) -> str | None:
        """Why the handshake is invalid (``finish`` answers 400 or 426), or ``None``."""
        refusal = self._ws.refusal
        return refusal[2] if refusal is not None else None

    @property
    def subprotocols(self) -> list[str]:
        """The subprotocols the client offered, in its order."""
        return self._ws.subprotocols

    def finish(self, start_response: Callable[..., Any], failed: bool = False) -> Iterable[bytes]:
        """What the WSGI app returns when the endpoint is done (see the module docstring)."""
        if self._posted != self._sent and in_gevent_greenlet():  # the last posted messages go out first
            deadline = time.monotonic() + POSTED_DRAIN_SECONDS
            while self._posted != self._sent and time.monotonic() < deadline:
                gevent.sleep(0.001)
        self.application_state = WebSocketState.DISCONNECTED
        return self._ws.finish(start_response, failed)

    # -- the blocking steps, wrapped by each face --------------------------------------------------------
    def _receive_now(self) -> Message:
        if self.client_state is WebSocketState.CONNECTING:
            self.client_state = WebSocketState.CONNECTED
            return {"type": "websocket.connect"}
        if self.client_state is WebSocketState.DISCONNECTED:
            raise WebSocketDisconnected('Cannot call "receive" once a disconnect message has been received.')
        message = self._ws.receive()
        if message["type"] == "websocket.disconnect":
            self.client_state = WebSocketState.DISCONNECTED
        return message

    def _send_now(self, message: Message) -> None:
        kind = message["type"]
        state = self.application_state
        session = self._ws
        if state is WebSocketState.CONNECTING:
            if kind == "websocket.accept":
                self.application_state = WebSocketState.CONNECTED
                session.accept(message.get("subprotocol"), message.get("headers"))
            elif kind == "websocket.close":
                self.application_state = WebSocketState.DISCONNECTED
                session.refuse(message.get("code", 1000), message.get("reason") or "")
            else:
                raise RuntimeError('Expected ASGI message "websocket.accept", "websocket.close" or '
                                   f'"websocket.http.response.start", but got {kind!r}')
        elif state is WebSocketState.CONNECTED:
            if kind == "websocket.send":
                try:
                    session.send_message(message.get("text"), message.get("bytes"))
                except OSError:
                    self.application_state = WebSocketState.DISCONNECTED
                    raise WebSocketDisconnect(1006) from None
            elif kind == "websocket.close":
                self.application_state = WebSocketState.DISCONNECTED
                session.close(message.get("code", 1000), message.get("reason") or "")
            else:
                raise RuntimeError(f'Expected ASGI message "websocket.send" or "websocket.close", but got {kind!r}')
        else:
            raise WebSocketDisconnected('Cannot call "send" once a close message has been sent.')

    def _accept_now(self, subprotocol: str | None, headers: Iterable[tuple[bytes, bytes]] | None) -> None:
        if self.client_state is WebSocketState.CONNECTING:
            self._receive_now()
        self._send_now({"type": "websocket.accept", "subprotocol": subprotocol, "headers": list(headers or [])})

    def _receive_data_now(self, key: str) -> Any:
        if self.application_state is not WebSocketState.CONNECTED:
            raise WebSocketDisconnected('WebSocket is not connected. Need to call "accept" first.')
        message = self._receive_now()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message["code"], message.get("reason"))
        return message[key]


def _check_mode(mode: str) -> None:
    if mode not in ("text", "binary"):
        raise RuntimeError('The "mode" argument should be "text" or "binary".')


def _json_text(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


# Socket work from a thread that is neither a gevent greenlet nor hopping to one (a threaded server's
# async endpoint): off the bridge loop, which must never block.
_blocking = ThreadPoolExecutor(max_workers=256, thread_name_prefix="fastrapi-websocket")


async def _run(fn: Callable[[], T]) -> T:
    if request_hop.get() is not None or in_gevent_greenlet():
        return await on_request_side(fn)
    return await asyncio.get_running_loop().run_in_executor(_blocking, fn)


class WebSocket(_Core):
    """A WebSocket for ``async def`` endpoints, with Starlette's methods."""

    __slots__ = ()

    async def receive(self) -> Message:
        return await _run(self._receive_now)

    async def send(self, message: Message) -> None:
        error, self._send_error = self._send_error, None
        if error is not None:  # an earlier posted message could not be sent
            raise error
        # PERF: a data message is posted to the socket's greenlet, not awaited there (two thread hand-overs
        # less; a broadcast posts all its sends at once), as an asyncio transport buffers a write; in order,
        # and awaited again once POSTED_LIMIT are on their way.
        if (message.get("type") == "websocket.send" and self.application_state is WebSocketState.CONNECTED
                and self._posted - self._sent < POSTED_LIMIT
                and post_to_request_side(partial(self._send_posted, message))):
            self._posted += 1
            return
        await _run(partial(self._send_now, message))

    def _send_posted(self, message: Message) -> None:
        try:
            self._send_now(message)
        except BaseException as exc:  # raised by the coroutine's next send
            self._send_error = exc
        finally:
            self._sent += 1

    async def accept(self, subprotocol: str | None = None,
                     headers: Iterable[tuple[bytes, bytes]] | None = None) -> None:
        await _run(partial(self._accept_now, subprotocol, headers))

    async def receive_text(self) -> str:
        text: str = await _run(partial(self._receive_data_now, "text"))
        return text

    async def receive_bytes(self) -> bytes:
        data: bytes = await _run(partial(self._receive_data_now, "bytes"))
        return data

    async def receive_json(self, mode: str = "text") -> Any:
        _check_mode(mode)
        data = await _run(partial(self._receive_data_now, "text" if mode == "text" else "bytes"))
        return json.loads(data if mode == "text" else data.decode("utf-8"))

    async def iter_text(self) -> AsyncIterator[str]:
        try:
            while True:
                yield await self.receive_text()
        except WebSocketDisconnect:
            pass

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        try:
            while True:
                yield await self.receive_bytes()
        except WebSocketDisconnect:
            pass

    async def iter_json(self) -> AsyncIterator[Any]:
        try:
            while True:
                yield await self.receive_json()
        except WebSocketDisconnect:
            pass

    async def send_text(self, data: str) -> None:
        await self.send({"type": "websocket.send", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        await self.send({"type": "websocket.send", "bytes": data})

    async def send_json(self, data: Any, mode: str = "text") -> None:
        _check_mode(mode)
        text = _json_text(data)
        await self.send({"type": "websocket.send", "text": text} if mode == "text"
                        else {"type": "websocket.send", "bytes": text.encode("utf-8")})

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        await self.send({"type": "websocket.close", "code": code, "reason": reason or ""})


def _run_sync(fn: Callable[[], T]) -> T:
    hop = request_hop_sync.get()
    if hop is not None and not in_gevent_greenlet():  # a pool thread: the socket lives in the request's hub
        result: T = hop(fn)
        return result
    return fn()


class SyncWebSocket(_Core):
    """A WebSocket for ``def`` endpoints: the same methods as ``WebSocket``, blocking."""

    __slots__ = ()

    def receive(self) -> Message:
        return _run_sync(self._receive_now)

    def send(self, message: Message) -> None:
        _run_sync(partial(self._send_now, message))

    def accept(self, subprotocol: str | None = None, headers: Iterable[tuple[bytes, bytes]] | None = None) -> None:
        _run_sync(partial(self._accept_now, subprotocol, headers))

    def receive_text(self) -> str:
        text: str = _run_sync(partial(self._receive_data_now, "text"))
        return text

    def receive_bytes(self) -> bytes:
        data: bytes = _run_sync(partial(self._receive_data_now, "bytes"))
        return data

    def receive_json(self, mode: str = "text") -> Any:
        _check_mode(mode)
        data = _run_sync(partial(self._receive_data_now, "text" if mode == "text" else "bytes"))
        return json.loads(data if mode == "text" else data.decode("utf-8"))

    def iter_text(self) -> Iterator[str]:
        try:
            while True:
                yield self.receive_text()
        except WebSocketDisconnect:
            pass

    def iter_bytes(self) -> Iterator[bytes]:
        try:
            while True:
                yield self.receive_bytes()
        except WebSocketDisconnect:
            pass

    def iter_json(self) -> Iterator[Any]:
        try:
            while True:
                yield self.receive_json()
        except WebSocketDisconnect:
            pass

    def send_text(self, data: str) -> None:
        self.send({"type": "websocket.send", "text": data})

    def send_bytes(self, data: bytes) -> None:
        self.send({"type": "websocket.send", "bytes": data})

    def send_json(self, data: Any, mode: str = "text") -> None:
        _check_mode(mode)
        text = _json_text(data)
        self.send({"type": "websocket.send", "text": text} if mode == "text"
                  else {"type": "websocket.send", "bytes": text.encode("utf-8")})

    def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.send({"type": "websocket.close", "code": code, "reason": reason or ""})
