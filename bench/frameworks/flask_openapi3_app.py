"""flask-openapi3 (pydantic-validated path, query and body; responses dumped by hand); gunicorn loads
``bench.frameworks.flask_openapi3_app:app``. No background tasks (scenario 4 is n/a)."""

from __future__ import annotations

import time
from typing import Any

from flask_openapi3 import OpenAPI
from pydantic import BaseModel

from bench.frameworks.common import ITEMS, ROUTES, SLEEP, Item

app = OpenAPI(__name__)


class ItemPath(BaseModel):
    item_id: int


class ItemQuery(BaseModel):
    q: str
    limit: int


class RoutePath(BaseModel):
    x: int


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"Hello": "World"}


@app.get("/items/<int:item_id>")
def read_item(path: ItemPath, query: ItemQuery) -> dict[str, Any]:
    return {"item_id": path.item_id, "q": query.q, "limit": query.limit}


@app.post("/items")
def create_item(body: Item) -> dict[str, Any]:
    return body.model_dump()


@app.get("/sleep")
def sleep() -> dict[str, bool]:
    time.sleep(SLEEP)
    return {"slept": True}


@app.get("/models")
def models() -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in ITEMS]


def route(i: int) -> Any:
    def endpoint(path: RoutePath) -> dict[str, int]:
        return {"route": i, "x": path.x}
    endpoint.__name__ = f"route{i}"  # Flask endpoint names must be unique
    return endpoint


# Scenario 6 on its own app, so that the 200 routes do not weigh on the other scenarios.
routes_app = OpenAPI(__name__)
routes_app.get("/hello")(hello)  # readiness check
for i in range(ROUTES):
    routes_app.get(f"/r{i}/<int:x>")(route(i))
