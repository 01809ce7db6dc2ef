"""``APIRouter``: a group of routes with shared options, itself the WSGI app that routes requests."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Any, Literal, cast

from typing_extensions import deprecated

from fastrapi.dependencies.compile import check_max_body_size
from fastrapi.exceptions import FastrAPIError
from fastrapi.formparsers import check_form_limits
from fastrapi.lifespan import ON_EVENT_DEPRECATED, context_factory
from fastrapi.responses import Response
from fastrapi.routing.defaults import DEFAULT_RESPONSE_CLASS, DefaultPlaceholder
from fastrapi.routing.dispatch import route_request
from fastrapi.routing.frontend import frontend_route, resolve_check_dir
from fastrapi.routing.include import SETTING_OPTIONS, IncludeContext, IncludedRouter
from fastrapi.routing.matcher import Matcher
from fastrapi.routing.paths import NoMatchFound
from fastrapi.routing.plain import plain_methods, request_endpoint, websocket_endpoint
from fastrapi.routing.routes import APIRoute, BaseRoute, Mount
from fastrapi.routing.websocket_route import APIWebSocketRoute
from fastrapi.types import WSGIApp


class RouteDecorators:
    """``get``/``post``/... decorators, shared by ``APIRouter`` and the app: each is ``api_route``
    with one method."""

    def api_route(self, path: str, *, methods: Sequence[str] | None = None,
                  **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        raise NotImplementedError

    def add_api_websocket_route(self, path: str, endpoint: Callable[..., Any], name: str | None = None, *,
                                dependencies: Sequence[Any] | None = None) -> APIWebSocketRoute:
        raise NotImplementedError

    def websocket(self, path: str, name: str | None = None, *,
                  dependencies: Sequence[Any] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: ``@app.websocket("/ws")`` on ``(async) def endpoint(websocket: WebSocket, ...)``."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self.add_api_websocket_route(path, func, name=name, dependencies=dependencies)
            return func

        return decorator

    def add_route(self, path: str, endpoint: Callable[..., Any], methods: Sequence[str] | None = None,
                  name: str | None = None, include_in_schema: bool = True) -> None:
        raise NotImplementedError

    def route(self, path: str, methods: Sequence[str] | None = None, name: str | None = None,
              include_in_schema: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Starlette's decorator: ``endpoint(request)`` returns a ``Response``; no parameters are solved and
        the route is not in the OpenAPI document."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self.add_route(path, func, methods=methods, name=name, include_in_schema=include_in_schema)
            return func

        return decorator

    def add_websocket_route(self, path: str, endpoint: Callable[..., Any], name: str | None = None) -> None:
        raise NotImplementedError

    def websocket_route(self, path: str, name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Starlette's decorator: ``endpoint(websocket)``, no parameters solved."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self.add_websocket_route(path, func, name=name)
            return func

        return decorator

    def get(self, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.api_route(path, methods=["GET"], **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.api_route(path, methods=["PUT"], **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.api_route(path, methods=["POST"], **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.api_route(path, methods=["DELETE"], **kwargs)

    def options(self, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.api_route(path, methods=["OPTIONS"], **kwargs)

    def head(self, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.api_route(path, methods=["HEAD"], **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.api_route(path, methods=["PATCH"], **kwargs)

    def trace(self, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.api_route(path, methods=["TRACE"], **kwargs)


class APIRouter(RouteDecorators):
    """A group of routes, with options every route gets; ``include_router`` nests routers."""

    def __init__(
        self,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[Any] | None = None,
        default_response_class: type[Response] | DefaultPlaceholder = DEFAULT_RESPONSE_CLASS,
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[BaseRoute] | None = None,
        routes: list[BaseRoute] | None = None,
        redirect_slashes: bool = True,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        lifespan: Callable[[Any], Any] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        generate_unique_id_function: Any = None,
        route_class: type[APIRoute] = APIRoute,
        strict_content_type: bool | None = None,
        max_body_size: int | None = None,
        form_limits: Mapping[str, int] | None = None,
        **options: Any,
    ) -> None:
        if prefix:
            assert prefix.startswith("/"), "A path prefix must start with '/'"
            assert not prefix.endswith("/"), "A path prefix must not end with '/', as the routes will start with '/'"
        self.prefix = prefix
        self.tags = list(tags or [])
        self.dependencies = list(dependencies or [])
        self.default_response_class = default_response_class
        self.responses = dict(responses or {})
        self.callbacks = list(callbacks or [])
        self.routes: list[BaseRoute] = list(routes or [])
        self.redirect_slashes = redirect_slashes
        self.on_startup = list(on_startup or [])
        self.on_shutdown = list(on_shutdown or [])
        self.lifespan_contexts: list[Callable[[Any], Any]] = [] if lifespan is None else [context_factory(lifespan)]
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema
        self.generate_unique_id_function = generate_unique_id_function
        # Request-handling settings for the routes added here (a route's own win; unset: the app's).
        check_max_body_size(max_body_size)
        check_form_limits(form_limits)
        self.strict_content_type = strict_content_type
        self.max_body_size = max_body_size
        self.form_limits = dict(form_limits or {})
        self.route_class = route_class  # what add_api_route makes (a subclass: FastAPI's custom route classes)
        self.extra = options  # FastAPI's other APIRouter arguments, accepted and kept (not ``options``: a verb)
        # The app's route settings (max_body_size, form_limits, strict_content_type): the app sets
        # them on its own router; they reach every route it serves when the matcher is built.
        self.route_settings: Mapping[str, Any] = {}
        self._matcher: Matcher | None = None
        self._includers: list[APIRouter] = []  # routers that include this one, told of changes

    @property
    def matcher(self) -> Matcher:
        matcher = self._matcher
        if matcher is None:
            routes = self.effective_routes()
            for route in routes:
                if isinstance(route, APIRoute):
                    route.use_settings(self.route_settings)
            matcher = self._matcher = Matcher(routes)
        return matcher

    # Route one request to the route that answers it; raise ``HTTPException`` (404/405) when none does.
    __call__ = route_request

    def effective_routes(self) -> list[BaseRoute]:
        """Every route as served, included routers flattened in place, in registration order."""
        routes: list[BaseRoute] = []
        for route in self.routes:
            if isinstance(route, IncludedRouter):
                routes.extend(route.effective_routes())
            else:
                routes.append(route)
        return routes

    def _changed(self) -> None:
        """Forget the compiled matcher here and in every router that includes this one."""
        pending, seen = [self], set()
        while pending:
            router = pending.pop()
            if id(router) in seen:
                continue
            seen.add(id(router))
            router._matcher = None
            pending.extend(router._includers)

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] | set[str] | None = None,
        response_class: type[Response] | DefaultPlaceholder = DEFAULT_RESPONSE_CLASS,
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[Any] | None = None,
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[BaseRoute] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        generate_unique_id_function: Any = None,
        route_class_override: type[APIRoute] | None = None,
        **kwargs: Any,
    ) -> APIRoute:
        """Register ``endpoint`` for ``path`` and ``methods``, with this router's options merged in."""
        if generate_unique_id_function is not None or self.generate_unique_id_function is not None:
            kwargs["generate_unique_id_function"] = generate_unique_id_function or self.generate_unique_id_function
        merged = IncludeContext.of(self).combine(IncludeContext.settings_of(
            kwargs, prefix=path, tags=list(tags or []), dependencies=list(dependencies or []),
            default_response_class=response_class, responses=dict(responses or {}),
            callbacks=list(callbacks or []), deprecated=deprecated, include_in_schema=include_in_schema,
        ))
        for setting in SETTING_OPTIONS:
            kwargs.pop(setting, None)
        route_class = route_class_override or self.route_class
        route = route_class(merged.prefix, endpoint, methods=methods, **merged.route_options(), **kwargs)
        self.routes.append(route)
        self._changed()
        return route

    def api_route(self, path: str, *, methods: Sequence[str] | None = None,
                  **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator form of ``add_api_route``."""

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            self.add_api_route(path, func, methods=methods, **kwargs)
            return func

        return decorator

    def add_api_websocket_route(self, path: str, endpoint: Callable[..., Any], name: str | None = None, *,
                                dependencies: Sequence[Any] | None = None) -> APIWebSocketRoute:
        """Register a WebSocket ``endpoint`` for ``path``, with this router's prefix and dependencies."""
        route = APIWebSocketRoute(self.prefix + path, endpoint, name=name,
                                  dependencies=[*self.dependencies, *(dependencies or [])])
        self.routes.append(route)
        self._changed()
        return route

    def add_route(self, path: str, endpoint: Callable[..., Any], methods: Sequence[str] | None = None,
                  name: str | None = None, include_in_schema: bool = True) -> None:
        """Starlette's plain route: ``endpoint(request) -> Response``, GET (and HEAD) unless ``methods``;
        left out of the OpenAPI document, as in FastAPI. As there, the router's own ``prefix`` is not
        applied (an ``include_router`` prefix is)."""
        route = APIRoute(path, request_endpoint(endpoint), methods=plain_methods(methods),
                         name=name or getattr(endpoint, "__name__", None), include_in_schema=False)
        self.routes.append(route)
        self._changed()

    def add_websocket_route(self, path: str, endpoint: Callable[..., Any], name: str | None = None) -> None:
        """Starlette's plain WebSocket route: ``endpoint(websocket)`` (the router's own ``prefix`` is not
        applied, as in FastAPI)."""
        route = APIWebSocketRoute(path, websocket_endpoint(endpoint),
                                  name=name or getattr(endpoint, "__name__", None))
        self.routes.append(route)
        self._changed()

    def mount(self, path: str, app: WSGIApp, name: str | None = None) -> None:
        """Serve the WSGI app ``app`` under ``path`` (see ``Mount``)."""
        self.routes.append(Mount(self.prefix + path, app, name=name))
        self._changed()

    def frontend(
        self,
        path: str,
        *,
        directory: str | os.PathLike[str],
        fallback: Literal["auto", "index.html", "404.html"] | None = "auto",
        check_dir: bool | Literal["auto"] = "auto",
    ) -> None:
        """Serve a built frontend (``dist/``) under ``path``, after every other route of the app.

        Files and directory indexes are served as they are; a missing path gets ``fallback``:
        ``"404.html"`` (with status 404), ``"index.html"`` for a browser navigating (client-side
        routing), ``"auto"`` (``404.html`` if there is one, else ``index.html``) or ``None`` (a 404).
        ``check_dir`` fails at once when the directory is missing (``"auto"``: a warning instead
        under ``FASTAPI_ENV=development``). Included with a prefix, it is served under that prefix.
        """

        checked = resolve_check_dir(directory, check_dir, stacklevel=2)
        self.routes.append(frontend_route(self.prefix, path, directory=directory, fallback=fallback,
                                          check_dir=checked, dependencies=self.dependencies))
        self._changed()

    def include_router(
        self,
        router: APIRouter,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[Any] | None = None,
        default_response_class: type[Response] | DefaultPlaceholder = DEFAULT_RESPONSE_CLASS,
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[BaseRoute] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        generate_unique_id_function: Any = None,
        max_body_size: int | None = None,
        form_limits: Mapping[str, int] | None = None,
    ) -> None:
        """Serve ``router``'s routes here, under ``prefix`` and with the given options added.

        The inclusion is live: routes added to ``router`` afterwards are served as well. The
        options merge like FastAPI's: tags, dependencies and callbacks are prepended, responses
        merged, ``deprecated`` ORed, ``include_in_schema`` ANDed, and the response class is the
        route's own, else the included router's default, else this call's, else this router's
        (``max_body_size`` and each form limit the same way).
        """
        check_max_body_size(max_body_size)
        check_form_limits(form_limits)
        if not isinstance(router, APIRouter):
            kind = f"{type(router).__module__}.{type(router).__qualname__}"
            raise TypeError(
                f"include_router() takes a fastrapi APIRouter, not {kind}. A router made by a FastAPI "
                "integration (strawberry.fastapi.GraphQLRouter, ...) is an ASGI router: mount that library's "
                "WSGI app instead (e.g. a Flask app with strawberry.flask.views.GraphQLView), see "
                "docs/differences.md.")
        assert self is not router, (
            "Cannot include the same APIRouter instance into itself. Did you mean to include a different router?"
        )
        assert not router._contains(self), (
            "Cannot include an APIRouter instance that already includes this router. "
            "Did you mean to include a different router?"
        )
        if prefix:
            assert prefix.startswith("/"), "A path prefix must start with '/'"
            assert not prefix.endswith("/"), "A path prefix must not end with '/', as the routes will start with '/'"
        else:
            for route in router.effective_routes():
                if isinstance(route, APIRoute) and not route.path:
                    raise FastrAPIError(f"Prefix and path cannot be both empty (path operation: {route.name})")
        context = IncludeContext.of(self).combine(IncludeContext(
            prefix=prefix, tags=list(tags or []), dependencies=list(dependencies or []),
            default_response_class=default_response_class, responses=dict(responses or {}),
            callbacks=list(callbacks or []), deprecated=deprecated, include_in_schema=include_in_schema,
            generate_unique_id_function=generate_unique_id_function,
            max_body_size=max_body_size, form_limits=dict(form_limits or {}),
        ))
        self.routes.append(IncludedRouter(router, context))
        router._includers.append(self)
        self.on_startup.extend(router.on_startup)
        self.on_shutdown.extend(router.on_shutdown)
        self.lifespan_contexts.extend(router.lifespan_contexts)
        self._changed()

    def add_event_handler(self, event_type: str, func: Callable[[], Any]) -> None:
        """Run ``func`` at the including app's ``"startup"`` or ``"shutdown"``."""
        assert event_type in ("startup", "shutdown")
        (self.on_startup if event_type == "startup" else self.on_shutdown).append(func)

    @deprecated(ON_EVENT_DEPRECATED)
    def on_event(self, event_type: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        """Decorator form of ``add_event_handler`` (deprecated, as in FastAPI: use ``lifespan``)."""

        def decorator(func: Callable[[], Any]) -> Callable[[], Any]:
            self.add_event_handler(event_type, func)
            return func

        return decorator

    def _contains(self, router: APIRouter) -> bool:
        """Whether ``router`` is included in this one, at any depth."""
        pending, seen = [self], set()
        while pending:
            current = pending.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            for route in current.routes:
                if isinstance(route, IncludedRouter):
                    if route.router is router:
                        return True
                    pending.append(cast("APIRouter", route.router))
        return False

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        """The path of the route called ``name`` with ``path_params`` filled in."""
        for route in self.matcher.routes:
            try:
                return cast(BaseRoute, route).url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)
