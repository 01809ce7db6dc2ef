"""FastAPI's "Additional Status Codes", "Response Headers", "Response Cookies" and "Response - Change Status
Code" tutorials, against FastAPI: a returned ``JSONResponse`` with its own status, and the temporal
``response: Response`` parameter (in the endpoint and in dependencies) setting headers, cookies and the
status, and what of it survives an ``HTTPException`` or a returned Response.
Annotations stay eager (no ``from __future__ import annotations``): ``response: fw.Response`` names a local.
"""

import re
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Annotated, Any

import fastapi
import pytest
from pydantic import BaseModel

import fastrapi
from tests.differential import FASTAPI, FASTRAPI, check, exchange

EXPIRES = datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


class Item(BaseModel):
    name: str | None = None
    size: int | None = None


def tweaks_app(fw: SimpleNamespace) -> Any:
    Depends = (fastapi if fw.name == "fastapi" else fastrapi).Depends
    Response, JSONResponse, HTTPException, status = fw.Response, fw.JSONResponse, fw.HTTPException, fw.status
    app = fw.FastAPI()
    items: dict[str, dict[str, Any]] = {"foo": {"name": "Fighters", "size": 6}, "bar": {"name": "Tenders", "size": 3}}

    # Additional Status Codes: an upsert answering 201 when it creates.
    @app.put("/items/{item_id}")
    def upsert_item(item_id: str, name: Annotated[str | None, fw.Body()] = None,
                    size: Annotated[int | None, fw.Body()] = None) -> Any:
        if item_id in items:
            item = items[item_id]
            item["name"], item["size"] = name, size
            return item
        item = {"name": name, "size": size}
        items[item_id] = item
        return JSONResponse(status_code=status.HTTP_201_CREATED, content=item)

    # Response Headers
    @app.get("/headers-and-object/")
    def headers_and_object(response: Response) -> dict[str, str]:
        response.headers["X-Cat-Dog"] = "alone in the world"
        response.headers.append("X-Many", "one")
        response.headers.append("X-Many", "two")
        return {"message": "Hello World"}

    @app.get("/headers/")
    def headers() -> Any:
        return JSONResponse(content={"message": "Hello World"},
                            headers={"X-Cat-Dog": "alone in the world", "Content-Language": "en-US"})

    def tag_dependency(response: Response) -> str:
        response.headers["X-From-Dependency"] = "yes"
        response.set_cookie("dep", "set-by-dependency")
        return "tagged"

    @app.get("/dependency/", status_code=201)
    def dependency_sets(tag: Annotated[str, Depends(tag_dependency)], response: Response) -> dict[str, str]:
        response.headers["X-From-Endpoint"] = "too"
        return {"tag": tag}

    # Response Cookies
    @app.post("/cookie-and-object/")
    def cookie_and_object(response: Response) -> dict[str, str]:
        response.set_cookie(key="fakesession", value="fake-cookie-session-value")
        return {"message": "Come to the dark side, we have cookies"}

    @app.post("/cookie/")
    def cookie() -> Any:
        response = JSONResponse(content={"message": "Come to the dark side, we have cookies"})
        response.set_cookie(key="fakesession", value="fake-cookie-session-value")
        return response

    @app.get("/cookie-options/")
    def cookie_options(response: Response) -> dict[str, bool]:
        response.set_cookie("session", "abc", max_age=3600, expires=EXPIRES, path="/app", domain="example.com",
                            secure=True, httponly=True, samesite="none")
        response.set_cookie("quoted", 'a "b", c')
        return {"ok": True}

    @app.get("/delete-cookie/")
    def delete_cookie(response: Response) -> dict[str, bool]:
        response.delete_cookie("old", path="/app", httponly=True)
        return {"deleted": True}

    # Response - Change Status Code
    tasks = {"foo": "Listen to the Bar Fighters"}

    @app.put("/get-or-create-task/{task_id}", status_code=200)
    def get_or_create_task(task_id: str, response: Response) -> str:
        if task_id not in tasks:
            tasks[task_id] = "This didn't exist before"
            response.status_code = status.HTTP_201_CREATED
        return tasks[task_id]

    def accepted(response: Response) -> None:
        response.status_code = 202

    @app.get("/status-in-dependency/", dependencies=[Depends(accepted)])
    def status_in_dependency() -> dict[str, str]:
        return {"status": "set by a dependency"}

    @app.get("/raised/")
    def raised(response: Response) -> None:
        response.headers["X-Lost"] = "maybe"
        response.set_cookie("lost", "maybe")
        response.status_code = 202
        raise HTTPException(status_code=409, detail="conflict", headers={"X-Kept": "yes"})

    @app.get("/returned-wins/")
    def returned_wins(response: Response) -> Any:
        response.headers["X-Param"] = "ignored?"
        response.status_code = 202
        return JSONResponse({"returned": True}, status_code=203)

    @app.get("/no-content/", status_code=204)
    def no_content(response: Response) -> None:
        response.headers["X-Empty"] = "yes"

    @app.get("/model/", response_model=Item)
    def model(response: Response) -> Any:
        response.status_code = 206
        response.headers["content-type"] = "application/vnd.item+json"
        return {"name": "x", "size": 1, "extra": "dropped"}

    return app


@pytest.mark.parametrize(("method", "url", "kwargs"), [
    ("PUT", "/items/foo", {"json": {"name": "Fighters", "size": 7}}),
    ("PUT", "/items/new", {"json": {"name": "New", "size": 1}}),
    ("PUT", "/items/bad", {"json": {"size": "big"}}),
    ("GET", "/headers-and-object/", {}),
    ("GET", "/headers/", {}),
    ("GET", "/dependency/", {}),
    ("POST", "/cookie-and-object/", {}),
    ("POST", "/cookie/", {}),
    ("GET", "/cookie-options/", {}),
    ("PUT", "/get-or-create-task/foo", {}),
    ("PUT", "/get-or-create-task/bar", {}),
    ("GET", "/status-in-dependency/", {}),
    ("GET", "/raised/", {}),
    ("GET", "/returned-wins/", {}),
    ("GET", "/no-content/", {}),
    ("GET", "/model/", {}),
    ("GET", "/openapi.json", {}),
])
def test_response_tweaks(method: str, url: str, kwargs: dict[str, Any]) -> None:
    check(tweaks_app, method, url, **kwargs)


def test_delete_cookie() -> None:
    """The expiry is "now" on both sides: compared without it, so a second boundary cannot fail the test."""
    expected, actual = exchange(tweaks_app, "GET", "/delete-cookie/")
    cookies = [re.sub(r"expires=[^;]+; ", "", r.headers["set-cookie"]) for r in (expected, actual)]
    assert cookies[1] == cookies[0] == 'old=""; HttpOnly; Max-Age=0; Path=/app; SameSite=lax'
    assert (actual.status_code, actual.content) == (expected.status_code, expected.content)


def test_created_then_updated() -> None:
    """The second PUT of the same new id updates it: 200 where the first got 201."""
    statuses = []
    for fw in (FASTAPI, FASTRAPI):
        client = fw.TestClient(tweaks_app(fw))
        statuses.append([client.put("/items/again", json={"name": "n"}).status_code for _ in range(2)])
    assert statuses[1] == statuses[0] == [201, 200]


def raw_headers_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/raw/")
    def raw(response: fw.Response) -> dict[str, int]:
        response.raw_headers.append((b"x-raw", b"yes"))
        return {"raw": 1}

    @app.get("/cookies/")
    def cookies() -> Any:
        answer = fw.JSONResponse({"seen": []})
        answer.raw_headers.append((b"set-cookie", b"a=1; Path=/"))
        answer.raw_headers.append((b"set-cookie", b"b=2; Path=/"))  # a name is kept lower-cased (differences.md)
        seen = [[k.decode(), v.decode()] for k, v in answer.raw_headers]
        return fw.JSONResponse({"seen": seen}, headers={"x-count": str(len(answer.raw_headers))})

    @app.get("/replaced/")
    def replaced() -> Any:
        answer = fw.PlainTextResponse("ok")
        answer.raw_headers = [(b"content-type", b"text/x-mine"), (b"content-length", b"2")]
        return answer

    return app


@pytest.mark.parametrize("url", ["/raw/", "/cookies/", "/replaced/"])
def test_raw_headers_are_the_live_header_list(url: str) -> None:
    check(raw_headers_app, "GET", url)
