"""``TestClient``: FastAPI's test client API, calling the WSGI app in-process through httpx.

Built on httpx's ``WSGITransport``: it already speaks httpx's full request API (params, json,
data, files, cookies, redirects) and calls the body's ``close()``, which is where a request's
background tasks start; under the client they run inline, so they have finished on return.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import httpx

from fastrapi.applications import RAISE_SERVER_EXCEPTIONS_KEY
from fastrapi.background import INLINE_TASKS_KEY

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
        transport = httpx.WSGITransport(
            app=_TestingApp(app, raise_server_exceptions, run_background_tasks),  # type: ignore[arg-type]
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
