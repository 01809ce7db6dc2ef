"""``FastrAPI``: the application object, a PEP 3333 WSGI callable."""

from __future__ import annotations

import atexit
import contextvars
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import gevent

from fastrapi.background import (
    DEFAULT_CONCURRENCY,
    DEFAULT_THREADS,
    BackgroundRunner,
    BackgroundStats,
    BackgroundTask,
    BackgroundTasks,
)
from fastrapi.concurrency import is_async_callable, run_async, run_sync
from fastrapi.datastructures import State
from fastrapi.dependencies.analysis import RoutePlan
from fastrapi.dependencies.exits import ExitingBody, RequestExits
from fastrapi.dependencies.overrides import DependencyOverrides
from fastrapi.dependencies.solver import solve
from fastrapi.encoders import jsonable_encoder
from fastrapi.exception_handlers import (
    InvalidRequestResponse,
    http_exception_response,
    request_validation_error_response,
    server_error_response,
)
from fastrapi.exceptions import (
    ClientDisconnect,
    FastrAPIError,
    HTTPException,
    MalformedBody,
    RequestValidationError,
)
from fastrapi.lifespan import Lifespan
from fastrapi.middleware import Middleware
from fastrapi.middleware.base import BaseHTTPMiddleware
from fastrapi.middleware.errors import ERRORS_OUTSIDE_KEY, ServerErrorMiddleware
from fastrapi.openapi.docs_routes import DocsAssets, add_docs_routes
from fastrapi.openapi.utils import get_openapi
from fastrapi.requests import ContentTooLarge, Request, escape_path, request_path, set_body_limit
from fastrapi.responses import (
    ClosingBody,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    hand_over,
    json_bytes_response,
    json_headers,
    no_body_status,
)
from fastrapi.routing import APIRoute, APIRouter, BaseRoute, RouteDecorators, set_routes_app
from fastrapi.serialization import dumps
from fastrapi.types import APP_KEY

logger = logging.getLogger("fastrapi")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
ExceptionHandler = Callable[[Request, Any], Any]

RAISE_SERVER_EXCEPTIONS_KEY = "fastrapi.raise_server_exceptions"


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
        self.docs_assets = add_docs_routes(self, docs_assets)
        self.exception_handlers: dict[Any, ExceptionHandler] = {
            HTTPException: http_exception_response,
            RequestValidationError: request_validation_error_response,
        }
        self.exception_handlers.update(exception_handlers or {})
        self.lifespan = Lifespan(self, lifespan, on_startup, on_shutdown)
        self.background_runner = BackgroundRunner(on_error=on_background_error, concurrency=background_concurrency,
                                                  threads=background_threads)
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
    def dependency_overrides(self, value: dict[Callable[..., Any], Callable[..., Any]]) -> None:
        self._dependency_overrides = value if isinstance(value, DependencyOverrides) else DependencyOverrides(value)

    # -- registration -------------------------------------------------------------------
    @property
    def routes(self) -> list[BaseRoute]:
        return self.router.routes

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> APIRoute:
        return self.router.add_api_route(path, endpoint, **kwargs)

    def api_route(self, path: str, *, methods: Sequence[str] | None = None,
                  **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.router.api_route(path, methods=methods, **kwargs)

    def include_router(self, router: APIRouter, **kwargs: Any) -> None:
        """Add ``router``'s routes (also those it gets later) under ``prefix``, with the given overrides."""
        self.router.include_router(router, **kwargs)
        self.lifespan.include(router)

    def mount(self, path: str, app: WSGIApp, name: str | None = None) -> None:
        """Serve the WSGI app ``app`` (Flask, Django, StaticFiles, another FastrAPI...) under ``path``."""
        self.router.mount(path, app, name=name)

    # -- middleware ---------------------------------------------------------------------
    def add_middleware(self, middleware_class: Callable[..., WSGIApp], *args: Any, **kwargs: Any) -> None:
        """Wrap the app in ``middleware_class(app, *args, **kwargs)``; the last added runs first."""
        if self.middleware_stack is not None:
            raise RuntimeError("Cannot add middleware after an application has started")
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
        app: WSGIApp = self._dispatch
        if not self.user_middleware:
            return app
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return ServerErrorMiddleware(app, self._server_error)

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        return self.router.url_path_for(name, **path_params)

    def exception_handler(self, exc_class_or_status_code: int | type[Exception]) -> Callable[[Any], Any]:
        """Decorator: answer ``exc_class_or_status_code`` with ``handler(request, exc)``."""

        def decorator(func: ExceptionHandler) -> ExceptionHandler:
            self.add_exception_handler(exc_class_or_status_code, func)
            return func

        return decorator

    def add_exception_handler(self, key: int | type[Exception], handler: ExceptionHandler) -> None:
        self.exception_handlers[key] = handler

    def on_event(self, event: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        """Decorator for ``"startup"`` and ``"shutdown"`` handlers."""

        def decorator(func: Callable[[], Any]) -> Callable[[], Any]:
            handlers = self.lifespan.on_startup if event == "startup" else self.lifespan.on_shutdown
            handlers.append(func)
            return func

        return decorator

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
        """Counters of this process's background tasks: queued, running, succeeded, failed, seconds."""
        return self.background_runner.stats()

    def serve(self, host: str = "127.0.0.1", port: int = 8000, **options: Any) -> None:
        """Serve on the embedded gevent server until SIGINT/SIGTERM; see ``fastrapi.server.serve``."""
        from fastrapi.server import serve

        serve(self, host, port, **options)

    # -- WSGI ---------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
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

    def _dispatch(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Route one request and answer it; the innermost layer of the middleware stack."""
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO") or "/"
        if not path.isascii():
            path = request_path(environ)
        route, path_params, partial = self.router.matcher.match(method, path)
        request: Request | None = None  # PERF: made only when something reads it
        tasks: BackgroundTasks | None = None
        try:
            if route is None:
                request = Request(environ, path_params, self)
                response = self._unmatched(request, path, partial)
            elif route.wsgi_app is not None:
                return route.handle(environ, start_response, path)  # type: ignore[attr-defined]
            else:
                plan = route.plan  # type: ignore[attr-defined]
                if plan.reads_nothing:  # PERF: no Request and no solve for these
                    if self.extra and self.extra.get("max_body_size") is not None:
                        set_body_limit(environ, self.extra["max_body_size"])  # as FastAPI: 413 anyway
                    kwargs: dict[str, Any] = {}
                    sub_response = None
                    if plan.background_arg:
                        tasks = kwargs[plan.background_arg] = BackgroundTasks()
                    if plan.response_arg:
                        sub_response = kwargs[plan.response_arg] = _sub_response()
                else:
                    request = Request(environ, path_params, self)
                    if plan.dependencies and self._dependency_overrides:
                        plan = route.plan_for(self._dependency_overrides)  # type: ignore[attr-defined]
                    if plan.has_exits:
                        return self._dispatch_with_exits(environ, start_response, route, plan, request)
                    sub_response = _sub_response() if plan.needs_response else None
                    tasks = BackgroundTasks() if plan.needs_background else None
                    kwargs = solve(plan, request, sub_response, tasks)
                if plan.is_async:
                    result = run_async(plan.call, (), kwargs, plan.suspends)
                else:
                    result = run_sync(plan.call, **kwargs)
                if sub_response is None and route.plain_json and not isinstance(result, Response):
                    return self._send_json(route, result, environ, start_response, tasks)  # type: ignore[arg-type]
                response = self._to_response(route, result, sub_response)  # type: ignore[arg-type]
        except ContentTooLarge as exc:  # answered before any handler, as FastAPI's body limit does
            tasks = None
            response = _too_large(exc)
        except Exception as exc:
            tasks = None  # FastAPI: tasks of a failed endpoint never run
            response = self._handle_exception(request or Request(environ, path_params, self), exc)
        return self._send(environ, start_response, response, tasks)

    @staticmethod
    def _send_json(route: APIRoute, result: Any, environ: dict[str, Any], start_response: StartResponse,
                   tasks: BackgroundTasks | None) -> Iterable[bytes]:
        """PERF: the common answer (a JSON body, no sub-response) straight to WSGI, with the status, headers,
        body and task hand-over ``_to_response`` + ``_send`` would give, without a Response object."""
        serializer = route.serializer
        body = dumps(result) if serializer is None else serializer.to_json(result)
        start_response(route.status_line, json_headers(body))
        chunks = [body] if environ["REQUEST_METHOD"] != "HEAD" else []
        return ClosingBody(chunks, hand_over(environ, tasks)) if tasks is not None and tasks.tasks else chunks

    def _dispatch_with_exits(self, environ: dict[str, Any], start_response: StartResponse, route: APIRoute,
                             plan: RoutePlan, request: Request) -> Iterable[bytes]:
        """``_dispatch`` for a route with ``yield`` dependencies, in FastAPI's order: the
        ``scope="function"`` exits run once the endpoint's response is made, the request-scoped
        ones after the response is sent and its tasks have run; an exception on the way is thrown
        into them (function scope first) before it is answered."""
        exits = RequestExits()
        sub_response = _sub_response() if plan.needs_response else None
        tasks = BackgroundTasks() if plan.needs_background else None
        try:
            try:
                kwargs = solve(plan, request, sub_response, tasks, exits)
                if plan.is_async:
                    result = run_async(plan.call, (), kwargs, plan.suspends)
                else:
                    result = run_sync(plan.call, **kwargs)
                response = self._to_response(route, result, sub_response)
            except BaseException as exc:
                error = exits.exit_function(exc)
                raise _SwallowedError(FUNCTION_EXIT_SWALLOWED) if error is None else error
            error = exits.exit_function(None)
            if error is not None:
                raise error
        except BaseException as exc:
            return self._answer_after_exits(environ, start_response, request, exits, exc)
        return self._send(environ, start_response, response, tasks, exits)

    def _answer_after_exits(self, environ: dict[str, Any], start_response: StartResponse, request: Request,
                            exits: RequestExits, exc: BaseException) -> Iterable[bytes]:
        """Throw ``exc`` into the request-scoped exits, then answer what comes out of them."""
        error = exits.exit_request(exc)
        if error is None:
            # FastAPI: a dependency swallowed the exception, so no response was ever made.
            error = FastrAPIError(RESPONSE_NOT_MADE)
        if not isinstance(error, Exception):
            raise error  # GreenletExit, KeyboardInterrupt...: after the exit code ran
        if isinstance(error, ContentTooLarge):
            return self._send(environ, start_response, _too_large(error), None)
        return self._send(environ, start_response, self._handle_exception(request, error), None)

    def _unmatched(self, request: Request, path: str, partial: BaseRoute | None) -> Response:
        if partial is not None:
            allow = ", ".join(partial.methods)  # type: ignore[attr-defined]
            raise HTTPException(405, headers={"Allow": allow})
        if self.router.redirect_slashes and path != "/":
            other = path.rstrip("/") if path.endswith("/") else path + "/"
            if self.router.matcher.path_exists(other):
                # Starlette's URL: decoded path, raw query; RedirectResponse percent-encodes it.
                url = str(request.base_url)[:-1] + escape_path(other)
                query = request.environ.get("QUERY_STRING")
                return RedirectResponse(f"{url}?{query}" if query else url)
        raise HTTPException(404)

    def _to_response(self, route: APIRoute, result: Any, sub_response: Response | None) -> Response:
        if isinstance(result, Response):
            return result
        status_code = route.status_code or 200
        if sub_response is not None and sub_response.status_code:
            status_code = sub_response.status_code
        if route.stream is not None:
            response = route.stream.response(result, status_code)
            if sub_response is not None:
                for key, value in sub_response.headers.raw():
                    response.headers.append(key, value)
            return response
        serializer = route.serializer
        if route.response_class is JSONResponse:
            # PERF: one encode straight to bytes (the response model's dump_json), no JSONResponse construction.
            body = dumps(result) if serializer is None else serializer.to_json(result)
            response = json_bytes_response(body, status_code)
        else:
            content = result if serializer is None else serializer.to_jsonable(result)
            response = route.response_class(jsonable_encoder(content), status_code=status_code)
            if no_body_status(status_code):
                response.body = b""
        if sub_response is not None:
            for key, value in sub_response.headers.raw():
                response.headers.append(key, value)
        return response

    def _find_handler(self, exc: Exception) -> ExceptionHandler | None:
        handlers = self.exception_handlers
        # A 500 handler answers unhandled errors only, never an HTTPException(500) (as in Starlette).
        if isinstance(exc, HTTPException) and exc.status_code != 500 and exc.status_code in handlers:
            return handlers[exc.status_code]
        for cls in type(exc).__mro__:
            if cls is Exception:
                break  # an Exception handler answers like a 500 handler: in _server_error
            if cls in handlers:
                return handlers[cls]
        return None

    def _call_handler(self, handler: ExceptionHandler, request: Request, exc: Exception) -> Response:
        if is_async_callable(handler):
            return run_async(handler, (request, exc), {})
        return run_sync(handler, request, exc)

    def _handle_exception(self, request: Request, exc: Exception) -> Response:
        if isinstance(exc, (ClientDisconnect, MalformedBody)):
            return _invalid_request(request, exc)
        handler = self._find_handler(exc)
        if handler is not None:
            try:
                return self._call_handler(handler, request, exc)
            except Exception as handler_exc:
                exc = handler_exc
        return self._server_error(request, exc)

    def _server_error(self, request: Request, exc: Exception) -> Response:
        if isinstance(exc, (ClientDisconnect, MalformedBody)):  # from user middleware reading the body
            return _invalid_request(request, exc)
        if request.environ.get(ERRORS_OUTSIDE_KEY):
            raise exc  # ServerErrorMiddleware, outside the user middleware, answers it
        logger.error("Exception in %s %s", request.method, request.url, exc_info=exc)
        response = None
        handler = self.exception_handlers.get(500) or self.exception_handlers.get(Exception)
        if handler is not None:
            try:
                response = self._call_handler(handler, request, exc)
            except Exception:
                logger.exception("The 500 handler failed")
        if response is None:
            response = server_error_response(request, exc, self.debug)
        if request.environ.get(RAISE_SERVER_EXCEPTIONS_KEY):
            raise exc
        return response

    def _send(self, environ: dict[str, Any], start_response: StartResponse, response: Response,
              tasks: BackgroundTasks | None, exits: RequestExits | None = None) -> Iterable[bytes]:
        if tasks is not None and tasks.tasks:
            # All tasks run: the injected ones first, then the response's own (FastAPI drops the former).
            if response.background is not None:
                tasks.tasks.append(response.background)
            response.background = tasks
        if exits is not None and exits.request:
            return self._send_then_exit(environ, start_response, response, exits)
        try:
            return response(environ, start_response)
        except Exception as exc:  # e.g. a FileResponse whose file is gone
            request = Request(environ, {}, self)
            error_response = self._handle_exception(request, exc)
            exc_info = sys.exc_info()
            return error_response(environ, lambda status, headers: start_response(status, headers, exc_info))


    def _send_then_exit(self, environ: dict[str, Any], start_response: StartResponse, response: Response,
                        exits: RequestExits) -> Iterable[bytes]:
        """Send ``response``; its body's ``close()`` hands its tasks, then the request-scoped
        exits, to the background runner (which runs the exits inline when there are no tasks)."""
        background, response.background = response.background, None
        cleanup = exits.after_response(bool(environ.get(RAISE_SERVER_EXCEPTIONS_KEY)))
        try:
            body = response(environ, start_response)
        except Exception as exc:  # as FastAPI: raised inside the request's exit stack
            request = Request(environ, {}, self)
            exc_info = sys.exc_info()
            error = exits.exit_request(exc) or FastrAPIError(RESPONSE_NOT_MADE)
            error_response = self._handle_exception(request, error)  # type: ignore[arg-type]
            return error_response(environ, lambda status, headers: start_response(status, headers, exc_info))
        return ExitingBody(body, hand_over(environ, background, cleanup))


class _SwallowedError(FastrAPIError):
    """Thrown into the request-scoped exits when a ``scope="function"`` one swallowed an exception."""


FUNCTION_EXIT_SWALLOWED = (
    "No response was made: a dependency with yield and scope=\"function\" caught the endpoint's exception "
    "without raising it again."
)
RESPONSE_NOT_MADE = (
    "Response not awaited. There's a high chance that the application code is raising an exception and a "
    "dependency with yield has a block with a bare except, or a block with except Exception, and is not "
    "raising the exception again."
)


def _too_large(exc: ContentTooLarge) -> Response:
    """The 413 answer to a body over ``max_body_size``."""
    return PlainTextResponse(exc.detail, status_code=exc.status_code)


def _invalid_request(request: Request, exc: ClientDisconnect | MalformedBody) -> Response:
    """The 400 for a body that broke its framing or never arrived whole: the client's doing, so
    logged at debug only, and no exception handler, endpoint or background task runs."""
    logger.debug("Invalid request body in %s %s: %s: %s", request.method, request_path(request.environ),
                 type(exc).__name__, exc)
    return InvalidRequestResponse()


def _apply_root_path(environ: dict[str, Any], root_path: str) -> None:
    """``FastrAPI(root_path=...)``: the app lives under ``root_path`` (a proxy may or may not strip it)."""
    path = environ.get("PATH_INFO") or ""
    if path == root_path or path.startswith(root_path + "/"):
        environ["PATH_INFO"] = path[len(root_path):]
    environ["SCRIPT_NAME"] = root_path


def _sub_response() -> Response:
    """The ``response: Response`` an endpoint may take: no status and no headers of its own yet."""
    response = Response()
    response.status_code = None  # type: ignore[assignment]
    del response.headers["content-length"]
    return response


FastAPI = FastrAPI


def _routes_app(routes: list[BaseRoute]) -> FastrAPI:
    """The app of ``Mount(path, routes=[...])``: a FastrAPI without documentation routes."""
    return FastrAPI(routes=routes, openapi_url=None, docs_url=None, redoc_url=None)


set_routes_app(_routes_app)
