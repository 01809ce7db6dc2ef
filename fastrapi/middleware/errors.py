"""The outermost layer when user middleware is present: errors nothing else handled become a 500."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from fastrapi.requests import Request
from fastrapi.responses import Response

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Set while the request is inside this layer: the app then leaves unhandled errors to it, so a
# 500 answer does not pass through user middleware (Starlette's ServerErrorMiddleware order).
ERRORS_OUTSIDE_KEY = "fastrapi.errors_outside"


class ServerErrorMiddleware:
    """Answers any exception from the stack below with ``server_error(request, exc)``."""

    def __init__(self, app: WSGIApp, server_error: Callable[[Request, Exception], Response]) -> None:
        self.app = app
        self.server_error = server_error

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ[ERRORS_OUTSIDE_KEY] = True
        try:
            return self.app(environ, start_response)
        except Exception as exc:
            environ[ERRORS_OUTSIDE_KEY] = False
            response = self.server_error(Request(environ), exc)
            exc_info = sys.exc_info()
            return response(environ, lambda status, headers: start_response(status, headers, exc_info))
