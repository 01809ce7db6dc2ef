"""``HTTPSRedirectMiddleware``: sends plain-HTTP requests to the same URL on https (307)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastrapi.requests import Request
from fastrapi.responses import PlainTextResponse, RedirectResponse

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def forwarded_proto(environ: dict[str, Any]) -> str | None:
    """The scheme a proxy says the client used (first ``X-Forwarded-Proto`` value), lower-cased."""
    value: str | None = environ.get("HTTP_X_FORWARDED_PROTO")
    if not value:
        return None
    return value.split(",")[0].strip().lower()


class HTTPSRedirectMiddleware:
    """Redirects ``http://`` requests to ``https://``; a request a proxy received over https
    (``X-Forwarded-Proto: https``) is served as it is."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        scheme = forwarded_proto(environ) or environ.get("wsgi.url_scheme", "http")
        if scheme not in ("http", "ws"):
            return self.app(environ, start_response)
        url = Request(environ).url
        netloc = url.netloc
        if not netloc:
            return PlainTextResponse("Invalid host header", status_code=400)(environ, start_response)
        if url.port in (80, 443):
            netloc = netloc.rsplit(":", 1)[0]
        target = url.replace(scheme="wss" if scheme == "ws" else "https", netloc=netloc)
        return RedirectResponse(target, status_code=307)(environ, start_response)
