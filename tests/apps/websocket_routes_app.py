"""The same WebSocket app built on FastAPI or on fastrapi (``build(framework)``), for differential tests,
and ``served``: fastrapi's build for the real-server tests (a chat room, echo, parameters, dependencies).

Routes: ``/echo`` (async) and ``/echo-def`` (def, fastrapi only) echo text and JSON; ``/items/{item_id}``
takes a path int, a query int, a header and a cookie-or-token dependency that refuses with 1008;
``/chat/{name}`` broadcasts every message to the room; ``/cleanup`` has a ``yield`` dependency whose exit
is recorded; ``/burst`` sends ``count`` numbered messages, then closes or returns; ``/boom`` raises after
accepting. ``/rooms`` (HTTP) lists who is in the chat room.
"""

# No ``from __future__ import annotations``: the endpoints annotate with the framework's local classes.
import importlib
import types
from typing import Annotated, Any

import fastrapi

events: list[str] = []


def build(framework: types.ModuleType, **settings: Any) -> Any:
    """The app on ``framework`` (the ``fastapi`` or ``fastrapi`` module), with ``settings`` for its constructor."""
    WebSocket = framework.WebSocket
    WebSocketDisconnect = framework.WebSocketDisconnect
    app = framework.FastAPI(**settings)
    room: dict[str, Any] = {}

    @app.websocket("/echo")
    async def echo(websocket: WebSocket) -> None:  # type: ignore[valid-type]
        await websocket.accept()
        try:
            while True:
                message = await websocket.receive_text()
                if message.startswith("{"):
                    await websocket.send_json({"json": message})
                else:
                    await websocket.send_text(f"echo: {message}")
        except WebSocketDisconnect:
            pass

    def cookie_or_token(session: Annotated[str | None, framework.Cookie()] = None,
                        token: Annotated[str | None, framework.Query()] = None) -> str:
        if session is None and token is None:
            raise framework.WebSocketException(code=framework.status.WS_1008_POLICY_VIOLATION, reason="no token")
        return session or token  # type: ignore[return-value]

    @app.websocket("/items/{item_id}")
    async def items(websocket: WebSocket, item_id: int,  # type: ignore[valid-type]
                    who: Annotated[str, framework.Depends(cookie_or_token)],
                    q: int | None = None, x_client: Annotated[str | None, framework.Header()] = None) -> None:
        await websocket.accept()
        await websocket.send_json({"item_id": item_id, "q": q, "who": who, "x_client": x_client,
                                   "path": websocket.url.path, "scheme": websocket.url.scheme})
        await websocket.close()

    @app.websocket("/chat/{name}")
    async def chat(websocket: WebSocket, name: str) -> None:  # type: ignore[valid-type]
        await websocket.accept()
        room[name] = websocket
        try:
            while True:
                text = await websocket.receive_text()
                for member in list(room.values()):
                    await member.send_text(f"{name}: {text}")
        except WebSocketDisconnect:
            room.pop(name, None)
            for member in list(room.values()):
                await member.send_text(f"{name} left")

    @app.get("/rooms")
    def rooms() -> list[str]:
        return sorted(room)

    def resource():  # type: ignore[no-untyped-def]
        events.append("opened")
        try:
            yield "resource"
        finally:
            events.append("closed")

    @app.websocket("/cleanup")
    async def cleanup(websocket: WebSocket, res: Annotated[str, framework.Depends(resource)]) -> None:  # type: ignore[valid-type]
        await websocket.accept()
        await websocket.send_text(res)
        await websocket.close()

    @app.websocket("/burst")
    async def burst(websocket: WebSocket, count: int = 300, close: bool = True) -> None:  # type: ignore[valid-type]
        await websocket.accept()
        for number in range(count):
            await websocket.send_text(str(number))
        if close:  # else returning closes (fastrapi, uvicorn; Starlette's TestClient would wait forever)
            await websocket.close()

    @app.websocket("/boom")
    async def boom(websocket: WebSocket) -> None:  # type: ignore[valid-type]
        await websocket.accept()
        raise RuntimeError("boom")

    bearer = importlib.import_module(f"{framework.__name__}.security").OAuth2PasswordBearer(tokenUrl="token")

    @app.websocket("/secured")
    async def secured(websocket: WebSocket, token: Annotated[str, framework.Depends(bearer)]) -> None:  # type: ignore[valid-type]
        await websocket.accept()
        await websocket.send_text(f"token {token}")
        await websocket.close()

    router = framework.APIRouter(prefix="/r", dependencies=[framework.Depends(cookie_or_token)])

    @router.websocket("/hello")
    async def hello(websocket: WebSocket) -> None:  # type: ignore[valid-type]
        await websocket.accept()
        await websocket.send_text("hello from the router")
        await websocket.close()

    app.include_router(router, prefix="/inc")

    if framework is fastrapi:
        @app.websocket("/echo-def")
        def echo_def(websocket: fastrapi.WebSocket) -> None:
            websocket.accept()  # type: ignore[unused-coroutine]
            for message in websocket.iter_text():  # type: ignore[attr-defined]
                websocket.send_text(f"echo: {message}")  # type: ignore[unused-coroutine]

    return app


served = build(fastrapi)
# Pings every 0.2 s, a client that has not answered one in 0.6 s is gone (the keep-alive tests).
pinging = build(fastrapi, websocket_ping_interval=0.2, websocket_ping_timeout=0.6)
