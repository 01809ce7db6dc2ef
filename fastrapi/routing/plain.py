"""Starlette's plain endpoints, which FastAPI keeps: ``route()``/``add_route()`` take ``endpoint(request) ->
Response`` and ``websocket_route()``/``add_websocket_route()`` take ``endpoint(websocket)``, with no parameters
solved and no OpenAPI entry. They become ordinary routes whose one parameter is the request or the socket."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastrapi.concurrency import is_async_callable
from fastrapi.requests import Request
from fastrapi.websockets import SyncWebSocket, WebSocket


def request_endpoint(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` called with the request, whatever its parameter is named or annotated."""
    if is_async_callable(endpoint):
        async def call_async(request: Request) -> Any:
            return await endpoint(request)

        return _named(call_async, endpoint)

    def call(request: Request) -> Any:
        return endpoint(request)

    return _named(call, endpoint)


def websocket_endpoint(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` called with the WebSocket (a ``SyncWebSocket`` for a ``def`` endpoint)."""
    if is_async_callable(endpoint):
        async def call_async(websocket: WebSocket) -> Any:
            return await endpoint(websocket)

        return _named(call_async, endpoint)

    def call(websocket: SyncWebSocket) -> Any:
        return endpoint(websocket)

    return _named(call, endpoint)


def plain_methods(methods: Sequence[str] | None) -> list[str]:
    """Starlette's methods for a plain route: GET by default, and HEAD wherever GET is."""
    chosen = [method.upper() for method in (methods or ["GET"])]
    if "GET" in chosen and "HEAD" not in chosen:
        chosen.append("HEAD")
    return chosen


def _named(call: Callable[..., Any], endpoint: Callable[..., Any]) -> Callable[..., Any]:
    # Not functools.wraps: its __wrapped__ would make the signature the endpoint's again.
    call.__name__ = getattr(endpoint, "__name__", type(endpoint).__name__)
    call.__qualname__ = getattr(endpoint, "__qualname__", call.__name__)
    call.__doc__ = endpoint.__doc__
    return call
