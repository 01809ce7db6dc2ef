"""Routes, routers and the matcher: static paths in a dict, dynamic ones in one compiled regex."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from fastrapi.dependencies.analysis import RoutePlan, compile_route
from fastrapi.responses import JSONResponse, Response
from fastrapi.serialization import DEFAULT, ResponseSerializer, infer_response_model

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


class BaseRoute:
    """Anything the router can match."""

    template: PathTemplate
    name: str | None = None

    def matches_method(self, method: str) -> bool:
        raise NotImplementedError


class APIRoute(BaseRoute):
    """One path operation: path, methods, endpoint and its options, compiled to a ``RoutePlan``."""

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] | None = None,
        name: str | None = None,
        status_code: int | None = None,
        response_model: Any = DEFAULT,
        response_class: type[Response] = JSONResponse,
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
        **options: Any,
    ) -> None:
        if not path.startswith("/"):
            raise ValueError("Routed paths must start with '/'")
        self.path = path
        self.endpoint = endpoint
        self.methods = [m.upper() for m in (methods or ["GET"])]
        self.name = name or _name_of(endpoint)
        self.status_code = status_code
        self.response_model = infer_response_model(endpoint, response_model)
        self.serializer = None if self.response_model is None else ResponseSerializer(
            self.response_model,
            include=options.get("response_model_include"),
            exclude=options.get("response_model_exclude"),
            by_alias=options.get("response_model_by_alias", True),
            exclude_unset=options.get("response_model_exclude_unset", False),
            exclude_defaults=options.get("response_model_exclude_defaults", False),
            exclude_none=options.get("response_model_exclude_none", False),
        )
        self.response_class = response_class
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
        # Stored for the issues that implement them (response_model_*, callbacks, ...).
        self.options = options
        self.template = compile_path(path)
        self.plan: RoutePlan = compile_route(endpoint, {n for n, _ in self.template.params}, self.name)

    def matches_method(self, method: str) -> bool:
        return method in self.methods

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, name={self.name!r}, methods={self.methods!r})"


class Matcher:
    """Finds the route for (method, path) the way FastAPI does, without scanning every route.

    FastAPI tries routes in registration order: the first whose path and method match wins;
    failing that, the first whose path matches answers 405. Static paths are one dict lookup
    and dynamic ones one combined regex; only a method mismatch falls back to the ordered scan.
    """

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = list(routes)
        self.static: dict[str, list[tuple[int, BaseRoute]]] = {}
        self.dynamic: list[tuple[int, BaseRoute]] = []
        parts = []
        self.group_of: dict[int, tuple[int, BaseRoute]] = {}
        group = 1
        for index, route in enumerate(self.routes):
            template = route.template
            if template.is_static:
                self.static.setdefault(template.path, []).append((index, route))
                continue
            self.dynamic.append((index, route))
            parts.append(f"({route.template.pattern})")
            self.group_of[group] = (index, route)
            group += 1 + route.template.regex.groups
        self.combined = re.compile("|".join(parts)) if parts else None

    def _first_dynamic(self, path: str) -> tuple[int, BaseRoute, dict[str, Any]] | None:
        if self.combined is None:
            return None
        m = self.combined.fullmatch(path)
        if m is None:
            return None
        index, route = self.group_of[m.lastindex]  # type: ignore[index]
        start = m.lastindex + 1  # type: ignore[operator]
        groups = m.groups()[start - 1:start - 1 + route.template.regex.groups]
        return index, route, route.template.convert(groups)

    def match(self, method: str, path: str) -> tuple[BaseRoute | None, dict[str, Any], BaseRoute | None]:
        """``(route, path_params, partial)``: the route to run, or the route whose path matched (405)."""
        static = self.static.get(path)
        dynamic = self._first_dynamic(path)
        first: tuple[int, BaseRoute, dict[str, Any]] | None = None
        if static is not None:
            first = (*static[0], {})
        if dynamic is not None and (first is None or dynamic[0] < first[0]):
            first = dynamic
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


class APIRouter:
    """A group of routes; the app owns one, and ``include_router`` copies others into it."""

    def __init__(
        self,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[Any] | None = None,
        default_response_class: type[Response] = JSONResponse,
        responses: dict[int | str, dict[str, Any]] | None = None,
        routes: list[BaseRoute] | None = None,
        redirect_slashes: bool = True,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
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
        self.routes: list[BaseRoute] = list(routes or [])
        self.redirect_slashes = redirect_slashes
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema
        self.options = options
        self._matcher: Matcher | None = None

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            self._matcher = Matcher(self.routes)
        return self._matcher

    def _changed(self) -> None:
        self._matcher = None

    def add_api_route(self, path: str, endpoint: Callable[..., Any], *, methods: Sequence[str] | None = None,
                      **kwargs: Any) -> APIRoute:
        """Register ``endpoint`` for ``path`` and ``methods``."""
        kwargs.setdefault("response_class", self.default_response_class)
        if self.tags:
            kwargs["tags"] = self.tags + list(kwargs.get("tags") or [])
        if self.dependencies:
            kwargs["dependencies"] = self.dependencies + list(kwargs.get("dependencies") or [])
        if self.deprecated is not None:
            kwargs.setdefault("deprecated", self.deprecated)
        route = APIRoute(self.prefix + path, endpoint, methods=methods, **kwargs)
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

    def include_router(self, router: APIRouter, *, prefix: str = "", **kwargs: Any) -> None:
        """Copy ``router``'s routes in, under ``prefix`` (the full options belong to the routers issue)."""
        for route in router.routes:
            if isinstance(route, APIRoute):
                self.add_api_route(
                    prefix + route.path, route.endpoint, methods=route.methods, name=route.name,
                    status_code=route.status_code, response_model=route.response_model,
                    response_class=route.response_class, tags=list(kwargs.get("tags") or []) + route.tags,
                    dependencies=list(kwargs.get("dependencies") or []) + route.dependencies,
                    summary=route.summary, description=route.description, responses=route.responses,
                    deprecated=route.deprecated, operation_id=route.operation_id,
                    include_in_schema=route.include_in_schema, openapi_extra=route.openapi_extra,
                    **route.options,
                )
            else:
                self.routes.append(route)
        self._changed()

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        """The path of the route called ``name`` with ``path_params`` filled in."""
        for route in self.routes:
            if route.name != name:
                continue
            template = route.template
            if {n for n, _ in template.params} == set(path_params):
                return template.url_path(path_params)
        raise NoMatchFound(name, path_params)
