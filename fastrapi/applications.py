"""``FastrAPI``: the application object, a PEP 3333 WSGI callable."""

from __future__ import annotations

import atexit
import contextvars
import logging
import os
import warnings
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import gevent
from typing_extensions import deprecated

from fastrapi.asgi_adapter import Receive, Scope, Send, refuse_asgi2
from fastrapi.asgi_adapter import serve as serve_asgi
from fastrapi.asgi_guard import check_middleware
from fastrapi.background import (
    DEFAULT_CONCURRENCY,
    DEFAULT_THREADS,
    BackgroundRunner,
    BackgroundStats,
    BackgroundTask,
)
from fastrapi.datastructures import State
from fastrapi.dependencies.compile import check_max_body_size
from fastrapi.dependencies.overrides import DependencyOverrides
from fastrapi.exception_handlers import http_exception_response, request_validation_error_response
from fastrapi.exception_layer import ExceptionHandler, ExceptionLayer, handler_key
from fastrapi.exceptions import FastAPIDeprecationWarning, HTTPException, RequestValidationError
from fastrapi.formparsers import check_form_limits
from fastrapi.lifespan import ON_EVENT_DEPRECATED, Lifespan
from fastrapi.middleware import Middleware
from fastrapi.middleware.base import BaseHTTPMiddleware
from fastrapi.middleware.errors import ServerErrorMiddleware
from fastrapi.openapi.docs_routes import DocsAssets, add_docs_routes
from fastrapi.openapi.utils import get_openapi
from fastrapi.responses import JSONResponse, PlainTextResponse, Response
from fastrapi.routing import APIRoute, APIRouter, APIWebSocketRoute, BaseRoute, RouteDecorators
from fastrapi.routing.endpoint import RAISE_SERVER_EXCEPTIONS_KEY  # noqa: F401  (TestClient sets it)
from fastrapi.routing.frontend import resolve_check_dir
from fastrapi.scope import ORIGINAL_PATH_KEY
from fastrapi.tasks import TaskQueueUnavailable, task
from fastrapi.types import APP_KEY, StartResponse, WSGIApp

if TYPE_CHECKING:
    from fastrapi.task_queue import TaskBackend

logger = logging.getLogger("fastrapi")


# ``FastrAPI(**extra)`` settings resolved into each route's plan when the route starts serving.
ROUTE_SETTINGS = ("max_body_size", "form_limits", "strict_content_type")


class FastrAPI(RouteDecorators):
    """The application: routes, settings and the WSGI entry point.

    ``app = FastrAPI(); @app.get("/") ...``; serve it with ``app.serve(host, port)``,
    ``gunicorn -k gevent module:app`` or any WSGI server.

    ``background_concurrency`` caps the requests whose tasks run at once (1,000); on an unpatched
    gevent server (``app.serve()``) blocking tasks hold at most ``background_threads`` threads, added
    to the pool on top of the 40 ``def`` endpoints keep, so tasks cannot starve requests. The
    default, 40, gives tasks the 40 threads FastAPI shares between its endpoints and tasks.
    """

    def __init__(
        self,
        *,
        debug: bool = False,
        routes: list[BaseRoute] | None = None,
        title: str = "FastAPI",
        summary: str | None = None,
        description: str = "",
        version: str = "0.1.0",
        openapi_url: str | None = "/openapi.json",
        openapi_tags: list[dict[str, Any]] | None = None,
        servers: list[dict[str, Any]] | None = None,
        dependencies: Sequence[Any] | None = None,
        default_response_class: type[Response] = JSONResponse,
        redirect_slashes: bool = True,
        docs_url: str | None = "/docs",
        redoc_url: str | None = "/redoc",
        swagger_ui_oauth2_redirect_url: str | None = "/docs/oauth2-redirect",
        swagger_ui_init_oauth: dict[str, Any] | None = None,
        middleware: Sequence[Any] | None = None,
        exception_handlers: dict[int | type[Exception], ExceptionHandler] | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        lifespan: Callable[[FastrAPI], Any] | None = None,
        terms_of_service: str | None = None,
        contact: dict[str, Any] | None = None,
        license_info: dict[str, Any] | None = None,
        root_path: str = "",
        root_path_in_servers: bool = True,
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[BaseRoute] | None = None,
        webhooks: APIRouter | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        swagger_ui_parameters: dict[str, Any] | None = None,
        separate_input_output_schemas: bool = True,
        openapi_external_docs: dict[str, Any] | None = None,
        generate_unique_id_function: Callable[[APIRoute], str] | None = None,
        docs_assets: str | DocsAssets | None = None,
        on_background_error: Callable[[BackgroundTask, BaseException], None] | None = None,
        background_concurrency: int = DEFAULT_CONCURRENCY,
        background_threads: int = DEFAULT_THREADS,
        task_queue: Any = None,
        **extra: Any,
    ) -> None:
        self.debug = debug
        self.title = title
        self.summary = summary
        self.description = description
        self.version = version
        self.openapi_url = openapi_url
        self.openapi_tags = openapi_tags
        self.servers = servers or []
        self.docs_url = docs_url
        self.redoc_url = redoc_url
        self.swagger_ui_oauth2_redirect_url = swagger_ui_oauth2_redirect_url
        self.swagger_ui_init_oauth = swagger_ui_init_oauth
        self.swagger_ui_parameters = swagger_ui_parameters
        self.terms_of_service = terms_of_service
        self.contact = contact
        self.license_info = license_info
        if root_path:
            warnings.warn("The `root_path` parameter is deprecated. Configure the server's root path instead, "
                          "for example with `fastrapi run --root-path /api/v1` (FastAPI's `fastapi run --root-path`).",
                          FastAPIDeprecationWarning, stacklevel=2)
        self.root_path = root_path
        self.root_path_in_servers = root_path_in_servers
        self.webhooks = webhooks or APIRouter()
        self.separate_input_output_schemas = separate_input_output_schemas
        self.openapi_external_docs = openapi_external_docs
        self.openapi_version = "3.1.0"
        self.openapi_schema: dict[str, Any] | None = None
        self._openapi_routes_version: tuple[Any, ...] | None = None
        if openapi_url:
            assert title, "A title must be provided for OpenAPI, e.g.: 'My API'"
            assert version, "A version must be provided for OpenAPI, e.g.: '2.1.0'"
        self.user_middleware: list[Middleware] = [
            m if isinstance(m, Middleware) else Middleware(*m) for m in (middleware or [])
        ]
        for entry in self.user_middleware:
            check_middleware(entry.cls)
        self.middleware_stack: WSGIApp | None = None
        # Stored until the issues that implement them land (OpenAPI, ...).
        self.extra = extra
        self.state = State()
        self._dependency_overrides = DependencyOverrides()
        self.router = APIRouter(
            routes=routes, dependencies=dependencies, default_response_class=default_response_class,
            redirect_slashes=redirect_slashes, responses=responses, deprecated=deprecated,
            include_in_schema=include_in_schema, callbacks=callbacks,
            generate_unique_id_function=generate_unique_id_function,
        )
        # The route settings every route of this app serves under, unless it sets its own.
        self.router.route_settings = {name: extra[name] for name in ROUTE_SETTINGS if name in extra}
        check_max_body_size(extra.get("max_body_size"))
        check_form_limits(extra.get("form_limits"))
        self.docs_assets = add_docs_routes(self, docs_assets)
        self.exception_handlers: dict[Any, ExceptionHandler] = {
            HTTPException: http_exception_response,
            RequestValidationError: request_validation_error_response,
        }
        for key, handler in (exception_handlers or {}).items():
            self.add_exception_handler(key, handler)
        self.exception_layer = ExceptionLayer(self, self.router)
        self.lifespan = Lifespan(self, lifespan, on_startup, on_shutdown)
        self.background_runner = BackgroundRunner(on_error=on_background_error, concurrency=background_concurrency,
                                                  threads=background_threads)
        # Durable tasks (@app.task) go here: a Redis URL, an rq.Queue, a redis.Redis or a task backend.
        self.task_queue: TaskBackend | None = None
        if task_queue is not None:
            from fastrapi.task_queue import make_task_queue  # needs rq: only for apps that use it

            self.task_queue = make_task_queue(task_queue)
        self.drain_timeout = 25.0  # below gunicorn's default graceful timeout (30 s)
        self._exit_hook_registered = False

    # -- OpenAPI ------------------------------------------------------------------------
    def openapi(self) -> dict[str, Any]:
        """The app's OpenAPI document, kept in ``app.openapi_schema``; made again after the routes change."""
        version = (self.router.matcher, self.webhooks.matcher)
        if not self.openapi_schema or self._openapi_routes_version != version:
            self.openapi_schema = get_openapi(
                title=self.title, version=self.version, openapi_version=self.openapi_version,
                summary=self.summary, description=self.description, terms_of_service=self.terms_of_service,
                contact=self.contact, license_info=self.license_info, routes=self.routes,
                webhooks=self.webhooks.routes, tags=self.openapi_tags, servers=self.servers,
                separate_input_output_schemas=self.separate_input_output_schemas,
                external_docs=self.openapi_external_docs,
            )
            self._openapi_routes_version = version
        return self.openapi_schema

    # -- dependency overrides -----------------------------------------------------------
    @property
    def dependency_overrides(self) -> DependencyOverrides:
        """``{dependency: replacement}`` for tests; routes re-plan their dependency tree after a
        change (on their next request), so requests still walk a prepared plan."""
        return self._dependency_overrides

    @dependency_overrides.setter
    def dependency_overrides(self, value: dict[Callable[..., Any], Callable[..., Any]] | None) -> None:
        # None: no overrides, as FastAPI reads it.
        self._dependency_overrides = (value if isinstance(value, DependencyOverrides)
                                      else DependencyOverrides(value or {}))

    # -- registration -------------------------------------------------------------------
    @property
    def routes(self) -> list[BaseRoute]:
        return self.router.routes

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> APIRoute:
        return self.router.add_api_route(path, endpoint, **kwargs)

    def api_route(self, path: str, *, methods: Sequence[str] | None = None,
                  **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.router.api_route(path, methods=methods, **kwargs)

    def add_api_websocket_route(self, path: str, endpoint: Callable[..., Any], name: str | None = None, *,
                                dependencies: Sequence[Any] | None = None) -> APIWebSocketRoute:
        return self.router.add_api_websocket_route(path, endpoint, name=name, dependencies=dependencies)

    def add_route(self, path: str, endpoint: Callable[..., Any], methods: Sequence[str] | None = None,
                  name: str | None = None, include_in_schema: bool = True) -> None:
        self.router.add_route(path, endpoint, methods=methods, name=name, include_in_schema=include_in_schema)

    def add_websocket_route(self, path: str, endpoint: Callable[..., Any], name: str | None = None) -> None:
        self.router.add_websocket_route(path, endpoint, name=name)

    def include_router(self, router: APIRouter, **kwargs: Any) -> None:
        """Add ``router``'s routes (also those it gets later) under ``prefix``, with the given overrides."""
        self.router.include_router(router, **kwargs)
        self.lifespan.include(router)

    def frontend(self, path: str, *, directory: str | os.PathLike[str],
                 fallback: Literal["auto", "index.html", "404.html"] | None = "auto",
                 check_dir: bool | Literal["auto"] = "auto") -> None:
        """Serve a built frontend (``dist/``) under ``path``, after every API route (see ``APIRouter.frontend``)."""
        checked = resolve_check_dir(directory, check_dir, stacklevel=2)
        self.router.frontend(path, directory=directory, fallback=fallback, check_dir=checked)

    def mount(self, path: str, app: WSGIApp, name: str | None = None) -> None:
        """Serve the WSGI app ``app`` (Flask, Django, StaticFiles, another FastrAPI...) under ``path``."""
        self.router.mount(path, app, name=name)

    # -- middleware ---------------------------------------------------------------------
    def add_middleware(self, middleware_class: Callable[..., WSGIApp], *args: Any, **kwargs: Any) -> None:
        """Wrap the app in ``middleware_class(app, *args, **kwargs)``; the last added runs first."""
        if self.middleware_stack is not None:
            raise RuntimeError("Cannot add middleware after an application has started")
        check_middleware(middleware_class)
        self.user_middleware.insert(0, Middleware(middleware_class, *args, **kwargs))

    def middleware(self, middleware_type: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: ``@app.middleware("http")`` on ``(async) def f(request, call_next)``."""
        if middleware_type != "http":
            raise ValueError(f"Unsupported middleware type {middleware_type!r}; only 'http' exists")

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self.add_middleware(BaseHTTPMiddleware, dispatch=func)
            return func

        return decorator

    def build_middleware_stack(self) -> WSGIApp:
        """The user middleware around the app's dispatch, first added innermost, errors outermost."""
        app: WSGIApp = self.exception_layer
        if not self.user_middleware:
            return app
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return ServerErrorMiddleware(app, self.exception_layer.server_error)

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        return self.router.url_path_for(name, **path_params)

    def exception_handler(self, exc_class_or_status_code: int | type[Exception]) -> Callable[[Any], Any]:
        """Decorator: answer ``exc_class_or_status_code`` with ``handler(request, exc)``."""

        def decorator(func: ExceptionHandler) -> ExceptionHandler:
            self.add_exception_handler(exc_class_or_status_code, func)
            return func

        return decorator

    def add_exception_handler(self, key: int | type[Exception], handler: ExceptionHandler) -> None:
        """Answer ``key`` (a status code or an exception class) with ``handler(request, exc)``."""
        self.exception_handlers[handler_key(key)] = handler

    @deprecated(ON_EVENT_DEPRECATED)
    def on_event(self, event: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        """Decorator for ``"startup"`` and ``"shutdown"`` handlers (deprecated, as in FastAPI: use ``lifespan``)."""

        def decorator(func: Callable[[], Any]) -> Callable[[], Any]:
            self.add_event_handler(event, func)
            return func

        return decorator

    def add_event_handler(self, event_type: str, func: Callable[[], Any]) -> None:
        """Run ``func`` at ``"startup"`` or ``"shutdown"`` (ignored when the app has a ``lifespan``, as in FastAPI)."""
        assert event_type in ("startup", "shutdown")
        (self.lifespan.on_startup if event_type == "startup" else self.lifespan.on_shutdown).append(func)

    def startup(self) -> None:
        """Run startup once per process; registers the exit hook that drains tasks and shuts down."""
        if not self._exit_hook_registered:
            # gunicorn's gevent worker does not wait for greenlets spawned in close(): drain at exit.
            atexit.register(self._at_exit)
            self._exit_hook_registered = True
        self.lifespan.startup()
        if self.middleware_stack is None:
            self.middleware_stack = self.build_middleware_stack()

    def _at_exit(self) -> None:
        # Exit hooks run in the main greenlet; an async lifespan's exit waits on the asyncio
        # bridge, which only a hub-scheduled greenlet can wait on without blocking the hub.
        gevent.spawn(self._drain_and_shut_down).join()

    def _drain_and_shut_down(self) -> None:
        try:
            self.drain(self.drain_timeout)
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        self.lifespan.shutdown()

    def drain(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds for background tasks still running; True when none is left."""
        return self.background_runner.drain(timeout)

    def background_stats(self) -> BackgroundStats:
        """Counters of this process's background tasks: queued, running, succeeded, failed, seconds; with a
        ``task_queue``, also the durable jobs waiting in it and failed there (``queue_depth``, ``queue_failed``)."""
        stats = self.background_runner.stats()
        if self.task_queue is not None:
            try:
                stats.queue_depth, stats.queue_failed = self.task_queue.counts()
            except TaskQueueUnavailable:
                logger.warning("Task queue unavailable: no durable task counts")
        return stats

    def task(self, func: Callable[..., Any] | None = None, /, *, retries: int = 0,
             retry_interval: int | Sequence[int] = 0, timeout: int | None = None) -> Any:
        """Decorator: ``@app.task(retries=3, retry_interval=[1, 5, 30])`` marks a function durable, so that
        ``add_task`` hands it to this app's ``task_queue`` (see ``fastrapi.tasks.task``)."""
        options = task(retries=retries, retry_interval=retry_interval, timeout=timeout)
        return options if func is None else options(func)

    def add_metrics_route(self, path: str = "/metrics", **options: Any) -> None:
        """Prometheus metrics at ``path`` (needs ``fastrapi[metrics]``); see ``fastrapi.metrics.add_metrics_route``."""
        from fastrapi.metrics import add_metrics_route

        add_metrics_route(self, path, **options)

    def serve(self, host: str = "127.0.0.1", port: int = 8000, **options: Any) -> None:
        """Serve on the embedded gevent server until SIGINT/SIGTERM; see ``fastrapi.server.serve``."""
        from fastrapi.server import serve

        serve(self, host, port, **options)

    # -- WSGI ---------------------------------------------------------------------------
    @overload
    def __call__(self, environ: dict[str, Any], start_response: StartResponse, /) -> Iterable[bytes]: ...

    @overload
    def __call__(self, scope: Scope, receive: Receive, send: Send, /) -> Coroutine[Any, Any, None]: ...

    def __call__(self, environ: Any, start_response: Any = None, send: Any = None) -> Any:
        """The WSGI entry point; called ``(scope, receive, send)``, the ASGI face for tests
        (``httpx.ASGITransport``, see ``fastrapi.asgi_adapter``)."""
        if send is not None or start_response is None:
            if send is None:  # app(scope): an ASGI 2 server (uvicorn's guess for a non-async __call__)
                return refuse_asgi2(environ)
            return serve_asgi(self, environ, start_response, send)
        environ[APP_KEY] = self
        if self.root_path:
            _apply_root_path(environ, self.root_path)
        if not self.lifespan.started:
            try:
                self.startup()
            except Exception:
                logger.exception("Application startup failed; answering 503 until it succeeds")
                return PlainTextResponse("Service Unavailable", 503)(environ, start_response)
        if self.lifespan.state:
            environ.setdefault("fastrapi.state", State(self.lifespan.state))
        stack = self.middleware_stack
        if stack is None:
            stack = self.middleware_stack = self.build_middleware_stack()
        # Each request in its own copy of the context, as each ASGI request is its own task: a keep-alive
        # connection serves its requests in one greenlet, and what one request sets must not reach the next.
        return contextvars.copy_context().run(stack, environ, start_response)


def _apply_root_path(environ: dict[str, Any], root_path: str) -> None:
    """``FastrAPI(root_path=...)``: the app lives under ``root_path`` (a proxy may or may not strip it)."""
    path = environ.get("PATH_INFO") or ""
    environ.setdefault(ORIGINAL_PATH_KEY, path or "/")  # request.scope["path"], as FastAPI keeps it
    if path == root_path or path.startswith(root_path + "/"):
        environ["PATH_INFO"] = path[len(root_path):]
    environ["SCRIPT_NAME"] = root_path


FastAPI = FastrAPI
