"""Custom ``Request`` and ``APIRoute`` classes, against FastAPI ("Custom Request and APIRoute class"): a route
class whose ``get_route_handler()`` wraps the handler to swap in a gzip-decoding ``Request`` (whose ``body()``
the parameters are then read from), to read the body after a validation error, and to time each request.
"""

import gzip
import json
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Annotated, Any

import fastapi
import fastapi.routing
import pytest
from gevent.pywsgi import WSGIServer

import fastrapi
import fastrapi.responses
import fastrapi.routing
from fastrapi.routing.endpoint import call_endpoint
from fastrapi.server import Server
from fastrapi.testclient import TestClient
from tests.differential import FASTAPI, FASTRAPI, check, exchange
from tests.wire import Client, serving


def _classes(fw: SimpleNamespace) -> tuple[Any, Any]:
    return (fastapi.Request, fastapi.routing.APIRoute) if fw.name == "fastapi" else (
        fastrapi.Request, fastrapi.routing.APIRoute)


def gzip_app(fw: SimpleNamespace) -> Any:
    request_class, route_class = _classes(fw)

    class GzipRequest(request_class):  # type: ignore[misc,valid-type]
        async def body(self) -> bytes:
            if not hasattr(self, "_body"):
                body = await super().body()
                if "gzip" in self.headers.getlist("Content-Encoding"):
                    body = gzip.decompress(body)
                self._body = body
            return self._body  # type: ignore[no-any-return]

    class GzipRoute(route_class):  # type: ignore[misc,valid-type]
        def get_route_handler(self) -> Callable[..., Any]:
            original_route_handler = super().get_route_handler()

            async def custom_route_handler(request: Any) -> Any:
                request = GzipRequest(request.scope, request.receive)
                return await original_route_handler(request)

            return custom_route_handler

    app = fw.FastAPI()
    app.router.route_class = GzipRoute

    @app.post("/sum")
    async def sum_numbers(numbers: Annotated[list[int], fw.Body()]) -> dict[str, int]:
        return {"sum": sum(numbers)}

    @app.post("/echo/{item_id}")
    def echo(item_id: int, item: dict[str, Any], request: fw.Request, q: str = "") -> dict[str, Any]:
        return {"item_id": item_id, "item": item, "q": q, "class": type(request).__name__}

    return app


def validation_logging_app(fw: SimpleNamespace) -> Any:
    _, route_class = _classes(fw)

    class ValidationErrorLoggingRoute(route_class):  # type: ignore[misc,valid-type]
        def get_route_handler(self) -> Callable[..., Any]:
            original_route_handler = super().get_route_handler()

            async def custom_route_handler(request: Any) -> Any:
                try:
                    return await original_route_handler(request)
                except fw.RequestValidationError as exc:
                    body = await request.body()
                    detail = {"errors": exc.errors(), "body": body.decode()}
                    raise fw.HTTPException(status_code=422, detail=detail) from None

            return custom_route_handler

    app = fw.FastAPI()
    app.router.route_class = ValidationErrorLoggingRoute

    @app.post("/")
    async def sum_numbers(numbers: Annotated[list[int], fw.Body()]) -> int:
        return sum(numbers)

    return app


def timed_app(fw: SimpleNamespace) -> Any:
    _, route_class = _classes(fw)

    class TimedRoute(route_class):  # type: ignore[misc,valid-type]
        def get_route_handler(self) -> Callable[..., Any]:
            original_route_handler = super().get_route_handler()

            async def custom_route_handler(request: Any) -> Any:
                before = time.time()
                response = await original_route_handler(request)
                response.headers["X-Response-Time"] = str(time.time() - before)
                return response

            return custom_route_handler

    app = fw.FastAPI()
    router = fw.APIRouter(route_class=TimedRoute)

    @app.get("/")
    async def not_timed() -> dict[str, str]:
        return {"message": "Not timed"}

    @router.get("/timed")
    async def timed() -> dict[str, str]:
        return {"message": "It's the time of my life"}

    @router.get("/timed-sync/{n}", status_code=201)
    def timed_sync(n: int, response: fw.Response, tasks: fw.BackgroundTasks) -> dict[str, int]:
        response.headers["x-sub"] = "kept"
        tasks.add_task(lambda: None)
        return {"n": n}

    @router.get("/timed-error")
    def timed_error() -> None:
        raise fw.HTTPException(418, "teapot")

    app.include_router(router, prefix="/r")
    return app


TIMING = frozenset({"x-response-time"})


@pytest.mark.parametrize(("url", "body", "headers"), [
    ("/sum", gzip.compress(b"[1, 2, 3]"), {"content-encoding": "gzip", "content-type": "application/json"}),
    ("/sum", b"[1, 2, 3, 4]", {"content-type": "application/json"}),
    ("/sum", gzip.compress(b"[1, \"x\"]"), {"content-encoding": "gzip", "content-type": "application/json"}),
    ("/echo/5?q=z", gzip.compress(json.dumps({"a": 1}).encode()),
     {"content-encoding": "gzip", "content-type": "application/json"}),
])
def test_gzip_request_route(url: str, body: bytes, headers: dict[str, str]) -> None:
    check(gzip_app, "POST", url, content=body, headers=headers)


@pytest.mark.parametrize("body", [b"[1, 2]", b'{"a": 1}', b"[1, \"two\"]", b"not json"])
def test_body_inside_validation_error_handler(body: bytes) -> None:
    check(validation_logging_app, "POST", "/", content=body, headers={"content-type": "application/json"})


@pytest.mark.parametrize("url", ["/", "/r/timed", "/r/timed-sync/3", "/r/timed-sync/x", "/r/timed-error"])
def test_timed_route(url: str) -> None:
    check(timed_app, "GET", url, ignore_headers=TIMING)
    expected, actual = exchange(timed_app, "GET", url)
    assert ("x-response-time" in actual.headers) == ("x-response-time" in expected.headers)
    if "x-response-time" in actual.headers:
        assert float(actual.headers["x-response-time"]) >= 0


def exits_app(fw: SimpleNamespace, log: list[str]) -> Any:
    """A custom route over a path operation with a ``yield`` dependency and a task: the order FastAPI keeps."""
    _, route_class = _classes(fw)
    depends = fastapi.Depends if fw.name == "fastapi" else fastrapi.Depends

    class LoggingRoute(route_class):  # type: ignore[misc,valid-type]
        def get_route_handler(self) -> Callable[..., Any]:
            original_route_handler = super().get_route_handler()

            async def custom_route_handler(request: Any) -> Any:
                log.append("handler in")
                response = await original_route_handler(request)
                log.append("handler out")
                return response

            return custom_route_handler

    def session() -> Any:
        log.append("enter")
        try:
            yield "db"
        finally:
            log.append("exit")

    app = fw.FastAPI()
    app.router.route_class = LoggingRoute

    @app.get("/items/{n}")
    def items(n: int, db: Annotated[str, depends(session)], tasks: fw.BackgroundTasks) -> dict[str, Any]:
        tasks.add_task(log.append, "task")
        if n < 0:
            raise fw.HTTPException(400, "negative")
        return {"n": n, "db": db}

    return app


@pytest.mark.parametrize("url", ["/items/1", "/items/-1", "/items/x"])
def test_custom_route_with_yield_dependency_and_task(url: str) -> None:
    outcomes = []
    for fw in (FASTAPI, FASTRAPI):
        log: list[str] = []
        response = fw.TestClient(exits_app(fw, log), raise_server_exceptions=False).get(url)
        outcomes.append((response.status_code, response.json(), log))
    assert outcomes[1] == outcomes[0]


def test_plain_routes_keep_the_fast_path() -> None:
    app = timed_app(FASTRAPI)
    routes = {route.path: route for route in app.router.matcher.routes}
    assert routes["/"].handle.__func__ is call_endpoint
    assert routes["/r/timed"].handle.__name__ == "handle"  # the custom route answers through its handler


def test_sync_route_handler() -> None:
    class Tagged(fastrapi.routing.APIRoute):
        def get_route_handler(self) -> Callable[..., Any]:
            def handler(request: fastrapi.Request) -> fastrapi.Response:
                return fastrapi.responses.PlainTextResponse(f"{request.method} {request.url.path}")

            return handler

    router = fastrapi.APIRouter(route_class=Tagged)
    router.add_api_route("/t", lambda: None)
    app = fastrapi.FastAPI()
    app.include_router(router)
    response = TestClient(app).get("/t")
    assert (response.status_code, response.text) == (200, "GET /t")


@pytest.mark.parametrize("server_class", [Server, WSGIServer], ids=["fastrapi-server", "pywsgi"])
def test_custom_routes_on_a_gevent_server(server_class: type[Any]) -> None:
    """In a gevent greenlet the handler runs on the bridge loop and hops back to the request's hub."""
    apps = {"gzip": gzip_app(FASTRAPI), "timed": timed_app(FASTRAPI)}
    body = gzip.compress(b"[1, 2, 3]")
    with serving(server_class, apps["gzip"]) as port, Client(port) as client:
        client.send(b"POST /sum HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Encoding: gzip\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        answer = client.response("POST")
        assert (answer.status, answer.body) == (200, b'{"sum":6}')
    with serving(server_class, apps["timed"]) as port, Client(port) as client:
        client.send(b"GET /r/timed-sync/4 HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = client.response()
        assert (answer.status, answer.body, answer.header(b"x-sub")) == (201, b'{"n":4}', b"kept")
        assert answer.header(b"x-response-time") is not None
