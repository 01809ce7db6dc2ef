"""FastAPI's "Async Tests" way of testing: ``httpx.AsyncClient(transport=httpx.ASGITransport(app=app))`` in
``@pytest.mark.anyio`` tests, on asyncio and trio. Where both frameworks answer alike, the same request goes
to the FastAPI app and to the fastrapi app and the answers are compared."""

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import anyio
import anyio.abc
import httpx
import pytest

pytest.importorskip("fastapi")
pytest.register_assert_rewrite("tests.differential")

import fastapi.responses  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from pydantic import BaseModel  # noqa: E402

import fastrapi.responses  # noqa: E402
from fastrapi import FastrAPI  # noqa: E402
from fastrapi.asgi_guard import is_asgi_app  # noqa: E402
from fastrapi.middleware.gzip import GZipMiddleware  # noqa: E402
from fastrapi.testclient import TestClient  # noqa: E402
from tests.differential import FASTAPI, FASTRAPI, normalized_headers  # noqa: E402

pytestmark = pytest.mark.anyio

Factory = Callable[[SimpleNamespace], Any]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def responses(fw: SimpleNamespace) -> Any:
    return fastapi.responses if fw is FASTAPI else fastrapi.responses


def client(app: Any, **transport: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, **transport), base_url="http://test")


async def on_both(factory: Factory, method: str, url: str, transport: dict[str, Any] | None = None,
                  **kwargs: Any) -> httpx.Response:
    """Send the request through ASGITransport to both apps; assert the same status, headers and body."""
    answers = []
    for fw in (FASTAPI, FASTRAPI):
        async with client(factory(fw), **(transport or {})) as ac:
            answers.append(await ac.request(method, url, **kwargs))
    expected, actual = answers
    assert (actual.status_code, actual.content) == (expected.status_code, expected.content)
    assert normalized_headers(actual) == normalized_headers(expected)
    return expected


# The docs page's example: an async endpoint, and a test that awaits the client.

def greeting_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/")
    async def root():
        return {"message": "Hello from an async test"}

    return app


async def test_the_docs_page_example() -> None:
    app = greeting_app(FASTRAPI)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as ac:
        response = await ac.get("/")
    assert response.status_code == 200
    assert response.json() == {"message": "Hello from an async test"}
    await on_both(greeting_app, "GET", "/")


class Item(BaseModel):
    name: str
    price: float


def items_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.post("/items/{item_id}")
    def create(item_id: int, item: Item, x_token: Annotated[str, fw.Header()], q: str | None = None):
        if x_token != "secret":
            raise fw.HTTPException(status_code=400, detail="Bad token")
        return {"item_id": item_id, "item": item, "q": q, "token": x_token}

    @app.get("/names/{name}")
    def name(name: str, x_tag: Annotated[list[str], fw.Header()], q: str = ""):
        return {"name": name, "tags": x_tag, "q": q}

    @app.get("/items/{item_id}")
    async def read(item_id: int):
        if item_id != 1:
            raise fw.HTTPException(status_code=404, detail="Item not found", headers={"X-Error": "missing"})
        return {"item_id": item_id}

    return app


async def test_post_with_a_json_body_query_and_headers() -> None:
    response = await on_both(items_app, "POST", "/items/5?q=cheap", json={"name": "Foo", "price": 1.5},
                             headers={"X-Token": "secret"})
    assert response.json() == {"item_id": 5, "item": {"name": "Foo", "price": 1.5}, "q": "cheap", "token": "secret"}
    assert (await on_both(items_app, "POST", "/items/5", json={"name": "Foo", "price": 1.5},
                          headers={"X-Token": "wrong"})).status_code == 400


async def test_a_non_ascii_path_and_query_and_a_repeated_header() -> None:
    response = await on_both(items_app, "GET", "/names/café?q=thé", headers=[("X-Tag", "a"), ("X-Tag", "b")])
    assert response.json() == {"name": "café", "tags": ["a", "b"], "q": "thé"}


async def test_http_exceptions_404_and_422() -> None:
    assert (await on_both(items_app, "GET", "/items/2")).headers["x-error"] == "missing"
    assert (await on_both(items_app, "GET", "/items/one")).status_code == 422
    assert (await on_both(items_app, "POST", "/items/5", json={"name": "Foo"},
                          headers={"X-Token": "secret"})).status_code == 422
    assert (await on_both(items_app, "GET", "/nowhere")).status_code == 404


def stream_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/stream")
    def stream():
        def numbers():
            for n in range(3):
                yield f"line {n}\n".encode()

        return responses(fw).StreamingResponse(numbers(), media_type="text/plain")

    return app


class Exchange:
    """One ASGI call by hand: the request body in messages, what the app sent kept in ``sent``. After the body,
    ``receive`` waits until the response is complete, as a server (and ASGITransport) does."""

    def __init__(self, body: list[bytes] | None = None) -> None:
        self.incoming = [{"type": "http.request", "body": chunk, "more_body": True} for chunk in body or []]
        self.incoming.append({"type": "http.request", "body": b"", "more_body": False})
        self.sent: list[dict[str, Any]] = []
        self.complete = anyio.Event()

    async def receive(self) -> dict[str, Any]:
        if self.incoming:
            return self.incoming.pop(0)
        await self.complete.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(dict(message))
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            self.complete.set()


def http_scope(method: str, path: str, headers: list[tuple[bytes, bytes]] | None = None,
               **extra: Any) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"test"), *(headers or [])], "client": ("127.0.0.1", 123), "server": ("test", 80),
        **extra,
    }


async def test_a_streamed_response_is_one_body_message_per_chunk() -> None:
    response = await on_both(stream_app, "GET", "/stream")
    assert response.text == "line 0\nline 1\nline 2\n"
    bodies = []
    for fw in (FASTAPI, FASTRAPI):
        exchange = Exchange()
        await stream_app(fw)(http_scope("GET", "/stream"), exchange.receive, exchange.send)
        assert exchange.sent[0]["type"] == "http.response.start" and exchange.sent[0]["status"] == 200
        bodies.append([(m["body"], m.get("more_body", False)) for m in exchange.sent[1:]])
    assert bodies[1] == bodies[0] == [(b"line 0\n", True), (b"line 1\n", True), (b"line 2\n", True), (b"", False)]


async def test_a_body_sent_in_several_messages_is_read_whole() -> None:
    for fw in (FASTAPI, FASTRAPI):
        exchange = Exchange([b'{"name": "Foo", ', b'"price": 2}'])
        scope = http_scope("POST", "/items/1", [(b"content-type", b"application/json"), (b"x-token", b"secret")])
        await items_app(fw)(scope, exchange.receive, exchange.send)
        assert exchange.sent[0]["status"] == 200, fw.name
        assert exchange.sent[1]["body"].startswith(b'{"item_id":1,"item":{"name":"Foo","price":2.0}')


def limited_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(max_body_size=5)

    @app.post("/upload")
    def upload(data: Annotated[bytes, fw.Body(media_type="application/octet-stream")]):
        return {"size": len(data)}

    return app


@pytest.mark.parametrize("content_length", [None, b"2", b"6", b"invalid"])
async def test_the_body_limit_counts_the_bytes_received(content_length: bytes | None) -> None:
    """The messages frame the body, whatever Content-Length says (httpx sends what it is given)."""
    headers = [(b"content-type", b"application/octet-stream")]
    if content_length is not None:
        headers.append((b"content-length", content_length))
    for fw in (FASTAPI, FASTRAPI):
        exchange = Exchange([b"123", b"456"])
        await limited_app(fw)(http_scope("POST", "/upload", headers), exchange.receive, exchange.send)
        assert exchange.sent[0]["status"] == 413, fw.name
        exchange = Exchange([b"12", b"34"])
        await limited_app(fw)(http_scope("POST", "/upload", headers[:1]), exchange.receive, exchange.send)
        assert (exchange.sent[0]["status"], exchange.sent[1]["body"]) == (200, b'{"size":4}'), fw.name


def tasks_app(fw: SimpleNamespace, log: list[Any], exchange: Exchange | None = None) -> Any:
    app = fw.FastAPI()

    def record(email: str) -> None:
        # The response was complete before the task ran (when the test watches the messages).
        log.append((email, exchange is None or exchange.complete.is_set()))

    @app.post("/notify")
    def notify(email: str, background_tasks: fw.BackgroundTasks):
        background_tasks.add_task(record, email)
        return {"message": "queued"}

    return app


async def test_background_tasks_ran_after_the_response_before_the_call_returns() -> None:
    for fw in (FASTAPI, FASTRAPI):
        log: list[Any] = []
        async with client(tasks_app(fw, log)) as ac:
            response = await ac.post("/notify", params={"email": "ada@example.com"})
        assert response.json() == {"message": "queued"}
        assert log == [("ada@example.com", True)], fw.name
        exchange = Exchange()
        scope = http_scope("POST", "/notify", query_string=b"email=bob@example.com")
        await tasks_app(fw, log, exchange)(scope, exchange.receive, exchange.send)
        assert log[-1] == ("bob@example.com", True), fw.name


def failing_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/fail")
    def fail():
        raise ValueError("the endpoint failed")

    return app


async def test_a_server_error_is_raised_in_the_test() -> None:
    for fw in (FASTAPI, FASTRAPI):
        async with client(failing_app(fw)) as ac:
            with pytest.raises(ValueError, match="the endpoint failed"):
                await ac.get("/fail")
        # httpx's raise_app_exceptions=False gives a 500 instead (see differences.md for its body).
        async with client(failing_app(fw), raise_app_exceptions=False) as ac:
            assert (await ac.get("/fail")).status_code == 500


def waiting_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/slow")
    async def slow():
        await anyio.sleep(2)
        return {"slow": True}

    @app.get("/ask/{port}")
    def ask(port: int):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(b"ping\n")
            return {"answer": connection.makefile("rb").readline().decode().strip()}

    return app


@pytest.mark.parametrize("fw", [FASTAPI, FASTRAPI], ids=lambda fw: fw.name)
async def test_a_timeout_in_the_test_ends_a_slow_request(fw: SimpleNamespace) -> None:
    started = time.monotonic()
    async with client(waiting_app(fw)) as ac:
        with anyio.move_on_after(0.2) as timeout:
            await ac.get("/slow")
    assert timeout.cancelled_caught
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("fw", [FASTAPI, FASTRAPI], ids=lambda fw: fw.name)
async def test_the_tests_event_loop_runs_while_the_app_answers(fw: SimpleNamespace) -> None:
    """The endpoint calls a server that the test runs on its own loop (a stand-in for a service)."""

    async def pong(stream: Any) -> None:
        async with stream:
            await stream.receive()
            await stream.send(b"pong\n")

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, pong)
        async with client(waiting_app(fw)) as ac:
            assert (await ac.get(f"/ask/{port}")).json() == {"answer": "pong"}
        group.cancel_scope.cancel()


def root_path_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/items/{item_id}", name="item")
    def item(item_id: int, request: fw.Request):
        return {"root_path": request.scope["root_path"], "path": request.scope["path"], "url": str(request.url),
                "url_for": str(request.url_for("item", item_id=item_id))}

    return app


async def test_root_path() -> None:
    with_prefix = await on_both(root_path_app, "GET", "/api/items/3", transport={"root_path": "/api"})
    assert with_prefix.json() == {"root_path": "/api", "path": "/api/items/3", "url": "http://test/api/items/3",
                                  "url_for": "http://test/api/items/3"}
    without = await on_both(root_path_app, "GET", "/items/3", transport={"root_path": "/api"})
    assert without.json()["url_for"] == "http://test/api/items/3"


def cookies_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/visit")
    def visit(response: fw.Response, session: Annotated[str | None, fw.Cookie()] = None,
              theme: Annotated[str | None, fw.Cookie()] = None):
        response.set_cookie("visited", "yes", httponly=True)
        return {"session": session, "theme": theme}

    return app


async def test_cookies_both_ways() -> None:
    response = await on_both(cookies_app, "GET", "/visit", headers={"Cookie": "session=abc; theme=dark"})
    assert response.json() == {"session": "abc", "theme": "dark"}
    for fw in (FASTAPI, FASTRAPI):
        transport = httpx.ASGITransport(app=cookies_app(fw))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", cookies={"session": "xyz"}) as ac:
            assert (await ac.get("/visit")).json() == {"session": "xyz", "theme": None}
            assert ac.cookies["visited"] == "yes", fw.name
            ac.cookies.set("theme", "light")
            assert (await ac.get("/visit")).json() == {"session": "xyz", "theme": "light"}


async def test_a_mounted_fastrapi_app_answers_through_the_outer_one() -> None:
    for fw in (FASTAPI, FASTRAPI):
        outer = fw.FastAPI()
        outer.mount("/v1", items_app(fw))
        async with client(outer) as ac:
            assert (await ac.get("/v1/items/1")).json() == {"item_id": 1}, fw.name


# Lifespan: asgi-lifespan's LifespanManager sends startup and shutdown, and passes the lifespan's state on.

def lifespan_app(fw: SimpleNamespace, events: list[str], fail: bool = False) -> Any:
    @asynccontextmanager
    async def lifespan(app: Any):
        if fail:
            raise RuntimeError("the database is down")
        events.append("startup")
        yield {"greeting": "hello"}
        events.append("shutdown")

    app = fw.FastAPI(lifespan=lifespan)

    @app.get("/greeting")
    def greeting(request: fw.Request):
        return {"greeting": request.state.greeting}

    return app


@pytest.mark.parametrize("fw", [FASTAPI, FASTRAPI], ids=lambda fw: fw.name)
async def test_lifespan_manager_runs_startup_and_shutdown(fw: SimpleNamespace) -> None:
    events: list[str] = []
    async with LifespanManager(lifespan_app(fw, events)) as manager:
        assert events == ["startup"]
        async with client(manager.app) as ac:
            assert (await ac.get("/greeting")).json() == {"greeting": "hello"}
    assert events == ["startup", "shutdown"]


@pytest.mark.parametrize("fw", [FASTAPI, FASTRAPI], ids=lambda fw: fw.name)
async def test_a_failed_startup_is_raised(fw: SimpleNamespace) -> None:
    with pytest.raises(BaseException) as caught:  # in an ExceptionGroup on trio, on both frameworks
        async with LifespanManager(lifespan_app(fw, [], fail=True)):
            pass
    errors = getattr(caught.value, "exceptions", None) or [caught.value]
    assert [str(error) for error in errors] == ["the database is down"]


async def test_a_failed_startup_message_names_the_error() -> None:
    app = lifespan_app(FASTRAPI, [], fail=True)
    exchange: list[dict[str, Any]] = []
    incoming = [{"type": "lifespan.startup"}]

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        exchange.append(message)

    with pytest.raises(RuntimeError, match="the database is down"):
        await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    assert exchange == [{"type": "lifespan.startup.failed", "message": "RuntimeError: the database is down"}]


async def test_websockets_are_refused_naming_the_testclient() -> None:
    app = FastrAPI()
    exchange = Exchange()
    scope = {**http_scope("GET", "/ws"), "type": "websocket", "scheme": "ws", "subprotocols": []}
    with pytest.raises(RuntimeError, match=r"TestClient\(app\)\.websocket_connect"):
        await app(scope, exchange.receive, exchange.send)
    assert exchange.sent == []


# An ASGI server: uvicorn calls a non-`async` __call__ ASGI 2 style, app(scope) then instance(receive, send).

async def test_an_asgi2_caller_is_refused_at_startup_and_per_request() -> None:
    app = greeting_app(FASTRAPI)
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def startup() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    await app({"type": "lifespan", "asgi": {"version": "2.0", "spec_version": "2.0"}})(startup, send)
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "cannot be served by an ASGI server" in sent[0]["message"]
    assert "fastrapi run" in sent[0]["message"]
    with pytest.raises(RuntimeError, match="cannot be served by an ASGI server"):
        await app(http_scope("GET", "/"))(Exchange().receive, send)
    assert len(sent) == 1


async def test_a_server_lifespan_called_asgi3_style_is_refused() -> None:
    """``uvicorn --interface asgi3``: the lifespan scope states its spec version; asgi-lifespan's does not."""
    app = greeting_app(FASTRAPI)
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def startup() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    await app({"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}, startup, send)
    assert [message["type"] for message in sent] == ["lifespan.startup.failed"]


def test_uvicorn_exits_at_startup_saying_why(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    (tmp_path / "main.py").write_text("from fastrapi import FastrAPI\n\napp = FastrAPI()\n")
    result = subprocess.run([sys.executable, "-m", "uvicorn", "--app-dir", str(tmp_path), "--port", "0", "main:app"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "cannot be served by an ASGI server" in result.stderr
    assert "Application startup failed" in result.stderr


# asgi_guard refuses ASGI apps where WSGI apps are mounted: a FastrAPI, with its ASGI face, is still WSGI.

def test_a_fastrapi_app_is_still_mountable_and_wrappable() -> None:
    inner = items_app(FASTRAPI)
    assert not is_asgi_app(inner)
    outer = FastrAPI()
    outer.mount("/plain", inner)
    outer.mount("/gzipped", GZipMiddleware(items_app(FASTRAPI), minimum_size=1))
    outer.add_middleware(GZipMiddleware, minimum_size=1)
    client = TestClient(outer)
    assert client.get("/plain/items/1").json() == {"item_id": 1}
    gzipped = client.get("/gzipped/items/1", headers={"Accept-Encoding": "gzip"})
    assert (gzipped.json(), gzipped.headers["content-encoding"]) == ({"item_id": 1}, "gzip")
