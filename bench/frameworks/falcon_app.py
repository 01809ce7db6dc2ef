"""Falcon (WSGI), pydantic by hand for the body; gunicorn loads ``bench.frameworks.falcon_app:app``.
WSGI Falcon has no background tasks (``schedule`` is ASGI-only): scenario 4 is n/a."""

from __future__ import annotations

import time

import falcon

from bench.frameworks.common import ITEMS, ROUTES, SLEEP, Item


class Hello:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"Hello": "World"}


class Items:
    def on_get(self, req: falcon.Request, resp: falcon.Response, item_id: int) -> None:
        resp.media = {"item_id": item_id, "q": req.get_param("q", required=True),
                      "limit": req.get_param_as_int("limit", required=True)}

    def on_post_collection(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = Item.model_validate(req.get_media()).model_dump()


class Sleep:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        time.sleep(SLEEP)
        resp.media = {"slept": True}


class Models:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = [item.model_dump(mode="json") for item in ITEMS]


class Route:
    def __init__(self, i: int) -> None:
        self.i = i

    def on_get(self, req: falcon.Request, resp: falcon.Response, x: int) -> None:
        resp.media = {"route": self.i, "x": x}


app = falcon.App()
app.add_route("/hello", Hello())
items = Items()
app.add_route("/items/{item_id:int}", items)
app.add_route("/items", items, suffix="collection")
app.add_route("/sleep", Sleep())
app.add_route("/models", Models())
# Scenario 6 on its own app, so that the 200 routes do not weigh on the other scenarios.
routes_app = falcon.App()
routes_app.add_route("/hello", Hello())  # readiness check
for i in range(ROUTES):
    routes_app.add_route(f"/r{i}/{{x:int}}", Route(i))
