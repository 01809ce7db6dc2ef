"""``TestClient``: FastAPI's test client API, calling the WSGI app in-process through httpx.

Built on httpx's ``WSGITransport``: it already speaks httpx's full request API (params, json,
data, files, cookies, redirects) and calls the body's ``close()``, which is where a request's
background tasks start; under the client they run inline, so they have finished on return.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import httpx

from fastrapi.applications import RAISE_SERVER_EXCEPTIONS_KEY
from fastrapi.background import INLINE_TASKS_KEY
from fastrapi.websocket_testing import WebSocketTestSession

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _TestingApp:
    """Marks each environ so the app re-raises server errors and runs tasks before returning."""

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
        self._testing_app = _TestingApp(app, raise_server_exceptions, run_background_tasks)
        self._root_path = root_path
        self._client_address = client
        transport = httpx.WSGITransport(
            app=self._testing_app,  # type: ignore[arg-type]
            raise_app_exceptions=raise_server_exceptions,
            script_name=root_path,
            remote_addr=client[0],
        )
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
        for name, value in request.headers.multi_items():
            key = "HTTP_" + name.upper().replace("-", "_")
            environ[key] = f"{environ[key]},{value}" if key in environ else value
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
        shutdown = getattr(self.app, "shutdown", None)
        try:
            if shutdown is not None:
                shutdown()
        finally:
            super().__exit__(exc_type, exc, tb)


class _NoBody:
    """The ``wsgi.input`` of a WebSocket handshake: empty."""

    def read(self, size: int = -1) -> bytes:
        return b""
