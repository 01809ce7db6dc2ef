"""Routes, routers and the matcher: static paths in a dict, dynamic ones in one compiled regex."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from fastrapi.dependencies.analysis import RoutePlan
from fastrapi.dependencies.compile import compile_route
from fastrapi.exceptions import FastrAPIError
from fastrapi.path_streams import stream_plan
from fastrapi.responses import JSONResponse, Response, no_body_status, status_line
from fastrapi.serialization import DEFAULT, ResponseSerializer, infer_response_model

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# In a mounted app's environ: a FastrAPI app called it and answers HTTPExceptions it raises.
MOUNTED_KEY = "fastrapi.mounted"
HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")


class NoMatchFound(Exception):
    """``url_path_for`` found no route with that name and those parameters."""

    def __init__(self, name: str, path_params: dict[str, Any]) -> None:
        params = ", ".join(path_params)
        super().__init__(f'No route exists for name "{name}" and params "{params}".')


@dataclass(frozen=True, slots=True)
class Converter:
    """How a path parameter looks in a URL and what value it becomes."""

    regex: str
    convert: Callable[[str], Any]
    to_string: Callable[[Any], str]


def _float_to_string(value: float) -> str:
    text = f"{value:0.20f}".rstrip("0")
    return text.rstrip(".")


CONVERTERS: dict[str, Converter] = {
    "str": Converter("[^/]+", str, str),
    "path": Converter(".*", str, str),
    "int": Converter("[0-9]+", int, lambda v: str(int(v))),
    "float": Converter(r"[0-9]+(?:\.[0-9]+)?", float, _float_to_string),
    "uuid": Converter("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                      uuid.UUID, str),
}

_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?}")


@dataclass(slots=True)
class PathTemplate:
    """A compiled path such as ``/items/{item_id:int}``."""

    path: str
    regex: re.Pattern[str]
    pattern: str  # the regex source with unnamed groups, for the combined matcher
    format: str
    params: list[tuple[str, Converter]]

    @property
    def is_static(self) -> bool:
        return not self.params

    def match(self, path: str) -> dict[str, Any] | None:
        m = self.regex.fullmatch(path)
        if m is None:
            return None
        return self.convert(m.groups())

    def convert(self, groups: Sequence[str]) -> dict[str, Any]:
        return {name: conv.convert(value) for (name, conv), value in zip(self.params, groups)}

    def url_path(self, path_params: dict[str, Any]) -> str:
        return self.format.format(**{name: conv.to_string(path_params[name]) for name, conv in self.params})


def compile_path(path: str) -> PathTemplate:
    """Parse ``{name}`` and ``{name:converter}`` placeholders."""
    pattern, fmt, params, seen = "", "", [], set()
    index = 0
    for m in _PARAM.finditer(path):
        name, conv_name = m.group(1), m.group(2) or "str"
        if conv_name not in CONVERTERS:
            raise ValueError(f"Unknown path converter '{conv_name}'")
        if name in seen:
            raise ValueError(f"Duplicated param name {name} at path {path}")
        seen.add(name)
        converter = CONVERTERS[conv_name]
        literal = path[index:m.start()]
        pattern += re.escape(literal) + f"({converter.regex})"
        fmt += literal.replace("{", "{{").replace("}", "}}") + "{" + name + "}"
        params.append((name, converter))
        index = m.end()
    tail = path[index:]
    pattern += re.escape(tail)
    fmt += tail.replace("{", "{{").replace("}", "}}")
    return PathTemplate(path, re.compile(pattern), pattern, fmt, params)


def _name_of(endpoint: Callable[..., Any]) -> str:
    return getattr(endpoint, "__name__", type(endpoint).__name__)


class DefaultPlaceholder:
    """A value nobody chose: an explicit setting further out wins over it (FastAPI's ``Default``)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DefaultPlaceholder) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"Default({self.value!r})"


def Default(value: Any) -> Any:
    """Mark ``value`` as a default, so that a chosen value in an enclosing router wins."""
    return DefaultPlaceholder(value)


def value_or_default(first: Any, *others: Any) -> Any:
    """The first value that is not a ``Default(...)``; else ``first`` (a placeholder)."""
    if not isinstance(first, DefaultPlaceholder):
        return first
    for item in others:
        if not isinstance(item, DefaultPlaceholder):
            return item
    return first


DEFAULT_RESPONSE_CLASS = DefaultPlaceholder(JSONResponse)


def _resolved(value: Any) -> Any:
    return value.value if isinstance(value, DefaultPlaceholder) else value


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

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        raise NoMatchFound(name, path_params)


class APIRoute(BaseRoute):
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
        self.name = name or _name_of(endpoint)
        self.status_code = status_code
        # A generator endpoint streams its items; its plan owns their serialisation.
        self.stream = stream_plan(endpoint, _resolved(response_class))
        self.response_model = None if self.stream is not None else infer_response_model(endpoint, response_model)
        self.serializer = None if self.response_model is None else ResponseSerializer(
            self.response_model,
            include=options.get("response_model_include"),
            exclude=options.get("response_model_exclude"),
            by_alias=options.get("response_model_by_alias", True),
            exclude_unset=options.get("response_model_exclude_unset", False),
            exclude_defaults=options.get("response_model_exclude_defaults", False),
            exclude_none=options.get("response_model_exclude_none", False),
        )
        # As given (maybe a Default), for include_router; and the class responses are made with.
        self.response_class_option = response_class
        self.response_class: type[Response] = _resolved(response_class)
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
        self.deprecated = deprecated
        self.operation_id = operation_id
        self.include_in_schema = include_in_schema
        self.openapi_extra = openapi_extra
        self.callbacks = list(callbacks or [])
        # Stored for the issues that implement them (response_model_*, ...).
        self.options = options
        self.template = compile_path(path)
        self.plan: RoutePlan = compile_route(endpoint, {n for n, _ in self.template.params}, self.name, options,
                                             self.dependencies)
        self._overridden: tuple[object, RoutePlan] | None = None  # (overrides version, plan)

    def plan_for(self, overrides: Any) -> RoutePlan:
        """The plan with ``overrides`` (an app's ``dependency_overrides``) applied, made again
        only after they change."""
        version = getattr(overrides, "version", None)
        cached = self._overridden
        if cached is not None and version is not None and cached[0] is version:
            return cached[1]
        plan = compile_route(self.endpoint, {n for n, _ in self.template.params}, self.name, self.options,
                             self.dependencies, overrides)
        self._overridden = (version, plan)
        return plan

    def matches_method(self, method: str) -> bool:
        return method in self.methods

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        template = self.template
        if name != self.name or {n for n, _ in template.params} != set(path_params):
            raise NoMatchFound(name, path_params)
        return template.url_path(path_params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, name={self.name!r}, methods={self.methods!r})"


_routes_app: Callable[[list[BaseRoute]], WSGIApp] | None = None


def set_routes_app(factory: Callable[[list[BaseRoute]], WSGIApp]) -> None:
    """Name what builds ``Mount(routes=...)``'s app; ``fastrapi.applications`` names FastrAPI at import."""
    global _routes_app
    _routes_app = factory


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
        self.path = path.rstrip("/")
        if app is None:
            if _routes_app is None:
                raise RuntimeError("Mount(routes=...) needs fastrapi.applications imported")
            app = _routes_app(list(routes or []))
        self.app = self.wsgi_app = app
        self.name = name
        self.template = compile_path(self.path + "/{path:path}")

    @property
    def routes(self) -> list[BaseRoute]:
        return list(getattr(self.app, "routes", []))

    def matches_method(self, method: str) -> bool:
        return True

    def handle(self, environ: dict[str, Any], start_response: Callable[..., Any], path: str) -> Iterable[bytes]:
        """Call the mounted app for ``path`` (the decoded path this router matched)."""
        match = self.template.regex.fullmatch(path)
        remaining = "/" + (match.group(match.lastindex) if match and match.lastindex else "")
        # PATH_INFO holds the path's UTF-8 bytes as latin-1 (PEP 3333); cut it the same way.
        raw_path = environ.get("PATH_INFO") or "/"
        raw_remaining = remaining.encode("utf-8").decode("latin-1")
        if not raw_path.endswith(raw_remaining):  # a server that already decoded UTF-8
            raw_remaining = remaining
        child = dict(environ)
        child.pop("fastrapi.app", None)
        child.pop("fastrapi.errors_outside", None)
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


@dataclass(slots=True)
class IncludeContext:
    """What ``include_router`` adds to each route of the included router."""

    prefix: str = ""
    tags: list[Any] = field(default_factory=list)
    dependencies: list[Any] = field(default_factory=list)
    default_response_class: Any = DEFAULT_RESPONSE_CLASS
    responses: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    callbacks: list[BaseRoute] = field(default_factory=list)
    deprecated: bool | None = None
    include_in_schema: bool = True
    generate_unique_id_function: Any = None

    def combine(self, inner: IncludeContext) -> IncludeContext:
        """The context of a router included (as ``inner``) in a router included with ``self``."""
        return IncludeContext(
            prefix=self.prefix + inner.prefix,
            tags=[*self.tags, *inner.tags],
            dependencies=[*self.dependencies, *inner.dependencies],
            default_response_class=value_or_default(inner.default_response_class, self.default_response_class),
            responses={**self.responses, **inner.responses},
            callbacks=[*self.callbacks, *inner.callbacks],
            deprecated=self.deprecated or inner.deprecated,
            include_in_schema=self.include_in_schema and inner.include_in_schema,
            generate_unique_id_function=value_or_default(
                inner.generate_unique_id_function, self.generate_unique_id_function),
        )

    def apply(self, route: BaseRoute, router: APIRouter) -> BaseRoute | None:
        """``route`` of ``router`` as it serves once included with this context."""
        if isinstance(route, APIRoute):
            return type(route)(
                self.prefix + route.path, route.endpoint, methods=route.methods, name=route.name,
                status_code=route.status_code, response_model=route.response_model,
                response_class=value_or_default(
                    route.response_class_option, router.default_response_class, self.default_response_class),
                tags=[*self.tags, *route.tags], dependencies=[*self.dependencies, *route.dependencies],
                summary=route.summary, description=route.description,
                response_description=route.response_description,
                responses={**self.responses, **route.responses},
                deprecated=route.deprecated or self.deprecated, operation_id=route.operation_id,
                include_in_schema=route.include_in_schema and self.include_in_schema,
                openapi_extra=route.openapi_extra, callbacks=[*self.callbacks, *route.callbacks],
                **route.options,
            )
        if isinstance(route, Mount):
            mount = Mount(self.prefix + route.path, route.app, name=route.name)
            return mount
        return None


class IncludedRouter(BaseRoute):
    """``include_router``'s entry in a router's routes: a live view of the included router.

    Routes added to the included router later are served too (as in FastAPI 0.165).
    """

    def __init__(self, router: APIRouter, context: IncludeContext) -> None:
        self.router = router
        self.context = context

    def effective_routes(self, outer: IncludeContext | None = None) -> list[BaseRoute]:
        """The included routes as served: prefixed, tagged, with merged options."""
        context = self.context if outer is None else outer.combine(self.context)
        routes: list[BaseRoute] = []
        for route in self.router.routes:
            if isinstance(route, IncludedRouter):
                routes.extend(route.effective_routes(context))
            else:
                effective = context.apply(route, self.router)
                if effective is not None:
                    routes.append(effective)
        return routes

    def matches_method(self, method: str) -> bool:
        return False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(router={self.router!r}, prefix={self.context.prefix!r})"


class _Alternation:
    """Dynamic routes tried in registration order by one compiled regex (Bottle's trick)."""

    __slots__ = ("regex", "owners")

    def __init__(self, routes: list[tuple[int, BaseRoute]]) -> None:
        parts = []
        self.owners: dict[int, tuple[int, BaseRoute]] = {}
        group = 1
        for index, route in routes:
            parts.append(f"({route.template.pattern})")
            self.owners[group] = (index, route)
            group += 1 + route.template.regex.groups
        self.regex = re.compile("|".join(parts))

    def first(self, path: str) -> tuple[int, BaseRoute, dict[str, Any]] | None:
        m = self.regex.fullmatch(path)
        if m is None:
            return None
        outer = m.lastindex  # the outermost group that matched: one per route
        index, route = self.owners[outer]  # type: ignore[index]
        groups = m.groups()[outer:outer + route.template.regex.groups]  # type: ignore[operator]
        return index, route, route.template.convert(groups)


def _first_segment(path: str) -> str | None:
    """The first path segment when it is literal and complete (``items`` of ``/items/{id}``)."""
    literal = path.partition("{")[0]
    _, _, rest = literal.partition("/")
    segment, slash, _ = rest.partition("/")
    return segment if slash else None


def _request_segment(path: str) -> str | None:
    """A request path's first segment, if another segment follows it."""
    segment, slash, _ = path[1:].partition("/")
    return segment if slash else None


class Matcher:
    """Finds the route for (method, path) the way FastAPI does, without scanning every route.

    FastAPI tries routes in registration order: the first whose path and method match wins;
    failing that, the first whose path matches answers 405. Here a static path is one dict
    lookup (it is known at build time whether an earlier dynamic route shadows it), and dynamic
    routes are grouped by their literal first segment, each group one compiled alternation, so
    a request tries only the routes that can match its first segment. Only a method mismatch
    falls back to the ordered scan.
    """

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = list(routes)
        dynamic = [(i, r) for i, r in enumerate(self.routes) if not r.template.is_static]
        # path -> (index, route, shadowed by an earlier dynamic route)
        self.static: dict[str, tuple[int, BaseRoute, bool]] = {}
        for index, route in enumerate(self.routes):
            path = route.template.path
            if route.template.is_static and path not in self.static:
                shadowed = any(i < index and r.template.regex.fullmatch(path) for i, r in dynamic)
                self.static[path] = (index, route, shadowed)
        by_segment: dict[str | None, list[tuple[int, BaseRoute]]] = {}
        for index, route in dynamic:
            by_segment.setdefault(_first_segment(route.template.path), []).append((index, route))
        anywhere = by_segment.pop(None, [])
        self.by_segment = {segment: _Alternation(group) for segment, group in by_segment.items()}
        self.anywhere = _Alternation(anywhere) if anywhere else None

    def _first_dynamic(self, path: str) -> tuple[int, BaseRoute, dict[str, Any]] | None:
        group = self.by_segment.get(_request_segment(path)) if self.by_segment else None
        found = group.first(path) if group is not None else None
        if self.anywhere is not None:
            other = self.anywhere.first(path)
            if other is not None and (found is None or other[0] < found[0]):
                found = other
        return found

    def match(self, method: str, path: str) -> tuple[BaseRoute | None, dict[str, Any], BaseRoute | None]:
        """``(route, path_params, partial)``: the route to run, or the route whose path matched (405)."""
        static = self.static.get(path)
        first: tuple[int, BaseRoute, dict[str, Any]] | None
        if static is not None and not static[2]:
            first = (static[0], static[1], {})  # PERF: no regex at all for an unshadowed static path
        else:
            first = self._first_dynamic(path)
            if static is not None and (first is None or static[0] < first[0]):
                first = (static[0], static[1], {})
        if first is None:
            return None, {}, None
        if first[1].matches_method(method):
            return first[1], first[2], None
        # PERF: rare (405 or one path split over several routes by method): ordered scan.
        for route in self.routes[first[0] + 1:]:
            if route.matches_method(method):
                params = route.template.match(path)
                if params is not None:
                    return route, params, None
        return None, first[2], first[1]

    def path_exists(self, path: str) -> bool:
        return path in self.static or self._first_dynamic(path) is not None


class RouteDecorators:
    """``get``/``post``/... decorators, shared by ``APIRouter`` and the app: each is ``api_route``
    with one method."""

    def api_route(self, path: str, *, methods: Sequence[str] | None = None,
                  **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        raise NotImplementedError

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
        self.lifespan_contexts: list[Callable[[Any], Any]] = [lifespan] if lifespan is not None else []
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema
        self.generate_unique_id_function = generate_unique_id_function
        self.options = options
        self._matcher: Matcher | None = None
        self._includers: list[APIRouter] = []  # routers that include this one, told of changes

    @property
    def matcher(self) -> Matcher:
        matcher = self._matcher
        if matcher is None:
            matcher = self._matcher = Matcher(self.effective_routes())
        return matcher

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
        **kwargs: Any,
    ) -> APIRoute:
        """Register ``endpoint`` for ``path`` and ``methods``, with this router's options merged in."""
        if generate_unique_id_function is not None or self.generate_unique_id_function is not None:
            kwargs["generate_unique_id_function"] = generate_unique_id_function or self.generate_unique_id_function
        route = APIRoute(
            self.prefix + path, endpoint, methods=methods,
            response_class=value_or_default(response_class, self.default_response_class),
            tags=[*self.tags, *(tags or [])],
            dependencies=[*self.dependencies, *(dependencies or [])],
            responses={**self.responses, **(responses or {})},
            callbacks=[*self.callbacks, *(callbacks or [])],
            deprecated=deprecated or self.deprecated,
            include_in_schema=include_in_schema and self.include_in_schema,
            **kwargs,
        )
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

    def mount(self, path: str, app: WSGIApp, name: str | None = None) -> None:
        """Serve the WSGI app ``app`` under ``path`` (see ``Mount``)."""
        self.routes.append(Mount(self.prefix + path, app, name=name))
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
    ) -> None:
        """Serve ``router``'s routes here, under ``prefix`` and with the given options added.

        The inclusion is live: routes added to ``router`` afterwards are served as well. The
        options merge like FastAPI's: tags, dependencies and callbacks are prepended, responses
        merged, ``deprecated`` ORed, ``include_in_schema`` ANDed, and the response class is the
        route's own, else the included router's default, else this call's, else this router's.
        """
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
        context = IncludeContext(
            prefix=self.prefix + prefix,
            tags=[*self.tags, *(tags or [])],
            dependencies=[*self.dependencies, *(dependencies or [])],
            default_response_class=value_or_default(default_response_class, self.default_response_class),
            responses={**self.responses, **(responses or {})},
            callbacks=[*self.callbacks, *(callbacks or [])],
            deprecated=deprecated or self.deprecated,
            include_in_schema=self.include_in_schema and include_in_schema,
            generate_unique_id_function=generate_unique_id_function or self.generate_unique_id_function,
        )
        self.routes.append(IncludedRouter(router, context))
        router._includers.append(self)
        self.on_startup.extend(router.on_startup)
        self.on_shutdown.extend(router.on_shutdown)
        self.lifespan_contexts.extend(router.lifespan_contexts)
        self._changed()

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
                    pending.append(route.router)
        return False

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        """The path of the route called ``name`` with ``path_params`` filled in."""
        for route in self.matcher.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)
