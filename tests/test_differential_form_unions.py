"""Form parameters typed as a union of models, on FastAPI and on fastrapi: the same form gives the same
status, headers and body (``check``), for good input and bad, urlencoded and multipart, and the same
OpenAPI document.
"""

from types import SimpleNamespace
from typing import Annotated, Any

import pytest

pytest.importorskip("fastapi")
pytest.register_assert_rewrite("tests.differential")

import fastapi  # noqa: E402
from pydantic import BaseModel, Json  # noqa: E402

import fastrapi  # noqa: E402
from tests.differential import FASTAPI, FASTRAPI, check  # noqa: E402

for _ns, _module in ((FASTAPI, fastapi), (FASTRAPI, fastrapi)):
    for _name in ("Form", "File", "UploadFile"):
        setattr(_ns, _name, getattr(_module, _name))


# -- parameters that read the same request name, each its own way ---------------------------------


def twins_app(fw: SimpleNamespace) -> Any:
    File, UploadFile, Query = fw.File, fw.UploadFile, fw.Query
    app = fw.FastAPI()

    @app.post("/photo/")
    async def photo(upload: Annotated[UploadFile, File(alias="photo")], content: Annotated[bytes, File(alias="photo")]):
        return {"name": upload.filename, "read": (await upload.read()).decode(), "bytes": content.decode()}

    @app.get("/pages/")
    def pages(last: Annotated[int, Query(alias="page")], every: Annotated[list[int], Query(alias="page")]):
        return {"last": last, "every": every}

    return app


@pytest.mark.parametrize(("method", "url", "kwargs"), [
    ("POST", "/photo/", {"files": [("photo", ("cat.txt", b"meow", "text/plain"))]}),
    ("POST", "/photo/", {}),
    ("GET", "/pages/?page=1&page=2", {}),
    ("GET", "/pages/?page=1&page=x", {}),
    ("GET", "/pages/", {}),
])
def test_parameters_sharing_a_name(method: str, url: str, kwargs: dict[str, Any]) -> None:
    check(twins_app, method, url, **kwargs)


# -- a JSON-string field of a parameter model is one value, even of a list ------------------------


class Sizes(BaseModel):
    sizes: Json[list[int]]
    label: str = ""


def json_fields_app(fw: SimpleNamespace) -> Any:
    Form, Query = fw.Form, fw.Query
    app = fw.FastAPI()

    @app.post("/sizes/")
    def form_sizes(data: Annotated[Sizes, Form()]):
        return data

    @app.get("/sizes/")
    def query_sizes(data: Annotated[Sizes, Query()]):
        return data

    return app


@pytest.mark.parametrize(("method", "url", "kwargs"), [
    ("POST", "/sizes/", {"data": {"sizes": "[1, 2]", "label": "s"}}),
    ("POST", "/sizes/", {"data": {"sizes": ["[1]", "[2, 3]"]}}),
    ("POST", "/sizes/", {"data": {"sizes": "nope"}}),
    ("GET", "/sizes/?sizes=[4,5]", {}),
    ("GET", "/sizes/?sizes=[4]&sizes=[5]", {}),
])
def test_json_field_of_a_model(method: str, url: str, kwargs: dict[str, Any]) -> None:
    check(json_fields_app, method, url, **kwargs)
