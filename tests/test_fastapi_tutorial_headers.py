"""Parameter models and repeated headers, against FastAPI ("Header/Query/Cookie Parameter Models" tutorials):
TestClient folds a repeated header into one value as WSGI servers do, so list headers see every copy.
Annotations stay eager (no ``from __future__ import annotations``): they name the local ``fw``.
"""

from types import SimpleNamespace
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from tests.differential import check


class CommonHeaders(BaseModel):
    host: str
    save_data: bool
    if_modified_since: str | None = None
    traceparent: str | None = None
    x_tag: list[str] = []


class AliasedHeaders(BaseModel):
    p: str = Field(alias="p_alias")
    q: int = 0


class StrictHeaders(CommonHeaders):
    model_config = ConfigDict(extra="forbid")


class FilterParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = 100
    offset: int = 0
    order_by: str = "created_at"
    tags: list[str] = []


class Cookies(BaseModel):
    session_id: str
    fatebook_tracker: str | None = None
    googall_tracker: str | None = None


def models_app(fw: SimpleNamespace) -> Any:
    app = fw.FastAPI()

    @app.get("/items/")
    def read_items(headers: Annotated[CommonHeaders, fw.Header()]) -> CommonHeaders:
        return headers

    @app.get("/strict/")
    def strict(headers: Annotated[StrictHeaders, fw.Header()]) -> StrictHeaders:
        return headers

    @app.get("/no-underscores/")  # FastAPI's tutorial003: the model's names as written
    def no_underscores(headers: Annotated[CommonHeaders, fw.Header(convert_underscores=False)]) -> CommonHeaders:
        return headers

    @app.get("/aliased/")
    def aliased(headers: Annotated[AliasedHeaders, fw.Header()]) -> dict[str, Any]:
        return headers.model_dump()

    @app.get("/filter/")
    def filtered(params: Annotated[FilterParams, fw.Query()]) -> FilterParams:
        return params

    @app.get("/cookies/")
    def cookies(values: Annotated[Cookies, fw.Cookie()]) -> Cookies:
        return values

    @app.get("/tokens/")
    def tokens(x_token: Annotated[list[str] | None, fw.Header()] = None) -> dict[str, Any]:
        return {"X-Token values": x_token}

    @app.get("/one-cookie/")
    def one_cookie(ads_id: Annotated[str | None, fw.Cookie()] = None) -> dict[str, Any]:
        return {"ads_id": ads_id}

    return app


@pytest.mark.parametrize(("url", "headers"), [
    ("/items/", [("save-data", "true"), ("if-modified-since", "yesterday"), ("traceparent", "123"),
                 ("x-tag", "one"), ("x-tag", "two")]),
    ("/items/", [("save-data", "true")]),
    ("/no-underscores/", []),  # 422: loc "save_data", as written
    ("/aliased/", []), ("/aliased/", [("q", "x")]),  # 422s: loc "p_alias", the explicit alias as written
    ("/items/", []),  # 422: the missing field and the headers the client sent
    ("/items/", [("save-data", "true"), ("tool", "plumbus")]),
    ("/items/", [("save-data", "maybe")]),
    ("/strict/", [("save-data", "true")]),  # extra="forbid": the client's own headers are extra
    ("/tokens/", [("x-token", "foo"), ("x-token", "bar")]),
    ("/tokens/", [("x-token", "foo")]),
    ("/tokens/", []),
])
def test_header_models_and_repeats(url: str, headers: list[tuple[str, str]]) -> None:
    check(models_app, "GET", url, headers=headers)


@pytest.mark.parametrize("url", [
    "/filter/", "/filter/?limit=5&tags=a&tags=b", "/filter/?limit=x", "/filter/?tool=plumbus",
    "/filter/?limit=1&offset=-3&order_by=updated_at",
])
def test_query_model(url: str) -> None:
    check(models_app, "GET", url)


@pytest.mark.parametrize("headers", [
    [],
    [("cookie", "session_id=123; fatebook_tracker=abc")],
    [("cookie", "session_id=123"), ("cookie", "googall_tracker=xyz")],  # two Cookie lines: both are read
    [("cookie", "fatebook_tracker=abc")],
])
def test_cookie_model(headers: list[tuple[str, str]]) -> None:
    check(models_app, "GET", "/cookies/", headers=headers)


def test_repeated_cookie_header() -> None:
    check(models_app, "GET", "/one-cookie/", headers=[("cookie", "a=1"), ("cookie", "ads_id=7")])


def test_openapi() -> None:
    check(models_app, "GET", "/openapi.json")
