"""Exceptions an application raises or handles, with FastAPI's names and fields."""

from __future__ import annotations

import http.client
import sys
from collections.abc import Mapping, Sequence
from typing import Any


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


class FastrAPIError(RuntimeError):
    """A mistake in how the application is set up."""


FastAPIError = FastrAPIError


class FastAPIDeprecationWarning(UserWarning):
    """A FastAPI API that is deprecated. A ``UserWarning``, as FastAPI's, so that it is shown by default
    (Python hides ``DeprecationWarning`` outside ``__main__``)."""


class PydanticV1NotSupportedError(RuntimeError):
    """Raised when a ``pydantic.v1`` model instance has to be encoded."""


class ValidationException(Exception):
    """Base of the validation errors: ``errors()`` lists pydantic-style error dicts."""

    def __init__(self, errors: Sequence[Any]) -> None:
        self._errors = errors

    def errors(self) -> Sequence[Any]:
        return self._errors

    def __str__(self) -> str:
        lines = [f"{len(self._errors)} validation error{'s' if len(self._errors) != 1 else ''}:"]
        lines.extend(f"  {error}" for error in self._errors)
        return "\n".join(lines)


class RequestValidationError(ValidationException):
    """The request did not match the endpoint's parameters (answered with 422)."""

    def __init__(self, errors: Sequence[Any], *, body: Any = None) -> None:
        super().__init__(errors)
        self.body = body


class ResponseValidationError(ValidationException):
    """The endpoint returned something its response model rejects (answered with 500)."""

    def __init__(self, errors: Sequence[Any], *, body: Any = None) -> None:
        super().__init__(errors)
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
