"""``@app.websocket`` routes: the same app on FastAPI and on fastrapi answers the same (TestClient), and
fastrapi's build works over real sockets on every server with the ``websockets`` client library."""

from __future__ import annotations

import importlib
import json
import logging
import os
from collections.abc import Iterator
from typing import Annotated, Any

import fastapi
import fastapi.middleware.cors
import fastapi.middleware.gzip
import fastapi.security
import fastapi.testclient
import pytest
import starlette.testclient
from fastapi.testclient import TestClient as FastAPIClient
from starlette.websockets import WebSocketDisconnect as StarletteDisconnect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

import fastrapi
import fastrapi.middleware.cors
import fastrapi.middleware.gzip
import fastrapi.security
import fastrapi.testclient
from fastrapi.testclient import TestClient
from fastrapi.websockets import WebSocketDisconnect
from tests.apps import websocket_routes_app
from tests.servers import GEVENT, GEVENT_PYWSGI, SERVE, WORKER, run_server, wait_until

DISCONNECTS = (WebSocketDisconnect, StarletteDisconnect)


@pytest.fixture(params=["fastapi", "fastrapi"])
def client(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "fastapi":
        with FastAPIClient(websocket_routes_app.build(fastapi)) as test_client:
            yield test_client
    else:
        with TestClient(websocket_routes_app.build(fastrapi)) as test_client:
            yield test_client


def test_echo_text_and_json(client: Any) -> None:
    with client.websocket_connect("/echo") as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "echo: hi"
        ws.send_text('{"a": 1}')
        assert ws.receive_json() == {"json": '{"a": 1}'}


def test_path_query_header_cookie_and_dependency(client: Any) -> None:
    with client.websocket_connect("/items/7?q=3&token=tok", headers={"x-client": "probe"}) as ws:
        assert ws.receive_json() == {"item_id": 7, "q": 3, "who": "tok", "x_client": "probe",
                                     "path": "/items/7", "scheme": "ws"}
    client.cookies.set("session", "cookie-session")
    with client.websocket_connect("/items/8") as ws:
        assert ws.receive_json()["who"] == "cookie-session"


def test_a_dependency_that_refuses_closes_with_its_code(client: Any) -> None:
    with pytest.raises(DISCONNECTS) as refused, client.websocket_connect("/items/7"):
        pass
    assert (refused.value.code, refused.value.reason) == (1008, "no token")


def test_an_invalid_parameter_closes_with_1008_and_names_it(client: Any) -> None:
    with pytest.raises(DISCONNECTS) as refused, client.websocket_connect("/items/abc?token=t"):
        pass
    assert refused.value.code == 1008
    reason = refused.value.reason
    errors = json.loads(reason) if isinstance(reason, str) else reason
    assert errors[0]["loc"] == ["path", "item_id"] and errors[0]["type"] == "int_parsing"


def test_no_websocket_route_and_http_on_a_websocket_path(client: Any) -> None:
    with pytest.raises(DISCONNECTS), client.websocket_connect("/nowhere"):
        pass
    response = client.get("/echo")
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_router_prefix_and_dependencies(client: Any) -> None:
    with client.websocket_connect("/inc/r/hello?token=t") as ws:
        assert ws.receive_text() == "hello from the router"
    with pytest.raises(DISCONNECTS) as refused, client.websocket_connect("/inc/r/hello"):
        pass
    assert refused.value.code == 1008


def test_yield_dependency_exits_after_the_socket_closes(client: Any) -> None:
    websocket_routes_app.events.clear()
    with client.websocket_connect("/cleanup") as ws:
        assert ws.receive_text() == "resource"
        with pytest.raises(DISCONNECTS):
            ws.receive_text()
    wait_until(lambda: websocket_routes_app.events == ["opened", "closed"], timeout=5)


def test_an_endpoint_error_reaches_the_test(client: Any) -> None:
    with pytest.raises(RuntimeError, match="boom"), client.websocket_connect("/boom") as ws:
        ws.receive_text()


def test_a_burst_of_sends_arrives_whole_and_in_order_before_the_close(client: Any) -> None:
    with client.websocket_connect("/burst?count=300") as ws:
        assert [ws.receive_text() for _ in range(300)] == [str(n) for n in range(300)]
        with pytest.raises(DISCONNECTS) as closed:
            ws.receive_text()
    assert closed.value.code == 1000


def test_chat_room_with_two_connections(client: Any) -> None:
    with client.websocket_connect("/chat/ada") as ada, client.websocket_connect("/chat/bob") as bob:
        ada.send_text("hello")
        assert ada.receive_text() == "ada: hello"
        assert bob.receive_text() == "ada: hello"
        assert client.get("/rooms").json() == ["ada", "bob"]
        bob.close()
        assert ada.receive_text() == "bob left"


def test_def_endpoint_and_dependency_overrides() -> None:
    app = websocket_routes_app.build(fastrapi)
    with TestClient(app) as test_client:
        with test_client.websocket_connect("/echo-def") as ws:
            ws.send_text("sync")
            assert ws.receive_text() == "echo: sync"
        items = next(route for route in app.routes if route.path == "/items/{item_id}")
        app.dependency_overrides[items.plan.dependencies[0].call] = lambda: "overridden"
        with test_client.websocket_connect("/items/1") as ws:
            assert ws.receive_json()["who"] == "overridden"


# -- real sockets -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=[SERVE, WORKER, GEVENT, GEVENT_PYWSGI],
                ids=lambda kind: kind.rsplit(".", 1)[-1])
def base_url(request: pytest.FixtureRequest) -> Iterator[str]:
    with run_server(request.param, "tests.apps.websocket_routes_app:served",
                    env={"PYTHONPATH": os.getcwd()}) as live:
        yield f"ws://127.0.0.1:{live.port}"


def test_chat_over_real_sockets(base_url: str) -> None:
    with connect(f"{base_url}/chat/ada") as ada, connect(f"{base_url}/chat/bob") as bob:
        ada.send("hi all")
        assert ada.recv(timeout=5) == "ada: hi all"
        assert bob.recv(timeout=5) == "ada: hi all"
        bob.close()
        assert ada.recv(timeout=5) == "bob left"


def test_a_burst_over_real_sockets(base_url: str) -> None:
    with connect(f"{base_url}/burst?count=2000&close=false") as ws:  # the return closes, after the 2,000
        assert [ws.recv(timeout=5) for _ in range(2000)] == [str(n) for n in range(2000)]
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000


def test_parameters_and_refusals_over_real_sockets(base_url: str) -> None:
    with connect(f"{base_url}/items/5?token=t&q=2", additional_headers={"X-Client": "real"}) as ws:
        assert json.loads(ws.recv(timeout=5))["x_client"] == "real"
    with connect(f"{base_url}/echo-def") as ws:
        ws.send("x")
        assert ws.recv(timeout=5) == "echo: x"
    # Closed before accepting: the handshake is refused with 403, as uvicorn does.
    for path in ("/items/5", "/items/nope?token=t", "/nowhere"):
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{base_url}{path}").close()
        assert refused.value.response.status_code == 403, path
    # A security dependency's HTTPException before accepting: its HTTP answer (FastAPI's denial response).
    with pytest.raises(InvalidStatus) as denied:
        connect(f"{base_url}/secured").close()
    assert denied.value.response.status_code == 401
    assert denied.value.response.headers["www-authenticate"] == "Bearer"
    assert json.loads(denied.value.response.body) == {"detail": "Not authenticated"}
    with connect(f"{base_url}/secured", additional_headers={"Authorization": "Bearer abc"}) as ws:
        assert ws.recv(timeout=5) == "token abc"
    with connect(f"{base_url}/boom") as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011


@pytest.mark.parametrize("framework", [fastapi, fastrapi], ids=["fastapi", "fastrapi"])
def test_http_middleware_lets_websockets_through(framework: Any) -> None:
    app = websocket_routes_app.build(framework)

    @app.middleware("http")
    async def tag(request: Any, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["x-tag"] = "1"
        return response

    app.add_middleware(framework.middleware.gzip.GZipMiddleware)
    app.add_middleware(framework.middleware.cors.CORSMiddleware, allow_origins=["*"])
    client_class = FastAPIClient if framework is fastapi else TestClient
    with client_class(app) as test_client:
        with test_client.websocket_connect("/echo") as ws:
            ws.send_text("through")
            assert ws.receive_text() == "echo: through"
        assert test_client.get("/rooms").headers["x-tag"] == "1"


def test_mounted_in_flask_on_werkzeugs_server() -> None:
    import threading

    from flask import Flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.serving import make_server

    flask_app = Flask(__name__)
    stack = DispatcherMiddleware(flask_app, {"/api": websocket_routes_app.build(fastrapi)})
    server = make_server("127.0.0.1", 0, stack, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with connect(f"ws://127.0.0.1:{server.server_port}/api/items/3?token=w") as ws:
            data = json.loads(ws.recv(timeout=5))
        assert (data["item_id"], data["who"], data["path"]) == (3, "w", "/api/items/3")
        with connect(f"ws://127.0.0.1:{server.server_port}/api/echo") as ws:
            ws.send("flask")
            assert ws.recv(timeout=5) == "echo: flask"
    finally:
        server.shutdown()
        thread.join(5)


def test_app_settings_limit_every_connection() -> None:
    app = fastrapi.FastAPI(websocket_max_size=1024)

    @app.websocket("/echo")
    def echo(websocket: fastrapi.WebSocket) -> None:
        websocket.accept()  # type: ignore[unused-coroutine]
        for message in websocket.iter_text():  # type: ignore[attr-defined]
            websocket.send_text(message)  # type: ignore[unused-coroutine]

    with TestClient(app) as test_client, test_client.websocket_connect("/echo") as ws:
        ws.send_text("x" * 1000)
        assert ws.receive_text() == "x" * 1000
        ws.send_text("x" * 2000)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 1009


def test_the_websockets_page_runs() -> None:
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "websockets.md").read_text()
    first, second, testing = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    namespace: dict[str, Any] = {"__name__": "docs_websockets"}
    exec(first, namespace)
    exec(second, namespace)  # the def endpoint, on the same app
    exec(testing, namespace)  # its own asserts: "t on item 3: hi"
    with TestClient(namespace["app"]) as test_client:
        with test_client.websocket_connect("/echo") as ws:
            ws.send_text("def")
            assert ws.receive_text() == "def"
        with pytest.raises(WebSocketDisconnect) as refused, test_client.websocket_connect("/items/3/ws"):
            pass
        assert (refused.value.code, refused.value.reason) == (1008, "no token")


@pytest.fixture(scope="module", params=[SERVE, WORKER], ids=lambda kind: kind.rsplit(".", 1)[-1])
def pinging_port(request: pytest.FixtureRequest) -> Iterator[int]:
    with run_server(request.param, "tests.apps.websocket_routes_app:pinging",
                    env={"PYTHONPATH": os.getcwd()}) as live:
        yield live.port


def _raw_client(port: int, path: str) -> tuple[Any, Any]:
    """A socket that did the handshake with wsproto and answers nothing by itself."""
    import socket

    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, Request

    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    client = WSConnection(ConnectionType.CLIENT)
    sock.sendall(client.send(Request(host="127.0.0.1", target=path)))
    while True:
        client.receive_data(sock.recv(65536))
        if any(isinstance(event, AcceptConnection) for event in client.events()):
            return sock, client


def _next_events(sock: Any, client: Any) -> list[Any]:
    data = sock.recv(65536)
    client.receive_data(data or None)
    return list(client.events())


def test_pings_keep_an_answering_client_and_drop_a_silent_one(pinging_port: int) -> None:
    from wsproto.events import CloseConnection, Ping

    sock, client = _raw_client(pinging_port, "/echo")
    try:
        for _ in range(3):  # three pings in a row, each answered: the connection stays
            events = [event for event in _next_events(sock, client) if isinstance(event, Ping)]
            while not events:
                events = [event for event in _next_events(sock, client) if isinstance(event, Ping)]
            assert events[0].payload == b"fastrapi"
            sock.sendall(client.send(events[0].response()))
        # Now silent: within the ping timeout the server gives up on us and the socket ends.
        sock.settimeout(5)
        ended = False
        while not ended:
            data = sock.recv(65536)
            if not data:
                ended = True
                break
            client.receive_data(data)
            ended = any(isinstance(event, CloseConnection) for event in client.events())
        assert ended
    finally:
        sock.close()


def _uncaught_disconnect_app(module: Any, ended: list[str]) -> Any:
    app = module.FastAPI()

    async def endpoint(websocket: Any) -> None:
        await websocket.accept()
        try:
            await websocket.receive_text()  # the client closes: WebSocketDisconnect, not caught here
        finally:
            ended.append("ended")

    endpoint.__annotations__ = {"websocket": module.WebSocket, "return": None}  # this module's annotations are str
    app.websocket("/ws")(endpoint)
    return app


@pytest.mark.parametrize("module", [fastapi, fastrapi], ids=["fastapi", "fastrapi"])
def test_an_uncaught_disconnect_is_raised_when_the_test_leaves_the_session(module: Any) -> None:
    """As Starlette's TestClient: FastAPI's WebSocket tutorial tests wrap the session in
    ``pytest.raises(WebSocketDisconnect)``."""
    ended: list[str] = []
    with module.testclient.TestClient(_uncaught_disconnect_app(module, ended)) as test_client, \
            pytest.raises(DISCONNECTS) as left, test_client.websocket_connect("/ws"):
        pass
    assert left.value.code == 1000
    assert ended == ["ended"]


def test_an_uncaught_disconnect_ends_the_endpoint_quietly_on_a_server(caplog: pytest.LogCaptureFixture) -> None:
    """On a server the client has left: nothing is raised or logged (a TestClient that does not raise server
    exceptions answers the same way)."""
    ended: list[str] = []
    with TestClient(_uncaught_disconnect_app(fastrapi, ended), raise_server_exceptions=False) as test_client:
        with test_client.websocket_connect("/ws"):
            pass
        wait_until(lambda: ended == ["ended"], timeout=5)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _secured_route_app(module: Any) -> Any:
    app = module.FastAPI()
    bearer = module.security.OAuth2PasswordBearer(tokenUrl="token")

    async def endpoint(websocket: Any, token: Any) -> None:
        await websocket.accept()
        await websocket.send_text(f"token {token}")
        await websocket.close()

    endpoint.__annotations__ = {"websocket": module.WebSocket, "token": Annotated[str, module.Depends(bearer)],
                                "return": None}
    app.websocket("/secured")(endpoint)
    return app


@pytest.mark.parametrize("module", [fastapi, fastrapi], ids=["fastapi", "fastrapi"])
def test_a_security_dependency_denies_the_handshake_with_its_http_answer(module: Any) -> None:
    """An HTTPException before accept() (OAuth2PasswordBearer without a token) answers the handshake with the
    app's HTTP response, as FastAPI's denial response: 401, its JSON and WWW-Authenticate."""
    with module.testclient.TestClient(_secured_route_app(module)) as test_client:
        # Starlette's class, as tests written for FastAPI import it, catches fastrapi's denial too.
        with pytest.raises(starlette.testclient.WebSocketDenialResponse) as denied, \
                test_client.websocket_connect("/secured"):
            pass
        with test_client.websocket_connect("/secured", headers={"Authorization": "Bearer abc"}) as ws:
            assert ws.receive_text() == "token abc"
    if module is fastrapi:
        assert isinstance(denied.value, fastrapi.testclient.WebSocketDenialResponse)
    assert denied.value.status_code == 401
    assert denied.value.json() == {"detail": "Not authenticated"}
    assert denied.value.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("module", [fastapi, fastrapi], ids=["fastapi", "fastrapi"])
def test_a_handshake_no_route_takes_closes_with_1000_under_test_client(module: Any) -> None:
    """(A real server answers it 403, as uvicorn: test_parameters_and_refusals_over_real_sockets.)"""
    with module.testclient.TestClient(websocket_routes_app.build(module)) as test_client, \
            pytest.raises(DISCONNECTS) as closed, test_client.websocket_connect("/nowhere"):
        pass
    assert type(closed.value).__name__ == "WebSocketDisconnect" and closed.value.code == 1000


class _Custom(Exception):
    pass


def _handled_app(module: Any) -> Any:
    async def on_custom(websocket: Any, exc: _Custom) -> None:
        await websocket.close(1002, f"handled {exc}")

    async def on_invalid(websocket: Any, exc: Any) -> None:
        await websocket.close(4001, "bad parameters")

    exceptions = importlib.import_module(f"{module.__name__}.exceptions")
    app = module.FastAPI(exception_handlers={_Custom: on_custom,
                                             exceptions.WebSocketRequestValidationError: on_invalid})

    async def custom(websocket: Any) -> None:
        raise _Custom("boom")

    async def typed(websocket: Any, n: int) -> None:
        await websocket.accept()

    custom.__annotations__ = {"websocket": module.WebSocket}
    typed.__annotations__ = {"websocket": module.WebSocket, "n": int}
    app.websocket("/custom")(custom)
    app.websocket("/typed")(typed)
    return app


@pytest.mark.parametrize("module", [fastapi, fastrapi], ids=["fastapi", "fastrapi"])
@pytest.mark.parametrize(("path", "code", "reason"), [("/custom", 1002, "handled boom"),
                                                      ("/typed?n=x", 4001, "bad parameters")])
def test_the_app_s_exception_handlers_answer_websocket_errors(module: Any, path: str, code: int,
                                                              reason: str) -> None:
    with module.testclient.TestClient(_handled_app(module)) as test_client, \
            pytest.raises(DISCONNECTS) as closed, test_client.websocket_connect(path):
        pass
    assert (closed.value.code, closed.value.reason) == (code, reason)
