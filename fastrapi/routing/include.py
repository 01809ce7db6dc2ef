"""``include_router``: the options a router adds to its routes, merged one way everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from fastrapi.routing.defaults import DEFAULT_RESPONSE_CLASS, value_or_default
from fastrapi.routing.matcher import is_tried_last
from fastrapi.routing.routes import APIRoute, BaseRoute, Mount
from fastrapi.routing.websocket_route import APIWebSocketRoute


class RouterOptions(Protocol):
    """A router as ``include_router`` reads it (``APIRouter`` is one)."""

    prefix: str
    tags: list[Any]
    dependencies: list[Any]
    default_response_class: Any
    responses: dict[int | str, dict[str, Any]]
    callbacks: list[BaseRoute]
    deprecated: bool | None
    include_in_schema: bool
    generate_unique_id_function: Any
    strict_content_type: bool | None
    max_body_size: int | None
    form_limits: dict[str, int]
    routes: list[BaseRoute]


class SelfIncluding(Protocol):
    """A route that makes its own included copy (``frontend()``'s, whose module routing cannot import)."""

    def included(self, prefix: str, dependencies: list[Any]) -> BaseRoute: ...


# The request-handling settings a router passes down to its routes (FastAPI 0.165's router options).
SETTING_OPTIONS = ("strict_content_type", "max_body_size", "form_limits")


@dataclass(slots=True)
class IncludeContext:
    """What a router (and each ``include_router`` call) adds to the routes under it."""

    prefix: str = ""
    tags: list[Any] = field(default_factory=list)
    dependencies: list[Any] = field(default_factory=list)
    default_response_class: Any = DEFAULT_RESPONSE_CLASS
    responses: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    callbacks: list[BaseRoute] = field(default_factory=list)
    deprecated: bool | None = None
    include_in_schema: bool = True
    generate_unique_id_function: Any = None
    strict_content_type: bool | None = None  # None: not set here (an outer router's, else the app's)
    max_body_size: int | None = None
    form_limits: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, router: RouterOptions) -> IncludeContext:
        """The options ``router`` itself gives every route added to it."""
        return cls(
            prefix=router.prefix, tags=list(router.tags), dependencies=list(router.dependencies),
            default_response_class=router.default_response_class, responses=dict(router.responses),
            callbacks=list(router.callbacks), deprecated=router.deprecated,
            include_in_schema=router.include_in_schema,
            generate_unique_id_function=router.generate_unique_id_function,
            strict_content_type=router.strict_content_type, max_body_size=router.max_body_size,
            form_limits=dict(router.form_limits),
        )

    def combine(self, inner: IncludeContext) -> IncludeContext:
        """``inner``'s options inside this context's, as FastAPI merges them: prefixes join, tags,
        dependencies and callbacks are prepended, responses merged, ``deprecated`` ORed,
        ``include_in_schema`` ANDed; the response class, unique-id function, ``strict_content_type``
        and ``max_body_size`` are the innermost chosen ones, form limits the innermost per limit.
        The one merge: routes added, routers included, included routes served."""
        return IncludeContext(
            prefix=self.prefix + inner.prefix,
            tags=[*self.tags, *inner.tags],
            dependencies=[*self.dependencies, *inner.dependencies],
            default_response_class=value_or_default(inner.default_response_class, self.default_response_class),
            responses={**self.responses, **inner.responses},
            callbacks=[*self.callbacks, *inner.callbacks],
            deprecated=inner.deprecated or self.deprecated,
            include_in_schema=self.include_in_schema and inner.include_in_schema,
            generate_unique_id_function=self.generate_unique_id_function
            if inner.generate_unique_id_function is None
            else value_or_default(inner.generate_unique_id_function, self.generate_unique_id_function),
            strict_content_type=self.strict_content_type if inner.strict_content_type is None
            else inner.strict_content_type,
            max_body_size=self.max_body_size if inner.max_body_size is None else inner.max_body_size,
            form_limits={**self.form_limits, **inner.form_limits},
        )

    def route_options(self) -> dict[str, Any]:
        """The ``APIRoute`` keyword arguments this context stands for (the path aside); the settings only
        where one is set, so that a route without any falls back to the app's."""
        options = {
            "response_class": self.default_response_class, "tags": self.tags, "dependencies": self.dependencies,
            "responses": self.responses, "callbacks": self.callbacks, "deprecated": self.deprecated,
            "include_in_schema": self.include_in_schema,
        }
        if self.strict_content_type is not None:
            options["strict_content_type"] = self.strict_content_type
        if self.max_body_size is not None:
            options["max_body_size"] = self.max_body_size
        if self.form_limits:
            options["form_limits"] = self.form_limits
        return options

    @classmethod
    def settings_of(cls, options: dict[str, Any], **context: Any) -> IncludeContext:
        """A context of ``context`` plus the settings found in a route's ``options``."""
        return cls(strict_content_type=options.get("strict_content_type"),
                   max_body_size=options.get("max_body_size"), form_limits=dict(options.get("form_limits") or {}),
                   **context)

    def apply(self, route: BaseRoute, router: RouterOptions) -> BaseRoute | None:
        """``route`` of ``router`` as it serves once included with this context."""
        if isinstance(route, APIRoute):
            own = IncludeContext.settings_of(
                route.options, prefix=route.path, tags=route.tags, dependencies=route.dependencies,
                default_response_class=value_or_default(route.response_class_option, router.default_response_class),
                responses=route.responses, callbacks=route.callbacks, deprecated=route.deprecated,
                include_in_schema=route.include_in_schema,
            )
            merged = self.combine(own)
            options = {k: v for k, v in route.options.items() if k not in SETTING_OPTIONS}
            return type(route)(
                merged.prefix, route.endpoint, methods=route.methods, name=route.name,
                status_code=route.status_code, response_model=route.response_model,
                summary=route.summary, description=route.description,
                response_description=route.response_description, operation_id=route.operation_id,
                openapi_extra=route.openapi_extra, **merged.route_options(), **options,
            )
        if isinstance(route, APIWebSocketRoute):
            return APIWebSocketRoute(self.prefix + route.path, route.endpoint, name=route.name,
                                     dependencies=[*self.dependencies, *route.dependencies])
        if isinstance(route, Mount):
            return Mount(self.prefix + route.path, route.app, name=route.name)
        if is_tried_last(route):  # a frontend: under the prefix, after the include's dependencies
            return cast(SelfIncluding, route).included(self.prefix, self.dependencies)
        return None


class IncludedRouter(BaseRoute):
    """``include_router``'s entry in a router's routes: a live view of the included router.

    Routes added to the included router later are served too (as in FastAPI 0.165).
    """

    def __init__(self, router: RouterOptions, context: IncludeContext) -> None:
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
