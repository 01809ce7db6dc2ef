"""Exceptions an application raises or handles, with FastAPI's names and fields."""

from __future__ import annotations

import http.client
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict


class HTTPException(Exception):
    """Raise to answer with ``status_code`` and a JSON ``{"detail": ...}`` body."""

    def __init__(
        self,
        status_code: int,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if detail is None:
            detail = http.client.responses.get(status_code, "")
        self.status_code = status_code
        self.detail = detail
        self.headers = headers
        super().__init__(status_code, detail)

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, detail={self.detail!r})"


def is_http_exception(exc: BaseException) -> bool:
    """fastrapi's ``HTTPException``, or Starlette's raised by the app's code (answered the same way)."""
    if isinstance(exc, HTTPException):
        return True
    module = sys.modules.get("starlette.exceptions")
    return module is not None and isinstance(exc, module.HTTPException)


def class_handler(handlers: Mapping[Any, Any], exc: BaseException) -> tuple[type, Any] | None:
    """The handler registered for the nearest class in ``exc``'s MRO, with that class; ``Exception`` itself
    is left out (its handler answers as the 500 handler does)."""
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        handler = handlers.get(cls)
        if handler is not None:
            return cls, handler
    return None


class FastrAPIError(RuntimeError):
    """A mistake in how the application is set up."""


FastAPIError = FastrAPIError


class FastAPIDeprecationWarning(UserWarning):
    """A FastAPI API that is deprecated. A ``UserWarning``, as FastAPI's, so that it is shown by default
    (Python hides ``DeprecationWarning`` outside ``__main__``)."""


class PydanticV1NotSupportedError(FastrAPIError):
    """A ``pydantic.v1`` model as a parameter or response model (when the route is added), or an instance
    of one to encode."""


def pydantic_v1_not_supported(model: Any) -> PydanticV1NotSupportedError:
    """The error for a ``pydantic.v1`` model where a route is added, with FastAPI's first sentence."""
    return PydanticV1NotSupportedError(
        f"pydantic.v1 models are no longer supported by FastAPI. Please update the model {model!r} "
        "to pydantic v2 (from pydantic import BaseModel).")


class EndpointContext(TypedDict, total=False):
    """Where a validation error happened: the endpoint's ``function``, ``file`` and ``line``, and ``path``
    (``"GET /users/{user_id}"``), shown in the error's text."""

    function: str
    path: str
    file: str
    line: int


class ValidationException(Exception):
    """Base of the validation errors: ``errors()`` lists pydantic-style error dicts; ``endpoint_ctx`` says
    which endpoint (set by the route the error came from, when the raiser did not)."""

    def __init__(self, errors: Sequence[Any], *, endpoint_ctx: EndpointContext | None = None) -> None:
        self._errors = errors
        self.endpoint_ctx = endpoint_ctx

    def errors(self) -> Sequence[Any]:
        return self._errors

    @property
    def endpoint_function(self) -> str | None:
        return (self.endpoint_ctx or {}).get("function")

    @property
    def endpoint_path(self) -> str | None:
        return (self.endpoint_ctx or {}).get("path")

    @property
    def endpoint_file(self) -> str | None:
        return (self.endpoint_ctx or {}).get("file")

    @property
    def endpoint_line(self) -> int | None:
        return (self.endpoint_ctx or {}).get("line")

    def __str__(self) -> str:
        lines = [f"{len(self._errors)} validation error{'s' if len(self._errors) != 1 else ''}:"]
        lines.extend(f"  {error}" for error in self._errors)
        if self.endpoint_file and self.endpoint_line and self.endpoint_function:  # after a blank line, as FastAPI
            lines.append(f'\n  File "{self.endpoint_file}", line {self.endpoint_line}, in {self.endpoint_function}')
            if self.endpoint_path:
                lines.append(f"    {self.endpoint_path}")
        elif self.endpoint_path:
            lines.append(f"\n  Endpoint: {self.endpoint_path}")
        return "\n".join(lines)


class RequestValidationError(ValidationException):
    """The request did not match the endpoint's parameters (answered with 422)."""

    def __init__(self, errors: Sequence[Any], *, body: Any = None,
                 endpoint_ctx: EndpointContext | None = None) -> None:
        super().__init__(errors, endpoint_ctx=endpoint_ctx)
        self.body = body


class ResponseValidationError(ValidationException):
    """The endpoint returned something its response model rejects (answered with 500)."""

    def __init__(self, errors: Sequence[Any], *, body: Any = None,
                 endpoint_ctx: EndpointContext | None = None) -> None:
        super().__init__(errors, endpoint_ctx=endpoint_ctx)
        self.body = body


class ClientDisconnect(Exception):
    """The client went away before the request body arrived whole (Starlette's name).

    Raised by body reads; an endpoint whose body never arrived is not run, and nothing is logged above debug.
    """


class MalformedBody(Exception):
    """The request body's framing is broken (a bad chunk size, a chunk longer than its size, a missing CRLF).

    Raised by body reads on every server; answered 400 and the connection closed, never a 5xx.
    """


class WebSocketException(Exception):
    """Raise in a WebSocket endpoint to close the connection with ``code`` (and ``reason``)."""

    def __init__(self, code: int, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or ""
        super().__init__(code, self.reason)

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, reason={self.reason!r})"


class WebSocketRequestValidationError(ValidationException):
    """A WebSocket's parameters did not validate (the connection is closed with 1008)."""
