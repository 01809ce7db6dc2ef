"""Dispatch: one request to the route a matcher finds, or the 404/405/redirect when none answers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from fastrapi.exceptions import HTTPException
from fastrapi.requests import escape_path, origin, request_path
from fastrapi.responses import RedirectResponse
from fastrapi.routing.matcher import Matchable, Matcher
from fastrapi.routing.paths import NoMatchFound
from fastrapi.types import ROUTE_KEY, Environ, StartResponse
from fastrapi.websocket_session import REFUSED_KEY

# The method a WebSocket handshake is matched as: only WebSocket routes answer it.
WEBSOCKET = "WEBSOCKET"
# The environ key of a dynamic route's path parameters (only set when there are some).
PATH_PARAMS_KEY = "fastrapi.path_params"


class RouteTable(Protocol):
    """What dispatching reads of a router (``APIRouter``, ``RouteList``)."""

    @property
    def matcher(self) -> Matcher: ...

    redirect_slashes: bool


def route_request(table: RouteTable, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    """Hand the request to the route ``table``'s matcher finds; raise ``HTTPException`` (404/405) when
    none matches, or redirect to the path with(out) its trailing slash when that one exists.

    PERF: it is the routers' ``__call__`` itself (one frame less per request).
    """
    matcher = table.matcher
    path = environ.get("PATH_INFO") or "/"
    if not path.isascii():
        path = request_path(environ)
    method = environ["REQUEST_METHOD"]
    if "HTTP_UPGRADE" in environ and environ["HTTP_UPGRADE"].lower() == "websocket":
        method = WEBSOCKET  # only WebSocket routes answer a handshake
    route, path_params, partial = matcher.match(method, path)
    if route is not None:
        environ[ROUTE_KEY] = route  # request.scope["route"], metrics' route template
        if path_params:
            environ[PATH_PARAMS_KEY] = path_params  # for the exception layer's Request, as Starlette's scope
        return route.handle(environ, start_response, path_params)
    if method == WEBSOCKET:
        environ[REFUSED_KEY] = (1000, "")  # TestClient: a close before accepting, as Starlette's router closes
        raise HTTPException(403)  # as uvicorn answers a handshake no WebSocket route takes
    methods = getattr(partial, "methods", None)  # a WebSocket route's path has no HTTP methods: 404
    if methods:
        raise HTTPException(405, headers={"Allow": ", ".join(methods)})
    if table.redirect_slashes and path != "/":
        other = path.rstrip("/") if path.endswith("/") else path + "/"
        if matcher.path_exists(other):
            # Starlette's URL: decoded path, raw query; RedirectResponse percent-encodes it.
            url = origin(environ) + escape_path(environ.get("SCRIPT_NAME", "") + other)
            query = environ.get("QUERY_STRING")
            return RedirectResponse(f"{url}?{query}" if query else url)(environ, start_response)
    if matcher.tried_last:  # a frontend, once no other route answered (not even with a redirect)
        last = matcher.last_resort(path)
        if last is not None:
            environ[ROUTE_KEY] = last
            return last.handle(environ, start_response, {})
    raise HTTPException(404)


class RouteList:
    """``Mount(path, routes=[...])``'s app: its routes, served as a router of the enclosing app."""

    redirect_slashes = True

    def __init__(self, routes: Sequence[Matchable]) -> None:
        self.routes = list(routes)
        self.matcher = Matcher(self.routes)

    __call__ = route_request

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        for route in self.routes:
            url_path_for = getattr(route, "url_path_for", None)
            if url_path_for is not None:
                try:
                    return str(url_path_for(name, **path_params))
                except NoMatchFound:
                    continue
        raise NoMatchFound(name, path_params)
