"""``CORSMiddleware``: answers CORS preflight requests and adds CORS headers to responses (Starlette's rules)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from typing import Any

from fastrapi.datastructures import MutableHeaders
from fastrapi.responses import PlainTextResponse

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY")
SAFELISTED_HEADERS = {"Accept", "Accept-Language", "Content-Language", "Content-Type"}
_PREFLIGHT_VARY = (
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"
)


class CORSMiddleware:
    """``app.add_middleware(CORSMiddleware, allow_origins=[...], allow_methods=["*"], ...)``.

    A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is answered
    here: 200 ``OK`` or 400 ``Disallowed CORS ...``. Any other request goes to the app, and its
    response gets ``Access-Control-Allow-Origin`` (the origin itself when credentials are allowed
    or origins are listed, never ``*`` with credentials) and ``Vary: Origin``.
    """

    def __init__(
        self,
        app: WSGIApp,
        allow_origins: Collection[str] = (),
        allow_methods: Collection[str] = ("GET",),
        allow_headers: Collection[str] = (),
        allow_credentials: bool = False,
        allow_origin_regex: str | None = None,
        allow_private_network: bool = False,
        expose_headers: Collection[str] = (),
        max_age: int = 600,
    ) -> None:
        if "*" in allow_methods:
            allow_methods = ALL_METHODS
        self.app = app
        self.allow_origins = allow_origins
        self.allow_methods = allow_methods
        self.allow_all_origins = "*" in allow_origins
        self.allow_all_headers = "*" in allow_headers
        self.allow_credentials = allow_credentials
        self.allow_origin_regex = re.compile(allow_origin_regex) if allow_origin_regex is not None else None
        self.allow_private_network = allow_private_network
        # With credentials, "*" is not allowed: preflights echo the origin instead.
        self.preflight_explicit_allow_origin = not self.allow_all_origins or allow_credentials

        simple: dict[str, str] = {}
        if self.allow_all_origins:
            simple["Access-Control-Allow-Origin"] = "*"
        if allow_credentials:
            simple["Access-Control-Allow-Credentials"] = "true"
        if expose_headers:
            simple["Access-Control-Expose-Headers"] = ", ".join(expose_headers)
        self.simple_headers = simple

        preflight: dict[str, str] = {"Vary": _PREFLIGHT_VARY}
        if not self.preflight_explicit_allow_origin:
            preflight["Access-Control-Allow-Origin"] = "*"
        preflight["Access-Control-Allow-Methods"] = ", ".join(allow_methods)
        preflight["Access-Control-Max-Age"] = str(max_age)
        all_headers = sorted(SAFELISTED_HEADERS | set(allow_headers))
        if all_headers and not self.allow_all_headers:
            preflight["Access-Control-Allow-Headers"] = ", ".join(all_headers)
        if allow_credentials:
            preflight["Access-Control-Allow-Credentials"] = "true"
        self.allow_headers = [h.lower() for h in all_headers]
        self.preflight_headers = preflight

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and environ["REQUEST_METHOD"] == "OPTIONS" \
                and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
            return self.preflight_response(environ)(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, self.response_headers(headers, origin), exc_info)

        return self.app(environ, start)

    def is_allowed_origin(self, origin: str) -> bool:
        if self.allow_all_origins:
            return True
        if self.allow_origin_regex is not None and self.allow_origin_regex.fullmatch(origin):
            return True
        return origin in self.allow_origins

    def preflight_response(self, environ: dict[str, Any]) -> PlainTextResponse:
        origin = environ["HTTP_ORIGIN"]
        requested_method = environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"]
        requested_headers = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
        requested_private_network = environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK")
        headers = dict(self.preflight_headers)
        failures: list[str] = []

        if self.is_allowed_origin(origin):
            if self.preflight_explicit_allow_origin:
                headers["Access-Control-Allow-Origin"] = origin
        else:
            failures.append("origin")
        if requested_method not in self.allow_methods:
            failures.append("method")
        if self.allow_all_headers and requested_headers is not None:
            headers["Access-Control-Allow-Headers"] = requested_headers
        elif requested_headers is not None and any(
            h.strip() not in self.allow_headers for h in requested_headers.lower().split(",")
        ):
            failures.append("headers")
        if requested_private_network is not None:
            if self.allow_private_network:
                headers["Access-Control-Allow-Private-Network"] = "true"
            else:
                failures.append("private-network")
        if failures:
            return PlainTextResponse("Disallowed CORS " + ", ".join(failures), status_code=400, headers=headers)
        return PlainTextResponse("OK", status_code=200, headers=headers)

    def response_headers(self, raw: list[tuple[str, str]], origin: str | None) -> list[tuple[str, str]]:
        """The app's response headers with the CORS ones for ``origin`` added."""
        headers = MutableHeaders(raw)
        if origin is not None:
            headers.update(self.simple_headers)
        explicit = origin is not None and (
            (self.allow_all_origins and self.allow_credentials)
            or (not self.allow_all_origins and self.is_allowed_origin(origin))
        )
        if explicit:
            headers["Access-Control-Allow-Origin"] = origin  # type: ignore[assignment]
        headers["Vary"] = ", ".join([*headers.getlist("vary"), "Origin"])
        return headers.raw()
