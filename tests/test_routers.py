"""Routers and mounts: a Flask app mounted in fastrapi, fastrapi mounted in Flask, over real HTTP;
mount paths (SCRIPT_NAME/PATH_INFO) and url_path_for through mounts and included routers."""

from __future__ import annotations

import json

import pytest

from fastrapi import APIRouter, Depends, FastrAPI, Request
from fastrapi.middleware.wsgi import WSGIMiddleware
from fastrapi.routing import Mount, NoMatchFound
from fastrapi.testclient import TestClient
from tests.servers import SERVE, WORKER, LiveServer, run_server


@pytest.fixture(scope="module")
def fastrapi_outside() -> LiveServer:
    with run_server(SERVE, "tests.apps.mount_app:app") as server:
        yield server


@pytest.fixture(scope="module")
def flask_outside() -> LiveServer:
    with run_server(WORKER, "tests.apps.mount_app:flask_outer") as server:
        yield server


def test_a_flask_app_mounted_at_legacy(fastrapi_outside: LiveServer) -> None:
    status, _, body = fastrapi_outside.request("GET", "/legacy/hello/ada?x=1")
    assert status == 200
    assert json.loads(body) == {"hello": "ada", "self": "/legacy/hello/ada", "script_name": "/legacy",
                                "path": "/hello/ada", "query": "x=1"}
    assert fastrapi_outside.request("GET", "/legacy/")[::2] == (200, b"legacy index")
    assert fastrapi_outside.request("POST", "/legacy/echo", body=b"posted")[::2] == (200, b"posted")
    assert fastrapi_outside.request("GET", "/legacy/nope")[0] == 404  # Flask's own 404
    status, headers, _ = fastrapi_outside.request("GET", "/legacy")
    assert (status, headers["location"]) == (307, f"http://127.0.0.1:{fastrapi_outside.port}/legacy/")


def test_a_fastrapi_sub_app_and_url_path_for(fastrapi_outside: LiveServer) -> None:
    status, _, body = fastrapi_outside.request("GET", "/v2/items/5")
    assert status == 200
    assert json.loads(body) == {"item_id": 5, "url_for": f"http://127.0.0.1:{fastrapi_outside.port}/v2/items/5"}
    assert json.loads(fastrapi_outside.request("GET", "/")[2]) == {"paths": ["/v2/items/1"]}
    assert fastrapi_outside.request("GET", "/v2/nope")[::2] == (404, b'{"detail":"Not Found"}')


def test_fastrapi_mounted_inside_flask(flask_outside: LiveServer) -> None:
    assert flask_outside.request("GET", "/")[::2] == (200, b"flask outer")
    assert flask_outside.request("GET", "/api/hello")[::2] == (200, b'{"Hello":"World"}')
    body = flask_outside.request("GET", "/api/items/7")[2]
    assert json.loads(body) == {"item_id": 7, "url": f"http://127.0.0.1:{flask_outside.port}/api/items/7"}
    assert flask_outside.request("GET", "/api/nope")[::2] == (404, b'{"detail":"Not Found"}')


def test_mount_environ() -> None:
    seen = []

    def wsgi_app(environ, start_response):  # type: ignore[no-untyped-def]
        seen.append((environ["SCRIPT_NAME"], environ["PATH_INFO"], environ.get("QUERY_STRING")))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    app = FastrAPI()
    app.mount("/legacy", WSGIMiddleware(wsgi_app))
    inner = APIRouter(prefix="/r")
    inner.mount("/deep", wsgi_app)
    app.include_router(inner, prefix="/p")
    client = TestClient(app, root_path="/root")
    for path in ("/legacy/", "/legacy/a/b?q=1", "/legacy/caf\u00e9", "/p/r/deep/x"):
        assert client.get(path).text == "ok"
    assert seen == [
        ("/root/legacy", "/", ""), ("/root/legacy", "/a/b", "q=1"),
        ("/root/legacy", "/caf\u00e9".encode().decode("latin-1"), ""), ("/root/p/r/deep", "/x", ""),
    ]


def test_mounts_take_their_place_in_route_order() -> None:
    app = FastrAPI()

    @app.get("/files/special")
    def special():
        return "route first"

    app.mount("/files", lambda environ, start: (start("200 OK", []), [b"mount"])[1])

    @app.get("/files/late")
    def late():
        return "never reached"

    client = TestClient(app)
    assert client.get("/files/special").json() == "route first"
    assert client.get("/files/late").text == "mount"
    assert client.post("/files/special").text == "mount"  # a mount matches every method


def test_url_path_for_through_mounts() -> None:
    sub = FastrAPI()

    @sub.get("/users/{user_id}")
    def user(user_id: int):
        return user_id

    routes_mount = Mount("/r", routes=[], name="r")
    app = FastrAPI(routes=[routes_mount])
    app.mount("/sub", sub, name="sub")
    app.mount("/anon", sub)
    assert app.url_path_for("sub:user", user_id=3) == "/sub/users/3"
    assert app.url_path_for("user", user_id=3) == "/anon/users/3"  # an unnamed mount is transparent
    assert app.url_path_for("sub", path="/x/y") == "/sub/x/y"
    with pytest.raises(NoMatchFound):
        app.url_path_for("sub:missing")


def test_live_inclusion_reaches_the_app() -> None:
    app = FastrAPI()
    router = APIRouter(prefix="/r")
    app.include_router(router)
    client = TestClient(app)
    assert client.get("/r/late").status_code == 404
    router.add_api_route("/late", lambda: "late")
    assert client.get("/r/late").json() == "late"
    nested = APIRouter()
    router.include_router(nested, prefix="/n")
    nested.add_api_route("/x", lambda: "nested", name="x")
    assert client.get("/r/n/x").json() == "nested"
    assert app.url_path_for("x") == "/r/n/x"


def test_router_dependencies_are_passed_to_routes() -> None:
    """The routes carry them in FastAPI's order (tests/test_depends*.py runs them)."""
    marker = [Depends(lambda: None) for _ in range(4)]
    app = FastrAPI(dependencies=[marker[0]])
    router = APIRouter(dependencies=[marker[2]])

    @router.get("/x", dependencies=[marker[3]])
    def x():
        return None

    app.include_router(router, dependencies=[marker[1]])
    route = next(r for r in app.router.effective_routes() if getattr(r, "path", "") == "/x")
    assert route.dependencies == marker


@pytest.mark.filterwarnings("ignore:The `root_path` parameter is deprecated")
def test_root_path_setting() -> None:
    """FastrAPI(root_path=...) as behind a proxy: routes answer with or without the prefix, URLs carry it."""
    app = FastrAPI(root_path="/api/v1")

    @app.get("/items/{item_id}", name="item")
    def item(item_id: int, request: Request):
        return {"url": str(request.url), "for": str(request.url_for("item", item_id=item_id))}

    client = TestClient(app)
    expected = {"url": "http://testserver/api/v1/items/1", "for": "http://testserver/api/v1/items/1"}
    assert client.get("/api/v1/items/1").json() == expected
    # The proxy stripped the prefix: request.url is the path as sent, url_for carries the prefix (FastAPI's).
    assert client.get("/items/1").json() == {"url": "http://testserver/items/1", "for": expected["for"]}


def test_including_a_fastapi_router_fails_clearly() -> None:
    """A router from a FastAPI integration (GraphQL's, ...) is FastAPI's own class: refused where it is included."""
    import fastapi

    with pytest.raises(TypeError, match=r"takes a fastrapi APIRouter, not fastapi\.routing\.APIRouter"):
        FastrAPI().include_router(fastapi.APIRouter())  # type: ignore[arg-type]
