"""``WSGIMiddleware``: FastAPI needs it to mount a WSGI app; on fastrapi every mounted app is WSGI already."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WSGIMiddleware:
    """``app.mount("/v1", WSGIMiddleware(flask_app))`` works unchanged: this passes requests through."""

    def __init__(self, app: WSGIApp, workers: int = 10) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.app(environ, start_response)
