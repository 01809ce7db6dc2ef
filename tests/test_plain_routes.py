"""Starlette's plain routes, which FastAPI apps use: ``@router.route`` / ``add_route``
(``endpoint(request) -> Response``) and ``@app.websocket_route`` / ``add_websocket_route``
(``endpoint(websocket)``), against FastAPI: included with a prefix, GET answering HEAD, other methods 405,
nothing in /openapi.json, ``url_path_for`` by name."""

from types import SimpleNamespace
from typing import Any

import pytest

from tests.differential import FASTAPI, FASTRAPI, check


def plain_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    router = fw.APIRouter()

    @router.route("/items/")
    def read_items(request):  # type: ignore[no-untyped-def]  # Starlette passes the request, unannotated
        return fw.JSONResponse({"hello": "world", "q": request.query_params.get("q")})

    @router.route("/posted", methods=["POST"], name="posted_by_name")
    async def posted(request):  # type: ignore[no-untyped-def]
        return fw.JSONResponse({"body": (await request.body()).decode()})

    def where(request: Any) -> Any:
        return fw.PlainTextResponse(str(request.url_for("where_by_name")))

    app.add_route("/where", where, name="where_by_name")
    prefixed = fw.APIRouter(prefix="/own")  # a plain route does not take its router's own prefix

    @prefixed.route("/x")
    def x(request):  # type: ignore[no-untyped-def]
        return fw.PlainTextResponse(request.url.path)

    app.include_router(prefixed, prefix="/inc")

    @app.get("/api")
    def api() -> dict[str, bool]:
        return {"api": True}

    app.include_router(router, prefix="/r")
    return app


@pytest.mark.parametrize(("method", "url", "kwargs"), [
    ("GET", "/r/items/?q=1", {}), ("HEAD", "/r/items/", {}), ("POST", "/r/items/", {}),
    ("POST", "/r/posted", {"content": b"hi"}), ("GET", "/r/posted", {}), ("GET", "/where", {}),
    ("GET", "/inc/x", {}), ("GET", "/inc/own/x", {}),
    ("GET", "/openapi.json", {}),
])
def test_plain_routes_answer_as_on_fastapi(method: str, url: str, kwargs: dict[str, Any]) -> None:
    check(plain_app, method, url, **kwargs)


def websocket_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()
    router = fw.APIRouter()

    @app.websocket_route("/")
    async def index(websocket):  # type: ignore[no-untyped-def]
        await websocket.accept()
        await websocket.send_text(f"Hello, {websocket.query_params.get('who', 'world')}!")
        await websocket.close()

    @router.websocket_route("/router")
    async def in_router(websocket):  # type: ignore[no-untyped-def]
        await websocket.accept()
        await websocket.send_json({"path": websocket.url.path})
        await websocket.close()

    app.include_router(router, prefix="/native")
    return app


@pytest.mark.parametrize("fw", [FASTAPI, FASTRAPI], ids=lambda fw: fw.name)
def test_plain_websocket_routes(fw: SimpleNamespace) -> None:
    client = fw.TestClient(websocket_app(fw))
    with client.websocket_connect("/?who=ada") as websocket:
        assert websocket.receive_text() == "Hello, ada!"
    with client.websocket_connect("/native/router") as websocket:
        assert websocket.receive_json() == {"path": "/native/router"}
