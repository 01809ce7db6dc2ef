"""One route → its path item: an operation per method, with parameters, request body and responses."""

from __future__ import annotations

import copy
import http.client
import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import PydanticUndefined

from fastrapi.encoders import jsonable_encoder
from fastrapi.openapi.constants import METHODS_WITH_BODY, REF_PREFIX
from fastrapi.openapi.route_fields import RouteFields, path_format, route_fields, unique_id
from fastrapi.openapi.schemas import SchemaField, Schemas
from fastrapi.openapi.security import route_security
from fastrapi.path_streams import JSONL_MEDIA_TYPE
from fastrapi.responses import JSONResponse, Response
from fastrapi.routing import APIRoute
from fastrapi.sse import SSE_EVENT_SCHEMA, EventSourceResponse

STATUS_CODE_RANGES = {
    "1XX": "Information",
    "2XX": "Success",
    "3XX": "Redirection",
    "4XX": "Client Error",
    "5XX": "Server Error",
    "DEFAULT": "Default Response",
}
VALIDATION_ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "ValidationError": {
        "title": "ValidationError",
        "type": "object",
        "properties": {
            "loc": {"title": "Location", "type": "array",
                    "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
            "input": {"title": "Input"},
            "ctx": {"title": "Context", "type": "object"},
        },
        "required": ["loc", "msg", "type"],
    },
    "HTTPValidationError": {
        "title": "HTTPValidationError",
        "type": "object",
        "properties": {
            "detail": {"title": "Detail", "type": "array", "items": {"$ref": REF_PREFIX + "ValidationError"}},
        },
    },
}
_VALIDATION_ERROR_RESPONSE = {
    "description": "Validation Error",
    "content": {"application/json": {"schema": {"$ref": REF_PREFIX + "HTTPValidationError"}}},
}


@dataclass(slots=True)
class DocumentedRoute:
    """A route with what the document needs of it: its operation id, fields and callbacks."""

    route: APIRoute
    operation_id: str
    fields: RouteFields
    callbacks: list[DocumentedRoute] = field(default_factory=list)

    @property
    def path(self) -> str:
        return path_format(self.route.path)

    def all_fields(self) -> list[SchemaField]:
        """The schema fields of the route's callbacks, then its own; none when it is not in the document."""
        if not self.route.include_in_schema:
            return []
        nested = [f for callback in self.callbacks for f in callback.all_fields()]
        return nested + self.fields.all()


def document_route(route: APIRoute, generate: Callable[[APIRoute], str] | None = None) -> DocumentedRoute:
    """Work out the operation id and schema fields of ``route`` (and of its callbacks)."""
    operation_id = unique_id(route, generate)
    schema_id = unique_id(route, generate, as_built=True)  # Body_/Response_ schema names
    callbacks = [document_route(cb) for cb in route.callbacks if isinstance(cb, APIRoute)]
    return DocumentedRoute(route, operation_id, route_fields(route, schema_id), callbacks)


@dataclass(slots=True)
class PathContext:
    """What the path items of one document share."""

    schemas: Schemas
    operation_ids: set[str] = field(default_factory=set)
    definitions: dict[str, Any] = field(default_factory=dict)  # added to components.schemas
    security_schemes: dict[str, Any] = field(default_factory=dict)


def deep_update(target: dict[Any, Any], update: dict[Any, Any]) -> None:
    """Merge ``update`` into ``target``: dicts recursively, lists concatenated, the rest replaced."""
    for key, value in update.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            deep_update(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            target[key] = current + value
        else:
            target[key] = value


def body_allowed(status_code: int | str | None) -> bool:
    """Whether a response with this status may have a body (OpenAPI's ranges and ``default`` may)."""
    if status_code is None or status_code in {"default", "1XX", "2XX", "3XX", "4XX", "5XX"}:
        return True
    code = int(status_code)
    return not (code < 200 or code in {204, 205, 304})


def description_of(route: APIRoute) -> str:
    """``description=``, else the endpoint's docstring; cut at a form feed (``\\f``), as FastAPI does."""
    text = route.description or inspect.cleandoc(getattr(route.endpoint, "__doc__", None) or "")
    return text.split("\f")[0].strip()


def _default_status(response_class: type[Response]) -> str | None:
    parameter = inspect.signature(response_class.__init__).parameters.get("status_code")
    if parameter is not None and isinstance(parameter.default, int):
        return str(parameter.default)
    return None


def _metadata(documented: DocumentedRoute, operation_ids: set[str]) -> dict[str, Any]:
    route = documented.route
    operation: dict[str, Any] = {}
    if route.tags:
        operation["tags"] = route.tags
    operation["summary"] = route.summary or (route.name or "").replace("_", " ").title()
    description = description_of(route)
    if description:
        operation["description"] = description
    operation_id = documented.operation_id
    if operation_id in operation_ids:
        endpoint = route.endpoint
        message = f"Duplicate Operation ID {operation_id} for function {getattr(endpoint, '__name__', endpoint)}"
        file_name = getattr(endpoint, "__globals__", {}).get("__file__")
        if file_name:
            message += f" at {file_name}"
        warnings.warn(message, stacklevel=1)
    operation_ids.add(operation_id)
    operation["operationId"] = operation_id
    if route.deprecated:
        operation["deprecated"] = route.deprecated
    return operation


def _examples(target: dict[str, Any], marker: Any) -> None:
    examples = getattr(marker, "openapi_examples", None)
    example = getattr(marker, "example", PydanticUndefined)
    if examples:
        target["examples"] = jsonable_encoder(examples)
    elif example is not PydanticUndefined and example is not None:
        target["example"] = jsonable_encoder(example)


def _parameters(fields: RouteFields, schemas: Schemas) -> list[dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    required: dict[tuple[str, str], dict[str, Any]] = {}
    for param in fields.parameters:
        entry: dict[str, Any] = {
            "name": param.name,
            "in": param.location,
            "required": param.required,
            "schema": schemas.of(param.field, param.alias),
        }
        if param.marker.description:
            entry["description"] = param.marker.description
        _examples(entry, param.marker)
        if getattr(param.marker, "deprecated", None):
            entry["deprecated"] = True
        key = (param.location, param.name)
        found[key] = entry
        if param.required:
            required[key] = entry
    found.update(required)  # a required declaration of a repeated parameter wins
    return list(found.values())


def _request_body(fields: RouteFields, schemas: Schemas) -> dict[str, Any] | None:
    body = fields.body
    if body is None:
        return None
    content: dict[str, Any] = {"schema": schemas.of(body)}
    _examples(content, body.info)
    result: dict[str, Any] = {}
    if body.info.is_required():
        result["required"] = True
    result["content"] = {getattr(body.info, "media_type", "application/json"): content}
    return result


def _stream_content(kind: str, fields: RouteFields, schemas: Schemas) -> dict[str, Any]:
    """The content of a JSON Lines or event stream response: OpenAPI 3.2's ``itemSchema``, one item."""
    item = fields.stream_item
    if kind == "jsonl":
        return {JSONL_MEDIA_TYPE: {"itemSchema": schemas.of(item) if item is not None else {}}}
    event = copy.deepcopy(SSE_EVENT_SCHEMA)
    if item is not None:
        event["required"] = ["data"]
        event["properties"]["data"] = {"type": "string", "contentMediaType": "application/json",
                                       "contentSchema": schemas.of(item)}
    return {EventSourceResponse.media_type: {"itemSchema": event}}


def _responses(documented: DocumentedRoute, context: PathContext, operation: dict[str, Any]) -> None:
    route = documented.route
    response_class = route.response_class
    media_type = response_class.media_type
    status = str(route.status_code) if route.status_code is not None else _default_status(response_class)
    responses = operation.setdefault("responses", {})
    main = responses.setdefault(status, {})
    main["description"] = route.response_description
    stream = route.stream
    if body_allowed(route.status_code) and stream is not None and stream.kind != "raw":
        main.setdefault("content", {}).update(_stream_content(stream.kind, documented.fields, context.schemas))
    elif body_allowed(route.status_code) and media_type:
        schema: dict[str, Any] = {"type": "string"}
        if issubclass(response_class, JSONResponse):
            response = documented.fields.response
            schema = context.schemas.of(response) if response is not None else {}
        main.setdefault("content", {}).setdefault(media_type, {})["schema"] = schema
    for code, extra in route.responses.items():
        assert isinstance(extra, dict), "An additional response must be a dict"
        extra = copy.deepcopy(extra)
        extra.pop("model", None)
        key = str(code).upper()
        if key == "DEFAULT":
            key = "default"
        entry = responses.setdefault(key, {})
        model_field = documented.fields.extra_responses.get(code)
        if model_field is not None:
            target = extra.setdefault("content", {}).setdefault(media_type or "application/json", {})
            deep_update(target.setdefault("schema", {}), context.schemas.of(model_field))
        status_text = STATUS_CODE_RANGES.get(str(code).upper()) or http.client.responses.get(int(code))
        description = extra.get("description") or entry.get("description") or status_text or "Additional Response"
        deep_update(entry, extra)
        entry["description"] = description
    if documented.fields.validates_input and not any(k in responses for k in ("422", "4XX", "default")):
        responses["422"] = copy.deepcopy(_VALIDATION_ERROR_RESPONSE)
        for name, definition in VALIDATION_ERROR_SCHEMAS.items():
            context.definitions.setdefault(name, copy.deepcopy(definition))


def path_item(documented: DocumentedRoute, context: PathContext) -> dict[str, Any]:
    """The operations of ``documented`` by lower-case method; empty when it is not in the schema."""
    route = documented.route
    item: dict[str, Any] = {}
    if not route.include_in_schema:
        return item
    for method in route.methods:
        operation = _metadata(documented, context.operation_ids)
        schemes, requirements = route_security(route.plan)
        if requirements:
            operation.setdefault("security", []).extend(requirements)
        context.security_schemes.update(schemes)
        parameters = _parameters(documented.fields, context.schemas)
        if parameters:
            operation["parameters"] = parameters
        if method in METHODS_WITH_BODY:
            body = _request_body(documented.fields, context.schemas)
            if body:
                operation["requestBody"] = body
        if route.callbacks:
            operation["callbacks"] = {
                cb.route.name: {cb.path: path_item(cb, context)} for cb in documented.callbacks
            }
        _responses(documented, context, operation)
        if route.openapi_extra:
            deep_update(operation, route.openapi_extra)
        item[method.lower()] = operation
    return item
