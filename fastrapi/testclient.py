"""``TestClient``: FastAPI's test client API, calling the WSGI app in-process through httpx.

An ``httpx.Client`` (params, json, data, files, cookies, redirects) whose transport calls the app with
the environ a WSGI server would build, repeated headers folded into one value, and calls the body's
``close()``, which is where a request's background tasks start; under the client they run inline,
so they have finished on return. ``request_environ`` and ``call_app`` also serve the app's ASGI face
(``fastrapi.asgi_adapter``).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, NamedTuple

import httpx

from fastrapi.background import INLINE_TASKS_KEY
from fastrapi.routing.endpoint import RAISE_SERVER_EXCEPTIONS_KEY
from fastrapi.scope import ORIGINAL_PATH_KEY
from fastrapi.websocket_testing import WebSocketDenialResponse as WebSocketDenialResponse  # re-exported
from fastrapi.websocket_testing import WebSocketTestSession

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class TestingApp:
    """Marks each environ so the app re-raises server errors and runs tasks before returning."""

    __test__ = False  # not a pytest test class

    def __init__(self, app: WSGIApp, raise_server_exceptions: bool, run_background_inline: bool) -> None:
        self.app = app
        self.raise_server_exceptions = raise_server_exceptions
        self.run_background_inline = run_background_inline

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.raise_server_exceptions:
            environ[RAISE_SERVER_EXCEPTIONS_KEY] = True
        if self.run_background_inline:
            environ[INLINE_TASKS_KEY] = True
        environ.setdefault("HTTP_HOST", environ.get("SERVER_NAME", "testserver"))
        # httpx passes the path decoded; PEP 3333 wants its UTF-8 bytes as latin-1, as servers do.
        environ["PATH_INFO"] = environ["PATH_INFO"].encode("utf-8").decode("latin-1")
        return self.app(environ, start_response)


def fold_headers(environ: dict[str, Any], headers: Iterable[tuple[str, str]]) -> None:
    """Put request headers in ``environ`` as WSGI servers do: a repeated header becomes one value,
    its values joined with ``", "`` (``Cookie`` with ``"; "``), so that list headers see them all."""
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        previous = environ.get(key)
        if previous is None:
            environ[key] = value
        else:
            environ[key] = f"{previous}{'; ' if key == 'HTTP_COOKIE' else ', '}{value}"


class _Body(httpx.SyncByteStream):
    """The app's body as httpx's response stream: the first chunk (already read), then the rest;
    ``close()`` reaches the app's iterable (where background tasks start)."""

    def __init__(self, first: bytes, rest: Iterator[bytes], chunks: Iterable[bytes], raise_errors: bool = True) -> None:
        self._first = first
        self._rest = rest
        self._chunks = chunks
        self._raise_errors = raise_errors

    def __iter__(self) -> Iterator[bytes]:
        if self._first:
            yield self._first
        try:
            yield from self._rest
        except Exception:
            if self._raise_errors:
                raise
            # raise_server_exceptions=False: the body ends where the app failed, as a client sees it

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


def request_environ(method: str, scheme: str, host: str, port: int | None, path: str, query: str, body: bytes,
                    headers: Iterable[tuple[str, str]], root_path: str = "",
                    client: tuple[str, int] | None = None, http_version: str = "1.1") -> dict[str, Any]:
    """The environ a WSGI server builds for a request; ``path`` decoded (``TestingApp`` encodes it as PEP 3333
    wants). With a ``root_path``, the path is taken as sent, with or without the root path, as Starlette's
    TestClient takes it."""
    environ: dict[str, Any] = {
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": root_path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": host,
        "SERVER_PORT": str(port or (443 if scheme == "https" else 80)),
        "SERVER_PROTOCOL": f"HTTP/{http_version}",
    }
    if client is not None:
        environ["REMOTE_ADDR"] = client[0]
        environ["REMOTE_PORT"] = str(client[1])
    fold_headers(environ, headers)
    if root_path:
        environ[ORIGINAL_PATH_KEY] = path
        if path == root_path or path.startswith(root_path + "/"):
            environ["PATH_INFO"] = path[len(root_path):] or "/"
    return environ


class AppAnswer(NamedTuple):
    """What a WSGI app answered: status code, headers, ``start_response``'s ``exc_info`` and the body."""

    status: int
    headers: list[tuple[str, str]]
    exc_info: Any
    body: _Body


def call_app(app: WSGIApp, environ: dict[str, Any], raise_body_errors: bool = True) -> AppAnswer:
    """Call ``app`` as a server does, up to its first non-empty chunk (``start_response`` may wait for it);
    iterate the answer's body for the rest and close it, which is where background tasks start. An error
    while the body streams, after the status went out, ends the body there unless ``raise_body_errors``."""
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
        answer.update(status=status, headers=headers, exc_info=exc_info)
        return lambda data: None

    chunks = app(environ, start_response)
    iterator = iter(chunks)
    first = b""
    try:
        for first in iterator:  # start_response may wait for the first chunk (PEP 3333)
            if first:
                break
    except Exception:
        if raise_body_errors or "status" not in answer:
            raise
        iterator, first = iter(()), b""
    return AppAnswer(int(answer["status"].split()[0]), answer["headers"], answer.get("exc_info"),
                     _Body(first, iterator, chunks, raise_body_errors))


class _Transport(httpx.BaseTransport):
    """Calls the WSGI app with the environ a server would build from the httpx request."""

    def __init__(self, app: WSGIApp, raise_app_exceptions: bool, root_path: str,
                 client: tuple[str, int]) -> None:
        self.app = app
        self.raise_app_exceptions = raise_app_exceptions
        self.root_path = root_path
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        environ = request_environ(
            request.method, url.scheme, url.host, url.port, url.path, url.query.decode("latin-1"), request.read(),
            ((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw),
            self.root_path, self.client)
        answer = call_app(self.app, environ, self.raise_app_exceptions)
        if answer.exc_info and answer.exc_info[0] and self.raise_app_exceptions:
            raise answer.exc_info[1]
        return httpx.Response(
            answer.status,
            headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers],
            stream=answer.body,
        )


class TestClient(httpx.Client):
    """``TestClient(app)``: ``client.get("/")`` returns an ``httpx.Response``.

    ``with TestClient(app) as client:`` runs the app's startup and shutdown around the block.
    ``run_background_tasks=False`` leaves tasks to the real runner (for timing tests).
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        app: WSGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        cookies: httpx._types.CookieTypes | None = None,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
        client: tuple[str, int] = ("testclient", 50000),
        run_background_tasks: bool = True,
    ) -> None:
        self.app = app
        self._testing_app = TestingApp(app, raise_server_exceptions, run_background_tasks)
        self._root_path = root_path
        self._client_address = client
        transport = _Transport(self._testing_app, raise_server_exceptions, root_path, client)
        super().__init__(
            transport=transport,
            base_url=base_url,
            headers={"user-agent": "testclient", **(headers or {})},
            cookies=cookies,
            follow_redirects=follow_redirects,
        )

    def websocket_connect(self, url: str, subprotocols: list[str] | None = None,
                          headers: dict[str, str] | None = None) -> WebSocketTestSession:
        """``with client.websocket_connect("/ws") as ws:`` a WebSocket to the app, in this process.

        Raises ``WebSocketDisconnect`` (the app's code) when the app closes before accepting.
        """
        target = self._merge_url(url)
        request = self.build_request("GET", target, headers=headers)
        path = target.path
        root = self._root_path
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": root,
            "PATH_INFO": path[len(root):] if root and path.startswith(root) else path,
            "QUERY_STRING": target.query.decode("latin-1"),
            "SERVER_NAME": target.host,
            "SERVER_PORT": str(target.port or (443 if target.scheme in ("https", "wss") else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": self._client_address[0],
            "REMOTE_PORT": str(self._client_address[1]),
            "wsgi.url_scheme": "https" if target.scheme in ("https", "wss") else "http",
            "wsgi.input": _NoBody(),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        fold_headers(environ, request.headers.multi_items())
        target_text = target.raw_path.decode("latin-1")
        return WebSocketTestSession(self._testing_app, environ, subprotocols or [], target.netloc.decode("latin-1"),
                                    target_text)

    def __enter__(self) -> TestClient:
        startup = getattr(self.app, "startup", None)
        if startup is not None:
            startup()
        return self

    def __exit__(self, exc_type: type[BaseException] | None = None, exc: BaseException | None = None,
                 tb: TracebackType | None = None) -> None:
        """Run the app's shutdown. The client stays open, as Starlette's does: a module-level client can be
        entered again (``with client:`` in each test) and used between the blocks."""
        shutdown = getattr(self.app, "shutdown", None)
        if shutdown is not None:
            shutdown()

    @property
    def app_state(self) -> dict[str, Any]:
        """The state the app's lifespan yielded (Starlette's ``TestClient.app_state``)."""
        lifespan = getattr(self.app, "lifespan", None)
        state = getattr(lifespan, "state", None)
        return state if isinstance(state, dict) else {}


class _NoBody:
    """The ``wsgi.input`` of a WebSocket handshake: empty."""

    def read(self, size: int = -1) -> bytes:
        return b""
