"""The "Sub Applications - Mounts" tutorial, against FastAPI: ``app.mount("/subapi", subapi)`` where each app
keeps its own routes, OpenAPI document (the sub app's ``servers`` name the mount), docs pages, exception
handlers and 404s. (The sub app's ``request.scope`` is compared in test_fastapi_tutorial_proxy.py.)
"""

import re
from types import SimpleNamespace
from typing import Any

import pytest

from tests.differential import FASTAPI, FASTRAPI, check, exchange


class Teapot(Exception):
    pass


def mounted_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI(title="Main")

    @app.get("/app")
    def read_main() -> dict[str, str]:
        return {"message": "Hello World from main app"}

    subapi = fw.FastAPI(title="Sub", version="2.0", description="The mounted one")

    @subapi.get("/sub")
    def read_sub() -> dict[str, str]:
        return {"message": "Hello World from sub API"}

    @subapi.get("/items/{item_id}", tags=["items"])
    def read_item(item_id: int, q: str | None = None) -> dict[str, Any]:
        return {"item_id": item_id, "q": q}

    @subapi.get("/teapot")
    def teapot() -> None:
        raise Teapot()

    @subapi.get("/where")
    def where(request: fw.Request) -> dict[str, str]:
        return {"url": str(request.url), "for": str(request.url_for("read_item", item_id=5)),
                "path": subapi.url_path_for("read_item", item_id=6)}

    @subapi.exception_handler(Teapot)
    def teapot_handler(request: fw.Request, exc: Teapot) -> Any:
        return fw.JSONResponse({"handled": "by sub"}, status_code=418)

    @subapi.exception_handler(fw.StarletteHTTPException)
    def sub_http_handler(request: fw.Request, exc: Any) -> Any:
        return fw.PlainTextResponse(f"sub says {exc.status_code}", status_code=exc.status_code)

    deeper = fw.FastAPI(title="Deeper")

    @deeper.get("/x")
    def deep(request: fw.Request) -> dict[str, Any]:
        return {"url": str(request.url), "root_path": request.scope.get("root_path")}

    subapi.mount("/deeper", deeper)
    app.mount("/subapi", subapi)
    return app


@pytest.mark.parametrize("url", [
    "/app", "/subapi/sub", "/subapi/items/3?q=x", "/subapi/items/x", "/subapi/teapot", "/subapi/missing",
    "/missing", "/subapi/where", "/subapi/openapi.json", "/openapi.json", "/sub", "/subapi/app",
    "/subapi/deeper/x", "/subapi/deeper/openapi.json", "/subapi/deeper/missing", "/subapi/deeper",
])
def test_routes_and_documents(url: str) -> None:
    check(mounted_app, "GET", url)


def test_method_not_allowed_in_the_sub_app() -> None:
    check(mounted_app, "POST", "/subapi/sub")


def test_mount_without_slash() -> None:
    expected, actual = exchange(mounted_app, "GET", "/subapi")
    answers = [(r.status_code, r.headers.get("location")) for r in (expected, actual)]
    assert answers[1] == answers[0] == (307, "http://testserver/subapi/")


@pytest.mark.parametrize("page", ["docs", "redoc", "docs/oauth2-redirect"])
def test_each_app_has_its_docs(page: str) -> None:
    for fw in (FASTAPI, FASTRAPI):
        client = fw.TestClient(mounted_app(fw))
        main, sub = client.get(f"/{page}"), client.get(f"/subapi/{page}")
        assert (main.status_code, sub.status_code) == (200, 200), fw.name
        if page != "docs/oauth2-redirect":
            # each page loads its own app's document and carries its own title
            assert re.search(r"['\"]/openapi\.json['\"]", main.text), fw.name
            assert re.search(r"['\"]/subapi/openapi\.json['\"]", sub.text), fw.name
            assert "<title>Main" in main.text and "<title>Sub" in sub.text, fw.name


def test_sub_document_servers_follow_the_mount() -> None:
    documents = [fw.TestClient(mounted_app(fw)).get("/subapi/openapi.json").json() for fw in (FASTAPI, FASTRAPI)]
    assert documents[1]["servers"] == documents[0]["servers"] == [{"url": "/subapi"}]
    assert list(documents[1]["paths"]) == list(documents[0]["paths"])
    deeper = [fw.TestClient(mounted_app(fw)).get("/subapi/deeper/openapi.json").json() for fw in (FASTAPI, FASTRAPI)]
    assert deeper[1]["servers"] == deeper[0]["servers"] == [{"url": "/subapi/deeper"}]


def named_mount_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    subapi = fw.FastAPI()

    @app.get("/outer")
    def outer(request: fw.Request) -> dict[str, str]:
        return {"url": str(request.url_for("subapi:read_item", item_id=2)),
                "path": app.url_path_for("subapi:read_item", item_id=3)}

    @subapi.get("/items/{item_id}")
    def read_item(item_id: int, request: fw.Request) -> dict[str, str]:
        found = {}
        for name, params in (("read_item", {"item_id": 1}), ("subapi:read_item", {"item_id": 1}), ("outer", {})):
            try:
                found[name] = str(request.url_for(name, **params))
            except Exception as exc:  # which names resolve is what is compared
                found[name] = type(exc).__name__
        return found

    app.mount("/subapi", subapi, name="subapi")
    return app


def test_outer_app_finds_the_named_mounts_routes() -> None:
    check(named_mount_app, "GET", "/outer")


def test_url_for_inside_a_named_mount() -> None:
    check(named_mount_app, "GET", "/subapi/items/4")


def scope_in_mount_app(fw: SimpleNamespace) -> Any:
    """What a mounted app's request sees of its place: base_url, and scope's route, endpoint and router."""
    app = fw.FastAPI()
    subapi = fw.FastAPI()

    def where(request: Any) -> dict[str, Any]:
        route = request.scope["route"]
        return {"base_url": str(request.base_url), "url": str(request.url),
                "root_path": request.scope["root_path"], "route": route.path, "route_name": route.name,
                "endpoint": request.scope["endpoint"].__name__,
                "router_is_outer": request.scope["router"] is app.router,
                "app_is_inner": request.scope["app"] is (subapi if "/subapi" in str(request.url) else app)}

    @subapi.get("/items/{item_id}")
    def read_item(item_id: int, request: fw.Request) -> dict[str, Any]:
        return where(request)

    @app.get("/top/{name}")
    def top(name: str, request: fw.Request) -> dict[str, Any]:
        return where(request)

    app.mount("/subapi", subapi, name="subapi")
    return app


@pytest.mark.parametrize("url", ["/subapi/items/4", "/top/x?q=1"])
def test_a_mounted_request_s_base_url_and_scope(url: str) -> None:
    check(scope_in_mount_app, "GET", url)
