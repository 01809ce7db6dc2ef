"""``request.scope``: a read-only mapping with ASGI's keys, made from the WSGI environ on access.

Code written for FastAPI reads ``request.scope["root_path"]``, ``scope["path"]``, ``scope["headers"]``...;
the environ's own keys (``PATH_INFO``, ``wsgi.input``...) stay readable through it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from fastrapi.types import APP_KEY, OUTER_APP_KEY, ROUTE_KEY

# FastrAPI(root_path=...) keeps the path as the client sent it here, before taking the root path off.
ORIGINAL_PATH_KEY = "fastrapi.original_path"


def _decoded(raw: str) -> str:
    """A PEP 3333 path (UTF-8 bytes as latin-1) as text."""
    if raw.isascii():
        return raw
    try:
        return raw.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:  # already decoded by the server
        return raw


def _raw_path(environ: Mapping[str, Any]) -> str:
    original = environ.get(ORIGINAL_PATH_KEY)
    if original is not None:
        return str(original)
    return str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO") or "/")


def _headers(environ: Mapping[str, Any]) -> list[tuple[bytes, bytes]]:
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            name = key.replace("_", "-").lower()
        else:
            continue
        headers.append((name.encode("latin-1"), str(value).encode("latin-1", "replace")))
    return headers


def _client(environ: Mapping[str, Any]) -> tuple[str, int] | None:
    host = environ.get("REMOTE_ADDR")
    if not host:
        return None
    try:
        return str(host), int(environ.get("REMOTE_PORT") or 0)
    except ValueError:
        return str(host), 0


def _server(environ: Mapping[str, Any]) -> tuple[str, int | None]:
    port = environ.get("SERVER_PORT")
    return str(environ.get("SERVER_NAME", "")), int(port) if port and str(port).isdigit() else None


def _type(environ: Mapping[str, Any]) -> str:
    return "websocket" if str(environ.get("HTTP_UPGRADE", "")).lower() == "websocket" else "http"


def _router(environ: Mapping[str, Any]) -> Any:
    """The outermost app's router, as Starlette's ``scope["router"]``."""
    return getattr(environ.get(OUTER_APP_KEY) or environ.get(APP_KEY), "router", None)


_KEYS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], Any]] = {
    "type": lambda environ, params: _type(environ),
    "http_version": lambda environ, params: str(environ.get("SERVER_PROTOCOL", "HTTP/1.1")).partition("/")[2] or "1.1",
    "method": lambda environ, params: environ.get("REQUEST_METHOD", "GET"),
    "scheme": lambda environ, params: (
        ("wss" if environ.get("wsgi.url_scheme") == "https" else "ws") if _type(environ) == "websocket"
        else environ.get("wsgi.url_scheme", "http")),
    "path": lambda environ, params: _decoded(_raw_path(environ)),
    "raw_path": lambda environ, params: _raw_path(environ).encode("latin-1", "replace"),
    "root_path": lambda environ, params: _decoded(str(environ.get("SCRIPT_NAME", ""))),
    "query_string": lambda environ, params: str(environ.get("QUERY_STRING", "")).encode("latin-1", "replace"),
    "headers": lambda environ, params: _headers(environ),
    "client": lambda environ, params: _client(environ),
    "server": lambda environ, params: _server(environ),
    "app": lambda environ, params: environ.get(APP_KEY),
    "path_params": lambda environ, params: params,
    "route": lambda environ, params: environ.get(ROUTE_KEY),
    "endpoint": lambda environ, params: getattr(environ.get(ROUTE_KEY), "endpoint", None),
    "router": lambda environ, params: _router(environ),
}


class RequestScope(Mapping[str, Any]):
    """ASGI's scope keys (``type``, ``path``, ``root_path``, ``query_string``, ``headers``, ``client``,
    ``server``, ``method``, ``scheme``, ``http_version``, ``app``, ``path_params``...), then the environ's."""

    __slots__ = ("environ", "path_params")

    def __init__(self, environ: Mapping[str, Any], path_params: Mapping[str, Any]) -> None:
        self.environ = environ
        self.path_params = path_params

    def __getitem__(self, key: str) -> Any:
        make = _KEYS.get(key)
        if make is not None:
            return make(self.environ, self.path_params)
        return self.environ[key]

    def __contains__(self, key: object) -> bool:
        return key in _KEYS or key in self.environ

    def __iter__(self) -> Iterator[str]:
        yield from _KEYS
        yield from (key for key in self.environ if key not in _KEYS)

    def __len__(self) -> int:
        return len(_KEYS) + sum(1 for key in self.environ if key not in _KEYS)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"
