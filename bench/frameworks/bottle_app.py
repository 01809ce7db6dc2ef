"""Bottle, pydantic by hand for the body; gunicorn loads ``bench.frameworks.bottle_app:app``.
No background tasks (scenario 4 is n/a)."""

from __future__ import annotations

import json
import time
from typing import Any

import bottle
from bottle import request, response

from bench.frameworks.common import ITEMS, ROUTES, SLEEP, Item

app = bottle.Bottle()


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"Hello": "World"}


@app.get("/items/<item_id:int>")
def read_item(item_id: int) -> dict[str, Any]:
    return {"item_id": item_id, "q": request.query["q"], "limit": int(request.query["limit"])}


@app.post("/items")
def create_item() -> dict[str, Any]:
    return Item.model_validate(request.json).model_dump()


@app.get("/sleep")
def sleep() -> dict[str, bool]:
    time.sleep(SLEEP)
    return {"slept": True}


@app.get("/models")
def models() -> str:
    response.content_type = "application/json"  # Bottle turns only dicts into JSON
    return json.dumps([item.model_dump(mode="json") for item in ITEMS])


def route(i: int) -> Any:
    def endpoint(x: int) -> dict[str, int]:
        return {"route": i, "x": x}
    return endpoint


# Scenario 6 on its own app, so that the 200 routes do not weigh on the other scenarios.
routes_app = bottle.Bottle()
routes_app.get("/hello")(hello)  # readiness check
for i in range(ROUTES):
    routes_app.get(f"/r{i}/<x:int>")(route(i))
