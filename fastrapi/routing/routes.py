"""Route types: a path operation (``APIRoute``) and a mounted WSGI app (``Mount``); each answers its requests."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

from pydantic import BaseModel

from fastrapi.asgi_guard import check_mountable
from fastrapi.dependencies.analysis import RoutePlan
from fastrapi.dependencies.compile import compile_route, with_settings
from fastrapi.exceptions import EndpointContext
from fastrapi.middleware.errors import ERRORS_OUTSIDE_KEY
from fastrapi.path_streams import stream_plan
from fastrapi.requests import Request
from fastrapi.responses import JSONResponse, Response, no_body_status, status_line
from fastrapi.routing.defaults import DEFAULT_RESPONSE_CLASS, DefaultPlaceholder, resolved
from fastrapi.routing.dispatch import RouteList
from fastrapi.routing.endpoint import call_endpoint
from fastrapi.routing.paths import NoMatchFound, PathTemplate, compile_path
from fastrapi.routing.route_handler import default_route_handler, handle_with
from fastrapi.serialization import DEFAULT, ResponseSerializer, infer_response_model, response_adapter
from fastrapi.types import APP_KEY, APP_ROOT_KEY, MOUNTED_KEY, OUTER_APP_KEY, Environ, StartResponse, WSGIApp

HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")


def _name_of(endpoint: Callable[..., Any]) -> str:
    return getattr(endpoint, "__name__", type(endpoint).__name__)


class BaseRoute:
    """Anything the router can match."""

    template: PathTemplate
    path: str = ""
    name: str | None = None
    include_in_schema: bool = True
    # The WSGI app a mount hands requests to; None for path operations.
    wsgi_app: WSGIApp | None = None

    def matches_method(self, method: str) -> bool:
        raise NotImplementedError

    def handle(self, environ: Environ, start_response: StartResponse, path_params: dict[str, Any]) -> Iterable[bytes]:
        """Answer a request this route matched (``path_params`` from its template)."""
        raise NotImplementedError

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        raise NoMatchFound(name, path_params)


class PlannedRoute(BaseRoute):
    """A route whose endpoint runs from a ``RoutePlan``: the plan with an app's overrides, kept per version."""

    path: str
    endpoint: Callable[..., Any]
    route_name: str
    options: dict[str, Any]
    dependencies: list[Any]
    _settings: Mapping[str, Any]
    _overridden: tuple[object, RoutePlan] | None

    def plan_for(self, overrides: Any) -> RoutePlan:
        """The plan with ``overrides`` (an app's ``dependency_overrides``) applied, made again
        only after they change."""
        version = getattr(overrides, "version", None)
        cached = self._overridden
        if cached is not None and version is not None and cached[0] is version:
            return cached[1]
        plan = compile_route(self.endpoint, {n for n, _ in self.template.params}, self.route_name, self.options,
                             self.dependencies, overrides)
        if self._settings:
            plan = with_settings(plan, self.options, self._settings)
        self._overridden = (version, plan)
        return plan

    def endpoint_context(self, method: str, root_path: str) -> EndpointContext:
        """Where a validation error of this route happened, for the error's text: the endpoint's function,
        file and line (read on the first error), and ``"<method> <root path><path template>"``."""
        location: EndpointContext | None = self.__dict__.get("_endpoint_location")
        if location is None:
            location = self.__dict__["_endpoint_location"] = _endpoint_location(self.endpoint)
        return {**location, "path": f"{method} {root_path.rstrip('/')}{self.path}"}


def _endpoint_location(function: Callable[..., Any]) -> EndpointContext:
    location: EndpointContext = {}
    try:
        source_file = inspect.getsourcefile(function)
        if source_file is not None:
            location["file"] = source_file
        location["line"] = inspect.getsourcelines(function)[1]
    except (OSError, TypeError):  # built in, or no source on disk
        pass
    name = getattr(function, "__name__", None)
    if name is not None:
        location["function"] = name
    return location


class APIRoute(PlannedRoute):
    """One path operation: path, methods, endpoint and its options, compiled to a ``RoutePlan``."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] | set[str] | None = None,
        name: str | None = None,
        status_code: int | None = None,
        response_model: Any = DEFAULT,
        response_class: type[Response] | DefaultPlaceholder = DEFAULT_RESPONSE_CLASS,
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[Any] | None = None,
        summary: str | None = None,
        description: str | None = None,
        response_description: str = "Successful Response",
        responses: dict[int | str, dict[str, Any]] | None = None,
        deprecated: bool | None = None,
        operation_id: str | None = None,
        include_in_schema: bool = True,
        openapi_extra: dict[str, Any] | None = None,
        callbacks: list[BaseRoute] | None = None,
        **options: Any,
    ) -> None:
        # No leading-slash check, as in FastAPI: webhook names and callback URL templates
        # ("new-subscription", "{$callback_url}/events") are routes too; they never match a request.
        self.path = path
        self.endpoint = endpoint
        self.methods = [m.upper() for m in (methods or ["GET"])]
        self.name = self.route_name = name or _name_of(endpoint)
        self.status_code = status_code
        # A generator endpoint streams its items; its plan owns their serialisation.
        serializer_options = {
            "include": options.get("response_model_include"),
            "exclude": options.get("response_model_exclude"),
            "by_alias": options.get("response_model_by_alias", True),
            "exclude_unset": options.get("response_model_exclude_unset", False),
            "exclude_defaults": options.get("response_model_exclude_defaults", False),
            "exclude_none": options.get("response_model_exclude_none", False),
        }
        # A generator endpoint streams its items; its plan serialises them with the same options.
        self.stream = stream_plan(endpoint, resolved(response_class), serializer_options)
        self.response_model = None if self.stream is not None else infer_response_model(endpoint, response_model)
        self.serializer = None if self.response_model is None else ResponseSerializer(
            self.response_model, **serializer_options)
        # As given (maybe a Default), for include_router; and the class responses are made with.
        self.response_class_option = response_class
        self.response_class: type[Response] = resolved(response_class)
        # PERF: whether _dispatch may answer a plain return value without a Response object.
        self.plain_json = (self.response_class is JSONResponse and self.stream is None
                           and not no_body_status(status_code or 200))
        self.status_line = status_line(status_code or 200)
        self.tags = list(tags or [])
        self.dependencies = list(dependencies or [])
        self.summary = summary
        self.description = description
        self.response_description = response_description
        self.responses = dict(responses or {})
        for response in self.responses.values():  # a responses={...: {"model": X}} pydantic cannot use: now
            model = response.get("model") if isinstance(response, dict) else None
            if model is not None and not (isinstance(model, type) and issubclass(model, BaseModel)):
                response_adapter(model)
        self.deprecated = deprecated
        self.operation_id = operation_id
        self.built_operation_id = operation_id  # what the OpenAPI schema names keep, if it is renamed later
        self.include_in_schema = include_in_schema
        self.openapi_extra = openapi_extra
        self.callbacks = list(callbacks or [])
        # Stored for the issues that implement them (response_model_*, ...).
        self.options = options
        self.template = compile_path(path)
        self._settings: Mapping[str, Any] = {}  # the app's route settings, under the route's own options
        self.plan: RoutePlan = compile_route(endpoint, {n for n, _ in self.template.params}, self.route_name, options,
                                             self.dependencies)
        self._overridden: tuple[object, RoutePlan] | None = None  # (overrides version, plan)
        if type(self).get_route_handler is not APIRoute.get_route_handler:
            # A custom route class (FastAPI's "custom request and route"): answer through its handler. Other
            # routes keep call_endpoint, the fast path.
            self.handle = handle_with(self, self.get_route_handler())  # type: ignore[method-assign,assignment]

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """``async def handler(request) -> Response``: solves the request, calls the endpoint, makes the
        response. Override it in a subclass to wrap it (the response it returns is then sent)."""
        return default_route_handler(self)

    def use_settings(self, settings: Mapping[str, Any]) -> None:
        """Serve under an app's ``max_body_size``/``form_limits``/``strict_content_type`` (the route's own win)."""
        if settings != self._settings:
            self._settings = settings
            self.plan = with_settings(self.plan, self.options, settings)
            self._overridden = None

    def matches_method(self, method: str) -> bool:
        return method in self.methods

    # Answer one request this route matched (PERF: the function itself, no forwarding frame).
    handle = call_endpoint

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        template = self.template
        if name != self.name or {n for n, _ in template.params} != set(path_params):
            raise NoMatchFound(name, path_params)
        return template.url_path(path_params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, name={self.name!r}, methods={self.methods!r})"


# ASGI adapters around a WSGI app that FastAPI's "Including WSGI" page wraps a Flask app in; fastrapi
# mounts the WSGI app they hold, so that page's code runs unchanged.
_WSGI_ADAPTERS = {("a2wsgi.wsgi", "WSGIMiddleware"), ("starlette.middleware.wsgi", "WSGIMiddleware")}


def _unwrapped_wsgi(app: Any) -> Any:
    """The WSGI app inside an ASGI ``WSGIMiddleware`` (a2wsgi's or Starlette's), else ``app``."""
    cls = type(app)
    if (cls.__module__, cls.__qualname__) in _WSGI_ADAPTERS and callable(getattr(app, "app", None)):
        return app.app
    return app


class Mount(BaseRoute):
    """Hands every request under ``path`` to a WSGI app, with ``SCRIPT_NAME``/``PATH_INFO`` moved.

    ``/legacy/x`` reaches the app as ``SCRIPT_NAME=/legacy``, ``PATH_INFO=/x``, so its own
    routing and URL building (Flask's ``url_for``, ``request.url_for``) carry the prefix.
    """

    def __init__(self, path: str, app: WSGIApp | None = None, routes: Sequence[BaseRoute] | None = None,
                 name: str | None = None) -> None:
        if path and not path.startswith("/"):
            raise ValueError("Routed paths must start with '/'")
        if app is None and routes is None:
            raise ValueError("Either 'app=...', or 'routes=' must be specified")
        if app is not None:
            app = _unwrapped_wsgi(app)
            check_mountable(app, path)
        self.path = path.rstrip("/")
        # Mount(routes=...): a router of the enclosing app, whose exception handlers answer for it.
        self.serves_routes = app is None
        if app is None:
            app = RouteList(list(routes or []))
        self.app = self.wsgi_app = app
        self.name = name
        self.template = compile_path(self.path + "/{path:path}")

    @property
    def routes(self) -> list[BaseRoute]:
        return list(getattr(self.app, "routes", []))

    def matches_method(self, method: str) -> bool:
        return True

    def handle(self, environ: Environ, start_response: StartResponse, path_params: dict[str, Any]) -> Iterable[bytes]:
        """Call the mounted app with the rest of the (decoded) path this router matched."""
        remaining = "/" + path_params["path"]
        # PATH_INFO holds the path's UTF-8 bytes as latin-1 (PEP 3333); cut it the same way.
        raw_path = environ.get("PATH_INFO") or "/"
        raw_remaining = remaining.encode("utf-8").decode("latin-1")
        if not raw_path.endswith(raw_remaining):  # a server that already decoded UTF-8
            raw_remaining = remaining
        child = dict(environ)
        if not self.serves_routes:
            outer = child.pop(APP_KEY, None)
            child.pop(ERRORS_OUTSIDE_KEY, None)
            if outer is not None and OUTER_APP_KEY not in child:  # the outermost app: names resolve there
                child[OUTER_APP_KEY] = outer
                child[APP_ROOT_KEY] = environ.get("SCRIPT_NAME", "")
        child[MOUNTED_KEY] = True
        child["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + raw_path[: len(raw_path) - len(raw_remaining)]
        child["PATH_INFO"] = raw_remaining
        return self.app(child, start_response)

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        params = dict(path_params)
        if self.name is not None and name == self.name and "path" in params:
            params["path"] = str(params["path"]).lstrip("/")
            if {n for n, _ in self.template.params} == set(params):
                return self.template.url_path(params)
        elif self.name is None or name.startswith(self.name + ":"):
            child_name = name if self.name is None else name[len(self.name) + 1:]
            own = {n for n, _ in self.template.params if n != "path"}
            prefix = self.template.url_path({**{k: params[k] for k in own if k in params}, "path": ""}) \
                if own <= set(params) else None
            if prefix is not None:
                rest = {k: v for k, v in params.items() if k not in own}
                url_path_for = getattr(self.app, "url_path_for", None)
                if url_path_for is not None:
                    try:
                        return prefix.rstrip("/") + str(url_path_for(child_name, **rest))
                    except NoMatchFound:
                        pass
        raise NoMatchFound(name, path_params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, name={self.name!r}, app={self.app!r})"
