"""``APIWebSocketRoute``: a WebSocket endpoint with path/query/header/cookie parameters and ``Depends``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from fastrapi.concurrency import is_async_callable, run_async, run_sync
from fastrapi.dependencies.analysis import RoutePlan
from fastrapi.dependencies.compile import compile_route
from fastrapi.dependencies.exits import RequestExits
from fastrapi.dependencies.solver import solve
from fastrapi.encoders import jsonable_encoder
from fastrapi.exceptions import (
    HTTPException,
    RequestValidationError,
    WebSocketException,
    WebSocketRequestValidationError,
    class_handler,
    is_http_exception,
)
from fastrapi.routing.dispatch import WEBSOCKET
from fastrapi.routing.endpoint import RAISE_SERVER_EXCEPTIONS_KEY
from fastrapi.routing.paths import NoMatchFound, compile_path
from fastrapi.routing.routes import PlannedRoute
from fastrapi.status import WS_1008_POLICY_VIOLATION
from fastrapi.types import APP_KEY, Environ, StartResponse
from fastrapi.websocket_session import COMPRESSION_KEY, MAX_SIZE_KEY, PING_INTERVAL_KEY, PING_TIMEOUT_KEY
from fastrapi.websockets import SyncWebSocket, WebSocket, WebSocketDisconnect, WebSocketState

logger = logging.getLogger("fastrapi")

# FastrAPI(**extra) settings of every WebSocket connection, and the environ keys the session reads.
SETTING_KEYS = {
    "websocket_max_size": MAX_SIZE_KEY,
    "websocket_compression": COMPRESSION_KEY,
    "websocket_ping_interval": PING_INTERVAL_KEY,
    "websocket_ping_timeout": PING_TIMEOUT_KEY,
}
CLOSE_REASON_LIMIT = 123  # bytes of a close frame's reason (RFC 6455 5.5: 125 with the code)


class APIWebSocketRoute(PlannedRoute):
    """``@app.websocket(path)``: ``async def`` endpoints get a ``WebSocket``, ``def`` ones a
    ``SyncWebSocket`` (the same methods, blocking the request's greenlet)."""

    include_in_schema = False

    def __init__(self, path: str, endpoint: Callable[..., Any], *, name: str | None = None,
                 dependencies: Sequence[Any] | None = None) -> None:
        self.path = path
        self.endpoint = endpoint
        self.route_name: str = name or str(getattr(endpoint, "__name__", type(endpoint).__name__))
        self.name = self.route_name
        self.dependencies = list(dependencies or [])
        self.template = compile_path(path)
        self.options: dict[str, Any] = {}
        self._settings: Mapping[str, Any] = {}
        self.plan: RoutePlan = compile_route(endpoint, self._path_names(), self.route_name, {}, self.dependencies)
        self._overridden: tuple[object, RoutePlan] | None = None

    def _path_names(self) -> set[str]:
        return {n for n, _ in self.template.params}

    def matches_method(self, method: str) -> bool:
        return method == WEBSOCKET

    def handle(self, environ: Environ, start_response: StartResponse, path_params: dict[str, Any]) -> Iterable[bytes]:
        extra = getattr(environ.get(APP_KEY), "extra", None)
        if extra:  # FastrAPI(websocket_max_size=..., ...): per connection, so read here, not at add time
            for name, key in SETTING_KEYS.items():
                if name in extra:
                    environ.setdefault(key, extra[name])
        plan = self.plan
        websocket = (WebSocket if plan.is_async else SyncWebSocket)(environ, path_params)
        if websocket.handshake_error is not None:
            return websocket.finish(start_response)  # 400/426: no endpoint runs
        if plan.dependencies:
            overrides = getattr(websocket.app, "dependency_overrides", None)
            if overrides:
                plan = self.plan_for(overrides)
        exits = RequestExits() if plan.has_exits else None
        error: BaseException | None = None
        try:
            kwargs = solve(plan, websocket, None, None, exits)  # type: ignore[arg-type]  # an HTTPConnection
            if plan.is_async:
                run_async(plan.call, (), kwargs, plan.suspends)
            else:
                run_sync(plan.call, **kwargs)
        except BaseException as exc:
            error = exc
        if exits is not None:
            error = exits.exit_request(exits.exit_function(error))
        return self._finish(websocket, environ, start_response, error)

    def _finish(self, websocket: WebSocket | SyncWebSocket, environ: Environ, start_response: StartResponse,
                error: BaseException | None) -> Iterable[bytes]:
        """Close as FastAPI does for what the endpoint ended with, then hand the socket back."""
        if error is None:
            return websocket.finish(start_response)
        if isinstance(error, WebSocketDisconnect):
            if environ.get(RAISE_SERVER_EXCEPTIONS_KEY):
                raise error  # TestClient: raised when the test leaves the session, as Starlette's does
            return websocket.finish(start_response)  # a server: the client left, nothing to answer
        if isinstance(error, RequestValidationError):  # a parameter or dependency did not validate
            error = WebSocketRequestValidationError(
                error.errors(), endpoint_ctx=self.endpoint_context("WS", environ.get("SCRIPT_NAME", "")))
        if isinstance(error, Exception) and not isinstance(error, WebSocketDisconnect):
            handler = _user_handler(environ, error)
            if handler is not None:  # the app's exception_handlers answer WebSocket errors too, as FastAPI's
                try:
                    if is_async_callable(handler):
                        run_async(handler, (websocket, error), {})
                    else:
                        run_sync(handler, websocket, error)
                except Exception as handler_error:
                    error = handler_error
                else:
                    return websocket.finish(start_response)
        if isinstance(error, WebSocketRequestValidationError):
            # Always before accept (parameters are solved first): a refusal, answered 403 on the wire;
            # TestClient sees the errors themselves as the reason, as FastAPI's does.
            return self._close(websocket, start_response, WS_1008_POLICY_VIOLATION, jsonable_encoder(error.errors()))
        if isinstance(error, WebSocketException):
            return self._close(websocket, start_response, error.code, error.reason or "")
        if is_http_exception(error) and websocket.application_state is WebSocketState.CONNECTING:
            # Before accepting the handshake is still an HTTP request: the app's exception layer answers it
            # (a security dependency's 401 with its WWW-Authenticate), as Starlette's denial response.
            raise error
        if not isinstance(error, Exception):
            websocket.finish(start_response, failed=True)
            raise error  # GreenletExit, KeyboardInterrupt: after the socket is closed
        if environ.get(RAISE_SERVER_EXCEPTIONS_KEY):
            raise error  # TestClient: the test sees the endpoint's error, as Starlette's shows it
        logger.error("Exception in WebSocket %s", websocket.url.path, exc_info=error)
        return websocket.finish(start_response, failed=True)  # 1011

    @staticmethod
    def _close(websocket: WebSocket | SyncWebSocket, start_response: StartResponse, code: int,
               reason: Any) -> Iterable[bytes]:
        if isinstance(reason, str):
            reason = reason.encode()[:CLOSE_REASON_LIMIT].decode(errors="ignore")
        try:
            websocket._send_now({"type": "websocket.close", "code": code, "reason": reason})
        except Exception:  # the peer is gone, or the socket was closed already
            logger.debug("Could not close the WebSocket with %s", code, exc_info=True)
        return websocket.finish(start_response)

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        if name != self.name or self._path_names() != set(path_params):
            raise NoMatchFound(name, path_params)
        return self.template.url_path(path_params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, name={self.name!r})"


def _user_handler(environ: Environ, error: Exception) -> Callable[..., Any] | None:
    """The handler the app registered for ``error``'s class (by its MRO), if it is not one of the HTTP
    defaults; it is called with ``(websocket, exc)``."""
    handlers = getattr(environ.get(APP_KEY), "exception_handlers", None)
    found = class_handler(handlers, error) if handlers else None
    if found is None or found[0] in (HTTPException, RequestValidationError):
        return None
    return found[1]  # type: ignore[no-any-return]
