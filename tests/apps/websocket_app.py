"""Raw WSGI WebSocket apps for the server tests: a ``def`` echo (``sync_app``) and an ``async def`` one
(``async_app``), both served below any routing. ``/__ready__`` and other plain requests answer 200.

Paths: ``/echo`` echoes text, bytes and JSON (``{"close": [code, reason]}`` makes it close);
``/subprotocol`` accepts the client's last offer and sends it back; ``/refuse`` closes before accepting;
``/bye`` closes at once with 4001 "bye". How the last echo's client went away is kept (``GET /last``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from fastrapi.concurrency import run_async
from fastrapi.websocket_session import MAX_SIZE_KEY
from fastrapi.websockets import SyncWebSocket, WebSocket, WebSocketDisconnect, is_websocket_request

last: dict[str, Any] = {}
MAX_SIZE = 2 * 1024 * 1024  # set on every environ: a bigger message is closed with 1009


def _plain(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    body = json.dumps(last).encode() if environ["PATH_INFO"] == "/last" else b"ok"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def _record(exc: WebSocketDisconnect) -> None:
    last.update(code=exc.code, reason=exc.reason, at=time.time())


def sync_endpoint(ws: SyncWebSocket, path: str) -> None:
    if path == "/refuse":
        ws.close(4403, "no")
        return
    if path == "/subprotocol":
        ws.accept(subprotocol=ws.subprotocols[-1] if ws.subprotocols else None)
        ws.send_text(ws.subprotocols[-1] if ws.subprotocols else "")
        ws.receive()
        return
    ws.accept(headers=[(b"x-served-by", b"sync")])
    if path == "/bye":
        ws.close(4001, "bye")
        return
    try:
        while True:
            message = ws.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message["code"], message.get("reason"))
            if "bytes" in message and message["bytes"] is not None:
                ws.send_bytes(message["bytes"])
                continue
            text = message["text"]
            if text.startswith("{"):
                data = json.loads(text)
                if "close" in data:
                    ws.close(*data["close"])
                    return
                ws.send_json(data)
            else:
                ws.send_text(text)
    except WebSocketDisconnect as exc:
        _record(exc)


async def async_endpoint(ws: WebSocket, path: str) -> None:
    if path == "/refuse":
        await ws.close(4403, "no")
        return
    if path == "/subprotocol":
        await ws.accept(subprotocol=ws.subprotocols[-1] if ws.subprotocols else None)
        await ws.send_text(ws.subprotocols[-1] if ws.subprotocols else "")
        await ws.receive()
        return
    await ws.accept(headers=[(b"x-served-by", b"async")])
    if path == "/bye":
        await ws.close(4001, "bye")
        return
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message["code"], message.get("reason"))
            if message.get("bytes") is not None:
                await ws.send_bytes(message["bytes"])
                continue
            text = message["text"]
            if text.startswith("{"):
                data = json.loads(text)
                if "close" in data:
                    await ws.close(*data["close"])
                    return
                await ws.send_json(data)
            else:
                await ws.send_text(text)
    except WebSocketDisconnect as exc:
        _record(exc)


def sync_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if not is_websocket_request(environ) and "HTTP_SEC_WEBSOCKET_VERSION" not in environ:
        return _plain(environ, start_response)
    environ[MAX_SIZE_KEY] = MAX_SIZE
    ws = SyncWebSocket(environ, {})
    if ws.handshake_error is not None:
        return ws.finish(start_response)
    try:
        sync_endpoint(ws, environ["PATH_INFO"])
    except Exception:
        return ws.finish(start_response, failed=True)
    return ws.finish(start_response)


def async_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if not is_websocket_request(environ) and "HTTP_SEC_WEBSOCKET_VERSION" not in environ:
        return _plain(environ, start_response)
    environ[MAX_SIZE_KEY] = MAX_SIZE
    ws = WebSocket(environ, {})
    if ws.handshake_error is not None:
        return ws.finish(start_response)
    try:
        run_async(async_endpoint, (ws, environ["PATH_INFO"]), {}, suspends=True)
    except Exception:
        return ws.finish(start_response, failed=True)
    return ws.finish(start_response)


class _Served:
    """What ``app.serve()`` in tests/servers.py calls: ``serve(host, port, **options)``."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.app(environ, start_response)

    def serve(self, host: str, port: int, **options: Any) -> None:
        from fastrapi.server import serve

        serve(self, host, port, **options)


sync_served = _Served(sync_app)
async_served = _Served(async_app)
