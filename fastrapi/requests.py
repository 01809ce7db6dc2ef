"""``Request``: a lazy view of one WSGI environ."""

from __future__ import annotations

import json
from http.cookies import _unquote
from typing import TYPE_CHECKING, Any

from fastrapi.datastructures import URL, Address, Headers, QueryParams, State

if TYPE_CHECKING:
    from fastrapi.applications import FastrAPI

_MISSING = object()


def parse_cookie_header(header: str) -> dict[str, str]:
    """Cookies of a ``Cookie`` header, lenient like browsers (a bad pair is skipped)."""
    cookies: dict[str, str] = {}
    for chunk in header.split(";"):
        name, sep, value = chunk.partition("=")
        if not sep:
            name, value = "", name
        name, value = name.strip(), value.strip()
        if name or value:
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = _unquote(value)
            cookies[name] = value
    return cookies


class Request:
    """The HTTP request: method, url, headers, query_params, path_params, cookies, body()/json()."""

    __slots__ = (
        "environ", "path_params", "app", "_headers", "_query", "_cookies", "_body", "_json",
        "_state", "_url", "_form",
    )

    def __init__(self, environ: dict[str, Any], path_params: dict[str, Any] | None = None,
                 app: FastrAPI | None = None) -> None:
        self.environ = environ
        self.path_params = path_params if path_params is not None else {}
        self.app = app if app is not None else environ.get("fastrapi.app")
        self._headers: Headers | None = None
        self._query: QueryParams | None = None
        self._cookies: dict[str, str] | None = None
        self._body: bytes | None = None
        self._json: Any = _MISSING
        self._state: State | None = None
        self._url: URL | None = None
        self._form: Any = None

    @property
    def scope(self) -> dict[str, Any]:
        """The WSGI environ (the ASGI scope's counterpart)."""
        return self.environ

    @property
    def method(self) -> str:
        return self.environ["REQUEST_METHOD"]

    @property
    def headers(self) -> Headers:
        if self._headers is None:
            self._headers = Headers.from_environ(self.environ)
        return self._headers

    @property
    def query_params(self) -> QueryParams:
        if self._query is None:
            self._query = QueryParams(self.environ.get("QUERY_STRING", ""))
        return self._query

    @property
    def cookies(self) -> dict[str, str]:
        if self._cookies is None:
            header = self.environ.get("HTTP_COOKIE")
            self._cookies = parse_cookie_header(header) if header else {}
        return self._cookies

    @property
    def client(self) -> Address | None:
        host = self.environ.get("REMOTE_ADDR")
        if not host:
            return None
        try:
            port = int(self.environ.get("REMOTE_PORT") or 0)
        except ValueError:
            port = 0
        return Address(host, port)

    @property
    def base_url(self) -> URL:
        """Scheme, host and the mount prefix (``SCRIPT_NAME``), ending in ``/``."""
        root = escape_path(self.environ.get("SCRIPT_NAME", ""))
        return URL(f"{self._origin()}{root}/")

    @property
    def url(self) -> URL:
        if self._url is None:
            environ = self.environ
            # Like Starlette: the path stays percent-decoded, only "?", "#" and "\\" are escaped.
            path = escape_path(environ.get("SCRIPT_NAME", "") + request_path(environ))
            query = environ.get("QUERY_STRING")
            self._url = URL(f"{self._origin()}{path}{'?' + query if query else ''}")
        return self._url

    def _origin(self) -> str:
        environ = self.environ
        scheme = environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_HOST")
        if not host:
            host = environ.get("SERVER_NAME", "localhost")
            port = environ.get("SERVER_PORT", "")
            if port and (scheme, port) not in (("http", "80"), ("https", "443")):
                host = f"{host}:{port}"
        return f"{scheme}://{host}"

    @property
    def state(self) -> State:
        if self._state is None:
            self._state = self.environ.setdefault("fastrapi.state", State())
        return self._state

    def body(self) -> bytes:
        """The whole request body, read once and cached."""
        if self._body is None:
            self._body = read_body(self.environ)
        return self._body

    def json(self) -> Any:
        if self._json is _MISSING:
            self._json = json.loads(self.body())
        return self._json

    def url_for(self, name: str, /, **path_params: Any) -> URL:
        """Absolute URL of the route called ``name``."""
        path = self.app.url_path_for(name, **path_params)
        return URL(str(self.base_url).rstrip("/") + path)

    def __getitem__(self, key: str) -> Any:
        return self.environ[key]

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"


def request_path(environ: dict[str, Any]) -> str:
    """``PATH_INFO`` as text: PEP 3333 hands over the raw bytes decoded as latin-1; they are UTF-8."""
    path = environ.get("PATH_INFO") or "/"
    if path.isascii():
        return path
    try:
        return path.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a server that broke PEP 3333 and decoded as UTF-8 already
        return path


def escape_path(path: str) -> str:
    """A decoded path made safe to put in a URL string (Starlette's ``URL(scope=...)`` rule)."""
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the body of a WSGI request: Content-Length bytes, or to the end when chunked."""
    cached = environ.get("fastrapi.body")
    if cached is not None:
        return cached
    stream = environ.get("wsgi.input")
    length = environ.get("CONTENT_LENGTH")
    if stream is None:
        body = b""
    elif length:
        try:
            size = int(length)
        except ValueError:
            size = 0
        body = stream.read(size) if size > 0 else b""
    elif environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked" or environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["fastrapi.body"] = body
    return body
