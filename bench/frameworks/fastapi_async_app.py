"""FastAPI, ``async def`` endpoints; uvicorn loads ``bench.frameworks.fastapi_async_app:app``.

Scenario 5 awaits ``asyncio.sleep(0.01)``: a blocking ``time.sleep`` in ``async def`` would stop the event loop.
"""

from __future__ import annotations

import asyncio

from fastapi import BackgroundTasks, FastAPI

from bench.frameworks.common import ITEMS, ROUTES, SLEEP, Item, record

app = FastAPI()


@app.get("/hello")
async def hello():
    return {"Hello": "World"}


@app.get("/items/{item_id}")
async def read_item(item_id: int, q: str, limit: int):
    return {"item_id": item_id, "q": q, "limit": limit}


@app.post("/items")
async def create_item(item: Item) -> Item:
    return item


@app.post("/tasks")
async def create_task(item: Item, background_tasks: BackgroundTasks):
    background_tasks.add_task(record, item.name)
    return {"queued": True}


@app.get("/sleep")
async def sleep():
    await asyncio.sleep(SLEEP)
    return {"slept": True}


@app.get("/models")
async def models() -> list[Item]:
    return ITEMS


def route(i: int):
    async def endpoint(x: int):
        return {"route": i, "x": x}
    return endpoint


# Scenario 6 on its own app, so that the 200 routes do not weigh on the other scenarios.
routes_app = FastAPI()
routes_app.get("/hello")(hello)  # readiness check
for i in range(ROUTES):
    routes_app.get(f"/r{i}/{{x}}")(route(i))
