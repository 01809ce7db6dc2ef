"""Middleware on fastrapi beyond what FastAPI can show: ``def`` dispatch, async dispatch awaiting real
asyncio work, background tasks through the stack, plain WSGI middleware, the stack built once,
streaming gzip, sessions across app instances, and the built-ins around a Flask app."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from typing import Any

import gevent
import pytest
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from fastrapi import BackgroundTasks, FastrAPI, Request
from fastrapi.middleware import Middleware
from fastrapi.middleware.base import awaits_only_call_next
from fastrapi.middleware.cors import CORSMiddleware
from fastrapi.middleware.gzip import GZipMiddleware
from fastrapi.middleware.httpsredirect import HTTPSRedirectMiddleware
from fastrapi.middleware.sessions import SessionMiddleware
from fastrapi.responses import PlainTextResponse, StreamingResponse
from fastrapi.testclient import TestClient


def test_a_def_dispatch_reads_and_replaces_the_response() -> None:
    app = FastrAPI()

    @app.middleware("http")
    def shout(request: Request, call_next):
        response = call_next(request)
        body = b"".join(response.body_iterator)
        return PlainTextResponse(body.decode().upper(), status_code=response.status_code,
                                 headers={"x-was": response.headers["content-type"]})

    @app.get("/")
    def root():
        return "hello"

    response = TestClient(app).get("/")
    assert (response.status_code, response.text, response.headers["x-was"]) == (200, '"HELLO"', "application/json")


def test_an_async_dispatch_may_await_asyncio_work() -> None:
    """Such a dispatch runs on the asyncio bridge; call_next still runs the app in the request greenlet."""
    app = FastrAPI()

    @app.middleware("http")
    async def slow(request: Request, call_next):
        await asyncio.sleep(0.01)
        response = await call_next(request)
        chunks = [chunk async for chunk in response.body_iterator]
        await asyncio.sleep(0)
        return PlainTextResponse(b"".join(chunks) + b"!", headers={"x-chunks": str(len(chunks))})

    @app.get("/stream")
    def stream():
        return StreamingResponse(iter(["a", "b", "c"]))

    @app.get("/async")
    async def async_endpoint():
        await asyncio.sleep(0)
        return "async"

    client = TestClient(app)
    for run in (lambda f: f(), lambda f: gevent.spawn(f).get()):  # a plain thread, then a gevent greenlet
        response = run(lambda: client.get("/stream"))
        assert (response.text, response.headers["x-chunks"]) == ("abc!", "3")
        assert run(lambda: client.get("/async")).text == '"async"!'


def test_which_dispatch_functions_run_inline() -> None:
    async def only_call_next(request, call_next):
        response = await call_next(request)
        body = b"".join([c async for c in response.body_iterator])
        await request.body()
        return response, body

    async def sleeps(request, call_next):
        await asyncio.sleep(0)
        return await call_next(request)

    async def uses_async_with(request, call_next):
        async with asyncio.timeout(1):
            return await call_next(request)

    async def inner_function_awaits(request, nxt):
        async def helper():
            await asyncio.sleep(0)

        return await nxt(request), helper

    assert awaits_only_call_next(only_call_next)
    assert awaits_only_call_next(inner_function_awaits)
    assert not awaits_only_call_next(sleeps)
    assert not awaits_only_call_next(uses_async_with)
    assert not awaits_only_call_next(lambda request, call_next: None)


@pytest.mark.parametrize("replace", [False, True])
def test_background_tasks_run_through_middleware(replace: bool) -> None:
    """The inner body's close() still runs (after the response), also when the middleware replaced it."""
    done: list[str] = []
    app = FastrAPI()

    @app.middleware("http")
    async def maybe_replace(request: Request, call_next):
        response = await call_next(request)
        return PlainTextResponse("replaced") if replace else response

    @app.get("/")
    def root(tasks: BackgroundTasks):
        tasks.add_task(done.append, "task")
        return "ok"

    response = TestClient(app).get("/")
    assert response.text == ("replaced" if replace else '"ok"')
    assert done == ["task"]


def test_plain_wsgi_middleware_and_the_stack_built_once() -> None:
    built: list[str] = []

    class Counting:
        def __init__(self, app: Any, label: str) -> None:
            built.append(label)
            self.app = app

        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            environ.setdefault("x.seen", []).append(self.app.__class__.__name__)
            return self.app(environ, start_response)

    app = FastrAPI(middleware=[Middleware(Counting, label="first")])
    app.add_middleware(ProxyFix, x_proto=1, x_host=1)
    app.add_middleware(Counting, label="outer")

    @app.get("/where")
    def where(request: Request):
        return str(request.url)

    client = TestClient(app)
    for _ in range(3):
        answer = client.get("/where", headers={"x-forwarded-proto": "https", "x-forwarded-host": "example.com"})
        assert answer.json() == "https://example.com/where"
    assert built == ["first", "outer"]
    with pytest.raises(RuntimeError, match="Cannot add middleware after an application has started"):
        app.add_middleware(GZipMiddleware)


def test_errors_in_middleware_become_500_and_handlers_still_apply() -> None:
    app = FastrAPI()

    @app.middleware("http")
    def broken(request: Request, call_next):
        if request.url.path == "/broken":
            raise ValueError("middleware bug")
        return call_next(request)

    @app.exception_handler(500)
    def on_500(request: Request, exc: Exception):
        return PlainTextResponse(f"handled {type(exc).__name__}", status_code=500)

    @app.get("/boom")
    def boom():
        raise KeyError("x")

    client = TestClient(app, raise_server_exceptions=False)
    assert (client.get("/broken").status_code, client.get("/broken").text) == (500, "handled ValueError")
    assert client.get("/boom").text == "handled KeyError"
    with pytest.raises(ValueError, match="middleware bug"):
        TestClient(app).get("/broken")


def test_gzip_streams_each_chunk_as_it_comes() -> None:
    """Every chunk is flushed: a client can decompress what it has so far (server-sent updates stay live)."""
    app = FastrAPI()
    app.add_middleware(GZipMiddleware, minimum_size=10)

    @app.get("/ticks")
    def ticks():
        return StreamingResponse((f"tick {i}\n" for i in range(5)), media_type="text/plain")

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/ticks", "SERVER_NAME": "x", "SERVER_PORT": "80",
               "wsgi.url_scheme": "http", "HTTP_ACCEPT_ENCODING": "gzip", "QUERY_STRING": ""}
    started: list[Any] = []
    body = app(environ, lambda status, headers, exc_info=None: started.append(dict(headers)))
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    seen = []
    for chunk in body:
        text = decompressor.decompress(chunk)
        if text:
            seen.append(text)
    body.close()  # type: ignore[attr-defined]
    assert started[0]["content-encoding"] == "gzip" and "content-length" not in started[0]
    assert seen == [f"tick {i}\n".encode() for i in range(5)]


def test_sessions_work_across_instances_with_the_same_key() -> None:
    """Another process (here: another app instance) with the same secret reads the session."""

    def make() -> FastrAPI:
        app = FastrAPI()
        app.add_middleware(SessionMiddleware, secret_key="shared", https_only=True, same_site="strict",
                           domain="example.com", max_age=None)

        @app.get("/login/{user}")
        def login(user: str, request: Request):
            request.session["user"] = user
            return "ok"

        @app.get("/me")
        def me(request: Request):
            return request.session.get("user")

        return app

    first = TestClient(make(), base_url="https://example.com")
    cookie_header = first.get("/login/ada").headers["set-cookie"]
    assert cookie_header.endswith("; path=/; httponly; samesite=strict; secure; domain=example.com")
    second = TestClient(make(), base_url="https://example.com")
    second.cookies.set("session", cookie_header.split(";")[0].split("=", 1)[1], domain="example.com")
    assert second.get("/me").json() == "ada"
    other = TestClient(FastrAPI(middleware=[Middleware(SessionMiddleware, secret_key="other")]))
    assert other.get("/").status_code == 404  # a foreign cookie is simply no session


def test_request_session_needs_the_middleware() -> None:
    app = FastrAPI()

    @app.get("/")
    def root(request: Request):
        return request.session

    with pytest.raises(AssertionError, match="SessionMiddleware must be installed"):
        TestClient(app).get("/")


def test_builtin_middleware_wrap_any_wsgi_app() -> None:
    flask_app = Flask(__name__)

    @flask_app.route("/")
    def index():
        return "x" * 1000

    wrapped = GZipMiddleware(CORSMiddleware(flask_app.wsgi_app, allow_origins=["https://a.example"]))
    client = TestClient(wrapped)
    response = client.get("/", headers={"origin": "https://a.example", "accept-encoding": "gzip"})
    assert response.text == "x" * 1000
    assert response.headers["access-control-allow-origin"] == "https://a.example"
    assert response.headers["content-encoding"] == "gzip"
    with client.stream("GET", "/", headers={"accept-encoding": "gzip"}) as raw:
        assert gzip.decompress(b"".join(raw.iter_raw())) == b"x" * 1000
    redirect = TestClient(HTTPSRedirectMiddleware(flask_app.wsgi_app), follow_redirects=False)
    assert redirect.get("/a?b=1").headers["location"] == "https://testserver/a?b=1"
    assert redirect.get("/", headers={"x-forwarded-proto": "https"}).text == "x" * 1000
