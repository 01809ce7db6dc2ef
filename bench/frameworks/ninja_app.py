"""Django Ninja on a minimal Django (no middleware, no database); gunicorn loads
``bench.frameworks.ninja_app:app``. No background tasks (scenario 4 is n/a)."""

from __future__ import annotations

import time
from typing import Any, ClassVar

import django
from django.conf import settings

settings.configure(DEBUG=False, SECRET_KEY="bench", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, MIDDLEWARE=[],
                   INSTALLED_APPS=[], USE_TZ=True)
django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.http import HttpRequest, HttpResponseBase  # noqa: E402
from django.urls import path  # noqa: E402
from ninja import NinjaAPI  # noqa: E402

from bench.frameworks.common import ITEMS, ROUTES, SLEEP, Item  # noqa: E402

api = NinjaAPI(docs_url=None)


@api.get("/hello")
def hello(request: HttpRequest) -> dict[str, str]:
    return {"Hello": "World"}


@api.get("/items/{item_id}")
def read_item(request: HttpRequest, item_id: int, q: str, limit: int) -> dict[str, Any]:
    return {"item_id": item_id, "q": q, "limit": limit}


@api.post("/items", response=Item)
def create_item(request: HttpRequest, item: Item) -> Item:
    return item


@api.get("/sleep")
def sleep(request: HttpRequest) -> dict[str, bool]:
    time.sleep(SLEEP)
    return {"slept": True}


@api.get("/models", response=list[Item])
def models(request: HttpRequest) -> list[Item]:
    return ITEMS


def route(i: int) -> Any:
    def endpoint(request: HttpRequest, x: int) -> dict[str, int]:
        return {"route": i, "x": x}
    endpoint.__name__ = f"route{i}"  # ninja's operation ids must be unique
    return endpoint


# Scenario 6 on its own API and URLconf, so that the 200 routes do not weigh on the other scenarios.
routes_api = NinjaAPI(docs_url=None, urls_namespace="routes")
routes_api.get("/hello")(hello)  # readiness check
for i in range(ROUTES):
    routes_api.get(f"/r{i}/{{x}}")(route(i))

urlpatterns = [path("", api.urls)]


class RoutesURLconf:
    urlpatterns: ClassVar[list[Any]] = [path("", routes_api.urls)]


class Handler(WSGIHandler):
    """Django's WSGI handler with a URLconf of its own (Django resolves ``request.urlconf`` first)."""

    def __init__(self, urlconf: Any = None) -> None:
        super().__init__()
        self.urlconf = urlconf

    def get_response(self, request: HttpRequest) -> HttpResponseBase:
        if self.urlconf is not None:
            request.urlconf = self.urlconf
        return super().get_response(request)


app = Handler()
routes_app = Handler(RoutesURLconf)
