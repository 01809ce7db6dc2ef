"""A FastrAPI app's ASGI face, for tests: ``httpx.AsyncClient(transport=httpx.ASGITransport(app=app))``.

An ``http`` scope becomes the environ a WSGI server would build and the app runs in-process as under
``TestClient`` (server errors raised in the test, background tasks run before the call returns), in a worker
thread; its answer goes back as ``http.response.start`` and ``http.response.body`` messages. ``lifespan``
messages run the app's startup and shutdown (asgi-lifespan's ``LifespanManager``).
WebSockets are refused, and so are ASGI servers: fastrapi apps are served as WSGI.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable, MutableMapping
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from fastrapi.types import Environ, StartResponse

if TYPE_CHECKING:
    from fastrapi.testclient import AppAnswer

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

NOT_A_SERVER = (
    "fastrapi apps are WSGI applications and cannot be served by an ASGI server: their ASGI face is only for "
    "in-process tests (httpx.ASGITransport). Serve the app with app.serve(), `fastrapi run module:app` or "
    "`gunicorn -k gevent module:app`."
)
NO_WEBSOCKETS = (
    "fastrapi's ASGI face answers http requests only: test WebSocket routes with "
    "`with TestClient(app).websocket_connect(\"/ws\") as websocket:` (from fastrapi.testclient import TestClient)."
)


class ServedApp(Protocol):
    """What the adapter needs of the app: its WSGI call, startup and shutdown (``FastrAPI`` has them)."""

    def __call__(self, environ: Environ, start_response: StartResponse, /) -> Iterable[bytes]: ...

    def startup(self) -> None: ...

    def shutdown(self) -> None: ...


async def serve(app: ServedApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer one ASGI (3.0) call of ``app``."""
    kind = scope["type"]
    if kind == "http":
        await _http(app, scope, receive, send)
    elif kind == "lifespan":
        await _lifespan(app, scope, receive, send)
    elif kind == "websocket":
        raise RuntimeError(NO_WEBSOCKETS)
    else:
        raise ValueError(f"Unknown ASGI scope type {kind!r}")


def refuse_asgi2(scope: Scope) -> Callable[[Receive, Send], Coroutine[Any, Any, None]]:
    """``app(scope)``: how uvicorn calls an app whose ``__call__`` is not ``async def`` (it takes it for
    ASGI 2). The instance it gets fails the lifespan's startup with ``NOT_A_SERVER`` (uvicorn then exits,
    printing it) and raises it for a request."""
    return partial(_refuse_server, scope)


async def _refuse_server(scope: Scope, receive: Receive, send: Send) -> None:
    if scope.get("type") == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.failed", "message": NOT_A_SERVER})
        return
    raise RuntimeError(NOT_A_SERVER)


async def _http(app: ServedApp, scope: Scope, receive: Receive, send: Send) -> None:
    # Imported here: testclient needs httpx, which brings anyio; both are test dependencies.
    import anyio.from_thread
    import anyio.to_thread

    from fastrapi.testclient import TestingApp, call_app, request_environ

    body = await _read_body(receive)
    host, port = scope.get("server") or ("testserver", None)
    environ = request_environ(
        scope["method"], scope.get("scheme", "http"), host, port, scope["path"],
        scope.get("query_string", b"").decode("latin-1"), body,
        ((name.decode("latin-1"), value.decode("latin-1")) for name, value in scope.get("headers", ())),
        scope.get("root_path", ""), scope.get("client"), scope.get("http_version", "1.1"))
    # ASGI's messages frame the body, not the header: the app reads what was sent, as an ASGI app would.
    environ["wsgi.input_terminated"] = True
    if "CONTENT_LENGTH" in environ:
        environ["CONTENT_LENGTH"] = str(len(body))
    testing_app = TestingApp(app, raise_server_exceptions=True, run_background_inline=True)

    def post(message: Message) -> None:  # from the worker thread, on the event loop
        anyio.from_thread.run(_deliver, send, message)

    # The app runs in a worker thread so that the test's event loop goes on meanwhile (its timeouts,
    # cancellation, other requests, servers the endpoint calls); a cancelled request is abandoned there.
    await anyio.to_thread.run_sync(_respond, partial(call_app, testing_app, environ), post, abandon_on_cancel=True)


async def _deliver(send: Send, message: Message) -> None:
    await send(message)  # ``send`` may return any awaitable; from_thread.run wants a coroutine


def _respond(call: Callable[[], AppAnswer], post: Callable[[Message], object]) -> None:
    """Call the app and ``post`` its answer as ASGI messages, from the worker thread."""
    answer = call()
    post({
        "type": "http.response.start",
        "status": answer.status,
        "headers": [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers],
    })
    try:
        for chunk in answer.body:
            if chunk:
                post({"type": "http.response.body", "body": chunk, "more_body": True})
        post({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        answer.body.close()  # background tasks run here, after the last message, as Starlette runs them
    if answer.exc_info and answer.exc_info[0]:
        # As Starlette's ServerErrorMiddleware: the 500 is sent, then the error raised to the caller.
        raise answer.exc_info[1]


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # http.disconnect: the caller went away
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _lifespan(app: ServedApp, scope: Scope, receive: Receive, send: Send) -> None:
    # Servers state the lifespan spec they speak (uvicorn --interface asgi3 does); asgi-lifespan does not.
    if "spec_version" in (scope.get("asgi") or {}):
        await _refuse_server(scope, receive, send)
        return
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                app.startup()
            except BaseException as exc:
                await send({"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"})
                raise
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            try:
                app.shutdown()
            except BaseException as exc:
                await send({"type": "lifespan.shutdown.failed", "message": f"{type(exc).__name__}: {exc}"})
                raise
            await send({"type": "lifespan.shutdown.complete"})
            return
