"""FastAPI's "Path Operation Advanced Configuration" (and "Path Operation Configuration") tutorials, against
FastAPI: ``operation_id`` set per route or from the function names after the routes exist, routes left out
of the schema, ``openapi_extra`` (extensions and a request body the endpoint parses itself), the docstring
cut at ``\\f``, summary/description/response_description/deprecated/tags, and ``generate_unique_id_function``.
"""

import json
from enum import Enum
from types import SimpleNamespace
from typing import Any

import fastapi.routing
import pytest
from pydantic import BaseModel, ValidationError

import fastrapi.routing
from tests.differential import FASTAPI, FASTRAPI, check


class Item(BaseModel):
    name: str
    tags: list[str] = []


class Tags(Enum):
    items = "items"
    users = "users"


def route_class(fw: SimpleNamespace) -> Any:
    return (fastapi.routing if fw.name == "fastapi" else fastrapi.routing).APIRoute


def config_app(fw: SimpleNamespace, rename: bool = True) -> Any:
    app = fw.FastAPI()

    @app.get("/items/", operation_id="some_specific_id_you_define")
    def read_items() -> list[dict[str, str]]:
        return [{"item_id": "Foo"}]

    @app.get("/hidden/", include_in_schema=False)
    def hidden() -> dict[str, str]:
        return {"hidden": "but served"}

    @app.get("/extended/", openapi_extra={"x-aperture-labs-portal": "blue", "externalDocs": {"url": "https://x.y"}})
    def extended() -> dict[str, str]:
        return {"item_id": "portal-gun"}

    @app.post("/raw-body/", openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": Item.model_json_schema()}},
            "required": True,
        },
    })
    async def raw_body(request: fw.Request) -> Any:
        raw = await request.body()
        try:
            item = Item.model_validate(json.loads(raw or b"null"))
        except (ValueError, ValidationError) as exc:
            errors = exc.errors(include_url=False) if isinstance(exc, ValidationError) else [{"msg": str(exc)}]
            raise fw.HTTPException(status_code=422, detail=errors) from None
        return item

    @app.post("/merged/", openapi_extra={"requestBody": {"description": "extra words"}, "parameters": [
        {"name": "X-Extra", "in": "header", "schema": {"type": "string"}}]})
    def merged(item: Item, q: int = 0) -> Item:
        return item

    @app.post("/described/", response_model=Item, summary="Create an item",
              response_description="The created item", tags=[Tags.items], deprecated=True)
    def create_item(item: Item) -> Item:
        """
        Create an item with all the information:

        - **name**: each item must have a name
        - **tags**: a set of unique tag strings for this item
        \f
        :param item: User input.
        """
        return item

    @app.get("/users/", tags=[Tags.users], name="List all users")
    def read_users() -> list[str]:
        return ["rick", "morty"]

    @app.get("/users/{user_id}", tags=["users"], responses={404: {"description": "No such user"}})
    def read_user(user_id: int) -> dict[str, int]:
        return {"user_id": user_id}

    if rename:
        # After all routes exist: operation ids from the function names (the tutorial's helper).
        for route in app.routes:
            if isinstance(route, route_class(fw)) and route.operation_id is None:
                route.operation_id = route.name

    return app


def config_app_as_built(fw: SimpleNamespace) -> Any:
    return config_app(fw, rename=False)


@pytest.mark.parametrize(("method", "url", "kwargs"), [
    ("GET", "/items/", {}),
    ("GET", "/hidden/", {}),
    ("GET", "/extended/", {}),
    ("POST", "/raw-body/", {"json": {"name": "x", "tags": ["a"]}}),
    ("POST", "/raw-body/", {"json": {"tags": "nope"}}),
    ("POST", "/merged/?q=2", {"json": {"name": "m"}}),
    ("POST", "/described/", {"json": {"name": "d"}}),
    ("GET", "/users/", {}),
    ("GET", "/users/3", {}),
])
def test_path_operation_config(method: str, url: str, kwargs: dict[str, Any]) -> None:
    check(config_app, method, url, **kwargs)


def test_openapi_as_built() -> None:
    check(config_app_as_built, "GET", "/openapi.json")


def test_openapi_after_renaming_operation_ids() -> None:
    check(config_app, "GET", "/openapi.json")


def test_route_names_become_operation_ids() -> None:
    ids = []
    for fw in (FASTAPI, FASTRAPI):
        document = fw.TestClient(config_app(fw)).get("/openapi.json").json()
        ids.append({path: [op["operationId"] for op in ops.values()] for path, ops in document["paths"].items()})
    assert ids[1] == ids[0]
    assert ids[1]["/items/"] == ["some_specific_id_you_define"]
    assert ids[1]["/users/"] == ["List all users"]
    assert "/hidden/" not in ids[1]


def custom_ids_app(fw: SimpleNamespace) -> Any:
    def tag_and_name(route: Any) -> str:
        return f"{route.tags[0]}-{route.name}"

    app = fw.FastAPI(generate_unique_id_function=tag_and_name)
    router = fw.APIRouter(prefix="/users", tags=["users"], generate_unique_id_function=lambda r: f"r-{r.name}")

    @app.get("/items/", tags=["items"])
    def list_items() -> list[str]:
        return []

    @app.post("/items/", tags=["items"])
    def make_item(item: Item) -> Item:
        return item

    @router.get("/")
    def list_users() -> list[str]:
        return []

    @router.post("/", generate_unique_id_function=lambda r: f"own-{r.name}")
    def make_user(item: Item) -> Item:
        return item

    app.include_router(router)
    return app


def test_generate_unique_id_function() -> None:
    check(custom_ids_app, "GET", "/openapi.json")


def renamed_later_app(fw: SimpleNamespace) -> Any:
    """Operation ids set after the routes exist, on the app's routes and on an included router's."""
    app = fw.FastAPI()
    router = fw.APIRouter(prefix="/r")

    @router.post("/items/")
    def make(item: Item, q: int = 0) -> Item:
        return item

    @app.post("/direct/")
    def direct(a: Item, b: Item) -> Item:
        return a

    app.include_router(router)
    for routes, prefix in ((app.routes, ""), (router.routes, "renamed_")):
        for route in routes:
            if isinstance(route, route_class(fw)) and route.operation_id is None:
                route.operation_id = prefix + route.name
    return app


def test_openapi_after_renaming_direct_and_included_routes() -> None:
    document = check(renamed_later_app, "GET", "/openapi.json").json()
    assert "Body_direct_direct__post" in document["components"]["schemas"]  # named as built
    assert [op["operationId"] for ops in document["paths"].values() for op in ops.values()] == [
        "direct", "renamed_make"]
