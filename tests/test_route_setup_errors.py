# ruff: noqa: B008  (FastAPI-style markers as defaults)
"""Mistakes FastAPI refuses where the route is added, refused the same way on both frameworks: a path
parameter that is not a scalar and a query parameter that cannot be read from a query string
(``AssertionError``), a ``pydantic.v1`` model as a parameter or response model
(``PydanticV1NotSupportedError``)."""

import warnings
from types import SimpleNamespace
from typing import Annotated, Any

import fastapi
import fastapi.exceptions
import pytest
from pydantic import BaseModel

import fastrapi
import fastrapi.exceptions
from tests.differential import FASTAPI, FASTRAPI

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pydantic import v1


class Item(BaseModel):
    title: str


class ItemV1(v1.BaseModel):
    title: str


FRAMEWORKS = pytest.mark.parametrize("fw", [FASTAPI, FASTRAPI], ids=lambda fw: fw.name)


def _v1_error(fw: SimpleNamespace) -> type[Exception]:
    module = fastapi.exceptions if fw.name == "fastapi" else fastrapi.exceptions
    error: type[Exception] = module.PydanticV1NotSupportedError
    return error


def _route(fw: SimpleNamespace, path: str, annotation: Any, **decorator: Any) -> None:
    app = fw.FastAPI()

    def endpoint(value: annotation) -> None: ...  # type: ignore[valid-type]

    app.get(path, **decorator)(endpoint)


PATH_TYPES = {
    "list[Item]": lambda fw: list[Item], "tuple[Item, Item]": lambda fw: tuple[Item, Item],
    "dict[str, Item]": lambda fw: dict[str, Item], "list": lambda fw: list, "tuple": lambda fw: tuple,
    "set": lambda fw: set, "dict": lambda fw: dict, "Item": lambda fw: Item,
    "Annotated[list[int], Path()]": lambda fw: Annotated[list[int], fw.Path()],
}


@FRAMEWORKS
@pytest.mark.parametrize("annotation", PATH_TYPES)
def test_a_path_parameter_must_be_a_scalar(fw: SimpleNamespace, annotation: str) -> None:
    with pytest.raises(AssertionError, match=r"^Path params must be of one of the supported types"):
        _route(fw, "/items/{value}", PATH_TYPES[annotation](fw))


@FRAMEWORKS
@pytest.mark.parametrize("annotation", [list[Item], tuple[Item, Item], dict[str, Item], dict | None], ids=repr)
def test_a_query_parameter_must_be_a_scalar_or_a_list_of_scalars(fw: SimpleNamespace, annotation: Any) -> None:
    app = fw.FastAPI()

    def endpoint(value: annotation = fw.Query(default=None)) -> None: ...  # type: ignore[valid-type]

    with pytest.raises(AssertionError, match=r"^Query parameter 'value' must be one of the supported types"):
        app.get("/items/")(endpoint)


@FRAMEWORKS
@pytest.mark.parametrize("annotation", [int, list[int], tuple[int, ...], set[str], Annotated[int, "x"]], ids=repr)
def test_scalars_and_lists_of_scalars_are_fine(fw: SimpleNamespace, annotation: Any) -> None:
    app = fw.FastAPI()

    @app.get("/items/{item_id}")
    def endpoint(item_id: int, value: annotation = fw.Query(default=None)) -> None: ...  # type: ignore[valid-type]


@FRAMEWORKS
@pytest.mark.parametrize("annotation", [ItemV1, dict | ItemV1, list[ItemV1], ItemV1 | None], ids=repr)
def test_a_pydantic_v1_parameter_is_refused(fw: SimpleNamespace, annotation: Any) -> None:
    app = fw.FastAPI()

    def endpoint(data: annotation) -> None: ...  # type: ignore[valid-type]

    with pytest.raises(_v1_error(fw), match=r"^pydantic.v1 models are no longer supported by FastAPI"):
        app.post("/items")(endpoint)


@FRAMEWORKS
@pytest.mark.parametrize("where", ["return annotation", "response_model", "responses", "list response_model"])
def test_a_pydantic_v1_response_model_is_refused(fw: SimpleNamespace, where: str) -> None:
    app = fw.FastAPI()
    decorator: dict[str, Any] = {
        "response_model": {"response_model": ItemV1}, "responses": {"response_model": None,
                                                                  "responses": {400: {"model": ItemV1}}},
        "list response_model": {"response_model": list[ItemV1]},
    }.get(where, {})

    def endpoint() -> ItemV1:
        return ItemV1(title="x")  # pragma: no cover

    if where != "return annotation":
        endpoint.__annotations__.pop("return")
    with pytest.raises(_v1_error(fw), match=r"^pydantic.v1 models are no longer supported by FastAPI"):
        app.get("/items", **decorator)(endpoint)


def test_the_errors_are_fastrapi_setup_errors_too() -> None:
    app = fastrapi.FastAPI()

    def endpoint(value: list[Item]) -> None: ...

    with pytest.raises(fastrapi.exceptions.FastrAPIError):
        app.get("/items/{value}")(endpoint)
    assert issubclass(fastrapi.exceptions.PydanticV1NotSupportedError, fastrapi.exceptions.FastAPIError)
