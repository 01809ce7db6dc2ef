"""Form parameters typed as a union of models, on FastAPI and on fastrapi: the same form gives the same
status, headers and body (``check``), for good input and bad, urlencoded and multipart, and the same
OpenAPI document.

A form is flat, so each branch of the union reads its own fields from the whole form; a discriminator
picks the branch from the raw form, a plain union lets pydantic choose, and an optional union is
``None`` when no field of any branch is sent. Then two cases the union forms brought up that hold for
every parameter: two parameters reading one request name, and a JSON-string field of a model.
"""

from types import SimpleNamespace
from typing import Annotated, Any, Literal

import pytest

pytest.importorskip("fastapi")
pytest.register_assert_rewrite("tests.differential")

import fastapi  # noqa: E402
from pydantic import BaseModel, ConfigDict, Json  # noqa: E402

import fastrapi  # noqa: E402
from tests.differential import FASTAPI, FASTRAPI, check  # noqa: E402

for _ns, _module in ((FASTAPI, fastapi), (FASTRAPI, fastrapi)):
    for _name in ("Form", "File", "UploadFile"):
        setattr(_ns, _name, getattr(_module, _name))


Case = tuple[str, dict[str, Any]]


# -- unions of form models -----------------------------------------------------------------------


class Courier(BaseModel):
    method: Literal["courier"]
    street: str
    floor: int | None = None


class Locker(BaseModel):
    method: Literal["locker"]
    locker_id: str


class Card(BaseModel):
    pay: Literal["card"]
    card_number: str


class Invoice(BaseModel):
    pay: Literal["invoice"]
    vat_id: str
    copies_to: list[str] = []


class Poll(BaseModel):
    answers: list[str]
    note: str = ""


class Rating(BaseModel):
    stars: int
    note: str = ""


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["batch"]
    sizes: Json[list[int]]


class Single(BaseModel):
    kind: Literal["single"]
    size: int


def shop_app(fw: SimpleNamespace) -> Any:
    Form, File, UploadFile = fw.Form, fw.File, fw.UploadFile
    app = fw.FastAPI()

    @app.post("/delivery/")
    def delivery(shipping: Annotated[Courier | Locker, Form(discriminator="method")]):
        return shipping

    @app.post("/feedback/")
    def feedback(entry: Annotated[Poll | Rating, Form()]):
        return {"kind": type(entry).__name__, "entry": entry}

    @app.post("/maybe-delivery/")
    def maybe_delivery(shipping: Annotated[Courier | Locker | None, Form(discriminator="method")] = None):
        return shipping

    @app.post("/checkout/")
    def checkout(shipping: Annotated[Courier | Locker, Form(discriminator="method")],
                 order_ref: Annotated[str, Form()],
                 payment: Annotated[Card | Invoice | None, Form(discriminator="pay")] = None):
        return {"shipping": shipping, "payment": payment, "order_ref": order_ref}

    @app.post("/batch/")
    def batch(item: Annotated[Batch | Single, Form(discriminator="kind")]):
        return item

    @app.post("/review/")
    async def review(entry: Annotated[Poll | Rating, Form()], photo: Annotated[UploadFile, File()],
                     photo_bytes: Annotated[bytes, File(alias="photo")]):
        return {"entry": entry, "name": photo.filename, "read": (await photo.read()).decode(),
                "bytes": photo_bytes.decode()}

    return app


def _parts(*pairs: tuple[str, str]) -> dict[str, Any]:
    """The same fields as a multipart body (``(None, value)`` parts, repeated names kept)."""
    return {"files": [(name, (None, value)) for name, value in pairs]}


CASES: list[Case] = [
    # discriminated: the tag picks the branch, errors are under the tag
    ("/delivery/", {"data": {"method": "courier", "street": "Elm 4", "floor": "3"}}),
    ("/delivery/", {"data": {"method": "locker", "locker_id": "L-17", "street": "ignored"}}),
    ("/delivery/", {"data": {"method": "courier"}}),
    ("/delivery/", {"data": {"method": "courier", "street": "", "floor": "high"}}),
    ("/delivery/", {"data": {"street": "Elm 4"}}),  # union_tag_not_found
    ("/delivery/", {"data": {"method": "drone", "street": "Elm 4"}}),  # union_tag_invalid
    ("/delivery/", {"data": {"method": ""}}),
    ("/delivery/", {"data": {"method": ["courier", "locker"], "street": "Elm 4"}}),
    ("/delivery/", {}),
    ("/delivery/", {"json": {"method": "locker", "locker_id": "L-17"}}),
    ("/delivery/", _parts(("method", "locker"), ("locker_id", "L-9"))),
    ("/delivery/", _parts(("method", "courier"), ("street", ""))),
    # plain union: pydantic chooses, errors are under each model's name
    ("/feedback/", {"data": {"answers": ["yes", "", "no"], "note": "quick"}}),
    ("/feedback/", {"data": {"answers": "only one"}}),
    ("/feedback/", {"data": {"stars": "4"}}),
    ("/feedback/", {"data": {"stars": "four", "note": "x"}}),
    ("/feedback/", {"data": {"note": "nothing else"}}),
    ("/feedback/", {}),
    ("/feedback/", _parts(("answers", ""), ("answers", "b"), ("stars", "2"))),
    # optional: None when no field of any branch is sent
    ("/maybe-delivery/", {}),
    ("/maybe-delivery/", {"data": {"unrelated": "x"}}),
    ("/maybe-delivery/", _parts(("unrelated", "x"))),
    ("/maybe-delivery/", {"data": {"method": "locker", "locker_id": "L-1"}}),
    ("/maybe-delivery/", {"data": {"street": ""}}),  # a branch's field sent, even empty: no tag
    ("/maybe-delivery/", {"data": {"method": "courier"}}),
    # two unions and a plain field in one form
    ("/checkout/", {"data": {"method": "courier", "street": "Elm 4", "order_ref": "A1"}}),
    ("/checkout/", {"data": {"method": "locker", "locker_id": "L-2", "pay": "card", "card_number": "4242",
                             "order_ref": "A2"}}),
    ("/checkout/", {"data": {"method": "locker", "locker_id": "L-2", "pay": "invoice", "vat_id": "DE1",
                             "copies_to": ["a@example.com", "", "b@example.com"], "order_ref": "A3"}}),
    ("/checkout/", {"data": {"method": "courier", "pay": "cash"}}),
    ("/checkout/", {"data": {"order_ref": "A4", "pay": "invoice"}}),
    ("/checkout/", _parts(("method", "courier"), ("street", "Oak 1"), ("pay", "invoice"), ("vat_id", "FR2"),
                          ("copies_to", "c@example.com"), ("order_ref", "A5"))),
    # a JSON-string field is one value, not a list; a closed branch refuses the other fields
    ("/batch/", {"data": {"kind": "batch", "sizes": "[1, 2, 3]"}}),
    ("/batch/", {"data": {"kind": "batch", "sizes": "[1, 2]", "size": "4"}}),
    ("/batch/", {"data": {"kind": "batch", "sizes": "not json"}}),
    ("/batch/", {"data": {"kind": "single", "size": "4", "sizes": "[1]"}}),
    # a union next to files, one of them read twice (as an upload and as bytes)
    ("/review/", {"data": {"stars": "5"}, "files": [("photo", ("cat.txt", b"meow", "text/plain"))]}),
    ("/review/", {"data": {"answers": ["a", "b"]}, "files": [("photo", ("dog.txt", b"woof", "text/plain"))]}),
    ("/review/", {"data": {"stars": "5"}}),
]


@pytest.mark.parametrize(("url", "kwargs"), CASES, ids=[f"{i}:{url}" for i, (url, _) in enumerate(CASES)])
def test_form_union(url: str, kwargs: dict[str, Any]) -> None:
    check(shop_app, "POST", url, **kwargs)


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


def test_openapi_document_of_form_unions() -> None:
    check(shop_app, "GET", "/openapi.json")
