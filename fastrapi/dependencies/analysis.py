"""Signature → ``RoutePlan``, once, when a route is added."""

from __future__ import annotations

import collections
import copy
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticUndefined
from typing_extensions import NotRequired, Required, TypedDict

from fastrapi import params
from fastrapi.background import BackgroundTasks
from fastrapi.concurrency import can_suspend, is_async_callable
from fastrapi.exceptions import FastrAPIError
from fastrapi.requests import Request
from fastrapi.responses import Response

_SEQUENCE_ORIGINS = (list, set, tuple, frozenset, Sequence, typing.Sequence)
_SEQUENCE_CLASSES = (list, set, tuple, frozenset, collections.deque, Sequence)


@dataclass(slots=True)
class ParamField:
    """One endpoint argument read from a location (path, query, header, cookie or body)."""

    name: str
    alias: str
    annotation: Any
    marker: params.Param
    is_sequence: bool
    key: str = ""  # where the value is looked up; the alias unless a WSGI header name differs

    def __post_init__(self) -> None:
        if not self.key:
            self.key = _lookup_key(self.alias, self.marker)

    @property
    def required(self) -> bool:
        return self.marker.is_required()

    def default_value(self) -> Any:
        return self.marker.get_default(call_default_factory=True)


@dataclass(slots=True)
class ParamGroup:
    """The arguments of one location, validated together by one adapter."""

    location: str
    fields: list[ParamField]
    adapter: TypeAdapter[Any]


@dataclass(slots=True)
class BodyPlan:
    """How the request body becomes arguments: one value, or an object keyed by field alias."""

    fields: list[ParamField]
    embed: bool
    adapter: TypeAdapter[Any]

    @property
    def required(self) -> bool:
        return any(f.required for f in self.fields)


@dataclass(slots=True)
class RoutePlan:
    """Everything a request needs to call an endpoint, worked out once."""

    call: Callable[..., Any]
    is_async: bool
    suspends: bool
    groups: list[ParamGroup] = field(default_factory=list)
    body: BodyPlan | None = None
    request_arg: str | None = None
    response_arg: str | None = None
    background_arg: str | None = None

    @property
    def takes_nothing(self) -> bool:
        return not (self.groups or self.body or self.request_arg or self.response_arg or self.background_arg)


def _is_sequence(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_sequence(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_sequence(a) for a in get_args(annotation) if a is not type(None))
    return origin in _SEQUENCE_ORIGINS or annotation in (list, set, tuple, frozenset)


def _is_complex_class(cls: Any) -> bool:
    if not inspect.isclass(cls):
        return False
    if issubclass(cls, (str, bytes)):
        return False
    return issubclass(cls, (BaseModel, Mapping, *_SEQUENCE_CLASSES)) or _is_dataclass(cls)


def _is_body_type(annotation: Any) -> bool:
    """FastAPI's rule: an undeclared parameter is read from the body when its type is "complex"
    (a model, dataclass, mapping or any sequence, also inside a Union), else from the query."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_body_type(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_body_type(a) for a in get_args(annotation))
    return (
        _is_complex_class(annotation)
        or _is_complex_class(origin)
        or hasattr(origin, "__pydantic_core_schema__")
        or hasattr(origin, "__get_pydantic_core_schema__")
    )


def _is_dataclass(cls: type) -> bool:
    return hasattr(cls, "__dataclass_fields__")


def _split_annotated(annotation: Any) -> tuple[Any, list[Any]]:
    if get_origin(annotation) is Annotated:
        inner, *extras = get_args(annotation)
        return inner, list(extras)
    return annotation, []


def _signature(call: Callable[..., Any]) -> list[inspect.Parameter]:
    signature = inspect.signature(call)
    try:
        hints = typing.get_type_hints(call, include_extras=True)
    except Exception:
        hints = {}
    return [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()]


def _marker_for(param: inspect.Parameter, inner: Any, extras: list[Any], path_names: set[str]) -> params.Param:
    markers = [e for e in extras if isinstance(e, params.Param)]
    if isinstance(param.default, params.Param):
        if markers:
            raise FastrAPIError(f"`{param.name}` has a marker both in Annotated and as its default")
        return param.default
    if markers:
        marker = markers[-1]
        if param.default is not inspect.Parameter.empty:
            if marker.default is not PydanticUndefined:
                raise FastrAPIError(
                    f"`{param.name}`: give the default as `= value`, not inside {type(marker).__name__}()"
                )
            marker = copy.copy(marker)
            marker.default = param.default
        return marker
    default = param.default if param.default is not inspect.Parameter.empty else PydanticUndefined
    if param.name in path_names:
        return params.Path()
    if _is_body_type(inner):
        return params.Body(default)
    return params.Query(default)


def _alias(name: str, marker: params.Param) -> str:
    alias = marker.alias or (marker.validation_alias if isinstance(marker.validation_alias, str) else None)
    if alias:
        return alias
    if isinstance(marker, params.Header) and marker.convert_underscores:
        return name.replace("_", "-")
    return name


def _lookup_key(alias: str, marker: params.Param) -> str:
    # WSGI turns both "-" and "_" of a header name into "_" (HTTP_X_TOKEN), so a header
    # sent as "strange_header" can only be found as "strange-header".
    if isinstance(marker, params.Header):
        return alias.lower().replace("_", "-")
    return alias


def _field_type(annotation: Any, marker: params.Param) -> Any:
    return Annotated[(annotation, *marker.metadata)] if marker.metadata else annotation


def _typed_dict(name: str, fields: list[ParamField]) -> TypeAdapter[Any]:
    spec = {
        f.alias: (Required if f.required else NotRequired)[_field_type(f.annotation, f.marker)]
        for f in fields
    }
    return TypeAdapter(TypedDict(name, spec))  # type: ignore[operator]


def compile_route(call: Callable[..., Any], path_names: set[str], name: str = "route") -> RoutePlan:
    """Analyse ``call``'s signature into the plan a request runs."""
    is_async = is_async_callable(call)
    plan = RoutePlan(call=call, is_async=is_async, suspends=is_async and can_suspend(call))
    by_location: dict[str, list[ParamField]] = {}
    for param in _signature(call):
        annotation = param.annotation
        inner, extras = _split_annotated(annotation)
        if inspect.isclass(inner):
            if issubclass(inner, Request):
                plan.request_arg = param.name
                continue
            if issubclass(inner, Response):
                plan.response_arg = param.name
                continue
            if issubclass(inner, BackgroundTasks):
                plan.background_arg = param.name
                continue
        if annotation is inspect.Parameter.empty:
            inner = Any
        marker = _marker_for(param, inner, extras, path_names)
        by_location.setdefault(marker.in_, []).append(
            ParamField(param.name, _alias(param.name, marker), inner, marker, _is_sequence(inner))
        )
    for location in ("path", "query", "header", "cookie"):
        fields = by_location.get(location)
        if fields:
            plan.groups.append(ParamGroup(location, fields, _typed_dict(f"{name}_{location}", fields)))
    body_fields = by_location.get("body")
    if body_fields:
        embed = len(body_fields) > 1 or bool(getattr(body_fields[0].marker, "embed", False))
        if embed:
            adapter = _typed_dict(f"{name}_body", body_fields)
        else:
            only = body_fields[0]
            adapter = TypeAdapter(_field_type(only.annotation, only.marker))
        plan.body = BodyPlan(body_fields, embed, adapter)
    return plan
