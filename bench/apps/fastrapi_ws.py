"""Long-lived connections on fastrapi: idle WebSockets, echo and a chat room, ``def`` and ``async def``.

``/idle`` and ``/idle-def`` accept and wait for the client to leave; ``/echo`` and ``/echo-def`` send each
text message back; ``/chat`` and ``/chat-def`` send each message to every member of their room (one each).
``GET /hello`` is the HTTP request answered while they are open, ``GET /open`` counts the open WebSockets.
"""

from __future__ import annotations

import os

from fastrapi import FastAPI, WebSocket, WebSocketDisconnect
from fastrapi.websockets import SyncWebSocket

# BENCH_WS_PING_INTERVAL=0 turns the server's keep-alive pings off (what the pinger costs per connection).
app = FastAPI(websocket_ping_interval=float(os.environ.get("BENCH_WS_PING_INTERVAL", "20")) or None)
open_sockets = 0
room: set[WebSocket] = set()
room_def: set[SyncWebSocket] = set()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"Hello": "World"}


@app.get("/open")
def count() -> int:
    return open_sockets


@app.websocket("/idle")
async def idle(websocket: WebSocket) -> None:
    global open_sockets
    await websocket.accept()
    open_sockets += 1
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        pass
    finally:
        open_sockets -= 1


@app.websocket("/idle-def")
def idle_def(websocket: SyncWebSocket) -> None:
    global open_sockets
    websocket.accept()
    open_sockets += 1
    try:
        while True:
            websocket.receive_text()
    except WebSocketDisconnect:
        pass
    finally:
        open_sockets -= 1


@app.websocket("/echo")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


@app.websocket("/echo-def")
def echo_def(websocket: SyncWebSocket) -> None:
    websocket.accept()
    try:
        while True:
            websocket.send_text(websocket.receive_text())
    except WebSocketDisconnect:
        pass


@app.websocket("/chat")
async def chat(websocket: WebSocket) -> None:
    await websocket.accept()
    room.add(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            for member in list(room):
                await member.send_text(text)
    except WebSocketDisconnect:
        pass
    finally:
        room.discard(websocket)


@app.websocket("/chat-def")
def chat_def(websocket: SyncWebSocket) -> None:
    websocket.accept()
    room_def.add(websocket)
    try:
        while True:
            text = websocket.receive_text()
            for member in list(room_def):
                member.send_text(text)
    except WebSocketDisconnect:
        pass
    finally:
        room_def.discard(websocket)
