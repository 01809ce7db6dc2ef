"""Runs a ``RoutePlan`` for one request: extract, validate, collect FastAPI-shaped errors."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from fastrapi.dependencies.analysis import BodyPlan, ParamField, ParamGroup, RoutePlan
from fastrapi.exceptions import RequestValidationError
from fastrapi.requests import Request

_JSON_SUBTYPE_SUFFIX = "+json"


def is_json_content_type(value: str | None) -> bool:
    """``application/json`` or ``application/*+json``, parameters ignored."""
    if not value:
        return False
    media_type = value.partition(";")[0].strip().lower()
    maintype, _, subtype = media_type.partition("/")
    return maintype == "application" and (subtype == "json" or subtype.endswith(_JSON_SUBTYPE_SUFFIX))


def _raw_value(request: Request, group: ParamGroup, field: ParamField) -> Any:
    location = group.location
    if location == "path":
        return request.path_params.get(field.alias, _ABSENT)
    if location == "query":
        source = request.query_params
    elif location == "header":
        source = request.headers
    else:
        return request.cookies.get(field.alias, _ABSENT)
    if field.is_sequence:
        values = source.getlist(field.alias)
        return values if values else _ABSENT
    return source.get(field.alias, _ABSENT)


_ABSENT = object()


def _convert_errors(errors: list[Any], prefix: tuple[Any, ...], raw: Any, missing_input: Any = None) -> list[dict]:
    converted = []
    for error in errors:
        entry = {"type": error["type"], "loc": (*prefix, *error["loc"]), "msg": error["msg"]}
        entry["input"] = missing_input if error["type"] == "missing" else error["input"]
        if "ctx" in error:
            entry["ctx"] = error["ctx"]
        converted.append(entry)
    return converted


def _solve_group(request: Request, group: ParamGroup, values: dict[str, Any], errors: list[Any]) -> None:
    raw = {}
    for field in group.fields:
        value = _raw_value(request, group, field)
        if value is not _ABSENT:
            raw[field.alias] = value
    try:
        validated = group.adapter.validate_python(raw)
    except ValidationError as exc:
        errors.extend(_convert_errors(exc.errors(include_url=False), (group.location,), raw))
        return
    for field in group.fields:
        values[field.name] = validated[field.alias] if field.alias in validated else field.default_value()


def _json_error(body: bytes) -> RequestValidationError:
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        error = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error",
                 "input": {}, "ctx": {"error": exc.msg}}
        return RequestValidationError([error], body=exc.doc)
    except UnicodeDecodeError as exc:  # bytes that are not text at all
        error = {"type": "json_invalid", "loc": ("body", exc.start), "msg": "JSON decode error",
                 "input": {}, "ctx": {"error": str(exc)}}
        return RequestValidationError([error], body=body)
    raise AssertionError("unreachable: pydantic and json disagree")  # pragma: no cover


def _solve_body(request: Request, body_plan: BodyPlan, values: dict[str, Any], errors: list[Any]) -> Any:
    body = request.body()
    is_json = is_json_content_type(request.headers.get("content-type"))
    if not body:
        if body_plan.embed:
            data: Any = {}
        elif body_plan.fields[0].required:
            errors.append({"type": "missing", "loc": ("body",), "msg": "Field required", "input": None})
            return None
        else:
            values[body_plan.fields[0].name] = body_plan.fields[0].default_value()
            return None
        mode = "python"
    elif is_json:
        mode = "json"
    else:
        data, mode = body, "python"
    try:
        adapter = body_plan.adapter
        validated = adapter.validate_json(body) if mode == "json" else adapter.validate_python(data)
    except ValidationError as exc:
        raw_errors = exc.errors(include_url=False)
        if mode == "json" and any(e["type"] == "json_invalid" for e in raw_errors):
            raise _json_error(body) from None
        errors.extend(_convert_errors(raw_errors, ("body",), body))
        return body
    if body_plan.embed:
        for field in body_plan.fields:
            values[field.name] = validated[field.alias] if field.alias in validated else field.default_value()
    else:
        values[body_plan.fields[0].name] = validated
    return body


def solve(plan: RoutePlan, request: Request, response: Any, background: Any) -> dict[str, Any]:
    """The keyword arguments for the endpoint; raises ``RequestValidationError`` on bad input."""
    values: dict[str, Any] = {}
    errors: list[Any] = []
    for group in plan.groups:
        _solve_group(request, group, values, errors)
    body = None
    if plan.body is not None:
        body = _solve_body(request, plan.body, values, errors)
    if errors:
        if body is not None and is_json_content_type(request.headers.get("content-type")):
            try:
                body = json.loads(body)
            except ValueError:
                pass
        raise RequestValidationError(errors, body=body)
    if plan.request_arg:
        values[plan.request_arg] = request
    if plan.response_arg:
        values[plan.response_arg] = response
    if plan.background_arg:
        values[plan.background_arg] = background
    return values
