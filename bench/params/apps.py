"""The same two endpoints on fastrapi, FastAPI and Falcon: a path+query GET and a pydantic-body POST.

``GET /items/{item_id}?q=str&limit=int`` answers ``{"item_id", "q", "limit"}``; ``POST /items`` validates an
``Item`` from JSON and echoes it. Falcon has no parameter declarations: its handlers convert and validate by
hand (int path converter, ``get_param_as_int``, ``Item.model_validate_json``), the usual way to use it.
"""

from typing import Annotated, Any

import falcon
import fastapi
from pydantic import BaseModel, Field, ValidationError

import fastrapi


class Item(BaseModel):
    name: str
    price: float = Field(gt=0)
    quantity: int
    tags: list[str]
    in_stock: bool


ITEM_JSON = b'{"name": "widget", "price": 9.99, "quantity": 3, "tags": ["red", "small", "sale"], "in_stock": true}'


def fastrapi_app() -> Any:
    Query = fastrapi.Query
    app = fastrapi.FastAPI()

    @app.get("/items/{item_id}")
    def read_item(item_id: int, q: Annotated[str | None, Query(max_length=50)] = None, limit: int = 10):
        return {"item_id": item_id, "q": q, "limit": limit}

    @app.post("/items")
    def create_item(item: Item) -> Item:
        return item

    return app


def fastapi_app(asynchronous: bool = False) -> Any:
    # The endpoints are the same source text as fastrapi's; their annotations resolve at definition time.
    Query = fastapi.Query
    app = fastapi.FastAPI()
    if asynchronous:
        @app.get("/items/{item_id}")
        async def read_item(item_id: int, q: Annotated[str | None, Query(max_length=50)] = None, limit: int = 10):
            return {"item_id": item_id, "q": q, "limit": limit}

        @app.post("/items")
        async def create_item(item: Item) -> Item:
            return item
    else:
        @app.get("/items/{item_id}")
        def read_item_sync(item_id: int, q: Annotated[str | None, Query(max_length=50)] = None, limit: int = 10):
            return {"item_id": item_id, "q": q, "limit": limit}

        @app.post("/items")
        def create_item_sync(item: Item) -> Item:
            return item

    return app


def falcon_app() -> Any:
    class ItemResource:
        def on_get(self, req: Any, resp: Any, item_id: int) -> None:
            q = req.get_param("q")
            if q is not None and len(q) > 50:
                raise falcon.HTTPBadRequest(title="q too long")
            limit = req.get_param_as_int("limit", default=10)
            resp.media = {"item_id": item_id, "q": q, "limit": limit}

    class ItemsResource:
        def on_post(self, req: Any, resp: Any) -> None:
            try:
                item = Item.model_validate_json(req.bounded_stream.read())
            except ValidationError as exc:
                raise falcon.HTTPUnprocessableEntity(description=str(exc)) from None
            resp.data = item.model_dump_json().encode()
            resp.content_type = falcon.MEDIA_JSON

    app = falcon.App()
    app.add_route("/items/{item_id:int}", ItemResource())
    app.add_route("/items", ItemsResource())
    return app
