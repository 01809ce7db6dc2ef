"""Starlette's own objects in code written for FastAPI (``from starlette.responses import RedirectResponse``,
``from starlette.background import BackgroundTask``): a route or an exception handler that returns one answers
as on FastAPI, status, headers, body, stream and tasks."""

import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import pytest
import starlette.background
import starlette.responses as sr

from tests.differential import FASTAPI, FASTRAPI, check

ran: dict[str, list[str]] = {"fastapi": [], "fastrapi": []}


def starlette_app(fw: SimpleNamespace, where: Path) -> Any:
    app = fw.FastAPI()
    (where / "hello.txt").write_text("hello file\n")
    log = ran[fw.name]

    @app.get("/redirect")
    def redirect() -> Any:
        return sr.RedirectResponse("/somewhere")

    @app.get("/json", status_code=201)
    def json() -> Any:  # its own status wins over the route's, as for fastrapi's responses
        response = sr.JSONResponse({"a": [1, "é"]}, status_code=202, headers={"x-one": "1"})
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        return response

    @app.get("/html", response_class=fw.HTMLResponse)
    async def html() -> Any:
        return sr.HTMLResponse("<p>hi</p>")

    @app.get("/plain")
    def plain() -> Any:
        return sr.PlainTextResponse("text", background=starlette.background.BackgroundTask(log.append, "task"))

    @app.get("/stream")
    def stream() -> Any:
        async def chunks() -> Any:
            for n in range(3):
                yield f"chunk {n}\n"

        return sr.StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/file")
    def file() -> Any:
        return sr.FileResponse(where / "hello.txt", filename="hello.txt")

    @app.get("/nested")
    def nested() -> Any:
        return {"inner": sr.PlainTextResponse("x")}  # not JSON: a 500 on both

    @app.get("/teapot")
    def teapot() -> Any:
        raise fw.HTTPException(418)

    @app.exception_handler(fw.StarletteHTTPException)
    def handler(request: Any, exc: Any) -> Any:
        return sr.PlainTextResponse(f"handled {exc.status_code}", status_code=exc.status_code)

    return app


@pytest.fixture(scope="module")
def factory(tmp_path_factory: pytest.TempPathFactory) -> Any:
    where = tmp_path_factory.mktemp("starlette_objects")
    return lambda fw: starlette_app(fw, where)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("url", ["/redirect", "/json", "/html", "/plain", "/stream", "/file", "/nested", "/teapot"])
def test_starlette_responses_answer_as_on_fastapi(factory: Any, url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(factory, "GET", url, ignore_headers=frozenset({"last-modified", "etag"}))


def test_a_starlette_background_task_runs(factory: Any) -> None:
    for fw in (FASTAPI, FASTRAPI):
        ran[fw.name].clear()
        assert fw.TestClient(factory(fw)).get("/plain").text == "text"
        assert ran[fw.name] == ["task"], fw.name


def starlette_annotations_app(fw: SimpleNamespace) -> Any:
    """Parameters annotated with Starlette's classes, as much FastAPI code imports them."""
    import starlette.background
    import starlette.requests
    import starlette.responses

    app = fw.FastAPI()

    @app.get("/items/{item_id}")
    def read(item_id: int, request: starlette.requests.Request, response: starlette.responses.Response,
             tasks: starlette.background.BackgroundTasks) -> dict[str, Any]:
        response.headers["x-seen"] = request.url.path
        tasks.add_task(ran[fw.name].append, f"task {item_id}")
        return {"item_id": item_id, "method": request.method, "q": request.query_params.get("q")}

    def conn_dep(conn: starlette.requests.HTTPConnection) -> str:
        return conn.url.path

    @app.get("/conn")
    def conn(path: Annotated[str, fw.Depends(conn_dep)]) -> dict[str, str]:
        return {"path": path}

    return app


@pytest.mark.parametrize("url", ["/items/3?q=x", "/conn", "/openapi.json"])
def test_starlette_annotations_get_the_request_response_and_tasks(url: str) -> None:
    check(starlette_annotations_app, "GET", url)


def test_a_starlette_annotated_websocket_gets_the_socket() -> None:
    import starlette.websockets

    for fw in (FASTAPI, FASTRAPI):
        app = fw.FastAPI()

        @app.websocket("/ws")
        async def ws(websocket: starlette.websockets.WebSocket) -> None:
            await websocket.accept()
            await websocket.send_text(websocket.url.path)
            await websocket.close()

        with fw.TestClient(app).websocket_connect("/ws") as connection:
            assert connection.receive_text() == "/ws", fw.name
