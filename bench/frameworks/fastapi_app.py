"""FastAPI, ``def`` endpoints (the fastrapi app with its import changed); uvicorn
loads ``bench.frameworks.fastapi_app:app``."""

from __future__ import annotations

import time

from fastapi import BackgroundTasks, FastAPI

from bench.frameworks.common import ITEMS, ROUTES, SLEEP, Item, record

app = FastAPI()


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
routes_app = FastAPI()
routes_app.get("/hello")(hello)  # readiness check
for i in range(ROUTES):
    routes_app.get(f"/r{i}/{{x}}")(route(i))
