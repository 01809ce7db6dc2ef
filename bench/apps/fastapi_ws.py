"""Long-lived connections on FastAPI, the same routes as ``fastrapi_ws.py`` (``async def`` only: FastAPI's
WebSocket endpoints must be coroutines)."""

from __future__ import annotations

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
open_sockets = 0
room: set[WebSocket] = set()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"Hello": "World"}


@app.get("/open")
async def count() -> int:
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


@app.websocket("/echo")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
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
