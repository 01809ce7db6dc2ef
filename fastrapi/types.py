"""WSGI types, fastrapi's environ keys, and what a request needs of its app (the ground floor)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

APP_KEY = "fastrapi.app"
"""The environ key under which the app serving a request puts itself."""
MOUNTED_KEY = "fastrapi.mounted"
"""Set in the environ a ``Mount`` hands to the app it serves: a FastrAPI app called it and answers the
``HTTPException`` it raises (a mounted ``StaticFiles`` raises its 404s)."""
OUTER_APP_KEY = "fastrapi.outer_app"
"""In a mounted app's environ: the outermost fastrapi app, which ``request.url_for`` resolves names with
(Starlette's ``scope["router"]``)."""
APP_ROOT_KEY = "fastrapi.app_root_path"
"""In a mounted app's environ: the outermost app's ``SCRIPT_NAME``, ``request.base_url``'s path (Starlette's
``scope["app_root_path"]``)."""
ROUTE_KEY = "fastrapi.route"
"""The route that answers the request (Starlette's ``scope["route"]``), set when a router matches one."""


class RequestApp(Protocol):
    """What ``Request`` needs of the app that serves it (``FastrAPI`` is one)."""

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        """The path of the route called ``name``."""
        ...
