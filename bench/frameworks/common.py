"""What every framework app shares: the pydantic model, the 100 models of scenario 7, the scenarios themselves."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import BaseModel, TypeAdapter

ROUTES = 200  # scenario 6: /r0/{x} ... /r199/{x}, registered after every other route
SLEEP = 0.01  # scenario 5: seconds of blocking time.sleep per request
TASKS_DONE = [0]  # scenario 4: the background task counts here


class Item(BaseModel):
    name: str
    price: float
    quantity: int
    tags: list[str]
    in_stock: bool


ITEMS = [Item(name=f"item{i}", price=i + 0.5, quantity=i, tags=["a", "b", str(i)], in_stock=i % 2 == 0)
         for i in range(100)]
ITEMS_ADAPTER = TypeAdapter(list[Item])


def record(name: str) -> None:
    """The background task of scenario 4."""
    TASKS_DONE[0] += 1


ITEM_JSON = {"name": "widget", "price": 9.99, "quantity": 3, "tags": ["red", "small", "sale"], "in_stock": True}


@dataclass(frozen=True)
class Scenario:
    key: str  # short column name
    title: str
    method: str
    path: str
    expected: object  # the JSON body a correct app answers
    body: bytes = b""
    connections: int | None = None  # None: the run's --connections


SCENARIOS = [
    Scenario("hello", "1. GET JSON hello", "GET", "/hello", {"Hello": "World"}),
    Scenario("path+query", "2. GET /items/{int}?q=str&limit=int", "GET", "/items/42?q=foo&limit=10",
             {"item_id": 42, "q": "foo", "limit": 10}),
    Scenario("post model", "3. POST a pydantic model, echoed", "POST", "/items", ITEM_JSON,
             json.dumps(ITEM_JSON).encode()),
    Scenario("post + bg task", "4. POST + one background task", "POST", "/tasks", {"queued": True},
             json.dumps(ITEM_JSON).encode()),
    Scenario("sleep 10ms @200", "5. def endpoint, time.sleep(0.01), 200 connections", "GET", "/sleep",
             {"slept": True}, connections=200),
    Scenario("route 200/200", "6. last of 200 routes", "GET", f"/r{ROUTES - 1}/7", {"route": ROUTES - 1, "x": 7}),
    Scenario("100 models", "7. response of 100 pydantic models", "GET", "/models",
             ITEMS_ADAPTER.dump_python(ITEMS, mode="json")),
]
