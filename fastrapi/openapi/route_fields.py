"""What one route shows in the document: its parameters, request body and response models as ``SchemaField``s.

Read from the route's compiled ``RoutePlan`` (the same analysis that serves requests), so the
document describes exactly what the route reads: the names a parameter is looked up by, which
parameters are required, how a body is embedded and with which media type.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import create_model
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from fastrapi import params
from fastrapi.dependencies.analysis import ParamField, RoutePlan
from fastrapi.dependencies.annotations import model_of
from fastrapi.openapi.aliases import param_aliases
from fastrapi.openapi.form_bodies import form_body_model, form_models, is_nullable_form_model
from fastrapi.openapi.schemas import SchemaField, model_fields
from fastrapi.routing import APIRoute, compile_path

LOCATIONS = ("path", "query", "header", "cookie")


@dataclass(slots=True)
class Parameter:
    """One entry of an operation's ``parameters``."""

    location: str
    name: str  # the name the client sends
    alias: str  # the name the schema is titled after
    field: SchemaField
    required: bool
    marker: FieldInfo  # where description, examples and deprecation are read


@dataclass(slots=True)
class RouteFields:
    """The schema fields of one route."""

    parameters: list[Parameter] = field(default_factory=list)
    # Every parameter's field, also those with ``include_in_schema=False`` (they can still answer 422).
    param_fields: list[SchemaField] = field(default_factory=list)
    body: SchemaField | None = None
    response: SchemaField | None = None
    extra_responses: dict[int | str, SchemaField] = field(default_factory=dict)
    stream_item: SchemaField | None = None  # the item type of a JSON Lines or event stream

    def all(self) -> list[SchemaField]:
        """Every field, in the order the document's schemas are generated."""
        result = [] if self.body is None else [self.body]
        if self.response is not None:
            result.append(self.response)
        result.extend(self.extra_responses.values())
        if self.stream_item is not None:
            result.append(self.stream_item)
        result.extend(self.param_fields)
        return result

    @property
    def validates_input(self) -> bool:
        """Whether the route can answer 422: it reads parameters or a body."""
        return bool(self.param_fields or self.body is not None)


# -- operation ids -------------------------------------------------------------------------------

def path_format(path: str) -> str:
    """``/items/{item_id:int}`` → ``/items/{item_id}``: the path as the document names it."""
    template = compile_path(path)
    return template.format.format(**{name: "{" + name + "}" for name, _ in template.params})


def default_unique_id(route: APIRoute) -> str:
    """FastAPI's default operation id: endpoint name, path and first method, as one identifier."""
    text = re.sub(r"\W", "_", f"{route.name}{path_format(route.path)}")
    return f"{text}_{route.methods[0].lower()}"


def unique_id(route: APIRoute, generate: Callable[[APIRoute], str] | None = None, *, as_built: bool = False) -> str:
    """The route's operation id: ``operation_id=``, else its own ``generate_unique_id_function`` (given to
    the route or its router), else ``generate`` (from ``include_router``), else FastAPI's default.
    ``as_built``: from the ``operation_id`` the route was made with, as FastAPI names its schemas even
    after ``route.operation_id`` is set later."""
    given = route.built_operation_id if as_built else route.operation_id
    if given:
        return given
    function = route.options.get("generate_unique_id_function") or generate or default_unique_id
    return function(route)


# -- parameters ----------------------------------------------------------------------------------

def _param_fields(plan: RoutePlan) -> Iterator[ParamField]:
    """The request parameters of the endpoint and of its dependencies (each dependency once), by
    location: path, query, header, cookie; within one, the endpoint's first, then the tree's order."""
    by_location: dict[str, list[ParamField]] = {location: [] for location in LOCATIONS}
    plans = [plan, *(step.plan for step, _ in plan.iter_dependencies())]
    for each in plans:
        for group in each.groups:
            by_location[group.location].extend(group.fields)
    for location in LOCATIONS:
        yield from by_location[location]


def _aliased(name: str, marker: FieldInfo) -> FieldInfo:
    """The marker as FastAPI keeps it: ``alias`` always set (headers: ``user_agent`` → ``user-agent``)."""
    info = copy.copy(marker)
    if not info.alias and getattr(info, "convert_underscores", None):
        info.alias = name.replace("_", "-")
    else:
        info.alias = info.alias or name
    return info


def _parameters(param: ParamField) -> list[Parameter]:
    marker = param.marker
    location = param.location
    if param.model is None:
        field = SchemaField(param.name, _aliased(param.name, marker))
        convert = location == "header" and getattr(field.info, "convert_underscores", True)
        alias, name = param_aliases(field, convert_underscores=convert, is_path=location == "path")[0]
        return [Parameter(location, name, alias, field, field.info.is_required(), field.info)]
    model = param.model.cls
    optional_model = marker.annotation is not model and not marker.is_required()
    result = []
    for field in model_fields(model):
        convert = location == "header" and getattr(field.info, "convert_underscores",
                                                   getattr(marker, "convert_underscores", True))
        alias, name = param_aliases(field, convert_underscores=convert)[0]
        required = field.info.is_required() and not optional_model
        result.append(Parameter(location, name, alias, field, required, field.info))
    return result


# -- the body ------------------------------------------------------------------------------------

def _embeds(fields: list[ParamField]) -> bool:
    """FastAPI's rule: several values, ``embed=True``, or a plain form field make a body object; so do
    dependencies spreading different form models under one parameter name."""
    if len({f.name for f in fields}) > 1:
        return True
    first = fields[0]
    if form_models(first) and any(not form_models(f) or f.marker.annotation is not first.marker.annotation
                                  for f in fields[1:]):
        return True
    marker = first.marker
    if getattr(marker, "embed", None):
        return True
    return isinstance(marker, params.Form) and model_of(marker.annotation) is None and first.union is None


def _body_field(fields: list[ParamField], operation_id: str) -> SchemaField:
    """The request body as one value: the single body parameter, or a ``Body_<operation id>`` object."""
    embed = _embeds(fields)
    first = fields[0]
    if not embed and not any(is_nullable_form_model(f) for f in fields):
        return SchemaField(first.name, _aliased(first.name, first.marker))
    name = f"Body_{operation_id}"
    members = [(f, SchemaField(f.name, _aliased(f.name, f.marker))) for f in fields]
    if any(form_models(f) for f in fields):
        model = form_body_model(name, members)
    else:
        model = create_model(name, **{f.name: (s.info.annotation, s.info) for f, s in members})  # type: ignore[call-overload]
    if not embed:
        info = copy.copy(members[0][1].info)
        info.annotation = model
        info.metadata = []  # the form field itself validates; the body object only describes
        info.discriminator = None
        return SchemaField(first.name, info)
    kwargs: dict[str, Any] = {"annotation": model, "alias": "body"}
    if not any(f.marker.is_required() for f in fields):
        kwargs["default"] = None
    markers = [f.marker for f in fields]
    if any(isinstance(m, params.File) for m in markers):
        info = params.File(**kwargs)
    else:
        kind = params.Form if any(isinstance(m, params.Form) for m in markers) else params.Body
        media_types = [m.media_type for m in markers if isinstance(m, kind)]
        if kind is params.Form and "multipart/form-data" in media_types:
            kwargs["media_type"] = "multipart/form-data"
        elif len(set(media_types)) == 1:
            kwargs["media_type"] = media_types[0]
        info = kind(**kwargs)
    info.annotation = model
    return SchemaField("body", info)


# -- responses -----------------------------------------------------------------------------------

def _response_field(name: str, model: Any) -> SchemaField:
    return SchemaField(name, FieldInfo(annotation=model, default=PydanticUndefined), mode="serialization")


def route_fields(route: APIRoute, operation_id: str) -> RouteFields:
    """The parameters, body and response models ``route`` documents."""
    result = RouteFields()
    plan = route.plan
    for param in _param_fields(plan):
        found = _parameters(param)
        result.param_fields.extend(p.field for p in found)
        if getattr(param.marker, "include_in_schema", True):
            result.parameters.extend(found)
    if plan.flat_body_fields:
        result.body = _body_field(plan.flat_body_fields, operation_id)
    if route.response_model:
        result.response = _response_field(f"Response_{operation_id}", route.response_model)
    for code, response in route.responses.items():
        model = response.get("model") if isinstance(response, dict) else None
        if model:
            result.extra_responses[code] = _response_field(f"Response_{code}_{operation_id}", model)
    stream = route.stream
    if stream is not None and stream.item_type is not None:
        result.stream_item = _response_field(f"StreamItem_{operation_id}", stream.item_type)
    return result
