"""The PEP 3333 contract, checked with WebTest's validator: status lines, header types, close()."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from webtest import TestApp

from fastrapi import BackgroundTasks, FastrAPI
from fastrapi.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)


class TrackedChunks:
    """A streaming body that remembers whether the server closed it."""

    def __init__(self) -> None:
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield b"a"
        yield b"b"

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def app(tmp_path: Any) -> FastrAPI:
    app = FastrAPI()
    app.state.chunks = TrackedChunks()
    app.state.events = []
    (tmp_path / "hello.txt").write_bytes(b"hello file")

    @app.get("/json")
    def json_route():
        return {"a": [1, 2.5, None, True], "é": "ü"}

    @app.get("/html")
    def html():
        return HTMLResponse("<h1>hi</h1>")

    @app.get("/text")
    def text():
        return PlainTextResponse("hi", status_code=201, headers={"X-Thing": "1"})

    @app.get("/stream")
    def stream():
        return StreamingResponse(app.state.chunks, media_type="text/plain")

    @app.get("/astream")
    async def astream():
        async def gen():
            for part in ("x", "y", "z"):
                yield part

        return StreamingResponse(gen(), media_type="text/plain")

    @app.get("/file")
    def file():
        return FileResponse(tmp_path / "hello.txt", filename="hello.txt")

    @app.get("/redirect")
    def redirect():
        return RedirectResponse("/json")

    @app.get("/cookie")
    def cookie():
        response = Response("ok", media_type="text/plain")
        response.set_cookie("session", "abc", httponly=True, max_age=60)
        response.delete_cookie("old")
        return response

    @app.get("/tasks")
    def tasks(background_tasks: BackgroundTasks):
        background_tasks.add_task(app.state.events.append, "task")
        return {"ok": True}

    return app


def test_json_body_and_headers(app: FastrAPI) -> None:
    response = TestApp(app).get("/json")
    assert response.status == "200 OK"
    assert response.body == '{"a":[1,2.5,null,true],"é":"ü"}'.encode()
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Length"] == str(len(response.body))


def test_text_responses_get_a_charset(app: FastrAPI) -> None:
    client = TestApp(app)
    assert client.get("/html").headers["Content-Type"] == "text/html; charset=utf-8"
    response = client.get("/text")
    assert (response.status, response.body, response.headers["X-Thing"]) == ("201 Created", b"hi", "1")


def test_streaming_body_is_closed_by_the_server(app: FastrAPI) -> None:
    response = TestApp(app).get("/stream")
    assert response.body == b"ab"
    assert app.state.chunks.closed


def test_async_streaming(app: FastrAPI) -> None:
    assert TestApp(app).get("/astream").body == b"xyz"


def test_file_response(app: FastrAPI) -> None:
    response = TestApp(app).get("/file")
    assert response.body == b"hello file"
    assert response.headers["Content-Length"] == "10"
    assert response.headers["Content-Disposition"] == 'attachment; filename="hello.txt"'
    assert response.headers["ETag"].startswith('"')
    assert "Last-Modified" in response.headers


def test_redirect(app: FastrAPI) -> None:
    response = TestApp(app).get("/redirect")
    assert response.status_int == 307
    assert response.headers["Location"] == "/json"


def test_cookies(app: FastrAPI) -> None:
    cookies = TestApp(app).get("/cookie").headers.getall("Set-Cookie")
    assert "session=abc; HttpOnly; Max-Age=60; Path=/; SameSite=lax" in cookies
    assert any(c.startswith("old=") and "Max-Age=0" in c for c in cookies)


def test_head_sends_headers_without_body(app: FastrAPI) -> None:
    app.add_api_route("/both", lambda: {"x": 1}, methods=["GET", "HEAD"])
    response = TestApp(app).head("/both")
    assert response.body == b""
    assert response.headers["Content-Length"] == "7"


def test_tasks_have_run_when_webtest_returns(app: FastrAPI) -> None:
    TestApp(app).get("/tasks")
    assert app.state.events == ["task"]


def test_response_is_a_wsgi_app_with_its_own_background() -> None:
    from fastrapi.background import BackgroundTask

    events: list[str] = []
    app = Response(b"raw", media_type="text/plain", background=BackgroundTask(events.append, "done"))
    response = TestApp(app).get("/")
    assert response.body == b"raw"
    assert events == ["done"]
