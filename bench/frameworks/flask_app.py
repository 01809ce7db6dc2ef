"""Flask, pydantic by hand for the body; gunicorn loads ``bench.frameworks.flask_app:app``.
No background tasks (scenario 4 is n/a)."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, request

from bench.frameworks.common import ITEMS, ROUTES, SLEEP, Item

app = Flask(__name__)


@app.get("/hello")
def hello() -> dict[str, str]:
    return {"Hello": "World"}


@app.get("/items/<int:item_id>")
def read_item(item_id: int) -> dict[str, Any]:
    return {"item_id": item_id, "q": request.args["q"], "limit": request.args.get("limit", type=int)}


@app.post("/items")
def create_item() -> dict[str, Any]:
    return Item.model_validate(request.get_json()).model_dump()


@app.get("/sleep")
def sleep() -> dict[str, bool]:
    time.sleep(SLEEP)
    return {"slept": True}


@app.get("/models")
def models() -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in ITEMS]


def route(i: int) -> Any:
    def endpoint(x: int) -> dict[str, int]:
        return {"route": i, "x": x}
    return endpoint


# Scenario 6 on its own app, so that the 200 routes do not weigh on the other scenarios.
routes_app = Flask(__name__)
routes_app.add_url_rule("/hello", "hello", hello)  # readiness check
for i in range(ROUTES):
    routes_app.add_url_rule(f"/r{i}/<int:x>", f"route{i}", route(i))
