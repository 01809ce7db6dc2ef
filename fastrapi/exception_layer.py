"""The app's exception layer: answers what its routes raise with the app's exception handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from fastrapi.concurrency import is_async_callable, run_async, run_sync
from fastrapi.exception_handlers import InvalidRequestResponse, server_error_response
from fastrapi.exceptions import (
    ClientDisconnect,
    HTTPException,
    MalformedBody,
    ValidationException,
    class_handler,
    is_http_exception,
)
from fastrapi.middleware.errors import ERRORS_OUTSIDE_KEY
from fastrapi.requests import ContentTooLarge, Request, request_path
from fastrapi.responses import PlainTextResponse, Response
from fastrapi.routing.dispatch import PATH_PARAMS_KEY
from fastrapi.routing.endpoint import RAISE_SERVER_EXCEPTIONS_KEY, SendFailed
from fastrapi.routing.routes import PlannedRoute
from fastrapi.starlette_objects import from_starlette, is_starlette_response
from fastrapi.types import ROUTE_KEY, Environ, StartResponse, WSGIApp

logger = logging.getLogger("fastrapi")

ExceptionHandler = Callable[[Request, Any], Any]


class HandlingApp(Protocol):
    """What the layer reads of its app at answer time (``FastrAPI`` is one)."""

    debug: bool
    exception_handlers: dict[Any, ExceptionHandler]


class ExceptionLayer:
    """The innermost layer of the middleware stack: calls the router and answers any exception
    from it (``HTTPException``, validation errors, handlers the app registered, else a 500)."""

    def __init__(self, app: HandlingApp, inner: WSGIApp) -> None:
        self.app = app
        self.inner = inner

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self.inner(environ, start_response)
        except SendFailed as failed:  # the response had started: answer with exc_info
            error = failed.error
            response = self.handle_exception(self._request(environ), error)
            exc_info = (type(error), error, error.__traceback__)
            return response(environ, lambda status, headers: start_response(status, headers, exc_info))
        except Exception as exc:
            return self.handle_exception(self._request(environ), exc)(environ, start_response)

    @staticmethod
    def _request(environ: Environ) -> Request:
        return Request(environ, environ.get(PATH_PARAMS_KEY))

    def handle_exception(self, request: Request, exc: Exception) -> Response:
        """The answer to ``exc``: its handler's response, else the 500 answer."""
        if isinstance(exc, ContentTooLarge):  # answered before any handler, as FastAPI's body limit is
            return PlainTextResponse(exc.detail, status_code=exc.status_code)
        if isinstance(exc, (ClientDisconnect, MalformedBody)):
            return _invalid_request(request, exc)
        if isinstance(exc, ValidationException) and exc.endpoint_ctx is None:
            route = request.environ.get(ROUTE_KEY)
            if isinstance(route, PlannedRoute):  # which endpoint, in the error's text (as FastAPI's)
                exc.endpoint_ctx = route.endpoint_context(request.method, request.environ.get("SCRIPT_NAME", ""))
        handler = self._find_handler(exc)
        if handler is not None:
            try:
                return self._call_handler(handler, request, exc)
            except Exception as handler_exc:
                exc = handler_exc
        return self.server_error(request, exc)

    def server_error(self, request: Request, exc: Exception) -> Response:
        """The 500 answer (the app's 500/``Exception`` handler, else the default), logged; under
        ``ServerErrorMiddleware`` the error is raised to it instead, past the user middleware."""
        if isinstance(exc, (ClientDisconnect, MalformedBody)):  # from user middleware reading the body
            return _invalid_request(request, exc)
        if request.environ.get(ERRORS_OUTSIDE_KEY):
            raise exc
        logger.error("Exception in %s %s", request.method, request.url, exc_info=exc)
        handlers = self.app.exception_handlers
        response = None
        handler = handlers.get(500) or handlers.get(Exception)
        if handler is not None:
            try:
                response = self._call_handler(handler, request, exc)
            except Exception:
                logger.exception("The 500 handler failed")
        if response is None:
            response = server_error_response(request, exc, self.app.debug)
        if request.environ.get(RAISE_SERVER_EXCEPTIONS_KEY):
            raise exc
        return response

    def _find_handler(self, exc: Exception) -> ExceptionHandler | None:
        handlers = self.app.exception_handlers
        is_http = is_http_exception(exc)
        # A 500 handler answers unhandled errors only, never an HTTPException(500) (as in Starlette).
        if is_http and exc.status_code != 500 and exc.status_code in handlers:  # type: ignore[attr-defined]
            return handlers[exc.status_code]  # type: ignore[attr-defined]
        found = class_handler(handlers, exc)  # an Exception handler answers like a 500 handler: in server_error
        if found is not None:
            return found[1]  # type: ignore[no-any-return]
        return handlers.get(HTTPException) if is_http else None

    @staticmethod
    def _call_handler(handler: ExceptionHandler, request: Request, exc: Exception) -> Response:
        if is_async_callable(handler):
            response = run_async(handler, (request, exc), {})
        else:
            response = run_sync(handler, request, exc)
        if not isinstance(response, Response) and is_starlette_response(response):  # starlette.responses'
            return from_starlette(response)
        return response  # type: ignore[no-any-return]


def handler_key(key: int | type[Exception]) -> int | type[Exception]:
    """The key a handler is registered under: Starlette's ``HTTPException`` (FastAPI's docs register
    handlers for it, imported from ``starlette.exceptions``) stands for fastrapi's."""
    if isinstance(key, type) and key.__name__ == "HTTPException" and key.__module__ == "starlette.exceptions":
        return HTTPException
    return key


def _invalid_request(request: Request, exc: ClientDisconnect | MalformedBody) -> Response:
    """The 400 for a body that broke its framing or never arrived whole: the client's doing, so
    logged at debug only, and no exception handler, endpoint or background task runs."""
    logger.debug("Invalid request body in %s %s: %s: %s", request.method, request_path(request.environ),
                 type(exc).__name__, exc)
    return InvalidRequestResponse()
