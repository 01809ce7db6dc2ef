"""The default answers to exceptions, as FastAPI gives them."""

from __future__ import annotations

import html
import traceback
from collections.abc import Callable
from typing import Any

from fastrapi.exceptions import HTTPException, RequestValidationError
from fastrapi.requests import Request
from fastrapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, json_bytes_response
from fastrapi.serialization import dumps

INVALID_REQUEST = "Invalid HTTP request received."  # uvicorn's answer to a request it cannot read


def http_exception_response(request: Request, exc: HTTPException) -> Response:
    """``{"detail": ...}`` with the exception's status and headers (no body where none is allowed)."""
    headers = getattr(exc, "headers", None)
    if exc.status_code < 200 or exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


def request_validation_error_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with the list of validation errors."""
    # PERF: one encode; values json cannot write (ctx exceptions, dates) go through jsonable_encoder.
    return json_bytes_response(dumps({"detail": exc.errors()}), 422)


# FastAPI's handlers are coroutine functions that custom handlers ``await``; these never suspend,
# so the app drives them without an event loop. The app itself registers the sync versions above.
async def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    """The default answer to ``HTTPException``, for ``await`` in a custom handler."""
    return http_exception_response(request, exc)


async def request_validation_exception_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    """The default answer to ``RequestValidationError``, for ``await`` in a custom handler."""
    return request_validation_error_response(request, exc)


def server_error_response(request: Request, exc: BaseException, debug: bool) -> Response:
    """500 ``Internal Server Error``; with ``debug`` the traceback, as HTML for browsers."""
    if not debug:
        return PlainTextResponse("Internal Server Error", status_code=500)
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if "text/html" in request.headers.get("accept", ""):
        title = html.escape(f"{type(exc).__name__}: {exc}")
        page = f"<html><head><title>{title}</title></head><body><h1>500 Server Error</h1><h2>{title}</h2>" \
               f"<pre>{html.escape(text)}</pre></body></html>"
        return HTMLResponse(page, status_code=500)
    return PlainTextResponse(text, status_code=500)


class InvalidRequestResponse(PlainTextResponse):
    """400 ``Invalid HTTP request received.`` with ``Connection: close``: the body broke its framing or
    never arrived whole (``MalformedBody``, ``ClientDisconnect``), so no next request can be read."""

    def __init__(self) -> None:
        super().__init__(INVALID_REQUEST, status_code=400, headers={"Connection": "close"})

    def start(self, start_response: Callable[..., Any]) -> None:
        # gunicorn's own worker drops an application's Connection header (hop-by-hop) and answers
        # "keep-alive"; its Response.force_close() is what makes it say "close" (and close).
        force_close = getattr(getattr(start_response, "__self__", None), "force_close", None)
        if callable(force_close):
            force_close()
        super().start(start_response)
