"""fastrapi, ``def`` endpoints. ``python bench/frameworks/fastrapi_app.py PORT`` runs ``app.serve()``;
gunicorn loads ``bench.frameworks.fastrapi_app:app``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: the checkout first

from bench.frameworks.common import ITEMS, ROUTES, SLEEP, Item, record
from fastrapi import BackgroundTasks, FastrAPI

app = FastrAPI()


# Dicts go out without a return annotation (it would become a response model); `-> Item` and
# `-> list[Item]` are response models on purpose: validated and serialized, as users write them.
@app.get("/hello")
def hello():
    return {"Hello": "World"}


@app.get("/items/{item_id}")
def read_item(item_id: int, q: str, limit: int):
    return {"item_id": item_id, "q": q, "limit": limit}


@app.post("/items")
def create_item(item: Item) -> Item:
    return item


@app.post("/tasks")
def create_task(item: Item, background_tasks: BackgroundTasks):
    background_tasks.add_task(record, item.name)
    return {"queued": True}


@app.get("/sleep")
def sleep():
    time.sleep(SLEEP)
    return {"slept": True}


@app.get("/models")
def models() -> list[Item]:
    return ITEMS


def route(i: int):
    def endpoint(x: int):
        return {"route": i, "x": x}
    return endpoint


# Scenario 6 on its own app, so that the 200 routes do not weigh on the other scenarios.
routes_app = FastrAPI()
routes_app.get("/hello")(hello)  # readiness check
for i in range(ROUTES):
    routes_app.get(f"/r{i}/{{x}}")(route(i))


if __name__ == "__main__":
    # python fastrapi_app.py PORT [app|routes_app]
    globals()[sys.argv[2] if len(sys.argv) > 2 else "app"].serve("127.0.0.1", int(sys.argv[1]), access_log=False)
