"""``response_class=`` with a return value that is not a Response, against FastAPI: the class builds the answer
(FastAPI's "Custom Response" tutorial), ORJSON/UJSON included, and what happens without orjson/ujson installed.
Annotations stay eager here (no ``from __future__ import annotations``): ``response: fw.Response`` names a local.
"""

import pytest

pytest.register_assert_rewrite("tests.differential")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402
from typing import Any  # noqa: E402

import fastapi.responses  # noqa: E402

import fastrapi.responses  # noqa: E402
from fastrapi import FastrAPI  # noqa: E402
from fastrapi.testclient import TestClient  # noqa: E402
from tests.differential import check  # noqa: E402

# Both frameworks warn that ORJSONResponse/UJSONResponse are deprecated; the warning is not what is compared.
pytestmark = pytest.mark.filterwarnings("ignore:.*JSONResponse is deprecated")

NOTES = Path(__file__).resolve().parent / "fixtures" / "responses" / "notes.txt"


def responses_app(fw: SimpleNamespace) -> Any:
    r = fastapi.responses if fw.name == "fastapi" else fastrapi.responses
    app = fw.FastAPI()

    @app.get("/html", response_class=r.HTMLResponse)
    def html() -> str:
        return "<h1>Hé</h1>"

    @app.get("/text", response_class=r.PlainTextResponse)
    def text() -> str:
        return "plain hé"

    @app.get("/text-created", response_class=r.PlainTextResponse, status_code=201)
    def text_created() -> str:
        return "made"

    @app.get("/redirect", response_class=r.RedirectResponse)
    def redirect() -> str:
        return "/html"

    @app.get("/redirect-302", response_class=r.RedirectResponse, status_code=302)
    def redirect_302() -> str:
        return "https://example.com/a b?q=1"

    @app.get("/redirect-sub", response_class=r.RedirectResponse)
    def redirect_sub(response: fw.Response) -> str:
        response.status_code = 303
        response.headers["x-sub"] = "yes"
        return "/text"

    @app.get("/redirect-sub-headers", response_class=r.RedirectResponse)
    def redirect_sub_headers(response: fw.Response) -> str:
        response.headers["x-sub"] = "only headers"
        return "/text"

    @app.get("/file", response_class=r.FileResponse)
    def file() -> str:
        return str(NOTES)

    @app.get("/file-path", response_class=r.FileResponse)
    def file_path() -> Path:
        return NOTES

    @app.get("/orjson", response_class=r.ORJSONResponse)
    def orjson_answer() -> Any:
        return {"a": 1, "é": [1.5, None], "nan": float("nan")}

    @app.get("/orjson-created", response_class=r.ORJSONResponse, status_code=201)
    def orjson_created() -> Any:
        return [1, 2]

    @app.get("/ujson", response_class=r.UJSONResponse)
    def ujson_answer() -> Any:
        return {"a": 1, "é": [1.5, None]}

    @app.get("/orjson-direct")
    def orjson_direct() -> Any:
        return r.ORJSONResponse({"x": [1, 2]}, status_code=202)

    @app.get("/ujson-direct")
    def ujson_direct() -> Any:
        return r.UJSONResponse({"x": "é"})

    return app


@pytest.mark.parametrize("path", [
    "/html", "/text", "/text-created", "/file", "/file-path", "/orjson",
    "/orjson-created", "/ujson", "/orjson-direct", "/ujson-direct",
])
def test_response_class_builds_the_answer(path: str) -> None:
    check(responses_app, "GET", path)


@pytest.mark.parametrize("path", ["/redirect-302", "/redirect-sub"])
def test_redirect_with_a_status_of_the_route_or_sub_response(path: str) -> None:
    check(responses_app, "GET", path)


# FastAPI passes status_code to the class only when the route or the sub-response chose one.
@pytest.mark.parametrize(("path", "location"), [("/redirect", "/html"), ("/redirect-sub-headers", "/text")])
def test_redirect_class_answers_307_with_location(path: str, location: str) -> None:
    response = check(responses_app, "GET", path)
    assert (response.status_code, response.headers["location"]) == (307, location)


@pytest.mark.parametrize(("cls", "module"), [("ORJSONResponse", "orjson"), ("UJSONResponse", "ujson")])
def test_missing_json_library_names_the_extra(monkeypatch: pytest.MonkeyPatch, cls: str, module: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # `import orjson` now raises ImportError
    response_class = getattr(fastrapi.responses, cls)
    with pytest.raises(ImportError, match=rf"{cls} needs the {module} package: pip install 'fastrapi\[{module}\]'"):
        response_class({"a": 1})

    app = FastrAPI()

    @app.get("/", response_class=response_class)
    def index() -> Any:
        return {"a": 1}

    answer = TestClient(app, raise_server_exceptions=False).get("/")
    assert (answer.status_code, answer.text) == (500, "Internal Server Error")


def test_openapi_of_the_response_classes() -> None:
    # FastAPI documents each class's media type, and a RedirectResponse route without a status as 307.
    check(responses_app, "GET", "/openapi.json")
