"""A route's parameters are worked out once, when it is added: mistakes fail then, and a request
runs the prepared plan with no signature inspection and no adapter or model building."""

import inspect
import typing
from typing import Annotated

import pydantic
import pytest
from pydantic import BaseModel

from fastrapi import Body, FastAPI, File, Form, Header, Path, Query, UploadFile, formparsers
from fastrapi.exceptions import FastrAPIError
from fastrapi.testclient import TestClient


class Item(BaseModel):
    name: str
    price: float


class Filters(BaseModel):
    limit: int = 10
    tags: list[str] = []


def build_app() -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    def read(item_id: int, q: str | None = None, x_token: Annotated[str | None, Header()] = None):
        return {"item_id": item_id, "q": q, "x_token": x_token}

    @app.post("/items")
    def create(item: Item, note: Annotated[str, Body()] = "n"):
        return {"item": item, "note": note}

    @app.get("/filtered")
    def filtered(f: Annotated[Filters, Query()]):
        return f

    @app.post("/upload")
    def upload(file: UploadFile, size: Annotated[int, Form()]):
        return {"name": file.filename, "size": size}

    return app


def test_requests_run_without_inspecting_or_building(monkeypatch: pytest.MonkeyPatch) -> None:
    client = TestClient(build_app())

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("called while serving a request")

    monkeypatch.setattr(inspect, "signature", forbidden)
    monkeypatch.setattr(typing, "get_type_hints", forbidden)
    monkeypatch.setattr(pydantic.TypeAdapter, "__init__", forbidden)
    monkeypatch.setattr(pydantic, "create_model", forbidden)

    assert client.get("/items/3?q=a", headers={"x-token": "t"}).json() == {"item_id": 3, "q": "a", "x_token": "t"}
    assert client.get("/items/x").status_code == 422
    assert client.post("/items", json={"item": {"name": "a", "price": 1}}).json()["note"] == "n"
    assert client.post("/items", json={"item": {}}).status_code == 422
    assert client.get("/filtered?limit=2&tags=a&tags=b").json() == {"limit": 2, "tags": ["a", "b"]}
    answer = client.post("/upload", files={"file": ("a.txt", b"abc")}, data={"size": "3"})
    assert answer.json() == {"name": "a.txt", "size": 3}


def test_the_plan_holds_one_adapter_for_parameters_and_one_for_the_body() -> None:
    routes = [route for route in build_app().routes if hasattr(route, "plan")]  # not /openapi.json, /docs...
    read_plan, create_plan = routes[0].plan, routes[1].plan
    assert [g.location for g in read_plan.groups] == ["path", "query", "header"]
    assert isinstance(read_plan.params_adapter, pydantic.TypeAdapter) and read_plan.body is None
    assert create_plan.params_adapter is None and create_plan.body.embed and not create_plan.body.is_form
    assert routes[3].plan.body.is_form


def _add(endpoint: typing.Callable[..., object], path: str = "/x/{item_id}") -> None:
    FastAPI().get(path)(endpoint)


def test_mistakes_fail_when_the_route_is_added() -> None:
    def default_in_annotated(q: Annotated[str, Query("x")]):
        return q

    def both_places(q: Annotated[str, Query()] = Query("x")):
        return q

    def path_default(item_id: Annotated[int, Path()] = 3):
        return item_id

    def query_for_path(item_id: Annotated[int, Query()]):
        return item_id

    def dict_query(item_id: int, q: Annotated[dict, Query()]):
        return q

    def plain_field(item_id: int, q: str = pydantic.Field("x")):
        return q

    for endpoint, message in [
        (default_in_annotated, "default value cannot be set in `Annotated`"),
        (both_places, "in `Annotated` and default value together"),
        (path_default, "Path parameters cannot have default values"),
        (query_for_path, "Cannot use `Query` for path param 'item_id'"),
        (dict_query, "Query parameter 'q' must be one of the supported types"),
        (plain_field, "a plain pydantic `Field\\(\\)` does not say where"),
    ]:
        with pytest.raises(FastrAPIError, match=message):
            _add(endpoint)  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="cannot have a default"):
        Path(3)


def test_limits_are_checked_when_the_route_is_added() -> None:
    app = FastAPI()
    with pytest.raises(ValueError, match="max_body_size"):
        app.post("/a", max_body_size=-1)(lambda: None)
    with pytest.raises(ValueError, match="Unknown form limit"):
        app.post("/b", form_limits={"max_size": 1})(lambda: None)
    with pytest.raises(ValueError, match="non-negative"):
        app.post("/c", form_limits={"max_files": -1})(lambda: None)


def test_a_form_route_without_python_multipart_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formparsers, "_MULTIPART_INSTALLED", False)  # as when the import failed

    def login(username: Annotated[str, Form()]):
        return username

    def upload(f: Annotated[bytes, File()]):
        return f

    for endpoint in (login, upload):
        with pytest.raises(RuntimeError, match='requires "python-multipart"'):
            FastAPI().post("/login")(endpoint)
    FastAPI().post("/json")(lambda item: item)  # JSON routes do not need it


def test_mutable_defaults_are_not_shared_between_requests() -> None:
    app = FastAPI()

    @app.get("/tags")
    def tags(t: Annotated[list[str], Query()] = []):  # noqa: B006
        t.append("seen")
        return t

    client = TestClient(app)
    assert client.get("/tags").json() == ["seen"]
    assert client.get("/tags").json() == ["seen"]
