"""``get_openapi``: the OpenAPI 3.1 document of a list of routes, as FastAPI writes it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from fastrapi.encoders import jsonable_encoder
from fastrapi.openapi.models import OpenAPI
from fastrapi.openapi.operations import DocumentedRoute, PathContext, document_route, path_item
from fastrapi.openapi.schemas import generate_schemas
from fastrapi.routing import APIRoute, BaseRoute, IncludeContext, IncludedRouter

GenerateUniqueId = Callable[[APIRoute], str]


def iter_api_routes(routes: Iterable[BaseRoute]) -> Iterator[tuple[APIRoute, GenerateUniqueId | None]]:
    """The path operations among ``routes`` as served (included routers flattened, mounts and other
    routes left out), each with the operation-id function its ``include_router`` calls chose."""
    for route in routes:
        if isinstance(route, IncludedRouter):
            yield from _included(route, None, [])
        elif isinstance(route, APIRoute):
            yield route, None


def _included(entry: IncludedRouter, outer: IncludeContext | None,
              chain: list[GenerateUniqueId | None]) -> Iterator[tuple[APIRoute, GenerateUniqueId | None]]:
    context = entry.context if outer is None else outer.combine(entry.context)
    chain = [entry.context.generate_unique_id_function, *chain]  # the innermost choice wins
    for route in entry.router.routes:
        if isinstance(route, IncludedRouter):
            yield from _included(route, context, chain)
            continue
        applied = context.apply(route, entry.router)
        if isinstance(applied, APIRoute):
            yield applied, next((g for g in chain if g is not None), None)


def document_routes(routes: Iterable[BaseRoute]) -> list[DocumentedRoute]:
    """Every path operation of ``routes`` with its operation id and schema fields."""
    return [document_route(route, generate) for route, generate in iter_api_routes(routes)]


def _info(title: str, version: str, summary: str | None, description: str | None, terms_of_service: str | None,
          contact: dict[str, Any] | None, license_info: dict[str, Any] | None) -> dict[str, Any]:
    info: dict[str, Any] = {"title": title, "version": version}
    if summary:
        info["summary"] = summary
    if description:
        info["description"] = description
    if terms_of_service:
        info["termsOfService"] = terms_of_service
    if contact:
        info["contact"] = contact
    if license_info:
        info["license"] = license_info
    return info


def _paths(documented: list[DocumentedRoute], context: PathContext) -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = {}
    for entry in documented:
        item = path_item(entry, context)
        if item:
            paths.setdefault(entry.path, {}).update(item)
    return paths


def get_openapi(
    *,
    title: str,
    version: str,
    openapi_version: str = "3.1.0",
    summary: str | None = None,
    description: str | None = None,
    routes: Sequence[BaseRoute],
    webhooks: Sequence[BaseRoute] | None = None,
    tags: list[dict[str, Any]] | None = None,
    servers: list[dict[str, Any]] | None = None,
    terms_of_service: str | None = None,
    contact: dict[str, Any] | None = None,
    license_info: dict[str, Any] | None = None,
    separate_input_output_schemas: bool = True,
    external_docs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The OpenAPI document (JSON-ready dict) of ``routes`` and ``webhooks``.

    ``routes`` is typically ``app.routes``: included routers count with their prefixes and options;
    mounted apps and the docs' own routes are left out. Use it to build a customised document::

        def custom_openapi():
            if not app.openapi_schema:
                app.openapi_schema = get_openapi(title="API", version="1.0", routes=app.routes)
            return app.openapi_schema

        app.openapi = custom_openapi
    """
    output: dict[str, Any] = {
        "openapi": openapi_version,
        "info": _info(title, version, summary, description, terms_of_service, contact, license_info),
    }
    if servers:
        output["servers"] = servers
    documented = document_routes(routes)
    documented_hooks = document_routes(webhooks or [])
    fields = [f for entry in [*documented, *documented_hooks] for f in entry.all_fields()]
    schemas = generate_schemas(fields, separate_input_output_schemas)
    context = PathContext(schemas)
    paths = _paths(documented, context)
    webhook_paths = _paths(documented_hooks, context)
    definitions = {**schemas.definitions, **context.definitions}
    components: dict[str, Any] = {}
    if context.security_schemes:
        components["securitySchemes"] = context.security_schemes
    if definitions:
        components["schemas"] = {name: definitions[name] for name in sorted(definitions)}
    if components:
        output["components"] = components
    output["paths"] = paths
    if webhook_paths:
        output["webhooks"] = webhook_paths
    if tags:
        output["tags"] = tags
    if external_docs:
        output["externalDocs"] = external_docs
    return jsonable_encoder(OpenAPI(**output), by_alias=True, exclude_none=True)  # type: ignore[no-any-return]
