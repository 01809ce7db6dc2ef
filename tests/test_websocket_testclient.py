"""``TestClient.websocket_connect`` against the raw echo apps, compared with Starlette's TestClient on the same
endpoints written for Starlette where the behaviour is Starlette's (refusal codes, close messages)."""

from __future__ import annotations

import contextvars
import importlib
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient as StarletteClient
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect as StarletteDisconnect

from fastrapi.testclient import TestClient
from fastrapi.websockets import WebSocketDisconnect
from tests.apps import websocket_app


@pytest.fixture(params=["sync", "async"])
def client(request: pytest.FixtureRequest) -> TestClient:
    app = websocket_app.sync_app if request.param == "sync" else websocket_app.async_app
    return TestClient(app)


def test_echo_text_bytes_json(client: TestClient) -> None:
    with client.websocket_connect("/echo") as ws:
        ws.send_text("héllo")
        assert ws.receive_text() == "héllo"
        ws.send_bytes(b"\x00\xff")
        assert ws.receive_bytes() == b"\x00\xff"
        ws.send_json({"a": [1, 2]})
        assert ws.receive_json() == {"a": [1, 2]}
        ws.send_json({"b": 1}, mode="binary")
        assert ws.receive_bytes() == b'{"b":1}'


def test_subprotocol(client: TestClient) -> None:
    with client.websocket_connect("/subprotocol", subprotocols=["a", "b"]) as ws:
        assert ws.accepted_subprotocol == "b"
        assert ws.receive_text() == "b"


def test_two_connections_at_once(client: TestClient) -> None:
    with client.websocket_connect("/echo") as one, client.websocket_connect("/echo") as two:
        one.send_text("1")
        two.send_text("2")
        assert two.receive_text() == "2"
        assert one.receive_text() == "1"


def test_server_close_is_a_close_message_then_disconnect(client: TestClient) -> None:
    with client.websocket_connect("/bye") as ws:
        assert ws.receive() == {"type": "websocket.close", "code": 4001, "reason": "bye"}
    with client.websocket_connect("/bye") as ws, pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_text()
    assert (closed.value.code, closed.value.reason) == (4001, "bye")


def test_client_close_reaches_the_app(client: TestClient) -> None:
    websocket_app.last.clear()
    with client.websocket_connect("/echo") as ws:
        ws.send_text("x")
        assert ws.receive_text() == "x"
        ws.close(4100, "done")
    assert (websocket_app.last["code"], websocket_app.last["reason"]) == (4100, "done")


def test_refused_handshake_raises_the_apps_code(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/refuse"):
        pass
    assert (refused.value.code, refused.value.reason) == (4403, "no")


def test_starlette_agrees_on_refusal_and_close() -> None:
    async def refuse(ws: StarletteWebSocket) -> None:
        await ws.close(4403, "no")

    async def bye(ws: StarletteWebSocket) -> None:
        await ws.accept()
        await ws.close(4001, "bye")

    starlette = StarletteClient(Starlette(routes=[WebSocketRoute("/refuse", refuse), WebSocketRoute("/bye", bye)]))
    with pytest.raises(StarletteDisconnect) as refused, starlette.websocket_connect("/refuse"):
        pass
    assert (refused.value.code, refused.value.reason) == (4403, "no")
    with starlette.websocket_connect("/bye") as ws:
        assert ws.receive() == {"type": "websocket.close", "code": 4001, "reason": "bye"}


def test_url_scheme_and_headers_reach_the_app() -> None:
    from fastrapi.websockets import SyncWebSocket

    seen: dict[str, object] = {}

    def app(environ: dict, start_response):  # type: ignore[no-untyped-def, type-arg]
        ws = SyncWebSocket(environ, {})
        ws.accept()
        seen.update(url=str(ws.url), header=ws.headers.get("x-token"), query=ws.query_params.get("q"))
        ws.send_text("ok")
        return ws.finish(start_response)

    with TestClient(app).websocket_connect("/room?q=1", headers={"x-token": "t"}) as ws:
        assert ws.receive_text() == "ok"
    assert seen == {"url": "ws://testserver/room?q=1", "header": "t", "query": "1"}


_SEEN: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="unset")


@pytest.mark.parametrize("module", ["fastapi", "fastrapi"])
def test_the_endpoint_sees_the_test_s_context_variables(module: str) -> None:
    """As Starlette's TestClient: the app runs in a copy of the test's context."""
    framework = importlib.import_module(module)
    app = framework.FastAPI()

    async def endpoint(websocket: Any) -> None:
        await websocket.accept()
        await websocket.send_text(_SEEN.get())
        await websocket.close()

    endpoint.__annotations__ = {"websocket": framework.WebSocket}
    app.websocket("/ws")(endpoint)
    token = _SEEN.set("set by the test")
    try:
        client = importlib.import_module(f"{module}.testclient").TestClient(app)
        with client.websocket_connect("/ws") as websocket:
            assert websocket.receive_text() == "set by the test"
    finally:
        _SEEN.reset(token)
