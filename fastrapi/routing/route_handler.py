"""Custom route classes: ``APIRoute.get_route_handler()`` as in FastAPI, a callable from ``Request`` to ``Response``.

A subclass that overrides it (to time requests, swap in its own ``Request`` class, catch validation errors)
answers through ``handle_with``; routes that do not keep ``call_endpoint``, unchanged. The default handler is
``async def``, as FastAPI's: a wrapper awaits it on the bridge loop while the request's own work (reading
the body, solving, calling the endpoint) hops back to the request's side, where it always runs.
"""

from __future__ import annotations

import asyncio
import inspect
import queue
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from functools import partial
from typing import Any, TypeVar

from fastrapi.concurrency import bridge, in_gevent_greenlet, on_request_side, request_hop, settle
from fastrapi.requests import Request
from fastrapi.responses import Response
from fastrapi.routing.endpoint import EXITS_KEY, PathOperation, respond, send
from fastrapi.types import Environ, StartResponse

T = TypeVar("T")

RouteHandler = Callable[[Request], "Response | Awaitable[Response]"]
Handle = Callable[[Environ, StartResponse, dict[str, Any]], Iterable[bytes]]


def default_route_handler(route: PathOperation) -> Callable[[Request], Coroutine[Any, Any, Response]]:
    """``route``'s own handler: solve, call the endpoint, make the response (run on the request's side)."""

    async def route_handler(request: Request) -> Response:
        return await on_request_side(partial(respond, route, request))

    return route_handler


def handle_with(route: PathOperation, handler: RouteHandler) -> Handle:
    """``route.handle`` answering through ``handler`` (sync or async), then sending its response."""

    def handle(environ: Environ, start_response: StartResponse, path_params: dict[str, Any]) -> Iterable[bytes]:
        try:
            result = handler(Request(environ, path_params))
            response = run_awaitable(result) if inspect.isawaitable(result) else result
        except BaseException as exc:
            exits = environ.pop(EXITS_KEY, None)
            if exits is not None:  # the handler raised after the endpoint: the request-scoped exits see it
                raise exits.exit_request(exc) or exc from None
            raise
        if not isinstance(response, Response):
            raise TypeError(f"The route handler of {route!r} returned {type(response).__name__}, not a Response")
        return send(route, environ, start_response, response, None, None, environ.pop(EXITS_KEY, None))

    return handle


def run_awaitable(awaitable: Awaitable[T]) -> T:
    """Await ``awaitable`` on the bridge loop; its hops to the request's side run in this greenlet's hub
    (gevent) or right here, in the waiting thread (any other server, TestClient)."""

    async def wrapped() -> T:
        return await awaitable

    if in_gevent_greenlet():
        return bridge().run(wrapped())
    return _run_serving_hops(wrapped())


def _run_serving_hops(coro: Coroutine[Any, Any, T]) -> T:
    """``bridge().run(coro)`` for a plain thread: it runs the coroutine's hops itself while it waits."""
    loop = bridge().loop
    work: queue.SimpleQueue[tuple[Callable[[], Any], asyncio.Future[Any]] | None] = queue.SimpleQueue()

    async def hop(fn: Callable[[], Any]) -> Any:
        future = asyncio.get_running_loop().create_future()
        work.put((fn, future))
        return await future

    token = request_hop.set(hop)
    try:
        done = asyncio.run_coroutine_threadsafe(coro, loop)
    finally:
        request_hop.reset(token)
    done.add_done_callback(lambda _: work.put(None))
    while (item := work.get()) is not None:
        fn, future = item
        try:
            result = fn()
        except BaseException as exc:
            loop.call_soon_threadsafe(settle, future, None, exc)
        else:
            loop.call_soon_threadsafe(settle, future, result, None)
    return done.result()
