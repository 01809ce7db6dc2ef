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
        return request.path_params.get(field.key, _ABSENT)
    if location == "query":
        source = request.query_params
    elif location == "header":
        source = request.headers
    else:
        return request.cookies.get(field.key, _ABSENT)
    if field.is_sequence:
        values = source.getlist(field.key)
        return values if values else _ABSENT
    return source.get(field.key, _ABSENT)


_ABSENT = object()


def _convert_errors(errors: list[Any], prefix: tuple[Any, ...], missing_depth: int = 1) -> list[dict]:
    """pydantic errors as FastAPI reports them: located under ``prefix``; a missing parameter
    (``loc`` no deeper than ``missing_depth``) has input ``None``, a missing model field keeps its object."""
    converted = []
    for error in errors:
        loc = error["loc"]
        entry = {"type": error["type"], "loc": (*prefix, *loc), "msg": error["msg"]}
        missing = error["type"] == "missing" and len(loc) <= missing_depth
        entry["input"] = None if missing else error["input"]
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
        errors.extend(_convert_errors(exc.errors(include_url=False), (group.location,)))
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


def _validate_python(body_plan: BodyPlan, data: Any) -> tuple[Any, list[dict]]:
    """Validate a parsed body as FastAPI does; ``(value, [])`` or ``(None, errors)``."""
    if body_plan.embed and not isinstance(data, dict):
        if data is not None:
            # FastAPI looks each embedded field up in the body: a non-object has none of them.
            return None, [{"type": "missing", "loc": ("body", f.alias), "msg": "Field required", "input": None}
                          for f in body_plan.fields]
        data = {}
    try:
        return body_plan.adapter.validate_python(data, from_attributes=True), []
    except ValidationError as exc:
        return None, _convert_errors(exc.errors(include_url=False), ("body",), 1 if body_plan.embed else 0)


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
        # PERF: JSON is validated straight from bytes; only a rejected body is parsed again.
        if mode == "json":
            validated = body_plan.adapter.validate_json(body)
        else:
            validated = body_plan.adapter.validate_python(data, from_attributes=True)
    except ValidationError as exc:
        if mode == "json":
            if any(e["type"] == "json_invalid" for e in exc.errors(include_url=False)):
                raise _json_error(body) from None
            # FastAPI validates the parsed JSON in python mode: its errors (and rare acceptances) differ.
            data = json.loads(body)
        validated, body_errors = _validate_python(body_plan, data)
        if body_errors:
            errors.extend(body_errors)
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
