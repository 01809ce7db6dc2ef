"""``Request``: a lazy view of one WSGI environ."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator, Mapping
from functools import partial
from http.cookies import _unquote
from typing import Any, NoReturn, cast

from fastrapi.concurrency import on_request_side, request_hop_sync
from fastrapi.datastructures import URL, Address, FormData, Headers, QueryParams, State
from fastrapi.exceptions import ClientDisconnect, HTTPException, MalformedBody
from fastrapi.formparsers import FormError, FormLimits, parse_form
from fastrapi.scope import ORIGINAL_PATH_KEY, RequestScope
from fastrapi.types import APP_KEY, APP_ROOT_KEY, OUTER_APP_KEY, RequestApp

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


class HTTPConnection:
    """What a request and a WebSocket share: url, headers, query_params, path_params, cookies, client, state."""

    __slots__ = ("environ", "path_params", "app", "_headers", "_query", "_cookies", "_state", "_url")

    def __init__(self, environ: dict[str, Any], path_params: dict[str, Any] | None = None,
                 app: RequestApp | None = None) -> None:
        self.environ = environ
        self.path_params = path_params if path_params is not None else {}
        self.app: Any = app if app is not None else environ.get(APP_KEY)  # the serving app, often FastrAPI
        self._headers: Headers | None = None
        self._query: QueryParams | None = None
        self._cookies: dict[str, str] | None = None
        self._state: State | None = None
        self._url: URL | None = None

    @property
    def scope(self) -> RequestScope:
        """A read-only mapping with ASGI's scope keys (``path``, ``root_path``, ``headers``...), then the environ's."""
        return RequestScope(self.environ, self.path_params)

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
        """Scheme, host and the outermost app's root path, ending in ``/`` (a mounted app's too, as in
        Starlette: ``url_for`` builds on it)."""
        environ = self.environ
        root = escape_path(environ[APP_ROOT_KEY] if APP_ROOT_KEY in environ else environ.get("SCRIPT_NAME", ""))
        return URL(f"{self._origin()}{root}/")

    @property
    def url(self) -> URL:
        if self._url is None:
            environ = self.environ
            # Like Starlette: the path stays percent-decoded, only "?", "#" and "\\" are escaped.
            original = environ.get(ORIGINAL_PATH_KEY)  # FastrAPI(root_path=): the path as the client sent it
            path = escape_path(environ.get("SCRIPT_NAME", "") + request_path(environ) if original is None
                               else request_path({"PATH_INFO": original}))
            query = environ.get("QUERY_STRING")
            self._url = URL(f"{self._origin()}{path}{'?' + query if query else ''}")
        return self._url

    def _origin(self) -> str:
        return origin(self.environ)

    @property
    def state(self) -> State:
        if self._state is None:
            self._state = self.environ.setdefault("fastrapi.state", State())
        return self._state

    @property
    def session(self) -> dict[str, Any]:
        """The session dict ``SessionMiddleware`` keeps in a signed cookie."""
        session: Any = self.environ.get("fastrapi.session")
        assert session is not None, "SessionMiddleware must be installed to access request.session"
        session.mark_accessed()
        return session  # type: ignore[no-any-return]  # SessionMiddleware's dict subclass

    def url_for(self, name: str, /, **path_params: Any) -> URL:
        """Absolute URL of the route called ``name``, found from the outermost app (as Starlette's
        ``scope["router"]``): inside a mounted app, ``"mount_name:route_name"``."""
        path = (self.environ.get(OUTER_APP_KEY) or self.app).url_path_for(name, **path_params)
        return URL(str(self.base_url).rstrip("/") + path)

    def __getitem__(self, key: str) -> Any:
        return self.scope[key]


def origin(environ: Mapping[str, Any]) -> str:
    """``scheme://host[:port]`` of the request, from ``Host`` else the server's name and port."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "localhost")
        port = environ.get("SERVER_PORT", "")
        if port and (scheme, port) not in (("http", "80"), ("https", "443")):
            host = f"{host}:{port}"
    return f"{scheme}://{host}"


class Request(HTTPConnection):
    """The HTTP request: method, url, headers, query_params, path_params, cookies, body()/json()/form()."""

    __slots__ = ("_body", "_json", "_form")

    def __init__(self, environ: dict[str, Any] | RequestScope, path_params: Any = None,
                 app: RequestApp | None = None) -> None:
        if environ.__class__ is not dict:  # PERF: one check on the common path
            environ, path_params = _from_scope(environ, path_params)
        # PERF: the fields set here, not through super().__init__: one call less per request.
        self.environ = environ
        self.path_params = path_params if path_params is not None else {}
        self.app = app if app is not None else environ.get(APP_KEY)
        self._headers = None
        self._query = None
        self._cookies = None
        self._state = None
        self._url = None
        self._json: Any = _MISSING
        self._form: Any = None

    @property
    def method(self) -> str:
        method: str = self.environ["REQUEST_METHOD"]
        return method

    async def body(self) -> bytes:
        """The whole request body, read once and cached (``await request.body()``)."""
        # ``_body`` stays unset until read, as in Starlette: subclasses test ``hasattr(self, "_body")``.
        try:
            return self._body
        except AttributeError:
            self._body: bytes = await on_request_side(partial(read_body, self.environ))
            return self._body

    async def receive(self) -> dict[str, Any]:
        """ASGI's ``receive`` for code that passes it on (``Request(request.scope, request.receive)``):
        the whole body in one ``http.request`` message."""
        return {"type": "http.request", "body": await self.body(), "more_body": False}

    async def json(self) -> Any:
        if self._json is _MISSING:
            self._json = json.loads(await self.body())
        return self._json

    def stream(self) -> BodyStream:
        """The body in chunks, without keeping it: ``for chunk in ...`` or ``async for chunk in ...``."""
        return BodyStream(self.environ)

    def form(self, *, max_files: int = 1000, max_fields: int = 1000,
             max_part_size: int = 1024 * 1024) -> FormCall:
        """The parsed form (``await request.form()`` or ``async with request.form() as form``).

        Read once, streamed: files go to spooled temporary files. A malformed form or one over
        a limit raises ``HTTPException(400)``; a body over ``max_body_size`` raises ``ContentTooLarge``.
        """
        return FormCall(self, FormLimits(max_fields=max_fields, max_files=max_files, max_part_size=max_part_size))

    def read_form(self, limits: FormLimits | None = None) -> FormData:
        """The parsed form, synchronously (what ``await request.form()`` returns)."""
        if self._form is None:
            cached: FormData | None = self.environ.get(FORM_KEY)
            if cached is not None:
                self._form = cached
                return cached
            body = getattr(self, "_body", None)
            if body is None:
                body = self.environ.get(BODY_KEY)
            if body is not None:
                chunks: Iterable[bytes] = [body]
            else:
                chunks = iter_body(self.environ)
            try:
                self._form = parse_form(self.headers.get("content-type"), chunks, limits)
            except FormError as exc:
                raise HTTPException(400, detail=exc.message) from None
            self.environ[FORM_KEY] = self._form
        form: FormData = self._form
        return form

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"


def _from_scope(scope: Any, path_params: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``Request(request.scope, request.receive)``, as FastAPI code builds a custom request: the environ and
    path parameters behind the scope (a ``receive`` in ``path_params``' place is dropped)."""
    if not isinstance(scope, RequestScope):
        return scope, path_params  # an environ of a dict subclass
    if path_params is None or callable(path_params):
        path_params = dict(scope.path_params)
    return cast("dict[str, Any]", scope.environ), path_params


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


BODY_KEY = "fastrapi.body"
CONSUMED_KEY = "fastrapi.body_consumed"
FORM_KEY = "fastrapi.form"
MAX_BODY_SIZE_KEY = "fastrapi.max_body_size"
CHUNK_SIZE = 64 * 1024


class ContentTooLarge(Exception):
    """The request body is larger than ``max_body_size``; answered 413 ``Content Too Large`` (as FastAPI).

    The app that catches it builds that answer from ``status_code`` and ``detail``.
    """

    status_code = 413
    detail = "Content Too Large"


def set_body_limit(environ: dict[str, Any], limit: int) -> None:
    """Limit this request's body to ``limit`` bytes; a declared length over it is refused at once."""
    environ[MAX_BODY_SIZE_KEY] = limit
    if _content_length(environ) > limit:
        raise ContentTooLarge()


def _content_length(environ: dict[str, Any]) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def body_read_error(exc: Exception) -> ClientDisconnect | MalformedBody | None:
    """What a server's exception from ``wsgi.input.read()`` means for the client: ``MalformedBody``
    (broken framing), ``ClientDisconnect`` (EOF, reset, timeout), or None to let it through as it is
    (already one of the two, or not the client's doing)."""
    cls = type(exc)
    module = cls.__module__
    if module.startswith("gunicorn."):
        # gunicorn.http.errors: its parser's InvalidChunkSize, ChunkMissingTerminator, InvalidHeader...;
        # NoMoreData is an OSError; gunicorn.http2's errors are a stream or connection gone.
        if isinstance(exc, OSError) or module.startswith("gunicorn.http2"):
            return ClientDisconnect(str(exc))
        return MalformedBody(str(exc))
    if module == "gevent.pywsgi" and cls.__name__ == "_InvalidClientInput":
        # gevent's framing errors (an IOError), one of which is an EOF inside a chunk-size line.
        return ClientDisconnect(str(exc)) if "EOF" in str(exc) else MalformedBody(str(exc))
    if isinstance(exc, (ClientDisconnect, MalformedBody)):
        return None
    if isinstance(exc, OSError):
        # gevent.pywsgi's IOError("unexpected end of file ..."), a reset or a timeout on the socket.
        return ClientDisconnect(str(exc))
    if isinstance(exc, ValueError):
        return MalformedBody(str(exc))  # how other servers report a bad chunk (cheroot, for one)
    return None


def _raise_read_error(exc: Exception) -> NoReturn:
    error = body_read_error(exc)
    if error is None:
        raise exc
    raise error from exc


def iter_body(environ: dict[str, Any]) -> Iterator[bytes]:
    """The body of a WSGI request in chunks of up to 64 KiB: Content-Length bytes, or to the end
    when chunked. Raises ``ContentTooLarge`` past ``environ["fastrapi.max_body_size"]``, and, whatever
    the server, ``MalformedBody`` for broken framing and ``ClientDisconnect`` for a body cut short."""
    if environ.get(CONSUMED_KEY):
        raise RuntimeError("Stream consumed")
    stream = environ.get("wsgi.input")
    length = environ.get("CONTENT_LENGTH")
    limit = environ.get(MAX_BODY_SIZE_KEY)
    if stream is None:
        return
    environ[CONSUMED_KEY] = True
    coding = environ.get("HTTP_TRANSFER_ENCODING")
    if coding is not None and coding.strip(" \t").lower() != "chunked":
        # A server that takes `gzip, chunked` (gunicorn does) hands over bytes nobody decoded.
        raise MalformedBody(f"Unsupported Transfer-Encoding {coding!r}")
    hop = request_hop_sync.get()
    if hop is not None:  # a def endpoint on a pool thread: the server's socket is read in its hub
        stream = _HubInput(stream, hop)
    if length:
        declared = remaining = _content_length(environ)
        if limit is not None and remaining > limit:
            raise ContentTooLarge()
        while remaining > 0:
            try:  # PERF: inline, as in the loop below; a try costs nothing until something raises
                chunk = stream.read(min(remaining, CHUNK_SIZE))
            except Exception as exc:
                _raise_read_error(exc)
            if not chunk:
                # gunicorn's reader returns what arrived before EOF; that is not the body.
                raise ClientDisconnect(f"The body ended after {declared - remaining} of {declared} bytes")
            remaining -= len(chunk)
            yield chunk
    elif environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked" or environ.get("wsgi.input_terminated"):
        total = 0
        while True:
            try:
                chunk = stream.read(CHUNK_SIZE)
            except Exception as exc:
                _raise_read_error(exc)
            if not chunk:
                return
            total += len(chunk)
            if limit is not None and total > limit:
                raise ContentTooLarge()
            yield chunk


class _HubInput:
    """A ``wsgi.input`` read from a pool thread: each read runs in the request's gevent hub."""

    __slots__ = ("stream", "hop")

    def __init__(self, stream: Any, hop: Callable[[Callable[[], bytes]], bytes]) -> None:
        self.stream = stream
        self.hop = hop

    def read(self, size: int) -> bytes:
        return self.hop(partial(self.stream.read, size))


def read_body(environ: dict[str, Any]) -> bytes:
    """The whole body of a WSGI request, read once and cached in the environ."""
    cached: bytes | None = environ.get(BODY_KEY)
    if cached is not None:
        return cached
    body = b"".join(iter_body(environ))
    environ[BODY_KEY] = body
    return body


class BodyStream:
    """The request body in chunks, for ``for`` and ``async for``; the cached body when already read."""

    __slots__ = ("environ",)

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ

    def __iter__(self) -> Iterator[bytes]:
        cached = self.environ.get(BODY_KEY)
        if cached is not None:
            if cached:
                yield cached
            return
        yield from iter_body(self.environ)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = iter(self)
        while (chunk := await on_request_side(partial(next, chunks, None))) is not None:
            yield chunk


class FormCall:
    """What ``request.form()`` returns: awaitable, or an async context manager that closes the files."""

    __slots__ = ("request", "limits", "form")

    def __init__(self, request: Request, limits: FormLimits) -> None:
        self.request = request
        self.limits = limits
        self.form: FormData | None = None

    def __await__(self) -> Generator[Any, None, FormData]:
        return self._get().__await__()

    async def _get(self) -> FormData:
        return await on_request_side(partial(self.request.read_form, self.limits))

    async def __aenter__(self) -> FormData:
        self.form = await on_request_side(partial(self.request.read_form, self.limits))
        return self.form

    async def __aexit__(self, *exc_info: object) -> None:
        if self.form is not None:
            self.form.close_files()
