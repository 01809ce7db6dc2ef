"""WSGI types, fastrapi's environ keys, and what a request needs of its app (the ground floor)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

APP_KEY = "fastrapi.app"
"""The environ key under which the app serving a request puts itself."""


class RequestApp(Protocol):
    """What ``Request`` needs of the app that serves it (``FastrAPI`` is one)."""

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        """The path of the route called ``name``."""
        ...
